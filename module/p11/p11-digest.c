/*
 * p11-digest.c: C_Digest* on the host (OpenSSL, the module's own library
 * context: see mech.c). Digests need no card, so no call here talks to it.
 */
#include "config.h"

#include "p11-internal.h"

CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
	struct ez_call c;
	const EVP_MD *md = NULL;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu mech=%s", h, ez_mech_arg(mech)),
				    h, 0);

	if (rv == CKR_OK && !mech)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && c.s->op != EZ_OP_NONE)
		rv = CKR_OPERATION_ACTIVE;
	if (rv == CKR_OK && !(md = ez_digest_md(mech->mechanism)))
		rv = CKR_MECHANISM_INVALID;
	if (rv == CKR_OK && mech->pParameter)
		rv = CKR_MECHANISM_PARAM_INVALID;
	if (rv == CKR_OK) {
		c.s->md = EVP_MD_CTX_new();
		if (!c.s->md || !EVP_DigestInit_ex(c.s->md, md, NULL)) {
			ez_session_reset_op(c.s);
			rv = CKR_HOST_MEMORY;
		} else {
			c.s->op = EZ_OP_DIGEST;
		}
	}
	return ez_leave(&c, rv);
}

static CK_RV digest_finish(struct ez_session *s, const unsigned char *data, size_t len,
			   bool final, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	unsigned int n;
	size_t size;
	CK_RV rv = CKR_OK;

	if (s->op != EZ_OP_DIGEST)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!outlen || (!final && !data && len)) {
		ez_session_reset_op(s);
		return CKR_ARGUMENTS_BAD;
	}
	/* One operation, one mode (see sign_finish in p11-sign.c). */
	if ((!final && s->multipart) || (final && s->singlepart))
		return CKR_OPERATION_ACTIVE;
	if (!final)
		s->singlepart = true;
	size = (size_t)EVP_MD_CTX_get_size(s->md);
	if (!out) {
		*outlen = size;
		return CKR_OK;
	}
	if (*outlen < size) {
		*outlen = size;
		return CKR_BUFFER_TOO_SMALL;
	}
	if ((!final && !EVP_DigestUpdate(s->md, data, len)) || !EVP_DigestFinal_ex(s->md, out, &n))
		rv = CKR_GENERAL_ERROR;
	else
		*outlen = n;
	ez_session_reset_op(s);
	return rv;
}

CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
	       CK_ULONG_PTR outlen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu", h, len), h, 0);

	if (rv == CKR_OK)
		rv = digest_finish(c.s, data, len, false, out, outlen);
	return ez_leave(&c, rv);
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu", h, len), h, 0);

	if (rv == CKR_OK)
		rv = ez_op_update(&c, EZ_OP_DIGEST, data, len);
	return ez_leave(&c, rv);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR outlen)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);

	if (rv == CKR_OK)
		rv = digest_finish(c.s, NULL, 0, true, out, outlen);
	return ez_leave(&c, rv);
}

CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu key=%lu", h, key), h, 0);

	if (rv == CKR_OK && c.s->op != EZ_OP_DIGEST)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (rv == CKR_OK)
		rv = CKR_KEY_INDIGESTIBLE; /* keys on a signature card are sensitive */
	return ez_leave(&c, rv);
}
