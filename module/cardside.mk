# module/cardside.mk: the card side of the module.
#   libeimza-cardcore.la  apdu + card + pkcs15: everything that talks to a
#                         card through the ez_conn_* functions of pcsc.h
#   libeimza-cardside.la  the core and the PC/SC transport (pcsc.c), linked
#                         by eimza-pkcs11.so
# Unit tests and fuzzers link the core with the scripted transport
# (module/transport/replay.c) instead of pcsc.c.
noinst_LTLIBRARIES += module/libeimza-cardcore.la module/libeimza-cardside.la
module_libeimza_cardcore_la_SOURCES = \
	module/ez-error.h module/ez-error.c module/ez-ossl.h module/ez-ossl.c \
	module/apdu/apdu.h module/apdu/apdu.c \
	module/card/card.h module/card/card-internal.h module/card/card.c module/card/card-io.c \
	module/card/card-pad.c \
	module/card/akis-atr.h module/card/akis-atr.c module/card/akis-v1.c \
	module/card/akis-v2.h module/card/akis-v2.c module/card/akis-v2-sdo.c \
	module/card/akis-v2-load.c \
	module/pkcs15/pkcs15.h module/pkcs15/pkcs15-parse.c module/pkcs15/pkcs15-load.c
module_libeimza_cardcore_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
module_libeimza_cardcore_la_LIBADD = $(CRYPTO_LIBS)

module_libeimza_cardside_la_SOURCES = module/transport/pcsc.h module/transport/pcsc.c
module_libeimza_cardside_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) -fPIC
module_libeimza_cardside_la_LIBADD = module/libeimza-cardcore.la $(PCSC_LIBS) $(CRYPTO_LIBS)
# (common/libeimza-common.la is linked by the final programs: convenience
# libraries nested twice would define its symbols twice.)

# The scripted transport, for tests and fuzzers only.
noinst_LTLIBRARIES += module/libeimza-replay.la
module_libeimza_replay_la_SOURCES = module/transport/replay.h module/transport/replay.c \
	module/transport/replay-reader.c
module_libeimza_replay_la_CFLAGS = $(AM_CFLAGS) -fPIC
