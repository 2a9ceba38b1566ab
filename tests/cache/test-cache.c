/*
 * test-cache.c: the card cache's file format and store (module/cache/).
 *
 * Format: every field of a description comes back as it went in, the PIN
 * counters never go in; a file cut anywhere, with any bit flipped, of
 * another format version, of another card, or hostile with a right digest
 * (labels with control characters, lengths past the structs, PIN lengths
 * the card layer never gives, too many objects, a certificate with bytes
 * after it) is refused; random bytes never crash the decoder.
 * Store: the folder (XDG rules, 0700, refused when another user owns it or
 * others can write it, or when it is a link), the file (0600, refused when
 * not a regular file of this user or writable by others, a FIFO does not
 * hang), the setting (EIMZA_CACHE over the configuration file), and four
 * processes storing the same card at once while reading it: every read
 * finds a whole entry, and no temporary file is left.
 *
 * The checks of folders and files owned by another user need root (CI runs
 * as root); without it the program reports a skip (77, 99 under
 * EIMZA_STRICT=1) after running the rest.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/sha.h>

#include <eimza/der.h>

#include "module/cache/cache.h"

static const struct ez_cache_key key = {
	.atr = {0x3B, 0x9F, 0x97, 0x81, 0x31, 0xFE, 0x45, 0x80, 0x65, 0x54, 0x43},
	.atr_len = 11,
	.serial = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88},
	.serial_len = 8,
};

/* ---- a description with every field set ---------------------------------------- */

static uint8_t *blob(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n);

	ck_assert_ptr_nonnull(b);
	memcpy(b, p, n);
	return b;
}

/* A DER SEQUENCE of n bytes in all (n >= 4), as a certificate is kept. */
static uint8_t *fake_der(size_t n, uint8_t fill)
{
	uint8_t *b = malloc(n);

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_ge(n, 4);
	memset(b, fill, n);
	b[0] = 0x30;
	b[1] = 0x82;
	b[2] = (uint8_t)((n - 4) >> 8);
	b[3] = (uint8_t)(n - 4);
	return b;
}

static void path_of(struct ez_p15_path *p, const char *v, size_t len, size_t index, size_t length)
{
	memcpy(p->value, v, len);
	p->len = len;
	p->index = index;
	p->length = length;
}

static void id_of(struct ez_p15_id *id, uint8_t first, size_t len)
{
	for (size_t i = 0; i < len; i++)
		id->value[i] = (uint8_t)(first + i);
	id->len = len;
}

static void rich_app(struct ez_p15_app *a, size_t npins)
{
	static const uint8_t oid[] = {0x2B, 0x81, 0x04, 0x00, 0x22};

	memset(a, 0, sizeof(*a));
	strcpy(a->app_label, "AKIS");
	path_of(&a->app_path, "\x3F\x00\x3D\x00", 4, 0, 0);
	memcpy(a->app_aid, "\xA0\x00\x00\x00\x63PKCS-15", 12);
	a->app_aid_len = 12;
	a->version = 1;
	memcpy(a->serial, "\x01\x02\x03\x04\x05", 5);
	a->serial_len = 5;
	strcpy(a->manufacturer, "TÜBİTAK BİLGEM");
	strcpy(a->label, "AHMET YILMAZ (NES)");
	a->token_flags = 0x80000003u;
	a->pins = calloc(npins, sizeof(*a->pins));
	ck_assert_ptr_nonnull(a->pins);
	a->n_pins = npins;
	for (size_t i = 0; i < npins; i++) {
		struct ez_p15_pin *p = &a->pins[i];
		snprintf(p->label, sizeof(p->label), "PIN %zu", i);
		id_of(&p->auth_id, (uint8_t)(i + 1), 1);
		if (i == 0)
			id_of(&p->unblock_id, 2, 1);
		p->flags = (uint32_t)(0x12 + i);
		p->type = 1;
		p->fmt.ref = (uint8_t)(0x81 + i);
		p->fmt.min_len = 4 + (unsigned)(i % 3);
		p->fmt.max_len = 16 - (unsigned)(i % 4);
		p->fmt.stored_len = 8;
		p->fmt.numeric = i % 2 == 0;
		p->fmt.needs_padding = i % 2 == 1;
		p->fmt.pad_char = 0xFF;
		p->fmt.max_tries = 3 + (unsigned)(i % 5);
		p->tries_left = 2;
	}
	a->prkeys = calloc(2, sizeof(*a->prkeys));
	ck_assert_ptr_nonnull(a->prkeys);
	a->n_prkeys = 2;
	strcpy(a->prkeys[0].label, "NES İmza");
	id_of(&a->prkeys[0].id, 0x40, 20);
	id_of(&a->prkeys[0].auth_id, 1, 1);
	a->prkeys[0].type = EZ_P15_KEY_RSA;
	a->prkeys[0].usage = (1u << 2) | (1u << 9);
	a->prkeys[0].access_flags = 0x1D;
	a->prkeys[0].user_consent = true;
	a->prkeys[0].key_ref = 0x81;
	path_of(&a->prkeys[0].path, "\x3F\x00\x3D\x00\x44\x01", 6, 0, 0);
	a->prkeys[0].modulus_bits = 2048;
	a->prkeys[0].subject = blob((const uint8_t *)"\x30\x05\x31\x03\x0C\x01X", 7);
	a->prkeys[0].subject_len = 7;
	strcpy(a->prkeys[1].label, "AUTH");
	id_of(&a->prkeys[1].id, 0x90, 20);
	a->prkeys[1].type = EZ_P15_KEY_EC;
	a->prkeys[1].usage = 1u << 2;
	a->prkeys[1].key_ref = 0x85;
	memcpy(a->prkeys[1].curve_oid, oid, sizeof(oid));
	a->prkeys[1].curve_oid_len = sizeof(oid);
	a->pubkeys = calloc(1, sizeof(*a->pubkeys));
	ck_assert_ptr_nonnull(a->pubkeys);
	a->n_pubkeys = 1;
	strcpy(a->pubkeys[0].label, "PUB");
	id_of(&a->pubkeys[0].id, 0x40, 20);
	a->pubkeys[0].type = EZ_P15_KEY_RSA;
	a->pubkeys[0].usage = 1u << 6;
	path_of(&a->pubkeys[0].path, "\x44\x02", 2, 16, 300);
	a->pubkeys[0].modulus_bits = 2048;
	a->pubkeys[0].spki = fake_der(300, 0x5A);
	a->pubkeys[0].spki_len = 300;
	a->certs = calloc(2, sizeof(*a->certs));
	ck_assert_ptr_nonnull(a->certs);
	a->n_certs = 2;
	strcpy(a->certs[0].label, "NES İmza");
	id_of(&a->certs[0].id, 0x40, 20);
	path_of(&a->certs[0].path, "\x2F\x10", 2, 0, 0);
	a->certs[0].der = fake_der(1266, 0xC3);
	a->certs[0].der_len = 1266;
	strcpy(a->certs[1].label, "Kamu SM");
	id_of(&a->certs[1].id, 0x70, 3);
	a->certs[1].authority = true;
	a->certs[1].trusted = true;
	path_of(&a->certs[1].path, "\x3F\x00\x3D\x00\x43\x02", 6, 0, 0);
	a->certs[1].der = fake_der(900, 0x3C);
	a->certs[1].der_len = 900;
}

static void same_path(const struct ez_p15_path *a, const struct ez_p15_path *b)
{
	ck_assert_uint_eq(a->len, b->len);
	ck_assert_mem_eq(a->value, b->value, a->len);
	ck_assert_uint_eq(a->index, b->index);
	ck_assert_uint_eq(a->length, b->length);
}

static void same_id(const struct ez_p15_id *a, const struct ez_p15_id *b)
{
	ck_assert_uint_eq(a->len, b->len);
	if (a->len)
		ck_assert_mem_eq(a->value, b->value, a->len);
}

static void same_blob(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	ck_assert_int_eq(!a, !b);
	ck_assert_uint_eq(al, bl);
	if (a)
		ck_assert_mem_eq(a, b, al);
}

/* Every field, but the counters: the decoded ones are unknown (-1). */
static void same_app(const struct ez_p15_app *a, const struct ez_p15_app *b)
{
	size_t i;

	ck_assert_str_eq(a->app_label, b->app_label);
	same_path(&a->app_path, &b->app_path);
	same_blob(a->app_aid, a->app_aid_len, b->app_aid, b->app_aid_len);
	ck_assert_uint_eq(a->version, b->version);
	same_blob(a->serial, a->serial_len, b->serial, b->serial_len);
	ck_assert_str_eq(a->manufacturer, b->manufacturer);
	ck_assert_str_eq(a->label, b->label);
	ck_assert_uint_eq(a->token_flags, b->token_flags);
	ck_assert_uint_eq(a->n_pins, b->n_pins);
	for (i = 0; i < a->n_pins; i++) {
		const struct ez_p15_pin *x = &a->pins[i], *y = &b->pins[i];
		ck_assert_str_eq(x->label, y->label);
		same_id(&x->auth_id, &y->auth_id);
		same_id(&x->unblock_id, &y->unblock_id);
		ck_assert_uint_eq(x->flags, y->flags);
		ck_assert_uint_eq(x->type, y->type);
		ck_assert_uint_eq(x->fmt.ref, y->fmt.ref);
		ck_assert_uint_eq(x->fmt.min_len, y->fmt.min_len);
		ck_assert_uint_eq(x->fmt.max_len, y->fmt.max_len);
		ck_assert_uint_eq(x->fmt.stored_len, y->fmt.stored_len);
		ck_assert_int_eq(x->fmt.numeric, y->fmt.numeric);
		ck_assert_int_eq(x->fmt.needs_padding, y->fmt.needs_padding);
		ck_assert_uint_eq(x->fmt.pad_char, y->fmt.pad_char);
		ck_assert_uint_eq(x->fmt.max_tries, y->fmt.max_tries);
		ck_assert_int_eq(y->tries_left, -1);
	}
	ck_assert_uint_eq(a->n_prkeys, b->n_prkeys);
	for (i = 0; i < a->n_prkeys; i++) {
		const struct ez_p15_prkey *x = &a->prkeys[i], *y = &b->prkeys[i];
		ck_assert_str_eq(x->label, y->label);
		same_id(&x->id, &y->id);
		same_id(&x->auth_id, &y->auth_id);
		ck_assert_int_eq(x->type, y->type);
		ck_assert_uint_eq(x->usage, y->usage);
		ck_assert_uint_eq(x->access_flags, y->access_flags);
		ck_assert_int_eq(x->user_consent, y->user_consent);
		ck_assert_uint_eq(x->key_ref, y->key_ref);
		same_path(&x->path, &y->path);
		ck_assert_uint_eq(x->modulus_bits, y->modulus_bits);
		same_blob(x->curve_oid, x->curve_oid_len, y->curve_oid, y->curve_oid_len);
		same_blob(x->subject, x->subject_len, y->subject, y->subject_len);
	}
	ck_assert_uint_eq(a->n_pubkeys, b->n_pubkeys);
	for (i = 0; i < a->n_pubkeys; i++) {
		const struct ez_p15_pubkey *x = &a->pubkeys[i], *y = &b->pubkeys[i];
		ck_assert_str_eq(x->label, y->label);
		same_id(&x->id, &y->id);
		ck_assert_int_eq(x->type, y->type);
		ck_assert_uint_eq(x->usage, y->usage);
		same_path(&x->path, &y->path);
		ck_assert_uint_eq(x->modulus_bits, y->modulus_bits);
		same_blob(x->spki, x->spki_len, y->spki, y->spki_len);
	}
	ck_assert_uint_eq(a->n_certs, b->n_certs);
	for (i = 0; i < a->n_certs; i++) {
		const struct ez_p15_cert *x = &a->certs[i], *y = &b->certs[i];
		ck_assert_str_eq(x->label, y->label);
		same_id(&x->id, &y->id);
		ck_assert_int_eq(x->authority, y->authority);
		ck_assert_int_eq(x->trusted, y->trusted);
		same_path(&x->path, &y->path);
		same_blob(x->der, x->der_len, y->der, y->der_len);
	}
}

static void encode(const struct ez_p15_app *a, uint8_t **buf, size_t *len)
{
	ck_assert_int_eq(ez_cache_encode(&key, a, buf, len), EZ_OK);
}

static ez_err decode(const uint8_t *buf, size_t len)
{
	struct ez_p15_app b;
	ez_err e = ez_cache_decode(&key, buf, len, &b);

	ez_p15_app_free(&b);
	return e;
}

/* ---- format ------------------------------------------------------------------------ */

START_TEST(round_trip)
{
	struct ez_p15_app a, b;
	uint8_t *buf;
	size_t len;

	rich_app(&a, 3);
	encode(&a, &buf, &len);
	ck_assert_int_eq(ez_cache_decode(&key, buf, len, &b), EZ_OK);
	same_app(&a, &b);
	ez_p15_app_free(&b);
	free(buf);
	ez_p15_app_free(&a);
}
END_TEST

/* The counters are not in the file: two descriptions that differ only in
 * them give the same bytes. */
START_TEST(counters_not_written)
{
	struct ez_p15_app a;
	uint8_t *x, *y;
	size_t xl, yl;

	rich_app(&a, 2);
	encode(&a, &x, &xl);
	a.pins[0].tries_left = 0;
	a.pins[1].tries_left = -1;
	encode(&a, &y, &yl);
	ck_assert_uint_eq(xl, yl);
	ck_assert_mem_eq(x, y, xl);
	free(x);
	free(y);
	ez_p15_app_free(&a);
}
END_TEST

START_TEST(cut_or_flipped_refused)
{
	struct ez_p15_app a;
	uint8_t *buf, *copy;
	size_t len;

	rich_app(&a, 2);
	encode(&a, &buf, &len);
	copy = malloc(len + 1);
	ck_assert_ptr_nonnull(copy);
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, buf, n); /* a copy of its own: ASan sees any read past n */
		ck_assert_int_eq(decode(copy, n), EZ_ERR_MALFORMED);
	}
	memcpy(copy, buf, len);
	copy[len] = 0;
	ck_assert_int_eq(decode(copy, len + 1), EZ_ERR_MALFORMED);
	for (size_t i = 0; i < len; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(copy, buf, len);
			copy[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(decode(copy, len) == EZ_ERR_MALFORMED, "byte %zu bit %u", i,
				      bit);
		}
	ck_assert_int_eq(decode(buf, len), EZ_OK);
	free(copy);
	free(buf);
	ez_p15_app_free(&a);
}
END_TEST

START_TEST(other_card_refused)
{
	struct ez_cache_key other = key;
	struct ez_p15_app a, b;
	uint8_t *buf;
	size_t len;

	rich_app(&a, 1);
	encode(&a, &buf, &len);
	other.serial[7] ^= 1;
	ck_assert_int_eq(ez_cache_decode(&other, buf, len, &b), EZ_ERR_MALFORMED);
	ck_assert_uint_eq(b.n_certs, 0);
	other = key;
	other.atr[10] ^= 1;
	ck_assert_int_eq(ez_cache_decode(&other, buf, len, &b), EZ_ERR_MALFORMED);
	other = key;
	other.serial_len = 7;
	ck_assert_int_eq(ez_cache_decode(&other, buf, len, &b), EZ_ERR_MALFORMED);
	free(buf);
	ez_p15_app_free(&a);
}
END_TEST

/* A file rebuilt around a changed header or body, with the digest made
 * right again: what a hostile writer (or another version) produces. */
struct parts {
	const uint8_t *header;
	size_t header_len;
	const uint8_t *body;
	size_t body_len;
};

static void split(const uint8_t *buf, size_t len, struct parts *p)
{
	der_reader r, in;
	der_tlv e, h, b;

	der_reader_init(&r, buf, len);
	ck_assert_int_eq(der_expect(&r, DER_SEQUENCE, &e), 0);
	der_enter(&e, &in);
	ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &h), 0);
	ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &b), 0);
	p->header = h.raw;
	p->header_len = h.rawlen;
	p->body = b.raw;
	p->body_len = b.rawlen;
}

static void rewrap(der_buf *out, const uint8_t *header, size_t hl, const uint8_t *body, size_t bl)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	uint8_t *both = malloc(hl + bl);
	size_t m;

	ck_assert_ptr_nonnull(both);
	memcpy(both, header, hl);
	memcpy(both + hl, body, bl);
	SHA256(both, hl + bl, digest);
	free(both);
	der_buf_init(out);
	m = der_open(out, DER_SEQUENCE);
	der_put_raw(out, header, hl);
	der_put_raw(out, body, bl);
	der_put(out, DER_OCTET_STRING, digest, sizeof(digest));
	der_close(out, m);
	ck_assert_int_eq(der_buf_finish(out), 0);
}

static void header_of(der_buf *h, const char *magic, unsigned long version)
{
	size_t m;

	der_buf_init(h);
	m = der_open(h, DER_SEQUENCE);
	der_put(h, DER_OCTET_STRING, magic, strlen(magic));
	der_put_uint(h, DER_INTEGER, version);
	der_put(h, DER_OCTET_STRING, key.atr, key.atr_len);
	der_put(h, DER_OCTET_STRING, key.serial, key.serial_len);
	der_close(h, m);
	ck_assert_int_eq(der_buf_finish(h), 0);
}

START_TEST(other_version_refused)
{
	struct ez_p15_app a;
	struct parts p;
	der_buf h, f;
	uint8_t *buf;
	size_t len;

	rich_app(&a, 1);
	encode(&a, &buf, &len);
	split(buf, len, &p);
	/* The same header rebuilt by the test is accepted ... */
	header_of(&h, "eimza card cache", EZ_CACHE_FORMAT);
	ck_assert_uint_eq(h.len, p.header_len);
	ck_assert_mem_eq(h.data, p.header, h.len);
	rewrap(&f, h.data, h.len, p.body, p.body_len);
	ck_assert_int_eq(decode(f.data, f.len), EZ_OK);
	der_buf_free(&f);
	der_buf_free(&h);
	/* ... another version or another magic is not. */
	header_of(&h, "eimza card cache", EZ_CACHE_FORMAT + 1);
	rewrap(&f, h.data, h.len, p.body, p.body_len);
	ck_assert_int_eq(decode(f.data, f.len), EZ_ERR_MALFORMED);
	der_buf_free(&f);
	der_buf_free(&h);
	header_of(&h, "eimza card cachf", EZ_CACHE_FORMAT);
	rewrap(&f, h.data, h.len, p.body, p.body_len);
	ck_assert_int_eq(decode(f.data, f.len), EZ_ERR_MALFORMED);
	der_buf_free(&f);
	der_buf_free(&h);
	free(buf);
	ez_p15_app_free(&a);
}
END_TEST

/* Descriptions no card layer gives, written by the encoder (which writes
 * what it is given) with a right digest: each is refused. */
static void refused(void (*spoil)(struct ez_p15_app *), const char *what)
{
	struct ez_p15_app a;
	uint8_t *buf;
	size_t len;

	rich_app(&a, 2);
	encode(&a, &buf, &len);
	ck_assert_int_eq(decode(buf, len), EZ_OK);
	free(buf);
	spoil(&a);
	encode(&a, &buf, &len);
	ck_assert_msg(decode(buf, len) == EZ_ERR_MALFORMED, "accepted: %s", what);
	free(buf);
	ez_p15_app_free(&a);
}

static void ctl_in_label(struct ez_p15_app *a)
{
	a->certs[0].label[2] = 0x1B;
}

static void del_in_label(struct ez_p15_app *a)
{
	a->label[0] = 0x7F;
}

static void min_over_max(struct ez_p15_app *a)
{
	a->pins[0].fmt.min_len = 15;
	a->pins[0].fmt.max_len = 6;
}

static void max_zero(struct ez_p15_app *a)
{
	a->pins[1].fmt.max_len = 0;
	a->pins[1].fmt.min_len = 0;
}

static void max_past_pin(struct ez_p15_app *a)
{
	a->pins[0].fmt.max_len = EZ_PIN_MAX + 1;
}

static void stored_past_pin(struct ez_p15_app *a)
{
	a->pins[0].fmt.stored_len = EZ_PIN_MAX + 1;
}

static void no_tries(struct ez_p15_app *a)
{
	a->pins[0].fmt.max_tries = 0;
}

static void key_type_2(struct ez_p15_app *a)
{
	a->prkeys[0].type = (enum ez_p15_key_type)2;
}

static void odd_path(struct ez_p15_app *a)
{
	a->certs[0].path.len = 3;
}

static void index_past(struct ez_p15_app *a)
{
	a->certs[0].path.index = 0x8000;
}

static void huge_bits(struct ez_p15_app *a)
{
	a->prkeys[0].modulus_bits = 70000;
}

static void cert_tail(struct ez_p15_app *a)
{
	uint8_t *d = realloc(a->certs[0].der, a->certs[0].der_len + 1);
	ck_assert_ptr_nonnull(d);
	d[a->certs[0].der_len] = 0;
	a->certs[0].der = d;
	a->certs[0].der_len++; /* a byte after the certificate's SEQUENCE */
}

static void cert_not_seq(struct ez_p15_app *a)
{
	a->certs[1].der[0] = 0x31;
}

START_TEST(hostile_content_refused)
{
	refused(ctl_in_label, "a control character in a label");
	refused(del_in_label, "DEL in a label");
	refused(min_over_max, "PIN minimum over its maximum");
	refused(max_zero, "PIN maximum 0");
	refused(max_past_pin, "PIN maximum past EZ_PIN_MAX");
	refused(stored_past_pin, "stored length past EZ_PIN_MAX");
	refused(no_tries, "a retry limit of 0");
	refused(key_type_2, "a key type of no kind");
	refused(odd_path, "a path of odd length");
	refused(index_past, "a path index past READ BINARY's offsets");
	refused(huge_bits, "a 70000-bit modulus");
	refused(cert_tail, "bytes after a certificate");
	refused(cert_not_seq, "a certificate that is not a SEQUENCE");
}
END_TEST

/* Lengths past the structs and too many objects, built by hand: the
 * encoder cannot write them (its structs cannot hold them). */
START_TEST(hostile_lengths_refused)
{
	struct ez_p15_app a;
	struct parts p;
	der_reader r, in;
	der_tlv body, t;
	der_buf h, nb, f;
	uint8_t *buf;
	size_t len, m, lm;
	uint8_t big[200];

	memset(big, 'A', sizeof(big));
	rich_app(&a, 1);
	encode(&a, &buf, &len);
	split(buf, len, &p);
	header_of(&h, "eimza card cache", EZ_CACHE_FORMAT);
	der_reader_init(&r, p.body, p.body_len);
	ck_assert_int_eq(der_expect(&r, DER_SEQUENCE, &body), 0);

	/* 65 PINs (the limit is 64). */
	der_enter(&body, &in);
	der_buf_init(&nb);
	m = der_open(&nb, DER_SEQUENCE);
	while (der_next(&in, &t) == 0) {
		if (t.tag != DER_CTX_CONS(0)) {
			der_put_raw(&nb, t.raw, t.rawlen);
			continue;
		}
		{
			der_reader pins;
			der_tlv pin;
			der_enter(&t, &pins);
			ck_assert_int_eq(der_next(&pins, &pin), 0);
			lm = der_open(&nb, DER_CTX_CONS(0));
			for (int i = 0; i < 65; i++)
				der_put_raw(&nb, pin.raw, pin.rawlen);
			der_close(&nb, lm);
		}
	}
	der_close(&nb, m);
	ck_assert_int_eq(der_buf_finish(&nb), 0);
	rewrap(&f, h.data, h.len, nb.data, nb.len);
	ck_assert_int_eq(decode(f.data, f.len), EZ_ERR_MALFORMED);
	der_buf_free(&f);
	der_buf_free(&nb);

	/* A 128-byte label (the field holds 127 and a NUL), an AID of 65
	 * bytes, a TokenInfo serial of 65 bytes: the first fields of the app. */
	for (int which = 0; which < 3; which++) {
		der_enter(&body, &in);
		der_buf_init(&nb);
		m = der_open(&nb, DER_SEQUENCE);
		for (int i = 0; der_next(&in, &t) == 0; i++) {
			if (which == 0 && i == 0)
				der_put(&nb, DER_OCTET_STRING, big, EZ_P15_LABEL_MAX);
			else if (which == 1 && i == 2)
				der_put(&nb, DER_OCTET_STRING, big, EZ_P15_ID_MAX + 1);
			else if (which == 2 && i == 4)
				der_put(&nb, DER_OCTET_STRING, big, 65);
			else
				der_put_raw(&nb, t.raw, t.rawlen);
		}
		der_close(&nb, m);
		ck_assert_int_eq(der_buf_finish(&nb), 0);
		rewrap(&f, h.data, h.len, nb.data, nb.len);
		ck_assert_msg(decode(f.data, f.len) == EZ_ERR_MALFORMED, "case %d accepted", which);
		der_buf_free(&f);
		der_buf_free(&nb);
	}
	/* And the unchanged body is still accepted (the rebuilding is right). */
	rewrap(&f, h.data, h.len, p.body, p.body_len);
	ck_assert_int_eq(decode(f.data, f.len), EZ_OK);
	der_buf_free(&f);
	der_buf_free(&h);
	free(buf);
	ez_p15_app_free(&a);
}
END_TEST

/* Random bytes, also behind a plausible start: refused, never a crash or
 * a read outside the buffer (ASan runs this too). */
START_TEST(random_bytes_refused)
{
	unsigned seed = 12345;
	uint8_t buf[600];

	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(round % 600);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		if (n > 4 && round % 3 == 0) {
			buf[0] = 0x30;
			buf[1] = 0x82;
			buf[2] = (uint8_t)((n - 4) >> 8);
			buf[3] = (uint8_t)(n - 4);
		}
		ck_assert_int_eq(decode(buf, n), EZ_ERR_MALFORMED);
	}
}
END_TEST

/* ---- store ------------------------------------------------------------------------- */

/* Every test's folder is under one made by main(), which removes it also
 * when a test failed before its own clean-up. */
static char base[64], home[128];

static void private_home(void)
{
	snprintf(home, sizeof(home), "%s/home.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(home));
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", home, 1), 0);
	unsetenv("EIMZA_CACHE");
	ez_cache_configure(-1);
}

static void cache_path(char *out, size_t cap, const char *file)
{
	char name[128];

	if (!file) {
		snprintf(out, cap, "%s/eimza", home);
		return;
	}
	if (!*file) {
		ez_cache_file_name(&key, name, sizeof(name));
		file = name;
	}
	snprintf(out, cap, "%s/eimza/%s", home, file);
}

static void remove_home(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
}

static ez_err load(struct ez_p15_app *b)
{
	return ez_cache_load(&key, b);
}

START_TEST(store_and_load)
{
	struct ez_p15_app a, b;
	struct ez_cache_key other = key;
	char path[512];
	struct stat st;

	private_home();
	rich_app(&a, 2);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	cache_path(path, sizeof(path), NULL);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	cache_path(path, sizeof(path), "");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(load(&b), EZ_OK);
	same_app(&a, &b);
	ez_p15_app_free(&b);
	other.serial[0] ^= 0xFF;
	ck_assert_int_eq(ez_cache_load(&other, &b), EZ_ERR_NOT_FOUND);
	ez_cache_forget(&key);
	ck_assert_int_eq(lstat(path, &st), -1);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ez_p15_app_free(&a);
	remove_home();
}
END_TEST

START_TEST(folder_location)
{
	char dir[256];

	ck_assert_int_eq(setenv("XDG_CACHE_HOME", "/x/cache", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/home/ayse", 1), 0);
	ck_assert_int_eq(ez_cache_dir(dir, sizeof(dir)), EZ_OK);
	ck_assert_str_eq(dir, "/x/cache/eimza");
	/* A relative XDG_CACHE_HOME is ignored (XDG base directory rules). */
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", "cache", 1), 0);
	ck_assert_int_eq(ez_cache_dir(dir, sizeof(dir)), EZ_OK);
	ck_assert_str_eq(dir, "/home/ayse/.cache/eimza");
	unsetenv("XDG_CACHE_HOME");
	ck_assert_int_eq(ez_cache_dir(dir, sizeof(dir)), EZ_OK);
	ck_assert_str_eq(dir, "/home/ayse/.cache/eimza");
	unsetenv("HOME");
	ck_assert_int_eq(ez_cache_dir(dir, sizeof(dir)), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_cache_dir(dir, 4), EZ_ERR_NOT_FOUND);
	/* The parents are made as well (~/.cache of a new user). */
	private_home();
	{
		char deep[256];
		struct ez_p15_app a, b;
		snprintf(deep, sizeof(deep), "%s/new/.cache", home);
		ck_assert_int_eq(setenv("XDG_CACHE_HOME", deep, 1), 0);
		rich_app(&a, 1);
		ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
		ck_assert_int_eq(load(&b), EZ_OK);
		ez_p15_app_free(&b);
		ez_p15_app_free(&a);
	}
	remove_home();
}
END_TEST

/* A folder others can write, or a link, is not used (neither read nor
 * written); one others can only read is closed to them and used. */
START_TEST(folder_refused)
{
	struct ez_p15_app a, b;
	char path[512], target[512];
	struct stat st;

	private_home();
	rich_app(&a, 1);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	cache_path(path, sizeof(path), NULL);
	ck_assert_int_eq(chmod(path, 0770), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(chmod(path, 0703), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(chmod(path, 0755), 0);
	ck_assert_int_eq(load(&b), EZ_OK);
	ez_p15_app_free(&b);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	/* eimza -> a good folder elsewhere: not followed. */
	snprintf(target, sizeof(target), "%s/elsewhere", home);
	ck_assert_int_eq(rename(path, target), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_ERR_NOT_FOUND);
	ez_p15_app_free(&a);
	remove_home();
}
END_TEST

/* The entry must be a regular file of this user that others cannot write,
 * at most EZ_CACHE_FILE_MAX bytes; a FIFO in its place does not hang. */
START_TEST(file_refused)
{
	struct ez_p15_app a, b;
	char path[512], target[512];
	FILE *f;

	private_home();
	rich_app(&a, 1);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	cache_path(path, sizeof(path), "");
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(load(&b), EZ_OK);
	ez_p15_app_free(&b);
	/* Rewritten: 0600 again. */
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	{
		struct stat st;
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0600);
	}
	/* A link to a good entry. */
	snprintf(target, sizeof(target), "%s/elsewhere.der", home);
	ck_assert_int_eq(rename(path, target), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(rmdir(path), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, EZ_CACHE_FILE_MAX, SEEK_SET), 0);
	fputc(0x30, f);
	fclose(f);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	/* An empty file (a write cut before its first byte). */
	f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	/* Rewritten over whatever was there. */
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	ck_assert_int_eq(load(&b), EZ_OK);
	ez_p15_app_free(&b);
	ez_p15_app_free(&a);
	remove_home();
}
END_TEST

static bool root(void)
{
	return geteuid() == 0;
}

/* Owned by another user: the folder, or the file. */
START_TEST(other_owner_refused)
{
	struct ez_p15_app a, b;
	char path[512];

	if (!root())
		return; /* main() reports the skip */
	private_home();
	rich_app(&a, 1);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_OK);
	cache_path(path, sizeof(path), "");
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(load(&b), EZ_OK);
	ez_p15_app_free(&b);
	cache_path(path, sizeof(path), NULL);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(load(&b), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_cache_store(&key, &a), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(chown(path, 0, 0), 0);
	ck_assert_int_eq(load(&b), EZ_OK);
	ez_p15_app_free(&b);
	ez_p15_app_free(&a);
	remove_home();
}
END_TEST

START_TEST(setting)
{
	unsetenv("EIMZA_CACHE");
	ez_cache_configure(-1);
	ck_assert(ez_cache_enabled()); /* on unless told */
	ez_cache_configure(0);
	ck_assert(!ez_cache_enabled());
	setenv("EIMZA_CACHE", "1", 1);
	ck_assert(ez_cache_enabled()); /* the environment over the file */
	ez_cache_configure(1);
	setenv("EIMZA_CACHE", "0", 1);
	ck_assert(!ez_cache_enabled());
	setenv("EIMZA_CACHE", "no", 1);
	ck_assert(!ez_cache_enabled());
	setenv("EIMZA_CACHE", "", 1);
	ck_assert(ez_cache_enabled()); /* empty: the file's setting */
	ez_cache_configure(-1);
	unsetenv("EIMZA_CACHE");
	ck_assert(ez_cache_enabled());
}
END_TEST

/* Four processes store the same card's entry (each its own description)
 * and read it, over and over, at once: every read finds one of the four
 * whole, and no temporary file is left behind. */
START_TEST(concurrent_writers)
{
	enum { WRITERS = 4, ROUNDS = 60 };
	struct ez_p15_app first;
	char path[512];
	pid_t pids[WRITERS];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	private_home();
	rich_app(&first, 2);
	ck_assert_int_eq(ez_cache_store(&key, &first), EZ_OK);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0) {
			struct ez_p15_app mine, got;
			int bad = 0;
			rich_app(&mine, 1 + (size_t)w);
			snprintf(mine.label, sizeof(mine.label), "writer %d", w);
			for (int r = 0; r < ROUNDS; r++) {
				if (ez_cache_store(&key, &mine) != EZ_OK)
					bad++;
				if (ez_cache_load(&key, &got) != EZ_OK)
					bad++;
				else if (strncmp(got.label, "writer ", 7) != 0 &&
					 strcmp(got.label, first.label) != 0)
					bad++;
				else if (got.n_pins < 1 || got.n_pins > WRITERS || got.n_certs != 2)
					bad++;
				ez_p15_app_free(&got);
			}
			ez_p15_app_free(&mine);
			_exit(bad ? 1 : 0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	cache_path(path, sizeof(path), NULL);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dir);
	ck_assert_int_eq(n, 1);
	ez_p15_app_free(&first);
	remove_home();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cache");
	TCase *f = tcase_create("format"), *st = tcase_create("store");
	SRunner *r;
	char rm[128];
	int failed;

	strcpy(base, "/tmp/eimza-test-cache.XXXXXX");
	if (!mkdtemp(base)) {
		perror("test-cache: mkdtemp");
		return 99;
	}
	tcase_set_timeout(f, 120);
	tcase_add_test(f, round_trip);
	tcase_add_test(f, counters_not_written);
	tcase_add_test(f, cut_or_flipped_refused);
	tcase_add_test(f, other_card_refused);
	tcase_add_test(f, other_version_refused);
	tcase_add_test(f, hostile_content_refused);
	tcase_add_test(f, hostile_lengths_refused);
	tcase_add_test(f, random_bytes_refused);
	suite_add_tcase(s, f);
	tcase_set_timeout(st, 120);
	tcase_add_test(st, store_and_load);
	tcase_add_test(st, folder_location);
	tcase_add_test(st, folder_refused);
	tcase_add_test(st, file_refused);
	tcase_add_test(st, other_owner_refused);
	tcase_add_test(st, setting);
	tcase_add_test(st, concurrent_writers);
	suite_add_tcase(s, st);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", base);
	if (system(rm) != 0)
		fprintf(stderr, "test-cache: could not remove %s\n", base);
	if (failed)
		return 1;
	if (!root()) {
		const char *strict = getenv("EIMZA_STRICT");
		fprintf(stderr, "test-cache: the checks of folders and files owned by another user "
				"need root: skipped\n");
		return strict && strcmp(strict, "1") == 0 ? 99 : 77;
	}
	return 0;
}
