# tests/testbed: the private PC/SC test bed (eimza-testbed, tb-pcsc) and the
# tests of the virtual card through the real pcscd + vpcd stack.
noinst_PROGRAMS += tests/testbed/tb-pcsc
tests_testbed_tb_pcsc_SOURCES = tests/testbed/tb-pcsc.c
tests_testbed_tb_pcsc_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_testbed_tb_pcsc_LDADD = common/libeimza-common.la $(PCSC_LIBS)

noinst_SCRIPTS += tests/testbed/eimza-testbed
CLEANFILES += tests/testbed/eimza-testbed
EXTRA_DIST += tests/testbed/eimza-testbed.in
tests/testbed/eimza-testbed: $(top_srcdir)/tests/testbed/eimza-testbed.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tests/testbed && \
	sed -e 's|@abs_top_builddir[@]|$(abs_top_builddir)|g' \
	    -e 's|@abs_top_srcdir[@]|$(abs_top_srcdir)|g' $< >$@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

TESTS += tests/testbed/test-pcsc-stack.sh tests/testbed/test-testbed.sh \
	tests/testbed/test-try-kill.sh tests/testbed/test-no-pin-in-logs.sh
dist_noinst_SCRIPTS += tests/testbed/test-pcsc-stack.sh tests/testbed/test-testbed.sh \
	tests/testbed/test-try-kill.sh tests/testbed/test-no-pin-in-logs.sh tests/testbed/lib.sh \
	tests/testbed/tb-dumpable.py
