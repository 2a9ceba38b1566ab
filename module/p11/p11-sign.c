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

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

#define MAX_RAW_INPUT 4096 /* multi-part input of a mechanism that does not hash */

static size_t sig_size(const struct ez_obj *k)
{
	return k->key_type == CKK_RSA ? (k->bits + 7) / 8 : 2 * ((k->bits + 7) / 8);
}

/* Start a sign or verify operation. */
static CK_RV op_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key,
		     enum ez_op op)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_obj *k;
	const struct ez_attr *a;
	const struct ez_mech *m;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	if (!mech) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->op != EZ_OP_NONE) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	m = ez_mech_find(mech->mechanism);
	if (!m) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	k = ez_token_object(slot->token, key);
	if (!k || (k->priv && slot->token->login != CKU_USER)) {
		rv = op == EZ_OP_SIGN && slot->token->login != CKU_USER ? CKR_USER_NOT_LOGGED_IN
									 : CKR_KEY_HANDLE_INVALID;
		if (k == NULL)
			rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	if (op == EZ_OP_SIGN) {
		a = ez_obj_attr(k, CKA_SIGN);
		if (k->cls != CKO_PRIVATE_KEY || !a || !*(CK_BBOOL *)a->val) {
			rv = k->cls == CKO_PRIVATE_KEY ? CKR_KEY_FUNCTION_NOT_PERMITTED
						       : CKR_KEY_TYPE_INCONSISTENT;
			goto out;
		}
	} else if (k->cls != CKO_PUBLIC_KEY && k->cls != CKO_PRIVATE_KEY) {
		rv = CKR_KEY_TYPE_INCONSISTENT;
		goto out;
	}
	if (k->key_type != m->key_type) {
		rv = CKR_KEY_TYPE_INCONSISTENT;
		goto out;
	}
	/* A signature needs a card that computes it; software verify does not. */
	if (op == EZ_OP_SIGN && !ez_token_card_can(slot->token, m)) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	if (!ez_mech_params_ok(m, mech) ||
	    (op == EZ_OP_SIGN && m->pad == EZ_PAD_PSS &&
	     !ez_token_pss_params_ok(slot->token, mech->pParameter))) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	s->mech = m;
	s->mechanism = *mech;
	if (m->pad == EZ_PAD_PSS) {
		s->pss = *(CK_RSA_PKCS_PSS_PARAMS *)mech->pParameter;
		s->mechanism.pParameter = &s->pss;
	}
	s->key = key;
	if (m->hash) {
		s->md = EVP_MD_CTX_new();
		if (!s->md || !EVP_DigestInit_ex(s->md, EVP_get_digestbyname(m->hash), NULL)) {
			ez_session_reset_op(s);
			rv = CKR_HOST_MEMORY;
			goto out;
		}
	}
	s->op = op;
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
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

/* What a signature needs from its session, copied so the card work can run
 * without the module lock (other cards keep working meanwhile). */
struct sign_job {
	const struct ez_mech *mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
	bool holds_transaction;
};

/* Format for the card (see the file comment) and sign. Slot lock held,
 * not the module lock: the card's error goes back in *card_err, for the
 * caller to apply to the token's login once it holds both (the login is
 * read by calls that hold the module lock only). */
static CK_RV card_sign(const struct sign_job *j, struct ez_token *t, struct ez_obj *k,
		       const unsigned char *in, size_t inlen, unsigned char *sig, size_t *siglen,
		       ez_err *card_err)
{
	unsigned char block[1024];
	size_t blen = sizeof(block), k_bytes = (k->bits + 7) / 8, out = *siglen;
	enum ez_sig_scheme scheme = EZ_SIG_PKCS1;
	enum ez_hash hash = EZ_HASH_NONE;
	ez_err e;
	CK_RV rv = CKR_OK;

	switch (j->mech->pad) {
	case EZ_PAD_PKCS1:
		if (j->mech->hash) {
			if (ez_digest_info(j->mech->hash, in, inlen, block, &blen) < 0)
				rv = CKR_GENERAL_ERROR;
		} else if (inlen == 0 || inlen + 11 > k_bytes) {
			rv = CKR_DATA_LEN_RANGE;
		} else {
			memcpy(block, in, inlen);
			blen = inlen;
		}
		break;
	case EZ_PAD_PSS:
		hash = ez_mech_hash_of(j->pss.hashAlg);
		if (inlen != ez_hash_len(hash)) {
			rv = CKR_DATA_LEN_RANGE;
		} else if (t->caps.raw_rsa) {
			/* The card signs raw RSA: the host encodes PSS. */
			scheme = EZ_SIG_RAW;
			if (k_bytes > sizeof(block) ||
			    ez_pss_encode(&j->pss, in, inlen, k->bits, block, k_bytes) < 0)
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
		hash = j->mech->hash_id;
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
	if (j->holds_transaction)
		ez_conn_end(t->conn);
	if (rv != CKR_OK)
		return rv;
	*card_err = e;
	if (e == EZ_ERR_UNSUPPORTED)
		return CKR_DATA_LEN_RANGE; /* a hash length the card takes no algorithm for */
	if (e != EZ_OK)
		return ez_err_to_ckr(e, true);
	if (out != sig_size(k))
		return CKR_DEVICE_ERROR;
	*siglen = out;
	return CKR_OK;
}

/* C_Sign and C_SignFinal. */
static CK_RV sign_finish(CK_SESSION_HANDLE h, const unsigned char *data, size_t len, bool final,
			 CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_obj *k;
	unsigned char in[MAX_RAW_INPUT];
	size_t inlen = sizeof(in), size, got;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	if (s->op != EZ_OP_SIGN) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (!siglen || (!final && !data && len)) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	k = ez_token_object(slot->token, s->key);
	if (!k) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto end;
	}
	size = sig_size(k);
	/* One operation is either single-part or multi-part (PKCS#11 5.2):
	 * C_Sign after C_SignUpdate, or C_SignFinal after C_Sign (a size
	 * query included), is refused and the operation stays as it was. */
	if ((!final && s->multipart) || (final && s->singlepart)) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	if (!final)
		s->singlepart = true;
	/* A size query or a short buffer leaves the operation active. */
	if (!sig) {
		*siglen = size;
		goto out;
	}
	if (*siglen < size) {
		*siglen = size;
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	if (slot->token->login != CKU_USER) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto end;
	}
	if (k->always_auth && !s->context_login) {
		rv = CKR_USER_NOT_LOGGED_IN; /* CKA_ALWAYS_AUTHENTICATE: C_Login(CKU_CONTEXT_SPECIFIC) first */
		goto end;
	}
	rv = take_input(s, data, len, final, in, &inlen);
	if (rv != CKR_OK)
		goto end;
	got = size;
	{
		/* The card work runs under the slot lock only: the module lock is
		 * released so other slots (and calls that need no card) go on. The
		 * token cannot go away meanwhile: dropping it takes this slot lock. */
		struct sign_job job = {s->mech, s->pss, s->holds_transaction};
		struct ez_token *t = slot->token;
		unsigned long gen = t->generation;
		ez_err e = EZ_OK;
		s->holds_transaction = false;
		ez_mutex_lock(slot->lock);
		ez_mutex_unlock(ez_mod.lock);
		rv = card_sign(&job, t, k, in, inlen, sig, &got, &e);
		ez_mutex_unlock(slot->lock);
		ez_mutex_lock(ez_mod.lock);
		if (e != EZ_OK && slot->token && slot->token->generation == gen) {
			ez_mutex_lock(slot->lock);
			ez_token_card_error(slot->token, e);
			ez_mutex_unlock(slot->lock);
		}
		/* The session may have closed meanwhile (the card was removed). */
		if (ez_session_get(h, &s, &slot) != CKR_OK) {
			if (rv == CKR_OK)
				*siglen = got;
			goto out;
		}
	}
	if (rv == CKR_OK)
		*siglen = got;
end:
	ez_session_reset_op(s);
out:
	ez_wipe(in, sizeof(in));
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

/* C_SignUpdate / C_VerifyUpdate / C_DigestUpdate: hash or collect. */
static CK_RV update(CK_SESSION_HANDLE h, enum ez_op op, const unsigned char *data, size_t len)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	if (s->op != op) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (!data && len) {
		rv = CKR_ARGUMENTS_BAD;
		goto fail;
	}
	if (s->singlepart) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
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
fail:
	if (rv != CKR_OK)
		ez_session_reset_op(s);
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	return op_init(h, mech, key, EZ_OP_SIGN);
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	     CK_ULONG_PTR siglen)
{
	return sign_finish(h, data, len, false, sig, siglen);
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	return update(h, EZ_OP_SIGN, data, len);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	return sign_finish(h, NULL, 0, true, sig, siglen);
}

/* ---- verify ----------------------------------------------------------------- */

static CK_RV verify_finish(CK_SESSION_HANDLE h, const unsigned char *data, size_t len,
			   bool final, const unsigned char *sig, size_t siglen)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_obj *k;
	unsigned char in[MAX_RAW_INPUT], block[1024];
	size_t inlen = sizeof(in), blen = sizeof(block);
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	if (s->op != EZ_OP_VERIFY) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (!sig || (!final && !data && len)) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	k = ez_token_object(slot->token, s->key);
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
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	return op_init(h, mech, key, EZ_OP_VERIFY);
}

CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	       CK_ULONG siglen)
{
	return verify_finish(h, data, len, false, sig, siglen);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	return update(h, EZ_OP_VERIFY, data, len);
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG siglen)
{
	return verify_finish(h, NULL, 0, true, sig, siglen);
}

/* ---- digest ----------------------------------------------------------------- */

CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
	struct ez_session *s;
	struct ez_slot *slot;
	const EVP_MD *md;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && !mech)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && s->op != EZ_OP_NONE)
		rv = CKR_OPERATION_ACTIVE;
	if (rv == CKR_OK && !(md = ez_digest_md(mech->mechanism)))
		rv = CKR_MECHANISM_INVALID;
	if (rv == CKR_OK && mech->pParameter)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK) {
		s->md = EVP_MD_CTX_new();
		if (!s->md || !EVP_DigestInit_ex(s->md, md, NULL)) {
			ez_session_reset_op(s);
			rv = CKR_HOST_MEMORY;
		} else {
			s->op = EZ_OP_DIGEST;
		}
	}
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

static CK_RV digest_finish(CK_SESSION_HANDLE h, const unsigned char *data, size_t len,
			   bool final, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	struct ez_session *s;
	struct ez_slot *slot;
	unsigned int n;
	size_t size;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	if (s->op != EZ_OP_DIGEST) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (!outlen || (!final && !data && len)) {
		rv = CKR_ARGUMENTS_BAD;
		ez_session_reset_op(s);
		goto out;
	}
	if ((!final && s->multipart) || (final && s->singlepart)) {
		rv = CKR_OPERATION_ACTIVE; /* one operation, one mode (see sign_finish) */
		goto out;
	}
	if (!final)
		s->singlepart = true;
	size = (size_t)EVP_MD_CTX_get_size(s->md);
	if (!out) {
		*outlen = size;
		goto out;
	}
	if (*outlen < size) {
		*outlen = size;
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	if ((!final && !EVP_DigestUpdate(s->md, data, len)) || !EVP_DigestFinal_ex(s->md, out, &n))
		rv = CKR_GENERAL_ERROR;
	else
		*outlen = n;
	ez_session_reset_op(s);
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
	       CK_ULONG_PTR outlen)
{
	return digest_finish(h, data, len, false, out, outlen);
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	return update(h, EZ_OP_DIGEST, data, len);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	return digest_finish(h, NULL, 0, true, out, outlen);
}

CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;

	(void)key;
	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && s->op != EZ_OP_DIGEST)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (rv == CKR_OK)
		rv = CKR_KEY_INDIGESTIBLE; /* keys on a signature card are sensitive */
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}
