/*
 * card-test.c: helpers of the card side's unit tests (card-test.h).
 */
#include "config.h"

#include "card-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;
		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			ck_abort_msg("not hex: %s", s);
		if (hi < 0) {
			hi = v;
		} else {
			ck_assert_uint_lt(n, cap);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	ck_assert_int_lt(hi, 0);
	return n;
}

char *tohex(const uint8_t *b, size_t n)
{
	static const char h[] = "0123456789ABCDEF";
	char *s = malloc(2 * n + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++) {
		s[2 * i] = h[b[i] >> 4];
		s[2 * i + 1] = h[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

void expect_data(ez_conn *c, const char *cmd_hex, const uint8_t *data, size_t len, uint16_t sw)
{
	const char *cmd = cmd_hex;
	size_t off = 0;

	do {
		size_t n = len - off > 256 ? 256 : len - off, left = len - off - n;
		char *h = tohex(data + off, n), sws[8], *rsp;
		uint16_t s = left ? (uint16_t)(0x6100 | (left > 255 ? 0 : left)) : sw;
		snprintf(sws, sizeof(sws), "%04X", s);
		rsp = malloc(strlen(h) + 5);
		ck_assert_ptr_nonnull(rsp);
		strcpy(rsp, h);
		strcat(rsp, sws);
		ez_replay_expect(c, cmd, rsp);
		free(h);
		free(rsp);
		off += n;
		if (left) {
			static char gr[16];
			snprintf(gr, sizeof(gr), "00C00000%02X", (unsigned)(left > 255 ? 0 : left));
			cmd = gr;
		}
	} while (off < len);
}

struct key_slot {
	char name[32];
	struct test_key k;
};
static struct key_slot keys[16];
static size_t nkeys;

const struct test_key *test_key(const char *name, bool ec, unsigned bits, const char *cn,
				bool nonrep)
{
	struct test_key *k;
	X509_NAME *n;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	unsigned char *der = NULL;
	int len;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i].k;
	ck_assert_uint_lt(nkeys, sizeof(keys) / sizeof(keys[0]));
	snprintf(keys[nkeys].name, sizeof(keys[nkeys].name), "%s", name);
	k = &keys[nkeys++].k;
	k->ec = ec;
	k->bits = bits;
	k->pk = ec ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", bits == 256 ? "P-256" : "P-384")
		   : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	ck_assert_ptr_nonnull(k->pk);
	k->x = X509_new();
	ck_assert_ptr_nonnull(k->x);
	X509_set_version(k->x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(k->x), (long)(nkeys + 1000));
	X509_gmtime_adj(X509_getm_notBefore(k->x), 0);
	X509_gmtime_adj(X509_getm_notAfter(k->x), 86400L * 365);
	n = X509_get_subject_name(k->x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_UTF8,
				   (const unsigned char *)"10000000146", -1, -1, 0);
	X509_set_issuer_name(k->x, n);
	X509_set_pubkey(k->x, k->pk);
	X509V3_set_ctx(&ctx, k->x, k->x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
				  nonrep ? "critical,nonRepudiation" : "critical,digitalSignature");
	X509_add_ext(k->x, ext, -1);
	X509_EXTENSION_free(ext);
	ck_assert_int_gt(X509_sign(k->x, k->pk, EVP_sha256()), 0);
	len = i2d_X509(k->x, &der);
	ck_assert_int_gt(len, 0);
	k->der = malloc((size_t)len);
	memcpy(k->der, der, (size_t)len);
	k->der_len = (size_t)len;
	OPENSSL_free(der);
	return k;
}

bool verify_pkcs1(const struct test_key *k, const uint8_t *digest_info, size_t dlen,
		  const uint8_t *sig, size_t slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pk, NULL);
	uint8_t rec[1024];
	size_t rlen = sizeof(rec);
	bool ok = ctx && EVP_PKEY_verify_recover_init(ctx) > 0 &&
		  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
		  EVP_PKEY_verify_recover(ctx, rec, &rlen, sig, slen) > 0 && rlen == dlen &&
		  memcmp(rec, digest_info, dlen) == 0;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

bool verify_ecdsa_rs(const struct test_key *k, const uint8_t *hash, size_t hlen,
		     const uint8_t *sig, size_t slen)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pk, NULL);
	unsigned char *der = NULL;
	int n;
	bool ok = false;

	if (s && ctx && slen % 2 == 0) {
		ECDSA_SIG_set0(s, BN_bin2bn(sig, (int)slen / 2, NULL),
			       BN_bin2bn(sig + slen / 2, (int)slen / 2, NULL));
		n = i2d_ECDSA_SIG(s, &der);
		ok = n > 0 && EVP_PKEY_verify_init(ctx) > 0 &&
		     EVP_PKEY_verify(ctx, der, (size_t)n, hash, hlen) == 1;
	}
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static char scratch[64];

const char *card_test_dir(void)
{
	return scratch;
}

int main(void)
{
	Suite *s = suite_create("card");
	SRunner *r;
	char rm[128];
	int failed;

	strcpy(scratch, "/tmp/eimza-test-card.XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("test-card: mkdtemp");
		return 99;
	}
	card_apdu_tests(s);
	card_token_objects_tests(s);
	card_pkcs15_tests(s);
	card_atr_tests(s);
	card_v2_tests(s);
	card_v1_tests(s);
	card_p15_opensc_tests(s);
	card_cache_tests(s);
	card_pad_tests(s);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", scratch);
	if (system(rm) != 0)
		fprintf(stderr, "test-card: could not remove %s\n", scratch);
	return failed ? 1 : 0;
}
