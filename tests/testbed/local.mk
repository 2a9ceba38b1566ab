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
	tests/testbed/test-try-kill.sh tests/testbed/test-no-pin-in-logs.sh tests/testbed/test-pinpad.sh
dist_noinst_SCRIPTS += tests/testbed/test-pcsc-stack.sh tests/testbed/test-testbed.sh \
	tests/testbed/test-try-kill.sh tests/testbed/test-no-pin-in-logs.sh tests/testbed/lib.sh \
	tests/testbed/test-pinpad.sh \
	tests/testbed/tb-dumpable.py

# The virtual PIN-pad reader: a reader driver (IFD handler) pcscd loads
# from reader.conf.d (docs/testbed.md, "PIN-pad readers"). pcscd is not
# instrumented, so the driver is built without the sanitizers, with a rule
# of its own (the sanitizer build links everything else with them).
PINPAD_DRIVER_SRC = $(srcdir)/tests/testbed/pinpad/ifd-pinpad.c \
	$(srcdir)/tests/testbed/pinpad/keypad.c $(srcdir)/tests/testbed/pinpad/spe.c \
	$(srcdir)/common/unix-socket.c
PINPAD_DRIVER_HDR = $(srcdir)/tests/testbed/pinpad/keypad.h $(srcdir)/tests/testbed/pinpad/spe.h \
	$(srcdir)/include/eimza/unix-socket.h
noinst_DATA += tests/testbed/libifd-eimza-pinpad.so
CLEANFILES += tests/testbed/libifd-eimza-pinpad.so
EXTRA_DIST += tests/testbed/pinpad/ifd-pinpad.c tests/testbed/pinpad/keypad.c \
	tests/testbed/pinpad/keypad.h tests/testbed/pinpad/spe.c tests/testbed/pinpad/spe.h
tests/testbed/libifd-eimza-pinpad.so: $(PINPAD_DRIVER_SRC) $(PINPAD_DRIVER_HDR) config.h
	$(AM_V_CCLD)$(MKDIR_P) tests/testbed && \
	$(CC) $(EIMZA_PLAIN_CFLAGS) -O2 -g -fPIC -shared -I$(top_builddir) -I$(top_srcdir)/include $(PCSC_CFLAGS) \
		-o $@ $(PINPAD_DRIVER_SRC)

# The reader's part: PIN_VERIFY / PIN_MODIFY structures to APDUs, without
# pcscd (every field, the reader's answers, hostile structures).
check_PROGRAMS += tests/testbed/test-pinpad-spe
tests_testbed_test_pinpad_spe_SOURCES = tests/testbed/test-pinpad-spe.c \
	tests/testbed/pinpad/spe.c tests/testbed/pinpad/spe.h
tests_testbed_test_pinpad_spe_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_testbed_test_pinpad_spe_LDADD = $(CHECK_LIBS)
TESTS += tests/testbed/test-pinpad-spe
