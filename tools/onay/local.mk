# tools/onay: eimza-onay, the e-imzalı giriş and e-onay (CAdES-BES) through
# PKCS#11, and their verification. The statement, CMS and verify parts are a
# library of their own so that tests/onay can drive them without a card.
noinst_LTLIBRARIES += tools/onay/libeimza-onay.la
tools_onay_libeimza_onay_la_SOURCES = \
	tools/onay/onay-statement.h \
	tools/onay/onay-statement.c \
	tools/onay/onay-cms.h \
	tools/onay/onay-cms.c \
	tools/onay/onay-verify.h \
	tools/onay/onay-verify.c
tools_onay_libeimza_onay_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(P11KIT_CFLAGS)
tools_onay_libeimza_onay_la_LIBADD = tools/common/libeimza-tools.la

bin_PROGRAMS += tools/onay/eimza-onay
tools_onay_eimza_onay_SOURCES = \
	tools/onay/onay.h \
	tools/onay/onay-main.c \
	tools/onay/onay-sign.c \
	tools/onay/onay-check.c
tools_onay_eimza_onay_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(P11KIT_CFLAGS)
tools_onay_eimza_onay_LDADD = tools/onay/libeimza-onay.la
dist_man_MANS += tools/onay/eimza-onay.1
