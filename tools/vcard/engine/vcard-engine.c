/*
 * vcard-engine.c: a card's life (new, free, power), persistence of lasting
 * changes, observation for tests and tools, the trace and save hooks.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/hex.h>
#include <eimza/secmem.h>

#include "gen2.h"

vcard *vcard_new(enum vcard_generation gen, const uint8_t *atr, size_t atr_len)
{
	uint8_t def[VCARD_MAX_ATR];
	vcard *c;

	if (gen != VCARD_GEN_1_2 && gen != VCARD_GEN_2)
		return NULL;
	if (!atr) {
		long n = ez_hex_decode(vcard_atr_default(gen)->hex, def, sizeof(def));
		if (n <= 0)
			return NULL;
		atr = def;
		atr_len = (size_t)n;
	}
	if (vcard_atr_check(atr, atr_len, NULL, 0) < 0)
		return NULL;
	/* The card holds its PINs and PUKs, and the APDUs it takes pass
	 * through it: pages of their own, left out of core files. */
	c = ez_secret_alloc(sizeof(*c));
	if (!c)
		return NULL;
	c->gen = gen;
	c->dialect = gen == VCARD_GEN_1_2 ? &vc_dialect_12 : &vc_dialect_2;
	memcpy(c->atr, atr, atr_len);
	c->atr_len = atr_len;
	c->ec_commands = gen == VCARD_GEN_2 && vcard_atr_gen2_has_ec(atr, atr_len);
	c->life = VCARD_LIFE_PERSONALIZATION;
	c->se_key = -1;
	c->app_df = VC_NO_FILE;
	if (vc_fs_add(c, VC_NO_FILE, VC_FID_MF, true, VC_FDB_DF,
	              VC_ACCESS(VC_AC_ALWAYS, VC_AC_NEVER), NULL, 0) < 0 ||
	    (gen == VCARD_GEN_2 && vc_gen2_make_app_df(c) < 0)) {
		vcard_free(c);
		return NULL;
	}
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
	ez_secret_free(c, sizeof(*c)); /* wiped: PIN values, chained data, responses */
}

bool vc_personalizing(const vcard *c)
{
	return c->life == VCARD_LIFE_PERSONALIZATION;
}

int vc_persist(vcard *c)
{
	if (!c->image_path)
		return 0;
	c->saves++;
	if (c->save_hook && c->save_hook(c->save_hook_arg, c->saves) < 0)
		return -1;
	return vcard_save(c, c->image_path);
}

int vcard_set_image_path(vcard *c, const char *path)
{
	char *p = NULL;

	if (!c)
		return -1;
	if (path && !(p = strdup(path)))
		return -1;
	free(c->image_path);
	c->image_path = p;
	return 0;
}

void vcard_set_save_hook(vcard *c, vcard_save_hook_fn fn, void *arg)
{
	c->save_hook = fn;
	c->save_hook_arg = arg;
	c->saves = 0;
}

void vcard_set_compare_hook(vcard *c, vcard_compare_hook_fn fn, void *arg)
{
	c->compare_hook = fn;
	c->compare_hook_arg = arg;
}

size_t vcard_atr(const vcard *c, uint8_t *buf, size_t cap)
{
	if (!c || !buf || cap < c->atr_len)
		return 0;
	memcpy(buf, c->atr, c->atr_len);
	return c->atr_len;
}

void vc_security_clear(vcard *c)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		c->pins[i].verified = false;
	for (i = 0; i < c->nkeys; i++)
		c->keys[i].fresh_verify = false;
}

void vc_se_clear(vcard *c)
{
	c->se_key = -1;
	c->se_alg = 0;
}

/* Everything that does not survive a power cycle. */
static void volatile_reset(vcard *c)
{
	vc_security_clear(c);
	vc_se_clear(c);
	c->cur = 0;
	ez_wipe(c->chain, sizeof(c->chain));
	c->chain_len = 0;
	c->chaining = false;
	ez_wipe(c->pending, sizeof(c->pending));
	c->pending_len = c->pending_off = 0;
	c->last_op = VCARD_OP_PLAIN;
	c->dialect->reset(c);
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

enum vcard_generation vcard_generation(const vcard *c)
{
	return c->gen;
}

bool vcard_has_ec(const vcard *c)
{
	return c->ec_commands;
}

static const struct vc_pin *pin_by_ref(const vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; c && i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return &c->pins[i];
	return NULL;
}

int vcard_pin_tries(const vcard *c, uint8_t ref)
{
	const struct vc_pin *p = pin_by_ref(c, ref);

	return p ? (int)p->tries : -1;
}

int vcard_pin_max_tries(const vcard *c, uint8_t ref)
{
	const struct vc_pin *p = pin_by_ref(c, ref);

	return p ? (int)p->max_tries : -1;
}

int vcard_pin_lengths(const vcard *c, uint8_t ref, unsigned *min_len, unsigned *max_len)
{
	const struct vc_pin *p = pin_by_ref(c, ref);

	if (!p)
		return -1;
	*min_len = p->min_len;
	*max_len = p->max_len;
	return 0;
}

bool vcard_pin_verified(const vcard *c, uint8_t ref)
{
	const struct vc_pin *p = pin_by_ref(c, ref);

	return p && p->verified;
}

enum vcard_life vcard_life_cycle(const vcard *c)
{
	return c->life;
}

void vcard_serial(const vcard *c, uint8_t out[VCARD_SERIAL_LEN])
{
	memcpy(out, c->serial, VCARD_SERIAL_LEN);
}

size_t vcard_key_count(const vcard *c)
{
	return c->nkeys;
}

bool vcard_public_keys_protected(const vcard *c)
{
	return c->protect_public_keys;
}

void vcard_set_trace(vcard *c, vcard_trace_fn fn, void *arg)
{
	c->trace = fn;
	c->trace_arg = arg;
}
