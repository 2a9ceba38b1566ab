/*
 * vcard-perso.c: personalization calls (vcard.h), what no APDU of either
 * command set does. No public source shows how AKIS cards are
 * personalized (2.x writes PIN objects with PUT DATA there, fact 34, but
 * the forms are unknown), so these are engine calls, allowed only in the
 * personalization life cycle.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdlib.h>
#include <string.h>

#include "gen2.h"

static bool all_digits(const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static int copy_label(char *dst, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n > VCARD_MAX_LABEL)
		return -1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return 0;
}

int vcard_add_pin(vcard *c, const struct vcard_pin_spec *s)
{
	struct vc_pin *p;

	if (!c || !s || !vc_personalizing(c) || c->npins >= VC_MAX_PINS || !s->value ||
	    s->max_tries == 0 || s->max_tries > 15 || s->min_len == 0 || s->min_len > s->max_len ||
	    s->max_len > VCARD_MAX_PIN_LEN || s->len < s->min_len || s->len > s->max_len ||
	    !all_digits(s->value, s->len) || vc_pin_find(c, s->ref))
		return -1;
	/* 2.x PIN objects are BF 81 0n, VERIFY P2 = 80 | n (fact 29). */
	if (c->gen == VCARD_GEN_2 && !vc_gen2_pin_ref_ok(s->ref))
		return -1;
	p = &c->pins[c->npins];
	memset(p, 0, sizeof(*p));
	if (copy_label(p->name, s->name) < 0)
		return -1;
	p->ref = s->ref;
	memcpy(p->value, s->value, s->len);
	p->len = s->len;
	p->max_tries = p->tries = s->max_tries;
	p->min_len = s->min_len;
	p->max_len = s->max_len;
	p->unblock_ref = s->unblock_ref;
	c->npins++;
	return vc_persist(c);
}

int vcard_add_key(vcard *c, const struct vcard_key_spec *s)
{
	struct vc_key *k;
	size_t i;
	bool ec;
	unsigned bits;

	if (!c || !s || !s->key || !vc_personalizing(c) || c->nkeys >= VC_MAX_KEYS || s->ref == 0)
		return -1;
	if (!vc_key_supported(c, s->key, &ec, &bits) || !vc_pin_find(c, s->pin_ref))
		return -1;
	/* 2.x object ids are 1..127: MSE names the key 80 | id (fact 19). */
	if (c->gen == VCARD_GEN_2 && s->ref > 0x7F)
		return -1;
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == s->ref)
			return -1;
	k = &c->keys[c->nkeys];
	memset(k, 0, sizeof(*k));
	if (copy_label(k->label, s->label) < 0 || !EVP_PKEY_up_ref(s->key))
		return -1;
	k->ref = s->ref;
	k->pkey = s->key;
	k->ec = ec;
	k->bits = bits;
	k->pin_ref = s->pin_ref;
	k->per_signature = s->per_signature_pin;
	c->nkeys++;
	return vc_persist(c);
}

int vcard_put_file(vcard *c, uint16_t fid, const uint8_t *data, size_t len)
{
	int idx;
	uint8_t *copy = NULL;

	if (!c || c->gen != VCARD_GEN_2 || !vc_personalizing(c) || len > VC_MAX_FILE_SIZE ||
	    (len && !data) || fid == VC_FID_MF || vc_fs_child(c, c->app_df, fid) >= 0)
		return -1;
	if (len) {
		copy = malloc(len);
		if (!copy)
			return -1;
		memcpy(copy, data, len);
	}
	idx = vc_fs_add(c, c->app_df, fid, false, VC_FDB_TRANSPARENT,
	                VC_ACCESS(VC_AC_ALWAYS, VC_AC_NEVER), NULL, 0);
	if (idx < 0) {
		free(copy);
		return -1;
	}
	c->files[idx].data = copy;
	c->files[idx].size = len;
	return vc_persist(c);
}

int vcard_set_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN])
{
	if (!c || !serial || !vc_personalizing(c))
		return -1;
	memcpy(c->serial, serial, VCARD_SERIAL_LEN);
	return vc_persist(c);
}

int vcard_set_second_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN])
{
	if (!c || !serial || c->gen != VCARD_GEN_2 || !vc_personalizing(c))
		return -1;
	memcpy(c->serial2, serial, VCARD_SERIAL_LEN);
	return vc_persist(c);
}

int vcard_set_public_keys_protected(vcard *c, bool on)
{
	if (!c || c->gen != VCARD_GEN_2 || !vc_personalizing(c))
		return -1;
	c->protect_public_keys = on;
	return vc_persist(c);
}

int vcard_end_personalization(vcard *c)
{
	if (!c)
		return -1;
	if (!vc_personalizing(c))
		return 0;
	c->life = VCARD_LIFE_OPERATIONAL;
	if (vc_persist(c) < 0) {
		c->life = VCARD_LIFE_PERSONALIZATION;
		return -1;
	}
	return 0;
}
