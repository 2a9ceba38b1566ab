/*
 * p11-call.c: the one way in and out of every C_* function (see
 * p11-internal.h): the initialized check, the slot or session lookup and
 * its lock, and the call trace of the debug log.
 *
 * With EIMZA_DEBUG the log has two lines per call, "> C_Sign(session=3
 * len=32)" on the way in and "< C_Sign = CKR_OK" on the way out, each with
 * the thread and, once known, the slot: a user's bug report from a real
 * card is this trace. No PIN is ever among the arguments.
 */
#include "config.h"

#include "p11-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ez_call *ez_call(struct ez_call *c, const char *fn, const char *fmt, ...)
{
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->fn = fn;
	if (!ez_log_enabled())
		return c;
	va_start(ap, fmt);
	vsnprintf(c->args, sizeof(c->args), fmt, ap);
	va_end(ap);
	return c;
}

static void log_in(struct ez_call *c)
{
	if (!ez_log_enabled() || c->logged)
		return;
	c->logged = true;
	ez_log("> %s(%s)", c->fn, c->args);
}

CK_RV ez_enter(struct ez_call *c)
{
	log_in(c);
	return ez_ready() ? CKR_OK : CKR_CRYPTOKI_NOT_INITIALIZED;
}

CK_RV ez_enter_slot(struct ez_call *c, CK_SLOT_ID id, unsigned need)
{
	struct ez_slot *s;
	CK_RV rv = ez_enter(c);

	if (rv != CKR_OK)
		return rv;
	s = ez_slot_lookup(id);
	if (!s)
		return CKR_SLOT_ID_INVALID;
	ez_mutex_lock(s->lock);
	c->slot = s;
	ez_slot_refresh(s);
	if (!(need & EZ_NEED_TOKEN))
		return CKR_OK;
	if (s->read == EZ_READ_DUE && ez_cfg.parallel_read) {
		/* Other cards may be due too: read them all at once, without
		 * holding this slot's lock (each reader takes its own). */
		ez_mutex_unlock(s->lock);
		ez_slots_read_due();
		ez_mutex_lock(s->lock);
		ez_slot_refresh(s);
		/* Read by now (one read per call, also when it failed), unless
		 * another card took its place meanwhile. */
		if (s->read != EZ_READ_DUE)
			return s->token ? CKR_OK : ez_slot_no_token(s);
	}
	return ez_slot_token(s) ? CKR_OK : ez_slot_no_token(s);
}

/* Module lock held. */
static struct ez_session *session_of(CK_SESSION_HANDLE h)
{
	size_t i;

	for (i = 0; i < ez_mod.nsessions; i++)
		if (ez_mod.sessions[i]->handle == h)
			return ez_mod.sessions[i];
	return NULL;
}

CK_RV ez_enter_session(struct ez_call *c, CK_SESSION_HANDLE h, unsigned need)
{
	struct ez_session *sess;
	struct ez_slot *s;
	CK_SLOT_ID id;
	CK_RV rv = ez_enter(c);

	if (rv != CKR_OK)
		return rv;
	ez_mutex_lock(ez_mod.lock);
	sess = session_of(h);
	id = sess ? sess->slot : 0;
	s = ez_slot_find(id);
	ez_mutex_unlock(ez_mod.lock);
	if (!s)
		return CKR_SESSION_HANDLE_INVALID;
	ez_mutex_lock(s->lock);
	c->slot = s;
	/* A call that sends a PIN asks pcscd first; the others trust what
	 * the slot knows, unless an exchange broke (no pcscd query to know). */
	if (need & EZ_NEED_FRESH)
		ez_slot_refresh(s);
	else if (s->token && ez_conn_lost(s->token->conn))
		ez_slot_recover(s);
	/* Sessions of this slot are closed only under its lock, which this
	 * thread now holds: found again here, it stays until ez_leave. */
	ez_mutex_lock(ez_mod.lock);
	sess = session_of(h);
	ez_mutex_unlock(ez_mod.lock);
	if (!sess || sess->slot != id)
		return CKR_SESSION_HANDLE_INVALID;
	if (!s->token || s->token->generation != sess->generation) {
		/* Its card left (or another took its place). */
		ez_session_close(sess);
		return CKR_SESSION_HANDLE_INVALID;
	}
	c->s = sess;
	return CKR_OK;
}

CK_RV ez_leave(struct ez_call *c, CK_RV rv)
{
	if (c->slot)
		ez_mutex_unlock(c->slot->lock);
	if (ez_log_enabled()) {
		log_in(c);
		if (c->slot)
			ez_log("< %s = %s (slot %lu)", c->fn, ez_ckr_name(rv), c->slot->id);
		else
			ez_log("< %s = %s", c->fn, ez_ckr_name(rv));
	}
	return rv;
}

CK_RV ez_session_then(const char *fn, CK_SESSION_HANDLE h, CK_RV answer)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, fn, "session=%lu", h), h, 0);

	return ez_leave(&c, rv != CKR_OK ? rv : answer);
}
