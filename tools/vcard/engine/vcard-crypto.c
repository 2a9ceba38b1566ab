/*
 * vcard-crypto.c: the signature primitives both generations build on,
 * with OpenSSL: RSA with PKCS#1 v1.5 padding done by the card, raw RSA
 * (1.2 only), RSA-PSS with salt = hash length (2.x, inferred: fact 24),
 * and ECDSA answering r || s (2.x 2.5+, fact 22).
 */
#include "config.h"

#include "vcard-internal.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

bool vc_key_supported(const vcard *c, EVP_PKEY *key, bool *ec, unsigned *bits)
{
	char group[32];
	BIGNUM *priv = NULL;
	int id = EVP_PKEY_get_base_id(key), b = EVP_PKEY_get_bits(key);
	bool ok;

	*ec = id == EVP_PKEY_EC;
	*bits = b > 0 ? (unsigned)b : 0;
	if (id == EVP_PKEY_RSA) {
		if (b != 2048 && b != 3072)
			return false;
		ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &priv) == 1;
	} else if (id == EVP_PKEY_EC) {
		/* No public source shows EC before AKIS 2.5 (facts 3, 23). */
		if (c->gen != VCARD_GEN_2 || !c->ec_commands)
			return false;
		if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
		                                   sizeof(group), NULL) != 1 ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0))
			return false;
		ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;
	} else {
		return false;
	}
	BN_clear_free(priv);
	return ok;
}

static uint16_t rsa_sign(const struct vc_key *k, int pad, const char *md, const uint8_t *in,
                         size_t len, struct vc_rsp *r)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	size_t out = sizeof(r->data);
	uint16_t sw = SW_NO_DIAGNOSIS;

	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0)
		goto out;
	if (md && (EVP_PKEY_CTX_set_signature_md(ctx, EVP_get_digestbyname(md)) <= 0 ||
	           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_get_digestbyname(md)) <= 0 ||
	           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
		goto out;
	if (EVP_PKEY_sign(ctx, r->data, &out, in, len) <= 0) {
		/* Raw RSA of a value not below the modulus: wrong data. */
		sw = pad == RSA_NO_PADDING ? SW_WRONG_DATA : SW_NO_DIAGNOSIS;
		goto out;
	}
	r->len = out;
	sw = SW_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

uint16_t vc_sign_rsa_pkcs1(const struct vc_key *k, const uint8_t *in, size_t len, struct vc_rsp *r)
{
	size_t mod = (size_t)EVP_PKEY_get_size(k->pkey);

	/* PKCS#1 v1.5 needs 11 bytes of padding at least. */
	if (len == 0 || len + 11 > mod)
		return SW_WRONG_LENGTH;
	return rsa_sign(k, RSA_PKCS1_PADDING, NULL, in, len, r);
}

uint16_t vc_sign_rsa_raw(const struct vc_key *k, const uint8_t *in, size_t len, struct vc_rsp *r)
{
	if (len != (size_t)EVP_PKEY_get_size(k->pkey))
		return SW_WRONG_LENGTH;
	return rsa_sign(k, RSA_NO_PADDING, NULL, in, len, r);
}

uint16_t vc_sign_rsa_pss(const struct vc_key *k, const char *md, const uint8_t *hash, size_t len,
                         struct vc_rsp *r)
{
	const EVP_MD *m = EVP_get_digestbyname(md);

	if (!m || len != (size_t)EVP_MD_get_size(m))
		return SW_WRONG_LENGTH;
	return rsa_sign(k, RSA_PKCS1_PSS_PADDING, md, hash, len, r);
}

uint16_t vc_sign_ecdsa(const struct vc_key *k, const uint8_t *hash, size_t len, struct vc_rsp *r)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	uint8_t der[160];
	const uint8_t *p = der;
	size_t derlen = sizeof(der), n = (k->bits + 7) / 8;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *br, *bs;
	uint16_t sw = SW_NO_DIAGNOSIS;

	if (len == 0 || len > 64) {
		sw = SW_WRONG_LENGTH;
		goto out;
	}
	/* OpenSSL truncates a hash longer than the group order, as ECDSA
	 * prescribes. */
	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_sign(ctx, der, &derlen, hash, len) <= 0)
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
