/*
 * perso-pkcs15.c: DER of the PKCS#15 files (see perso-pkcs15.h and
 * docs/pkcs15-layout.md, which this follows element by element).
 */
#include "config.h"

#include "perso-pkcs15.h"

#include <string.h>

const uint8_t p15_aid[P15_AID_LEN] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50,
				      0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};

/* Token manufacturer as AKIS cards name it. */
#define P15_MANUFACTURER "TÜBİTAK BİLGEM"

/* PasswordFlags bits. */
#define PIN_FLAG_LOCAL (1u << 1)
#define PIN_FLAG_INITIALIZED (1u << 4)
#define PIN_FLAG_UNBLOCKING (1u << 6)
#define PIN_FLAG_SO (1u << 7)
/* CommonObjectAttributes flags. */
#define OBJ_FLAG_PRIVATE (1u << 0)
#define OBJ_FLAG_MODIFIABLE (1u << 1)
/* KeyAccessFlags. */
#define ACCESS_SENSITIVE (1u << 0)
#define ACCESS_ALWAYS_SENSITIVE (1u << 2)
#define ACCESS_NEVER_EXTRACTABLE (1u << 3)
#define ACCESS_LOCAL (1u << 4)
/* TokenFlags. */
#define TOKEN_LOGIN_REQUIRED (1u << 1)

size_t p15_path(uint8_t out[6], uint16_t fid)
{
	out[0] = 0x3F;
	out[1] = 0x00;
	out[2] = (uint8_t)(P15_FID_APP_DF >> 8);
	out[3] = (uint8_t)P15_FID_APP_DF;
	if (!fid)
		return 4;
	out[4] = (uint8_t)(fid >> 8);
	out[5] = (uint8_t)fid;
	return 6;
}

/* Path ::= SEQUENCE { path OCTET STRING } */
static void put_path(der_buf *b, uint16_t fid)
{
	uint8_t p[6];
	size_t n = p15_path(p, fid);
	size_t m = der_open(b, DER_SEQUENCE);

	der_put(b, DER_OCTET_STRING, p, n);
	der_close(b, m);
}

void p15_ef_dir(der_buf *b, const char *label)
{
	uint8_t p[6];
	size_t n = p15_path(p, 0);
	size_t m = der_open(b, DER_APP_CONS(1)); /* 61 */

	der_put(b, DER_APP(15), p15_aid, P15_AID_LEN); /* 4F */
	if (label)
		der_put_str(b, DER_APP(16), label); /* 50 */
	der_put(b, DER_APP(17), p, n);              /* 51 */
	der_close(b, m);
}

static void odf_entry(der_buf *b, unsigned tag, uint16_t fid)
{
	size_t m = der_open(b, tag);

	put_path(b, fid);
	der_close(b, m);
}

void p15_odf(der_buf *b)
{
	odf_entry(b, DER_CTX_CONS(8), P15_FID_AODF);  /* authObjects */
	odf_entry(b, DER_CTX_CONS(0), P15_FID_PRKDF); /* privateKeys */
	odf_entry(b, DER_CTX_CONS(1), P15_FID_PUKDF); /* publicKeys */
	odf_entry(b, DER_CTX_CONS(4), P15_FID_CDF);   /* certificates */
}

void p15_tokeninfo(der_buf *b, const uint8_t serial[VCARD_SERIAL_LEN], const char *label)
{
	size_t m = der_open(b, DER_SEQUENCE);

	der_put_uint(b, DER_INTEGER, 0);
	der_put(b, DER_OCTET_STRING, serial, VCARD_SERIAL_LEN);
	der_put_str(b, DER_UTF8_STRING, P15_MANUFACTURER);
	if (label)
		der_put_str(b, DER_CTX(0), label);
	der_put_bits(b, DER_BIT_STRING, TOKEN_LOGIN_REQUIRED);
	der_close(b, m);
}

static void pin_object(der_buf *b, const char *label, uint8_t auth_id, uint8_t unblocked_by,
                       uint32_t pin_flags, uint8_t ref, unsigned min_len, unsigned max_len)
{
	size_t obj = der_open(b, DER_SEQUENCE), m, a;
	uint8_t pad = 0xFF;

	m = der_open(b, DER_SEQUENCE); /* CommonObjectAttributes */
	der_put_str(b, DER_UTF8_STRING, label);
	der_put_bits(b, DER_BIT_STRING, OBJ_FLAG_PRIVATE | OBJ_FLAG_MODIFIABLE);
	if (unblocked_by)
		der_put(b, DER_OCTET_STRING, &unblocked_by, 1);
	der_close(b, m);

	m = der_open(b, DER_SEQUENCE); /* CommonAuthenticationObjectAttributes */
	der_put(b, DER_OCTET_STRING, &auth_id, 1);
	der_close(b, m);

	m = der_open(b, DER_CTX_CONS(1));
	a = der_open(b, DER_SEQUENCE); /* PinAttributes */
	der_put_bits(b, DER_BIT_STRING, pin_flags);
	der_put_uint(b, DER_ENUMERATED, 1); /* ascii-numeric */
	der_put_uint(b, DER_INTEGER, min_len);
	der_put_uint(b, DER_INTEGER, max_len); /* storedLength */
	der_put_uint(b, DER_INTEGER, max_len); /* maxLength */
	der_put_uint(b, DER_CTX(0), ref);
	der_put(b, DER_OCTET_STRING, &pad, 1);
	put_path(b, 0);
	der_close(b, a);
	der_close(b, m);
	der_close(b, obj);
}

void p15_aodf(der_buf *b, const struct p15_pin_lengths *l)
{
	pin_object(b, "PIN", P15_AUTH_ID_PIN, P15_AUTH_ID_PUK,
	           PIN_FLAG_LOCAL | PIN_FLAG_INITIALIZED, P15_PIN_REF, l->pin_min, l->pin_max);
	pin_object(b, "PUK", P15_AUTH_ID_PUK, 0,
	           PIN_FLAG_LOCAL | PIN_FLAG_INITIALIZED | PIN_FLAG_UNBLOCKING | PIN_FLAG_SO,
	           P15_PUK_REF, l->puk_min, l->puk_max);
}

/* CommonObjectAttributes with just a label (public objects). */
static void plain_common(der_buf *b, const char *label)
{
	size_t m = der_open(b, DER_SEQUENCE);

	der_put_str(b, DER_UTF8_STRING, label);
	der_close(b, m);
}

static void prkdf_entry(der_buf *b, const struct p15_key *k)
{
	size_t obj = der_open(b, k->ec ? DER_CTX_CONS(0) : DER_SEQUENCE), m, a;
	uint8_t auth = P15_AUTH_ID_PIN;

	m = der_open(b, DER_SEQUENCE); /* CommonObjectAttributes */
	der_put_str(b, DER_UTF8_STRING, k->label);
	der_put_bits(b, DER_BIT_STRING, OBJ_FLAG_PRIVATE);
	der_put(b, DER_OCTET_STRING, &auth, 1);
	if (k->user_consent)
		der_put_uint(b, DER_INTEGER, 1);
	der_close(b, m);

	m = der_open(b, DER_SEQUENCE); /* CommonKeyAttributes */
	der_put(b, DER_OCTET_STRING, k->id, sizeof(k->id));
	der_put_bits(b, DER_BIT_STRING, k->usage);
	der_put_bool(b, DER_BOOLEAN, true); /* native */
	der_put_bits(b, DER_BIT_STRING,
	             ACCESS_SENSITIVE | ACCESS_ALWAYS_SENSITIVE | ACCESS_NEVER_EXTRACTABLE |
	                 ACCESS_LOCAL);
	der_put_uint(b, DER_INTEGER, k->key_ref);
	der_close(b, m);

	if (k->subject && k->subject_len) {
		m = der_open(b, DER_CTX_CONS(0));
		a = der_open(b, DER_SEQUENCE); /* CommonPrivateKeyAttributes */
		der_put_raw(b, k->subject, k->subject_len);
		der_close(b, a);
		der_close(b, m);
	}

	m = der_open(b, DER_CTX_CONS(1));
	a = der_open(b, DER_SEQUENCE); /* PrivateRSAKeyAttributes / PrivateECKeyAttributes */
	put_path(b, 0);
	if (k->ec) {
		size_t ki = der_open(b, DER_SEQUENCE); /* keyInfo: paramsAndOps */
		der_put_oid_text(b, k->curve_oid);
		der_close(b, ki);
	} else {
		der_put_uint(b, DER_INTEGER, k->bits);
	}
	der_close(b, a);
	der_close(b, m);
	der_close(b, obj);
}

void p15_prkdf(der_buf *b, const struct p15_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		prkdf_entry(b, &keys[i]);
}

void p15_pukdf(der_buf *b, const struct p15_key *keys, size_t n)
{
	size_t i, obj, m, a;

	for (i = 0; i < n; i++) {
		const struct p15_key *k = &keys[i];

		obj = der_open(b, k->ec ? DER_CTX_CONS(0) : DER_SEQUENCE);
		plain_common(b, k->label);
		m = der_open(b, DER_SEQUENCE); /* CommonKeyAttributes */
		der_put(b, DER_OCTET_STRING, k->id, sizeof(k->id));
		der_put_bits(b, DER_BIT_STRING, P15_USAGE_VERIFY);
		der_close(b, m);
		m = der_open(b, DER_CTX_CONS(1));
		a = der_open(b, DER_SEQUENCE);
		put_path(b, k->pubkey_fid);
		if (!k->ec)
			der_put_uint(b, DER_INTEGER, k->bits);
		der_close(b, a);
		der_close(b, m);
		der_close(b, obj);
	}
}

void p15_cdf(der_buf *b, const struct p15_key *keys, size_t n)
{
	size_t i, obj, m, a;

	for (i = 0; i < n; i++) {
		const struct p15_key *k = &keys[i];

		obj = der_open(b, DER_SEQUENCE); /* x509Certificate */
		plain_common(b, k->label);
		m = der_open(b, DER_SEQUENCE); /* CommonCertificateAttributes */
		der_put(b, DER_OCTET_STRING, k->id, sizeof(k->id));
		der_close(b, m);
		m = der_open(b, DER_CTX_CONS(1));
		a = der_open(b, DER_SEQUENCE);
		put_path(b, k->cert_fid);
		der_close(b, a);
		der_close(b, m);
		der_close(b, obj);
	}
}
