# tools/vcard/engine/: the virtual AKIS card engine (APDU in, APDU out).
noinst_LTLIBRARIES += tools/vcard/engine/libvcard.la
tools_vcard_engine_libvcard_la_SOURCES = \
	include/eimza/vcard.h \
	tools/vcard/engine/vcard-internal.h \
	tools/vcard/engine/vcard-engine.c \
	tools/vcard/engine/vcard-apdu.c \
	tools/vcard/engine/vcard-fs.c \
	tools/vcard/engine/vcard-security.c \
	tools/vcard/engine/vcard-sign.c \
	tools/vcard/engine/vcard-image.c
tools_vcard_engine_libvcard_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
tools_vcard_engine_libvcard_la_LIBADD = common/libeimza-common.la $(CRYPTO_LIBS)
