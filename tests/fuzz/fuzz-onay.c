/*
 * fuzz-onay.c: libFuzzer target for `eimza-onay verify`: the input is the
 * signature file as the command reads it (DER, PEM or base64), taken into
 * DER by onay_input_to_der() and checked by onay_verify(), as
 * onay_cmd_verify() does (tools/onay/onay-check.c). So a finding is
 * replayed with the program itself as well:
 *
 *   eimza-onay verify --ca ROOTS.pem --code 123456789012345 \
 *       --tckn 10000000146 FILE
 *
 * The roots are an empty store (the chain check fails; every other check
 * runs); the expected code and T.C. Kimlik No are given so their checks run.
 * Besides the sanitizers: every check that ran has a message, and the exit
 * status is one of the table's.
 */
#include "config.h"

#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "tools/onay/onay-verify.h"

static X509_STORE *roots;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	roots = X509_STORE_new();
	return roots ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct onay_verify_opts o = {
	    .roots = roots,
	    .code = "123456789012345",
	    .tckn = "10000000146",
	    .kind = -1,
	    .at = 1767225600, /* 2026-01-01: a fixed "now" */
	    .window = ONAY_DEFAULT_WINDOW,
	};
	struct onay_verify_result *r = calloc(1, sizeof(*r));
	unsigned char *der = NULL;
	size_t dlen = 0;
	int ret;

	if (!r)
		return 0;
	if (onay_input_to_der(data, size, &der, &dlen) < 0)
		ret = onay_verify(data, size, &o, r);
	else
		ret = onay_verify(der, dlen, &o, r);
	for (int c = 0; c < ONAY_CHK_N; c++)
		FZ_REQUIRE(memchr(r->chk[c].msg, '\0', sizeof(r->chk[c].msg)) && r->chk[c].msg[0],
		           "a check without a message");
	FZ_REQUIRE(ret == EZ_EXIT_OK || ret == ONAY_EXIT_FORMAT || ret == EZ_EXIT_VERIFY ||
	               (ret >= ONAY_EXIT_WINDOW && ret <= ONAY_EXIT_TCKN),
	           "an exit status outside the table");
	free(der);
	free(r);
	return 0;
}
