/*
 * p11-slots.c: slots are PC/SC readers. Slot ids are given once per reader
 * name and never reused or removed in the life of the process (NSS relies
 * on a list that never shrinks); a reader that goes away leaves its slot
 * without a token. A card is read once per insertion; a removal, a new
 * insertion counter or another serial number makes a new token.
 *
 * C_GetSlotInfo, C_GetTokenInfo and friends answer from memory after one
 * non-blocking status query of the reader (no APDU), so applications that
 * poll (NSS does, constantly) cost nothing on the card.
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

static void drop_all_tokens(void);

/* pcscd went away and perhaps came back: a new context. */
static bool pcsc_ok(void)
{
	if (ez_mod.pcsc)
		return true;
	if (ez_pcsc_open(&ez_mod.pcsc) != EZ_OK) {
		ez_mod.pcsc = NULL;
		return false;
	}
	ez_log("pcsc: connected to pcscd");
	return true;
}

static void pcsc_lost(void)
{
	ez_log("pcsc: service lost; will reconnect");
	drop_all_tokens();
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

static void drop_token(struct ez_slot *s)
{
	if (!s->token)
		return;
	ez_log("slot %lu: token gone", s->id);
	ez_sessions_close_slot(s->id);
	ez_mutex_lock(s->lock);
	ez_token_free(s->token);
	s->token = NULL;
	ez_mutex_unlock(s->lock);
}

static void drop_all_tokens(void)
{
	size_t i;

	for (i = 0; i < ez_mod.nslots; i++) {
		drop_token(&ez_mod.slots[i]);
		ez_mod.slots[i].card_present = false;
	}
}

static void open_token(struct ez_slot *s)
{
	ez_conn *conn = NULL;
	struct ez_token *t = NULL;
	ez_err e;

	e = ez_conn_open(ez_mod.pcsc, s->reader, &conn);
	if (e == EZ_OK) {
		if ((ez_log_enabled() && ez_cfg.apdu_trace) || ez_vendor_trace_on())
			ez_conn_set_trace(conn, ez_trace_apdu, (void *)(uintptr_t)s->id);
		ez_mutex_lock(s->lock);
		e = ez_token_open(conn, &ez_mod.next_object, &t, &s->card);
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
				e = ez_token_open(conn, &ez_mod.next_object, &t, &s->card);
		}
		ez_mutex_unlock(s->lock);
		if (e != EZ_OK)
			ez_conn_close(conn);
	}
	s->read_err = e;
	if (e == EZ_OK) {
		s->token = t;
		ez_log("slot %lu: %s (%s, dialect %s), token '%.32s' serial %.16s", s->id,
		       t->info.model, t->info.family, t->info.dialect, t->label, t->serial);
	} else {
		s->unrecognized = e == EZ_ERR_NOT_AKIS || e == EZ_ERR_MALFORMED ||
				  e == EZ_ERR_UNSUPPORTED;
		ez_log("slot %lu: card not read: %s%s%s", s->id, ez_err_name(e),
		       s->card.model[0] ? "; " : "", s->card.model);
	}
}

/* A card of no AKIS family is not claimed: the slot shows no token, so a
 * card another module serves is not listed twice. */
static bool claims_card(const struct ez_slot *s)
{
	return s->card_present && !(s->unrecognized && s->read_err == EZ_ERR_NOT_AKIS);
}

CK_RV ez_slot_no_token(const struct ez_slot *s)
{
	if (!claims_card(s))
		return CKR_TOKEN_NOT_PRESENT;
	if (s->unrecognized)
		return CKR_TOKEN_NOT_RECOGNIZED;
	/* The card left while it was being read (pcscd has not noticed yet). */
	if (s->read_err == EZ_ERR_CARD_REMOVED || s->read_err == EZ_ERR_NO_CARD ||
	    s->read_err == EZ_ERR_NO_READER)
		return CKR_TOKEN_NOT_PRESENT;
	return CKR_DEVICE_ERROR;
}

/*
 * An exchange with the slot's card broke though pcscd still reports the
 * same insertion: the card may have been pulled and pushed back faster
 * than pcscd polls the reader, or lost power. Reconnect and compare the
 * serial: the same card keeps its token and sessions (the login is gone,
 * and is never replayed); another card drops the token, and the card is
 * read below as a new one. While no card answers, the token stays and
 * every card operation answers CKR_DEVICE_REMOVED; the next call tries
 * again, until the card answers or pcscd reports the removal.
 */
static void recover_token(struct ez_slot *s)
{
	ez_err e;

	ez_mutex_lock(s->lock);
	/* Another thread may have recovered it while this one waited. */
	if (!ez_conn_lost(s->token->conn)) {
		ez_mutex_unlock(s->lock);
		return;
	}
	e = ez_token_recover(s->token);
	ez_mutex_unlock(s->lock);
	ez_log("slot %lu: connection lost; reconnected: %s", s->id, ez_err_name(e));
	if (e == EZ_ERR_CARD_CHANGED)
		drop_token(s);
}

void ez_slot_refresh(struct ez_slot *s)
{
	struct ez_reader_state st;
	ez_err e;

	if (!pcsc_ok()) {
		drop_token(s);
		s->card_present = false;
		return;
	}
	e = ez_pcsc_state(ez_mod.pcsc, s->reader, &st);
	if (e == EZ_ERR_NO_SERVICE) {
		pcsc_lost();
		if (!pcsc_ok() || ez_pcsc_state(ez_mod.pcsc, s->reader, &st) != EZ_OK)
			return;
	} else if (e != EZ_OK) {
		return;
	}
	if (st.gone) {
		s->reader_present = false;
		st.present = false;
	}
	if (s->token && (!st.present || st.events != s->events))
		drop_token(s);
	if (s->token && ez_conn_lost(s->token->conn))
		recover_token(s);
	if (!st.present || st.events != s->events) {
		s->unrecognized = false;
		memset(&s->card, 0, sizeof(s->card));
	}
	s->card_present = st.present;
	s->events = st.events;
	memcpy(s->atr, st.atr, st.atr_len);
	s->atr_len = st.present ? st.atr_len : 0;
	if (st.present && !s->token && !s->unrecognized)
		open_token(s);
}

/* ---- slot and token information ------------------------------------------ */

static void pad(CK_UTF8CHAR *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', cap);
	memcpy(dst, src, n < cap ? n : cap);
}

CK_RV C_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG n = 0;
	size_t i;
	CK_RV rv = CKR_OK;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!count)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	/* New readers appear on the size query, so the count and the list the
	 * application fetches next agree. */
	if (!list)
		ez_slots_rescan();
	for (i = 0; i < ez_mod.nslots; i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		if (token_present) {
			if (!list)
				ez_slot_refresh(s);
			if (!claims_card(s))
				continue;
		}
		if (list && n < *count)
			list[n] = s->id;
		n++;
	}
	if (list && n > *count)
		rv = CKR_BUFFER_TOO_SMALL;
	*count = n;
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	struct ez_slot *s;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	s = ez_slot_find(id);
	if (!s) {
		ez_mutex_unlock(ez_mod.lock);
		return CKR_SLOT_ID_INVALID;
	}
	ez_slot_refresh(s);
	memset(info, 0, sizeof(*info));
	pad(info->slotDescription, sizeof(info->slotDescription), s->reader);
	pad(info->manufacturerID, sizeof(info->manufacturerID), "PC/SC");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT | (claims_card(s) ? CKF_TOKEN_PRESENT : 0);
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

/* With the module lock held: the slot's token, refreshed. */
static CK_RV token_of(CK_SLOT_ID id, struct ez_slot **slot)
{
	struct ez_slot *s = ez_slot_find(id);

	if (!s)
		return CKR_SLOT_ID_INVALID;
	ez_slot_refresh(s);
	*slot = s;
	return s->token ? CKR_OK : ez_slot_no_token(s);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	struct ez_slot *s;
	struct ez_token *t;
	CK_RV rv;
	size_t i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	rv = token_of(id, &s);
	if (rv != CKR_OK) {
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	ez_mutex_lock(s->lock);
	t = s->token;
	memset(info, 0, sizeof(*info));
	memcpy(info->label, t->label, 32);
	memcpy(info->manufacturerID, t->manufacturer, 32);
	memcpy(info->model, t->model, 16);
	memcpy(info->serialNumber, t->serial, 16);
	info->flags = CKF_RNG | CKF_WRITE_PROTECTED | CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED |
		      (t->has_user ? CKF_USER_PIN_INITIALIZED : 0) |
		      (t->pinpad ? CKF_PROTECTED_AUTHENTICATION_PATH : 0) | ez_token_pin_flags(t);
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = ez_sessions_on(id, false);
	info->ulRwSessionCount = ez_sessions_on(id, true);
	info->ulMaxPinLen = t->user_fmt.max_len;
	info->ulMinPinLen = t->user_fmt.min_len;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	/* The card's version: major.minor as hardware, the patch level as
	 * firmware (AKIS 2.5.2: hardware 2.5, firmware 2.0). */
	info->hardwareVersion.major = (CK_BYTE)t->info.version[0];
	info->hardwareVersion.minor = (CK_BYTE)t->info.version[1];
	info->firmwareVersion.major = (CK_BYTE)t->info.version[2];
	for (i = 0; i < sizeof(info->utcTime); i++)
		info->utcTime[i] = ' ';
	ez_mutex_unlock(s->lock);
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

static const CK_MECHANISM_TYPE digest_mechs[] = {CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
						 CKM_SHA512};

CK_RV C_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	CK_MECHANISM_TYPE all[64];
	size_t n, i;
	struct ez_slot *s;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!count)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	rv = token_of(id, &s);
	if (rv != CKR_OK) {
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	/* The signature mechanisms a key on this card can use, and digests. */
	{
		CK_MECHANISM_TYPE sig[64];
		size_t k, ns = ez_mech_list(sig, sizeof(sig) / sizeof(sig[0]));
		ez_mutex_lock(s->lock);
		for (n = 0, k = 0; k < ns; k++)
			if (ez_token_mech_usable(s->token, ez_mech_find(sig[k])))
				all[n++] = sig[k];
		ez_mutex_unlock(s->lock);
	}
	ez_mutex_unlock(ez_mod.lock);
	for (i = 0; i < sizeof(digest_mechs) / sizeof(digest_mechs[0]); i++)
		all[n++] = digest_mechs[i];
	if (!list) {
		*count = n;
		return CKR_OK;
	}
	if (*count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	memcpy(list, all, n * sizeof(*list));
	*count = n;
	return CKR_OK;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	const struct ez_mech *m;
	struct ez_slot *s;
	CK_RV rv;
	size_t i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	rv = token_of(id, &s);
	if (rv != CKR_OK) {
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	memset(info, 0, sizeof(*info));
	if (ez_digest_md(type)) {
		info->flags = CKF_DIGEST;
		ez_mutex_unlock(ez_mod.lock);
		return CKR_OK;
	}
	m = ez_mech_find(type);
	ez_mutex_lock(s->lock);
	if (!m || !ez_token_mech_usable(s->token, m)) {
		ez_mutex_unlock(s->lock);
		ez_mutex_unlock(ez_mod.lock);
		return CKR_MECHANISM_INVALID;
	}
	ez_mutex_unlock(s->lock);
	/* The sizes of the keys this token really has. */
	{
		CK_ULONG lo = 0, hi = 0;
		ez_mutex_lock(s->lock);
		for (i = 0; s->token && i < s->token->nobjs; i++) {
			const struct ez_obj *o = &s->token->objs[i];
			if (o->cls != CKO_PRIVATE_KEY || o->key_type != m->key_type)
				continue;
			if (!lo || o->bits < lo)
				lo = o->bits;
			if (o->bits > hi)
				hi = o->bits;
		}
		ez_mutex_unlock(s->lock);
		if (lo) {
			info->ulMinKeySize = lo;
			info->ulMaxKeySize = hi;
		}
	}
	info->flags = CKF_HW | CKF_SIGN | CKF_VERIFY;
	if (m->key_type == CKK_EC)
		info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	ez_mutex_unlock(ez_mod.lock);
	return CKR_OK;
}

CK_RV C_InitToken(CK_SLOT_ID id, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label)
{
	struct ez_slot *s;
	CK_RV rv;

	(void)pin;
	(void)len;
	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!label)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	rv = token_of(id, &s);
	ez_mutex_unlock(ez_mod.lock);
	/* A qualified signature card is personalized by its issuer only. */
	return rv != CKR_OK ? rv : CKR_TOKEN_WRITE_PROTECTED;
}

/* ---- events ---------------------------------------------------------------- */

/* A slot whose card state differs from what was last reported. */
static bool take_event(CK_SLOT_ID *out)
{
	size_t i;

	ez_slots_rescan();
	for (i = 0; i < ez_mod.nslots; i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		ez_slot_refresh(s);
		if (s->card_present != s->reported_present ||
		    (s->card_present && s->events != s->reported_events)) {
			s->reported_present = s->card_present;
			s->reported_events = s->events;
			*out = s->id;
			return true;
		}
	}
	return false;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
	CK_RV rv = CKR_NO_EVENT;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!slot || reserved)
		return CKR_ARGUMENTS_BAD;
	ez_mutex_lock(ez_mod.lock);
	if (take_event(slot))
		rv = CKR_OK;
	if (rv == CKR_OK || (flags & CKF_DONT_BLOCK)) {
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	if (!ez_mod.wait_pcsc && ez_pcsc_open(&ez_mod.wait_pcsc) != EZ_OK)
		ez_mod.wait_pcsc = NULL;
	ez_waiters++;
	ez_mutex_unlock(ez_mod.lock);

	/* Block in pcscd (its own context, so other threads keep working);
	 * wake at least every half second to notice C_Finalize. */
	for (;;) {
		if (ez_finalizing)
			break;
		if (ez_mod.wait_pcsc)
			ez_pcsc_wait(ez_mod.wait_pcsc, 500);
		else
			usleep(500000);
		if (ez_finalizing)
			break;
		ez_mutex_lock(ez_mod.lock);
		if (take_event(slot))
			rv = CKR_OK;
		ez_mutex_unlock(ez_mod.lock);
		if (rv == CKR_OK)
			break;
	}
	ez_waiters--;
	return ez_finalizing ? CKR_CRYPTOKI_NOT_INITIALIZED : rv;
}
