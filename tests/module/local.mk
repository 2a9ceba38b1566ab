# tests/module: the PKCS#11 module's behaviour tests. The Check program
# loads the built module with dlopen inside the test bed (test-module.sh).
check_PROGRAMS += tests/module/test-module
tests_module_test_module_SOURCES = \
	tests/module/test-module.c tests/module/p11-test.h tests/module/p11-test.c \
	tests/module/test-p11-general.c tests/module/test-p11-objects.c \
	tests/module/test-p11-sign.c tests/module/test-p11-pin.c tests/module/test-p11-hotplug.c \
	tests/module/test-p11-removal.c tests/module/test-p11-interfaces.c \
	tests/module/test-p11-threads.c tests/module/test-p11-trace.c \
	tests/module/test-p11-roundtrips.c tests/module/test-p11-cache.c \
	tests/module/test-p11-pinpad.c
tests_module_test_module_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS) \
	$(CRYPTO_CFLAGS)
tests_module_test_module_LDADD = $(CHECK_LIBS) $(CRYPTO_LIBS) $(DL_LIBS) -lpthread
TESTS += tests/module/test-module.sh
dist_noinst_SCRIPTS += tests/module/test-module.sh

# Counts the module's calls into pcsc-lite (LD_PRELOAD) for the round-trip
# tests and benchmarks. -rpath makes libtool build a shared object.
check_LTLIBRARIES += tests/module/pcsc-count.la
tests_module_pcsc_count_la_SOURCES = tests/module/pcsc-count.c
tests_module_pcsc_count_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_module_pcsc_count_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_module_pcsc_count_la_LIBADD = $(DL_LIBS)

# Benchmarks (numbers, never a pass or fail on time): per-slot locking with
# four cards signing at once, and what polling costs. `make bench` runs them
# through the test bed with the "real" latency model; test-bench.sh runs
# them quickly in the test suite so they keep working.
noinst_PROGRAMS += tests/module/bench-parallel tests/module/bench-poll tests/module/bench-table
tests_module_bench_parallel_SOURCES = tests/module/bench-parallel.c
tests_module_bench_parallel_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(CRYPTO_CFLAGS)
tests_module_bench_parallel_LDADD = $(CRYPTO_LIBS) $(DL_LIBS) -lpthread
tests_module_bench_poll_SOURCES = tests/module/bench-poll.c
tests_module_bench_poll_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_module_bench_poll_LDADD = $(DL_LIBS)
tests_module_bench_table_SOURCES = tests/module/bench-table.c
tests_module_bench_table_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(CRYPTO_CFLAGS)
tests_module_bench_table_LDADD = $(CRYPTO_LIBS) $(DL_LIBS)
TESTS += tests/module/test-bench.sh
dist_noinst_SCRIPTS += tests/module/test-bench.sh

# `make bench [BENCH_SIGNATURES=N]`: the table of docs/performance.md
# (bench.sh), then the parallel-signing and polling benchmarks.
bench: all tests/testbed/eimza-testbed tests/module/pcsc-count.la
	BENCH_SIGNATURES=$(BENCH_SIGNATURES) bash $(srcdir)/tests/module/bench.sh
	tests/testbed/eimza-testbed --latency real --card seal-rsa --card seal-rsa \
		--card seal-rsa --card seal-rsa -- tests/module/bench-parallel 3
	tests/testbed/eimza-testbed --latency real --card seal -- tests/module/bench-poll 10000
BENCH_SIGNATURES = 100000
.PHONY: bench
dist_noinst_SCRIPTS += tests/module/bench.sh

# A stress test: threads sign on two cards while one is pulled and pushed
# (slowly and faster than pcscd polls); plain, then under helgrind.
check_PROGRAMS += tests/module/stress-removal
tests_module_stress_removal_SOURCES = tests/module/stress-removal.c
tests_module_stress_removal_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(CRYPTO_CFLAGS)
tests_module_stress_removal_LDADD = $(CRYPTO_LIBS) $(DL_LIBS) -lpthread
TESTS += tests/module/test-stress.sh
dist_noinst_SCRIPTS += tests/module/test-stress.sh
EXTRA_DIST += tests/module/helgrind.supp
