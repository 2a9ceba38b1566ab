# common/: the internal convenience library shared by the module, the
# virtual card, the tools and the tests. Nothing here knows PKCS#11 or PC/SC.
noinst_LTLIBRARIES += common/libeimza-common.la
common_libeimza_common_la_SOURCES = \
	common/der.c include/eimza/der.h \
	common/secmem.c include/eimza/secmem.h \
	common/hex.c include/eimza/hex.h \
	common/atomic-file.c include/eimza/atomic-file.h \
	common/tckn.c include/eimza/tckn.h \
	common/apdu-trace.c include/eimza/apdu-trace.h \
	common/secret-source.c include/eimza/secret-source.h \
	common/utf8.c include/eimza/utf8.h \
	common/safe-text.c include/eimza/safe-text.h \
	common/unix-socket.c include/eimza/unix-socket.h
common_libeimza_common_la_CFLAGS = $(AM_CFLAGS) -fPIC
