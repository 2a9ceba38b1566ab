/*
 * p11-login.c: the login state, which belongs to the token and is shared
 * by all its sessions, as the specification says (Java's SunPKCS11 depends
 * on it): C_Login, C_Logout, C_InitPIN, C_SetPIN.
 *
 * PIN rules: the module sends a VERIFY only inside the C_Login the caller
 * made, never again on its own; PIN buffers are wiped after use. The PUK
 * given to C_Login(CKU_SO) is kept (locked in memory) only until C_Logout
 * or C_InitPIN, and only on cards whose unblock command carries it (AKIS
 * 1.x); on 2.x the unblock relies on the PUK the SO login verified. Every
 * PIN command first asks pcscd about the reader (EZ_NEED_FRESH): a PIN
 * never goes to a card the token was not read from.
 *
 * On a PIN-pad reader (CKF_PROTECTED_AUTHENTICATION_PATH) a NULL PIN has
 * the reader's keypad take it: C_Login (user, SO, context-specific),
 * C_SetPIN with both PINs NULL, C_InitPIN with a NULL PIN. The module
 * never sees that PIN. Change and unblock need a reader that can modify
 * (FEATURE_MODIFY_PIN_DIRECT); one that only verifies answers
 * CKR_FUNCTION_NOT_SUPPORTED there and takes PINs given in the call.
 */
#include "config.h"

#include "p11-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

/* Update the cached counter from the card's answer to a PIN command. */
static void note_tries(int *cache, ez_err e, int tries, unsigned max)
{
	if (e == EZ_OK)
		*cache = (int)max;
	else if (e == EZ_ERR_PIN_INCORRECT)
		*cache = tries;
	else if (e == EZ_ERR_PIN_LOCKED)
		*cache = 0;
}

/* CKU_CONTEXT_SPECIFIC: the VERIFY right before this operation's
 * signature (a key with CKA_ALWAYS_AUTHENTICATE). */
static CK_RV context_login(struct ez_call *c, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_session *s = c->s;
	struct ez_token *t = c->slot->token;
	int tries = -1;
	ez_err e;
	CK_RV rv;

	if (s->op != EZ_OP_SIGN)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (t->login != CKU_USER)
		return CKR_USER_NOT_LOGGED_IN;
	/* NSS (pdfsig, Firefox) answers a context login with an empty PIN
	 * when it has none to give: no card takes an empty PIN, so it stands
	 * for "the PIN just typed for C_Login", the consent login_consent
	 * allows (see p11-sign.c). Without that consent it is refused before
	 * the card, as any PIN of the wrong length. A NULL PIN on a PIN-pad
	 * reader is the same: the PIN was just typed on the keypad for the
	 * login; without the consent the keypad asks. */
	if ((!pin || len == 0) && ez_cfg.login_consent && ez_token_take_login_consent(t)) {
		ez_log("an empty context PIN: the login's PIN is the consent");
		s->context_login = true;
		return CKR_OK;
	}
	/* VERIFY, MSE and PSO must not be split by another program: hold the
	 * card's transaction until the signature is made. */
	e = s->holds_transaction ? EZ_OK : ez_conn_begin(t->conn);
	if (e == EZ_OK) {
		s->holds_transaction = true;
		e = pin ? ez_card_verify(t->card, &t->user_fmt, pin, len, &tries)
			: ez_card_pad_verify(t->card, &t->user_fmt, &tries);
	}
	note_tries(&t->user_tries, e, tries, t->user_fmt.max_tries);
	ez_token_card_error(t, e);
	if (e == EZ_OK && ez_token_object(t, s->key))
		s->context_login = true;
	rv = ez_err_to_ckr(e, true);
	return rv == CKR_USER_NOT_LOGGED_IN ? CKR_PIN_INCORRECT : rv;
}

static CK_RV login(struct ez_call *c, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_token *t = c->slot->token;
	void *puk_copy = NULL;
	int tries = -1;
	ez_err e = EZ_OK;
	CK_RV rv;

	if (user != CKU_USER && user != CKU_SO && user != CKU_CONTEXT_SPECIFIC)
		return CKR_USER_TYPE_INVALID;
	/* A NULL PIN: typed on the reader's keypad, if it has one. */
	if (!pin && !(ez_token_pad(t) & EZ_PAD_VERIFY))
		return CKR_ARGUMENTS_BAD;
	if (user == CKU_CONTEXT_SPECIFIC)
		return context_login(c, pin, len);
	if (t->login == user)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (t->login != EZ_NOT_LOGGED)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (user == CKU_SO && !t->has_so)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (user == CKU_SO && ez_sessions_ro_on(c->slot->id))
		return CKR_SESSION_READ_ONLY_EXISTS;
	/* The PUK is copied before it goes to the card: a copy that failed
	 * after a right PUK would leave an SO login that cannot unblock. */
	if (user == CKU_SO && pin && ez_card_unblock_needs_puk(t->card) &&
	    !(puk_copy = ez_secret_dup(pin, len)))
		return CKR_HOST_MEMORY;
	if (!pin)
		ez_log("the PIN is typed on the reader's keypad");
	/* A reset found when the VERIFY was to be sent means it never reached
	 * the card (PC/SC reports the reset instead of transmitting); the
	 * transport has reconnected, so it is sent once, now. */
	for (int attempt = 0; attempt < 2; attempt++) {
		const struct ez_pin_format *f = user == CKU_USER ? &t->user_fmt : &t->so_fmt;
		e = pin ? ez_card_verify(t->card, f, pin, len, &tries)
			: ez_card_pad_verify(t->card, f, &tries);
		note_tries(user == CKU_USER ? &t->user_tries : &t->so_tries, e, tries,
			   f->max_tries);
		if (e != EZ_ERR_CARD_RESET)
			break;
	}
	if (e == EZ_ERR_CARD_RESET) {
		/* Reset twice in a row: give up; nothing was tried. */
		ez_secret_free(puk_copy, len);
		return CKR_DEVICE_ERROR;
	}
	if (e == EZ_OK) {
		t->login = user;
		if (user == CKU_SO) {
			t->so_authorized = true;
			t->so_secret = puk_copy;
			t->so_secret_len = len;
			puk_copy = NULL;
		} else {
			ez_token_note_user_login(t);
		}
	}
	ez_secret_free(puk_copy, len);
	ez_token_card_error(t, e);
	rv = ez_err_to_ckr(e, false);
	return e == EZ_ERR_SECURITY ? CKR_PIN_INCORRECT : rv;
}

CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_call c;
	/* A context login goes to the card the signature it belongs to was
	 * started on, inside that operation: the card's handle itself fails if
	 * the card left since (no pcscd query per signature). */
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu user=%lu pin=%s", h, user,
					    pin ? "(given)" : "NULL"),
				    h, user == CKU_CONTEXT_SPECIFIC ? 0 : EZ_NEED_FRESH);

	if (rv == CKR_OK)
		rv = login(&c, user, pin, len);
	return ez_leave(&c, rv);
}

CK_RV C_Logout(CK_SESSION_HANDLE h)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, EZ_NEED_FRESH);

	if (rv == CKR_OK && c.slot->token->login == EZ_NOT_LOGGED)
		rv = CKR_USER_NOT_LOGGED_IN;
	if (rv == CKR_OK) {
		ez_sessions_reset_slot(c.slot->id);
		ez_card_logout(c.slot->token->card);
		ez_token_forget_login(c.slot->token);
	}
	return ez_leave(&c, rv);
}

/* Unblock: RESET RETRY COUNTER with the new PIN, authorized by the PUK
 * this SO login verified (1.x cards take the PUK again in the command; it
 * was right a moment ago, so this is not a new guess). */
static CK_RV init_pin(struct ez_call *c, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_token *t = c->slot->token;
	int tries = -1;
	ez_err e;

	if (t->login != CKU_SO || !(c->s->flags & CKF_RW_SESSION))
		return CKR_USER_NOT_LOGGED_IN;
	if (!pin && !(ez_token_pad(t) & EZ_PAD_VERIFY))
		return CKR_ARGUMENTS_BAD;
	if (!pin && !(ez_token_pad(t) & EZ_PAD_MODIFY))
		return CKR_FUNCTION_NOT_SUPPORTED; /* a keypad that only verifies */
	/* One unblock per SO login: the PUK it verified is spent here (and
	 * wiped), a second C_InitPIN needs the PUK again. On the keypad a 1.x
	 * card's command takes the PUK typed again, so nothing kept is needed. */
	if (!t->so_authorized || (pin && !t->so_secret && ez_card_unblock_needs_puk(t->card)))
		return CKR_USER_NOT_LOGGED_IN;
	if (pin)
		e = ez_card_unblock_pin(t->card, &t->so_fmt, t->so_secret, t->so_secret_len,
					&t->user_fmt, pin, len, &tries);
	else
		e = ez_card_pad_unblock(t->card, &t->so_fmt, &t->user_fmt, &tries);
	/* Nothing reached the card (the keypad's Cancel, its time, two new
	 * PINs that differ): the SO login may still unblock. */
	if (e == EZ_ERR_PAD_CANCELLED || e == EZ_ERR_PAD_TIMEOUT || e == EZ_ERR_PAD_MISMATCH) {
		ez_token_card_error(t, e);
		return ez_err_to_ckr(e, true);
	}
	t->so_authorized = false;
	ez_secret_free(t->so_secret, t->so_secret_len);
	t->so_secret = NULL;
	t->so_secret_len = 0;
	if (e == EZ_OK)
		t->user_tries = (int)t->user_fmt.max_tries;
	else
		note_tries(&t->so_tries, e, tries, t->so_fmt.max_tries);
	ez_token_card_error(t, e);
	return ez_err_to_ckr(e, true);
}

CK_RV C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, EZ_NEED_FRESH);

	if (rv == CKR_OK)
		rv = init_pin(&c, pin, len);
	return ez_leave(&c, rv);
}

/* CHANGE REFERENCE DATA: in an SO session the SO PIN (the PUK), else the
 * user PIN. */
static CK_RV set_pin(struct ez_call *c, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
		     CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
	struct ez_token *t = c->slot->token;
	const struct ez_pin_format *f = t->login == CKU_SO ? &t->so_fmt : &t->user_fmt;
	void *new_copy = NULL;
	int tries = -1;
	ez_err e;

	if (!(c->s->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if (!old_pin && !new_pin && (ez_token_pad(t) & EZ_PAD_VERIFY)) {
		/* Both typed on the keypad: the current one, the new one twice. */
		if (!(ez_token_pad(t) & EZ_PAD_MODIFY))
			return CKR_FUNCTION_NOT_SUPPORTED;
		e = ez_card_pad_change(t->card, f, &tries);
		note_tries(t->login == CKU_SO ? &t->so_tries : &t->user_tries, e, tries,
			   f->max_tries);
		if (e == EZ_OK && t->login == CKU_SO && t->so_secret) {
			/* The PUK an SO login kept is the old one now: gone with it
			 * (an unblock then has the PUK typed on the keypad). */
			ez_secret_free(t->so_secret, t->so_secret_len);
			t->so_secret = NULL;
			t->so_secret_len = 0;
		}
		ez_token_card_error(t, e);
		return ez_err_to_ckr(e, false);
	}
	if (!old_pin || !new_pin)
		return CKR_ARGUMENTS_BAD;
	/* The new PUK an SO login keeps is copied before the card changes. */
	if (t->login == CKU_SO && t->so_secret && !(new_copy = ez_secret_dup(new_pin, new_len)))
		return CKR_HOST_MEMORY;
	e = ez_card_change_pin(t->card, f, old_pin, old_len, new_pin, new_len, &tries);
	if (t->login == CKU_SO)
		note_tries(&t->so_tries, e, tries, t->so_fmt.max_tries);
	else
		note_tries(&t->user_tries, e, tries, t->user_fmt.max_tries);
	if (e == EZ_OK && new_copy) {
		/* Keep the SO secret in step with the card. */
		ez_secret_free(t->so_secret, t->so_secret_len);
		t->so_secret = new_copy;
		t->so_secret_len = new_len;
		new_copy = NULL;
	}
	ez_secret_free(new_copy, new_len);
	ez_token_card_error(t, e);
	return ez_err_to_ckr(e, false);
}

CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
	       CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, EZ_NEED_FRESH);

	if (rv == CKR_OK)
		rv = set_pin(&c, old_pin, old_len, new_pin, new_len);
	return ez_leave(&c, rv);
}
