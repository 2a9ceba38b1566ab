/*
 * p11-read.c: reading a card into a token, when a call first needs it.
 *
 * A card is read once per insertion, lazily: C_Initialize and C_GetSlotList
 * send it nothing. When a call needs one token (C_GetTokenInfo,
 * C_OpenSession, ...), every other card that is due is read at the same
 * time, one thread per card, so four cards start as fast as one.
 *
 * A read that fails (a card that answers nothing sensible, or keeps
 * failing) is not tried again at every call: polling applications would
 * send it APDUs forever. The next try waits read_retry seconds, doubled
 * after each failure up to 64 times that; a new insertion starts afresh.
 */
#include "config.h"

#include "p11-internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BACKOFF_SHIFT 6

/* How long to leave a card alone after its read failed with `e`. A card
 * that answered, but nothing the module can use, gets the back-off at
 * once. A broken exchange may be a card pulled and pushed back faster than
 * pcscd noticed (the same insertion to pcscd), which reads fine right
 * away: the first such failure of an insertion is tried again at the next
 * call, only a card that keeps failing is backed off from. */
static double backoff(const struct ez_slot *s, ez_err e)
{
	bool answered = e == EZ_ERR_CARD || e == EZ_ERR_MALFORMED || e == EZ_ERR_NOT_FOUND ||
			e == EZ_ERR_DATA_LEN || e == EZ_ERR_SECURITY || e == EZ_ERR_ARGS;
	unsigned n = answered ? s->read_failures + 1 : s->read_failures;

	if (n == 0)
		return 0;
	n = n - 1 < MAX_BACKOFF_SHIFT ? n - 1 : MAX_BACKOFF_SHIFT;
	return ez_cfg.read_retry * (double)(1u << n);
}

/* A connection to the slot's card (no APDU yet). Slot lock held. */
static ez_err open_conn(struct ez_slot *s, ez_conn **conn)
{
	ez_err e = ez_conn_open(NULL, s->reader, conn);

	if (e == EZ_OK && ((ez_log_enabled() && ez_cfg.apdu_trace) || ez_vendor_trace_on()))
		ez_conn_set_trace(*conn, ez_trace_apdu, (void *)(uintptr_t)s->id);
	return e;
}

/* Read the card over `conn` (opened by open_conn, which answered `e`).
 * Slot lock held. */
static void read_card_on(struct ez_slot *s, ez_conn *conn, ez_err e)
{
	struct ez_token *t = NULL;
	CK_OBJECT_HANDLE handles;

	/* Each token takes its object handles from a range of its own, made
	 * of its slot and the count of tokens the slot has had: cards read in
	 * parallel never hand out the same handle, a new card in a slot does
	 * not reuse the handles of the one before (not for 4096 insertions),
	 * and the same card in the same slot gets the same handles in every
	 * process, whichever card was read first (< 2^30: a 32-bit CK_ULONG
	 * holds it). */
	handles = ((CK_OBJECT_HANDLE)s->id << 24) +
		  (CK_OBJECT_HANDLE)(s->tokens_made++ % 4096) * EZ_TOKEN_MAX_HANDLES + 1;

	if (e == EZ_OK) {
		e = ez_token_open(conn, handles, &t, &s->card);
		/* The card answered 6F00: it is in no usable state, as a card
		 * pushed back into the reader between two of pcscd's polls is
		 * (pcscd never powered it up, and keeps a card it believes
		 * powered up while any program is connected; a real reader's
		 * transmit fails instead). One warm reset powers it up, then it
		 * is read again. A reset ends every other program's login on the
		 * card, but a card in this state has none left to lose. */
		if (e == EZ_ERR_CARD_UNREADY) {
			ez_log("slot %lu: %s; one warm reset, then read again", s->id, ez_err_name(e));
			e = ez_conn_recover(conn);
			if (e == EZ_OK)
				e = ez_token_open(conn, handles, &t, &s->card);
		}
		if (e != EZ_OK)
			ez_conn_close(conn);
	}
	s->read_err = e;
	s->read_wanted = false;
	if (e == EZ_OK) {
		s->token = t;
		s->read = EZ_READ_DONE;
		ez_log("slot %lu: %s (%s, dialect %s), token '%.32s' serial %.16s", s->id,
		       t->info.model, t->info.family, t->info.dialect, t->label, t->serial);
		if (t->pinpad) {
			unsigned min, max;
			ez_conn_pinpad_limits(t->conn, &min, &max);
			ez_log("slot %lu: the reader has a keypad: VERIFY_PIN_DIRECT%s, PIN %u to %u "
			       "digits (0: not said)%s",
			       s->id, (t->pinpad & EZ_PAD_MODIFY) ? ", MODIFY_PIN_DIRECT" : "", min,
			       max, ez_cfg.pinpad ? "" : "; not used (pinpad = no)");
		}
		return;
	}
	if (e == EZ_ERR_NOT_AKIS || e == EZ_ERR_UNSUPPORTED) {
		s->read = EZ_READ_NONE; /* the card said more than its ATR: final */
		if (e == EZ_ERR_NOT_AKIS)
			s->identified = e;
	} else {
		s->read = EZ_READ_FAILED;
		s->read_again_at = ez_now() + backoff(s, e);
		s->read_failures++;
	}
	ez_log("slot %lu: card not read: %s%s%s", s->id, ez_err_name(e), s->card.model[0] ? "; " : "",
	       s->card.model);
}

static void read_card(struct ez_slot *s)
{
	ez_conn *conn = NULL;
	ez_err e = open_conn(s, &conn);

	read_card_on(s, conn, e);
}

/* Is a read of the slot's card due now? Slot lock held. */
static bool due(const struct ez_slot *s)
{
	return s->read == EZ_READ_DUE || (s->read == EZ_READ_FAILED && ez_now() >= s->read_again_at);
}

struct ez_token *ez_slot_token(struct ez_slot *s)
{
	if (due(s))
		read_card(s);
	return s->token;
}

struct read_job {
	struct ez_slot *slot;
	ez_conn *conn;
	ez_err err;
};

static void *read_one(void *arg)
{
	struct read_job *j = arg;

	ez_mutex_lock(j->slot->lock);
	/* Still due (another thread may have read it meanwhile)? */
	if (j->slot->read == EZ_READ_DUE)
		read_card_on(j->slot, j->conn, j->err);
	else if (j->conn)
		ez_conn_close(j->conn);
	ez_mutex_unlock(j->slot->lock);
	return NULL;
}

void ez_slots_read_due(void)
{
	struct read_job jobs[EZ_MAX_SLOTS];
	pthread_t threads[EZ_MAX_SLOTS];
	bool started[EZ_MAX_SLOTS];
	size_t i, n = 0, nslots;

	if (!ez_threads_allowed())
		return; /* the caller reads its own card */
	/* Connect to every due card first, one after another: no APDU goes
	 * yet, and a connection is made while no other card's exchange is in
	 * flight in this process (pcsc.c's channel lock); then each card is
	 * read by a thread of its own. */
	nslots = ez_slot_count();
	for (i = 0; i < nslots; i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		if (!s->read_wanted) /* a hint, kept under each slot's own lock */
			continue;
		ez_mutex_lock(s->lock);
		ez_slot_refresh(s);
		if (s->read == EZ_READ_DUE) {
			jobs[n].slot = s;
			jobs[n].conn = NULL;
			jobs[n].err = open_conn(s, &jobs[n].conn);
			n++;
		}
		ez_mutex_unlock(s->lock);
	}
	for (i = 0; i < n; i++)
		started[i] = n > 1 && pthread_create(&threads[i], NULL, read_one, &jobs[i]) == 0;
	for (i = 0; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			read_one(&jobs[i]);
	}
}
