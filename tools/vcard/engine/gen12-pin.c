/*
 * gen12-pin.c: AKIS 1.2 PIN commands, in ESYA's 1.x forms:
 *   VERIFY 00 20 00 ref [ASCII digits]: with no data, the state (90 00
 *     verified, 63 CX, 69 84 blocked);
 *   CHANGE REFERENCE DATA 00 24 00 ref, data len old old len new new;
 *   RESET RETRY COUNTER 00 2C 00 ref, data len PUK PUK len new new (the
 *     PUK is the object that unblocks the PIN);
 *   LOGOUT 80 1A 00 00.
 * A blocked object answers 69 84 on 1.x (fact 30). A value whose length is
 * outside the object's policy is refused with 6A 80 without counting a
 * try. The security status is card-wide on 1.2: SELECT does not touch it,
 * LOGOUT, reset and power-off clear it (our choice; 1.x has a LOGOUT).
 */
#include "config.h"

#include "gen12.h"

uint16_t vc_gen12_verify(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_pin *p;
	uint16_t sw;

	(void)r;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, a->p2);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (a->lc == 0) {
		/* The state query: no try is counted. */
		if (p->tries == 0)
			return SW_REF_UNUSABLE;
		return p->verified ? SW_OK : vc_pin_tries_sw(p);
	}
	if (p->tries == 0)
		return SW_REF_UNUSABLE;
	if (!vc_pin_length_ok(p, a->lc))
		return SW_WRONG_DATA;
	sw = vc_pin_try(c, p, a->data, a->lc);
	if (sw == SW_OK)
		vc_pin_set_verified(c, p);
	return sw;
}

/* data = len(x) x len(y) y, both non-empty, nothing after. */
static bool split2(const struct vc_apdu *a, const uint8_t **x, size_t *xl, const uint8_t **y,
                   size_t *yl)
{
	size_t n = a->lc;
	const uint8_t *d = a->data;

	if (n < 4 || d[0] == 0 || (size_t)d[0] + 2 >= n)
		return false;
	*x = d + 1;
	*xl = d[0];
	*yl = d[d[0] + 1];
	*y = d + d[0] + 2;
	return *yl > 0 && (size_t)d[0] + 2 + *yl == n;
}

uint16_t vc_gen12_change(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	const uint8_t *old_v, *new_v;
	size_t old_l, new_l;
	struct vc_pin *p;
	uint16_t sw;

	(void)r;
	/* P1 00 only: the 1.0 driver's P1 01 / 02 are not 1.2 forms. */
	if (a->p1 != VC12_PIN_P1)
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, a->p2);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (!split2(a, &old_v, &old_l, &new_v, &new_l))
		return SW_WRONG_DATA;
	if (p->tries == 0)
		return SW_REF_UNUSABLE;
	/* Both lengths are checked first, so no try is spent on a change
	 * that could never succeed. */
	if (!vc_pin_length_ok(p, old_l) || !vc_pin_length_ok(p, new_l))
		return SW_WRONG_DATA;
	sw = vc_pin_try(c, p, old_v, old_l);
	if (sw != SW_OK)
		return sw;
	return vc_pin_set_value(c, p, new_v, new_l);
}

uint16_t vc_gen12_reset_retry(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	const uint8_t *puk_v, *new_v;
	size_t puk_l, new_l;
	struct vc_pin *p, *puk;
	uint16_t sw;

	(void)r;
	if (a->p1 != VC12_PIN_P1)
		return SW_WRONG_P1P2;
	p = vc_pin_find(c, a->p2);
	if (!p)
		return SW_REF_NOT_FOUND;
	if (!p->unblock_ref || !(puk = vc_pin_find(c, p->unblock_ref)))
		return SW_CONDITIONS; /* nothing can unblock this one */
	if (!split2(a, &puk_v, &puk_l, &new_v, &new_l))
		return SW_WRONG_DATA;
	if (puk->tries == 0)
		return SW_REF_UNUSABLE;
	if (!vc_pin_length_ok(puk, puk_l) || !vc_pin_length_ok(p, new_l))
		return SW_WRONG_DATA;
	sw = vc_pin_try(c, puk, puk_v, puk_l);
	if (sw != SW_OK)
		return sw;
	sw = vc_pin_set_value(c, p, new_v, new_l);
	if (sw == SW_OK)
		p->verified = false;
	return sw;
}

uint16_t vc_gen12_logout(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	(void)r;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	vc_security_clear(c);
	return SW_OK;
}
