# tests/clients: the module as applications' PKCS#11 clients see it
# (OpenSC pkcs11-tool, GnuTLS p11tool, p11-kit and its proxy).
TESTS += tests/clients/test-clients.sh
dist_noinst_SCRIPTS += tests/clients/test-clients.sh
