# tests/onay: eimza-onay's statement, CMS and verification without a card
# (Check), and the whole flow through the module and a virtual card.
check_PROGRAMS += tests/onay/test-onay
tests_onay_test_onay_SOURCES = tests/onay/test-onay.c
tests_onay_test_onay_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS) $(P11KIT_CFLAGS)
tests_onay_test_onay_LDADD = tools/onay/libeimza-onay.la $(CHECK_LIBS)
TESTS += tests/onay/test-onay

TESTS += tests/onay/test-onay-testbed.sh
dist_check_SCRIPTS += tests/onay/test-onay-testbed.sh
