# tests/module: the PKCS#11 module's behaviour tests. The Check program
# loads the built module with dlopen inside the test bed (test-module.sh).
check_PROGRAMS += tests/module/test-module
tests_module_test_module_SOURCES = \
	tests/module/test-module.c tests/module/p11-test.h tests/module/p11-test.c \
	tests/module/test-p11-general.c tests/module/test-p11-objects.c \
	tests/module/test-p11-sign.c tests/module/test-p11-pin.c tests/module/test-p11-hotplug.c \
	tests/module/test-p11-removal.c
tests_module_test_module_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS) \
	$(CRYPTO_CFLAGS)
tests_module_test_module_LDADD = $(CHECK_LIBS) $(CRYPTO_LIBS) $(DL_LIBS) -lpthread
TESTS += tests/module/test-module.sh
dist_noinst_SCRIPTS += tests/module/test-module.sh

# A benchmark (not a test): per-slot locking with two cards in parallel.
noinst_PROGRAMS += tests/module/bench-parallel
tests_module_bench_parallel_SOURCES = tests/module/bench-parallel.c
tests_module_bench_parallel_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_module_bench_parallel_LDADD = $(DL_LIBS) -lpthread

# A stress test: threads sign on two cards while one is pulled and pushed
# (slowly and faster than pcscd polls); plain, then under helgrind.
check_PROGRAMS += tests/module/stress-removal
tests_module_stress_removal_SOURCES = tests/module/stress-removal.c
tests_module_stress_removal_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(CRYPTO_CFLAGS)
tests_module_stress_removal_LDADD = $(CRYPTO_LIBS) $(DL_LIBS) -lpthread
TESTS += tests/module/test-stress.sh
dist_noinst_SCRIPTS += tests/module/test-stress.sh
EXTRA_DIST += tests/module/helgrind.supp
