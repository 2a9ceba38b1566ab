/*
 * tool-sign.c: one signature over a SHA-256 digest by a token's key, in
 * the form X.509 and CMS carry (PKCS#1 v1.5 for RSA, DER for ECDSA).
 *
 * The digest is made on the host and the card signs it with CKM_RSA_PKCS
 * (over a DigestInfo) or CKM_ECDSA, the two mechanisms every module has, so
 * the tools work with the vendor's library and SoftHSM as well as eimza.
 */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "eimza/secmem.h"
#include "tools/common/tool.h"

bool ez_find_key(struct ez_module *m, CK_SESSION_HANDLE s, const struct ez_token_cert *c,
                 CK_OBJECT_HANDLE *key)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, (void *)c->id, c->id_len}};
	CK_ULONG n = 0;
	if (c->id_len == 0 || m->f->C_FindObjectsInit(s, t, 2) != CKR_OK)
		return false;
	CK_RV rv = m->f->C_FindObjects(s, key, 1, &n);
	m->f->C_FindObjectsFinal(s);
	return rv == CKR_OK && n == 1;
}

int ez_ecdsa_raw_to_der(unsigned char *sig, size_t *len, size_t cap)
{
	size_t h = *len / 2;
	unsigned char *der = NULL;
	int ret = -1;
	if (*len == 0 || *len % 2)
		return -1;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)h, NULL), *s = BN_bin2bn(sig + h, (int)h, NULL);
	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL; /* owned by es now */
		int dl = i2d_ECDSA_SIG(es, &der);
		if (dl > 0 && (size_t)dl <= cap) {
			memcpy(sig, der, (size_t)dl);
			*len = (size_t)dl;
			ret = 0;
		}
	}
	BN_free(r);
	BN_free(s);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return ret;
}

/* DigestInfo prefix of SHA-256 (RFC 8017, 9.2 note 1). */
static const unsigned char sha256_prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                0x01, 0x05, 0x00, 0x04, 0x20};

CK_RV ez_sign_digest(struct ez_module *m, CK_SESSION_HANDLE s, const CK_TOKEN_INFO *ti,
                     const struct ez_token_cert *c, const char *pin, const unsigned char dig[32],
                     unsigned char *sig, size_t *siglen)
{
	CK_OBJECT_HANDLE key;
	unsigned char in[sizeof sha256_prefix + 32];
	CK_ULONG inlen, outlen = (CK_ULONG)*siglen;
	size_t cap = *siglen;

	if (!ez_find_key(m, s, c, &key))
		return CKR_KEY_HANDLE_INVALID;
	bool ec = strcmp(c->info.key_type, "EC") == 0;
	CK_MECHANISM mech = {ec ? CKM_ECDSA : CKM_RSA_PKCS, NULL, 0};
	if (ec) {
		memcpy(in, dig, 32);
		inlen = 32;
	} else {
		memcpy(in, sha256_prefix, sizeof sha256_prefix);
		memcpy(in + sizeof sha256_prefix, dig, 32);
		inlen = sizeof in;
	}
	CK_RV rv = m->f->C_SignInit(s, &mech, key);
	/* A key with CKA_ALWAYS_AUTHENTICATE (an AKIS NES key with userConsent)
	 * wants the PIN again for this one signature. */
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE aa = {CKA_ALWAYS_AUTHENTICATE, &always, sizeof always};
	if (rv == CKR_OK && m->f->C_GetAttributeValue(s, key, &aa, 1) == CKR_OK && always) {
		if (pin && *pin) {
			rv = m->f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)pin, strlen(pin));
		} else if (ez_has_pinpad(ti)) {
			/* The keypad asks, unless the module takes the login just
			 * typed there as this signature's consent (eimza's does
			 * when nothing else went to the card since). */
			fprintf(stderr, "%s\n",
			        _("If the reader asks for it, type the PIN on its keypad again."));
			rv = m->f->C_Login(s, CKU_CONTEXT_SPECIFIC, NULL, 0);
		} else {
			/* No PIN kept: an empty one asks for the login's consent. */
			rv = m->f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)"", 0);
		}
	}
	if (rv == CKR_OK)
		rv = m->f->C_Sign(s, in, inlen, sig, &outlen);
	ez_wipe(in, sizeof in);
	if (rv != CKR_OK)
		return rv;
	*siglen = outlen;
	if (ec && ez_ecdsa_raw_to_der(sig, siglen, cap) < 0)
		return CKR_FUNCTION_FAILED;
	return CKR_OK;
}
