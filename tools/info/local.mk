# tools/info: eimza-info (readers, cards, PIN state, certificates) and
# `eimza-info doctor`.
bin_PROGRAMS += tools/info/eimza-info
tools_info_eimza_info_SOURCES = tools/info/info.h tools/info/info-main.c tools/info/info-doctor.c \
	tools/info/info-probe.c
tools_info_eimza_info_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS)
tools_info_eimza_info_LDADD = tools/common/libeimza-tools.la $(PCSC_LIBS) $(CRYPTO_LIBS)
dist_man_MANS += tools/info/eimza-info.1
