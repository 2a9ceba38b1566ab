/*
 * p11-session.c: sessions. A session belongs to one slot's token: opened
 * and closed with that slot's lock and the module lock (the table), its
 * operation state kept under the slot's lock.
 */
#include "config.h"

#include "p11-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

void ez_session_reset_op(struct ez_session *s)
{
	/* The slot's lock is held: the token (and its connection's
	 * transaction depth) cannot change under this. */
	if (s->holds_transaction) {
		struct ez_slot *slot = &ez_mod.slots[s->slot - 1]; /* slots never move */
		if (slot->token && slot->token->generation == s->generation)
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

size_t ez_sessions_on(CK_SLOT_ID id, bool rw_only)
{
	size_t i, n = 0;

	ez_mutex_lock(ez_mod.lock);
	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->slot == id &&
		    (!rw_only || (ez_mod.sessions[i]->flags & CKF_RW_SESSION)))
			n++;
	ez_mutex_unlock(ez_mod.lock);
	return n;
}

bool ez_sessions_ro_on(CK_SLOT_ID id)
{
	return ez_sessions_on(id, false) > ez_sessions_on(id, true);
}

/* Take the slot's sessions out of the table (module lock) and return
 * them, to be freed under the slot lock the caller holds. */
static struct ez_session **take_sessions(CK_SLOT_ID id, const struct ez_session *only, size_t *n)
{
	struct ez_session **out;
	size_t i = 0;

	*n = 0;
	ez_mutex_lock(ez_mod.lock);
	out = malloc((ez_mod.nsessions ? ez_mod.nsessions : 1) * sizeof(*out));
	while (out && i < ez_mod.nsessions) {
		struct ez_session *s = ez_mod.sessions[i];
		if (s->slot == id && (!only || s == only)) {
			out[(*n)++] = s;
			ez_mod.sessions[i] = ez_mod.sessions[--ez_mod.nsessions];
		} else {
			i++;
		}
	}
	ez_mutex_unlock(ez_mod.lock);
	return out;
}

static void free_sessions(struct ez_session **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ez_session_reset_op(list[i]);
		free(list[i]);
	}
	free(list);
}

void ez_sessions_close_slot(CK_SLOT_ID id)
{
	size_t n;
	struct ez_session **list = take_sessions(id, NULL, &n);

	free_sessions(list, n);
}

void ez_session_close(struct ez_session *s)
{
	size_t n;
	struct ez_session **list = take_sessions(s->slot, s, &n);

	free_sessions(list, n);
}

void ez_sessions_reset_slot(CK_SLOT_ID id)
{
	size_t i;

	/* The caller holds the slot's lock, whose sessions' operations these
	 * are; the module lock is for the table (ending a transaction is one
	 * pcscd call, no card I/O). */
	ez_mutex_lock(ez_mod.lock);
	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->slot == id)
			ez_session_reset_op(ez_mod.sessions[i]);
	ez_mutex_unlock(ez_mod.lock);
}

void ez_slot_logout_if_unused(struct ez_slot *slot)
{
	if (slot->token && slot->token->login != EZ_NOT_LOGGED &&
	    ez_sessions_on(slot->id, false) == 0) {
		ez_card_logout(slot->token->card);
		ez_token_forget_login(slot->token);
	}
}

static CK_RV open_session(struct ez_call *c, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out)
{
	struct ez_session *s, **grown;
	struct ez_token *t = c->slot->token;

	if (!out)
		return CKR_ARGUMENTS_BAD;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	/* No read-only session beside an SO login. */
	if (!(flags & CKF_RW_SESSION) && t->login == CKU_SO)
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return CKR_HOST_MEMORY;
	s->slot = c->slot->id;
	s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
	s->generation = t->generation;
	ez_mutex_lock(ez_mod.lock);
	grown = realloc(ez_mod.sessions, (ez_mod.nsessions + 1) * sizeof(*grown));
	if (grown) {
		ez_mod.sessions = grown;
		s->handle = ez_mod.next_session++;
		ez_mod.sessions[ez_mod.nsessions++] = s;
		*out = s->handle;
	}
	ez_mutex_unlock(ez_mod.lock);
	if (!grown) {
		free(s);
		return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

CK_RV C_OpenSession(CK_SLOT_ID id, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
		    CK_SESSION_HANDLE_PTR out)
{
	struct ez_call c;
	CK_RV rv;

	(void)app;
	(void)notify;
	rv = ez_enter(ez_call(&c, __func__, "slot=%lu flags=0x%lx", id, flags));
	/* Argument errors first: they need no slot. */
	if (rv == CKR_OK && !out)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && !(flags & CKF_SERIAL_SESSION))
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	if (rv == CKR_OK)
		rv = open_session(&c, flags, out);
	if (rv == CKR_OK)
		ez_log("session %lu opened on slot %lu", *out, id);
	return ez_leave(&c, rv);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);

	if (rv == CKR_OK) {
		ez_session_close(c.s);
		c.s = NULL;
		ez_slot_logout_if_unused(c.slot);
	}
	return ez_leave(&c, rv);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID id)
{
	struct ez_call c;
	CK_RV rv = ez_enter_slot(ez_call(&c, __func__, "slot=%lu", id), id, 0);

	if (rv == CKR_OK) {
		ez_sessions_close_slot(id);
		ez_slot_logout_if_unused(c.slot);
	}
	return ez_leave(&c, rv);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);
	bool rw;

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		rw = (c.s->flags & CKF_RW_SESSION) != 0;
		info->slotID = c.s->slot;
		info->flags = c.s->flags;
		info->ulDeviceError = 0;
		if (c.slot->token->login == CKU_USER)
			info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
		else if (c.slot->token->login == CKU_SO)
			info->state = CKS_RW_SO_FUNCTIONS;
		else
			info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	}
	return ez_leave(&c, rv);
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG_PTR len)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);

	(void)state;
	(void)len;
	return ez_leave(&c, rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG len,
			  CK_OBJECT_HANDLE enc, CK_OBJECT_HANDLE auth)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);

	(void)state;
	(void)len;
	(void)enc;
	(void)auth;
	return ez_leave(&c, rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED);
}
