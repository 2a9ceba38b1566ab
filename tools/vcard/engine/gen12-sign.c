/*
 * gen12-sign.c: AKIS 1.2 signing. MSE 00 22 C3 keyref with no data
 * selects the key (ESYA's 1.x template, shared with the 1.0 driver); PSO
 * COMPUTE DIGITAL SIGNATURE 00 2A 9E 9A: a block up to k - 11 bytes (a
 * DigestInfo, or any block) is padded by the card with PKCS#1 v1.5; a
 * block of exactly k bytes is raw RSA (it arrives chained with CLA 10).
 * 1.x cards have RSA only: no public source shows EC before AKIS 2.5.
 */
#include "config.h"

#include "gen12.h"

uint16_t vc_gen12_mse(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	size_t i;

	(void)r;
	c->se_key = -1;
	if (a->p1 != VC12_MSE_P1)
		return SW_WRONG_P1P2; /* the ISO template forms (41 B6) are 2.x's */
	if (a->lc)
		return SW_WRONG_LENGTH;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == a->p2) {
			c->se_key = (int)i;
			return SW_OK;
		}
	return SW_REF_NOT_FOUND;
}

uint16_t vc_gen12_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_key *k;
	struct vc_pin *pin;
	size_t mod;
	uint16_t sw;

	if (a->p1 != VC_PSO_P1_CDS || a->p2 != VC_PSO_P2_CDS)
		return SW_WRONG_P1P2;
	if (c->se_key < 0)
		return SW_CONDITIONS; /* no MSE since power on */
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	k = &c->keys[c->se_key];
	pin = vc_pin_find(c, k->pin_ref);
	if (!pin || !pin->verified)
		return SW_SECURITY;
	/* userConsent (the PrKDF says it): one signature per VERIFY. */
	if (k->per_signature && !k->fresh_verify)
		return SW_SECURITY;
	c->last_op = VCARD_OP_SIGN_RSA;
	mod = (size_t)EVP_PKEY_get_size(k->pkey);
	if (a->lc == mod)
		sw = vc_sign_rsa_raw(k, a->data, a->lc, r);
	else
		sw = vc_sign_rsa_pkcs1(k, a->data, a->lc, r);
	if (sw == SW_OK)
		k->fresh_verify = false;
	return sw;
}
