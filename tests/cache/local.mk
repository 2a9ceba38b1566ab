# tests/cache: unit tests of the card cache's file format and store
# (module/cache/): hostile files, folder and file permissions, writers at
# once. The cache's use by the token over a scripted card is tested in
# tests/card/test-card-cache.c, through the real PC/SC stack in
# tests/module/test-p11-cache.c.
check_PROGRAMS += tests/cache/test-cache
TESTS += tests/cache/test-cache
tests_cache_test_cache_SOURCES = tests/cache/test-cache.c
tests_cache_test_cache_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS)
tests_cache_test_cache_LDADD = module/libeimza-cache.la module/libeimza-cardcore.la \
	module/libeimza-replay.la common/libeimza-common.la $(CHECK_LIBS) $(CRYPTO_LIBS)
