# tests/common: unit tests of the common library.
check_PROGRAMS += tests/common/test-common
TESTS += tests/common/test-common
tests_common_test_common_SOURCES = tests/common/test-common.c
tests_common_test_common_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_common_test_common_LDADD = common/libeimza-common.la $(CHECK_LIBS)
