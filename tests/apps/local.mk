# tests/apps: the applications people use, each through the test bed with
# the real module (issue 4): NSS, Firefox, OpenSSL/libp11 + mutual TLS,
# PyKCS11, Java SunPKCS11, p11-kit remoting, OpenSSH (ssh -I to a private
# sshd). GnuTLS is in tests/clients.
APPS_TESTS = \
	tests/apps/test-nss.sh tests/apps/test-firefox.sh tests/apps/test-openssl.sh \
	tests/apps/test-pykcs11.sh tests/apps/test-java.sh tests/apps/test-p11kit-server.sh \
	tests/apps/test-ssh.sh
TESTS += $(APPS_TESTS)
dist_noinst_SCRIPTS += $(APPS_TESTS) tests/apps/apps-lib.sh tests/apps/tty-answer.py
