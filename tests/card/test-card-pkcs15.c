/*
 * test-card-pkcs15.c: the PKCS#15 parsers (module/pkcs15) on good and
 * malformed vectors: every file kind read right; every prefix of a good
 * file read without a crash or an overread (each prefix in a buffer of its
 * own size, for ASan and valgrind); a malformed object skipped without
 * hiding the others; DER lengths the reader refuses; padding; labels
 * cleaned and cut; the application found in EF(DIR) or not; a whole load
 * reading each file once and a public key only when no certificate has it.
 * (The card dialects' loads run in test-card-v1.c and test-card-v2.c.)
 */
#include "config.h"

#include "card-test.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/der.h>

#include "module/pkcs15/pkcs15.h"

static void path(der_buf *b, uint16_t fid)
{
	size_t m = der_open(b, DER_SEQUENCE);
	uint8_t p[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};

	der_put(b, DER_OCTET_STRING, p, 2);
	der_close(b, m);
}

/* ---- good vectors ---------------------------------------------------------------- */

static void tokeninfo(der_buf *b)
{
	size_t m = der_open(b, DER_SEQUENCE);

	der_put_uint(b, DER_INTEGER, 0);
	der_put(b, DER_OCTET_STRING, "\x01\x02\x03\x04", 4);
	der_put_str(b, DER_UTF8_STRING, "TUBITAK BILGEM");
	der_put_str(b, DER_CTX(0), "AHMET YILMAZ");
	der_put_bits(b, DER_BIT_STRING, 1u << 1);
	der_close(b, m);
}

static void odf(der_buf *b)
{
	static const unsigned tags[] = {0xA0, 0xA1, 0xA4, 0xA8};
	static const uint16_t fids[] = {0x4401, 0x4402, 0x4404, 0x4408};

	for (size_t i = 0; i < 4; i++) {
		size_t m = der_open(b, tags[i]);
		path(b, fids[i]);
		der_close(b, m);
	}
}

/* An RSA key (id 45, ref 01, userConsent) and an EC key (id 46, P-256). */
static void prkdf(der_buf *b)
{
	static const uint8_t p256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
	size_t m, n, k, i;

	m = der_open(b, DER_SEQUENCE);
	n = der_open(b, DER_SEQUENCE);
	der_put_str(b, DER_UTF8_STRING, "NES");
	der_put(b, DER_OCTET_STRING, "\x01", 1);
	der_put_uint(b, DER_INTEGER, 1);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, "\x45", 1);
	der_put_bits(b, DER_BIT_STRING, (1u << 2) | (1u << 9));
	der_put_uint(b, DER_INTEGER, 1);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	path(b, 0x4401);
	der_put_uint(b, DER_INTEGER, 2048);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);

	m = der_open(b, DER_CTX_CONS(0));
	n = der_open(b, DER_SEQUENCE);
	der_put_str(b, DER_UTF8_STRING, "AUTH");
	der_put(b, DER_OCTET_STRING, "\x01", 1);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, "\x46", 1);
	der_put_bits(b, DER_BIT_STRING, 1u << 2);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	path(b, 0x4402);
	i = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OID, p256, sizeof(p256));
	der_close(b, i);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);
}

static void cert_object(der_buf *b, const char *label, uint8_t id, bool ca, uint16_t fid)
{
	size_t m = der_open(b, DER_SEQUENCE), n, k;

	n = der_open(b, DER_SEQUENCE);
	der_put_str(b, DER_UTF8_STRING, label);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, &id, 1);
	if (ca)
		der_put_bool(b, DER_BOOLEAN, true);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	path(b, fid);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);
}

static void cdf(der_buf *b)
{
	cert_object(b, "NES", 0x45, false, 0x2F10);
	cert_object(b, "KOK", 0x47, true, 0x2F11);
}

static void pin_object(der_buf *b, const char *label, uint8_t auth, uint8_t unblock, uint32_t flags,
                       unsigned min, unsigned stored, uint8_t ref)
{
	size_t m = der_open(b, DER_SEQUENCE), n, k;

	n = der_open(b, DER_SEQUENCE);
	der_put_str(b, DER_UTF8_STRING, label);
	if (unblock)
		der_put(b, DER_OCTET_STRING, &unblock, 1);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, &auth, 1);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	der_put_bits(b, DER_BIT_STRING, flags);
	der_put_uint(b, DER_ENUMERATED, 1);
	der_put_uint(b, DER_INTEGER, min);
	der_put_uint(b, DER_INTEGER, stored);
	der_put_uint(b, DER_CTX(0), ref);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);
}

static void aodf(der_buf *b)
{
	pin_object(b, "PIN", 0x01, 0x02, EZ_P15_PIN_LOCAL | EZ_P15_PIN_INITIALIZED, 6, 8, 0x81);
	pin_object(b, "PUK", 0x02, 0,
	           EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO | EZ_P15_PIN_INITIALIZED, 8, 16, 0x82);
}

static void dir(der_buf *b)
{
	static const uint8_t other[] = {0xA0, 0x00, 0x00, 0x01, 0x67, 0x45, 0x53, 0x49, 0x47, 0x4E};
	static const uint8_t aid[] = {EZ_P15_AID_BYTES}, p[] = {0x3F, 0x00, 0x3D, 0x00};
	size_t m = der_open(b, DER_APP_CONS(1));

	der_put(b, DER_APP(15), other, sizeof(other)); /* another application first */
	der_close(b, m);
	m = der_open(b, DER_APP_CONS(1));
	der_put(b, DER_APP(15), aid, sizeof(aid));
	der_put_str(b, DER_APP(16), "AKIS");
	der_put(b, DER_APP(17), p, sizeof(p));
	der_close(b, m);
}

/* A file: the writer's bytes in a buffer of exactly their size. */
struct file {
	uint8_t *d;
	size_t n;
};

static struct file make(void (*fn)(der_buf *))
{
	der_buf b;
	struct file f;

	der_buf_init(&b);
	fn(&b);
	ck_assert_int_eq(der_buf_finish(&b), 0);
	f.d = malloc(b.len);
	ck_assert_ptr_nonnull(f.d);
	memcpy(f.d, b.data, b.len);
	f.n = b.len;
	der_buf_free(&b);
	return f;
}

static struct file bytes(const char *hex)
{
	uint8_t tmp[512];
	struct file f;

	f.n = unhex(hex, tmp, sizeof(tmp));
	f.d = malloc(f.n ? f.n : 1);
	ck_assert_ptr_nonnull(f.d);
	memcpy(f.d, tmp, f.n);
	return f;
}

struct odf_seen {
	unsigned tags[8];
	uint16_t fids[8];
	size_t n;
};

static ez_err seen(void *arg, unsigned tag, const struct ez_p15_path *p)
{
	struct odf_seen *s = arg;

	ck_assert_uint_lt(s->n, 8);
	s->tags[s->n] = tag;
	s->fids[s->n++] = (uint16_t)(p->value[0] << 8 | p->value[1]);
	return EZ_OK;
}

START_TEST(good_files)
{
	struct file f;
	struct ez_p15_app app = {0};
	struct odf_seen s = {0};

	f = make(tokeninfo);
	ck_assert_int_eq(ez_p15_parse_tokeninfo(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.serial_len, 4);
	ck_assert_mem_eq(app.serial, "\x01\x02\x03\x04", 4);
	ck_assert_str_eq(app.manufacturer, "TUBITAK BILGEM");
	ck_assert_str_eq(app.label, "AHMET YILMAZ");
	ck_assert_uint_eq(app.token_flags, 1u << 1);
	free(f.d);

	f = make(odf);
	ck_assert_int_eq(ez_p15_parse_odf(f.d, f.n, seen, &s), EZ_OK);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(s.tags[3], 0xA8);
	ck_assert_uint_eq(s.fids[3], 0x4408);
	free(f.d);

	f = make(prkdf);
	ck_assert_int_eq(ez_p15_parse_prkdf(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.n_prkeys, 2);
	ck_assert_int_eq(app.prkeys[0].type, EZ_P15_KEY_RSA);
	ck_assert_uint_eq(app.prkeys[0].key_ref, 0x01);
	ck_assert_uint_eq(app.prkeys[0].modulus_bits, 2048);
	ck_assert(app.prkeys[0].user_consent);
	ck_assert_uint_eq(app.prkeys[0].usage, EZ_P15_USAGE_SIGN | EZ_P15_USAGE_NON_REPUDIATION);
	ck_assert_str_eq(app.prkeys[0].label, "NES");
	ck_assert_int_eq(app.prkeys[1].type, EZ_P15_KEY_EC);
	ck_assert_uint_eq(app.prkeys[1].key_ref, 0x02); /* no keyReference: the path's last byte */
	ck_assert_uint_eq(app.prkeys[1].curve_oid_len, 8);
	ck_assert(!app.prkeys[1].user_consent);
	free(f.d);

	f = make(cdf);
	ck_assert_int_eq(ez_p15_parse_cdf(&app, f.d, f.n, false), EZ_OK);
	ck_assert_uint_eq(app.n_certs, 2);
	ck_assert(!app.certs[0].authority);
	ck_assert(app.certs[1].authority);
	ck_assert_uint_eq(app.certs[1].path.len, 2);
	free(f.d);

	f = make(aodf);
	ck_assert_int_eq(ez_p15_parse_aodf(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.n_pins, 2);
	ck_assert_uint_eq(ez_p15_user_pin(&app)->fmt.ref, 0x81);
	ck_assert_uint_eq(ez_p15_user_pin(&app)->fmt.min_len, 6);
	ck_assert_uint_eq(ez_p15_user_pin(&app)->fmt.max_len, 8);
	ck_assert_uint_eq(ez_p15_so_pin(&app)->fmt.ref, 0x82);
	free(f.d);

	f = make(dir);
	ck_assert_int_eq(ez_p15_parse_dir(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.app_path.len, 4);
	ck_assert_mem_eq(app.app_path.value, "\x3F\x00\x3D\x00", 4);
	ck_assert_str_eq(app.app_label, "AKIS");
	free(f.d);
	ez_p15_app_free(&app);
}
END_TEST

/* Every prefix of every good file: no crash, no read past the prefix (each
 * in a buffer of its own size), never more objects than the whole file. */
START_TEST(every_prefix)
{
	void (*files[])(der_buf *) = {tokeninfo, odf, prkdf, cdf, aodf, dir};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct file f = make(files[i]);
		for (size_t n = 0; n < f.n; n++) {
			uint8_t *p = malloc(n ? n : 1);
			struct ez_p15_app app = {0};
			struct odf_seen s = {0};
			ck_assert_ptr_nonnull(p);
			memcpy(p, f.d, n);
			ez_p15_parse_odf(p, n, seen, &s);
			ck_assert_uint_lt(s.n, 5);
			ck_assert_int_ne(ez_p15_parse_tokeninfo(&app, p, n), EZ_OK);
			ez_p15_parse_prkdf(&app, p, n);
			ez_p15_parse_cdf(&app, p, n, true);
			ez_p15_parse_aodf(&app, p, n);
			ez_p15_parse_pukdf(&app, p, n);
			ez_p15_parse_dir(&app, p, n);
			ck_assert_uint_le(app.n_prkeys, 2);
			ck_assert_uint_le(app.n_certs, 2);
			ck_assert_uint_le(app.n_pins, 2);
			ez_p15_app_free(&app);
			free(p);
		}
		free(f.d);
	}
}
END_TEST

/* One bad object among good ones is skipped; the others stay. */
static void prkdf_with_bad(der_buf *b)
{
	uint8_t long_id[EZ_P15_ID_MAX + 1];
	size_t m, n, k;

	memset(long_id, 0x33, sizeof(long_id));
	/* An id longer than any card's: skipped. */
	m = der_open(b, DER_SEQUENCE);
	n = der_open(b, DER_SEQUENCE);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, long_id, sizeof(long_id));
	der_put_bits(b, DER_BIT_STRING, 1u << 2);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	path(b, 0x4409);
	der_put_uint(b, DER_INTEGER, 2048);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);
	/* A path of odd length: skipped. */
	m = der_open(b, DER_SEQUENCE);
	n = der_open(b, DER_SEQUENCE);
	der_close(b, n);
	n = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, "\x48", 1);
	der_put_bits(b, DER_BIT_STRING, 1u << 2);
	der_close(b, n);
	n = der_open(b, DER_CTX_CONS(1));
	k = der_open(b, DER_SEQUENCE);
	der_put(b, DER_OCTET_STRING, "\x3F\x00\x44", 3);
	der_close(b, k);
	der_close(b, n);
	der_close(b, m);
	/* A key of a kind that is not ours ([1]: a DH key): skipped. */
	m = der_open(b, DER_CTX_CONS(1));
	der_put_uint(b, DER_INTEGER, 5);
	der_close(b, m);
	prkdf(b);
	/* Padding after the last object, as cards leave it. */
	der_put_raw(b, "\x00\x00\xFF\xFF", 4);
}

static void aodf_with_bad(der_buf *b)
{
	/* padded to more characters than the module can send */
	pin_object(b, "LONG", 0x03, 0, EZ_P15_PIN_NEEDS_PADDING, 4, EZ_PIN_MAX + 1, 0x83);
	pin_object(b, "ODD", 0x04, 0, 0, 9, 8, 0x84);               /* min over max */
	aodf(b);
}

START_TEST(bad_objects_skipped)
{
	struct ez_p15_app app = {0};
	struct file f = make(prkdf_with_bad);

	ck_assert_int_eq(ez_p15_parse_prkdf(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.n_prkeys, 2);
	ck_assert_uint_eq(app.prkeys[0].id.value[0], 0x45);
	ck_assert_uint_eq(app.prkeys[1].id.value[0], 0x46);
	free(f.d);
	f = make(aodf_with_bad);
	ck_assert_int_eq(ez_p15_parse_aodf(&app, f.d, f.n), EZ_OK);
	ck_assert_uint_eq(app.n_pins, 2);
	ck_assert_str_eq(app.pins[0].label, "PIN");
	free(f.d);
	ez_p15_app_free(&app);
}
END_TEST

/* A broken length at the top of a file ends it: what came before stays. */
START_TEST(broken_length_ends_the_file)
{
	struct ez_p15_app app = {0};
	der_buf b;
	struct file f;

	der_buf_init(&b);
	cdf(&b);
	der_put_raw(&b, "\x30\x82\x10\x00\x01", 5); /* 4096 bytes announced, 1 there */
	ck_assert_int_eq(der_buf_finish(&b), 0);
	f.n = b.len;
	f.d = malloc(f.n);
	memcpy(f.d, b.data, f.n);
	der_buf_free(&b);
	ck_assert_int_eq(ez_p15_parse_cdf(&app, f.d, f.n, false), EZ_ERR_MALFORMED);
	ck_assert_uint_eq(app.n_certs, 2);
	free(f.d);
	ez_p15_app_free(&app);
}
END_TEST

/* What the DER reader refuses, in a TokenInfo: indefinite length, a
 * length of five octets, one past the buffer, a three-octet tag number;
 * and a serial longer than the field. */
START_TEST(der_refusals)
{
	static const char *const bad[] = {
	    "3080 020100 040101 030100 0000",      /* indefinite */
	    "30850000000009 020100 040101 030100", /* five length octets */
	    "300A 020100 040101 030100",           /* past the end */
	    "3F818101 00",                         /* tag of three octets */
	    "300B 020100 0406010203040506 0301",   /* truncated inside */
	    "3009 020180 040101 030100",           /* negative version */
	    "3008 020100 0400 030100",             /* empty serial */
	};
	struct ez_p15_app app;
	uint8_t serial[70];
	der_buf b;
	size_t m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct file f = bytes(bad[i]);
		memset(&app, 0, sizeof(app));
		ck_assert_msg(ez_p15_parse_tokeninfo(&app, f.d, f.n) == EZ_ERR_MALFORMED, "%s",
		              bad[i]);
		free(f.d);
	}
	memset(serial, 0x11, sizeof(serial));
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	der_put_uint(&b, DER_INTEGER, 0);
	der_put(&b, DER_OCTET_STRING, serial, sizeof(serial)); /* 70 > 64 */
	der_put_bits(&b, DER_BIT_STRING, 0);
	der_close(&b, m);
	ck_assert_int_eq(der_buf_finish(&b), 0);
	memset(&app, 0, sizeof(app));
	ck_assert_int_eq(ez_p15_parse_tokeninfo(&app, b.data, b.len), EZ_ERR_MALFORMED);
	der_buf_free(&b);
}
END_TEST

/* Labels: control characters become '?', and a long one is cut. */
START_TEST(labels_cleaned_and_cut)
{
	char label[300];
	struct ez_p15_app app = {0};
	der_buf b;

	memset(label, 'A', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	label[3] = '\n';
	label[5] = 0x1B;
	der_buf_init(&b);
	cert_object(&b, label, 0x45, false, 0x2F10);
	ck_assert_int_eq(der_buf_finish(&b), 0);
	ck_assert_int_eq(ez_p15_parse_cdf(&app, b.data, b.len, false), EZ_OK);
	der_buf_free(&b);
	ck_assert_uint_eq(app.n_certs, 1);
	ck_assert_uint_eq(strlen(app.certs[0].label), EZ_P15_LABEL_MAX - 1);
	ck_assert_int_eq(app.certs[0].label[3], '?');
	ck_assert_int_eq(app.certs[0].label[5], '?');
	ez_p15_app_free(&app);
}
END_TEST

/* EF(DIR) naming no PKCS#15 application; an ODF whose entry is not a
 * Path (the inline form) or has another tag. */
START_TEST(dir_and_odf_refusals)
{
	struct ez_p15_app app = {0};
	struct odf_seen s = {0};
	struct file f;

	f = bytes("610C 4F0AA000000167455349474E"); /* another application only */
	ck_assert_int_eq(ez_p15_parse_dir(&app, f.d, f.n), EZ_ERR_NOT_FOUND);
	free(f.d);
	f = bytes("A0060404 3F004401 A408 3006 04043F004404"); /* inline, then a Path */
	ck_assert_int_eq(ez_p15_parse_odf(f.d, f.n, seen, &s), EZ_OK);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.tags[0], 0xA4);
	free(f.d);
	f = bytes("3006 04043F004401"); /* not a [n] entry */
	ck_assert_int_eq(ez_p15_parse_odf(f.d, f.n, seen, &s), EZ_ERR_MALFORMED);
	free(f.d);
	ez_p15_app_free(&app);
}
END_TEST

/* ---- a whole application ------------------------------------------------------- */

struct fs {
	struct {
		uint16_t fid;
		struct file f;
		unsigned reads;
	} e[10];
	size_t n;
};

static void fs_add(struct fs *fs, uint16_t fid, struct file f)
{
	fs->e[fs->n].fid = fid;
	fs->e[fs->n].f = f;
	fs->e[fs->n].reads = 0;
	fs->n++;
}

static ez_err fs_read(void *arg, const uint8_t *p, size_t plen, size_t index, size_t len,
                      size_t max, bool der_object, uint8_t **out, size_t *out_len)
{
	struct fs *fs = arg;
	uint16_t fid = (uint16_t)(p[plen - 2] << 8 | p[plen - 1]);

	(void)index;
	(void)len;
	(void)der_object;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->e[i].fid == fid) {
			size_t n = fs->e[i].f.n < max ? fs->e[i].f.n : max;
			fs->e[i].reads++;
			*out = malloc(n ? n : 1);
			ck_assert_ptr_nonnull(*out);
			memcpy(*out, fs->e[i].f.d, n);
			*out_len = n;
			return EZ_OK;
		}
	return EZ_ERR_NOT_FOUND;
}

static void pukdf(der_buf *b)
{
	static const uint16_t fids[] = {0x4501, 0x4502};
	static const uint8_t ids[] = {0x45, 0x48};

	for (size_t i = 0; i < 2; i++) {
		size_t m = der_open(b, DER_SEQUENCE), n, k;
		n = der_open(b, DER_SEQUENCE);
		der_close(b, n);
		n = der_open(b, DER_SEQUENCE);
		der_put(b, DER_OCTET_STRING, &ids[i], 1);
		der_put_bits(b, DER_BIT_STRING, 1u << 6);
		der_close(b, n);
		n = der_open(b, DER_CTX_CONS(1));
		k = der_open(b, DER_SEQUENCE);
		path(b, fids[i]);
		der_close(b, k);
		der_close(b, n);
		der_close(b, m);
	}
}

/* ODF -> TokenInfo -> PrKDF, PuKDF, CDF, AODF -> the certificates -> the
 * public key no certificate carries (a bare RSAPublicKey, given as a
 * SubjectPublicKeyInfo). Each file once; a missing certificate file
 * leaves its certificate without bytes. */
START_TEST(whole_application)
{
	const struct test_key *k = test_key("rsa-a", false, 2048, "AHMET YILMAZ", true);
	struct fs fs = {0};
	struct ez_p15_io io = {fs_read, &fs};
	struct ez_p15_app app = {0};
	unsigned char *rsa = NULL;
	int rlen = i2d_PublicKey(k->pk, &rsa);
	struct file cert = {malloc(k->der_len + 16), k->der_len + 16},
	            pub = {malloc((size_t)rlen), (size_t)rlen};

	ck_assert_int_gt(rlen, 0);
	memcpy(cert.d, k->der, k->der_len);
	memset(cert.d + k->der_len, 0xFF, 16); /* the file is larger than the certificate */
	memcpy(pub.d, rsa, (size_t)rlen);
	OPENSSL_free(rsa);
	fs_add(&fs, EZ_P15_EF_ODF, make(odf));
	fs_add(&fs, EZ_P15_EF_TOKENINFO, make(tokeninfo));
	fs_add(&fs, 0x4401, make(prkdf));
	fs_add(&fs, 0x4402, make(pukdf));
	fs_add(&fs, 0x4404, make(cdf));
	fs_add(&fs, 0x4408, make(aodf));
	fs_add(&fs, 0x2F10, cert);
	fs_add(&fs, 0x4502, pub);
	fs_add(&fs, 0x4501, (struct file){malloc((size_t)rlen), (size_t)rlen});
	memcpy(fs.e[fs.n - 1].f.d, pub.d, (size_t)rlen);
	/* 2F11 (the CA's certificate) is missing. */
	ck_assert_int_eq(ez_p15_load(&io, &app), EZ_OK);
	ck_assert_uint_eq(app.n_certs, 2);
	ck_assert_uint_eq(app.certs[0].der_len, k->der_len); /* cut to its SEQUENCE */
	ck_assert_ptr_null(app.certs[1].der);
	ck_assert_uint_eq(app.n_pubkeys, 2);
	ck_assert_ptr_null(app.pubkeys[0].spki); /* its certificate has it: not read */
	ck_assert_ptr_nonnull(app.pubkeys[1].spki);
	ck_assert_uint_eq(app.n_prkeys, 2);
	ck_assert_uint_eq(app.n_pins, 2);
	/* Each file once; 4501, the key certificate 45 carries, never. */
	for (size_t i = 0; i < fs.n; i++)
		ck_assert_msg(fs.e[i].reads == (fs.e[i].fid == 0x4501 ? 0u : 1u),
		              "file %04X read %u times", fs.e[i].fid, fs.e[i].reads);
	ez_p15_app_free(&app);
	for (size_t i = 0; i < fs.n; i++)
		free(fs.e[i].f.d);
}
END_TEST

/* A malformed TokenInfo fails the load (and frees what was read). */
START_TEST(malformed_tokeninfo_fails_the_load)
{
	struct fs fs = {0};
	struct ez_p15_io io = {fs_read, &fs};
	struct ez_p15_app app = {0};

	fs_add(&fs, EZ_P15_EF_ODF, make(odf));
	fs_add(&fs, EZ_P15_EF_TOKENINFO, bytes("3003 020100"));
	ck_assert_int_eq(ez_p15_load(&io, &app), EZ_ERR_MALFORMED);
	ck_assert_uint_eq(app.n_prkeys, 0);
	ck_assert_ptr_null(app.prkeys);
	for (size_t i = 0; i < fs.n; i++)
		free(fs.e[i].f.d);
}
END_TEST

void card_pkcs15_tests(Suite *s)
{
	TCase *tc = tcase_create("pkcs15");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, good_files);
	tcase_add_test(tc, every_prefix);
	tcase_add_test(tc, bad_objects_skipped);
	tcase_add_test(tc, broken_length_ends_the_file);
	tcase_add_test(tc, der_refusals);
	tcase_add_test(tc, labels_cleaned_and_cut);
	tcase_add_test(tc, dir_and_odf_refusals);
	tcase_add_test(tc, whole_application);
	tcase_add_test(tc, malformed_tokeninfo_fails_the_load);
	suite_add_tcase(s, tc);
}
