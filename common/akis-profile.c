/*
 * akis-profile.c: the AKIS ATR table (public facts) and the one table of
 * profile choices (assumptions). See include/eimza/akis-profile.h.
 */
#include "config.h"

#include <eimza/akis-profile.h>

#include <stdio.h>
#include <string.h>

/* ---- ATRs: FACT, from the pcsc-tools ATR list ---------------------------- */

#define HIST 0x80, 0x67, 0x55, 0x45, 0x4B, 0x41, 0x45, 0x12
static const uint8_t atr_v10[] = {0x3B, 0xBA, 0x11, 0x00, 0x81, 0x31, 0xFE, 0x4D, 0x55, 0x45,
				  0x4B, 0x41, 0x45, 0x20, 0x56, 0x31, 0x2E, 0x30, 0xAE};
static const uint8_t atr_eid[] = {0x3B, 0x9F, 0x15, 0x81, 0x31, 0xFE, 0x45, HIST,
				  0x21, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0x5A};
static const uint8_t atr_v12[] = {0x3B, 0x9F, 0x96, 0x81, 0x31, 0xFE, 0x45, HIST,
				  0x12, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0xEA};
static const uint8_t atr_v121i[] = {0x3B, 0x9F, 0x96, 0x81, 0x31, 0xFE, 0x45, HIST,
				    0x52, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0xAA};
static const uint8_t atr_v121n[] = {0x3B, 0x9F, 0x96, 0x81, 0x31, 0xFE, 0x45, HIST,
				    0x53, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0xAB};
static const uint8_t atr_v122[] = {0x3B, 0x9F, 0x96, 0x81, 0x31, 0xFE, 0x45, HIST,
				   0x92, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0x6A};
static const uint8_t atr_v13[] = {0x3B, 0x9F, 0x96, 0x81, 0x31, 0xFE, 0x45, HIST,
				  0x93, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0x6B};
/* UKIS 1.2.1: vv = 6x; the table lists x = 1, 4, 5. TCK computed for x = 1. */
static const uint8_t atr_ukis[] = {0x3B, 0x9F, 0x13, 0x81, 0x31, 0xFE, 0x45, HIST,
				   0x61, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80, 0x1C};

const struct akis_atr akis_atrs[] = {
	{"v1.0", "AKIS v1.0 (Infineon)", atr_v10, sizeof(atr_v10)},
	{"eid", "AKIS (eID)", atr_eid, sizeof(atr_eid)},
	{"v1.2", "AKIS v1.2 (NXP)", atr_v12, sizeof(atr_v12)},
	{"v1.2.1-infineon", "AKIS v1.2.1 (Infineon)", atr_v121i, sizeof(atr_v121i)},
	{"v1.2.1-nxp", "AKIS v1.2.1 (NXP)", atr_v121n, sizeof(atr_v121n)},
	{"v1.2.2", "AKIS v1.2.2 (Infineon)", atr_v122, sizeof(atr_v122)},
	{"v1.3", "AKIS v1.3 (Infineon)", atr_v13, sizeof(atr_v13)},
	{"ukis-1.2.1", "UKIS 1.2.1", atr_ukis, sizeof(atr_ukis)},
	{NULL, NULL, NULL, 0},
};

const struct akis_atr *akis_atr_default(void)
{
	return akis_atr_by_id("v1.2.2");
}

const struct akis_atr *akis_atr_by_id(const char *id)
{
	const struct akis_atr *a;

	for (a = akis_atrs; id && a->id; a++)
		if (strcmp(a->id, id) == 0)
			return a;
	return NULL;
}

/* The family pattern: historical bytes with the version byte masked. */
static const uint8_t family_hist[] = {HIST, 0x00, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80};
static const uint8_t family_mask[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
				      0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* Where the historical bytes start: after TS, T0 and the interface bytes. */
static size_t hist_offset(const uint8_t *atr, size_t len, size_t *nhist)
{
	size_t i = 1;
	uint8_t y;

	if (len < 2)
		return 0;
	*nhist = atr[1] & 0x0F;
	y = atr[1] >> 4;
	i = 2;
	for (;;) {
		uint8_t td = 0;
		bool has_td = y & 0x8;
		i += (size_t)((y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1));
		if (has_td) {
			if (i >= len)
				return 0;
			td = atr[i++];
			y = td >> 4;
		} else {
			break;
		}
	}
	return i <= len ? i : 0;
}

bool akis_atr_match(const uint8_t *atr, size_t len, const char **model, char *buf, size_t cap)
{
	const struct akis_atr *a;
	size_t off, nhist = 0, k;

	if (!atr)
		return false;
	for (a = akis_atrs; a->id; a++) {
		if (a->len == len && memcmp(a->atr, atr, len) == 0) {
			if (model)
				*model = a->model;
			return true;
		}
	}
	off = hist_offset(atr, len, &nhist);
	if (off == 0 || nhist != sizeof(family_hist) || off + nhist > len)
		return false;
	for (k = 0; k < nhist; k++)
		if ((atr[off + k] & family_mask[k]) != family_hist[k])
			return false;
	if (model) {
		if (buf && cap) {
			snprintf(buf, cap, "AKIS (version byte %02X)", atr[off + AKIS_HIST_VERSION_INDEX]);
			*model = buf;
		} else {
			*model = "AKIS";
		}
	}
	return true;
}

/* ---- C. Profile choices: assumptions, corrected here and only here ------- */

static const uint8_t pkcs15_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50,
				     0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35};

const struct akis_profile akis_profile = {
	.ef_dir = 0x2F00,
	.pkcs15_aid = pkcs15_aid,
	.pkcs15_aid_len = sizeof(pkcs15_aid),
	.app_df = 0x5015,
	.ef_odf = 0x5031,
	.ef_tokeninfo = 0x5032,

	.pin_ref = 0x81,
	.puk_ref = 0x82,
	.pin_min_len = 6,
	.pin_max_len = 6,
	.puk_min_len = 8,
	.puk_max_len = 8,
	.pin_max_tries = 3,
	.puk_max_tries = 10,
	.pins_numeric = true,

	.reset_retry_p1 = 0x00,

	.ac_shift_read = 4,
	.ac_shift_update = 0,

	.first_key_ref = 0x01,
	.sign_drops_pin_with_user_consent = true,
};
