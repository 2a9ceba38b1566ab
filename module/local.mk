# module/: eimza-pkcs11.so. The card side (transport, apdu, card, pkcs15) is
# a convenience library of its own, so its unit tests link it directly.
include module/cardside.mk

# The persistent cache of cards' public data: a library of its own, so its
# unit tests and fuzzers link it without the PKCS#11 front.
noinst_LTLIBRARIES += module/libeimza-cache.la
module_libeimza_cache_la_SOURCES = \
	module/cache/cache.h module/cache/cache-format.c module/cache/cache-store.c
module_libeimza_cache_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -fPIC

# The token model and the PKCS#11 front. Without its transport: the module
# links it with the card side and PC/SC (libeimza-cardside.la), the fuzzers
# with the card core and the scripted reader (tests/fuzz).
noinst_LTLIBRARIES += module/libeimza-p11.la
module_libeimza_p11_la_SOURCES = \
	module/token/token.h module/token/token.c \
	module/token/objects.h module/token/objects.c \
	module/token/mech.h module/token/mech.c \
	module/p11/pkcs11-types.h module/p11/p11-internal.h \
	module/p11/p11-call.c module/p11/p11-names.c \
	module/p11/p11-general.c module/p11/p11-slots.c module/p11/p11-read.c \
	module/p11/p11-slot-info.c module/p11/p11-events.c module/p11/p11-session.c \
	module/p11/p11-login.c module/p11/p11-object.c module/p11/p11-sign.c \
	module/p11/p11-digest.c module/p11/p11-other.c \
	module/p11/p11-rv.c module/p11/p11-log.c module/p11/p11-config.c \
	module/p11/p11-vendor.c module/p11/p11-v3.c include/eimza/eimza-pkcs11.h
module_libeimza_p11_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
module_libeimza_p11_la_LIBADD = module/libeimza-cache.la

# The module itself, installed where p11-kit looks for modules.
p11moduledir = $(p11_module_dir)
p11module_LTLIBRARIES = module/eimza-pkcs11.la
module_eimza_pkcs11_la_SOURCES =
module_eimza_pkcs11_la_LIBADD = module/libeimza-p11.la module/libeimza-cardside.la \
	common/libeimza-common.la \
	$(PCSC_LIBS) $(CRYPTO_LIBS) -lpthread
module_eimza_pkcs11_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-export-symbols-regex '^C_'
# An empty source list needs a linker language.
nodist_EXTRA_module_eimza_pkcs11_la_SOURCES = dummy.c

dist_man_MANS += module/eimza-pkcs11.8
