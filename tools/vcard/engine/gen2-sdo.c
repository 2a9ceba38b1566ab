/*
 * gen2-sdo.c: AKIS 2.x security data objects, read with GET DATA odd INS
 *   00 CB 3F FF Lc 4D L BF tt id L <templates> 00      (facts 14, 31, 32)
 *
 * Objects: BF 81 0n PIN objects (VERIFY P2 8n), BF 90 id RSA private key,
 * BF 91 id EC private key, BF A0 id RSA public key, BF A1 id EC public key
 * (the public key of the private key with the same id, fact 18). Keys and
 * PINs live in the PKCS-15 DF; from anywhere else, or when absent, the
 * answer is 6A 88.
 *
 * The templates a query may name, each "whole" (tag 80) or as a list of
 * wanted tags each followed by 80:
 *   A0   header: 80 key length in bits, 84 name, 9A max tries, 9B tries
 *        left, 9C/9D usage counters, 9E non-repudiation flag (fact 15);
 *   7F41 PIN lengths: 80 max, 81 min (fact 32);
 *   7F49 public key: 81 modulus, 82 exponent (fact 18); 86 EC point
 *        (inferred: CIF has no EC public-key read).
 * A template the object does not carry answers 6A 88; a wanted tag the
 * template does not hold is left out. Everything is readable without a
 * PIN (facts 10a, 31); with vcard_set_public_keys_protected() the public
 * keys answer 69 82 instead ("exists but protected", fact 14).
 *
 * The answer: BF tt id L { template L { TLVs } ... } with BER lengths;
 * a 2048-bit modulus makes it longer than 256 bytes, so it comes in parts
 * through 61 XX and GET RESPONSE.
 */
#include "config.h"

#include "gen2.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>

#include <eimza/der.h>

#define MAX_TEMPLATES 4
#define MAX_WANTED 16

struct wanted_template {
	unsigned tag;
	bool whole;
	unsigned tags[MAX_WANTED];
	size_t ntags;
};

struct query {
	uint8_t type, id;
	struct wanted_template t[MAX_TEMPLATES];
	size_t n;
};

/* A BER length at *p (1 to 3 bytes). -1 when malformed. */
static long ber_len(const uint8_t **p, const uint8_t *end)
{
	long n;

	if (*p >= end)
		return -1;
	n = *(*p)++;
	if (n < 0x80)
		return n;
	if (n == 0x81 && *p < end)
		return *(*p)++;
	if (n == 0x82 && end - *p >= 2) {
		n = (long)(*p)[0] << 8 | (*p)[1];
		*p += 2;
		return n;
	}
	return -1;
}

/* A tag of 1 to 3 bytes (BER continuation). -1 when malformed. */
static long ber_tag(const uint8_t **p, const uint8_t *end)
{
	unsigned long t;
	int k;

	if (*p >= end)
		return -1;
	t = *(*p)++;
	if ((t & 0x1F) != 0x1F)
		return (long)t;
	for (k = 0; k < 2; k++) {
		if (*p >= end)
			return -1;
		t = t << 8 | **p;
		if (!(*(*p)++ & 0x80))
			return (long)t;
	}
	return -1;
}

/* Parse "4D L BF tt id L items". -1 for anything else. */
static int parse_query(const uint8_t *d, size_t n, struct query *q)
{
	const uint8_t *p = d, *end = d + n;
	long len, tag;

	memset(q, 0, sizeof(*q));
	if (n < 1 || *p++ != VC2_EHL_TAG || (len = ber_len(&p, end)) < 0 || len != end - p)
		return -1;
	/* The object's tag: BF tt id, always three bytes (ESYA also asks for
	 * BF 90 (80|id), which BER would read as a longer tag). */
	if (end - p < 3 || p[0] != VC2_SDO_TAG0)
		return -1;
	q->type = p[1];
	q->id = p[2];
	p += 3;
	if ((len = ber_len(&p, end)) < 0 || len != end - p || len == 0)
		return -1;
	while (p < end) {
		struct wanted_template *t;
		const uint8_t *sub_end;

		if (q->n >= MAX_TEMPLATES || (tag = ber_tag(&p, end)) < 0 || p >= end)
			return -1;
		t = &q->t[q->n++];
		t->tag = (unsigned)tag;
		if (*p == VC2_EHL_WHOLE) {
			t->whole = true;
			p++;
			continue;
		}
		len = *p++;
		if (len == 0 || len > 0x7F || len > end - p)
			return -1;
		sub_end = p + len;
		while (p < sub_end) {
			if (t->ntags >= MAX_WANTED || (tag = ber_tag(&p, sub_end)) < 0 ||
			    p >= sub_end || *p++ != VC2_EHL_WHOLE)
				return -1;
			t->tags[t->ntags++] = (unsigned)tag;
		}
	}
	return 0;
}

/* The object a query names: a PIN or a key (private or public). */
struct object {
	const struct vc_pin *pin;
	const struct vc_key *key;
	bool public_part;
};

static int find_object(const vcard *c, const struct query *q, struct object *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	if (q->id & 0x80)
		return -1;
	if (q->type == VC2_SDO_PIN) {
		for (i = 0; i < c->npins; i++)
			if (c->pins[i].ref == (0x80 | q->id))
				o->pin = &c->pins[i];
		return o->pin ? 0 : -1;
	}
	for (i = 0; i < c->nkeys; i++) {
		const struct vc_key *k = &c->keys[i];
		if (k->ref != q->id)
			continue;
		if ((q->type == VC2_SDO_RSA_PRIVATE && !k->ec) ||
		    (q->type == VC2_SDO_EC_PRIVATE && k->ec)) {
			o->key = k;
		} else if ((q->type == VC2_SDO_RSA_PUBLIC && !k->ec) ||
		           (q->type == VC2_SDO_EC_PUBLIC && k->ec)) {
			o->key = k;
			o->public_part = true;
		}
	}
	return o->key ? 0 : -1;
}

/* The tags each template holds, in the order a whole template answers. */
static const unsigned pin_header[] = {VC2_HDR_NAME, VC2_HDR_MAX_TRIES, VC2_HDR_TRIES_LEFT,
                                      VC2_HDR_MAX_USES, VC2_HDR_USES_LEFT};
static const unsigned private_header[] = {VC2_HDR_KEY_BITS, VC2_HDR_NAME, VC2_HDR_MAX_USES,
                                          VC2_HDR_USES_LEFT, VC2_HDR_NON_REPUDIATION};
static const unsigned public_header[] = {VC2_HDR_KEY_BITS, VC2_HDR_NAME};
static const unsigned pin_lengths[] = {VC2_PINLEN_MAX, VC2_PINLEN_MIN};
static const unsigned rsa_public[] = {VC2_PUB_MODULUS, VC2_PUB_EXPONENT};
static const unsigned ec_public[] = {VC2_PUB_EC_POINT};

struct template_def {
	const unsigned *tags;
	size_t n;
};

static int template_of(const struct object *o, unsigned tag, struct template_def *t)
{
#define SET(a) (t->tags = (a), t->n = sizeof(a) / sizeof((a)[0]), 0)
	if (tag == VC2_TPL_HEADER)
		return o->pin ? SET(pin_header)
		              : (o->public_part ? SET(public_header) : SET(private_header));
	if (tag == VC2_TPL_PIN_LENGTHS && o->pin)
		return SET(pin_lengths);
	if (tag == VC2_TPL_PUBLIC_KEY && o->public_part)
		return o->key->ec ? SET(ec_public) : SET(rsa_public);
	return -1;
#undef SET
}

static void put_u16(der_buf *b, unsigned tag, unsigned v)
{
	uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	der_put(b, tag, x, 2);
}

static void put_u8(der_buf *b, unsigned tag, unsigned v)
{
	uint8_t x = (uint8_t)v;

	der_put(b, tag, &x, 1);
}

static void put_bn(der_buf *b, unsigned tag, EVP_PKEY *k, const char *param, int pad)
{
	BIGNUM *bn = NULL;
	uint8_t v[512];
	int n;

	if (EVP_PKEY_get_bn_param(k, param, &bn) != 1 || BN_num_bytes(bn) > (int)sizeof(v)) {
		b->failed = true;
		BN_free(bn);
		return;
	}
	n = pad ? BN_bn2binpad(bn, v, pad) : BN_bn2bin(bn, v);
	BN_free(bn);
	if (n <= 0) {
		b->failed = true;
		return;
	}
	der_put(b, tag, v, (size_t)n);
}

/* One tag of one template of object `o`; nothing when it has none. */
static void put_field(der_buf *b, const struct object *o, unsigned tpl, unsigned tag)
{
	const struct vc_pin *p = o->pin;
	const struct vc_key *k = o->key;
	const char *name = p ? p->name : k->label;

	if (tpl == VC2_TPL_PIN_LENGTHS) {
		put_u8(b, tag, tag == VC2_PINLEN_MAX ? p->max_len : p->min_len);
		return;
	}
	if (tpl == VC2_TPL_PUBLIC_KEY) {
		uint8_t point[1 + 2 * 66];
		size_t n = 0;

		if (tag == VC2_PUB_MODULUS)
			put_bn(b, tag, k->pkey, OSSL_PKEY_PARAM_RSA_N, EVP_PKEY_get_size(k->pkey));
		else if (tag == VC2_PUB_EXPONENT)
			put_bn(b, tag, k->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		else if (EVP_PKEY_get_octet_string_param(k->pkey,
		                                         OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
		                                         sizeof(point), &n) == 1)
			der_put(b, tag, point, n);
		else
			b->failed = true;
		return;
	}
	switch (tag) {
	case VC2_HDR_KEY_BITS:
		put_u16(b, tag, k->bits);
		break;
	case VC2_HDR_NAME:
		if (*name)
			der_put(b, tag, name, strlen(name));
		break;
	case VC2_HDR_MAX_TRIES:
		put_u8(b, tag, p->max_tries);
		break;
	case VC2_HDR_TRIES_LEFT:
		put_u8(b, tag, p->tries);
		break;
	case VC2_HDR_MAX_USES:
	case VC2_HDR_USES_LEFT:
		put_u16(b, tag, 0xFFFF); /* unlimited: our choice */
		break;
	case VC2_HDR_NON_REPUDIATION:
		put_u8(b, tag, k->per_signature ? 1 : 0);
		break;
	}
}

static bool holds(const struct template_def *def, unsigned tag)
{
	size_t i;

	for (i = 0; i < def->n; i++)
		if (def->tags[i] == tag)
			return true;
	return false;
}

static uint16_t answer(const struct query *q, const struct object *o, struct vc_rsp *r)
{
	der_buf b;
	size_t i, j, outer, m;
	uint16_t sw = SW_OK;

	der_buf_init(&b);
	outer = der_open(&b, (unsigned)(VC2_SDO_TAG0 << 16 | q->type << 8 | q->id));
	for (i = 0; i < q->n && sw == SW_OK; i++) {
		const struct wanted_template *t = &q->t[i];
		struct template_def def;

		if (template_of(o, t->tag, &def) < 0) {
			sw = SW_REF_NOT_FOUND;
			break;
		}
		m = der_open(&b, t->tag);
		for (j = 0; j < (t->whole ? def.n : t->ntags); j++) {
			unsigned tag = t->whole ? def.tags[j] : t->tags[j];
			if (holds(&def, tag))
				put_field(&b, o, t->tag, tag);
		}
		der_close(&b, m);
	}
	der_close(&b, outer);
	if (sw == SW_OK && (der_buf_finish(&b) < 0 || b.len > sizeof(r->data)))
		sw = SW_NO_DIAGNOSIS;
	if (sw == SW_OK) {
		memcpy(r->data, b.data, b.len);
		r->len = b.len;
	}
	der_buf_free(&b);
	return sw;
}

uint16_t vc_gen2_get_sdo(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct query q;
	struct object o;

	if (a->p1 != 0x3F || a->p2 != 0xFF)
		return SW_WRONG_P1P2;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (parse_query(a->data, a->lc, &q) < 0)
		return SW_WRONG_DATA;
	if (!vc_gen2_in_app_df(c) || find_object(c, &q, &o) < 0)
		return SW_REF_NOT_FOUND;
	if (o.public_part && c->protect_public_keys)
		return SW_SECURITY;
	return answer(&q, &o, r);
}
