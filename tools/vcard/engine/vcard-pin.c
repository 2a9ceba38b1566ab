/*
 * vcard-pin.c: PIN and PUK objects, shared by both generations.
 *
 * The try rule real cards keep: the counter is decremented and saved
 * *before* the value is compared; a right value then restores it (and
 * saves again). So a card pulled or a process killed at any moment never
 * loses a wrong try, and until the answer leaves, the image looks the same
 * whether the value was right or wrong. Comparisons run in constant time
 * over a fixed width.
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

bool vc_pin_length_ok(const struct vc_pin *p, size_t len)
{
	return len >= p->min_len && len <= p->max_len && len > 0 && len <= VCARD_MAX_PIN_LEN;
}

uint16_t vc_pin_tries_sw(const struct vc_pin *p)
{
	return (uint16_t)(0x63C0 | (p->tries > 15 ? 15 : p->tries));
}

/* Constant time over VCARD_MAX_PIN_LEN bytes, whatever the lengths. */
static bool matches(const struct vc_pin *p, const uint8_t *v, size_t len)
{
	uint8_t a[VCARD_MAX_PIN_LEN] = {0}, b[VCARD_MAX_PIN_LEN] = {0};
	bool eq;

	memcpy(a, v, len > VCARD_MAX_PIN_LEN ? VCARD_MAX_PIN_LEN : len);
	memcpy(b, p->value, p->len);
	eq = ez_ct_equal(a, b, sizeof(a)) & (len == p->len);
	ez_wipe(a, sizeof(a));
	ez_wipe(b, sizeof(b));
	return eq;
}

uint16_t vc_pin_try(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len)
{
	unsigned before = p->tries;
	bool right;

	if (p->tries == 0)
		return c->dialect->sw_blocked;
	/* Count the try first, and make it last. */
	p->tries--;
	if (vc_persist(c) < 0) {
		p->tries = before; /* nothing was compared: the try never happened */
		return SW_MEMORY;
	}
	right = matches(p, v, len);
	if (c->compare_hook)
		c->compare_hook(c->compare_hook_arg);
	if (!right) {
		p->verified = false; /* a failed VERIFY resets the status (ISO 7816-4) */
		return vc_pin_tries_sw(p);
	}
	p->tries = p->max_tries;
	if (vc_persist(c) < 0) {
		/* The image keeps the counted try; memory follows it, and the
		 * right value is not honoured. */
		p->tries = before - 1;
		return SW_MEMORY;
	}
	return SW_OK;
}

void vc_pin_set_verified(vcard *c, struct vc_pin *p)
{
	size_t i;

	p->verified = true;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].pin_ref == p->ref)
			c->keys[i].fresh_verify = true;
}

uint16_t vc_pin_set_value(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len)
{
	struct vc_pin old = *p;

	memcpy(p->value, v, len);
	if (len < sizeof(p->value))
		memset(p->value + len, 0, sizeof(p->value) - len);
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

uint16_t vc_pin_reset_counter(vcard *c, struct vc_pin *p)
{
	unsigned before = p->tries;

	p->tries = p->max_tries;
	if (before != p->tries && vc_persist(c) < 0) {
		p->tries = before;
		return SW_MEMORY;
	}
	return SW_OK;
}
