/*
 * test-engine.c: unit tests of the virtual card engine, driven in-process
 * through vcard_transmit(): command forms and status words, PINs and their
 * persistence, signatures checked with OpenSSL, chaining and GET RESPONSE,
 * images, and a flood of random APDUs.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <eimza/hex.h>
#include <eimza/vcard.h>

static EVP_PKEY *rsa2048, *rsa3072, *ec256, *ec384;

static EVP_PKEY *gen(const char *alg, const char *param)
{
	return strcmp(alg, "RSA") == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(param))
				       : EVP_PKEY_Q_keygen(NULL, NULL, "EC", param);
}

/* Send hex, return the status word; data into out when given. */
static unsigned tx(vcard *c, const char *hex, uint8_t *out, size_t *outlen)
{
	uint8_t cmd[600], rsp[VCARD_MAX_RESPONSE];
	long n = ez_hex_decode(hex, cmd, sizeof(cmd));
	size_t r;

	ck_assert_int_ge(n, 0);
	r = vcard_transmit(c, cmd, (size_t)n, rsp, sizeof(rsp));
	ck_assert_int_ge(r, 2);
	if (out) {
		memcpy(out, rsp, r - 2);
		*outlen = r - 2;
	}
	return (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
}

/* A card with PIN 81 (123456, 3 tries, unblocked by 82), PUK 82 (12345678),
 * keys 01 RSA-2048 consent, 02 EC P-384, 03 RSA-3072, 04 EC P-256, a DF
 * 5015 with AID and a file 5031 holding "hello". */
static vcard *card(void)
{
	vcard *c = vcard_new(NULL);

	ck_assert_ptr_nonnull(c);
	vcard_power_on(c);
	ck_assert_int_eq(vcard_add_pin(c, 0x82, (const uint8_t *)"12345678", 8, 10, 8, 8, 0), 0);
	ck_assert_int_eq(vcard_add_pin(c, 0x81, (const uint8_t *)"123456", 6, 3, 6, 6, 0x82), 0);
	ck_assert_int_eq(vcard_add_key(c, 1, rsa2048, 0x81, true), 0);
	ck_assert_int_eq(vcard_add_key(c, 2, ec384, 0x81, false), 0);
	ck_assert_int_eq(vcard_add_key(c, 3, rsa3072, 0x81, false), 0);
	ck_assert_int_eq(vcard_add_key(c, 4, ec256, 0x81, false), 0);
	ck_assert_uint_eq(tx(c, "8010000E0E5015A000000063504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4000C025015", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4020C025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D600000568656C6C6F", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "80090001", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_life_cycle(c), AKIS_LIFE_USER);
	return c;
}

START_TEST(select_and_read)
{
	vcard *c = card();
	uint8_t d[300];
	size_t n;

	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL) >> 8, 0x61); /* FCI waits */
	ck_assert_uint_eq(tx(c, "00C0000000", d, &n), 0x9000);
	ck_assert_int_eq(d[0], 0x6F);
	ck_assert_ptr_nonnull(memchr(d, 0x90, n));
	ck_assert_uint_eq(tx(c, "00A4080C0450155031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000005", d, &n), 0x9000);
	ck_assert_mem_eq(d, "hello", 5);
	ck_assert_uint_eq(tx(c, "00B0000010", d, &n), 0x6282); /* fewer than Le: end of file */
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(tx(c, "00B0000901", NULL, NULL), 0x6B00);
	ck_assert_uint_eq(tx(c, "00A4040C0CA000000063504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000001", NULL, NULL), 0x6986); /* a DF is selected */
	ck_assert_uint_eq(tx(c, "00A4000C024444", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00A4030C025031", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A4000C0150", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "801800001E", d, &n), 0x9000); /* LIST FILES in 5015 */
	ck_assert_int_eq(n, 20);
	ck_assert_int_eq(d[0], AKIS_LIST_EF);
	ck_assert_int_eq(d[1], 0x50);
	ck_assert_int_eq(d[2], 0x31);
	/* The user life cycle: no CREATE, no UPDATE of a "never" file. */
	ck_assert_uint_eq(tx(c, "8015800F025032", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "00A4020C025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D6000001FF", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "80090002", NULL, NULL), 0x6985); /* never back */
	/* GET DATA: serial system data and memory data, wrong Le. */
	ck_assert_uint_eq(tx(c, "00CA01064D", d, &n), 0x9000);
	ck_assert_int_eq(n, 0x4D);
	ck_assert_uint_eq(tx(c, "00CA010410", NULL, NULL), 0x6C0A);
	ck_assert_uint_eq(tx(c, "00CA01040A", d, &n), 0x9000);
	ck_assert_int_eq(d[6], AKIS_LIFE_USER);
	ck_assert_uint_eq(tx(c, "00CA010900", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00EE0000", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "B0A40000", NULL, NULL), 0x6E00);
	ck_assert_uint_eq(tx(c, "80A4000C023F00", NULL, NULL), 0x6E00); /* ISO INS, CLA 80 */
	ck_assert_uint_eq(tx(c, "00A4", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00A40000053F00", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00C0000000", NULL, NULL), 0x6985); /* nothing pending */
	vcard_power_off(c);
	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL), 0x6F00);
	vcard_free(c);
}
END_TEST

START_TEST(pins)
{
	vcard *c = card();
	char path[] = "/tmp/eimza-engine-XXXXXX";
	char err[200];
	vcard *back;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vcard_set_image_path(c, path), 0);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, "002000810531323334", NULL, NULL), 0x6700);     /* bad Lc */
	ck_assert_uint_eq(tx(c, "00200081053132333435", NULL, NULL), 0x6A80);   /* policy: no try */
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x63C2);
	/* Saved before the answer: the image already holds the try. */
	ck_assert_int_eq(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(vcard_pin_tries(back, 0x81), 2);
	vcard_free(back);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_uint_eq(tx(c, "801A0000", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, "0020009900", NULL, NULL), 0x6A88);
	/* CHANGE REFERENCE DATA (AKIS form): P1 01 ref in P2; P1 02 ref & 7F. */
	ck_assert_uint_eq(tx(c, "002401810E06313131313131063232323232", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "002401810E0631313131313106323232323232", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "002402010E0631323334353606363534333231", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008106363534333231", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002401810D06363534333231053132333435", NULL, NULL), 0x6A80); /* new too short */
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* Block, then unblock with the PUK (RESET RETRY COUNTER, profile form). */
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, "0020008106363534333231", NULL, NULL), 0x6983);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x6983);
	ck_assert_uint_eq(tx(c, "002C00810F083030303030303030063132333435", NULL, NULL), 0x6A80); /* inner lengths disagree */
	ck_assert_uint_eq(tx(c, "002C00811008303030303030303006313233343536", NULL, NULL), 0x63C9);
	ck_assert_uint_eq(tx(c, "002C00811008313233343536373806313233343536", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x82), 10);
	ck_assert_uint_eq(tx(c, "002C0182", NULL, NULL), 0x6A86);
	vcard_free(c);
	unlink(path);
}
END_TEST

/* r || s to DER and verify over `hash`. */
static int ec_ok(EVP_PKEY *k, const uint8_t *rs, size_t n, const uint8_t *hash, size_t hl)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	unsigned char der[200], *p = der;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	int len, ok;

	ECDSA_SIG_set0(s, BN_bin2bn(rs, (int)n / 2, NULL), BN_bin2bn(rs + n / 2, (int)n / 2, NULL));
	len = i2d_ECDSA_SIG(s, &p);
	EVP_PKEY_verify_init(ctx);
	ok = EVP_PKEY_verify(ctx, der, (size_t)len, hash, hl);
	EVP_PKEY_CTX_free(ctx);
	ECDSA_SIG_free(s);
	return ok;
}

static int rsa_ok(EVP_PKEY *k, const uint8_t *sig, size_t n, const uint8_t *in, size_t inlen, int pad)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t rec[512];
	size_t rl = sizeof(rec);
	int ok;

	EVP_PKEY_verify_recover_init(ctx);
	EVP_PKEY_CTX_set_rsa_padding(ctx, pad);
	ok = EVP_PKEY_verify_recover(ctx, rec, &rl, sig, n) > 0 && rl == inlen && memcmp(rec, in, inlen) == 0;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

START_TEST(signatures)
{
	vcard *c = card();
	uint8_t d[600], first[300];
	size_t n, n2;
	char cmd[1300];
	static const char di[] = "3031300d060960864801650304020105000420" "1111111111111111111111111111111111111111111111111111111111111111";
	uint8_t dib[51];
	uint8_t hash[48];

	ez_hex_decode(di, dib, sizeof(dib));
	memset(hash, 0x22, sizeof(hash));
	/* No MSE yet, then no PIN. */
	ck_assert_uint_eq(tx(c, "002A9E9A0411223344", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "0022C309", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "0022C302", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9A30" "222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222" "00", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	/* EC P-384 over a SHA-384 sized hash: r || s of 96 bytes. */
	ck_assert_uint_eq(tx(c, "002A9E9A30" "222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222" "00", d, &n), 0x9000);
	ck_assert_int_eq(n, 96);
	ck_assert_int_eq(ec_ok(ec384, d, n, hash, 48), 1);
	/* EC P-256: 64 bytes. */
	ck_assert_uint_eq(tx(c, "0022C304", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9A20" "2222222222222222222222222222222222222222222222222222222222222222" "00", d, &n), 0x9000);
	ck_assert_int_eq(n, 64);
	ck_assert_int_eq(ec_ok(ec256, d, n, hash, 32), 1);
	/* RSA-2048 with userConsent: one signature per VERIFY. */
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x9000);
	snprintf(cmd, sizeof(cmd), "002A9E9A33%s00", di);
	ck_assert_uint_eq(tx(c, cmd, d, &n), 0x9000);
	ck_assert_int_eq(n, 256);
	ck_assert_int_eq(rsa_ok(rsa2048, d, n, dib, 51, RSA_PKCS1_PADDING), 1);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	/* RSA-3072: 384 bytes come as 256 + 61 80 + GET RESPONSE. */
	ck_assert_uint_eq(tx(c, "0022C303", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, first, &n), 0x6180);
	ck_assert_int_eq(n, 256);
	ck_assert_uint_eq(tx(c, "00C0000080", d, &n2), 0x9000);
	ck_assert_int_eq(n2, 128);
	memmove(d + 256, d, 128);
	memcpy(d, first, 256);
	ck_assert_int_eq(rsa_ok(rsa3072, d, 384, dib, 51, RSA_PKCS1_PADDING), 1);
	/* Raw RSA-2048 of a modulus-length block, sent with command chaining. */
	{
		uint8_t block[256];
		char hex[600];
		memset(block, 0x11, sizeof(block));
		block[0] = 0x00;
		ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
		ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x9000);
		ez_hex_encode(block, 200, hex);
		snprintf(cmd, sizeof(cmd), "102A9E9AC8%s", hex);
		ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
		ck_assert_uint_eq(tx(c, "00B0000001", NULL, NULL), 0x6883); /* another INS mid-chain */
		/* The chain was broken: start it again. */
		ez_hex_encode(block, 200, hex);
		snprintf(cmd, sizeof(cmd), "102A9E9AC8%s", hex);
		ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
		ez_hex_encode(block + 200, 56, hex);
		snprintf(cmd, sizeof(cmd), "002A9E9A38%s00", hex);
		ck_assert_uint_eq(tx(c, cmd, d, &n), 0x9000);
		ck_assert_int_eq(n, 256);
		ck_assert_int_eq(rsa_ok(rsa2048, d, n, block, 256, RSA_NO_PADDING), 1);
		ck_assert_uint_eq(tx(c, "10A4000C023F00", NULL, NULL), 0x6884); /* only PSO chains */
	}
	/* Power off clears the PIN state. */
	vcard_reset(c);
	ck_assert_uint_eq(tx(c, "0022C302", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9A30" "222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222" "00", NULL, NULL), 0x6982);
	vcard_free(c);
}
END_TEST

START_TEST(images)
{
	vcard *c = card(), *back;
	char path[] = "/tmp/eimza-engine-XXXXXX", err[200];
	unsigned char *buf;
	size_t len, i;
	FILE *f;
	int fd = mkstemp(path);
	uint8_t d[300];
	size_t n;

	close(fd);
	ck_assert_int_eq(vcard_save(c, path), 0);
	ck_assert_int_eq(vcard_load(path, &back, err, sizeof(err)), 0);
	vcard_power_on(back);
	ck_assert_uint_eq(tx(back, "00A4080C0450155031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(back, "00B0000005", d, &n), 0x9000);
	ck_assert_mem_eq(d, "hello", 5);
	ck_assert_uint_eq(tx(back, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(back, "0022C302", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(back, "002A9E9A20" "2222222222222222222222222222222222222222222222222222222222222222" "00", d, &n), 0x9000);
	vcard_free(back);
	/* Every truncation and a flipped bit anywhere are refused, never crash. */
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(len);
	ck_assert_int_eq(fread(buf, 1, len, f), len);
	fclose(f);
	for (i = 0; i < len; i += (i < 64 ? 1 : 97)) {
		f = fopen(path, "wb");
		fwrite(buf, 1, i, f);
		fclose(f);
		ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
		ck_assert(err[0] != '\0');
		buf[i] ^= 0x40;
		f = fopen(path, "wb");
		fwrite(buf, 1, len, f);
		fclose(f);
		ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
		buf[i] ^= 0x40;
	}
	free(buf);
	ck_assert_int_ne(vcard_load("/nonexistent/eimza.img", &back, err, sizeof(err)), 0);
	/* A save that fails answers 65 81 and keeps the old counter. */
	ck_assert_int_eq(vcard_set_image_path(c, "/nonexistent/dir/card.img"), 0);
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x6581);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	vcard_free(c);
	unlink(path);
}
END_TEST

static int traced_secret;
static void trace(void *arg, const char *line)
{
	(void)arg;
	if (strstr(line, "31 32 33 34 35 36") || strstr(line, "30 30 30 30 30 30"))
		traced_secret = 1;
}

START_TEST(trace_masks_pins)
{
	vcard *c = card();

	vcard_set_trace(c, trace, NULL);
	tx(c, "0020008106303030303030", NULL, NULL);
	tx(c, "002401810E06313233343536063132333435FF", NULL, NULL);
	tx(c, "002C00811008313233343536373806313233343536", NULL, NULL);
	ck_assert_int_eq(traced_secret, 0);
	vcard_free(c);
}
END_TEST

START_TEST(random_apdus)
{
	vcard *c = card();
	uint8_t cmd[300], rsp[VCARD_MAX_RESPONSE];
	unsigned seed = 20261125;
	int i;

	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 301), k, r;
		for (k = 0; k < len; k++)
			cmd[k] = (uint8_t)rand_r(&seed);
		if (len >= 2 && i % 2) { /* half of them look like real commands */
			static const uint8_t ins[] = {0xA4, 0xB0, 0xD6, 0x20, 0x24, 0x2C, 0xCA, 0x22, 0x2A, 0x84, 0xC0, 0x18, 0x15, 0x16, 0x09, 0x1A};
			cmd[0] = (uint8_t)(i % 4 == 1 ? 0x00 : (i % 4 == 3 ? 0x80 : 0x10));
			cmd[1] = ins[rand_r(&seed) % sizeof(ins)];
			if (len > 5)
				cmd[4] = (uint8_t)(len - 5 - (rand_r(&seed) % 2));
		}
		r = vcard_transmit(c, cmd, len, rsp, sizeof(rsp));
		ck_assert_int_ge(r, 2);
		ck_assert_int_le(r, VCARD_MAX_RESPONSE);
		if (i % 1000 == 0)
			vcard_reset(c);
	}
	vcard_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcard-engine");
	TCase *t = tcase_create("engine");
	SRunner *r;
	int failed;

	rsa2048 = gen("RSA", "2048");
	rsa3072 = gen("RSA", "3072");
	ec256 = gen("EC", "P-256");
	ec384 = gen("EC", "P-384");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, select_and_read);
	tcase_add_test(t, pins);
	tcase_add_test(t, signatures);
	tcase_add_test(t, images);
	tcase_add_test(t, trace_masks_pins);
	tcase_add_test(t, random_apdus);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa3072);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
