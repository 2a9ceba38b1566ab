/*
 * p11-events.c: C_WaitForSlotEvent. A slot has an event when its card
 * state differs from what was last reported (a card came, left, or another
 * took its place between two calls).
 */
#include "config.h"

#include "p11-internal.h"

#include <unistd.h>

/* A slot whose card state differs from what was last reported. */
static bool take_event(CK_SLOT_ID *out)
{
	size_t i, n;
	bool found = false;

	ez_mutex_lock(ez_mod.lock);
	ez_slots_rescan();
	n = ez_mod.nslots;
	ez_mutex_unlock(ez_mod.lock);
	for (i = 0; i < n && !found; i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		ez_mutex_lock(s->lock);
		ez_slot_refresh(s);
		if (s->card_present != s->reported_present ||
		    (s->card_present && s->events != s->reported_events)) {
			s->reported_present = s->card_present;
			s->reported_events = s->events;
			*out = s->id;
			found = true;
		}
		ez_mutex_unlock(s->lock);
	}
	return found;
}

static CK_RV wait_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot)
{
	CK_RV rv = CKR_NO_EVENT;

	if (take_event(slot))
		return CKR_OK;
	if (flags & CKF_DONT_BLOCK)
		return CKR_NO_EVENT;
	ez_mutex_lock(ez_mod.lock);
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
		if (take_event(slot)) {
			rv = CKR_OK;
			break;
		}
	}
	ez_waiters--;
	return ez_finalizing ? CKR_CRYPTOKI_NOT_INITIALIZED : rv;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "flags=0x%lx", flags));

	if (rv == CKR_OK && (!slot || reserved))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = wait_event(flags, slot);
	return ez_leave(&c, rv);
}
