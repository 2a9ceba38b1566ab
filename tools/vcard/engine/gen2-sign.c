/*
 * gen2-sign.c: AKIS 2.x signing.
 *
 * MSE SET 00 22 41 B6 06 80 01 AL 84 01 KR (fact 21), KR = 80 | id (fact
 * 19), AL = 80 | hash << 3 | scheme (fact 22):
 *   82           PKCS#1 v1.5, the data a DigestInfo (or any block up to
 *                k - 11 bytes) the card pads             RSA keys
 *   89 91        PSS with SHA-1 / SHA-256, the data the bare hash  RSA
 *   99 A1        PSS with SHA-384 / SHA-512 (2.5 and later)        RSA
 *   8B 93 9B A3  ECDSA over a SHA-1/256/384/512-long hash, answer
 *                r || s (2.5 and later: 2.0-2.2 have no EC)        EC
 * Any other AL, or one that does not fit the key, answers 6A 80; an
 * unknown key 6A 88; the 1.x form 00 22 C3 6A 86 (CIF: "unsupported
 * version", fact 26).
 *
 * PSO COMPUTE DIGITAL SIGNATURE 00 2A 9E 9A Lc data 00 (fact 25) needs an
 * MSE since power-on, the PIN (81) verified, and for a key whose header
 * says non-repudiation (9E = 01) a VERIFY since its last signature (ESYA
 * sends one before every signature on such keys). Data that does not fit
 * the AL answers 67 00; there is no raw RSA on 2.x (fact 23).
 */
#include "config.h"

#include "gen2.h"

#include <string.h>

/* What an AL asks for. */
struct alg {
	unsigned scheme, hash;
};

static const char *hash_name(unsigned hash)
{
	switch (hash) {
	case VC2_HASH_SHA1:
		return "SHA1";
	case VC2_HASH_SHA256:
		return "SHA256";
	case VC2_HASH_SHA384:
		return "SHA384";
	case VC2_HASH_SHA512:
		return "SHA512";
	default:
		return NULL;
	}
}

static size_t hash_len(unsigned hash)
{
	static const size_t len[] = {0, 20, 32, 48, 64};

	return hash < sizeof(len) / sizeof(len[0]) ? len[hash] : 0;
}

/* Whether `al` is one of the card's algorithms for key `k`. */
static bool al_fits(const vcard *c, const struct vc_key *k, uint8_t al, struct alg *out)
{
	out->scheme = al & 0x07;
	out->hash = (al >> 3) & 0x0F;
	if ((al & 0x80) != VC2_AL_BASE)
		return false;
	switch (out->scheme) {
	case VC2_SCHEME_PKCS1:
		/* The hash is in the DigestInfo: no hash bits (fact 22). */
		return !k->ec && out->hash == VC2_HASH_NONE;
	case VC2_SCHEME_PSS:
		if (k->ec)
			return false;
		return out->hash == VC2_HASH_SHA1 || out->hash == VC2_HASH_SHA256 ||
		       (c->ec_commands &&
		        (out->hash == VC2_HASH_SHA384 || out->hash == VC2_HASH_SHA512));
	case VC2_SCHEME_ECDSA:
		return k->ec && c->ec_commands && hash_len(out->hash) > 0;
	default:
		return false;
	}
}

uint16_t vc_gen2_mse(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	const uint8_t *d = a->data;
	int al = -1, kr = -1;
	size_t i;
	struct alg alg;

	(void)r;
	c->se_key = -1; /* a refused MSE leaves no environment behind */
	if (a->p1 != VC2_MSE_P1 || a->p2 != VC2_MSE_P2)
		return SW_WRONG_P1P2;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	/* Two data objects of one byte each, 80 AL and 84 KR, in either order. */
	for (i = 0; i + 3 <= a->lc; i += 3) {
		if (d[i + 1] != 1)
			return SW_WRONG_DATA;
		if (d[i] == VC2_MSE_TAG_ALG && al < 0)
			al = d[i + 2];
		else if (d[i] == VC2_MSE_TAG_KEY && kr < 0)
			kr = d[i + 2];
		else
			return SW_WRONG_DATA;
	}
	if (i != a->lc || al < 0 || kr < 0)
		return SW_WRONG_DATA;
	if (!(kr & VC2_KEY_REF_BIT) || !vc_gen2_in_app_df(c))
		return SW_REF_NOT_FOUND;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == (kr & 0x7F))
			break;
	if (i == c->nkeys)
		return SW_REF_NOT_FOUND;
	if (!al_fits(c, &c->keys[i], (uint8_t)al, &alg))
		return SW_WRONG_DATA;
	c->se_key = (int)i;
	c->se_alg = (uint8_t)al;
	return SW_OK;
}

uint16_t vc_gen2_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_key *k;
	struct vc_pin *pin;
	struct alg alg;
	uint16_t sw;

	if (a->p1 != VC_PSO_P1_CDS || a->p2 != VC_PSO_P2_CDS)
		return SW_WRONG_P1P2;
	if (c->se_key < 0)
		return SW_CONDITIONS; /* no MSE since power-on */
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	k = &c->keys[c->se_key];
	pin = vc_pin_find(c, k->pin_ref);
	if (!pin || !pin->verified)
		return SW_SECURITY;
	if (k->per_signature && !k->fresh_verify)
		return SW_SECURITY;
	al_fits(c, k, c->se_alg, &alg);
	if (alg.scheme != VC2_SCHEME_PKCS1 && a->lc != hash_len(alg.hash))
		return SW_WRONG_LENGTH;
	c->last_op = k->ec ? VCARD_OP_SIGN_EC : VCARD_OP_SIGN_RSA;
	if (alg.scheme == VC2_SCHEME_PKCS1)
		sw = vc_sign_rsa_pkcs1(k, a->data, a->lc, r);
	else if (alg.scheme == VC2_SCHEME_PSS)
		sw = vc_sign_rsa_pss(k, hash_name(alg.hash), a->data, a->lc, r);
	else
		sw = vc_sign_ecdsa(k, a->data, a->lc, r);
	if (sw == SW_OK)
		k->fresh_verify = false;
	return sw;
}
