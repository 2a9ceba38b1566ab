/*
 * p11-slots.c: slots are PC/SC readers. Slot ids are given once per reader
 * name and never reused or removed in the life of the process (NSS relies
 * on a list that never shrinks); a reader that goes away leaves its slot
 * without a token. A removal, a new insertion counter or another serial
 * number makes a new token.
 *
 * A slot knows what is in its reader from one non-blocking status query of
 * pcscd (no APDU): whether a card is there and its ATR, which tells an AKIS
 * card from others without a word to the card. The card itself is read
 * only when a call needs its token (p11-read.c), so C_Initialize,
 * C_GetSlotList and the polling applications do (NSS polls constantly)
 * cost nothing on the card.
 */
#include "config.h"

#include "p11-internal.h"

#include <eimza/eimza-pkcs11.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ez_slot *ez_slot_find(CK_SLOT_ID id)
{
	if (id == 0 || id > ez_mod.nslots)
		return NULL;
	return &ez_mod.slots[id - 1];
}

struct ez_slot *ez_slot_lookup(CK_SLOT_ID id)
{
	struct ez_slot *s;

	ez_mutex_lock(ez_mod.lock);
	s = ez_slot_find(id);
	ez_mutex_unlock(ez_mod.lock);
	return s;
}

size_t ez_slot_count(void)
{
	size_t n;

	ez_mutex_lock(ez_mod.lock);
	n = ez_mod.nslots;
	ez_mutex_unlock(ez_mod.lock);
	return n;
}

/* ---- pcscd's context (module lock held) ------------------------------------ */

/* pcscd went away and perhaps came back: a new context. */
static bool pcsc_ok(void)
{
	if (ez_mod.pcsc)
		return true;
	if (ez_pcsc_open(&ez_mod.pcsc) != EZ_OK) {
		ez_mod.pcsc = NULL;
		return false;
	}
	ez_mod.pcsc_epoch++;
	ez_log("pcsc: connected to pcscd");
	return true;
}

/* Every slot notices at its next refresh that the context its card was
 * seen with is gone (pcsc_epoch), and drops its token then: a thread here
 * holds at most one slot lock, and cannot take the others. */
static void pcsc_lost(void)
{
	ez_log("pcsc: service lost; will reconnect");
	ez_pcsc_close(ez_mod.pcsc);
	ez_mod.pcsc = NULL;
}

CK_ULONG ez_slots_service(void)
{
	char *list = NULL;
	ez_err e;

	if (!pcsc_ok())
		return EZ_SERVICE_DOWN;
	e = ez_pcsc_list(ez_mod.pcsc, &list);
	if (e == EZ_ERR_NO_SERVICE) {
		pcsc_lost();
		if (!pcsc_ok())
			return EZ_SERVICE_DOWN;
		e = ez_pcsc_list(ez_mod.pcsc, &list);
	}
	if (e != EZ_OK) {
		free(list);
		return EZ_SERVICE_DOWN;
	}
	e = list && list[0] ? EZ_OK : EZ_ERR_NO_READER;
	free(list);
	return e == EZ_OK ? EZ_SERVICE_OK : EZ_SERVICE_NO_READERS;
}

CK_RV ez_slots_rescan(void)
{
	char *list = NULL, *r;
	ez_err e;
	size_t i;

	if (!pcsc_ok())
		return CKR_OK; /* no pcscd: no new readers, the old slots stay */
	e = ez_pcsc_list(ez_mod.pcsc, &list);
	if (e == EZ_ERR_NO_SERVICE) {
		pcsc_lost();
		if (!pcsc_ok() || ez_pcsc_list(ez_mod.pcsc, &list) != EZ_OK)
			return CKR_OK;
	} else if (e != EZ_OK) {
		return ez_err_to_ckr(e, false);
	}
	for (i = 0; i < ez_mod.nslots; i++)
		ez_mod.slots[i].reader_present = false;
	for (r = list; *r; r += strlen(r) + 1) {
		struct ez_slot *s = NULL;
		if (!ez_config_reader_wanted(r))
			continue;
		for (i = 0; i < ez_mod.nslots; i++)
			if (strcmp(ez_mod.slots[i].reader, r) == 0)
				s = &ez_mod.slots[i];
		if (!s) {
			if (ez_mod.nslots >= EZ_MAX_SLOTS || strlen(r) >= EZ_READER_NAME_MAX)
				continue;
			s = &ez_mod.slots[ez_mod.nslots];
			memset(s, 0, sizeof(*s));
			if (ez_mutex_new(&s->lock) != CKR_OK)
				continue;
			s->id = ++ez_mod.nslots;
			strcpy(s->reader, r);
			ez_log("slot %lu: reader '%s'", s->id, r);
		}
		s->reader_present = true;
	}
	free(list);
	return CKR_OK;
}

/* The reader's state, with the context that saw it. */
static ez_err reader_state(const struct ez_slot *s, struct ez_reader_state *st,
			   unsigned long *epoch)
{
	ez_err e = EZ_ERR_NO_SERVICE;

	ez_mutex_lock(ez_mod.lock);
	if (pcsc_ok()) {
		e = ez_pcsc_state(ez_mod.pcsc, s->reader, st);
		if (e == EZ_ERR_NO_SERVICE) {
			pcsc_lost();
			e = pcsc_ok() ? ez_pcsc_state(ez_mod.pcsc, s->reader, st) : EZ_ERR_NO_SERVICE;
		}
	}
	*epoch = ez_mod.pcsc_epoch;
	ez_mutex_unlock(ez_mod.lock);
	return e;
}

/* ---- one slot (slot lock held) ---------------------------------------------- */

void ez_slot_drop_token(struct ez_slot *s)
{
	if (!s->token)
		return;
	ez_log("slot %lu: token gone", s->id);
	ez_sessions_close_slot(s->id);
	ez_token_free(s->token);
	s->token = NULL;
}

/* The card in the reader is not the one seen before (or none is). */
static void forget_card(struct ez_slot *s)
{
	ez_slot_drop_token(s);
	s->card_present = false;
	s->read = EZ_READ_NONE;
	s->read_err = EZ_OK;
	s->read_failures = 0;
	s->atr_len = 0;
	memset(&s->card, 0, sizeof(s->card));
	s->identified = EZ_ERR_NOT_AKIS;
	s->read_wanted = false;
}

/* A new card: what its ATR says, and whether it is to be read. */
static void new_card(struct ez_slot *s, const struct ez_reader_state *st)
{
	s->card_present = true;
	memcpy(s->atr, st->atr, st->atr_len);
	s->atr_len = st->atr_len;
	s->identified = ez_card_identify(s->atr, s->atr_len, &s->card);
	s->read = s->identified == EZ_OK ? EZ_READ_DUE : EZ_READ_NONE;
	s->read_wanted = s->read == EZ_READ_DUE;
	ez_log("slot %lu: card inserted: %s", s->id,
	       s->identified == EZ_OK ? s->card.model
	       : s->identified == EZ_ERR_UNSUPPORTED ? "an AKIS generation no dialect speaks"
						     : "not an AKIS card");
}

/*
 * An exchange with the slot's card broke though pcscd still reports the
 * same insertion: the card may have been pulled and pushed back faster
 * than pcscd polls the reader, or lost power. Reconnect and compare the
 * serial: the same card keeps its token and sessions (the login is gone,
 * and is never replayed); another card drops the token, and the card is
 * read as a new one. While no card answers, the token stays and every card
 * operation answers CKR_DEVICE_REMOVED; the next call tries again, until
 * the card answers or pcscd reports the removal.
 */
void ez_slot_recover(struct ez_slot *s)
{
	ez_err e;

	if (!s->token || !ez_conn_lost(s->token->conn))
		return;
	e = ez_token_recover(s->token);
	ez_log("slot %lu: connection lost; reconnected: %s", s->id, ez_err_name(e));
	if (e == EZ_ERR_CARD_CHANGED) {
		ez_slot_drop_token(s);
		s->read = EZ_READ_DUE;
		s->read_wanted = true;
	}
}

void ez_slot_refresh(struct ez_slot *s)
{
	struct ez_reader_state st;
	unsigned long epoch;
	ez_err e;

	e = reader_state(s, &st, &epoch);
	if (e == EZ_ERR_NO_SERVICE) {
		forget_card(s);
		return;
	}
	if (e != EZ_OK)
		return; /* unknown now: as it was */
	if (st.gone) {
		ez_mutex_lock(ez_mod.lock);
		s->reader_present = false;
		ez_mutex_unlock(ez_mod.lock);
		st.present = false;
	}
	if (s->card_present && (!st.present || st.events != s->events || epoch != s->pcsc_epoch))
		forget_card(s);
	s->events = st.events;
	s->pcsc_epoch = epoch;
	if (st.present && !s->card_present)
		new_card(s, &st);
	if (s->token && ez_conn_lost(s->token->conn))
		ez_slot_recover(s);
}

bool ez_slot_claims_card(const struct ez_slot *s)
{
	/* A card of no AKIS family is not claimed: the slot shows no token, so
	 * a card another module serves is not listed twice. */
	return s->card_present && s->identified != EZ_ERR_NOT_AKIS;
}

CK_RV ez_slot_no_token(const struct ez_slot *s)
{
	if (!ez_slot_claims_card(s))
		return CKR_TOKEN_NOT_PRESENT;
	if (s->identified == EZ_ERR_UNSUPPORTED || s->read_err == EZ_ERR_NOT_AKIS ||
	    s->read_err == EZ_ERR_MALFORMED || s->read_err == EZ_ERR_UNSUPPORTED)
		return CKR_TOKEN_NOT_RECOGNIZED;
	/* The card left while it was being read (pcscd has not noticed yet). */
	if (s->read_err == EZ_ERR_CARD_REMOVED || s->read_err == EZ_ERR_NO_CARD ||
	    s->read_err == EZ_ERR_NO_READER)
		return CKR_TOKEN_NOT_PRESENT;
	return CKR_DEVICE_ERROR;
}
