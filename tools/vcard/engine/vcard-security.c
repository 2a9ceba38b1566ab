/*
 * vcard-security.c: PIN objects. VERIFY (with the no-data state query),
 * CHANGE REFERENCE DATA in the AKIS form, RESET RETRY COUNTER in the
 * profile's form, LOGOUT.
 *
 * Two rules a real card keeps and tests rely on: comparisons run in
 * constant time over a fixed width, and a try counter is decremented and
 * saved to the image before the answer leaves the card. A length outside
 * the PIN object's policy is refused with 6A 80 without burning a try.
 */
#include "config.h"

#include "vcard-internal.h"

#include <string.h>

#include <eimza/secmem.h>

struct vc_pin *vc_pin_find(vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return &c->pins[i];
	return NULL;
}

bool vc_pin_verified(const vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return c->pins[i].verified;
	return false;
}

void vc_sec_clear(vcard *c)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		c->pins[i].verified = false;
	for (i = 0; i < c->nkeys; i++)
		c->keys[i].consent_ok = false;
}

static uint16_t tries_sw(const struct vc_pin *p)
{
	return (uint16_t)(0x63C0 | (p->tries > 15 ? 15 : p->tries));
}

static bool policy_ok(const struct vc_pin *p, const uint8_t *v, size_t len)
{
	return len >= p->min_len && len <= p->max_len && len <= AKIS_MAX_PIN_LEN && len > 0 && v;
}

/* Constant time over AKIS_MAX_PIN_LEN bytes, whatever the lengths. */
static bool matches(const struct vc_pin *p, const uint8_t *v, size_t len)
{
	uint8_t a[AKIS_MAX_PIN_LEN] = {0}, b[AKIS_MAX_PIN_LEN] = {0};
	bool eq;

	memcpy(a, v, len > AKIS_MAX_PIN_LEN ? AKIS_MAX_PIN_LEN : len);
	memcpy(b, p->value, p->len);
	eq = ez_ct_equal(a, b, sizeof(a)) & (len == p->len);
	ez_wipe(a, sizeof(a));
	ez_wipe(b, sizeof(b));
	return eq;
}

static void set_verified(vcard *c, struct vc_pin *p)
{
	size_t i;

	p->verified = true;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].pin_ref == p->ref)
			c->keys[i].consent_ok = true;
}

/* Check `v` against `p`, count the try, save. Returns 90 00, 63 CX, 69 83
 * or 65 81 (the save failed: the counter is put back). */
static uint16_t try_pin(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len)
{
	unsigned before = p->tries;

	if (p->tries == 0)
		return SW_BLOCKED;
	if (!matches(p, v, len)) {
		p->tries--;
		if (vc_persist(c) < 0) {
			p->tries = before;
			return SW_MEMORY;
		}
		p->verified = false;
		return tries_sw(p);
	}
	if (p->tries != p->max_tries) {
		p->tries = p->max_tries;
		if (vc_persist(c) < 0) {
			p->tries = before;
			return SW_MEMORY;
		}
	}
	return SW_OK;
}

uint16_t vc_sec_verify(vcard *c, const struct vc_apdu *a)
{
	struct vc_pin *p;
	uint16_t sw;

	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, a->p2);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (a->lc == 0) {
		/* ISO state query: no try is counted. */
		if (p->tries == 0)
			return SW_BLOCKED;
		return p->verified ? SW_OK : tries_sw(p);
	}
	if (p->tries == 0)
		return SW_BLOCKED;
	if (!policy_ok(p, a->data, a->lc))
		return SW_WRONG_DATA;
	sw = try_pin(c, p, a->data, a->lc);
	if (sw == SW_OK)
		set_verified(c, p);
	return sw;
}

/* data = len(a) a len(b) b, both non-empty. */
static bool split2(const struct vc_apdu *a, const uint8_t **x, size_t *xl, const uint8_t **y,
		   size_t *yl)
{
	size_t n = a->lc;
	const uint8_t *d = a->data;

	if (n < 2 || d[0] == 0 || (size_t)d[0] + 2 > n)
		return false;
	*x = d + 1;
	*xl = d[0];
	if (d[0] + 1u >= n)
		return false;
	*yl = d[d[0] + 1];
	*y = d + d[0] + 2;
	return *yl > 0 && (size_t)d[0] + 2 + *yl == n;
}

static uint16_t set_value(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len)
{
	struct vc_pin old = *p;

	memcpy(p->value, v, len);
	p->len = len;
	p->tries = p->max_tries;
	if (vc_persist(c) < 0) {
		*p = old;
		ez_wipe(&old, sizeof(old));
		return SW_MEMORY;
	}
	ez_wipe(&old, sizeof(old));
	return SW_OK;
}

uint16_t vc_sec_change(vcard *c, const struct vc_apdu *a)
{
	const uint8_t *old_v, *new_v;
	size_t old_l, new_l;
	struct vc_pin *p;
	uint8_t ref;
	uint16_t sw;

	if (a->p1 == AKIS_CHANGE_P1_PLAIN)
		ref = a->p2;
	else if (a->p1 == AKIS_CHANGE_P1_HIGH_REF && !(a->p2 & 0x80))
		ref = (uint8_t)(a->p2 | 0x80);
	else
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, ref);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (!split2(a, &old_v, &old_l, &new_v, &new_l))
		return SW_WRONG_DATA;
	if (p->tries == 0)
		return SW_BLOCKED;
	/* The new value's policy is checked first, so no try is spent on a
	 * change that could never succeed. */
	if (!policy_ok(p, old_v, old_l) || !policy_ok(p, new_v, new_l))
		return SW_WRONG_DATA;
	sw = try_pin(c, p, old_v, old_l);
	if (sw != SW_OK)
		return sw;
	sw = set_value(c, p, new_v, new_l);
	if (sw == SW_OK)
		set_verified(c, p);
	return sw;
}

uint16_t vc_sec_reset_retry(vcard *c, const struct vc_apdu *a)
{
	const uint8_t *puk_v, *new_v;
	size_t puk_l, new_l;
	struct vc_pin *p, *puk;
	uint16_t sw;

	if (a->p1 != akis_profile.reset_retry_p1)
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, a->p2);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (!p->unblock_ref || !(puk = vc_pin_find(c, p->unblock_ref)))
		return SW_CONDITIONS; /* nothing can unblock this one */
	if (!split2(a, &puk_v, &puk_l, &new_v, &new_l))
		return SW_WRONG_DATA;
	if (puk->tries == 0)
		return SW_BLOCKED;
	if (!policy_ok(puk, puk_v, puk_l) || !policy_ok(p, new_v, new_l))
		return SW_WRONG_DATA;
	sw = try_pin(c, puk, puk_v, puk_l);
	if (sw != SW_OK)
		return sw;
	sw = set_value(c, p, new_v, new_l);
	if (sw == SW_OK)
		p->verified = false;
	return sw;
}
