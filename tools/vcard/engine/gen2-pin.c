/*
 * gen2-pin.c: AKIS 2.x PIN commands, in the forms AkisCIF sends:
 *   VERIFY 00 20 00 81|82 Lc ASCII digits, no padding (fact 29). With no
 *     data it is *not* a status query on 2.x: CIF refuses to send one and
 *     reads the tries from the PIN object instead; the card answers 67 00.
 *     Wrong: 63 CX; blocked: 69 83 (fact 30).
 *   CHANGE REFERENCE DATA 00 24 00 81|82 Lc old || new, no length bytes
 *     (fact 34): the card splits at the stored length of the current value.
 *   RESET RETRY COUNTER after a VERIFY of the PUK (fact 35):
 *     00 2C 02 81 Lc newPIN sets a new PIN and resets its counter;
 *     00 2C 03 81 (no data) resets the counter only. Without the PUK
 *     verified: 69 82. The 1.x form P1 00 answers 6A 86.
 * The PIN objects are local to the PKCS-15 DF (P2 = 80 | n): from outside
 * it they are not found (6A 88). A length outside the object's min..max
 * (its 7F41) answers 6A 80 without counting a try.
 */
#include "config.h"

#include "gen2.h"

/* The PIN object P2 names, in the current DF. */
static struct vc_pin *object(vcard *c, uint8_t p2, uint16_t *sw)
{
	struct vc_pin *p = NULL;

	if (vc_gen2_pin_ref_ok(p2) && vc_gen2_in_app_df(c))
		p = vc_pin_find(c, p2);
	if (!p)
		*sw = SW_REF_NOT_FOUND;
	return p;
}

uint16_t vc_gen2_verify(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_pin *p;
	uint16_t sw = SW_OK;

	(void)r;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!(p = object(c, a->p2, &sw)))
		return sw;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (p->tries == 0)
		return SW_BLOCKED_2;
	if (!vc_pin_length_ok(p, a->lc))
		return SW_WRONG_DATA;
	sw = vc_pin_try(c, p, a->data, a->lc);
	if (sw == SW_OK)
		vc_pin_set_verified(c, p);
	return sw;
}

uint16_t vc_gen2_change(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_pin *p;
	size_t old_l, new_l;
	uint16_t sw = SW_OK;

	(void)r;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (!(p = object(c, a->p2, &sw)))
		return sw;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (p->tries == 0)
		return SW_BLOCKED_2;
	old_l = p->len;
	new_l = a->lc > old_l ? a->lc - old_l : 0;
	if (!vc_pin_length_ok(p, new_l))
		return SW_WRONG_DATA;
	sw = vc_pin_try(c, p, a->data, old_l);
	if (sw != SW_OK)
		return sw;
	return vc_pin_set_value(c, p, a->data + old_l, new_l);
}

uint16_t vc_gen2_reset_retry(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	struct vc_pin *p, *puk;
	uint16_t sw = SW_OK;

	(void)r;
	if (a->p1 != VC2_RRC_NEW_PIN && a->p1 != VC2_RRC_COUNTER_ONLY)
		return SW_WRONG_P1P2;
	if (!(p = object(c, a->p2, &sw)))
		return sw;
	if (!p->unblock_ref || !(puk = vc_pin_find(c, p->unblock_ref)))
		return SW_CONDITIONS; /* nothing unblocks this object (the PUK) */
	if (a->p1 == VC2_RRC_COUNTER_ONLY ? a->lc != 0 : a->lc == 0)
		return SW_WRONG_LENGTH;
	if (!puk->verified)
		return SW_SECURITY;
	if (a->p1 == VC2_RRC_COUNTER_ONLY)
		return vc_pin_reset_counter(c, p);
	if (!vc_pin_length_ok(p, a->lc))
		return SW_WRONG_DATA;
	sw = vc_pin_set_value(c, p, a->data, a->lc);
	if (sw == SW_OK)
		p->verified = false;
	return sw;
}
