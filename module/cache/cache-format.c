/*
 * cache-format.c: a cache entry as bytes. DER, written and read with the
 * project's bounds-checked DER code:
 *
 *   Entry  ::= SEQUENCE { header Header, app App, digest OCTET STRING }
 *   Header ::= SEQUENCE { magic OCTET STRING "eimza card cache",
 *                         format INTEGER (1), atr OCTET STRING,
 *                         serial OCTET STRING }
 *   App    ::= SEQUENCE { appLabel, appPath Path, appAid, version, serial,
 *                         manufacturer, label, tokenFlags,
 *                         [0] SEQUENCE OF Pin, [1] SEQUENCE OF PrKey,
 *                         [2] SEQUENCE OF PubKey, [3] SEQUENCE OF Cert }
 *
 * every field of struct ez_p15_app in its order, each mandatory (labels,
 * ids and blobs as OCTET STRING, numbers as INTEGER, flags as BOOLEAN);
 * `digest` is the SHA-256 of the header's and the app's encodings, so a
 * flipped bit is noticed too, not only a cut. The decoder takes a file as
 * hostile input: whatever it accepts is within the limits the card layer's
 * own parsers keep (label lengths and characters, id and path lengths, PIN
 * lengths), so the token layer cannot tell a decoded description from a
 * read one. PIN counters are not in the format.
 */
#include "config.h"

#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include <eimza/der.h>

static const char magic[] = "eimza card cache";

#define MAX_OBJECTS 64      /* of each kind */
#define MAX_CERT_DER 16384  /* the dialects read at most 8 KiB per certificate */
#define MAX_BLOB 8192       /* a subject Name, a SubjectPublicKeyInfo */

/* ---- encode ---------------------------------------------------------------- */

static void put_label(der_buf *b, const char *label)
{
	der_put(b, DER_OCTET_STRING, label, strnlen(label, EZ_P15_LABEL_MAX - 1));
}

static void put_id(der_buf *b, const struct ez_p15_id *id)
{
	der_put(b, DER_OCTET_STRING, id->value, id->len);
}

static void put_path(der_buf *b, const struct ez_p15_path *p)
{
	size_t m = der_open(b, DER_SEQUENCE);

	der_put(b, DER_OCTET_STRING, p->value, p->len);
	der_put_uint(b, DER_INTEGER, (unsigned long)p->index);
	der_put_uint(b, DER_INTEGER, (unsigned long)p->length);
	der_close(b, m);
}

static void put_pin(der_buf *b, const struct ez_p15_pin *p)
{
	size_t m = der_open(b, DER_SEQUENCE), f;

	put_label(b, p->label);
	put_id(b, &p->auth_id);
	put_id(b, &p->unblock_id);
	der_put_uint(b, DER_INTEGER, p->flags);
	der_put_uint(b, DER_INTEGER, p->type);
	f = der_open(b, DER_SEQUENCE);
	der_put_uint(b, DER_INTEGER, p->fmt.ref);
	der_put_uint(b, DER_INTEGER, p->fmt.min_len);
	der_put_uint(b, DER_INTEGER, p->fmt.max_len);
	der_put_uint(b, DER_INTEGER, p->fmt.stored_len);
	der_put_bool(b, DER_BOOLEAN, p->fmt.numeric);
	der_put_bool(b, DER_BOOLEAN, p->fmt.needs_padding);
	der_put_uint(b, DER_INTEGER, p->fmt.pad_char);
	der_put_uint(b, DER_INTEGER, p->fmt.max_tries);
	der_close(b, f);
	der_close(b, m);
}

static void put_prkey(der_buf *b, const struct ez_p15_prkey *k)
{
	size_t m = der_open(b, DER_SEQUENCE);

	put_label(b, k->label);
	put_id(b, &k->id);
	put_id(b, &k->auth_id);
	der_put_uint(b, DER_INTEGER, k->type);
	der_put_uint(b, DER_INTEGER, k->usage);
	der_put_uint(b, DER_INTEGER, k->access_flags);
	der_put_bool(b, DER_BOOLEAN, k->user_consent);
	der_put_uint(b, DER_INTEGER, k->key_ref);
	put_path(b, &k->path);
	der_put_uint(b, DER_INTEGER, k->modulus_bits);
	der_put(b, DER_OCTET_STRING, k->curve_oid, k->curve_oid_len);
	der_put(b, DER_OCTET_STRING, k->subject, k->subject ? k->subject_len : 0);
	der_close(b, m);
}

static void put_pubkey(der_buf *b, const struct ez_p15_pubkey *k)
{
	size_t m = der_open(b, DER_SEQUENCE);

	put_label(b, k->label);
	put_id(b, &k->id);
	der_put_uint(b, DER_INTEGER, k->type);
	der_put_uint(b, DER_INTEGER, k->usage);
	put_path(b, &k->path);
	der_put_uint(b, DER_INTEGER, k->modulus_bits);
	der_put(b, DER_OCTET_STRING, k->spki, k->spki ? k->spki_len : 0);
	der_close(b, m);
}

static void put_cert(der_buf *b, const struct ez_p15_cert *c)
{
	size_t m = der_open(b, DER_SEQUENCE);

	put_label(b, c->label);
	put_id(b, &c->id);
	der_put_bool(b, DER_BOOLEAN, c->authority);
	der_put_bool(b, DER_BOOLEAN, c->trusted);
	put_path(b, &c->path);
	der_put(b, DER_OCTET_STRING, c->der, c->der ? c->der_len : 0);
	der_close(b, m);
}

/* Would the decoder take it back? Only then is it written. */
static bool fits(const struct ez_p15_app *app)
{
	size_t i;

	if (app->n_pins > MAX_OBJECTS || app->n_prkeys > MAX_OBJECTS ||
	    app->n_pubkeys > MAX_OBJECTS || app->n_certs > MAX_OBJECTS)
		return false;
	for (i = 0; i < app->n_certs; i++)
		if (app->certs[i].der && app->certs[i].der_len > MAX_CERT_DER)
			return false;
	for (i = 0; i < app->n_prkeys; i++)
		if (app->prkeys[i].subject && app->prkeys[i].subject_len > MAX_BLOB)
			return false;
	for (i = 0; i < app->n_pubkeys; i++)
		if (app->pubkeys[i].spki && app->pubkeys[i].spki_len > MAX_BLOB)
			return false;
	return true;
}

ez_err ez_cache_encode(const struct ez_cache_key *key, const struct ez_p15_app *app,
		       uint8_t **out, size_t *out_len)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	der_buf b;
	size_t outer, m, list, i;

	*out = NULL;
	*out_len = 0;
	if (!fits(app) || key->atr_len > EZ_ATR_MAX || key->serial_len > EZ_SERIAL_MAX)
		return EZ_ERR_ARGS;
	der_buf_init(&b);
	outer = der_open(&b, DER_SEQUENCE);
	m = der_open(&b, DER_SEQUENCE);
	der_put(&b, DER_OCTET_STRING, magic, strlen(magic));
	der_put_uint(&b, DER_INTEGER, EZ_CACHE_FORMAT);
	der_put(&b, DER_OCTET_STRING, key->atr, key->atr_len);
	der_put(&b, DER_OCTET_STRING, key->serial, key->serial_len);
	der_close(&b, m);

	m = der_open(&b, DER_SEQUENCE);
	put_label(&b, app->app_label);
	put_path(&b, &app->app_path);
	der_put(&b, DER_OCTET_STRING, app->app_aid, app->app_aid_len);
	der_put_uint(&b, DER_INTEGER, app->version);
	der_put(&b, DER_OCTET_STRING, app->serial, app->serial_len);
	put_label(&b, app->manufacturer);
	put_label(&b, app->label);
	der_put_uint(&b, DER_INTEGER, app->token_flags);
	list = der_open(&b, DER_CTX_CONS(0));
	for (i = 0; i < app->n_pins; i++)
		put_pin(&b, &app->pins[i]);
	der_close(&b, list);
	list = der_open(&b, DER_CTX_CONS(1));
	for (i = 0; i < app->n_prkeys; i++)
		put_prkey(&b, &app->prkeys[i]);
	der_close(&b, list);
	list = der_open(&b, DER_CTX_CONS(2));
	for (i = 0; i < app->n_pubkeys; i++)
		put_pubkey(&b, &app->pubkeys[i]);
	der_close(&b, list);
	list = der_open(&b, DER_CTX_CONS(3));
	for (i = 0; i < app->n_certs; i++)
		put_cert(&b, &app->certs[i]);
	der_close(&b, list);
	der_close(&b, m);

	if (der_buf_finish(&b) == 0) {
		/* The outer element is still open: everything after its
		 * mark is the header and the app, as the decoder hashes them. */
		SHA256(b.data + outer, b.len - outer, digest);
		der_put(&b, DER_OCTET_STRING, digest, sizeof(digest));
	}
	der_close(&b, outer);
	if (der_buf_finish(&b) != 0) {
		der_buf_free(&b);
		return EZ_ERR_NO_MEMORY;
	}
	*out = b.data;
	*out_len = b.len;
	return EZ_OK;
}

/* ---- decode ---------------------------------------------------------------- */

static int get_uint(der_reader *r, unsigned long max, unsigned long *out)
{
	der_tlv t;

	if (der_expect(r, DER_INTEGER, &t) < 0 || der_get_uint(&t, out) < 0 || *out > max)
		return -1;
	return 0;
}

static int get_bool(der_reader *r, bool *out)
{
	der_tlv t;

	return der_expect(r, DER_BOOLEAN, &t) < 0 ? -1 : der_get_bool(&t, out);
}

static int get_octets(der_reader *r, size_t max, der_tlv *t)
{
	return der_expect(r, DER_OCTET_STRING, t) < 0 || t->len > max ? -1 : 0;
}

/* As the card layer leaves a label: shorter than the field, no NUL and no
 * control character. */
static int get_label(der_reader *r, char *out)
{
	der_tlv t;

	if (get_octets(r, EZ_P15_LABEL_MAX - 1, &t) < 0)
		return -1;
	for (size_t i = 0; i < t.len; i++)
		if (t.val[i] < 0x20 || t.val[i] == 0x7F)
			return -1;
	memcpy(out, t.val, t.len);
	out[t.len] = '\0';
	return 0;
}

static int get_id(der_reader *r, struct ez_p15_id *id)
{
	der_tlv t;

	if (get_octets(r, EZ_P15_ID_MAX, &t) < 0)
		return -1;
	memcpy(id->value, t.val, t.len);
	id->len = t.len;
	return 0;
}

static int get_path(der_reader *r, struct ez_p15_path *p)
{
	der_reader in;
	der_tlv t;
	unsigned long v;

	if (der_expect(r, DER_SEQUENCE, &t) < 0)
		return -1;
	der_enter(&t, &in);
	if (get_octets(&in, EZ_P15_PATH_MAX, &t) < 0 || t.len % 2)
		return -1;
	memcpy(p->value, t.val, t.len);
	p->len = t.len;
	if (get_uint(&in, 0x7FFF, &v) < 0)
		return -1;
	p->index = v;
	if (get_uint(&in, 0x7FFF, &v) < 0)
		return -1;
	p->length = v;
	return der_at_end(&in) ? 0 : -1;
}

/* A copy of an OCTET STRING of at most `max` bytes; empty gives NULL. */
static int get_blob(der_reader *r, size_t max, uint8_t **out, size_t *len)
{
	der_tlv t;

	if (get_octets(r, max, &t) < 0)
		return -1;
	*out = NULL;
	*len = 0;
	if (t.len == 0)
		return 0;
	if (!(*out = malloc(t.len)))
		return -2;
	memcpy(*out, t.val, t.len);
	*len = t.len;
	return 0;
}

/* The elements of the list [n]: a reader over them and their count. */
static int get_list(der_reader *r, unsigned n, der_reader *items, size_t *count)
{
	der_reader scan;
	der_tlv t;

	if (der_expect(r, DER_CTX_CONS(n), &t) < 0)
		return -1;
	der_enter(&t, items);
	scan = *items;
	*count = 0;
	while (!der_at_end(&scan)) {
		if (der_expect(&scan, DER_SEQUENCE, &t) < 0 || ++*count > MAX_OBJECTS)
			return -1;
	}
	return 0;
}

static int get_pin(der_reader *r, struct ez_p15_pin *p)
{
	der_reader in, f;
	der_tlv t;
	unsigned long v;

	if (der_expect(r, DER_SEQUENCE, &t) < 0)
		return -1;
	der_enter(&t, &in);
	if (get_label(&in, p->label) < 0 || get_id(&in, &p->auth_id) < 0 ||
	    get_id(&in, &p->unblock_id) < 0)
		return -1;
	if (get_uint(&in, UINT32_MAX, &v) < 0)
		return -1;
	p->flags = (uint32_t)v;
	if (get_uint(&in, 0xFF, &v) < 0)
		return -1;
	p->type = (unsigned)v;
	if (der_expect(&in, DER_SEQUENCE, &t) < 0 || !der_at_end(&in))
		return -1;
	der_enter(&t, &f);
	if (get_uint(&f, 0xFF, &v) < 0)
		return -1;
	p->fmt.ref = (uint8_t)v;
	if (get_uint(&f, EZ_PIN_MAX, &v) < 0)
		return -1;
	p->fmt.min_len = (unsigned)v;
	if (get_uint(&f, EZ_PIN_MAX, &v) < 0 || v == 0 || v < p->fmt.min_len)
		return -1;
	p->fmt.max_len = (unsigned)v;
	if (get_uint(&f, EZ_PIN_MAX, &v) < 0)
		return -1;
	p->fmt.stored_len = (unsigned)v;
	if (get_bool(&f, &p->fmt.numeric) < 0 || get_bool(&f, &p->fmt.needs_padding) < 0)
		return -1;
	if (get_uint(&f, 0xFF, &v) < 0)
		return -1;
	p->fmt.pad_char = (uint8_t)v;
	if (get_uint(&f, 0xFF, &v) < 0 || v == 0)
		return -1;
	p->fmt.max_tries = (unsigned)v;
	p->tries_left = -1; /* never in the file: read from the card */
	return der_at_end(&f) ? 0 : -1;
}

static int get_key_type(der_reader *r, enum ez_p15_key_type *type)
{
	unsigned long v;

	if (get_uint(r, EZ_P15_KEY_EC, &v) < 0)
		return -1;
	*type = v == EZ_P15_KEY_EC ? EZ_P15_KEY_EC : EZ_P15_KEY_RSA;
	return 0;
}

static int get_prkey(der_reader *r, struct ez_p15_prkey *k)
{
	der_reader in;
	der_tlv t;
	unsigned long v;
	int rc;

	if (der_expect(r, DER_SEQUENCE, &t) < 0)
		return -1;
	der_enter(&t, &in);
	if (get_label(&in, k->label) < 0 || get_id(&in, &k->id) < 0 ||
	    get_id(&in, &k->auth_id) < 0 || get_key_type(&in, &k->type) < 0)
		return -1;
	if (get_uint(&in, UINT32_MAX, &v) < 0)
		return -1;
	k->usage = (uint32_t)v;
	if (get_uint(&in, UINT32_MAX, &v) < 0)
		return -1;
	k->access_flags = (uint32_t)v;
	if (get_bool(&in, &k->user_consent) < 0 || get_uint(&in, 0xFF, &v) < 0)
		return -1;
	k->key_ref = (uint8_t)v;
	if (get_path(&in, &k->path) < 0 || get_uint(&in, 65536, &v) < 0)
		return -1;
	k->modulus_bits = (unsigned)v;
	if (get_octets(&in, EZ_P15_OID_MAX, &t) < 0)
		return -1;
	memcpy(k->curve_oid, t.val, t.len);
	k->curve_oid_len = t.len;
	if ((rc = get_blob(&in, MAX_BLOB, &k->subject, &k->subject_len)) < 0)
		return rc;
	return der_at_end(&in) ? 0 : -1;
}

static int get_pubkey(der_reader *r, struct ez_p15_pubkey *k)
{
	der_reader in;
	der_tlv t;
	unsigned long v;
	int rc;

	if (der_expect(r, DER_SEQUENCE, &t) < 0)
		return -1;
	der_enter(&t, &in);
	if (get_label(&in, k->label) < 0 || get_id(&in, &k->id) < 0 ||
	    get_key_type(&in, &k->type) < 0)
		return -1;
	if (get_uint(&in, UINT32_MAX, &v) < 0)
		return -1;
	k->usage = (uint32_t)v;
	if (get_path(&in, &k->path) < 0 || get_uint(&in, 65536, &v) < 0)
		return -1;
	k->modulus_bits = (unsigned)v;
	if ((rc = get_blob(&in, MAX_BLOB, &k->spki, &k->spki_len)) < 0)
		return rc;
	return der_at_end(&in) ? 0 : -1;
}

/* A certificate's DER is one DER element, as the dialects trim it. */
static bool one_element(const uint8_t *p, size_t len)
{
	der_reader r;
	der_tlv t;

	der_reader_init(&r, p, len);
	return der_expect(&r, DER_SEQUENCE, &t) == 0 && der_at_end(&r);
}

static int get_cert(der_reader *r, struct ez_p15_cert *c)
{
	der_reader in;
	der_tlv t;
	int rc;

	if (der_expect(r, DER_SEQUENCE, &t) < 0)
		return -1;
	der_enter(&t, &in);
	if (get_label(&in, c->label) < 0 || get_id(&in, &c->id) < 0 ||
	    get_bool(&in, &c->authority) < 0 || get_bool(&in, &c->trusted) < 0 ||
	    get_path(&in, &c->path) < 0)
		return -1;
	if ((rc = get_blob(&in, MAX_CERT_DER, &c->der, &c->der_len)) < 0)
		return rc;
	if (c->der && !one_element(c->der, c->der_len))
		return -1;
	return der_at_end(&in) ? 0 : -1;
}

/* Each list: count, allocate, parse. -1 malformed, -2 no memory. */
#define GET_LIST(r, n, arr, count, fn)                                                       \
	do {                                                                                 \
		der_reader items_;                                                           \
		size_t k_;                                                                   \
		int rc_;                                                                     \
		if (get_list((r), (n), &items_, &k_) < 0)                                    \
			return -1;                                                           \
		if (k_ && !((arr) = calloc(k_, sizeof(*(arr)))))                             \
			return -2;                                                           \
		for (size_t i_ = 0; i_ < k_; i_++) {                                         \
			rc_ = fn(&items_, &(arr)[i_]);                                       \
			(count) = i_ + 1; /* freed with what it holds */                     \
			if (rc_ < 0)                                                         \
				return rc_;                                                  \
		}                                                                            \
	} while (0)

static int get_app(const der_tlv *seq, struct ez_p15_app *app)
{
	der_reader r;
	der_tlv t;
	unsigned long v;

	der_enter(seq, &r);
	if (get_label(&r, app->app_label) < 0 || get_path(&r, &app->app_path) < 0 ||
	    get_octets(&r, EZ_P15_ID_MAX, &t) < 0)
		return -1;
	memcpy(app->app_aid, t.val, t.len);
	app->app_aid_len = t.len;
	if (get_uint(&r, UINT32_MAX, &v) < 0)
		return -1;
	app->version = (unsigned)v;
	if (get_octets(&r, sizeof(app->serial), &t) < 0)
		return -1;
	memcpy(app->serial, t.val, t.len);
	app->serial_len = t.len;
	if (get_label(&r, app->manufacturer) < 0 || get_label(&r, app->label) < 0 ||
	    get_uint(&r, UINT32_MAX, &v) < 0)
		return -1;
	app->token_flags = (uint32_t)v;
	GET_LIST(&r, 0, app->pins, app->n_pins, get_pin);
	GET_LIST(&r, 1, app->prkeys, app->n_prkeys, get_prkey);
	GET_LIST(&r, 2, app->pubkeys, app->n_pubkeys, get_pubkey);
	GET_LIST(&r, 3, app->certs, app->n_certs, get_cert);
	return der_at_end(&r) ? 0 : -1;
}

static int get_header(const der_tlv *seq, const struct ez_cache_key *key)
{
	der_reader r;
	der_tlv t;
	unsigned long v;

	der_enter(seq, &r);
	if (get_octets(&r, 64, &t) < 0 || t.len != strlen(magic) || memcmp(t.val, magic, t.len))
		return -1;
	if (get_uint(&r, ~0UL, &v) < 0 || v != EZ_CACHE_FORMAT)
		return -1; /* another version of the format */
	if (get_octets(&r, EZ_ATR_MAX, &t) < 0 || t.len != key->atr_len ||
	    memcmp(t.val, key->atr, t.len) != 0)
		return -1; /* another card's entry */
	if (get_octets(&r, EZ_SERIAL_MAX, &t) < 0 || t.len != key->serial_len ||
	    memcmp(t.val, key->serial, t.len) != 0)
		return -1;
	return der_at_end(&r) ? 0 : -1;
}

ez_err ez_cache_decode(const struct ez_cache_key *key, const uint8_t *buf, size_t len,
		       struct ez_p15_app *app)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	der_reader r, in;
	der_tlv entry, header, body, sum;
	int rc;

	memset(app, 0, sizeof(*app));
	der_reader_init(&r, buf, len);
	if (der_expect(&r, DER_SEQUENCE, &entry) < 0 || !der_at_end(&r))
		return EZ_ERR_MALFORMED;
	der_enter(&entry, &in);
	if (der_expect(&in, DER_SEQUENCE, &header) < 0 || der_expect(&in, DER_SEQUENCE, &body) < 0 ||
	    der_expect(&in, DER_OCTET_STRING, &sum) < 0 || !der_at_end(&in) ||
	    sum.len != sizeof(digest))
		return EZ_ERR_MALFORMED;
	/* The header and the body are adjacent: the digest covers both. */
	SHA256(header.raw, (size_t)(body.raw + body.rawlen - header.raw), digest);
	if (memcmp(digest, sum.val, sizeof(digest)) != 0 || get_header(&header, key) < 0)
		return EZ_ERR_MALFORMED;
	rc = get_app(&body, app);
	if (rc < 0) {
		ez_p15_app_free(app);
		return rc == -2 ? EZ_ERR_NO_MEMORY : EZ_ERR_MALFORMED;
	}
	return EZ_OK;
}
