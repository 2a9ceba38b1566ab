# module/: eimza-pkcs11.so. The card side (transport, apdu, card, pkcs15) is
# a convenience library of its own, so its unit tests link it directly.
include module/cardside.mk
