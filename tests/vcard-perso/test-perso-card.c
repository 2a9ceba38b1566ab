/*
 * test-perso-card.c: whole personalizations with `eimza-vcard init`
 * (vcard_perso_main in-process), read back from the saved image through
 * the engine with APDUs only, as the module would read a real card:
 * SELECT / READ BINARY of every PKCS#15 file, parsed with der.h against
 * docs/pkcs15-layout.md; VERIFY + MSE + PSO signatures checked with the
 * certificates; the user life cycle; PINs from their sources work on the
 * card. (The writer's APDUs alone, option and source errors: test-perso-apdus.)
 */
#include "config.h"

#include "perso-test.h"
#include "tools/vcard/perso/perso-pkcs15.h"
#include "tools/vcard/perso/perso.h"

#include <eimza/akis-profile.h>
#include <eimza/der.h>
#include <eimza/vcard.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

static char tmpdir[] = "/tmp/perso-card-XXXXXX";

static void setup(void)
{
	static bool made;

	if (!made) {
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
		made = true;
	}
}

static void image_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* ---- APDUs ---------------------------------------------------------------- */

/* Transmit, following 61 XX with GET RESPONSE and 6C XX with the right
 * Le. Data appended to out (cap), returns the final status word. */
static unsigned xmit(vcard *c, const uint8_t *cmd, size_t len, uint8_t *out, size_t cap,
                     size_t *outlen)
{
	uint8_t rsp[VCARD_MAX_RESPONSE], again[5 + 255 + 1];
	size_t n;
	unsigned sw;

	*outlen = 0;
	n = vcard_transmit(c, cmd, len, rsp, sizeof(rsp));
	ck_assert_uint_ge(n, 2);
	sw = (unsigned)rsp[n - 2] << 8 | rsp[n - 1];
	if ((sw >> 8) == 0x6C && len >= 4) {
		memcpy(again, cmd, len <= 5 ? len : 5);
		if (len <= 5) {
			again[4] = (uint8_t)sw;
			n = vcard_transmit(c, again, 5, rsp, sizeof(rsp));
		} else {
			memcpy(again, cmd, len);
			again[len - 1] = (uint8_t)sw;
			n = vcard_transmit(c, again, len, rsp, sizeof(rsp));
		}
		sw = (unsigned)rsp[n - 2] << 8 | rsp[n - 1];
	}
	for (;;) {
		ck_assert_uint_le(*outlen + n - 2, cap);
		memcpy(out + *outlen, rsp, n - 2);
		*outlen += n - 2;
		if ((sw >> 8) != 0x61)
			return sw;
		{
			uint8_t gr[5] = {0x00, AKIS_INS_GET_RESPONSE, 0, 0, (uint8_t)sw};
			n = vcard_transmit(c, gr, 5, rsp, sizeof(rsp));
			sw = (unsigned)rsp[n - 2] << 8 | rsp[n - 1];
		}
	}
}

static unsigned apdu(vcard *c, const char *hex_header, const uint8_t *data, size_t len, int le,
                     uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t cmd[5 + 255 + 1];
	size_t n = 4, dummy;
	uint8_t scratch[1024];
	unsigned v[4];

	ck_assert_int_eq(sscanf(hex_header, "%x %x %x %x", &v[0], &v[1], &v[2], &v[3]), 4);
	cmd[0] = (uint8_t)v[0];
	cmd[1] = (uint8_t)v[1];
	cmd[2] = (uint8_t)v[2];
	cmd[3] = (uint8_t)v[3];
	if (len) {
		cmd[n++] = (uint8_t)len;
		memcpy(cmd + n, data, len);
		n += len;
	}
	if (le >= 0)
		cmd[n++] = (uint8_t)le;
	if (!out) {
		out = scratch;
		cap = sizeof(scratch);
		outlen = &dummy;
	}
	return xmit(c, cmd, n, out, cap, outlen);
}

static void select_fid(vcard *c, const char *p1p2, uint16_t fid)
{
	uint8_t f[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};
	char hdr[32];
	unsigned sw;

	snprintf(hdr, sizeof(hdr), "00 A4 %s", p1p2);
	sw = apdu(c, hdr, f, 2, -1, NULL, 0, NULL);
	ck_assert_msg(sw == 0x9000 || (sw >> 8) == 0x61, "SELECT %04X: %04X", fid, sw);
}

/* Select 3F00 / app DF / fid (fid 0: stop at the DF) and read it whole. */
static uint8_t *read_ef(vcard *c, uint16_t df, uint16_t fid, size_t *len)
{
	uint8_t *buf = malloc(8192);
	size_t n = 0;

	ck_assert_ptr_nonnull(buf);
	select_fid(c, "00 00", 0x3F00);
	if (df)
		select_fid(c, "00 00", df);
	select_fid(c, "02 00", fid);
	for (;;) {
		char hdr[32];
		size_t got = 0;
		unsigned sw;

		snprintf(hdr, sizeof(hdr), "00 B0 %02X %02X", (unsigned)(n >> 8),
		         (unsigned)(n & 0xFF));
		sw = apdu(c, hdr, NULL, 0, AKIS_MAX_DATA, buf + n, 8192 - n, &got);
		n += got;
		if (sw == 0x6B00 || sw == 0x6282)
			break;
		ck_assert_msg(sw == 0x9000, "READ BINARY %04X at %zu: %04X", fid, n, sw);
		if (got < AKIS_MAX_DATA)
			break;
		ck_assert_uint_lt(n, 8000);
	}
	*len = n;
	return buf;
}

/* ---- signatures ----------------------------------------------------------- */

static void verify_pin(vcard *c, const char *pin)
{
	char hdr[32];
	unsigned sw;

	snprintf(hdr, sizeof(hdr), "00 20 00 %02X", akis_profile.pin_ref);
	sw = apdu(c, hdr, (const uint8_t *)pin, strlen(pin), -1, NULL, 0, NULL);
	ck_assert_msg(sw == 0x9000, "VERIFY: %04X", sw);
}

/* PSO CDS with key `k`; the signature verified with the certificate. */
static unsigned sign_and_check(vcard *c, const struct key_seen *k, bool expect_ok)
{
	static const uint8_t sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
	                                        0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	                                        0x01, 0x05, 0x00, 0x04, 0x20};
	const char *msg = "eimza test message";
	uint8_t hash[48], in[128], sig[512];
	size_t inlen, siglen = 0, hlen;
	const EVP_MD *md;
	EVP_PKEY_CTX *ctx;
	char hdr[32];
	unsigned sw;

	snprintf(hdr, sizeof(hdr), "00 22 C3 %02lX", k->key_ref);
	sw = apdu(c, hdr, NULL, 0, -1, NULL, 0, NULL);
	ck_assert_msg(sw == 0x9000, "MSE: %04X", sw);

	md = (k->ec && EVP_PKEY_get_bits(k->pub) == 384) ? EVP_sha384() : EVP_sha256();
	hlen = (size_t)EVP_MD_get_size(md);
	ck_assert_int_eq(EVP_Digest(msg, strlen(msg), hash, NULL, md, NULL), 1);
	if (k->ec) {
		memcpy(in, hash, hlen);
		inlen = hlen;
	} else {
		memcpy(in, sha256_prefix, sizeof(sha256_prefix));
		memcpy(in + sizeof(sha256_prefix), hash, hlen);
		inlen = sizeof(sha256_prefix) + hlen;
	}
	sw = apdu(c, "00 2A 9E 9A", in, inlen, 0, sig, sizeof(sig), &siglen);
	if (!expect_ok)
		return sw;
	ck_assert_msg(sw == 0x9000, "PSO CDS key %02lX: %04X", k->key_ref, sw);

	ctx = EVP_PKEY_CTX_new(k->pub, NULL);
	ck_assert_int_eq(EVP_PKEY_verify_init(ctx), 1);
	if (k->ec) {
		/* r || s to a DER ECDSA-Sig-Value */
		size_t half = siglen / 2;
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *der = NULL;
		int dlen;

		ck_assert_uint_eq(siglen, 2 * (size_t)((EVP_PKEY_get_bits(k->pub) + 7) / 8));
		ck_assert_int_eq(ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)half, NULL),
		                                BN_bin2bn(sig + half, (int)half, NULL)),
		                 1);
		dlen = i2d_ECDSA_SIG(es, &der);
		ck_assert_int_eq(EVP_PKEY_verify(ctx, der, (size_t)dlen, hash, hlen), 1);
		OPENSSL_free(der);
		ECDSA_SIG_free(es);
	} else {
		ck_assert_uint_eq(siglen, (size_t)EVP_PKEY_get_size(k->pub));
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(ctx, md), 1);
		ck_assert_int_eq(EVP_PKEY_verify(ctx, sig, siglen, hash, hlen), 1);
	}
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

/* ---- the whole card ------------------------------------------------------- */

static STACK_OF(X509) * read_pem_file(const char *path)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	FILE *f = fopen(path, "r");
	X509 *x;

	ck_assert_msg(f != NULL, "%s missing", path);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	fclose(f);
	ck_assert_int_gt(sk_X509_num(sk), 0);
	return sk;
}

static void check_chain(X509 *cert, const char *image)
{
	char path[512];
	STACK_OF(X509) * roots, *cas;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int i;

	snprintf(path, sizeof(path), "%s.roots.pem", image);
	roots = read_pem_file(path);
	snprintf(path, sizeof(path), "%s.ca.pem", image);
	cas = read_pem_file(path);
	for (i = 0; i < sk_X509_num(roots); i++)
		X509_STORE_add_cert(store, sk_X509_value(roots, i));
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, cert, cas), 1);
	ck_assert_msg(X509_verify_cert(ctx) == 1, "chain: %s",
	              X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(roots, X509_free);
	sk_X509_pop_free(cas, X509_free);
}

struct expect {
	const char *profile;
	size_t nkeys;
	const char *label;
	bool consent[4];
	bool ec[4];
	unsigned bits[4];
};

static void check_card(const char *image, const struct expect *x, const char *pin, const char *puk)
{
	const struct akis_profile *p = &akis_profile;
	vcard *c = NULL;
	char err[256];
	uint8_t *d, buf[512];
	size_t len, n = 0, i, j, got;
	struct key_seen k[8];
	der_reader r, in;
	der_tlv t, u;
	der_buf want;
	unsigned sw;
	uint8_t serial[AKIS_DATA_SERIAL_LEN];

	ck_assert_msg(vcard_load(image, &c, err, sizeof(err)) == 0, "load: %s", err);
	vcard_power_on(c);

	/* The user life cycle, by the engine and by GET DATA 04. */
	ck_assert_uint_eq(vcard_life_cycle(c), AKIS_LIFE_USER);
	sw = apdu(c, "00 CA 01 04", NULL, 0, AKIS_DATA_MEMORY_LEN, buf, sizeof(buf), &got);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(buf[AKIS_DATA_LIFE_CYCLE_OFFSET], AKIS_LIFE_USER);
	sw = apdu(c, "00 CA 01 06", NULL, 0, AKIS_DATA_SYSTEM_LEN, buf, sizeof(buf), &got);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(got, AKIS_DATA_SYSTEM_LEN);
	memcpy(serial, buf + AKIS_DATA_SERIAL_OFFSET, sizeof(serial));

	/* EF(DIR): the PKCS#15 AID and the path of the DF. */
	d = read_ef(c, 0, p->ef_dir, &len);
	der_reader_init(&r, d, len);
	ck_assert_int_eq(der_expect(&r, DER_APP_CONS(1), &t), 0);
	der_enter(&t, &in);
	ck_assert_int_eq(der_expect(&in, DER_APP(15), &u), 0);
	ck_assert_uint_eq(u.len, p->pkcs15_aid_len);
	ck_assert_mem_eq(u.val, p->pkcs15_aid, u.len);
	free(d);

	/* ODF: exactly the layout's bytes. */
	d = read_ef(c, p->app_df, p->ef_odf, &len);
	der_buf_init(&want);
	p15_odf(&want);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* TokenInfo: the serial GET DATA gives, the holder's name. */
	d = read_ef(c, p->app_df, p->ef_tokeninfo, &len);
	der_buf_init(&want);
	p15_tokeninfo(&want, serial, x->label);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* AODF: PIN and PUK objects. */
	d = read_ef(c, p->app_df, P15_FID_AODF, &len);
	der_buf_init(&want);
	p15_aodf(&want);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* PrKDF, PuKDF, CDF. */
	d = read_ef(c, p->app_df, P15_FID_PRKDF, &len);
	parse_prkdf(d, len, k, &n);
	free(d);
	ck_assert_uint_eq(n, x->nkeys);
	d = read_ef(c, p->app_df, P15_FID_PUKDF, &len);
	parse_refs(d, len, k, n, false);
	free(d);
	d = read_ef(c, p->app_df, P15_FID_CDF, &len);
	parse_refs(d, len, k, n, true);
	free(d);

	for (i = 0; i < n; i++) {
		const unsigned char *q;
		uint8_t md[20];
		unsigned int mdlen = 0;

		ck_assert_int_eq(k[i].ec, x->ec[i]);
		ck_assert_int_eq(k[i].user_consent, x->consent[i]);
		ck_assert(k[i].usage & P15_USAGE_SIGN);
		ck_assert_uint_eq(k[i].key_ref, p->first_key_ref + i);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(k[i].id, k[j].id, 20) != 0);

		/* The certificate EF, its iD, its chain. */
		d = read_ef(c, p->app_df, k[i].cert_fid, &len);
		q = d;
		k[i].cert = d2i_X509(NULL, &q, (long)len);
		ck_assert_ptr_nonnull(k[i].cert);
		free(d);
		ck_assert_int_eq(X509_pubkey_digest(k[i].cert, EVP_sha1(), md, &mdlen), 1);
		ck_assert_mem_eq(md, k[i].id, 20);
		check_chain(k[i].cert, image);
		k[i].pub = X509_get_pubkey(k[i].cert);
		ck_assert_int_eq(EVP_PKEY_get_bits(k[i].pub), (int)x->bits[i]);
		if (!k[i].ec)
			ck_assert_uint_eq(k[i].bits, x->bits[i]);

		/* The public-key EF: the same SubjectPublicKeyInfo. */
		d = read_ef(c, p->app_df, k[i].pubkey_fid, &len);
		q = d;
		{
			EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, (long)len);
			ck_assert_ptr_nonnull(pk);
			ck_assert_int_eq(EVP_PKEY_eq(pk, k[i].pub), 1);
			EVP_PKEY_free(pk);
		}
		free(d);
	}

	/* The files cannot be changed in the user life cycle. */
	select_fid(c, "00 00", 0x3F00);
	select_fid(c, "00 00", p->app_df);
	select_fid(c, "02 00", p->ef_odf);
	sw = apdu(c, "00 D6 00 00", (const uint8_t *)"\x00", 1, -1, NULL, 0, NULL);
	ck_assert_uint_ne(sw, 0x9000);

	/* Each key signs after VERIFY, and the signature verifies with its
	 * certificate. A userConsent key wants a VERIFY before every one. */
	for (i = 0; i < n; i++) {
		verify_pin(c, pin);
		sign_and_check(c, &k[i], true);
		sw = sign_and_check(c, &k[i], !k[i].user_consent);
		if (k[i].user_consent)
			ck_assert_uint_eq(sw, 0x6982);
	}

	/* The PUK is the one given. */
	{
		char hdr[32];
		snprintf(hdr, sizeof(hdr), "00 20 00 %02X", p->puk_ref);
		sw = apdu(c, hdr, (const uint8_t *)puk, strlen(puk), -1, NULL, 0, NULL);
		ck_assert_uint_eq(sw, 0x9000);
	}

	for (i = 0; i < n; i++) {
		X509_free(k[i].cert);
		EVP_PKEY_free(k[i].pub);
	}
	vcard_free(c);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(profile_nes_rsa)
{
	static const struct expect x = {"nes-rsa", 1, "TEST KULLANICI", {true}, {false}, {2048}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "nes-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-rsa", NULL), 0);
	check_card(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(profile_nes_ec)
{
	static const struct expect x = {"nes-ec", 1, "AYŞE TEST", {true}, {true}, {384}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "nes-ec.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--name", "AYŞE TEST", "--tckn",
	                                "10000000146", NULL),
	                 0);
	check_card(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(profile_seal)
{
	static const struct expect x = {"seal", 1, "ÖRNEK A.Ş.", {false}, {true}, {384}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "seal.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--org", "ÖRNEK A.Ş.", "--vkn",
	                                "1234567890", "--atr", "v1.3", NULL),
	                 0);
	check_card(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(profile_seal_rsa)
{
	static const struct expect x = {"seal-rsa", 1,       "EIMZA TEST ANONİM ŞİRKETİ",
	                                {false},    {false}, {2048}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "seal-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal-rsa", NULL), 0);
	check_card(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(profile_multi)
{
	static const struct expect x = {
	    "multi",          3, "TEST KULLANICI", {true, false, false}, {false, true, false},
	    {2048, 256, 3072}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "multi.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "multi", NULL), 0);
	check_card(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(serial_and_seed)
{
	char a[256];
	uint8_t buf[128];
	size_t got;
	vcard *c;
	char err[256];

	setup();
	image_path(a, sizeof(a), "serial.img");
	ck_assert_int_eq(perso_run_init(a, "--profile", "nes-ec", "--serial",
	                                "0102030405060708090A0B0C", "--seed", "5", NULL),
	                 0);
	ck_assert_int_eq(vcard_load(a, &c, err, sizeof(err)), 0);
	vcard_power_on(c);
	ck_assert_uint_eq(
	    apdu(c, "00 CA 01 06", NULL, 0, AKIS_DATA_SYSTEM_LEN, buf, sizeof(buf), &got), 0x9000);
	ck_assert_mem_eq(buf + AKIS_DATA_SERIAL_OFFSET,
	                 "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C", 12);
	vcard_free(c);
	/* Refuses to overwrite without --force; replaces with it. */
	ck_assert_int_ne(perso_run_init(a, "--profile", "nes-ec", NULL), 0);
	ck_assert_int_eq(perso_run_init(a, "--profile", "nes-ec", "--force", NULL), 0);
}
END_TEST

START_TEST(pin_sources)
{
	char img[256];
	int fds[2];
	static const struct expect x = {"nes-ec", 1, "TEST KULLANICI", {true}, {true}, {384}};

	setup();
	/* env: */
	setenv("PERSO_TEST_PIN", "654321", 1);
	setenv("PERSO_TEST_PUK", "87654321", 1);
	image_path(img, sizeof(img), "env.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source",
	                                "env:PERSO_TEST_PIN", "--puk-source", "env:PERSO_TEST_PUK",
	                                NULL),
	                 0);
	check_card(img, &x, "654321", "87654321");

	/* fd: both as two lines of one pipe */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "111111\n22222222\n", 16), 16);
	close(fds[1]);
	{
		char src[32];
		snprintf(src, sizeof(src), "fd:%d", fds[0]);
		image_path(img, sizeof(img), "fd.img");
		ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source", src,
		                                "--puk-source", src, NULL),
		                 0);
	}
	close(fds[0]);
	check_card(img, &x, "111111", "22222222");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perso-card");
	TCase *tc = tcase_create("card");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, profile_nes_rsa);
	tcase_add_test(tc, profile_nes_ec);
	tcase_add_test(tc, profile_seal);
	tcase_add_test(tc, profile_seal_rsa);
	tcase_add_test(tc, profile_multi);
	tcase_add_test(tc, serial_and_seed);
	tcase_add_test(tc, pin_sources);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One process: the tests share the temporary folder, removed below. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return failed ? 1 : 0;
}
