/*
 * p11-rv.c: the one mapping from the card side's errors to CK_RV.
 */
#include "config.h"

#include "p11-internal.h"

CK_RV ez_err_to_ckr(ez_err e, bool need_login)
{
	switch (e) {
	case EZ_OK:
		return CKR_OK;
	case EZ_ERR_NO_MEMORY:
		return CKR_HOST_MEMORY;
	case EZ_ERR_NO_CARD:
		return CKR_TOKEN_NOT_PRESENT;
	case EZ_ERR_NO_READER:
	case EZ_ERR_CARD_REMOVED:
	case EZ_ERR_CARD_CHANGED:
	case EZ_ERR_CARD_UNREADY:
		return CKR_DEVICE_REMOVED;
	case EZ_ERR_CARD_RESET:
		/* Another program reset the card: the login is gone. */
		return need_login ? CKR_USER_NOT_LOGGED_IN : CKR_DEVICE_ERROR;
	case EZ_ERR_SECURITY:
		return CKR_USER_NOT_LOGGED_IN;
	case EZ_ERR_PIN_INCORRECT:
		return CKR_PIN_INCORRECT;
	case EZ_ERR_PIN_LOCKED:
		return CKR_PIN_LOCKED;
	case EZ_ERR_PIN_LEN:
		return CKR_PIN_LEN_RANGE;
	case EZ_ERR_PIN_INVALID:
	case EZ_ERR_PAD_MISMATCH:
		return CKR_PIN_INVALID;
	case EZ_ERR_PAD_CANCELLED:
	case EZ_ERR_PAD_TIMEOUT:
		/* PKCS#11 has no "timed out"; OpenSC answers both so too. The
		 * debug log tells them apart. */
		return CKR_FUNCTION_CANCELED;
	case EZ_ERR_DATA_LEN:
		return CKR_DATA_LEN_RANGE;
	case EZ_ERR_NOT_AKIS:
		return CKR_TOKEN_NOT_RECOGNIZED;
	case EZ_ERR_UNSUPPORTED:
		return CKR_FUNCTION_NOT_SUPPORTED;
	case EZ_ERR_ARGS:
		return CKR_GENERAL_ERROR;
	case EZ_ERR_NO_SERVICE:
	case EZ_ERR_SHARING:
	case EZ_ERR_TRANSPORT:
	case EZ_ERR_CARD:
	case EZ_ERR_MALFORMED:
	case EZ_ERR_NOT_FOUND:
		return CKR_DEVICE_ERROR;
	}
	return CKR_GENERAL_ERROR;
}

void ez_token_card_error(struct ez_token *t, ez_err e)
{
	/* The card lost its security state, or the module cannot know it kept
	 * it: reset by another program, power lost, pulled out (even if pcscd
	 * did not notice before it came back), the exchange broken. The login
	 * is forgotten, never replayed. */
	if (t && (e == EZ_ERR_CARD_RESET || e == EZ_ERR_SECURITY || e == EZ_ERR_CARD_REMOVED ||
		  e == EZ_ERR_NO_CARD || e == EZ_ERR_NO_READER || e == EZ_ERR_NO_SERVICE ||
		  e == EZ_ERR_TRANSPORT || e == EZ_ERR_CARD_UNREADY))
		ez_token_forget_login(t);
	if (e != EZ_OK)
		ez_log("card: %s", ez_err_name(e));
}
