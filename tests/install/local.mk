# tests/install: installing and registering. The layout of `make install`
# and `make uninstall` (DESTDIR), configure's folders, the p11-kit
# registration through the real p11-kit and a virtual card, eimza-register
# with real Firefox ESR and Chromium profiles.
INSTALL_TESTS = \
	tests/install/test-install-layout.sh \
	tests/install/test-p11kit-registration.sh \
	tests/install/test-register.sh
TESTS += $(INSTALL_TESTS)
dist_noinst_SCRIPTS += $(INSTALL_TESTS)

# Run by .ci/run against the installed packages (not by make check: they
# need eimza installed on the machine).
dist_noinst_SCRIPTS += tests/install/installed-check.sh tests/install/installed-akisp11.sh
