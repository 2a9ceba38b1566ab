/*
 * p11-slot-info.c: what the application asks of slots and tokens:
 * C_GetSlotList, C_GetSlotInfo, C_GetTokenInfo, the mechanisms, and
 * C_InitToken (refused: a qualified signature card is personalized by its
 * issuer only). Answered from memory after one pcscd status query of the
 * reader; a token is read on the first call that needs it (p11-read.c).
 */
#include "config.h"

#include "p11-internal.h"

#include <string.h>

static void pad(CK_UTF8CHAR *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', cap);
	memcpy(dst, src, n < cap ? n : cap);
}

/* Slot i's state now (slot lock taken and released). */
static bool claims_card_now(struct ez_slot *s, bool refresh)
{
	bool claims;

	ez_mutex_lock(s->lock);
	if (refresh)
		ez_slot_refresh(s);
	claims = ez_slot_claims_card(s);
	ez_mutex_unlock(s->lock);
	return claims;
}

CK_RV C_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	struct ez_call c;
	CK_ULONG n = 0;
	size_t i, nslots;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "token_present=%d list=%s", token_present,
				    list ? "(buffer)" : "NULL"));

	if (rv == CKR_OK && !count)
		rv = CKR_ARGUMENTS_BAD;
	if (rv != CKR_OK)
		return ez_leave(&c, rv);
	/* New readers appear on the size query, so the count and the list the
	 * application fetches next agree. */
	if (!list) {
		ez_mutex_lock(ez_mod.lock);
		ez_slots_rescan();
		ez_mutex_unlock(ez_mod.lock);
	}
	nslots = ez_slot_count();
	for (i = 0; i < nslots; i++) {
		struct ez_slot *s = &ez_mod.slots[i];
		/* Cards are seen (ATR only, no APDU) on the size query. */
		if (token_present && !claims_card_now(s, !list))
			continue;
		if (list && n < *count)
			list[n] = s->id;
		n++;
	}
	if (list && n > *count)
		rv = CKR_BUFFER_TOO_SMALL;
	*count = n;
	return ez_leave(&c, rv);
}

CK_RV C_GetSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "slot=%lu", id));

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, 0);
	if (rv == CKR_OK) {
		memset(info, 0, sizeof(*info));
		pad(info->slotDescription, sizeof(info->slotDescription), c.slot->reader);
		pad(info->manufacturerID, sizeof(info->manufacturerID), "PC/SC");
		info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT |
			      (ez_slot_claims_card(c.slot) ? CKF_TOKEN_PRESENT : 0);
	}
	return ez_leave(&c, rv);
}

static void token_info(const struct ez_slot *s, CK_TOKEN_INFO_PTR info)
{
	const struct ez_token *t = s->token;
	size_t i;

	memset(info, 0, sizeof(*info));
	memcpy(info->label, t->label, 32);
	memcpy(info->manufacturerID, t->manufacturer, 32);
	memcpy(info->model, t->model, 16);
	memcpy(info->serialNumber, t->serial, 16);
	/* A PIN-pad reader: C_Login with a NULL PIN has the PIN typed there. */
	info->flags = CKF_RNG | CKF_WRITE_PROTECTED | CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED |
		      (t->has_user ? CKF_USER_PIN_INITIALIZED : 0) |
		      ((ez_token_pad(t) & EZ_PAD_VERIFY) ? CKF_PROTECTED_AUTHENTICATION_PATH : 0) |
		      ez_token_pin_flags(t);
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = ez_sessions_on(s->id, false);
	info->ulRwSessionCount = ez_sessions_on(s->id, true);
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
}

CK_RV C_GetTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "slot=%lu", id));

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	if (rv == CKR_OK)
		token_info(c.slot, info);
	return ez_leave(&c, rv);
}

static const CK_MECHANISM_TYPE digest_mechs[] = {CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
						 CKM_SHA512};
#define N_DIGESTS (sizeof(digest_mechs) / sizeof(digest_mechs[0]))

/* The signature mechanisms a key on this card can use, and digests. */
static size_t token_mechs(const struct ez_token *t, CK_MECHANISM_TYPE *all, size_t cap)
{
	CK_MECHANISM_TYPE sig[64];
	size_t k, n = 0, ns = ez_mech_list(sig, sizeof(sig) / sizeof(sig[0]));

	for (k = 0; k < ns && n < cap; k++)
		if (ez_token_mech_usable(t, ez_mech_find(sig[k])))
			all[n++] = sig[k];
	for (k = 0; k < N_DIGESTS && n < cap; k++)
		all[n++] = digest_mechs[k];
	return n;
}

CK_RV C_GetMechanismList(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	struct ez_call c;
	CK_MECHANISM_TYPE all[64 + N_DIGESTS];
	size_t n = 0;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "slot=%lu list=%s", id, list ? "(buffer)" : "NULL"));

	if (rv == CKR_OK && !count)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	if (rv == CKR_OK)
		n = token_mechs(c.slot->token, all, sizeof(all) / sizeof(all[0]));
	if (rv == CKR_OK && list && *count < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (rv == CKR_OK && list)
		memcpy(list, all, n * sizeof(*list));
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*count = n;
	return ez_leave(&c, rv);
}

static CK_RV mechanism_info(const struct ez_token *t, CK_MECHANISM_TYPE type,
			    CK_MECHANISM_INFO_PTR info)
{
	const struct ez_mech *m;
	CK_ULONG lo = 0, hi = 0;
	size_t i;

	memset(info, 0, sizeof(*info));
	if (ez_digest_md(type)) {
		info->flags = CKF_DIGEST;
		return CKR_OK;
	}
	m = ez_mech_find(type);
	if (!m || !ez_token_mech_usable(t, m))
		return CKR_MECHANISM_INVALID;
	/* The sizes of the keys this token really has. */
	for (i = 0; i < t->nobjs; i++) {
		const struct ez_obj *o = &t->objs[i];
		if (o->cls != CKO_PRIVATE_KEY || o->key_type != m->key_type)
			continue;
		if (!lo || o->bits < lo)
			lo = o->bits;
		if (o->bits > hi)
			hi = o->bits;
	}
	info->ulMinKeySize = lo;
	info->ulMaxKeySize = hi;
	info->flags = CKF_HW | CKF_SIGN | CKF_VERIFY;
	if (m->key_type == CKK_EC)
		info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	return CKR_OK;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "slot=%lu mech=%s", id, ez_ckm_name(type)));

	if (rv == CKR_OK && !info)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	if (rv == CKR_OK)
		rv = mechanism_info(c.slot->token, type, info);
	return ez_leave(&c, rv);
}

CK_RV C_InitToken(CK_SLOT_ID id, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label)
{
	struct ez_call c;
	CK_RV rv = ez_enter(ez_call(&c, __func__, "slot=%lu", id));

	(void)pin;
	(void)len;
	if (rv == CKR_OK && !label)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = ez_enter_slot(&c, id, EZ_NEED_TOKEN);
	/* A qualified signature card is personalized by its issuer only. */
	return ez_leave(&c, rv != CKR_OK ? rv : CKR_TOKEN_WRITE_PROTECTED);
}
