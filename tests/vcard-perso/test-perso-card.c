/*
 * test-perso-card.c: whole personalizations with `eimza-vcard init`
 * (vcard_perso_main in-process), read back from the saved image through
 * the real engine with APDUs only, as the module would read a real card.
 *   AKIS 1.2: SELECT / READ BINARY of every PKCS#15 file, parsed with der.h
 *   against docs/pkcs15-layout.md; VERIFY + MSE C3 + PSO signatures checked
 *   with the certificates; GET DATA 06 for the serial.
 *   AKIS 2.x: SELECT MF and PKCS-15 by name, the certificates in 2F10..,
 *   each key found by reading the public-key objects (never by position),
 *   its header (label, non-repudiation flag), the PIN and PUK objects, MSE
 *   41 B6 + PSO signatures checked with the certificates, GET DATA 0B.
 * (The writer's APDUs alone, option and source errors: test-perso-apdus.)
 */
#include "config.h"

#include "perso-test.h"
#include "tools/vcard/perso/perso-pkcs15.h"
#include "tools/vcard/perso/perso-profile.h"
#include "tools/vcard/perso/perso.h"

#include <eimza/der.h>
#include <eimza/hex.h>
#include <eimza/vcard.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/* READ BINARY chunk: AkisCIF reads at most 208 bytes at a time (fact 10). */
#define READ_CHUNK 208

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
			uint8_t gr[5] = {0x00, 0xC0, 0, 0, (uint8_t)sw};
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

/* Read the selected EF whole, in READ_CHUNK pieces. */
static uint8_t *read_current(vcard *c, uint16_t fid, size_t *len)
{
	uint8_t *buf = malloc(8192);
	size_t n = 0;

	ck_assert_ptr_nonnull(buf);
	for (;;) {
		char hdr[32];
		size_t got = 0;
		unsigned sw;

		snprintf(hdr, sizeof(hdr), "00 B0 %02X %02X", (unsigned)(n >> 8),
		         (unsigned)(n & 0xFF));
		sw = apdu(c, hdr, NULL, 0, READ_CHUNK, buf + n, 8192 - n, &got);
		n += got;
		if (sw == 0x6B00 || sw == 0x6282)
			break;
		ck_assert_msg(sw == 0x9000, "READ BINARY %04X at %zu: %04X", fid, n, sw);
		if (got < READ_CHUNK)
			break;
		ck_assert_uint_lt(n, 8000);
	}
	*len = n;
	return buf;
}

/* 1.2: select 3F00 / DF / fid (df 0: in the MF) and read it whole. */
static uint8_t *read_ef(vcard *c, uint16_t df, uint16_t fid, size_t *len)
{
	select_fid(c, "00 00", 0x3F00);
	if (df)
		select_fid(c, "00 00", df);
	select_fid(c, "02 00", fid);
	return read_current(c, fid, len);
}

/* ---- signatures ----------------------------------------------------------- */

static void verify(vcard *c, uint8_t ref, const char *pin)
{
	char hdr[32];
	unsigned sw;

	snprintf(hdr, sizeof(hdr), "00 20 00 %02X", ref);
	sw = apdu(c, hdr, (const uint8_t *)pin, strlen(pin), -1, NULL, 0, NULL);
	ck_assert_msg(sw == 0x9000, "VERIFY %02X: %04X", ref, sw);
}

/* One key as the tests see it: its public key from the certificate, how
 * the card names it. */
struct key_under_test {
	EVP_PKEY *pub;
	bool ec;
	unsigned ref; /* 1.2: MSE C3 key reference; 2.x: object id */
};

/* MSE (1.2: C3 ref; 2.x: 41 B6 with AL 82 or ECDSA with the curve's
 * hash) then PSO CDS; the signature verified with the public key.
 * Returns the PSO's status word. */
static unsigned sign_and_check(vcard *c, enum vcard_generation gen,
                               const struct key_under_test *k, bool expect_ok)
{
	static const uint8_t sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
	                                        0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	                                        0x01, 0x05, 0x00, 0x04, 0x20};
	const char *msg = "eimza test message";
	uint8_t hash[48], in[128], sig[512];
	size_t inlen, siglen = 0, hlen;
	const EVP_MD *md;
	EVP_PKEY_CTX *ctx;
	unsigned sw;

	md = (k->ec && EVP_PKEY_get_bits(k->pub) == 384) ? EVP_sha384() : EVP_sha256();
	hlen = (size_t)EVP_MD_get_size(md);
	ck_assert_int_eq(EVP_Digest(msg, strlen(msg), hash, NULL, md, NULL), 1);
	if (gen == VCARD_GEN_1_2) {
		char hdr[32];
		snprintf(hdr, sizeof(hdr), "00 22 C3 %02X", k->ref);
		sw = apdu(c, hdr, NULL, 0, -1, NULL, 0, NULL);
	} else {
		/* AL: 82 PKCS#1 v1.5, 93 / 9B ECDSA over SHA-256 / SHA-384. */
		uint8_t t[6] = {0x80, 0x01, 0x82, 0x84, 0x01, (uint8_t)(0x80 | k->ref)};
		if (k->ec)
			t[2] = hlen == 48 ? 0x9B : 0x93;
		sw = apdu(c, "00 22 41 B6", t, sizeof(t), -1, NULL, 0, NULL);
	}
	ck_assert_msg(sw == 0x9000, "MSE: %04X", sw);
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
	ck_assert_msg(sw == 0x9000, "PSO CDS key %02X: %04X", k->ref, sw);

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

/* Each key signs after VERIFY; a key that wants a VERIFY per signature
 * refuses a second one (69 82). */
static void sign_twice(vcard *c, enum vcard_generation gen, const struct key_under_test *k,
                       bool per_signature, const char *pin)
{
	unsigned sw;

	verify(c, 0x81, pin);
	sign_and_check(c, gen, k, true);
	sw = sign_and_check(c, gen, k, !per_signature);
	if (per_signature)
		ck_assert_uint_eq(sw, 0x6982);
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
	unsigned ids[4];
};

static vcard *load(const char *image, enum vcard_generation gen)
{
	vcard *c = NULL;
	char err[256];

	ck_assert_msg(vcard_load(image, &c, err, sizeof(err)) == 0, "load: %s", err);
	ck_assert_int_eq(vcard_generation(c), gen);
	ck_assert_int_eq(vcard_life_cycle(c), VCARD_LIFE_OPERATIONAL);
	vcard_power_on(c);
	return c;
}

static void check_card12(const char *image, const struct expect *x, const char *pin,
                         const char *puk)
{
	const struct p15_pin_lengths lengths = {4, 8, 4, 16};
	vcard *c = load(image, VCARD_GEN_1_2);
	uint8_t *d, buf[512];
	size_t len, n = 0, i, j, got;
	struct key_seen k[8];
	der_reader r, in;
	der_tlv t, u;
	der_buf want;
	unsigned sw;
	uint8_t serial[VCARD_SERIAL_LEN];

	/* The serial: GET DATA 06, 81 bytes, bytes 57..64 (fact 40). */
	sw = apdu(c, "00 CA 01 06", NULL, 0, 0x51, buf, sizeof(buf), &got);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(got, 81);
	memcpy(serial, buf + 57, sizeof(serial));

	/* EF(DIR): the PKCS#15 AID and the path of the DF 3D00. */
	d = read_ef(c, 0, 0x2F00, &len);
	der_reader_init(&r, d, len);
	ck_assert_int_eq(der_expect(&r, DER_APP_CONS(1), &t), 0);
	der_enter(&t, &in);
	ck_assert_int_eq(der_expect(&in, DER_APP(15), &u), 0);
	ck_assert_uint_eq(u.len, 12);
	ck_assert_mem_eq(u.val, "\xA0\x00\x00\x00\x63PKCS-15", 12);
	free(d);

	/* ODF: exactly the layout's bytes. */
	d = read_ef(c, 0x3D00, 0x5031, &len);
	der_buf_init(&want);
	p15_odf(&want);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* TokenInfo: the serial GET DATA gives, the holder's name. */
	d = read_ef(c, 0x3D00, 0x5032, &len);
	der_buf_init(&want);
	p15_tokeninfo(&want, serial, x->label);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* AODF: PIN and PUK objects with the 1.2 policies. */
	d = read_ef(c, 0x3D00, 0x2F08, &len);
	der_buf_init(&want);
	p15_aodf(&want, &lengths);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(d, want.data, len);
	der_buf_free(&want);
	free(d);

	/* PrKDF, PuKDF, CDF at AkisCIF's file ids (fact 12). */
	d = read_ef(c, 0x3D00, 0x2F01, &len);
	parse_prkdf(d, len, k, &n);
	free(d);
	ck_assert_uint_eq(n, x->nkeys);
	d = read_ef(c, 0x3D00, 0x2F02, &len);
	parse_refs(d, len, k, n, false);
	free(d);
	d = read_ef(c, 0x3D00, 0x2F04, &len);
	parse_refs(d, len, k, n, true);
	free(d);

	for (i = 0; i < n; i++) {
		const unsigned char *q;
		uint8_t md[20];
		unsigned int mdlen = 0;
		struct key_under_test kt;

		ck_assert_int_eq(k[i].ec, x->ec[i]);
		ck_assert_int_eq(k[i].user_consent, x->consent[i]);
		ck_assert(k[i].usage & P15_USAGE_SIGN);
		ck_assert_uint_eq(k[i].key_ref, x->ids[i]);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(k[i].id, k[j].id, 20) != 0);

		/* The certificate EF, its iD, its chain. */
		d = read_ef(c, 0x3D00, k[i].cert_fid, &len);
		q = d;
		k[i].cert = d2i_X509(NULL, &q, (long)len);
		ck_assert_ptr_nonnull(k[i].cert);
		free(d);
		ck_assert_int_eq(X509_pubkey_digest(k[i].cert, EVP_sha1(), md, &mdlen), 1);
		ck_assert_mem_eq(md, k[i].id, 20);
		check_chain(k[i].cert, image);
		k[i].pub = X509_get_pubkey(k[i].cert);
		ck_assert_int_eq(EVP_PKEY_get_bits(k[i].pub), (int)x->bits[i]);
		ck_assert_uint_eq(k[i].bits, x->bits[i]);

		/* The public-key EF: the same SubjectPublicKeyInfo. */
		d = read_ef(c, 0x3D00, k[i].pubkey_fid, &len);
		q = d;
		{
			EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, (long)len);
			ck_assert_ptr_nonnull(pk);
			ck_assert_int_eq(EVP_PKEY_eq(pk, k[i].pub), 1);
			EVP_PKEY_free(pk);
		}
		free(d);
		kt.pub = k[i].pub;
		kt.ec = false;
		kt.ref = (unsigned)k[i].key_ref;
		sign_twice(c, VCARD_GEN_1_2, &kt, k[i].user_consent, pin);
	}

	/* The files cannot be changed in use. */
	select_fid(c, "00 00", 0x3F00);
	select_fid(c, "00 00", 0x3D00);
	select_fid(c, "02 00", 0x5031);
	sw = apdu(c, "00 D6 00 00", (const uint8_t *)"\x00", 1, -1, NULL, 0, NULL);
	ck_assert_uint_eq(sw, 0x6982);
	/* VERIFY with no data: the state (1.2), before and after LOGOUT. */
	ck_assert_uint_eq(apdu(c, "00 20 00 81", NULL, 0, -1, NULL, 0, NULL), 0x9000);
	ck_assert_uint_eq(apdu(c, "80 1A 00 00", NULL, 0, -1, NULL, 0, NULL), 0x9000);
	ck_assert_uint_eq(apdu(c, "00 20 00 81", NULL, 0, -1, NULL, 0, NULL), 0x63C3);
	verify(c, 0x82, puk);

	for (i = 0; i < n; i++) {
		X509_free(k[i].cert);
		EVP_PKEY_free(k[i].pub);
	}
	vcard_free(c);
}

/* 2.x: the public key of object `id` read from the card; NULL when the
 * object does not exist (or its type is not this one). */
static EVP_PKEY *read_public_key(vcard *c, unsigned id, bool ec, EVP_PKEY *like)
{
	uint8_t q[] = {0x4D, 0x09, 0xBF, (uint8_t)(ec ? 0xA1 : 0xA0), (uint8_t)id, 0x05,
	               0x7F, 0x49, 0x02, (uint8_t)(ec ? 0x86 : 0x81), 0x80};
	uint8_t d[1024];
	size_t n = 0;
	unsigned sw = apdu(c, "00 CB 3F FF", q, sizeof(q), 0, d, sizeof(d), &n);

	if (sw == 0x6A88)
		return NULL;
	ck_assert_msg(sw == 0x9000, "GET DATA public key %u: %04X", id, sw);
	if (ec) {
		/* BF A1 id L 7F 49 L 86 L point */
		uint8_t pt[200];
		size_t pl = 0;
		ck_assert_int_eq(EVP_PKEY_get_octet_string_param(
		                     like, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &pl),
		                 1);
		ck_assert_uint_eq(d[7], 0x86);
		ck_assert_uint_eq(d[8], pl);
		return memcmp(d + 9, pt, pl) == 0 ? EVP_PKEY_dup(like) : NULL;
	} else {
		/* BF A0 id 82 LL LL 7F 49 82 LL LL 81 82 LL LL modulus */
		BIGNUM *want = NULL, *got;
		EVP_PKEY *r = NULL;
		ck_assert_uint_eq(d[11], 0x81);
		got = BN_bin2bn(d + 15, (int)(n - 15), NULL);
		ck_assert_int_eq(EVP_PKEY_get_bn_param(like, OSSL_PKEY_PARAM_RSA_N, &want), 1);
		if (BN_cmp(want, got) == 0)
			r = EVP_PKEY_dup(like);
		BN_free(want);
		BN_free(got);
		return r;
	}
}

static void check_card2(const char *image, const struct expect *x, const char *pin,
                        const char *puk, bool protected_keys)
{
	vcard *c = load(image, VCARD_GEN_2);
	uint8_t d[1024], sel[2];
	size_t len, i, got;
	unsigned sw, id;
	static const uint8_t name[] = "PKCS-15";

	/* Session open as ESYA does it (fact 28). */
	ck_assert_uint_eq(apdu(c, "00 A4 00 00", NULL, 0, 0, NULL, 0, NULL), 0x9000);
	ck_assert_uint_eq(apdu(c, "00 A4 04 00", name, 7, 0, NULL, 0, NULL), 0x9000);
	/* The serial, GET DATA 0B (fact 38); life cycle A5. */
	ck_assert_uint_eq(apdu(c, "00 CA 01 0B", NULL, 0, 8, d, sizeof(d), &got), 0x9000);
	ck_assert_uint_eq(got, 8);
	ck_assert_uint_eq(apdu(c, "00 CA 01 04", NULL, 0, 7, d, sizeof(d), &got), 0x9000);
	ck_assert_uint_eq(d[3], 0xA5);
	/* PIN and PUK objects: 3 tries, 6..8 and 8..16 digits. */
	{
		static const uint8_t tries[] = {0x4D, 0x08, 0xBF, 0x81, 0x01, 0x04, 0xA0, 0x02, 0x9B, 0x80};
		static const uint8_t lens[] = {0x4D, 0x0B, 0xBF, 0x81, 0x02, 0x07, 0x7F, 0x41,
		                               0x04, 0x80, 0x80, 0x81, 0x80};
		ck_assert_uint_eq(apdu(c, "00 CB 3F FF", tries, sizeof(tries), 0, d, sizeof(d), &got),
		                  0x9000);
		ck_assert_mem_eq(d, "\xBF\x81\x01\x05\xA0\x03\x9B\x01\x03", 9);
		ck_assert_uint_eq(apdu(c, "00 CB 3F FF", lens, sizeof(lens), 0, d, sizeof(d), &got),
		                  0x9000);
		ck_assert_mem_eq(d, "\xBF\x81\x02\x09\x7F\x41\x06\x80\x01\x10\x81\x01\x08", 13);
	}
	/* The certificates: 2F10 onwards, one per key, nothing after. */
	for (i = 0; i < 10; i++) {
		sel[0] = 0x2F;
		sel[1] = (uint8_t)(0x10 + i);
		sw = apdu(c, "00 A4 02 00", sel, 2, 0, d, sizeof(d), &got);
		if (i >= x->nkeys) {
			ck_assert_uint_eq(sw, 0x6A82);
			continue;
		}
		ck_assert_uint_eq(sw, 0x9000);
		ck_assert_uint_eq(d[0], 0x62);
		ck_assert_uint_eq(d[2], 0x80); /* the size first, tag 80 */
		{
			uint8_t *cert = read_current(c, (uint16_t)(0x2F10 + i), &len);
			const unsigned char *q = cert;
			X509 *x509 = d2i_X509(NULL, &q, (long)len);
			EVP_PKEY *pub, *found = NULL;
			struct key_under_test kt;
			uint8_t hq[] = {0x4D, 0x06, 0xBF, 0x90, 0, 0x02, 0xA0, 0x80};

			ck_assert_ptr_nonnull(x509);
			ck_assert_uint_eq(len, (size_t)(d[4] << 8 | d[5]));
			free(cert);
			check_chain(x509, image);
			pub = X509_get_pubkey(x509);
			ck_assert_int_eq(EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC, x->ec[i]);
			ck_assert_int_eq(EVP_PKEY_get_bits(pub), (int)x->bits[i]);
			/* Find the key by its public key among ids 1..10, never by
			 * position (ESYA's assumption, fact 16). */
			for (id = 1; id <= 10 && !found; id++) {
				if (protected_keys) {
					uint8_t pq[] = {0x4D, 0x06, 0xBF, (uint8_t)(x->ec[i] ? 0xA1 : 0xA0),
					                (uint8_t)id, 0x02, 0xA0, 0x80};
					sw = apdu(c, "00 CB 3F FF", pq, sizeof(pq), 0, NULL, 0, NULL);
					ck_assert(sw == 0x6982 || sw == 0x6A88);
					if (id == x->ids[i])
						ck_assert_uint_eq(sw, 0x6982);
					continue;
				}
				found = read_public_key(c, id, x->ec[i], pub);
				if (found)
					break;
			}
			if (!protected_keys) {
				ck_assert_msg(found != NULL, "no key object for certificate %zu", i);
				ck_assert_uint_eq(id, x->ids[i]);
				EVP_PKEY_free(found);
			}
			/* The private key's header: its label, the 9E flag. */
			hq[3] = x->ec[i] ? 0x91 : 0x90;
			hq[4] = (uint8_t)x->ids[i];
			ck_assert_uint_eq(apdu(c, "00 CB 3F FF", hq, sizeof(hq), 0, d, sizeof(d), &got),
			                  0x9000);
			{
				const struct perso_profile *p = perso_profile_by_name(x->profile);
				const char *label = p->keys[i].label;
				size_t ll = strlen(label);
				/* BF 9x id L A0 L 80 02 bits 84 LL label 9C.. 9D.. 9E 01 f */
				ck_assert_uint_eq(d[6], 0x80);
				ck_assert_uint_eq((unsigned)(d[8] << 8 | d[9]), x->bits[i]);
				ck_assert_uint_eq(d[10], 0x84);
				ck_assert_uint_eq(d[11], ll);
				ck_assert_mem_eq(d + 12, label, ll);
				ck_assert_uint_eq(d[got - 3], 0x9E);
				ck_assert_uint_eq(d[got - 1], x->consent[i] ? 1 : 0);
			}
			kt.pub = pub;
			kt.ec = x->ec[i];
			kt.ref = x->ids[i];
			sign_twice(c, VCARD_GEN_2, &kt, x->consent[i], pin);
			EVP_PKEY_free(pub);
			X509_free(x509);
		}
	}
	/* No VERIFY without data on 2.x; the PUK works. */
	ck_assert_uint_eq(apdu(c, "00 20 00 81", NULL, 0, -1, NULL, 0, NULL), 0x6700);
	verify(c, 0x82, puk);
	vcard_free(c);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(gen12_nes_rsa)
{
	static const struct expect x = {"nes-rsa", 1, "TEST KULLANICI", {true}, {false}, {2048},
	                                {1}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "12-nes-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", NULL), 0);
	check_card12(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(gen12_seal_rsa)
{
	static const struct expect x = {"seal-rsa", 1,       "ÖRNEK A.Ş.", {false},
	                                {false},    {2048},  {1}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "12-seal-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal-rsa", "--org", "ÖRNEK A.Ş.",
	                                "--vkn", "1234567890", "--atr", "uekae-1312", NULL),
	                 0);
	check_card12(img, &x, "123456", "12345678");
}
END_TEST

START_TEST(gen2_nes_rsa)
{
	static const struct expect x = {"nes-rsa", 1, "TEST KULLANICI", {true}, {false}, {2048},
	                                {1}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "nes-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-rsa", NULL), 0);
	check_card2(img, &x, "123456", "12345678", false);
}
END_TEST

START_TEST(gen2_nes_ec)
{
	static const struct expect x = {"nes-ec", 1, "AYŞE TEST", {true}, {true}, {384}, {1}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "nes-ec.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--name", "AYŞE TEST", "--tckn",
	                                "10000000146", "--generation", "2", NULL),
	                 0);
	check_card2(img, &x, "123456", "12345678", false);
}
END_TEST

START_TEST(gen2_seal)
{
	static const struct expect x = {"seal", 1, "ÖRNEK A.Ş.", {false}, {true}, {384}, {1}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "seal.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--org", "ÖRNEK A.Ş.", "--vkn",
	                                "1234567890", "--atr", "tc-2.6.2-nxp", NULL),
	                 0);
	check_card2(img, &x, "123456", "12345678", false);
}
END_TEST

START_TEST(gen2_seal_rsa_on_2_2)
{
	static const struct expect x = {"seal-rsa", 1,      "EIMZA TEST ANONİM ŞİRKETİ", {false},
	                                {false},    {2048}, {1}};
	char img[256];
	vcard *c;
	char err[256];

	setup();
	image_path(img, sizeof(img), "seal-rsa.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal-rsa", "--atr", "tc-2.2.8-infineon",
	                                NULL),
	                 0);
	check_card2(img, &x, "123456", "12345678", false);
	ck_assert_int_eq(vcard_load(img, &c, err, sizeof(err)), 0);
	ck_assert(!vcard_has_ec(c));
	vcard_free(c);
}
END_TEST

START_TEST(gen2_multi)
{
	static const struct expect x = {"multi",
	                                3,
	                                "TEST KULLANICI",
	                                {true, false, false},
	                                {false, true, false},
	                                {2048, 256, 3072},
	                                {1, 5, 3}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "multi.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "multi", NULL), 0);
	check_card2(img, &x, "123456", "12345678", false);
}
END_TEST

START_TEST(gen2_protected_public_keys)
{
	static const struct expect x = {"multi",
	                                3,
	                                "TEST KULLANICI",
	                                {true, false, false},
	                                {false, true, false},
	                                {2048, 256, 3072},
	                                {1, 5, 3}};
	char img[256];

	setup();
	image_path(img, sizeof(img), "protected.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "multi", "--protect-public-keys", NULL),
	                 0);
	check_card2(img, &x, "123456", "12345678", true);
}
END_TEST

START_TEST(serial_and_seed)
{
	char a[256], b[256];
	uint8_t buf[128], first[8];
	size_t got;
	vcard *c;
	char err[256];

	setup();
	/* 2.x: GET DATA 0B. */
	image_path(a, sizeof(a), "serial.img");
	ck_assert_int_eq(perso_run_init(a, "--profile", "nes-ec", "--serial", "0102030405060708",
	                                "--seed", "5", NULL),
	                 0);
	ck_assert_int_eq(vcard_load(a, &c, err, sizeof(err)), 0);
	vcard_power_on(c);
	ck_assert_uint_eq(apdu(c, "00 CA 01 0B", NULL, 0, 8, buf, sizeof(buf), &got), 0x9000);
	ck_assert_mem_eq(buf, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	ck_assert_uint_eq(apdu(c, "00 CA 01 0F", NULL, 0, 8, first, sizeof(first), &got), 0x9000);
	vcard_free(c);
	/* The same seed gives the same second serial. */
	image_path(b, sizeof(b), "serial-b.img");
	ck_assert_int_eq(perso_run_init(b, "--profile", "nes-ec", "--serial", "0102030405060708",
	                                "--seed", "5", NULL),
	                 0);
	ck_assert_int_eq(vcard_load(b, &c, err, sizeof(err)), 0);
	vcard_power_on(c);
	ck_assert_uint_eq(apdu(c, "00 CA 01 0F", NULL, 0, 8, buf, sizeof(buf), &got), 0x9000);
	ck_assert_mem_eq(buf, first, 8);
	vcard_free(c);
	/* 1.2: GET DATA 06, bytes 57..64. */
	ck_assert_int_eq(perso_run_init(a, "--generation", "1.2", "--serial", "1112131415161718",
	                                "--force", NULL),
	                 0);
	ck_assert_int_eq(vcard_load(a, &c, err, sizeof(err)), 0);
	vcard_power_on(c);
	ck_assert_uint_eq(apdu(c, "00 CA 01 06", NULL, 0, 0x51, buf, sizeof(buf), &got), 0x9000);
	ck_assert_mem_eq(buf + 57, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
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
	static const struct expect x = {"nes-ec", 1, "TEST KULLANICI", {true}, {true}, {384}, {1}};
	static const struct expect x12 = {"nes-rsa", 1, "TEST KULLANICI", {true}, {false}, {2048},
	                                  {1}};

	setup();
	/* env: */
	setenv("PERSO_TEST_PIN", "654321", 1);
	setenv("PERSO_TEST_PUK", "87654321", 1);
	image_path(img, sizeof(img), "env.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source",
	                                "env:PERSO_TEST_PIN", "--puk-source", "env:PERSO_TEST_PUK",
	                                NULL),
	                 0);
	check_card2(img, &x, "654321", "87654321", false);

	/* fd: both as two lines of one pipe */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "11111111\n22222222222222\n", 24), 24);
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
	check_card2(img, &x, "11111111", "22222222222222", false);

	/* 1.2 takes a 4-digit PIN. */
	setenv("PERSO_TEST_PIN", "4321", 1);
	image_path(img, sizeof(img), "env12.img");
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--pin-source",
	                                "env:PERSO_TEST_PIN", "--puk-source", "env:PERSO_TEST_PUK",
	                                NULL),
	                 0);
	check_card12(img, &x12, "4321", "87654321");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perso-card");
	TCase *tc = tcase_create("card");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, gen12_nes_rsa);
	tcase_add_test(tc, gen12_seal_rsa);
	tcase_add_test(tc, gen2_nes_rsa);
	tcase_add_test(tc, gen2_nes_ec);
	tcase_add_test(tc, gen2_seal);
	tcase_add_test(tc, gen2_seal_rsa_on_2_2);
	tcase_add_test(tc, gen2_multi);
	tcase_add_test(tc, gen2_protected_public_keys);
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
