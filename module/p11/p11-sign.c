/*
 * p11-sign.c: C_Sign* with the card's key, C_Verify* in software with the
 * token's public keys, C_Digest* on the host.
 *
 * The host hashes (OpenSSL) and formats: a DigestInfo for PKCS#1 v1.5
 * (the card pads); for PSS the bare hash when the card encodes PSS itself
 * (AKIS 2.x), else the whole PSS block for raw RSA; a hash for ECDSA (the
 * card answers r || s, PKCS#11's own format).
 */
#include "config.h"

#include "p11-internal.h"
#include "../ez-ossl.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

#define MAX_RAW_INPUT 4096 /* multi-part input of a mechanism that does not hash */

static size_t sig_size(const struct ez_obj *k)
{
	return k->key_type == CKK_RSA ? (k->bits + 7) / 8 : 2 * ((k->bits + 7) / 8);
}

/* Start a sign or verify operation. */
static CK_RV op_init(struct ez_call *c, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		     enum ez_op op)
{
	struct ez_session *s = c->s;
	struct ez_token *t = c->slot->token;
	struct ez_obj *k;
	const struct ez_attr *a;
	const struct ez_mech *m;

	if (!mech)
		return CKR_ARGUMENTS_BAD;
	if (s->op != EZ_OP_NONE)
		return CKR_OPERATION_ACTIVE;
	m = ez_mech_find(mech->mechanism);
	if (!m)
		return CKR_MECHANISM_INVALID;
	k = ez_token_object(t, key);
	if (!k)
		return CKR_KEY_HANDLE_INVALID;
	if (k->priv && t->login != CKU_USER)
		return op == EZ_OP_SIGN ? CKR_USER_NOT_LOGGED_IN : CKR_KEY_HANDLE_INVALID;
	if (op == EZ_OP_SIGN) {
		a = ez_obj_attr(k, CKA_SIGN);
		if (k->cls != CKO_PRIVATE_KEY || !a || !*(CK_BBOOL *)a->val)
			return k->cls == CKO_PRIVATE_KEY ? CKR_KEY_FUNCTION_NOT_PERMITTED
							 : CKR_KEY_TYPE_INCONSISTENT;
	} else if (k->cls != CKO_PUBLIC_KEY && k->cls != CKO_PRIVATE_KEY) {
		return CKR_KEY_TYPE_INCONSISTENT;
	}
	if (k->key_type != m->key_type)
		return CKR_KEY_TYPE_INCONSISTENT;
	/* A signature needs a card that computes it; software verify does not. */
	if (op == EZ_OP_SIGN && !ez_token_card_can(t, m))
		return CKR_MECHANISM_INVALID;
	if (!ez_mech_params_ok(m, mech) ||
	    (op == EZ_OP_SIGN && m->pad == EZ_PAD_PSS &&
	     !ez_token_pss_params_ok(t, mech->pParameter)))
		return CKR_MECHANISM_PARAM_INVALID;
	s->mech = m;
	s->mechanism = *mech;
	if (m->pad == EZ_PAD_PSS) {
		s->pss = *(CK_RSA_PKCS_PSS_PARAMS *)mech->pParameter;
		s->mechanism.pParameter = &s->pss;
	}
	s->key = key;
	if (m->hash) {
		s->md = EVP_MD_CTX_new();
		if (!s->md || !EVP_DigestInit_ex(s->md, ez_md(m->hash), NULL)) {
			ez_session_reset_op(s);
			return CKR_HOST_MEMORY;
		}
	}
	s->op = op;
	return CKR_OK;
}

/* The bytes the mechanism works on: a hash for the hashing mechanisms,
 * the data itself otherwise. */
static CK_RV take_input(struct ez_session *s, const unsigned char *data, size_t len, bool final,
			unsigned char *out, size_t *outlen)
{
	unsigned int n;

	if (s->md) {
		if ((!final && !EVP_DigestUpdate(s->md, data, len)) ||
		    !EVP_DigestFinal_ex(s->md, out, &n))
			return CKR_GENERAL_ERROR;
		*outlen = n;
		return CKR_OK;
	}
	if (final) {
		data = s->buf;
		len = s->buflen;
	}
	if (len > *outlen)
		return CKR_DATA_LEN_RANGE;
	if (len)
		memcpy(out, data, len);
	*outlen = len;
	return CKR_OK;
}

/* Format for the card (see the file comment) and sign. */
static CK_RV card_sign(struct ez_session *s, struct ez_token *t, struct ez_obj *k,
		       const unsigned char *in, size_t inlen, unsigned char *sig, size_t *siglen)
{
	const struct ez_mech *mech = s->mech;
	unsigned char block[1024];
	size_t blen = sizeof(block), k_bytes = (k->bits + 7) / 8, out = *siglen;
	enum ez_sig_scheme scheme = EZ_SIG_PKCS1;
	enum ez_hash hash = EZ_HASH_NONE;
	ez_err e;
	CK_RV rv = CKR_OK;

	switch (mech->pad) {
	case EZ_PAD_PKCS1:
		if (mech->hash) {
			if (ez_digest_info(mech->hash, in, inlen, block, &blen) < 0)
				rv = CKR_GENERAL_ERROR;
		} else if (inlen == 0 || inlen + 11 > k_bytes) {
			rv = CKR_DATA_LEN_RANGE;
		} else {
			memcpy(block, in, inlen);
			blen = inlen;
		}
		break;
	case EZ_PAD_PSS:
		hash = ez_mech_hash_of(s->pss.hashAlg);
		if (inlen != ez_hash_len(hash)) {
			rv = CKR_DATA_LEN_RANGE;
		} else if (t->caps.raw_rsa) {
			/* The card signs raw RSA: the host encodes PSS. */
			scheme = EZ_SIG_RAW;
			if (k_bytes > sizeof(block) ||
			    ez_pss_encode(&s->pss, in, inlen, k->bits, block, k_bytes) < 0)
				rv = CKR_MECHANISM_PARAM_INVALID;
			blen = k_bytes;
		} else {
			/* The card encodes PSS itself from the bare hash. */
			scheme = EZ_SIG_PSS;
			memcpy(block, in, inlen);
			blen = inlen;
		}
		break;
	case EZ_PAD_ECDSA:
		scheme = EZ_SIG_ECDSA;
		hash = mech->hash_id;
		if (inlen == 0 || inlen > 64) {
			rv = CKR_DATA_LEN_RANGE;
		} else {
			memcpy(block, in, inlen);
			blen = inlen;
		}
		break;
	}
	e = rv == CKR_OK ? ez_card_sign(t->card, k->key_ref, scheme, hash, block, blen, sig, &out)
			 : EZ_OK;
	ez_wipe(block, sizeof(block));
	/* The transaction a context login opened ends with the operation. */
	if (s->holds_transaction)
		ez_conn_end(t->conn);
	s->holds_transaction = false;
	if (rv != CKR_OK)
		return rv;
	ez_token_card_error(t, e);
	if (e == EZ_ERR_UNSUPPORTED)
		return CKR_DATA_LEN_RANGE; /* a hash length the card takes no algorithm for */
	if (e != EZ_OK)
		return ez_err_to_ckr(e, true);
	if (out != sig_size(k))
		return CKR_DEVICE_ERROR;
	*siglen = out;
	return CKR_OK;
}

/* May this signature go to the card: the user is logged in, and a key
 * that wants a PIN for every signature (CKA_ALWAYS_AUTHENTICATE) got one.
 * The user's own C_Login counts for one such signature when nothing else
 * went to the card since its VERIFY (config login_consent, on by
 * default): OpenSSH, NSS and most PKCS#11 clients never make a
 * context-specific login, and for the card that VERIFY is exactly the
 * consent it asks for. Every later signature needs its own. */
static CK_RV may_sign(struct ez_session *s, struct ez_token *t, const struct ez_obj *k)
{
	if (t->login != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	if (!k->always_auth || s->context_login)
		return CKR_OK;
	if (ez_cfg.login_consent && ez_token_take_login_consent(t)) {
		ez_log("signature with the login's PIN as its consent");
		return CKR_OK;
	}
	return CKR_USER_NOT_LOGGED_IN; /* C_Login(CKU_CONTEXT_SPECIFIC) first */
}

/* C_Sign and C_SignFinal. */
static CK_RV sign_finish(struct ez_call *c, const unsigned char *data, size_t len, bool final,
			 CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	struct ez_session *s = c->s;
	struct ez_token *t = c->slot->token;
	struct ez_obj *k;
	unsigned char in[MAX_RAW_INPUT];
	size_t inlen = sizeof(in), size, got;
	CK_RV rv;

	if (s->op != EZ_OP_SIGN)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!siglen || (!final && !data && len)) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	k = ez_token_object(t, s->key);
	if (!k) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto end;
	}
	size = sig_size(k);
	/* One operation is either single-part or multi-part (PKCS#11 5.2):
	 * C_Sign after C_SignUpdate, or C_SignFinal after C_Sign (a size
	 * query included), is refused and the operation stays as it was. */
	if ((!final && s->multipart) || (final && s->singlepart))
		return CKR_OPERATION_ACTIVE;
	if (!final)
		s->singlepart = true;
	/* A size query or a short buffer leaves the operation active. */
	if (!sig) {
		*siglen = size;
		return CKR_OK;
	}
	if (*siglen < size) {
		*siglen = size;
		return CKR_BUFFER_TOO_SMALL;
	}
	rv = may_sign(s, t, k);
	if (rv != CKR_OK)
		goto end;
	rv = take_input(s, data, len, final, in, &inlen);
	if (rv != CKR_OK)
		goto end;
	got = size;
	rv = card_sign(s, t, k, in, inlen, sig, &got);
	if (rv == CKR_OK)
		*siglen = got;
end:
	ez_wipe(in, sizeof(in));
	ez_session_reset_op(s);
	return rv;
}

/* C_SignUpdate / C_VerifyUpdate / C_DigestUpdate: hash or collect. */
CK_RV ez_op_update(struct ez_call *c, enum ez_op op, const unsigned char *data, size_t len)
{
	struct ez_session *s = c->s;
	CK_RV rv = CKR_OK;

	if (s->op != op)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!data && len) {
		ez_session_reset_op(s);
		return CKR_ARGUMENTS_BAD;
	}
	if (s->singlepart)
		return CKR_OPERATION_ACTIVE;
	s->multipart = true;
	if (s->md) {
		if (!EVP_DigestUpdate(s->md, data, len))
			rv = CKR_GENERAL_ERROR;
	} else if (len > MAX_RAW_INPUT - s->buflen) {
		/* Not buflen + len: a huge len would wrap around. */
		rv = CKR_DATA_LEN_RANGE;
	} else if (len) {
		unsigned char *b = realloc(s->buf, s->buflen + len);
		if (!b) {
			rv = CKR_HOST_MEMORY;
		} else {
			s->buf = b;
			memcpy(s->buf + s->buflen, data, len);
			s->buflen += len;
		}
	}
	if (rv != CKR_OK)
		ez_session_reset_op(s);
	return rv;
}

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu mech=%s key=%lu", h,
					    ez_mech_arg(mech), key),
				    h, 0);

	if (rv == CKR_OK)
		rv = op_init(&c, mech, key, EZ_OP_SIGN);
	return ez_leave(&c, rv);
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	     CK_ULONG_PTR siglen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu sig=%s", h, len,
					    sig ? "(buffer)" : "NULL"),
				    h, 0);

	if (rv == CKR_OK)
		rv = sign_finish(&c, data, len, false, sig, siglen);
	return ez_leave(&c, rv);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu", h, len), h, 0);

	if (rv == CKR_OK)
		rv = ez_op_update(&c, EZ_OP_SIGN, data, len);
	return ez_leave(&c, rv);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu sig=%s", h,
					    sig ? "(buffer)" : "NULL"),
				    h, 0);

	if (rv == CKR_OK)
		rv = sign_finish(&c, NULL, 0, true, sig, siglen);
	return ez_leave(&c, rv);
}

/* ---- verify ----------------------------------------------------------------- */

static CK_RV verify_finish(struct ez_call *c, const unsigned char *data, size_t len, bool final,
			   const unsigned char *sig, size_t siglen)
{
	struct ez_session *s = c->s;
	struct ez_obj *k;
	unsigned char in[MAX_RAW_INPUT], block[1024];
	size_t inlen = sizeof(in), blen = sizeof(block);
	CK_RV rv;

	if (s->op != EZ_OP_VERIFY)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!sig || (!final && !data && len)) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	if ((!final && s->multipart) || (final && s->singlepart))
		return CKR_OPERATION_ACTIVE; /* one operation, one mode (see sign_finish) */
	k = ez_token_object(c->slot->token, s->key);
	if (!k || !k->pub) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto end;
	}
	rv = take_input(s, data, len, final, in, &inlen);
	if (rv != CKR_OK)
		goto end;
	if (s->mech->pad == EZ_PAD_PKCS1 && s->mech->hash) {
		if (ez_digest_info(s->mech->hash, in, inlen, block, &blen) < 0) {
			rv = CKR_GENERAL_ERROR;
			goto end;
		}
		rv = ez_verify(s->mech, &s->mechanism, k->pub, block, blen, sig, siglen);
	} else {
		rv = ez_verify(s->mech, &s->mechanism, k->pub, in, inlen, sig, siglen);
	}
end:
	ez_session_reset_op(s);
	return rv;
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu mech=%s key=%lu", h,
					    ez_mech_arg(mech), key),
				    h, 0);

	if (rv == CKR_OK)
		rv = op_init(&c, mech, key, EZ_OP_VERIFY);
	return ez_leave(&c, rv);
}

CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	       CK_ULONG siglen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu siglen=%lu", h,
					    len, siglen),
				    h, 0);

	if (rv == CKR_OK)
		rv = verify_finish(&c, data, len, false, sig, siglen);
	return ez_leave(&c, rv);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu", h, len), h, 0);

	if (rv == CKR_OK)
		rv = ez_op_update(&c, EZ_OP_VERIFY, data, len);
	return ez_leave(&c, rv);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG siglen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu siglen=%lu", h, siglen),
				    h, 0);

	if (rv == CKR_OK)
		rv = verify_finish(&c, NULL, 0, true, sig, siglen);
	return ez_leave(&c, rv);
}
