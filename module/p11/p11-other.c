/*
 * p11-other.c: random numbers from the card, and every function a
 * signature card does not offer, each answering the code the specification
 * gives after the usual checks (not initialized, then the session).
 */
#include "config.h"

#include "p11-internal.h"

/* An init with a mechanism this token does not have. */
static CK_RV no_mech(const char *fn, CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
	return ez_session_then(fn, h, mech ? CKR_MECHANISM_INVALID : CKR_ARGUMENTS_BAD);
}

/* A call that needs an operation nobody could start. */
static CK_RV no_op(const char *fn, CK_SESSION_HANDLE h)
{
	return ez_session_then(fn, h, CKR_OPERATION_NOT_INITIALIZED);
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu len=%lu", h, len), h, 0);

	if (rv == CKR_OK && !out && len)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && len) {
		ez_err e = ez_card_random(c.slot->token->card, out, len);
		ez_token_card_error(c.slot->token, e);
		rv = ez_err_to_ckr(e, false);
	}
	return ez_leave(&c, rv);
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len)
{
	/* A bad argument before "not supported". */
	return ez_session_then(__func__, h,
			    !seed && len ? CKR_ARGUMENTS_BAD : CKR_RANDOM_SEED_NOT_SUPPORTED);
}

CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
		      CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
		      CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_SignRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_SignRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
		    CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_VerifyRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
		      CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
			    CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
			    CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
			  CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG l, CK_BYTE_PTR o,
			    CK_ULONG_PTR ol)
{
	(void)d, (void)l, (void)o, (void)ol;
	return no_op(__func__, h);
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		    CK_OBJECT_HANDLE_PTR k)
{
	(void)t, (void)n, (void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt,
			CK_ULONG pn, CK_ATTRIBUTE_PTR vt, CK_ULONG vn, CK_OBJECT_HANDLE_PTR pk,
			CK_OBJECT_HANDLE_PTR vk)
{
	(void)pt, (void)pn, (void)vt, (void)vn, (void)pk, (void)vk;
	return no_mech(__func__, h, m);
}

CK_RV C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
		CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)w, (void)k, (void)o, (void)ol;
	return no_mech(__func__, h, m);
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w,
		  CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
{
	(void)u, (void)w, (void)wl, (void)t, (void)n, (void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b,
		  CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
{
	(void)b, (void)t, (void)n, (void)k;
	return no_mech(__func__, h, m);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE h)
{
	return ez_session_then(__func__, h, CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE h)
{
	return ez_session_then(__func__, h, CKR_FUNCTION_NOT_PARALLEL);
}
