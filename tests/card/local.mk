# tests/card: unit tests of the module's card side (ATR families, the AKIS
# 1.x and 2.x dialects, APDU by APDU) against the scripted transport, and
# the card cache as the token layer uses it (the token's sources are
# compiled in: the test runs ez_token_open over a script), and its PKCS#15
# reader on PKCS#15 written by others (tests/card/opensc).
check_PROGRAMS += tests/card/test-card
TESTS += tests/card/test-card
tests_card_test_card_SOURCES = tests/card/card-test.h tests/card/card-test.c \
	tests/card/test-card-atr.c tests/card/test-card-v1.c tests/card/test-card-v2.c \
	tests/card/test-card-apdu.c tests/card/test-card-pkcs15.c tests/card/test-card-cache.c \
	tests/card/test-token-objects.c tests/card/test-card-pad.c \
	tests/card/test-card-p15-opensc.c \
	module/token/token.c module/token/objects.c module/token/mech.c
tests_card_test_card_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CRYPTO_CFLAGS) $(P11KIT_CFLAGS)
tests_card_test_card_LDADD = module/libeimza-cache.la \
	module/libeimza-cardcore.la module/libeimza-replay.la \
	common/libeimza-common.la $(CHECK_LIBS) $(CRYPTO_LIBS)
EXTRA_DIST += tests/card/opensc/README.md tests/card/opensc/extract.py \
	tests/card/opensc/4401.bin \
	tests/card/opensc/4441.bin \
	tests/card/opensc/4451.bin \
	tests/card/opensc/4471.bin \
	tests/card/opensc/4481.bin \
	tests/card/opensc/4541.bin \
	tests/card/opensc/4543.bin \
	tests/card/opensc/4573.bin \
	tests/card/opensc/4574.bin \
	tests/card/opensc/5031.bin \
	tests/card/opensc/5032.bin \
	tests/card/opensc/aodf-entry-pin.der \
	tests/card/opensc/prkdf-entry-rsa.der \
	tests/card/opensc/pukdf-entry-rsa.der
