/*
 * vcard-engine.c: a card's life (new, free, power), personalization calls
 * that no APDU covers, observation for tests and the trace hook.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

vcard *vcard_new(const struct akis_atr *atr)
{
	vcard *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (!atr)
		atr = akis_atr_default();
	if (atr->len > sizeof(c->atr)) {
		free(c);
		return NULL;
	}
	memcpy(c->atr, atr->atr, atr->len);
	c->atr_len = atr->len;
	c->life = AKIS_LIFE_ADMINISTRATION;
	c->sel_key = -1;
	vc_fs_add(c, VC_NO_FILE, 0x3F00, true, 0,
		  (uint8_t)(AKIS_AC_ALWAYS << akis_profile.ac_shift_read |
			    AKIS_AC_NEVER << akis_profile.ac_shift_update),
		  NULL, 0);
	return c;
}

void vcard_free(vcard *c)
{
	size_t i;

	if (!c)
		return;
	vc_fs_free(c);
	for (i = 0; i < c->nkeys; i++)
		EVP_PKEY_free(c->keys[i].pkey);
	free(c->image_path);
	ez_wipe(c, sizeof(*c)); /* PIN values, chained data, pending responses */
	free(c);
}

bool vc_admin(const vcard *c)
{
	return c->life == AKIS_LIFE_ADMINISTRATION;
}

int vc_persist(vcard *c)
{
	if (!c->image_path)
		return 0;
	return vcard_save(c, c->image_path);
}

int vcard_set_image_path(vcard *c, const char *path)
{
	char *p = NULL;

	if (path && !(p = strdup(path)))
		return -1;
	free(c->image_path);
	c->image_path = p;
	return 0;
}

size_t vcard_atr(const vcard *c, uint8_t *buf, size_t cap)
{
	if (!c || !buf || cap < c->atr_len)
		return 0;
	memcpy(buf, c->atr, c->atr_len);
	return c->atr_len;
}

/* Everything that does not survive a power cycle. */
static void volatile_reset(vcard *c)
{
	vc_sec_clear(c);
	c->cur = 0;
	c->sel_key = -1;
	ez_wipe(c->chain, sizeof(c->chain));
	c->chain_len = 0;
	c->chaining = false;
	ez_wipe(c->pending, sizeof(c->pending));
	c->pending_len = c->pending_off = 0;
	c->last_op = VCARD_OP_PLAIN;
}

void vcard_power_on(vcard *c)
{
	volatile_reset(c);
	c->powered = true;
}

void vcard_power_off(vcard *c)
{
	volatile_reset(c);
	c->powered = false;
}

void vcard_reset(vcard *c)
{
	volatile_reset(c);
	c->powered = true;
}

bool vcard_powered(const vcard *c)
{
	return c->powered;
}

enum vcard_op_kind vcard_last_op(const vcard *c)
{
	return c->last_op;
}

int vcard_add_pin(vcard *c, uint8_t ref, const uint8_t *value, size_t len, unsigned max_tries,
		  unsigned min_len, unsigned max_len, uint8_t unblock_ref)
{
	struct vc_pin *p;

	if (!c || !vc_admin(c) || c->npins >= VC_MAX_PINS || !value || len == 0 ||
	    len > AKIS_MAX_PIN_LEN || max_tries == 0 || max_tries > 15 || min_len > max_len ||
	    max_len > AKIS_MAX_PIN_LEN || len < min_len || len > max_len || vc_pin_find(c, ref))
		return -1;
	p = &c->pins[c->npins++];
	memset(p, 0, sizeof(*p));
	p->ref = ref;
	memcpy(p->value, value, len);
	p->len = len;
	p->max_tries = p->tries = max_tries;
	p->min_len = min_len;
	p->max_len = max_len;
	p->unblock_ref = unblock_ref;
	return vc_persist(c);
}

int vcard_add_key(vcard *c, uint8_t ref, EVP_PKEY *key, uint8_t pin_ref, bool user_consent)
{
	struct vc_key *k;
	size_t i;
	int id, bits;

	if (!c || !key || !vc_admin(c) || c->nkeys >= VC_MAX_KEYS)
		return -1;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == ref)
			return -1;
	id = EVP_PKEY_get_base_id(key);
	bits = EVP_PKEY_get_bits(key);
	if (!(id == EVP_PKEY_RSA && (bits == 2048 || bits == 3072)) &&
	    !(id == EVP_PKEY_EC && (bits == 256 || bits == 384)))
		return -1;
	if (!EVP_PKEY_up_ref(key))
		return -1;
	k = &c->keys[c->nkeys++];
	memset(k, 0, sizeof(*k));
	k->ref = ref;
	k->pkey = key;
	k->pin_ref = pin_ref;
	k->user_consent = user_consent;
	return vc_persist(c);
}

int vcard_set_serial(vcard *c, const uint8_t serial[AKIS_DATA_SERIAL_LEN])
{
	if (!c || !serial || !vc_admin(c))
		return -1;
	memcpy(c->serial, serial, AKIS_DATA_SERIAL_LEN);
	return vc_persist(c);
}

int vcard_pin_tries(const vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; c && i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return (int)c->pins[i].tries;
	return -1;
}

uint8_t vcard_life_cycle(const vcard *c)
{
	return c->life;
}

void vcard_set_trace(vcard *c, vcard_trace_fn fn, void *arg)
{
	c->trace = fn;
	c->trace_arg = arg;
}
