# tests/apps: the applications people use, each through the test bed with
# the real module (issue 4): NSS, Firefox, OpenSSL/libp11 + mutual TLS,
# PyKCS11, Java SunPKCS11, p11-kit remoting, OpenSSH (ssh -I to a private
# sshd), Firefox and Chromium in mutual TLS with the card in a PIN-pad
# reader. GnuTLS is in tests/clients.
APPS_TESTS = \
	tests/apps/test-nss.sh tests/apps/test-firefox.sh tests/apps/test-openssl.sh \
	tests/apps/test-pykcs11.sh tests/apps/test-java.sh tests/apps/test-p11kit-server.sh \
	tests/apps/test-ssh.sh tests/apps/test-browsers-pinpad.sh
TESTS += $(APPS_TESTS)
dist_noinst_SCRIPTS += $(APPS_TESTS) tests/apps/apps-lib.sh tests/apps/tty-answer.py

# Stands in for the OK press in Chromium's own password dialog, which it
# shows even for a PIN-pad reader's token (test-browsers-pinpad.sh).
check_LTLIBRARIES += tests/apps/nss-dialog-ok.la
tests_apps_nss_dialog_ok_la_SOURCES = tests/apps/nss-dialog-ok.c
tests_apps_nss_dialog_ok_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_apps_nss_dialog_ok_la_LIBADD = $(DL_LIBS)
