/*
 * card.c: the card seam (card.h): recognize the card from its ATR, pick its
 * dialect, and hand each operation to the dialect's table.
 */
#include "config.h"

#include "card-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which dialect speaks to a family. V3 has no published command trace;
 * until one exists it is spoken to as 2.x (docs/akis-profile.md). */
static const struct ez_dialect *dialect_of(enum akis_family f)
{
	switch (f) {
	case AKIS_FAMILY_UEKAE: return &ez_dialect_v12;
	case AKIS_FAMILY_TC:
	case AKIS_FAMILY_V3: return &ez_dialect_v2;
	case AKIS_FAMILY_V10:
	case AKIS_FAMILY_NONE: break;
	}
	return NULL;
}

static ez_err describe(const struct akis_atr_info *a, struct ez_card_info *info)
{
	const struct ez_dialect *d = dialect_of(a->family);

	memset(info, 0, sizeof(*info));
	if (a->family == AKIS_FAMILY_NONE)
		return EZ_ERR_NOT_AKIS;
	snprintf(info->family, sizeof(info->family), "%s", akis_family_name(a->family));
	snprintf(info->model, sizeof(info->model), "%s", a->model);
	info->version_known = a->version_known;
	info->version[0] = a->major;
	info->version[1] = a->minor;
	info->version[2] = a->patch;
	if (!d)
		return EZ_ERR_UNSUPPORTED;
	snprintf(info->dialect, sizeof(info->dialect), "%s", d->name);
	return EZ_OK;
}

ez_err ez_card_identify(const uint8_t *atr, size_t len, struct ez_card_info *info)
{
	struct akis_atr_info a;

	akis_atr_classify(atr, len, &a);
	return describe(&a, info);
}

ez_err ez_card_open(ez_conn *conn, ez_card **out, struct ez_card_info *info)
{
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len = ez_conn_atr(conn, atr, sizeof(atr));
	ez_card *c;
	ez_err e;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return EZ_ERR_NO_MEMORY;
	c->conn = conn;
	akis_atr_classify(atr, atr_len, &c->atr);
	e = describe(&c->atr, &c->info);
	if (info)
		*info = c->info;
	if (e != EZ_OK) {
		free(c);
		return e;
	}
	c->d = dialect_of(c->atr.family);
	/* The serial is best effort: a card that refuses it still works, its
	 * token is then named after its certificate (token layer). Errors that
	 * say the card is gone or lost its state are not "refusals". */
	e = ez_card_begin(c);
	if (e == EZ_OK) {
		e = c->d->read_serial(c);
		ez_card_end(c);
	}
	if (e == EZ_ERR_CARD || e == EZ_ERR_NOT_FOUND || e == EZ_ERR_MALFORMED ||
	    e == EZ_ERR_SECURITY || e == EZ_ERR_UNSUPPORTED || e == EZ_ERR_DATA_LEN) {
		c->info.serial_len = 0;
		e = EZ_OK;
	}
	if (e != EZ_OK) {
		free(c);
		return e;
	}
	if (info)
		*info = c->info;
	*out = c;
	return EZ_OK;
}

void ez_card_free(ez_card *c)
{
	free(c);
}

const struct ez_card_info *ez_card_info(const ez_card *c)
{
	return &c->info;
}

ez_err ez_card_same(ez_card *c)
{
	uint8_t atr[EZ_ATR_MAX], serial[EZ_SERIAL_MAX];
	size_t atr_len = ez_conn_atr(c->conn, atr, sizeof(atr)), serial_len = c->info.serial_len;
	struct akis_atr_info a;
	ez_err e;

	akis_atr_classify(atr, atr_len, &a);
	if (a.family != c->atr.family || strcmp(a.model, c->atr.model) != 0 || serial_len == 0)
		return EZ_ERR_CARD_CHANGED;
	memcpy(serial, c->info.serial, serial_len);
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->read_serial(c);
	ez_card_end(c);
	if (e == EZ_ERR_CARD || e == EZ_ERR_NOT_FOUND || e == EZ_ERR_MALFORMED ||
	    e == EZ_ERR_SECURITY || e == EZ_ERR_UNSUPPORTED || e == EZ_ERR_DATA_LEN) {
		/* It answered before: another card, or one that cannot be told. */
		memcpy(c->info.serial, serial, serial_len);
		c->info.serial_len = serial_len;
		return EZ_ERR_CARD_CHANGED;
	}
	if (e != EZ_OK)
		return e;
	e = c->info.serial_len == serial_len && memcmp(c->info.serial, serial, serial_len) == 0
		    ? EZ_OK
		    : EZ_ERR_CARD_CHANGED;
	memcpy(c->info.serial, serial, serial_len);
	c->info.serial_len = serial_len;
	return e;
}

ez_err ez_card_load(ez_card *c, struct ez_p15_app *app)
{
	ez_err e;

	memset(app, 0, sizeof(*app));
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->load(c, app);
	ez_card_end(c);
	if (e != EZ_OK)
		ez_p15_app_free(app);
	return e;
}

bool ez_card_checkable(const struct ez_p15_app *app)
{
	if (app->n_certs == 0)
		return false; /* nothing on the card would tell a new content */
	for (size_t i = 0; i < app->n_certs; i++)
		if (!app->certs[i].der || !ez_cert_head_len(app->certs[i].der, app->certs[i].der_len))
			return false;
	for (size_t i = 0; i < app->n_pubkeys; i++)
		if (app->pubkeys[i].spki)
			return false; /* a public key read from a file no check covers */
	return true;
}

ez_err ez_card_revalidate(ez_card *c, struct ez_p15_app *app)
{
	ez_err e;

	if (!ez_card_checkable(app))
		return EZ_ERR_CARD_CHANGED;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->unchanged(c, app);
	if (e == EZ_OK)
		e = ez_card_read_counters(c, app);
	ez_card_end(c);
	/* Any answer but "the same": the caller reads the card in full, and
	 * that read meets whatever the card now says. */
	if (e != EZ_OK && !ez_card_gone(e))
		e = EZ_ERR_CARD_CHANGED;
	return e;
}

/* ---- dispatch --------------------------------------------------------------- */

ez_err ez_card_pin_state(ez_card *c, const struct ez_pin_format *f, enum ez_pin_state *state,
			 int *tries)
{
	ez_err e;

	*state = EZ_PIN_UNKNOWN;
	*tries = -1;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->pin_state(c, f, state, tries);
	ez_card_end(c);
	return e;
}

ez_err ez_card_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin, size_t len,
		      int *tries_left)
{
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->verify(c, f, pin, len, tries_left);
	ez_card_end(c);
	return e;
}

ez_err ez_card_change_pin(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			  size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->change(c, f, old_pin, old_len, new_pin, new_len, tries_left);
	ez_card_end(c);
	return e;
}

bool ez_card_unblock_needs_puk(const ez_card *c)
{
	return c->d->unblock_needs_puk;
}

ez_err ez_card_unblock_pin(ez_card *c, const struct ez_pin_format *puk, const uint8_t *puk_value,
			   size_t puk_len, const struct ez_pin_format *pin, const uint8_t *new_pin,
			   size_t new_len, int *tries_left)
{
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	if (c->d->unblock_needs_puk && !puk_value)
		return EZ_ERR_ARGS;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->unblock(c, puk, puk_value, puk_len, pin, new_pin, new_len, tries_left);
	ez_card_end(c);
	return e;
}

ez_err ez_card_logout(ez_card *c)
{
	ez_err e = ez_card_begin(c);

	if (e != EZ_OK)
		return e;
	e = c->d->logout(c);
	ez_card_end(c);
	return e;
}

void ez_card_sign_caps(const ez_card *c, struct ez_sign_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	c->d->sign_caps(c, caps);
}

ez_err ez_card_sign(ez_card *c, uint8_t key_ref, enum ez_sig_scheme scheme, enum ez_hash hash,
		    const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	ez_err e = ez_card_begin(c);

	if (e != EZ_OK)
		return e;
	e = c->d->sign(c, key_ref, scheme, hash, in, in_len, out, out_len);
	ez_card_end(c);
	return e;
}

ez_err ez_card_random(ez_card *c, uint8_t *out, size_t len)
{
	return ez_card_get_challenge(c, out, len);
}

void ez_card_stats(const ez_card *c, struct ez_card_stats *out)
{
	*out = c->stats;
}

size_t ez_hash_len(enum ez_hash h)
{
	switch (h) {
	case EZ_HASH_SHA1: return 20;
	case EZ_HASH_SHA224: return 28;
	case EZ_HASH_SHA256: return 32;
	case EZ_HASH_SHA384: return 48;
	case EZ_HASH_SHA512: return 64;
	case EZ_HASH_NONE: break;
	}
	return 0;
}
