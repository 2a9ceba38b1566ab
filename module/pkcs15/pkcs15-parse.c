/*
 * pkcs15-parse.c: the pure PKCS#15 parsers (see pkcs15.h and
 * docs/pkcs15-layout.md). Every byte comes from a card: each element is
 * read through the bounds-checked DER reader, every length is checked
 * against the destination, and a malformed object inside a directory file
 * is skipped without hiding the others.
 */
#include "config.h"

#include "pkcs15.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/der.h>

#define GROW(arr, n)                                                                         \
	do {                                                                                 \
		void *q_ = realloc((arr), ((n) + 1) * sizeof(*(arr)));                       \
		if (!q_)                                                                     \
			return EZ_ERR_NO_MEMORY;                                             \
		(arr) = q_;                                                                  \
		memset(&(arr)[n], 0, sizeof(*(arr)));                                        \
	} while (0)

static void copy_label(char *dst, const der_tlv *t)
{
	size_t n = t->len < EZ_P15_LABEL_MAX - 1 ? t->len : EZ_P15_LABEL_MAX - 1;
	size_t i;

	memcpy(dst, t->val, n);
	dst[n] = '\0';
	for (i = 0; i < n; i++) /* no control characters reach a label */
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7F)
			dst[i] = '?';
}

static int copy_id(struct ez_p15_id *id, const der_tlv *t)
{
	if (t->len == 0 || t->len > EZ_P15_ID_MAX)
		return -1;
	memcpy(id->value, t->val, t->len);
	id->len = t->len;
	return 0;
}

/* Path ::= SEQUENCE { path OCTET STRING, index INTEGER OPTIONAL,
 *                     length [0] INTEGER OPTIONAL } */
static int parse_path(const der_tlv *seq, struct ez_p15_path *p)
{
	der_reader r;
	der_tlv t;
	unsigned long v;

	memset(p, 0, sizeof(*p));
	if (seq->tag != DER_SEQUENCE)
		return -1;
	der_enter(seq, &r);
	if (der_expect(&r, DER_OCTET_STRING, &t) < 0 || t.len < 2 || t.len > EZ_P15_PATH_MAX ||
	    t.len % 2)
		return -1;
	memcpy(p->value, t.val, t.len);
	p->len = t.len;
	if (der_optional(&r, DER_INTEGER, &t) == 1) {
		if (der_get_uint(&t, &v) < 0 || v > 0x7FFF)
			return -1;
		p->index = v;
		if (der_optional(&r, DER_CTX(0), &t) == 1) {
			if (der_get_uint(&t, &v) < 0 || v > 0x7FFF)
				return -1;
			p->length = v;
		}
	}
	return 0;
}

/* Skip 00/FF padding at the top level of a file. */
static bool at_padding(const der_reader *r)
{
	return r->p < r->end && (*r->p == 0x00 || *r->p == 0xFF);
}

ez_err ez_p15_parse_dir(struct ez_p15_app *app, const uint8_t *buf, size_t len)
{
	static const uint8_t p15_aid[] = {EZ_P15_AID_BYTES};
	der_reader r, in;
	der_tlv t, f;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		bool ours = false;
		struct ez_p15_path path = {0};
		char label[EZ_P15_LABEL_MAX] = "";
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		if (t.tag != DER_APP_CONS(1))
			continue;
		der_enter(&t, &in);
		while (!der_at_end(&in) && der_next(&in, &f) == 0) {
			if (f.tag == DER_APP(15))
				ours = f.len == sizeof(p15_aid) && memcmp(f.val, p15_aid, f.len) == 0;
			else if (f.tag == DER_APP(16))
				copy_label(label, &f);
			else if (f.tag == DER_APP(17) && f.len >= 2 && f.len <= EZ_P15_PATH_MAX &&
				 f.len % 2 == 0) {
				memcpy(path.value, f.val, f.len);
				path.len = f.len;
			}
		}
		if (ours) {
			app->app_path = path;
			memcpy(app->app_aid, p15_aid, sizeof(p15_aid));
			app->app_aid_len = sizeof(p15_aid);
			strcpy(app->app_label, label);
			return EZ_OK;
		}
	}
	return EZ_ERR_NOT_FOUND;
}

ez_err ez_p15_parse_odf(const uint8_t *buf, size_t len, ez_p15_odf_fn fn, void *arg)
{
	der_reader r, in;
	der_tlv t, s;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		struct ez_p15_path path;
		ez_err e;
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		if ((t.tag & 0xF0) != 0xA0)
			return EZ_ERR_MALFORMED;
		der_enter(&t, &in);
		/* PKCS15Objects: a Path (SEQUENCE); the inline forms are not used. */
		if (der_next(&in, &s) < 0 || parse_path(&s, &path) < 0)
			continue;
		e = fn(arg, t.tag, &path);
		if (e != EZ_OK)
			return e;
	}
	return EZ_OK;
}

ez_err ez_p15_parse_tokeninfo(struct ez_p15_app *app, const uint8_t *buf, size_t len)
{
	der_reader r, in;
	der_tlv t, f;
	unsigned long v;
	uint32_t bits;

	der_reader_init(&r, buf, len);
	if (der_expect(&r, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_INTEGER, &f) < 0 || der_get_uint(&f, &v) < 0)
		return EZ_ERR_MALFORMED;
	app->version = (unsigned)v;
	if (der_expect(&in, DER_OCTET_STRING, &f) < 0 || f.len == 0 || f.len > sizeof(app->serial))
		return EZ_ERR_MALFORMED;
	memcpy(app->serial, f.val, f.len);
	app->serial_len = f.len;
	if (der_optional(&in, DER_UTF8_STRING, &f) == 1)
		copy_label(app->manufacturer, &f);
	if (der_optional(&in, DER_CTX(0), &f) == 1)
		copy_label(app->label, &f);
	if (der_expect(&in, DER_BIT_STRING, &f) < 0 || der_get_bits(&f, &bits) < 0)
		return EZ_ERR_MALFORMED;
	app->token_flags = bits;
	return EZ_OK;
}

/* CommonObjectAttributes ::= SEQUENCE { label UTF8String OPTIONAL, flags
 * BIT STRING OPTIONAL, authId OCTET STRING OPTIONAL, userConsent INTEGER
 * OPTIONAL, ... } */
static int common_object(const der_tlv *seq, char *label, struct ez_p15_id *auth,
			 bool *user_consent)
{
	der_reader r;
	der_tlv t;
	unsigned long v;

	if (seq->tag != DER_SEQUENCE)
		return -1;
	der_enter(seq, &r);
	if (der_optional(&r, DER_UTF8_STRING, &t) == 1)
		copy_label(label, &t);
	if (der_optional(&r, DER_BIT_STRING, &t) < 0)
		return -1;
	if (der_optional(&r, DER_OCTET_STRING, &t) == 1 && auth && copy_id(auth, &t) < 0)
		return -1;
	if (der_optional(&r, DER_INTEGER, &t) == 1 && user_consent)
		*user_consent = der_get_uint(&t, &v) == 0 && v > 0;
	return 0;
}

static ez_err parse_pin(struct ez_p15_pin *p, const der_tlv *obj)
{
	der_reader r, in, a;
	der_tlv t, f;
	unsigned long v;
	uint32_t bits;

	if (obj->tag != DER_SEQUENCE)
		return EZ_ERR_MALFORMED; /* biometric and other kinds are not ours */
	der_enter(obj, &r);
	if (der_next(&r, &t) < 0 || common_object(&t, p->label, &p->unblock_id, NULL) < 0)
		return EZ_ERR_MALFORMED;
	if (der_expect(&r, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_OCTET_STRING, &f) < 0 || copy_id(&p->auth_id, &f) < 0)
		return EZ_ERR_MALFORMED;
	if (der_expect(&r, DER_CTX_CONS(1), &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &a);
	if (der_expect(&a, DER_BIT_STRING, &f) < 0 || der_get_bits(&f, &bits) < 0)
		return EZ_ERR_MALFORMED;
	p->flags = bits;
	if (der_expect(&a, DER_ENUMERATED, &f) < 0 || der_get_uint(&f, &v) < 0)
		return EZ_ERR_MALFORMED;
	p->type = (unsigned)v;
	p->fmt.numeric = v == 1 || v == 0; /* ascii-numeric or bcd */
	if (der_expect(&a, DER_INTEGER, &f) < 0 || der_get_uint(&f, &v) < 0 || v > EZ_PIN_MAX)
		return EZ_ERR_MALFORMED;
	p->fmt.min_len = (unsigned)v;
	if (der_expect(&a, DER_INTEGER, &f) < 0 || der_get_uint(&f, &v) < 0 || v > 0xFF)
		return EZ_ERR_MALFORMED;
	p->fmt.stored_len = (unsigned)v;
	p->fmt.max_len = (unsigned)v;
	if (der_optional(&a, DER_INTEGER, &f) == 1) {
		if (der_get_uint(&f, &v) < 0 || v > 0xFF)
			return EZ_ERR_MALFORMED;
		p->fmt.max_len = (unsigned)v;
	}
	/* A card may take longer PINs than the module sends (OpenSC's
	 * pkcs15-init writes storedLength and maxLength 32): the PIN object is
	 * kept, with the module's limit; only a PIN the card wants padded
	 * beyond it cannot be encoded. */
	if (p->fmt.max_len == 0 || p->fmt.max_len > EZ_PIN_MAX)
		p->fmt.max_len = EZ_PIN_MAX;
	if (p->fmt.min_len > p->fmt.max_len)
		return EZ_ERR_MALFORMED;
	if (der_optional(&a, DER_CTX(0), &f) == 1) {
		if (der_get_uint(&f, &v) < 0 || v > 0xFF)
			return EZ_ERR_MALFORMED;
		p->fmt.ref = (uint8_t)v;
	}
	p->fmt.pad_char = 0xFF;
	if (der_optional(&a, DER_OCTET_STRING, &f) == 1 && f.len == 1)
		p->fmt.pad_char = f.val[0];
	p->fmt.needs_padding = (p->flags & EZ_P15_PIN_NEEDS_PADDING) != 0;
	if (p->fmt.needs_padding && p->fmt.stored_len > EZ_PIN_MAX)
		return EZ_ERR_MALFORMED;
	return EZ_OK;
}

ez_err ez_p15_parse_aodf(struct ez_p15_app *app, const uint8_t *buf, size_t len)
{
	der_reader r;
	der_tlv t;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		GROW(app->pins, app->n_pins);
		app->pins[app->n_pins].tries_left = -1; /* an AODF does not carry counters */
		if (parse_pin(&app->pins[app->n_pins], &t) == EZ_OK)
			app->n_pins++;
	}
	return EZ_OK;
}

/* CommonKeyAttributes ::= SEQUENCE { iD, usage, native BOOLEAN DEFAULT TRUE,
 * accessFlags BIT STRING OPTIONAL, keyReference INTEGER OPTIONAL, ... } */
static int common_key(const der_tlv *seq, struct ez_p15_id *id, uint32_t *usage,
		      uint32_t *access, long *key_ref)
{
	der_reader r;
	der_tlv t;
	unsigned long v;

	if (seq->tag != DER_SEQUENCE)
		return -1;
	der_enter(seq, &r);
	if (der_expect(&r, DER_OCTET_STRING, &t) < 0 || copy_id(id, &t) < 0)
		return -1;
	if (der_expect(&r, DER_BIT_STRING, &t) < 0 || der_get_bits(&t, usage) < 0)
		return -1;
	if (der_optional(&r, DER_BOOLEAN, &t) < 0)
		return -1;
	if (der_optional(&r, DER_BIT_STRING, &t) == 1 && access && der_get_bits(&t, access) < 0)
		return -1;
	if (der_optional(&r, DER_INTEGER, &t) == 1 && key_ref) {
		if (der_get_uint(&t, &v) < 0 || v > 0xFF)
			return -1;
		*key_ref = (long)v;
	}
	return 0;
}

static ez_err parse_prkey(struct ez_p15_prkey *k, const der_tlv *obj)
{
	der_reader r, in, a;
	der_tlv t, f;
	unsigned long v;
	long key_ref = -1;

	if (obj->tag == DER_SEQUENCE)
		k->type = EZ_P15_KEY_RSA;
	else if (obj->tag == DER_CTX_CONS(0))
		k->type = EZ_P15_KEY_EC;
	else
		return EZ_ERR_MALFORMED;
	der_enter(obj, &r);
	if (der_next(&r, &t) < 0 || common_object(&t, k->label, &k->auth_id, &k->user_consent) < 0)
		return EZ_ERR_MALFORMED;
	if (der_next(&r, &t) < 0 || common_key(&t, &k->id, &k->usage, &k->access_flags, &key_ref) < 0)
		return EZ_ERR_MALFORMED;
	if (der_optional(&r, DER_CTX_CONS(0), &t) == 1) {
		/* CommonPrivateKeyAttributes { subjectName Name OPTIONAL, ... } */
		der_enter(&t, &in);
		if (der_expect(&in, DER_SEQUENCE, &f) == 0) {
			der_enter(&f, &a);
			if (der_optional(&a, DER_SEQUENCE, &f) == 1) {
				k->subject = malloc(f.rawlen);
				if (!k->subject)
					return EZ_ERR_NO_MEMORY;
				memcpy(k->subject, f.raw, f.rawlen);
				k->subject_len = f.rawlen;
			}
		}
	}
	if (der_expect(&r, DER_CTX_CONS(1), &t) < 0)
		goto bad;
	der_enter(&t, &in);
	if (der_expect(&in, DER_SEQUENCE, &t) < 0)
		goto bad;
	der_enter(&t, &a);
	if (der_next(&a, &f) < 0 || parse_path(&f, &k->path) < 0)
		goto bad;
	if (k->type == EZ_P15_KEY_RSA) {
		if (der_expect(&a, DER_INTEGER, &f) < 0 || der_get_uint(&f, &v) < 0 || v > 16384)
			goto bad;
		k->modulus_bits = (unsigned)v;
	} else if (der_optional(&a, DER_SEQUENCE, &f) == 1) {
		/* keyInfo: paramsAndOps { parameters (namedCurve OID), ... } */
		der_reader ki;
		der_tlv oid;
		der_enter(&f, &ki);
		if (der_optional(&ki, DER_OID, &oid) == 1 && oid.len <= EZ_P15_OID_MAX) {
			memcpy(k->curve_oid, oid.val, oid.len);
			k->curve_oid_len = oid.len;
		}
	}
	k->key_ref = key_ref >= 0 ? (uint8_t)key_ref : k->path.value[k->path.len - 1];
	return EZ_OK;
bad:
	free(k->subject);
	k->subject = NULL;
	return EZ_ERR_MALFORMED;
}

ez_err ez_p15_parse_prkdf(struct ez_p15_app *app, const uint8_t *buf, size_t len)
{
	der_reader r;
	der_tlv t;
	ez_err e;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		GROW(app->prkeys, app->n_prkeys);
		e = parse_prkey(&app->prkeys[app->n_prkeys], &t);
		if (e == EZ_ERR_NO_MEMORY)
			return e;
		if (e == EZ_OK)
			app->n_prkeys++;
	}
	return EZ_OK;
}

static ez_err parse_pubkey(struct ez_p15_pubkey *k, const der_tlv *obj)
{
	der_reader r, in, a;
	der_tlv t, f;
	unsigned long v;

	if (obj->tag == DER_SEQUENCE)
		k->type = EZ_P15_KEY_RSA;
	else if (obj->tag == DER_CTX_CONS(0))
		k->type = EZ_P15_KEY_EC;
	else
		return EZ_ERR_MALFORMED;
	der_enter(obj, &r);
	if (der_next(&r, &t) < 0 || common_object(&t, k->label, NULL, NULL) < 0)
		return EZ_ERR_MALFORMED;
	if (der_next(&r, &t) < 0 || common_key(&t, &k->id, &k->usage, NULL, NULL) < 0)
		return EZ_ERR_MALFORMED;
	der_optional(&r, DER_CTX_CONS(0), &t);
	if (der_expect(&r, DER_CTX_CONS(1), &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &a);
	if (der_next(&a, &f) < 0 || parse_path(&f, &k->path) < 0)
		return EZ_ERR_MALFORMED;
	if (k->type == EZ_P15_KEY_RSA && der_optional(&a, DER_INTEGER, &f) == 1 &&
	    der_get_uint(&f, &v) == 0 && v <= 16384)
		k->modulus_bits = (unsigned)v;
	return EZ_OK;
}

ez_err ez_p15_parse_pukdf(struct ez_p15_app *app, const uint8_t *buf, size_t len)
{
	der_reader r;
	der_tlv t;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		GROW(app->pubkeys, app->n_pubkeys);
		if (parse_pubkey(&app->pubkeys[app->n_pubkeys], &t) == EZ_OK)
			app->n_pubkeys++;
	}
	return EZ_OK;
}

static ez_err parse_cert(struct ez_p15_cert *c, const der_tlv *obj)
{
	der_reader r, in, a;
	der_tlv t, f;

	if (obj->tag != DER_SEQUENCE)
		return EZ_ERR_MALFORMED; /* only x509Certificate */
	der_enter(obj, &r);
	if (der_next(&r, &t) < 0 || common_object(&t, c->label, NULL, NULL) < 0)
		return EZ_ERR_MALFORMED;
	if (der_expect(&r, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_OCTET_STRING, &f) < 0 || copy_id(&c->id, &f) < 0)
		return EZ_ERR_MALFORMED;
	if (der_optional(&in, DER_BOOLEAN, &f) == 1 && der_get_bool(&f, &c->authority) < 0)
		return EZ_ERR_MALFORMED;
	der_optional(&r, DER_CTX_CONS(0), &t);
	if (der_expect(&r, DER_CTX_CONS(1), &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &in);
	if (der_expect(&in, DER_SEQUENCE, &t) < 0)
		return EZ_ERR_MALFORMED;
	der_enter(&t, &a);
	if (der_next(&a, &f) < 0 || parse_path(&f, &c->path) < 0)
		return EZ_ERR_MALFORMED;
	return EZ_OK;
}

ez_err ez_p15_parse_cdf(struct ez_p15_app *app, const uint8_t *buf, size_t len, bool trusted)
{
	der_reader r;
	der_tlv t;

	der_reader_init(&r, buf, len);
	while (!der_at_end(&r) && !at_padding(&r)) {
		if (der_next(&r, &t) < 0)
			return EZ_ERR_MALFORMED;
		GROW(app->certs, app->n_certs);
		if (parse_cert(&app->certs[app->n_certs], &t) == EZ_OK) {
			app->certs[app->n_certs].trusted = trusted;
			app->n_certs++;
		}
	}
	return EZ_OK;
}

static bool id_eq(const struct ez_p15_id *a, const struct ez_p15_id *b)
{
	return a->len == b->len && a->len && memcmp(a->value, b->value, a->len) == 0;
}

const struct ez_p15_pin *ez_p15_user_pin(const struct ez_p15_app *app)
{
	size_t i, j;

	/* The PIN the private keys name, that is not an unblocking or SO PIN. */
	for (j = 0; j < app->n_prkeys; j++)
		for (i = 0; i < app->n_pins; i++)
			if (id_eq(&app->pins[i].auth_id, &app->prkeys[j].auth_id) &&
			    !(app->pins[i].flags & (EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO)))
				return &app->pins[i];
	for (i = 0; i < app->n_pins; i++)
		if (!(app->pins[i].flags & (EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO)))
			return &app->pins[i];
	return NULL;
}

const struct ez_p15_pin *ez_p15_so_pin(const struct ez_p15_app *app)
{
	const struct ez_p15_pin *user = ez_p15_user_pin(app);
	size_t i;

	if (user && user->unblock_id.len)
		for (i = 0; i < app->n_pins; i++)
			if (id_eq(&app->pins[i].auth_id, &user->unblock_id))
				return &app->pins[i];
	for (i = 0; i < app->n_pins; i++)
		if (app->pins[i].flags & (EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO))
			return &app->pins[i];
	return NULL;
}

void ez_p15_app_free(struct ez_p15_app *app)
{
	size_t i;

	for (i = 0; i < app->n_prkeys; i++)
		free(app->prkeys[i].subject);
	for (i = 0; i < app->n_pubkeys; i++)
		free(app->pubkeys[i].spki);
	for (i = 0; i < app->n_certs; i++)
		free(app->certs[i].der);
	free(app->pins);
	free(app->prkeys);
	free(app->pubkeys);
	free(app->certs);
	memset(app, 0, sizeof(*app));
}
