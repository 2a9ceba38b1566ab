# tests/clients: the module as applications' PKCS#11 clients see it
# (OpenSC pkcs11-tool, GnuTLS p11tool, p11-kit and its proxy).
# test-clients-1.2.sh: the same clients' view of AKIS 1.2 cards.
TESTS += tests/clients/test-clients.sh tests/clients/test-clients-1.2.sh
dist_noinst_SCRIPTS += tests/clients/test-clients.sh tests/clients/test-clients-1.2.sh
