# tests/vcard-perso: `eimza-vcard init`: the test PKI, the PKCS#15 DER, and
# whole personalizations read back through the card engine.
PERSO_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CHECK_CFLAGS)
PERSO_TEST_LIBS = tools/vcard/perso/libvcard-perso.la tools/vcard/engine/libvcard-atr.la \
	common/libeimza-common.la $(CRYPTO_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/vcard-perso/test-perso-pki tests/vcard-perso/test-perso-pkcs15
TESTS += tests/vcard-perso/test-perso-pki tests/vcard-perso/test-perso-pkcs15
tests_vcard_perso_test_perso_pki_SOURCES = tests/vcard-perso/test-perso-pki.c
tests_vcard_perso_test_perso_pki_CFLAGS = $(PERSO_TEST_CFLAGS)
tests_vcard_perso_test_perso_pki_LDADD = $(PERSO_TEST_LIBS)
tests_vcard_perso_test_perso_pkcs15_SOURCES = tests/vcard-perso/test-perso-pkcs15.c
tests_vcard_perso_test_perso_pkcs15_CFLAGS = $(PERSO_TEST_CFLAGS)
tests_vcard_perso_test_perso_pkcs15_LDADD = $(PERSO_TEST_LIBS)

# The writer on its own, against a recording stand-in for the engine.
check_PROGRAMS += tests/vcard-perso/test-perso-apdus
TESTS += tests/vcard-perso/test-perso-apdus
tests_vcard_perso_test_perso_apdus_SOURCES = tests/vcard-perso/test-perso-apdus.c \
	tests/vcard-perso/fake-vcard.c tests/vcard-perso/fake-vcard.h \
	tests/vcard-perso/perso-test.c tests/vcard-perso/perso-test.h
tests_vcard_perso_test_perso_apdus_CFLAGS = $(PERSO_TEST_CFLAGS)
tests_vcard_perso_test_perso_apdus_LDADD = $(PERSO_TEST_LIBS)

# perso-cli: `eimza-vcard init` as a program of its own, with the real
# engine, for the command-line test (eimza-vcard's main dispatches to the
# same vcard_perso_main()).
check_PROGRAMS += tests/vcard-perso/perso-cli
tests_vcard_perso_perso_cli_SOURCES = tests/vcard-perso/perso-cli.c
tests_vcard_perso_perso_cli_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_vcard_perso_perso_cli_LDADD = tools/vcard/perso/libvcard-perso.la \
	tools/vcard/engine/libvcard.la tools/vcard/engine/libvcard-atr.la \
	common/libeimza-common.la $(CRYPTO_LIBS) $(LIBINTL)
TESTS += tests/vcard-perso/test-perso-cli.sh
dist_check_SCRIPTS += tests/vcard-perso/test-perso-cli.sh

# Whole personalizations read back through the real engine.
check_PROGRAMS += tests/vcard-perso/test-perso-card
TESTS += tests/vcard-perso/test-perso-card
tests_vcard_perso_test_perso_card_SOURCES = tests/vcard-perso/test-perso-card.c \
	tests/vcard-perso/perso-test.c tests/vcard-perso/perso-test.h
tests_vcard_perso_test_perso_card_CFLAGS = $(PERSO_TEST_CFLAGS)
tests_vcard_perso_test_perso_card_LDADD = tools/vcard/perso/libvcard-perso.la \
	tools/vcard/engine/libvcard.la $(PERSO_TEST_LIBS)
