/*
 * vcard-image.c: the card image file.
 *
 *   "EZVCARD\0"  magic (8 bytes)
 *   u32 version (1), u32 body length
 *   body (below)
 *   SHA-256 over everything before it (32 bytes)
 *
 * Body, all integers big-endian: ATR (u8 len, bytes); serial (12); life
 * cycle (u8); PINs (u8 count; each ref, u8 len, value, max tries, tries,
 * min, max, unblock ref); keys (u8 count; each ref, PIN ref, consent, u16
 * len, DER private key); files (u16 count; each u16 fid, u16 parent index,
 * is-DF, structure, access, u8 AID len, AID, u16 size, data).
 *
 * The loader checks every length against what is left and every value
 * against the engine's limits, so a truncated, corrupt or hostile image is
 * refused with a message and never read past its end. The writer uses
 * ez_atomic_write: a crash leaves the old image or the new one.
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

static const uint8_t magic[8] = {'E', 'Z', 'V', 'C', 'A', 'R', 'D', 0};
#define IMAGE_VERSION 1u

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
		q = realloc(o->p, cap);
		if (!q) {
			o->failed = true;
			return;
		}
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
	put8(&o, c->atr_len);
	put(&o, c->atr, c->atr_len);
	put(&o, c->serial, sizeof(c->serial));
	put8(&o, c->life);
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
		put8(&o, k->user_consent);
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
		put8(&o, f->structure);
		put8(&o, f->access);
		put8(&o, f->aid_len);
		put(&o, f->aid, f->aid_len);
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
	if (o.p)
		ez_wipe(o.p, o.len); /* PINs and keys */
	free(o.p);
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

#define FAIL(...)                                                                            \
	do {                                                                                 \
		snprintf(err, errlen, __VA_ARGS__);                                          \
		goto fail;                                                                   \
	} while (0)

static int parse(vcard *c, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct in r;
	const uint8_t *q;
	uint8_t digest[SHA256_DIGEST_LENGTH];
	size_t i, n, body;

	if (len < 16 + SHA256_DIGEST_LENGTH || memcmp(buf, magic, sizeof(magic)) != 0)
		FAIL("not an eimza virtual card image");
	if (get32(buf + 8) != IMAGE_VERSION)
		FAIL("unsupported image version %zu", get32(buf + 8));
	body = get32(buf + 12);
	if (body != len - 16 - SHA256_DIGEST_LENGTH)
		FAIL("image is truncated or has trailing data");
	SHA256(buf, len - SHA256_DIGEST_LENGTH, digest);
	if (memcmp(digest, buf + len - SHA256_DIGEST_LENGTH, sizeof(digest)) != 0)
		FAIL("image checksum mismatch: the file is damaged");
	r.p = buf + 16;
	r.left = body;
	r.bad = false;

	n = get8(&r);
	if (n == 0 || n > sizeof(c->atr) || !(q = take(&r, n)))
		FAIL("bad ATR in image");
	memcpy(c->atr, q, n);
	c->atr_len = n;
	if (!(q = take(&r, sizeof(c->serial))))
		FAIL("image is truncated (serial)");
	memcpy(c->serial, q, sizeof(c->serial));
	c->life = (uint8_t)get8(&r);
	if (c->life != AKIS_LIFE_ADMINISTRATION && c->life != AKIS_LIFE_USER)
		FAIL("bad life cycle in image");

	n = get8(&r);
	if (n > VC_MAX_PINS)
		FAIL("too many PIN objects in image");
	for (i = 0; i < n; i++) {
		struct vc_pin *p = &c->pins[i];
		p->ref = (uint8_t)get8(&r);
		p->len = get8(&r);
		if (p->len == 0 || p->len > AKIS_MAX_PIN_LEN || !(q = take(&r, p->len)))
			FAIL("bad PIN object in image");
		memcpy(p->value, q, p->len);
		p->max_tries = get8(&r);
		p->tries = get8(&r);
		p->min_len = get8(&r);
		p->max_len = get8(&r);
		p->unblock_ref = (uint8_t)get8(&r);
		if (r.bad || p->max_tries == 0 || p->max_tries > 15 || p->tries > p->max_tries ||
		    p->min_len > p->max_len || p->max_len > AKIS_MAX_PIN_LEN)
			FAIL("bad PIN object in image");
		c->npins = i + 1;
	}

	n = get8(&r);
	if (n > VC_MAX_KEYS)
		FAIL("too many keys in image");
	for (i = 0; i < n; i++) {
		struct vc_key *k = &c->keys[i];
		size_t dl;
		k->ref = (uint8_t)get8(&r);
		k->pin_ref = (uint8_t)get8(&r);
		k->user_consent = get8(&r) != 0;
		dl = get16(&r);
		if (!(q = take(&r, dl)))
			FAIL("image is truncated (key)");
		k->pkey = d2i_AutoPrivateKey(NULL, &q, (long)dl);
		if (!k->pkey)
			FAIL("bad private key in image");
		c->nkeys = i + 1;
	}

	n = get16(&r);
	if (n == 0 || n > VC_MAX_FILES)
		FAIL("bad file count in image");
	c->nfiles = 0;
	for (i = 0; i < n; i++) {
		struct vc_file *f = &c->files[i];
		memset(f, 0, sizeof(*f));
		f->fid = (uint16_t)get16(&r);
		f->parent = (uint16_t)get16(&r);
		f->is_df = get8(&r) != 0;
		f->structure = (uint8_t)get8(&r);
		f->access = (uint8_t)get8(&r);
		f->aid_len = get8(&r);
		if (f->aid_len > VC_MAX_AID || !(q = take(&r, f->aid_len)))
			FAIL("bad file entry in image");
		memcpy(f->aid, q, f->aid_len);
		f->size = get16(&r);
		if (r.bad || f->size > VC_MAX_FILE_SIZE || !(q = take(&r, f->size)))
			FAIL("bad file entry in image");
		/* The MF first; every other parent an earlier DF: no cycles. */
		if (i == 0 ? (f->parent != VC_NO_FILE || !f->is_df)
			   : (f->parent >= i || !c->files[f->parent].is_df))
			FAIL("bad file tree in image");
		c->nfiles = i + 1;
		if (f->size) {
			f->data = malloc(f->size);
			if (!f->data)
				FAIL("out of memory");
			memcpy(f->data, q, f->size);
		}
	}
	if (r.bad || r.left)
		FAIL("image body has trailing or missing bytes");
	return 0;
fail:
	return -1;
}

int vcard_load(const char *path, vcard **out, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	vcard *c;
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
	if (ez_read_file(path, VCARD_MAX_IMAGE, &buf, &len) != 0) {
		snprintf(err, errlen, "cannot read %s (missing, unreadable or larger than %u bytes)",
			 path, VCARD_MAX_IMAGE);
		return -1;
	}
	c = vcard_new(NULL);
	if (!c) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vc_fs_free(c); /* the image brings its own MF */
	if (parse(c, buf, len, err, errlen) < 0) {
		ez_wipe(buf, len);
		free(buf);
		vcard_free(c);
		return -1;
	}
	ez_wipe(buf, len);
	free(buf);
	*out = c;
	return 0;
}
