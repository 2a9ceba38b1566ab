# tools/vcard/runtime: `eimza-vcard run` and `info`, and the eimza-vcard
# program itself (tools/vcard/main.c dispatches to perso/ and runtime/).
# Installed only with --enable-vcard (configure.ac); always built.
if ENABLE_VCARD
bin_PROGRAMS += tools/vcard/eimza-vcard
dist_man_MANS += tools/vcard/eimza-vcard.1
else
noinst_PROGRAMS += tools/vcard/eimza-vcard
EXTRA_DIST += tools/vcard/eimza-vcard.1
endif
tools_vcard_eimza_vcard_SOURCES = \
	tools/vcard/main.c include/eimza/i18n.h \
	tools/vcard/runtime/runtime.h \
	tools/vcard/runtime/run.c \
	tools/vcard/runtime/latency.c \
	tools/vcard/runtime/info.c
tools_vcard_eimza_vcard_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -I$(top_srcdir)/tools/vcard
tools_vcard_eimza_vcard_LDADD = tools/vcard/perso/libvcard-perso.la \
	tools/vcard/engine/libvcard.la tools/vcard/engine/libvcard-atr.la \
	common/libeimza-common.la $(CRYPTO_LIBS) $(LIBINTL)
