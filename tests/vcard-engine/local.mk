# tests/vcard-engine: the card engine, in-process, one program per part:
# the generic core (ATRs, images, the PIN try rule and persistence, traces,
# random APDUs), AKIS 1.2's command set, AKIS 2.x's. And a check that the
# virtual card stays independent of the module it examines.
ENGINE_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS)
ENGINE_TEST_LIBS = tools/vcard/engine/libvcard.la tools/vcard/engine/libvcard-atr.la \
	common/libeimza-common.la $(CRYPTO_LIBS) $(CHECK_LIBS)
ENGINE_TEST_COMMON = tests/vcard-engine/engine-test.c tests/vcard-engine/engine-test.h

check_PROGRAMS += tests/vcard-engine/test-engine-core tests/vcard-engine/test-gen12 \
	tests/vcard-engine/test-gen2
TESTS += tests/vcard-engine/test-engine-core tests/vcard-engine/test-gen12 \
	tests/vcard-engine/test-gen2
tests_vcard_engine_test_engine_core_SOURCES = tests/vcard-engine/test-engine-core.c \
	$(ENGINE_TEST_COMMON)
tests_vcard_engine_test_engine_core_CFLAGS = $(ENGINE_TEST_CFLAGS)
tests_vcard_engine_test_engine_core_LDADD = $(ENGINE_TEST_LIBS)
tests_vcard_engine_test_gen12_SOURCES = tests/vcard-engine/test-gen12.c $(ENGINE_TEST_COMMON)
tests_vcard_engine_test_gen12_CFLAGS = $(ENGINE_TEST_CFLAGS)
tests_vcard_engine_test_gen12_LDADD = $(ENGINE_TEST_LIBS)
tests_vcard_engine_test_gen2_SOURCES = tests/vcard-engine/test-gen2.c $(ENGINE_TEST_COMMON)
tests_vcard_engine_test_gen2_CFLAGS = $(ENGINE_TEST_CFLAGS)
tests_vcard_engine_test_gen2_LDADD = $(ENGINE_TEST_LIBS)

TESTS += tests/vcard-engine/test-vcard-independent.sh
dist_check_SCRIPTS += tests/vcard-engine/test-vcard-independent.sh
