/*
 * akis-v2-load.c: how an AKIS 2.x card's objects are found. 2.x cards have
 * no PKCS#15 directory files (AkisCIF never reads one on 2.x):
 *
 *   - certificates are transparent EFs 2F10, 2F11, ... under the PKCS-15
 *     DF (AkisCIF's certificate FID space is 2F10..2F2F; the scan stops
 *     after three missing files in a row, as integrators do);
 *   - private keys are security data objects BF 90 id (RSA) / BF 91 id (EC),
 *     their public halves BF A0 id / BF A1 id, ids 1 to 10 (ESYA's range);
 *   - the PIN and PUK are the objects BF 81 01 and BF 81 02.
 *
 * Pairing a certificate with its key (docs/akis-profile.md, "Pairing"):
 * never by a trial signature (it would need the PIN). For the n-th
 * certificate the ids are tried from ESYA's first guess 2n-1 on, then 1 to
 * 10, then the same with bit 80 set (ESYA asks both forms); a key of the
 * certificate's type pairs when its public key object holds the
 * certificate's public key. When the card does not let the public key be
 * read, a key pairs only if it is the one candidate whose header says the
 * certificate's key size; otherwise the certificate is shown without a
 * private key (and the log says why).
 */
#include "config.h"

#include "akis-v2.h"
#include "../ez-ossl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eimza/der.h>

#define CERT_FIRST 0x10 /* 2F10 */
#define CERT_LAST 0x2F  /* 2F2F */
#define CERT_MISSES 3
#define KEY_ID_FIRST 1
#define KEY_ID_LAST 10
#define KEY_ID_HIGH 0x80
#define MAX_CERT (8 * 1024)
#define MAX_CERTS 32
#define PIN_REF 0x81
#define PUK_REF 0x82
/* Where the card does not say: Kamu SM's three tries; ISO's lengths. */
#define DEFAULT_TRIES 3
#define DEFAULT_MIN_LEN 4

struct cert {
	uint16_t fid;
	uint8_t *der;
	size_t len;
	X509 *x;
	EVP_PKEY *pk; /* borrowed from x */
	bool ca;
	uint8_t pub[1024]; /* RSA modulus / EC point, as the card would hold it */
	size_t pub_len;
};

struct scan {
	ez_card *c;
	struct cert certs[MAX_CERTS];
	size_t n;
	bool taken[256]; /* key ids already paired */
};

/* ---- PINs ------------------------------------------------------------------ */

static ez_err read_pin(ez_card *c, uint8_t ref, bool so, struct ez_p15_pin *p)
{
	unsigned min = 0, max = 0;
	int left = -1, limit = -1;
	uint16_t sw;
	ez_err e;

	memset(p, 0, sizeof(*p));
	strcpy(p->label, so ? "PUK" : "PIN");
	p->auth_id.value[0] = so ? 0x02 : 0x01;
	p->auth_id.len = 1;
	if (!so) {
		p->unblock_id.value[0] = 0x02;
		p->unblock_id.len = 1;
	}
	p->flags = EZ_P15_PIN_INITIALIZED | EZ_P15_PIN_LOCAL |
		   (so ? EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO : 0);
	p->type = 1; /* ASCII digits */
	p->fmt.ref = ref;
	p->fmt.numeric = true;
	p->fmt.pad_char = 0xFF;
	/* The whole header gives the limit (9A) and the count (9B) at once;
	 * a card that takes only AkisCIF's own form (9B alone) is asked so. */
	e = v2_pin_counters(c, ref, true, &left, &limit, &sw);
	if (e == EZ_OK && sw != 0x9000 && sw != 0x6A88)
		e = v2_pin_counters(c, ref, false, &left, &limit, &sw);
	if (e != EZ_OK)
		return e;
	if (sw == 0x6A88)
		return EZ_ERR_NOT_FOUND;
	e = v2_pin_lengths(c, ref, &min, &max, &sw);
	if (e != EZ_OK)
		return e;
	p->tries_left = left;
	p->fmt.max_tries = limit > 0 && limit <= 15 ? (unsigned)limit : DEFAULT_TRIES;
	p->fmt.min_len = min && min <= EZ_PIN_MAX ? min : DEFAULT_MIN_LEN;
	p->fmt.max_len = max && max <= EZ_PIN_MAX && max >= p->fmt.min_len ? max : EZ_PIN_MAX;
	p->fmt.stored_len = p->fmt.max_len;
	return EZ_OK;
}

static ez_err read_pins(ez_card *c, struct ez_p15_app *app)
{
	ez_err e;

	app->pins = calloc(2, sizeof(*app->pins));
	if (!app->pins)
		return EZ_ERR_NO_MEMORY;
	e = read_pin(c, PIN_REF, false, &app->pins[app->n_pins]);
	if (e == EZ_OK)
		app->n_pins++;
	else if (e != EZ_ERR_NOT_FOUND)
		return e;
	e = read_pin(c, PUK_REF, true, &app->pins[app->n_pins]);
	if (e == EZ_OK)
		app->n_pins++;
	else if (e != EZ_ERR_NOT_FOUND)
		return e;
	return EZ_OK;
}

/* ---- certificates ------------------------------------------------------------ */

/* The certificate's public key as a card holds it: the RSA modulus, or the
 * EC point. Read from the certificate's own bytes (the subjectPublicKey
 * BIT STRING), not through OpenSSL's key objects: in an application that
 * loads this module through OpenSSL's engine or provider, the key object
 * may belong to the application's configuration and not give its numbers. */
static void cert_public(struct cert *ct)
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(ct->x);
	der_reader r, in;
	der_tlv seq, n;
	const uint8_t *v;
	size_t len;

	if (!bits || bits->length <= 0)
		return;
	v = bits->data;
	len = (size_t)bits->length;
	if (EVP_PKEY_get_base_id(ct->pk) != EVP_PKEY_RSA) {
		if (len <= sizeof(ct->pub)) {
			memcpy(ct->pub, v, len);
			ct->pub_len = len;
		}
		return;
	}
	/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
	der_reader_init(&r, v, len);
	if (der_expect(&r, DER_SEQUENCE, &seq) < 0)
		return;
	der_enter(&seq, &in);
	if (der_expect(&in, DER_INTEGER, &n) < 0)
		return;
	v = n.val;
	len = n.len;
	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	if (len <= sizeof(ct->pub)) {
		memcpy(ct->pub, v, len);
		ct->pub_len = len;
	}
}

static ez_err read_cert(struct scan *s, uint16_t fid, bool *found)
{
	uint8_t f[2] = {(uint8_t)(fid >> 8), (uint8_t)fid}, fci[256], *der = NULL;
	size_t n = sizeof(fci), len = 0;
	struct cert *ct;
	uint16_t sw;
	ez_err e;

	*found = false;
	e = ez_card_send(s->c, 0x00, 0xA4, 0x02, 0x00, f, 2, EZ_LE_ANY, fci, &n, &sw);
	if (e != EZ_OK)
		return e;
	if (sw == 0x6A82)
		return EZ_OK;
	if (sw != 0x9000)
		return ez_sw_err(sw, NULL) == EZ_OK ? EZ_ERR_CARD : ez_sw_err(sw, NULL);
	*found = true;
	e = ez_card_read_ef(s->c, ez_fci_file_size(fci, n), MAX_CERT, true, &der, &len);
	if (e != EZ_OK)
		return e;
	if (s->n >= MAX_CERTS) {
		free(der);
		return EZ_OK;
	}
	ct = &s->certs[s->n];
	memset(ct, 0, sizeof(*ct));
	ct->x = ez_x509_from_der(der, len, &ct->len);
	if (!ct->x || !(ct->pk = X509_get0_pubkey(ct->x))) {
		/* An empty or damaged file: skipped, the others stay usable. */
		X509_free(ct->x);
		free(der);
		return EZ_OK;
	}
	ct->fid = fid;
	ct->der = der;
	ct->ca = X509_check_ca(ct->x) > 0;
	cert_public(ct);
	s->n++;
	return EZ_OK;
}

static ez_err read_certs(struct scan *s)
{
	unsigned misses = 0;
	bool found;
	ez_err e;

	for (unsigned lo = CERT_FIRST; lo <= CERT_LAST && misses < CERT_MISSES; lo++) {
		e = read_cert(s, (uint16_t)(0x2F00 | lo), &found);
		if (e != EZ_OK)
			return e;
		misses = found ? 0 : misses + 1;
	}
	return EZ_OK;
}

/* ---- keys ---------------------------------------------------------------------- */

struct key_header {
	unsigned bits;   /* tag 80, 0 when absent */
	bool nonrep;     /* tag 9E */
	char name[EZ_P15_LABEL_MAX];
};

static void parse_header(const uint8_t *rsp, size_t n, uint8_t tt, uint8_t id,
			 struct key_header *h)
{
	const uint8_t *v;
	size_t vl, i;

	memset(h, 0, sizeof(*h));
	if (v2_sdo_find(rsp, n, tt, id, 0xA0, 0x80, &v, &vl) && vl == 2)
		h->bits = (unsigned)v[0] << 8 | v[1];
	if (v2_sdo_find(rsp, n, tt, id, 0xA0, 0x9E, &v, &vl) && vl == 1)
		h->nonrep = v[0] != 0;
	if (v2_sdo_find(rsp, n, tt, id, 0xA0, 0x84, &v, &vl)) {
		vl = vl < sizeof(h->name) - 1 ? vl : sizeof(h->name) - 1;
		memcpy(h->name, v, vl);
		for (i = 0; i < vl; i++)
			if ((unsigned char)h->name[i] < 0x20 || h->name[i] == 0x7F)
				h->name[i] = '?';
	}
}

/* Does the key object's size fit the certificate's key? The header's
 * length is in bits (AkisCIF writes the modulus length so); bytes are
 * accepted as well. */
static bool size_fits(const struct key_header *h, const struct cert *ct)
{
	unsigned bits = (unsigned)EVP_PKEY_get_bits(ct->pk);

	return h->bits == 0 || h->bits == bits || h->bits * 8 == bits;
}

/* 1: the public key object holds the certificate's key; 0: another key;
 * -1: the card does not let it be read. */
static int public_matches(struct scan *s, const struct cert *ct, bool rsa, uint8_t id, ez_err *e)
{
	static const uint8_t modulus[] = {0x7F, 0x49, 0x02, 0x81, 0x80};
	static const uint8_t point[] = {0x7F, 0x49, 0x02, 0x86, 0x80};
	uint8_t rsp[1100];
	size_t n = sizeof(rsp), vl;
	const uint8_t *v;
	uint16_t sw;
	uint8_t tt = rsa ? SDO_RSA_PUBLIC : SDO_EC_PUBLIC;

	*e = v2_sdo_get(s->c, tt, id, rsa ? modulus : point, sizeof(modulus), rsp, &n, &sw);
	if (*e != EZ_OK || sw != 0x9000)
		return -1;
	if (!v2_sdo_find(rsp, n, tt, id, 0x7F49, rsa ? 0x81 : 0x86, &v, &vl))
		return -1;
	while (rsa && vl > 1 && v[0] == 0) {
		v++;
		vl--;
	}
	if (vl == ct->pub_len && memcmp(v, ct->pub, vl) == 0)
		return 1;
	/* An EC point stored without its 04 (uncompressed) prefix. */
	return !rsa && vl + 1 == ct->pub_len && ct->pub[0] == 0x04 &&
	       memcmp(v, ct->pub + 1, vl) == 0;
}

struct candidate {
	uint8_t id;
	struct key_header h;
};

/* Find the key of certificate `rank` (1-based); *id = 0 when none. */
static ez_err pair(struct scan *s, const struct cert *ct, unsigned rank, uint8_t *out_id,
		   struct key_header *out_h)
{
	bool rsa = EVP_PKEY_get_base_id(ct->pk) == EVP_PKEY_RSA;
	uint8_t tt = rsa ? SDO_RSA_PRIVATE : SDO_EC_PRIVATE, order[2 * KEY_ID_LAST + 1];
	static const uint8_t header[] = {0xA0, 0x80};
	struct candidate blind[2 * KEY_ID_LAST];
	size_t nblind = 0, norder = 0, i, fits = 0, which = 0;
	ez_err e = EZ_OK;

	*out_id = 0;
	if (2 * rank - 1 <= KEY_ID_LAST)
		order[norder++] = (uint8_t)(2 * rank - 1);
	for (unsigned high = 0; high <= KEY_ID_HIGH; high += KEY_ID_HIGH)
		for (unsigned id = KEY_ID_FIRST; id <= KEY_ID_LAST; id++)
			if (high || id != 2 * rank - 1)
				order[norder++] = (uint8_t)(high | id);
	for (i = 0; i < norder; i++) {
		uint8_t id = order[i], rsp[256];
		size_t n = sizeof(rsp);
		uint16_t sw;
		struct key_header h;
		int m;
		if (s->taken[id])
			continue;
		e = v2_sdo_get(s->c, tt, id, header, sizeof(header), rsp, &n, &sw);
		if (e != EZ_OK)
			return e;
		if (sw != 0x9000 && sw != 0x6982)
			continue; /* 6A 88: no such object */
		parse_header(rsp, sw == 0x9000 ? n : 0, tt, id, &h);
		m = public_matches(s, ct, rsa, id, &e);
		if (ez_card_gone(e))
			return e;
		if (m == 1) {
			*out_id = id;
			*out_h = h;
			return EZ_OK;
		}
		if (m < 0 && nblind < sizeof(blind) / sizeof(blind[0]))
			blind[nblind++] = (struct candidate){id, h};
	}
	for (i = 0; i < nblind; i++)
		if (size_fits(&blind[i].h, ct) && blind[i].h.bits) {
			fits++;
			which = i;
		}
	if (fits == 1) {
		*out_id = blind[which].id;
		*out_h = blind[which].h;
	}
	return EZ_OK;
}

/* ---- the PKCS#15-shaped description ----------------------------------------------- */

static void key_id(const struct cert *ct, struct ez_p15_id *id)
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(ct->x);
	uint8_t h[SHA_DIGEST_LENGTH];

	/* CKA_ID: SHA-1 of the public key, unique per key (the vendor's
	 * library gives both keys of a Mali Mühür card one id, which breaks
	 * Java's KeyStore). */
	if (ez_hash("SHA1", bits ? bits->data : ct->der, bits ? (size_t)bits->length : ct->len,
		    h) < 0)
		memset(h, 0, sizeof(h));
	memcpy(id->value, h, sizeof(h));
	id->len = sizeof(h);
}

static void cert_label(const struct cert *ct, const char *name, char *out)
{
	X509_NAME *subj = X509_get_subject_name(ct->x);
	int i = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	ASN1_STRING *cn = i >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i)) : NULL;
	unsigned char *utf8 = NULL;
	int n;

	if (name && name[0]) {
		snprintf(out, EZ_P15_LABEL_MAX, "%s", name);
		return;
	}
	if (cn && (n = ASN1_STRING_to_UTF8(&utf8, cn)) > 0) {
		snprintf(out, EZ_P15_LABEL_MAX, "%.*s", n, (const char *)utf8);
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				*p = '?';
	} else {
		snprintf(out, EZ_P15_LABEL_MAX, "AKIS %04X", ct->fid);
	}
	OPENSSL_free(utf8);
}

static ez_err add_key(struct ez_p15_app *app, const struct cert *ct, uint8_t id,
		      const struct key_header *h, const struct ez_p15_id *cid, const char *label)
{
	struct ez_p15_prkey *k, *grown = realloc(app->prkeys, (app->n_prkeys + 1) * sizeof(*k));
	unsigned char *subj = NULL;
	int n;

	if (!grown)
		return EZ_ERR_NO_MEMORY;
	app->prkeys = grown;
	k = &app->prkeys[app->n_prkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->label, sizeof(k->label), "%s", label);
	k->id = *cid;
	k->auth_id.value[0] = 0x01;
	k->auth_id.len = 1;
	k->type = EVP_PKEY_get_base_id(ct->pk) == EVP_PKEY_RSA ? EZ_P15_KEY_RSA : EZ_P15_KEY_EC;
	k->usage = EZ_P15_USAGE_SIGN | (h->nonrep ? EZ_P15_USAGE_NON_REPUDIATION : 0);
	/* The non-repudiation flag marks the qualified (NES) key: one PIN per
	 * signature, as the vendor's library does for it. */
	k->user_consent = h->nonrep;
	k->key_ref = (uint8_t)(0x80 | id); /* MSE names 80 | id, whichever form matched */
	k->modulus_bits = (unsigned)EVP_PKEY_get_bits(ct->pk);
	if ((n = i2d_X509_NAME(X509_get_subject_name(ct->x), &subj)) > 0) {
		k->subject = malloc((size_t)n);
		if (!k->subject) {
			OPENSSL_free(subj);
			return EZ_ERR_NO_MEMORY;
		}
		memcpy(k->subject, subj, (size_t)n);
		k->subject_len = (size_t)n;
	}
	OPENSSL_free(subj);
	app->n_prkeys++;
	return EZ_OK;
}

static ez_err add_cert(struct ez_p15_app *app, struct cert *ct, const struct ez_p15_id *cid,
		       const char *label)
{
	struct ez_p15_cert *c, *grown = realloc(app->certs, (app->n_certs + 1) * sizeof(*c));

	if (!grown)
		return EZ_ERR_NO_MEMORY;
	app->certs = grown;
	c = &app->certs[app->n_certs++];
	memset(c, 0, sizeof(*c));
	snprintf(c->label, sizeof(c->label), "%s", label);
	c->id = *cid;
	c->authority = ct->ca;
	c->path.value[0] = (uint8_t)(ct->fid >> 8);
	c->path.value[1] = (uint8_t)ct->fid;
	c->path.len = 2;
	c->der = ct->der; /* the description owns it now */
	c->der_len = ct->len;
	ct->der = NULL;
	return EZ_OK;
}

static ez_err describe(struct scan *s, struct ez_p15_app *app)
{
	unsigned rank = 0;
	ez_err e = EZ_OK;

	for (size_t i = 0; i < s->n && e == EZ_OK; i++) {
		struct cert *ct = &s->certs[i];
		struct key_header h = {0};
		struct ez_p15_id cid;
		char label[EZ_P15_LABEL_MAX];
		uint8_t id = 0;
		key_id(ct, &cid);
		if (!ct->ca) {
			rank++;
			e = pair(s, ct, rank, &id, &h);
			if (e != EZ_OK)
				break;
		}
		cert_label(ct, id ? h.name : NULL, label);
		if (id) {
			s->taken[id] = true;
			e = add_key(app, ct, id, &h, &cid, label);
		}
		if (e == EZ_OK)
			e = add_cert(app, ct, &cid, label);
	}
	return e;
}

ez_err v2_load(ez_card *c, struct ez_p15_app *app)
{
	struct scan *s = calloc(1, sizeof(*s));
	ez_err e;

	if (!s)
		return EZ_ERR_NO_MEMORY;
	s->c = c;
	e = v2_select_app(c);
	if (e == EZ_ERR_NOT_FOUND)
		e = EZ_ERR_MALFORMED; /* a TC card without the PKCS-15 application */
	if (e == EZ_OK)
		e = read_pins(c, app);
	if (e == EZ_OK)
		e = read_certs(s);
	if (e == EZ_OK)
		e = describe(s, app);
	for (size_t i = 0; i < s->n; i++) {
		X509_free(s->certs[i].x);
		free(s->certs[i].der);
	}
	free(s);
	return e;
}

/* The certificate EFs the description names (2F1x under the PKCS-15 DF),
 * each compared by its head. */
ez_err v2_unchanged(ez_card *c, const struct ez_p15_app *app)
{
	ez_err e = v2_select_app(c);

	for (size_t i = 0; e == EZ_OK && i < app->n_certs; i++) {
		const struct ez_p15_cert *ct = &app->certs[i];
		uint8_t fci[256];
		size_t n = sizeof(fci);
		uint16_t sw;
		if (ct->path.len != 2 || ct->path.index || ct->path.length)
			return EZ_ERR_CARD_CHANGED; /* not a description this dialect made */
		e = ez_card_send(c, 0x00, 0xA4, 0x02, 0x00, ct->path.value, 2, EZ_LE_ANY, fci, &n,
				 &sw);
		if (e == EZ_OK && sw != 0x9000)
			e = EZ_ERR_CARD_CHANGED; /* the EF is gone (6A 82) or refused */
		if (e == EZ_OK)
			e = ez_card_compare_head(c, 0, ct->der, ct->der_len);
	}
	return e;
}
