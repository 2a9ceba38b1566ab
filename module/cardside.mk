# module/cardside.mk: libeimza-cardside.la = transport + apdu + card + pkcs15.
