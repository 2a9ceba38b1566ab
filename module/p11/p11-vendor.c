/*
 * p11-vendor.c: the "Vendor eimza" interface (<eimza/eimza-pkcs11.h>):
 * what is in a reader, the exact PIN/PUK counters, the reader's keypad, and
 * an APDU trace for eimza-info probe. Nothing here sends a PIN command.
 */
#include "config.h"

#include "p11-internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <eimza/eimza-pkcs11.h>

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static EZ_TRACE_FN trace_fn;
static void *trace_arg;

bool ez_vendor_trace_on(void)
{
	bool on;

	pthread_mutex_lock(&trace_lock);
	on = trace_fn != NULL;
	pthread_mutex_unlock(&trace_lock);
	return on;
}

void ez_vendor_trace(CK_SLOT_ID slot, const char *line)
{
	pthread_mutex_lock(&trace_lock);
	if (trace_fn)
		trace_fn(trace_arg, slot, line);
	pthread_mutex_unlock(&trace_lock);
}

static CK_RV set_trace(EZ_TRACE_FN fn, void *arg)
{
	pthread_mutex_lock(&trace_lock);
	trace_fn = fn;
	trace_arg = arg;
	pthread_mutex_unlock(&trace_lock);
	return CKR_OK;
}

static void fill_pin(const struct ez_pin_format *f, bool present, int tries, CK_LONG *t,
		     CK_LONG *max, CK_ULONG *min_len, CK_ULONG *max_len)
{
	*t = present ? tries : -1;
	*max = present ? (CK_LONG)f->max_tries : -1;
	*min_len = present ? f->min_len : 0;
	*max_len = present ? f->max_len : 0;
}

static void fill_card_info(struct ez_slot *s, EZ_CARD_INFO *info)
{
	struct ez_token *t = ez_slot_token(s);

	if (s->card_present) {
		memcpy(info->atr, s->atr, s->atr_len);
		info->atr_len = s->atr_len;
	}
	if (t) {
		info->state = EZ_CARD_TOKEN;
		s->card = t->info;
		fill_pin(&t->user_fmt, t->has_user, t->user_tries, &info->pin_tries,
			 &info->pin_max_tries, &info->pin_min_len, &info->pin_max_len);
		fill_pin(&t->so_fmt, t->has_so, t->so_tries, &info->puk_tries, &info->puk_max_tries,
			 &info->puk_min_len, &info->puk_max_len);
	} else if (!s->card_present) {
		info->state = EZ_CARD_NONE;
	} else if (!s->card.family[0]) {
		info->state = EZ_CARD_FOREIGN;
	} else if (!s->card.dialect[0]) {
		info->state = EZ_CARD_UNSUPPORTED;
	} else {
		info->state = EZ_CARD_UNREADABLE;
	}
	if (info->state != EZ_CARD_NONE) {
		snprintf(info->family, sizeof(info->family), "%s", s->card.family);
		snprintf(info->model, sizeof(info->model), "%s", s->card.model);
		snprintf(info->dialect, sizeof(info->dialect), "%s", s->card.dialect);
		info->version_known = s->card.version_known ? CK_TRUE : CK_FALSE;
		for (int i = 0; i < 3; i++)
			info->version[i] = s->card.version[i];
	}
}

static CK_RV get_card_info(CK_SLOT_ID id, EZ_CARD_INFO *info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, "EZ_GetCardInfo", "slot=%lu", id));

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		memset(info, 0, sizeof(*info));
		info->pin_tries = info->pin_max_tries = info->puk_tries = info->puk_max_tries = -1;
		rv = ez_enter_slot(&c, id, 0);
	}
	if (rv == CKR_OK)
		fill_card_info(c.slot, info);
	return ez_leave(&c, rv);
}

static CK_RV get_service(CK_ULONG *state)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, "EZ_GetService", "%s", ""));

	if (rv == CKR_OK && !state)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		ez_mutex_lock(ez_mod.lock);
		*state = ez_slots_service();
		ez_mutex_unlock(ez_mod.lock);
	}
	return ez_leave(&c, rv);
}

static CK_RV get_pinpad(CK_SLOT_ID id, EZ_PINPAD_INFO *info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, "EZ_GetPinpad", "slot=%lu", id));
	unsigned pad, min = 0, max = 0;

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	if (rv == CKR_OK) {
		memset(info, 0, sizeof(*info));
		pad = ez_token_pad(c.slot->token);
		if (pad & EZ_PAD_VERIFY)
			info->flags |= EZ_PINPAD_VERIFY;
		if (pad & EZ_PAD_MODIFY)
			info->flags |= EZ_PINPAD_CHANGE;
		if (pad) {
			ez_conn_pinpad_limits(c.slot->token->conn, &min, &max);
			info->min_len = min;
			info->max_len = max;
		}
	}
	return ez_leave(&c, rv);
}

EZ_VENDOR_FUNCTIONS ez_vendor_functions = {
	{EZ_VENDOR_VERSION_MAJOR, EZ_VENDOR_VERSION_MINOR},
	get_card_info,
	set_trace,
	get_service,
	get_pinpad,
};
