# module/cardside.mk: libeimza-cardside.la = transport + apdu + card + pkcs15,
# the card side of the module, linked by eimza-pkcs11.so and its unit tests.
noinst_LTLIBRARIES += module/libeimza-cardside.la
module_libeimza_cardside_la_SOURCES = \
	module/ez-error.h module/ez-error.c \
	module/transport/pcsc.h module/transport/pcsc.c \
	module/apdu/apdu.h module/apdu/apdu.c \
	module/card/akis-card.h module/card/akis-card.c \
	module/pkcs15/pkcs15.h module/pkcs15/pkcs15-parse.c module/pkcs15/pkcs15-load.c
module_libeimza_cardside_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
module_libeimza_cardside_la_LIBADD = $(PCSC_LIBS) $(CRYPTO_LIBS)
# (common/libeimza-common.la is linked by the final programs: convenience
# libraries nested twice would define its symbols twice.)
