/*
 * mech.c: see mech.h.
 */
#include "config.h"

#include "mech.h"
#include "../ez-ossl.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

static const struct ez_mech mechs[] = {
	{CKM_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, NULL, EZ_HASH_NONE},
	{CKM_SHA1_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, "SHA1", EZ_HASH_SHA1},
	{CKM_SHA224_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, "SHA224", EZ_HASH_SHA224},
	{CKM_SHA256_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, "SHA256", EZ_HASH_SHA256},
	{CKM_SHA384_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, "SHA384", EZ_HASH_SHA384},
	{CKM_SHA512_RSA_PKCS, CKK_RSA, EZ_PAD_PKCS1, "SHA512", EZ_HASH_SHA512},
	{CKM_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, NULL, EZ_HASH_NONE},
	{CKM_SHA1_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, "SHA1", EZ_HASH_SHA1},
	{CKM_SHA224_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, "SHA224", EZ_HASH_SHA224},
	{CKM_SHA256_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, "SHA256", EZ_HASH_SHA256},
	{CKM_SHA384_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, "SHA384", EZ_HASH_SHA384},
	{CKM_SHA512_RSA_PKCS_PSS, CKK_RSA, EZ_PAD_PSS, "SHA512", EZ_HASH_SHA512},
	{CKM_ECDSA, CKK_EC, EZ_PAD_ECDSA, NULL, EZ_HASH_NONE},
	{CKM_ECDSA_SHA1, CKK_EC, EZ_PAD_ECDSA, "SHA1", EZ_HASH_SHA1},
	{CKM_ECDSA_SHA224, CKK_EC, EZ_PAD_ECDSA, "SHA224", EZ_HASH_SHA224},
	{CKM_ECDSA_SHA256, CKK_EC, EZ_PAD_ECDSA, "SHA256", EZ_HASH_SHA256},
	{CKM_ECDSA_SHA384, CKK_EC, EZ_PAD_ECDSA, "SHA384", EZ_HASH_SHA384},
	{CKM_ECDSA_SHA512, CKK_EC, EZ_PAD_ECDSA, "SHA512", EZ_HASH_SHA512},
};

const struct ez_mech *ez_mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].type == type)
			return &mechs[i];
	return NULL;
}

size_t ez_mech_list(CK_MECHANISM_TYPE *out, size_t cap)
{
	size_t i, n = sizeof(mechs) / sizeof(mechs[0]);

	for (i = 0; out && i < n && i < cap; i++)
		out[i] = mechs[i].type;
	return n;
}

static const struct {
	CK_MECHANISM_TYPE mech;
	const char *name;
	enum ez_hash id;
	CK_RSA_PKCS_MGF_TYPE mgf;
} digests[] = {
	{CKM_SHA_1, "SHA1", EZ_HASH_SHA1, CKG_MGF1_SHA1},
	{CKM_SHA224, "SHA224", EZ_HASH_SHA224, CKG_MGF1_SHA224},
	{CKM_SHA256, "SHA256", EZ_HASH_SHA256, CKG_MGF1_SHA256},
	{CKM_SHA384, "SHA384", EZ_HASH_SHA384, CKG_MGF1_SHA384},
	{CKM_SHA512, "SHA512", EZ_HASH_SHA512, CKG_MGF1_SHA512},
};

enum ez_hash ez_mech_hash_of(CK_MECHANISM_TYPE digest)
{
	size_t i;

	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (digests[i].mech == digest)
			return digests[i].id;
	return EZ_HASH_NONE;
}

enum ez_hash ez_mech_mgf_hash(CK_RSA_PKCS_MGF_TYPE mgf)
{
	size_t i;

	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (digests[i].mgf == mgf)
			return digests[i].id;
	return EZ_HASH_NONE;
}

const EVP_MD *ez_digest_md(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (digests[i].mech == type)
			return ez_md(digests[i].name);
	return NULL;
}

CK_MECHANISM_TYPE ez_digest_mech_of(const EVP_MD *md)
{
	size_t i;

	for (i = 0; md && i < sizeof(digests) / sizeof(digests[0]); i++)
		if (EVP_MD_is_a(md, digests[i].name))
			return digests[i].mech;
	return CK_UNAVAILABLE_INFORMATION;
}

static const EVP_MD *mgf_md(CK_RSA_PKCS_MGF_TYPE mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: return ez_md("SHA1");
	case CKG_MGF1_SHA224: return ez_md("SHA224");
	case CKG_MGF1_SHA256: return ez_md("SHA256");
	case CKG_MGF1_SHA384: return ez_md("SHA384");
	case CKG_MGF1_SHA512: return ez_md("SHA512");
	default: return NULL;
	}
}

bool ez_mech_params_ok(const struct ez_mech *m, const CK_MECHANISM *mech)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = mech->pParameter;
	const EVP_MD *md;

	if (m->pad != EZ_PAD_PSS)
		return mech->pParameter == NULL || mech->ulParameterLen == 0;
	if (!p || mech->ulParameterLen != sizeof(*p))
		return false;
	md = ez_digest_md(p->hashAlg);
	if (!md || !mgf_md(p->mgf) || p->sLen > 512)
		return false;
	/* With a hashing mechanism the parameter's hash must be that hash. */
	if (m->hash && !EVP_MD_is_a(md, m->hash))
		return false;
	return true;
}

int ez_digest_info(const char *hash, const unsigned char *h, size_t hlen, unsigned char *out,
		   size_t *outlen)
{
	/* DER prefixes of DigestInfo, RFC 8017 section 9.2 note 1. */
	static const struct {
		const char *name;
		unsigned char p[19];
		size_t n;
	} pre[] = {
		{"SHA1", {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05,
			  0x00, 0x04, 0x14}, 15},
		{"SHA224", {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
			    0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c}, 19},
		{"SHA256", {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
			    0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, 19},
		{"SHA384", {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
			    0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30}, 19},
		{"SHA512", {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
			    0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40}, 19},
	};
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		if (strcmp(pre[i].name, hash) != 0)
			continue;
		if (pre[i].p[pre[i].n - 1] != hlen || pre[i].n + hlen > *outlen)
			return -1;
		memcpy(out, pre[i].p, pre[i].n);
		memcpy(out + pre[i].n, h, hlen);
		*outlen = pre[i].n + hlen;
		return 0;
	}
	return -1;
}

static int mgf1(const EVP_MD *md, const unsigned char *seed, size_t seedlen, unsigned char *mask,
		size_t len)
{
	unsigned char buf[EVP_MAX_MD_SIZE], c[4];
	size_t done = 0, hlen = (size_t)EVP_MD_get_size(md);
	uint32_t counter = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (!ctx)
		return -1;
	while (done < len) {
		unsigned int n;
		c[0] = (unsigned char)(counter >> 24);
		c[1] = (unsigned char)(counter >> 16);
		c[2] = (unsigned char)(counter >> 8);
		c[3] = (unsigned char)counter;
		if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, seed, seedlen) ||
		    !EVP_DigestUpdate(ctx, c, 4) || !EVP_DigestFinal_ex(ctx, buf, &n))
			goto out;
		memcpy(mask + done, buf, len - done < hlen ? len - done : hlen);
		done += hlen;
		counter++;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int ez_pss_encode(const CK_RSA_PKCS_PSS_PARAMS *params, const unsigned char *h, size_t hlen,
		  unsigned bits, unsigned char *em, size_t emlen)
{
	const EVP_MD *md = ez_digest_md(params->hashAlg), *mmd = mgf_md(params->mgf);
	size_t embits = bits - 1, need = (embits + 7) / 8, slen = params->sLen, dblen, i;
	unsigned char salt[512], mprime[8 + EVP_MAX_MD_SIZE + 512], H[EVP_MAX_MD_SIZE];
	unsigned char *db = em, *mask = NULL;
	unsigned int n;
	int rc = -1;

	if (!md || !mmd || hlen != (size_t)EVP_MD_get_size(md) || slen > sizeof(salt))
		return -1;
	/* A modulus of 8k+1 bits gives one leading zero octet. */
	if (emlen != (bits + 7) / 8)
		return -1;
	if (need < emlen) {
		*em++ = 0;
		emlen--;
		db = em;
	}
	if (need < hlen + slen + 2)
		return -1;
	if (slen && RAND_bytes(salt, (int)slen) != 1)
		return -1;
	memset(mprime, 0, 8);
	memcpy(mprime + 8, h, hlen);
	memcpy(mprime + 8 + hlen, salt, slen);
	if (!EVP_Digest(mprime, 8 + hlen + slen, H, &n, md, NULL))
		return -1;
	dblen = need - hlen - 1;
	memset(db, 0, dblen - slen - 1);
	db[dblen - slen - 1] = 0x01;
	memcpy(db + dblen - slen, salt, slen);
	mask = OPENSSL_malloc(dblen);
	if (!mask || mgf1(mmd, H, hlen, mask, dblen) < 0)
		goto out;
	for (i = 0; i < dblen; i++)
		db[i] ^= mask[i];
	db[0] &= (unsigned char)(0xFF >> (8 * need - embits));
	memcpy(db + dblen, H, hlen);
	db[dblen + hlen] = 0xBC;
	rc = 0;
out:
	OPENSSL_free(mask);
	return rc;
}

static int ecdsa_der(const unsigned char *sig, size_t siglen, unsigned char **der, int *derlen)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r, *t;

	if (!s || siglen == 0 || siglen % 2)
		goto bad;
	r = BN_bin2bn(sig, (int)(siglen / 2), NULL);
	t = BN_bin2bn(sig + siglen / 2, (int)(siglen / 2), NULL);
	if (!r || !t || !ECDSA_SIG_set0(s, r, t)) {
		BN_free(r);
		BN_free(t);
		goto bad;
	}
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(s, der);
	ECDSA_SIG_free(s);
	return *derlen > 0 ? 0 : -1;
bad:
	ECDSA_SIG_free(s);
	return -1;
}

CK_RV ez_verify(const struct ez_mech *m, const CK_MECHANISM *mech, EVP_PKEY *pk,
		const unsigned char *data, size_t len, const unsigned char *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = ez_pkey_ctx(pk);
	unsigned char *der = NULL;
	int derlen = 0, ok = 0;
	CK_RV rv = CKR_SIGNATURE_INVALID;

	if (!ctx || EVP_PKEY_verify_init(ctx) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return CKR_HOST_MEMORY;
	}
	if (m->pad == EZ_PAD_ECDSA) {
		if ((size_t)EVP_PKEY_get_size(pk) < siglen / 2 || ecdsa_der(sig, siglen, &der, &derlen) < 0) {
			rv = CKR_SIGNATURE_LEN_RANGE;
			goto out;
		}
		ok = EVP_PKEY_verify(ctx, der, (size_t)derlen, data, len);
	} else if (siglen != (size_t)EVP_PKEY_get_size(pk)) {
		rv = CKR_SIGNATURE_LEN_RANGE;
		goto out;
	} else if (m->pad == EZ_PAD_PKCS1) {
		/* `data` is the DigestInfo (or raw block): recover and compare. */
		unsigned char rec[1024];
		size_t reclen = sizeof(rec);
		if (EVP_PKEY_verify_recover_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
		    EVP_PKEY_verify_recover(ctx, rec, &reclen, sig, siglen) > 0)
			ok = reclen == len && memcmp(rec, data, len) == 0;
	} else {
		const CK_RSA_PKCS_PSS_PARAMS *p = mech->pParameter;
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_signature_md(ctx, ez_digest_md(p->hashAlg)) > 0 &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf_md(p->mgf)) > 0 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)p->sLen) > 0)
			ok = EVP_PKEY_verify(ctx, sig, siglen, data, len);
	}
	rv = ok == 1 ? CKR_OK : CKR_SIGNATURE_INVALID;
out:
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return rv;
}
