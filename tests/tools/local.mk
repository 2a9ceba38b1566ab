# tests/tools: the shared tool library (Check) and the tools end to end.
check_PROGRAMS += tests/tools/test-tool-common
tests_tools_test_tool_common_SOURCES = tests/tools/test-tool-common.c
tests_tools_test_tool_common_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(P11KIT_CFLAGS)
tests_tools_test_tool_common_LDADD = tools/common/libeimza-tools.la $(CHECK_LIBS)
TESTS += tests/tools/test-tool-common

# End to end through SoftHSM2 (any PKCS#11 module works with --module PATH).
TESTS += tests/tools/test-tools-softhsm.sh
dist_check_SCRIPTS += tests/tools/test-tools-softhsm.sh
EXTRA_DIST += tests/tools/lib-tools.sh

# End to end through the eimza module and a virtual card in the test bed.
TESTS += tests/tools/test-tools-testbed.sh
dist_check_SCRIPTS += tests/tools/test-tools-testbed.sh

# The same with cards in the test bed's PIN-pad readers: every PIN on the
# keypad, and pkcs11-tool without --pin (issue 17's "done when").
TESTS += tests/tools/test-tools-pinpad.sh
dist_check_SCRIPTS += tests/tools/test-tools-pinpad.sh

# A mock PKCS#11 module with PIN/PUK counters in a state file: blocking and
# unlocking tested without a card or the eimza module.
check_LTLIBRARIES += tests/tools/mock-p11.la
tests_tools_mock_p11_la_SOURCES = tests/tools/mock-p11.c
tests_tools_mock_p11_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_tools_mock_p11_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
TESTS += tests/tools/test-tools-mock.sh
dist_check_SCRIPTS += tests/tools/test-tools-mock.sh

# The documentation follows the code: options and exit statuses in the man
# pages, every message of the tools translated.
TESTS += tests/tools/test-tools-docs.sh
dist_check_SCRIPTS += tests/tools/test-tools-docs.sh

# The build-time check of Kamu SM's trust anchors refuses any change.
TESTS += tests/tools/test-trust-anchors.sh
dist_check_SCRIPTS += tests/tools/test-trust-anchors.sh

# The bash completion script, driven as bash drives it.
TESTS += tests/tools/test-completion.sh
dist_check_SCRIPTS += tests/tools/test-completion.sh

# Every kind of card in a reader (2.x, 1.2, not AKIS, AKIS v1.0) as the tools
# describe it, and eimza-info probe (read-only, masked) on both generations.
TESTS += tests/tools/test-info-cards.sh
dist_check_SCRIPTS += tests/tools/test-info-cards.sh

# Every option of each tool's --help is in its man page, and back.
TESTS += tests/tools/test-man-help.sh
dist_check_SCRIPTS += tests/tools/test-man-help.sh
