/*
 * vcard-sign.c: MSE (the AKIS form 00 22 C3 keyref, no data) and PSO
 * COMPUTE DIGITAL SIGNATURE 00 2A 9E 9A with OpenSSL.
 *
 * RSA: input shorter than the modulus is a DigestInfo (or any block up to
 * k - 11 bytes) that the card pads with PKCS#1 v1.5; input exactly the
 * modulus length is raw RSA (it arrives with command chaining). EC: the
 * input is a hash; the answer is r || s, each the curve's byte length.
 * A key with userConsent needs a VERIFY of its PIN since its last
 * signature.
 */
#include "config.h"

#include "vcard-internal.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

uint16_t vc_sign_mse(vcard *c, const struct vc_apdu *a)
{
	size_t i;

	if (a->p1 != AKIS_MSE_P1_SELECT_KEY)
		return SW_WRONG_P1P2; /* the ISO template forms are not part of AKIS */
	if (a->lc)
		return SW_WRONG_LENGTH;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == a->p2) {
			c->sel_key = (int)i;
			return SW_OK;
		}
	c->sel_key = -1;
	return SW_REF_NOT_FOUND;
}

static uint16_t sign_rsa(const struct vc_key *k, const uint8_t *in, size_t len,
			 struct vc_rsp *r)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	size_t mod = (size_t)EVP_PKEY_get_size(k->pkey), out = sizeof(r->data);
	uint16_t sw = SW_OK;
	int pad;

	if (len == mod)
		pad = RSA_NO_PADDING;
	else if (len > 0 && len + 11 <= mod)
		pad = RSA_PKCS1_PADDING;
	else
		sw = SW_WRONG_LENGTH;
	if (sw == SW_OK && (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
			    EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0))
		sw = SW_NO_DIAGNOSIS;
	/* Raw RSA of a value not below the modulus fails: wrong data. */
	if (sw == SW_OK && EVP_PKEY_sign(ctx, r->data, &out, in, len) <= 0)
		sw = pad == RSA_NO_PADDING ? SW_WRONG_DATA : SW_NO_DIAGNOSIS;
	if (sw == SW_OK)
		r->len = out;
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

static uint16_t sign_ec(const struct vc_key *k, const uint8_t *in, size_t len, struct vc_rsp *r)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	uint8_t der[160];
	const uint8_t *p = der;
	size_t derlen = sizeof(der), n;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *br, *bs;
	uint16_t sw = SW_NO_DIAGNOSIS;
	int bits = EVP_PKEY_get_bits(k->pkey);

	n = (size_t)(bits + 7) / 8;
	if (len == 0 || len > 64) {
		sw = SW_WRONG_LENGTH;
		goto out;
	}
	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 || EVP_PKEY_sign(ctx, der, &derlen, in, len) <= 0)
		goto out;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (!sig)
		goto out;
	ECDSA_SIG_get0(sig, &br, &bs);
	if (2 * n > sizeof(r->data) || BN_bn2binpad(br, r->data, (int)n) < 0 ||
	    BN_bn2binpad(bs, r->data + n, (int)n) < 0)
		goto out;
	r->len = 2 * n;
	sw = SW_OK;
out:
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

uint16_t vc_sign_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_key *k;
	uint16_t sw;

	if (a->p1 != AKIS_PSO_P1_CDS || a->p2 != AKIS_PSO_P2_CDS)
		return SW_WRONG_P1P2;
	if (c->sel_key < 0)
		return SW_CONDITIONS; /* no MSE since power on */
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	k = &c->keys[c->sel_key];
	if (!vc_pin_verified(c, k->pin_ref))
		return SW_SECURITY;
	if (k->user_consent && !k->consent_ok)
		return SW_SECURITY;
	if (EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA) {
		c->last_op = VCARD_OP_SIGN_RSA;
		sw = sign_rsa(k, a->data, a->lc, r);
	} else {
		c->last_op = VCARD_OP_SIGN_EC;
		sw = sign_ec(k, a->data, a->lc, r);
	}
	/* userConsent: one signature per VERIFY. */
	if (sw == SW_OK && k->user_consent && akis_profile.sign_drops_pin_with_user_consent)
		k->consent_ok = false;
	return sw;
}
