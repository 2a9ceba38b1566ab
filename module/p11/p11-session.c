/*
 * p11-session.c: sessions and the login state, which belongs to the token
 * and is shared by all its sessions, as the specification says (Java's
 * SunPKCS11 depends on it).
 *
 * PIN rules: the module sends a VERIFY only inside the C_Login the caller
 * made, never again on its own; PIN buffers are wiped after use. The PUK
 * given to C_Login(CKU_SO) is kept (locked in memory) only until C_Logout
 * or C_InitPIN, and only on cards whose unblock command carries it (AKIS
 * 1.x); on 2.x the unblock relies on the PUK the SO login verified.
 */
#include "config.h"

#include "p11-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

void ez_session_reset_op(struct ez_session *s)
{
	if (s->holds_transaction) {
		struct ez_slot *slot = ez_slot_find(s->slot);
		if (slot && slot->token && slot->token->generation == s->generation)
			ez_conn_end(slot->token->conn);
		s->holds_transaction = false;
	}
	EVP_MD_CTX_free(s->md);
	s->md = NULL;
	if (s->buf) {
		ez_wipe(s->buf, s->buflen);
		free(s->buf);
	}
	s->buf = NULL;
	s->buflen = 0;
	free(s->found);
	s->found = NULL;
	s->nfound = s->pos = 0;
	s->op = EZ_OP_NONE;
	s->mech = NULL;
	s->context_login = false;
	s->multipart = false;
	s->singlepart = false;
}

static void remove_at(size_t i)
{
	ez_session_reset_op(ez_mod.sessions[i]);
	free(ez_mod.sessions[i]);
	ez_mod.sessions[i] = ez_mod.sessions[--ez_mod.nsessions];
}

size_t ez_sessions_on(CK_SLOT_ID id, bool rw_only)
{
	size_t i, n = 0;

	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->slot == id &&
		    (!rw_only || (ez_mod.sessions[i]->flags & CKF_RW_SESSION)))
			n++;
	return n;
}

void ez_sessions_close_slot(CK_SLOT_ID id)
{
	size_t i = 0;

	while (i < ez_mod.nsessions) {
		if (ez_mod.sessions[i]->slot == id)
			remove_at(i);
		else
			i++;
	}
}

/* The last session of a token closed: the login ends (PKCS#11 11.6). */
static void logout_if_last(struct ez_slot *slot)
{
	if (ez_sessions_on(slot->id, false) == 0 && slot->token &&
	    slot->token->login != EZ_NOT_LOGGED) {
		ez_mutex_lock(slot->lock);
		ez_card_logout(slot->token->card);
		ez_token_forget_login(slot->token);
		ez_mutex_unlock(slot->lock);
	}
}

static long find_index(CK_SESSION_HANDLE h)
{
	size_t i;

	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->handle == h)
			return (long)i;
	return -1;
}

CK_RV ez_session_get(CK_SESSION_HANDLE h, struct ez_session **out, struct ez_slot **slot)
{
	long i = find_index(h);
	struct ez_slot *sl;

	if (i < 0)
		return CKR_SESSION_HANDLE_INVALID;
	sl = ez_slot_find(ez_mod.sessions[i]->slot);
	/* A removed or replaced card closes its sessions (during the refresh). */
	if (sl)
		ez_slot_refresh(sl);
	i = find_index(h);
	if (i < 0)
		return CKR_SESSION_HANDLE_INVALID;
	if (!sl || !sl->token || sl->token->generation != ez_mod.sessions[i]->generation) {
		remove_at((size_t)i);
		return CKR_SESSION_HANDLE_INVALID;
	}
	*out = ez_mod.sessions[i];
	*slot = sl;
	return CKR_OK;
}

CK_RV C_OpenSession(CK_SLOT_ID id, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
		    CK_SESSION_HANDLE_PTR out)
{
	struct ez_slot *slot;
	struct ez_session *s, **grown;

	(void)app;
	(void)notify;
	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!out)
		return CKR_ARGUMENTS_BAD;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	ez_mutex_lock(ez_mod.lock);
	slot = ez_slot_find(id);
	if (!slot) {
		ez_mutex_unlock(ez_mod.lock);
		return CKR_SLOT_ID_INVALID;
	}
	ez_slot_refresh(slot);
	if (!slot->token) {
		CK_RV rv = ez_slot_no_token(slot);
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	/* No read-only session beside an SO login. */
	if (!(flags & CKF_RW_SESSION) && slot->token->login == CKU_SO) {
		ez_mutex_unlock(ez_mod.lock);
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	}
	s = calloc(1, sizeof(*s));
	grown = s ? realloc(ez_mod.sessions, (ez_mod.nsessions + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(s);
		ez_mutex_unlock(ez_mod.lock);
		return CKR_HOST_MEMORY;
	}
	ez_mod.sessions = grown;
	s->handle = ez_mod.next_session++;
	s->slot = id;
	s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
	s->generation = slot->token->generation;
	ez_mod.sessions[ez_mod.nsessions++] = s;
	*out = s->handle;
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h)
{
	size_t i;
	CK_SLOT_ID id = 0;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->handle == h)
			break;
	if (i == ez_mod.nsessions) {
		ez_mutex_unlock(ez_mod.lock);
		return CKR_SESSION_HANDLE_INVALID;
	}
	id = ez_mod.sessions[i]->slot;
	remove_at(i);
	if (ez_slot_find(id))
		logout_if_last(ez_slot_find(id));
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID id)
{
	struct ez_slot *slot;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	slot = ez_slot_find(id);
	if (!slot) {
		ez_mutex_unlock(ez_mod.lock);
		return CKR_SLOT_ID_INVALID;
	}
	ez_sessions_close_slot(id);
	logout_if_last(slot);
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;
	bool rw;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		rw = (s->flags & CKF_RW_SESSION) != 0;
		info->slotID = s->slot;
		info->flags = s->flags;
		info->ulDeviceError = 0;
		if (slot->token->login == CKU_USER)
			info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
		else if (slot->token->login == CKU_SO)
			info->state = CKS_RW_SO_FUNCTIONS;
		else
			info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	}
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG_PTR len)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;

	(void)state;
	(void)len;
	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	ez_mutex_unlock(ez_mod.lock);
	return rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG len,
			  CK_OBJECT_HANDLE enc, CK_OBJECT_HANDLE auth)
{
	(void)enc;
	(void)auth;
	return C_GetOperationState(h, state, &len);
}

/* ---- login ---------------------------------------------------------------- */

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

static bool has_ro_session(CK_SLOT_ID id)
{
	size_t i;

	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->slot == id && !(ez_mod.sessions[i]->flags & CKF_RW_SESSION))
			return true;
	return false;
}

CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	void *puk_copy = NULL;
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_token *t;
	int tries = -1;
	ez_err e;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	t = slot->token;
	if (user != CKU_USER && user != CKU_SO && user != CKU_CONTEXT_SPECIFIC) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (!pin && !t->pinpad) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!pin) {
		rv = CKR_FUNCTION_NOT_SUPPORTED; /* PIN pad entry: not yet */
		goto out;
	}
	if (user == CKU_CONTEXT_SPECIFIC) {
		struct ez_obj *k;
		if (s->op != EZ_OP_SIGN) {
			rv = CKR_OPERATION_NOT_INITIALIZED;
			goto out;
		}
		if (t->login != CKU_USER) {
			rv = CKR_USER_NOT_LOGGED_IN;
			goto out;
		}
		k = ez_token_object(t, s->key);
		ez_mutex_lock(slot->lock);
		/* VERIFY, MSE and PSO must not be split by another program:
		 * hold the card's transaction until the signature is made. */
		e = s->holds_transaction ? EZ_OK : ez_conn_begin(t->conn);
		if (e == EZ_OK) {
			s->holds_transaction = true;
			e = ez_card_verify(t->card, &t->user_fmt, pin, len, &tries);
		}
		note_tries(&t->user_tries, e, tries, t->user_fmt.max_tries);
		ez_token_card_error(t, e);
		ez_mutex_unlock(slot->lock);
		if (e == EZ_OK && k)
			s->context_login = true;
		rv = ez_err_to_ckr(e, true);
		if (rv == CKR_USER_NOT_LOGGED_IN)
			rv = CKR_PIN_INCORRECT;
		goto out;
	}
	if (t->login == user) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (t->login != EZ_NOT_LOGGED) {
		rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (user == CKU_SO) {
		if (!t->has_so) {
			rv = CKR_USER_PIN_NOT_INITIALIZED;
			goto out;
		}
		if (has_ro_session(s->slot)) {
			rv = CKR_SESSION_READ_ONLY_EXISTS;
			goto out;
		}
	}
	/* The PUK is copied before it goes to the card: a copy that failed
	 * after a right PUK would leave an SO login that cannot unblock. */
	if (user == CKU_SO && ez_card_unblock_needs_puk(t->card) &&
	    !(puk_copy = ez_secret_dup(pin, len))) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	ez_mutex_lock(slot->lock);
	/* A reset found when the VERIFY was to be sent means it never reached
	 * the card (PC/SC reports the reset instead of transmitting); the
	 * transport has reconnected, so it is sent once, now. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (user == CKU_USER) {
			e = ez_card_verify(t->card, &t->user_fmt, pin, len, &tries);
			note_tries(&t->user_tries, e, tries, t->user_fmt.max_tries);
		} else {
			e = ez_card_verify(t->card, &t->so_fmt, pin, len, &tries);
			note_tries(&t->so_tries, e, tries, t->so_fmt.max_tries);
		}
		if (e != EZ_ERR_CARD_RESET)
			break;
	}
	if (e == EZ_ERR_CARD_RESET) {
		/* Reset twice in a row: give up; nothing was tried. */
		ez_mutex_unlock(slot->lock);
		rv = CKR_DEVICE_ERROR;
		goto out;
	}
	if (e == EZ_OK) {
		t->login = user;
		if (user == CKU_SO) {
			t->so_authorized = true;
			t->so_secret = puk_copy;
			t->so_secret_len = len;
			puk_copy = NULL;
		}
	}
	ez_token_card_error(t, e);
	ez_mutex_unlock(slot->lock);
	rv = ez_err_to_ckr(e, false);
	if (e == EZ_ERR_SECURITY)
		rv = CKR_PIN_INCORRECT;
out:
	ez_secret_free(puk_copy, len);
	ez_mutex_unlock(ez_mod.lock);
	ez_log("C_Login(%lu): %s", user, rv == CKR_OK ? "ok" : "failed");
	return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE h)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;
	size_t i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && slot->token->login == EZ_NOT_LOGGED)
		rv = CKR_USER_NOT_LOGGED_IN;
	if (rv == CKR_OK) {
		for (i = 0; i < ez_mod.nsessions; i++)
			if (ez_mod.sessions[i]->slot == slot->id)
				ez_session_reset_op(ez_mod.sessions[i]);
		ez_mutex_lock(slot->lock);
		ez_card_logout(slot->token->card);
		ez_token_forget_login(slot->token);
		ez_mutex_unlock(slot->lock);
	}
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_token *t;
	int tries = -1;
	ez_err e;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	t = slot->token;
	if (t->login != CKU_SO || !(s->flags & CKF_RW_SESSION)) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if (!pin) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* One unblock per SO login: the PUK it verified is spent here (and
	 * wiped), a second C_InitPIN needs the PUK again. */
	if (!t->so_authorized || (!t->so_secret && ez_card_unblock_needs_puk(t->card))) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	/* Unblock: RESET RETRY COUNTER with the new PIN, authorized by the PUK
	 * this SO login verified (1.x cards take the PUK again in the command;
	 * it was right a moment ago, so this is not a new guess). */
	ez_mutex_lock(slot->lock);
	e = ez_card_unblock_pin(t->card, &t->so_fmt, t->so_secret, t->so_secret_len, &t->user_fmt,
				pin, len, &tries);
	t->so_authorized = false;
	ez_secret_free(t->so_secret, t->so_secret_len);
	t->so_secret = NULL;
	t->so_secret_len = 0;
	if (e == EZ_OK)
		t->user_tries = (int)t->user_fmt.max_tries;
	else
		note_tries(&t->so_tries, e, tries, t->so_fmt.max_tries);
	ez_token_card_error(t, e);
	ez_mutex_unlock(slot->lock);
	rv = ez_err_to_ckr(e, true);
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
	       CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
	void *new_copy = NULL;
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_token *t;
	const struct ez_pin_format *f;
	int tries = -1;
	ez_err e;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv != CKR_OK)
		goto out;
	t = slot->token;
	if (!(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	if (!old_pin || !new_pin) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* In an SO session the SO PIN (the PUK) changes; else the user PIN. */
	f = t->login == CKU_SO ? &t->so_fmt : &t->user_fmt;
	/* The new PUK an SO login keeps is copied before the card changes. */
	if (t->login == CKU_SO && t->so_secret && !(new_copy = ez_secret_dup(new_pin, new_len))) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	ez_mutex_lock(slot->lock);
	e = ez_card_change_pin(t->card, f, old_pin, old_len, new_pin, new_len, &tries);
	if (t->login == CKU_SO)
		note_tries(&t->so_tries, e, tries, t->so_fmt.max_tries);
	else
		note_tries(&t->user_tries, e, tries, t->user_fmt.max_tries);
	if (e == EZ_OK && t->login == CKU_SO && t->so_secret) {
		/* Keep the SO secret in step with the card (copied before the
		 * card changed it, below). */
		ez_secret_free(t->so_secret, t->so_secret_len);
		t->so_secret = new_copy;
		t->so_secret_len = new_len;
		new_copy = NULL;
	}
	ez_token_card_error(t, e);
	ez_mutex_unlock(slot->lock);
	rv = ez_err_to_ckr(e, false);
out:
	ez_secret_free(new_copy, new_len);
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}
