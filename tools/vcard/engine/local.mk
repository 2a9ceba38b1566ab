# tools/vcard/engine/: the virtual AKIS card engine (APDU in, APDU out).
# Programs link, in this order: libvcard.la libvcard-atr.la
# common/libeimza-common.la $(CRYPTO_LIBS). The libraries carry no LIBADD
# of their own, so their archives hold the engine's objects only (the test
# test-vcard-independent.sh reads them with nm).
#
# libvcard-atr.la: ATR checks and the table of evidence ATRs, on their own
# so that tests of `init` with a stand-in engine can use them.
noinst_LTLIBRARIES += tools/vcard/engine/libvcard-atr.la
tools_vcard_engine_libvcard_atr_la_SOURCES = include/eimza/vcard.h \
	tools/vcard/engine/vcard-atr.c
tools_vcard_engine_libvcard_atr_la_CFLAGS = $(AM_CFLAGS) -fPIC

# libvcard.la: a generic core and one command set per generation.
noinst_LTLIBRARIES += tools/vcard/engine/libvcard.la
tools_vcard_engine_libvcard_la_SOURCES = \
	include/eimza/vcard.h \
	tools/vcard/engine/vcard-internal.h \
	tools/vcard/engine/vcard-iso.h \
	tools/vcard/engine/vcard-engine.c \
	tools/vcard/engine/vcard-perso.c \
	tools/vcard/engine/vcard-apdu.c \
	tools/vcard/engine/vcard-fs.c \
	tools/vcard/engine/vcard-pin.c \
	tools/vcard/engine/vcard-crypto.c \
	tools/vcard/engine/vcard-iso-cmds.c \
	tools/vcard/engine/vcard-image.c \
	tools/vcard/engine/gen12.h \
	tools/vcard/engine/gen12-commands.c \
	tools/vcard/engine/gen12-fs.c \
	tools/vcard/engine/gen12-pin.c \
	tools/vcard/engine/gen12-sign.c \
	tools/vcard/engine/gen2.h \
	tools/vcard/engine/gen2-commands.c \
	tools/vcard/engine/gen2-fs.c \
	tools/vcard/engine/gen2-data.c \
	tools/vcard/engine/gen2-sdo.c \
	tools/vcard/engine/gen2-pin.c \
	tools/vcard/engine/gen2-sign.c
tools_vcard_engine_libvcard_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
