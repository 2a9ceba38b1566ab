/*
 * engine-test.c: helpers of the engine's tests (see engine-test.h).
 */
#include "config.h"

#include "engine-test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <eimza/hex.h>

EVP_PKEY *rsa2048, *rsa3072, *ec256, *ec384;

void keys_init(void)
{
	rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	rsa3072 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	ec256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!rsa2048 || !rsa3072 || !ec256 || !ec384)
		abort();
}

void keys_free(void)
{
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa3072);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
}

unsigned tx(vcard *c, const char *hex, uint8_t *out, size_t *outlen)
{
	uint8_t cmd[600], rsp[VCARD_MAX_RESPONSE];
	long n = ez_hex_decode(hex, cmd, sizeof(cmd));
	size_t r;

	ck_assert_msg(n >= 0, "bad hex in test: %s", hex);
	r = vcard_transmit(c, cmd, (size_t)n, rsp, sizeof(rsp));
	ck_assert_uint_ge(r, 2);
	ck_assert_uint_le(r, VCARD_MAX_RESPONSE);
	if (out) {
		memcpy(out, rsp, r - 2);
		*outlen = r - 2;
	}
	return (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
}

unsigned tx_all(vcard *c, const char *hex, uint8_t *out, size_t *outlen)
{
	uint8_t part[VCARD_MAX_RESPONSE];
	size_t n;
	unsigned sw = tx(c, hex, part, &n);
	char gr[16];

	*outlen = 0;
	for (;;) {
		ck_assert_uint_le(*outlen + n, 2048);
		memcpy(out + *outlen, part, n);
		*outlen += n;
		if ((sw >> 8) != 0x61)
			return sw;
		snprintf(gr, sizeof(gr), "00C00000%02X", sw & 0xFF);
		sw = tx(c, gr, part, &n);
	}
}

const char *tx_hex(vcard *c, const char *hex)
{
	static char text[2 * 2048 + 8];
	uint8_t d[2048];
	size_t n;
	unsigned sw = tx_all(c, hex, d, &n);

	ez_hex_encode(d, n, text);
	snprintf(text + 2 * n, 8, "%04X", sw);
	return text;
}

const char *apdu_ascii(const char *hdr, const char *data, int le)
{
	static char ring[4][600];
	static unsigned next;
	char *out = ring[next++ % 4];
	size_t n = strlen(data), k;

	k = (size_t)snprintf(out, 600, "%s%02zX", hdr, n);
	ez_hex_encode((const uint8_t *)data, n, out + k);
	k += 2 * n;
	if (le >= 0)
		snprintf(out + k, 600 - k, "%02X", le & 0xFF);
	return out;
}

static void add_pin(vcard *c, uint8_t ref, const char *v, unsigned min, unsigned max,
                    uint8_t unblock, const char *name)
{
	struct vcard_pin_spec s = {ref, (const uint8_t *)v, strlen(v), 3, min, max, unblock, name};

	ck_assert_int_eq(vcard_add_pin(c, &s), 0);
}

static void add_key(vcard *c, uint8_t ref, EVP_PKEY *k, bool per_sig, const char *label)
{
	struct vcard_key_spec s = {ref, k, 0x81, per_sig, label};

	ck_assert_int_eq(vcard_add_key(c, &s), 0);
}

vcard *card12(void)
{
	vcard *c = vcard_new(VCARD_GEN_1_2, NULL, 0);

	ck_assert_ptr_nonnull(c);
	vcard_power_on(c);
	add_pin(c, 0x82, "12345678", 4, 16, 0, NULL);
	add_pin(c, 0x81, "123456", 4, 8, 0x82, NULL);
	add_key(c, 1, rsa2048, true, NULL);
	add_key(c, 3, rsa3072, false, NULL);
	ck_assert_int_eq(vcard_set_serial(c, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08"),
	                 0);
	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL) >> 8, 0x61);
	ck_assert_uint_eq(tx(c, "8010000F0E3D00A000000063504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4000C023D00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4020C025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D600000568656C6C6F", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F024444", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "80090001", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_life_cycle(c), VCARD_LIFE_OPERATIONAL);
	vcard_reset(c);
	return c;
}

vcard *card2(const char *atr_hex)
{
	uint8_t atr[VCARD_MAX_ATR], big[300];
	long n = 0;
	vcard *c;
	size_t i;

	if (atr_hex)
		ck_assert_int_gt(n = ez_hex_decode(atr_hex, atr, sizeof(atr)), 0);
	c = vcard_new(VCARD_GEN_2, atr_hex ? atr : NULL, (size_t)n);
	ck_assert_ptr_nonnull(c);
	vcard_power_on(c);
	add_pin(c, 0x82, "12345678", 8, 16, 0, "PUK");
	add_pin(c, 0x81, "123456", 6, 8, 0x82, "PIN");
	add_key(c, 1, rsa2048, true, "NES");
	add_key(c, 3, rsa3072, false, "SIGN");
	if (vcard_has_ec(c)) {
		add_key(c, 5, ec256, false, "AUTH");
		add_key(c, 6, ec384, true, "SEAL");
	}
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	ck_assert_int_eq(vcard_put_file(c, 0x2F10, big, sizeof(big)), 0);
	ck_assert_int_eq(vcard_put_file(c, 0x2F11, (const uint8_t *)"hello", 5), 0);
	ck_assert_int_eq(vcard_put_file(c, 0x2F12, NULL, 0), 0);
	ck_assert_int_eq(vcard_set_serial(c, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08"),
	                 0);
	ck_assert_int_eq(
	    vcard_set_second_serial(c, (const uint8_t *)"\x11\x12\x13\x14\x15\x16\x17\x18"), 0);
	ck_assert_int_eq(vcard_end_personalization(c), 0);
	vcard_reset(c);
	return c;
}

void enter_app(vcard *c)
{
	ck_assert_uint_eq(tx(c, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
}

void verify_pin2(vcard *c)
{
	enter_app(c);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
}

int rsa_recovers(EVP_PKEY *k, const uint8_t *sig, size_t n, const uint8_t *in, size_t inlen,
                 int pad)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t rec[512];
	size_t rl = sizeof(rec);
	int ok;

	EVP_PKEY_verify_recover_init(ctx);
	EVP_PKEY_CTX_set_rsa_padding(ctx, pad);
	ok = EVP_PKEY_verify_recover(ctx, rec, &rl, sig, n) > 0 && rl == inlen &&
	     memcmp(rec, in, inlen) == 0;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int rsa_pss_ok(EVP_PKEY *k, const char *md, const uint8_t *sig, size_t n, const uint8_t *hash,
               size_t hl)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	const EVP_MD *m = EVP_get_digestbyname(md);
	int ok;

	/* Salt length = hash length, MGF1 with the same hash: what the card
	 * is held to. */
	ok = EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, m) > 0 &&
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, m) > 0 &&
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, EVP_MD_get_size(m)) > 0 &&
	     EVP_PKEY_verify(ctx, sig, n, hash, hl) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int ecdsa_rs_ok(EVP_PKEY *k, const uint8_t *rs, size_t n, const uint8_t *hash, size_t hl)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	unsigned char der[200], *p = der;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	int len, ok;

	ECDSA_SIG_set0(s, BN_bin2bn(rs, (int)n / 2, NULL), BN_bin2bn(rs + n / 2, (int)n / 2, NULL));
	len = i2d_ECDSA_SIG(s, &p);
	EVP_PKEY_verify_init(ctx);
	ok = EVP_PKEY_verify(ctx, der, (size_t)len, hash, hl) == 1;
	EVP_PKEY_CTX_free(ctx);
	ECDSA_SIG_free(s);
	return ok;
}

void temp_path(char *out, size_t cap)
{
	char tmpl[] = "/tmp/eimza-engine-XXXXXX";
	int fd = mkstemp(tmpl);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(tmpl);
	snprintf(out, cap, "%s", tmpl);
}
