/*
 * vcard-image.c: the card image file.
 *
 *   "EZVCARD\0"  magic (8 bytes)
 *   u32 version (2), u32 body length
 *   body (below)
 *   SHA-256 over everything before it (32 bytes)
 *
 * Body, all integers big-endian: generation (u8: 1 AKIS 1.2, 2 AKIS 2.x);
 * ATR (u8 len, bytes); serial (8); second serial (8); life cycle (u8: 0
 * personalization, 1 operational); flags (u8: 01 public keys protected);
 * PINs (u8 count; each ref, u8 len, value, max tries, tries, min, max,
 * unblock ref, u8 name len, name); keys (u8 count; each ref, PIN ref,
 * per-signature flag, u8 label len, label, u16 len, DER private key);
 * files (u16 count; each u16 fid, u16 parent index, is-DF, descriptor
 * byte, access, u8 name len, name, u16 size, data).
 *
 * The loader checks every length against what is left and every value
 * against what the engine itself would accept from personalization, so a
 * truncated, corrupt, inconsistent or hostile image is refused with a
 * message and never read past its end. Version 1 images (one generation,
 * before the card was split by generation) are refused: make them again.
 * The writer uses ez_atomic_write: a crash leaves the old image or the new
 * one.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>
#include <openssl/x509.h>

#include <eimza/atomic-file.h>
#include <eimza/secmem.h>

#include "gen2.h"

static const uint8_t magic[8] = {'E', 'Z', 'V', 'C', 'A', 'R', 'D', 0};
#define IMAGE_VERSION 2u
#define FLAG_PROTECT_PUBLIC_KEYS 0x01

/* ---- writing ------------------------------------------------------------ */

struct out {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void put(struct out *o, const void *d, size_t n)
{
	if (o->failed || n == 0)
		return; /* n == 0: the source may be NULL (an empty file) */
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		uint8_t *q;
		while (cap < o->len + n)
			cap *= 2;
		/* The image holds the PINs: pages left out of core files, and
		 * no realloc, which would leave the old copy in freed memory. */
		q = ez_secret_alloc(cap);
		if (!q) {
			o->failed = true;
			return;
		}
		if (o->len)
			memcpy(q, o->p, o->len);
		ez_secret_free(o->p, o->cap);
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->len, d, n);
	o->len += n;
}

static void put8(struct out *o, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(o, &b, 1);
}

static void put16(struct out *o, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(o, b, 2);
}

static void put32(struct out *o, size_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(o, b, 4);
}

int vcard_save(const vcard *c, const char *path)
{
	struct out o = {0};
	size_t i, body_at;
	uint8_t digest[SHA256_DIGEST_LENGTH];
	int rc = -1;

	if (!c || !path)
		return -1;
	put(&o, magic, sizeof(magic));
	put32(&o, IMAGE_VERSION);
	put32(&o, 0); /* body length, patched below */
	body_at = o.len;
	put8(&o, c->gen);
	put8(&o, c->atr_len);
	put(&o, c->atr, c->atr_len);
	put(&o, c->serial, sizeof(c->serial));
	put(&o, c->serial2, sizeof(c->serial2));
	put8(&o, c->life == VCARD_LIFE_OPERATIONAL ? 1 : 0);
	put8(&o, c->protect_public_keys ? FLAG_PROTECT_PUBLIC_KEYS : 0);
	put8(&o, c->npins);
	for (i = 0; i < c->npins; i++) {
		const struct vc_pin *p = &c->pins[i];
		put8(&o, p->ref);
		put8(&o, p->len);
		put(&o, p->value, p->len);
		put8(&o, p->max_tries);
		put8(&o, p->tries);
		put8(&o, p->min_len);
		put8(&o, p->max_len);
		put8(&o, p->unblock_ref);
		put8(&o, strlen(p->name));
		put(&o, p->name, strlen(p->name));
	}
	put8(&o, c->nkeys);
	for (i = 0; i < c->nkeys; i++) {
		const struct vc_key *k = &c->keys[i];
		unsigned char *der = NULL;
		int n = i2d_PrivateKey(k->pkey, &der);
		if (n <= 0 || n > 0xFFFF) {
			OPENSSL_free(der);
			o.failed = true;
			break;
		}
		put8(&o, k->ref);
		put8(&o, k->pin_ref);
		put8(&o, k->per_signature);
		put8(&o, strlen(k->label));
		put(&o, k->label, strlen(k->label));
		put16(&o, (unsigned)n);
		put(&o, der, (size_t)n);
		OPENSSL_clear_free(der, (size_t)n);
	}
	put16(&o, c->nfiles);
	for (i = 0; i < c->nfiles; i++) {
		const struct vc_file *f = &c->files[i];
		put16(&o, f->fid);
		put16(&o, f->parent);
		put8(&o, f->is_df);
		put8(&o, f->fdb);
		put8(&o, f->access);
		put8(&o, f->name_len);
		put(&o, f->name, f->name_len);
		put16(&o, f->size);
		put(&o, f->data, f->size);
	}
	if (!o.failed) {
		size_t body = o.len - body_at;
		o.p[12] = (uint8_t)(body >> 24);
		o.p[13] = (uint8_t)(body >> 16);
		o.p[14] = (uint8_t)(body >> 8);
		o.p[15] = (uint8_t)body;
		SHA256(o.p, o.len, digest);
		put(&o, digest, sizeof(digest));
	}
	if (!o.failed && ez_atomic_write(path, o.p, o.len, 0600) == 0)
		rc = 0;
	ez_secret_free(o.p, o.cap); /* wiped: PINs and keys */
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

struct in {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct in *r, size_t n)
{
	const uint8_t *q;

	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	q = r->p;
	r->p += n;
	r->left -= n;
	return q;
}

static unsigned get8(struct in *r)
{
	const uint8_t *q = take(r, 1);
	return q ? q[0] : 0;
}

static unsigned get16(struct in *r)
{
	const uint8_t *q = take(r, 2);
	return q ? (unsigned)(q[0] << 8 | q[1]) : 0;
}

static size_t get32(const uint8_t *q)
{
	return (size_t)q[0] << 24 | (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		goto fail;                                                                         \
	} while (0)

/* The header: magic, version, body length, checksum. */
static int check_frame(const uint8_t *buf, size_t len, struct in *r, char *err, size_t errlen)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	size_t body;

	if (len < 16 + SHA256_DIGEST_LENGTH || memcmp(buf, magic, sizeof(magic)) != 0)
		FAIL("not an eimza virtual card image");
	if (get32(buf + 8) == 1)
		FAIL("image version 1 is from an eimza-vcard before the AKIS 1.2 and 2.x "
		     "card generations: make the card again with eimza-vcard init");
	if (get32(buf + 8) != IMAGE_VERSION)
		FAIL("unsupported image version %zu", get32(buf + 8));
	body = get32(buf + 12);
	if (body != len - 16 - SHA256_DIGEST_LENGTH)
		FAIL("image is truncated or has trailing data");
	SHA256(buf, len - SHA256_DIGEST_LENGTH, digest);
	if (memcmp(digest, buf + len - SHA256_DIGEST_LENGTH, sizeof(digest)) != 0)
		FAIL("image checksum mismatch: the file is damaged");
	r->p = buf + 16;
	r->left = body;
	r->bad = false;
	return 0;
fail:
	return -1;
}

/* A name of up to VCARD_MAX_LABEL bytes, no NUL inside. */
static int get_name(struct in *r, char out[VCARD_MAX_LABEL + 1])
{
	size_t n = get8(r);
	const uint8_t *q;

	if (n > VCARD_MAX_LABEL || !(q = take(r, n)) || memchr(q, 0, n))
		return -1;
	memcpy(out, q, n);
	out[n] = '\0';
	return 0;
}

static bool digits(const uint8_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static int parse_pins(vcard *c, struct in *r, char *err, size_t errlen)
{
	const uint8_t *q;
	size_t i, j, n = get8(r);

	if (n > VC_MAX_PINS)
		FAIL("too many PIN objects in image");
	for (i = 0; i < n; i++) {
		struct vc_pin *p = &c->pins[i];
		memset(p, 0, sizeof(*p));
		p->ref = (uint8_t)get8(r);
		p->len = get8(r);
		if (p->len == 0 || p->len > VCARD_MAX_PIN_LEN || !(q = take(r, p->len)) ||
		    !digits(q, p->len))
			FAIL("bad PIN object in image");
		memcpy(p->value, q, p->len);
		p->max_tries = get8(r);
		p->tries = get8(r);
		p->min_len = get8(r);
		p->max_len = get8(r);
		p->unblock_ref = (uint8_t)get8(r);
		if (get_name(r, p->name) < 0 || r->bad || p->max_tries == 0 || p->max_tries > 15 ||
		    p->tries > p->max_tries || p->min_len == 0 || p->min_len > p->max_len ||
		    p->max_len > VCARD_MAX_PIN_LEN || p->len < p->min_len || p->len > p->max_len ||
		    (c->gen == VCARD_GEN_2 && !vc_gen2_pin_ref_ok(p->ref)))
			FAIL("bad PIN object in image");
		for (j = 0; j < i; j++)
			if (c->pins[j].ref == p->ref)
				FAIL("two PIN objects with one reference in image");
		c->npins = i + 1;
	}
	for (i = 0; i < n; i++)
		if (c->pins[i].unblock_ref && !vc_pin_find(c, c->pins[i].unblock_ref))
			FAIL("a PIN object in the image names a missing unblocking object");
	return 0;
fail:
	return -1;
}

static int parse_keys(vcard *c, struct in *r, char *err, size_t errlen)
{
	const uint8_t *q;
	size_t i, j, n = get8(r), dl;

	if (n > VC_MAX_KEYS)
		FAIL("too many keys in image");
	for (i = 0; i < n; i++) {
		struct vc_key *k = &c->keys[i];
		memset(k, 0, sizeof(*k));
		k->ref = (uint8_t)get8(r);
		k->pin_ref = (uint8_t)get8(r);
		k->per_signature = get8(r) != 0;
		if (get_name(r, k->label) < 0)
			FAIL("bad key label in image");
		dl = get16(r);
		if (!(q = take(r, dl)))
			FAIL("image is truncated (key)");
		k->pkey = d2i_AutoPrivateKey(NULL, &q, (long)dl);
		if (!k->pkey)
			FAIL("bad private key in image");
		c->nkeys = i + 1;
		/* What personalization would refuse, the loader refuses too. */
		if (k->ref == 0 || (c->gen == VCARD_GEN_2 && k->ref > 0x7F) ||
		    !vc_key_supported(c, k->pkey, &k->ec, &k->bits) || !vc_pin_find(c, k->pin_ref))
			FAIL("a key in the image does not fit this card");
		for (j = 0; j < i; j++)
			if (c->keys[j].ref == k->ref)
				FAIL("two keys with one reference in image");
	}
	return 0;
fail:
	return -1;
}

static bool fdb_ok(uint8_t fdb, bool is_df)
{
	if (is_df)
		return fdb == VC_FDB_DF;
	return fdb == VC_FDB_TRANSPARENT || fdb == VC_FDB_LINEAR_FIXED ||
	       fdb == VC_FDB_LINEAR_TLV || fdb == VC_FDB_CYCLIC;
}

static int parse_files(vcard *c, struct in *r, char *err, size_t errlen)
{
	const uint8_t *q;
	size_t i, n = get16(r);
	int app;

	if (n == 0 || n > VC_MAX_FILES)
		FAIL("bad file count in image");
	for (i = 0; i < n; i++) {
		struct vc_file *f = &c->files[i];
		memset(f, 0, sizeof(*f));
		f->fid = (uint16_t)get16(r);
		f->parent = (uint16_t)get16(r);
		f->is_df = get8(r) != 0;
		f->fdb = (uint8_t)get8(r);
		f->access = (uint8_t)get8(r);
		f->name_len = get8(r);
		if (f->name_len > VC_MAX_NAME || !(q = take(r, f->name_len)))
			FAIL("bad file entry in image");
		memcpy(f->name, q, f->name_len);
		f->size = get16(r);
		if (r->bad || f->size > VC_MAX_FILE_SIZE || !fdb_ok(f->fdb, f->is_df) ||
		    !(q = take(r, f->size)) || (f->is_df && f->size))
			FAIL("bad file entry in image");
		/* The MF first; every other parent an earlier DF: no cycles. */
		if (i == 0 ? (f->parent != VC_NO_FILE || !f->is_df || f->fid != VC_FID_MF)
		           : (f->parent >= i || !c->files[f->parent].is_df ||
		              vc_fs_depth(c, f->parent) + 1 >= VC_MAX_DEPTH))
			FAIL("bad file tree in image");
		c->nfiles = i + 1;
		if (f->size) {
			f->data = malloc(f->size);
			if (!f->data)
				FAIL("out of memory");
			memcpy(f->data, q, f->size);
		}
	}
	if (c->gen == VCARD_GEN_2) {
		app = vc_fs_find_name(c, (const uint8_t *)VC2_APP_NAME, VC2_APP_NAME_LEN);
		if (app <= 0 || c->files[app].parent != 0)
			FAIL("the image of a 2.x card has no PKCS-15 DF under the MF");
		c->app_df = (uint16_t)app;
	}
	return 0;
fail:
	return -1;
}

static int parse_body(vcard *c, struct in *r, char *err, size_t errlen)
{
	const uint8_t *q;
	unsigned life, flags;

	if (!(q = take(r, sizeof(c->serial))))
		FAIL("image is truncated (serial)");
	memcpy(c->serial, q, sizeof(c->serial));
	if (!(q = take(r, sizeof(c->serial2))))
		FAIL("image is truncated (serial)");
	memcpy(c->serial2, q, sizeof(c->serial2));
	life = get8(r);
	flags = get8(r);
	if (r->bad || life > 1)
		FAIL("bad life cycle in image");
	if ((flags & ~(unsigned)FLAG_PROTECT_PUBLIC_KEYS) || (flags && c->gen != VCARD_GEN_2))
		FAIL("bad flags in image");
	c->protect_public_keys = flags & FLAG_PROTECT_PUBLIC_KEYS;
	if (parse_pins(c, r, err, errlen) < 0 || parse_keys(c, r, err, errlen) < 0)
		return -1;
	vc_fs_free(c); /* the image brings its own tree */
	if (parse_files(c, r, err, errlen) < 0)
		return -1;
	if (r->bad || r->left)
		FAIL("image body has trailing or missing bytes");
	c->life = life ? VCARD_LIFE_OPERATIONAL : VCARD_LIFE_PERSONALIZATION;
	return 0;
fail:
	return -1;
}

/* The generation and ATR first: they decide what the rest may hold. */
static vcard *parse(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct in r;
	const uint8_t *q;
	unsigned gen;
	size_t n;
	char why[160];
	vcard *c = NULL;

	if (check_frame(buf, len, &r, err, errlen) < 0)
		return NULL;
	gen = get8(&r);
	if (gen != VCARD_GEN_1_2 && gen != VCARD_GEN_2)
		FAIL("bad card generation %u in image", gen);
	n = get8(&r);
	if (!(q = take(&r, n)))
		FAIL("image is truncated (ATR)");
	if (vcard_atr_check(q, n, why, sizeof(why)) < 0)
		FAIL("bad ATR in image: %s", why);
	c = vcard_new((enum vcard_generation)gen, q, n);
	if (!c)
		FAIL("out of memory");
	if (parse_body(c, &r, err, errlen) < 0)
		goto fail;
	return c;
fail:
	vcard_free(c);
	return NULL;
}

int vcard_load(const char *path, vcard **out, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char dummy[8];

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!out) {
		snprintf(err, errlen, "no output card");
		return -1;
	}
	*out = NULL;
	if (!path || ez_read_file(path, VCARD_MAX_IMAGE, &buf, &len) != 0) {
		snprintf(err, errlen,
		         "cannot read %s (missing, unreadable or larger than %u bytes)",
		         path ? path : "(null)", VCARD_MAX_IMAGE);
		return -1;
	}
	*out = parse(buf, len, err, errlen);
	ez_wipe(buf, len);
	free(buf);
	return *out ? 0 : -1;
}
