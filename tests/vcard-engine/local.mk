# tests/vcard-engine: unit tests of the card engine, in-process.
check_PROGRAMS += tests/vcard-engine/test-engine
TESTS += tests/vcard-engine/test-engine
tests_vcard_engine_test_engine_SOURCES = tests/vcard-engine/test-engine.c
tests_vcard_engine_test_engine_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS)
tests_vcard_engine_test_engine_LDADD = tools/vcard/engine/libvcard.la common/libeimza-common.la \
	$(CRYPTO_LIBS) $(CHECK_LIBS)
