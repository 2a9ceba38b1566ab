/*
 * akis-atr.c: AKIS ATR families, versions and chips (see akis-atr.h).
 *
 * Sources: TÜBİTAK's ESYA API (its AkisTemplate family patterns and its
 * table of exact ATRs), TÜBİTAK's AkisCIF command library (how it reads the
 * version out of a TC ATR), the pcsc-tools ATR list. docs/akis-profile.md
 * has the details and the test vectors are in tests/card/test-atr.c.
 */
#include "config.h"

#include "akis-atr.h"

#include <stdio.h>
#include <string.h>

/* A pattern: bytes where mask is FF must match exactly; 00 is free. */
struct pattern {
	const uint8_t *bytes, *mask;
	size_t len;
};

static const uint8_t uekae_bytes[] = {0x80, 0x67, 0x55, 0x45, 0x4B, 0x41, 0x45, 0x00,
				      0x00, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80};
static const uint8_t uekae_mask[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
				     0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t tc_bytes[] = {0x80, 0x65, 0x54, 0x43, 0x00, 0x00, 0x00, 0x31,
				   0xC0, 0x73, 0xF6, 0x21, 0x80, 0x81, 0x00};
static const uint8_t tc_mask[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF,
				  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
/* V3: byte 4 is 09 (field) or 49 (test): only bit 40 is free. */
static const uint8_t v3_bytes[] = {0x80, 0x66, 0x68, 0x32, 0x09, 0x00,
				   0x00, 0x00, 0x31, 0x95, 0x81, 0x05};
static const uint8_t v3_mask[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xBF, 0x00,
				  0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};

static const struct pattern uekae = {uekae_bytes, uekae_mask, sizeof(uekae_bytes)};
static const struct pattern tc = {tc_bytes, tc_mask, sizeof(tc_bytes)};
static const struct pattern v3 = {v3_bytes, v3_mask, sizeof(v3_bytes)};

/* Where the pattern starts in the ATR, or -1. ESYA matches its patterns on
 * the ATR's text, so they are looked for anywhere, not only at the offset
 * the interface bytes give the historical bytes. */
static long find(const uint8_t *atr, size_t len, const struct pattern *p)
{
	size_t i, k;

	for (i = 0; i + p->len <= len; i++) {
		for (k = 0; k < p->len; k++)
			if ((atr[i + k] & p->mask[k]) != p->bytes[k])
				break;
		if (k == p->len)
			return (long)i;
	}
	return -1;
}

static bool has_text(const uint8_t *atr, size_t len, const char *text)
{
	size_t n = strlen(text), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(atr + i, text, n) == 0)
			return true;
	return false;
}

/* TC chips (AkisCIF: CC & 3F). UDEA, named beside some ATRs by ESYA, is a
 * producer whose cards carry the Infineon code. */
static const char *tc_chip(unsigned code)
{
	switch (code) {
	case 0x12: return "Infineon";
	case 0x13: return "NXP";
	case 0x24: return "UKİS/HHNEC";
	case 0x25: return "UKİS/SMIC";
	default: return NULL;
	}
}

/*
 * TC: 80 | 65 54 43 CC V1 V2 | ... AkisCIF reads V1 V2 as a 16-bit field,
 * major (4 bits) | minor (5 bits) | patch (7 bits): 21 08 = 2.2.8, 22 82 =
 * 2.5.2, 23 02 = 2.6.2. The first 2.0 layout, 54 43 20 20 12 (CC = V1 =
 * 20), is version 2.0 with the chip in V2.
 */
static void decode_tc(const uint8_t *h, struct akis_atr_info *o)
{
	uint8_t cc = h[4], v1 = h[5], v2 = h[6];
	unsigned code = (unsigned)v1 << 8 | v2;

	o->vbytes[0] = cc;
	o->vbytes[1] = v1;
	o->vbytes[2] = v2;
	o->nvbytes = 3;
	if (cc == 0x20 && v1 == 0x20) {
		o->major = 2;
		o->minor = 0;
		o->patch = 0;
		o->chip = tc_chip(v2 & 0x3F);
		o->version_known = true;
		return;
	}
	o->major = code >> 12;
	o->minor = (code >> 7) & 0x1F;
	o->patch = code & 0x7F;
	o->version_known = o->major >= 2;
	o->chip = tc_chip(v1 == 0x20 ? cc : (cc & 0x3F));
}

/*
 * UEKAE 1.x: ... 45 vv ww ... ESYA's own table names 12 12 "v1.2
 * Infineon", 12 13 "v1.2 NXP", 12 93 "v1.2.2 NXP" and 13 12 "v1.3
 * Infineon"; pcsc-tools names 12 52 / 12 53 v1.2.1 Infineon / NXP, 12 92
 * v1.2.2 Infineon and 12 61 UKIS 1.2.1. One reading fits every name the
 * vendor gives: vv is major.minor, the top two bits of ww the patch level,
 * its low nibble the chip: 2 Infineon, 3 NXP, and 1, 4, 5 the UKİS chips
 * (ESYA's version list has UKiS, UKiS HHNEC and UKiS SMIC variants of 1.2,
 * 1.2.1 and 1.2.2, as AkisCIF's TC chip codes 24 and 25 name them).
 */
static const char *uekae_chip(unsigned nibble)
{
	switch (nibble) {
	case 1: return "UKİS";
	case 2: return "Infineon";
	case 3: return "NXP";
	case 4: return "UKİS/HHNEC";
	case 5: return "UKİS/SMIC";
	default: return NULL;
	}
}

static void decode_uekae(const uint8_t *h, struct akis_atr_info *o)
{
	uint8_t vv = h[7], ww = h[8];

	o->vbytes[0] = vv;
	o->vbytes[1] = ww;
	o->nvbytes = 2;
	o->major = vv >> 4;
	o->minor = vv & 0x0F;
	o->patch = ww >> 6;
	o->version_known = o->major == 1 && o->minor <= 9;
	o->chip = uekae_chip(ww & 0x0F);
}

static void name(struct akis_atr_info *o)
{
	char ver[32];
	size_t i, n = 0;

	if (o->family == AKIS_FAMILY_V10) {
		snprintf(o->model, sizeof(o->model), "AKIS v1.0");
		return;
	}
	if (o->family == AKIS_FAMILY_V3) {
		snprintf(o->model, sizeof(o->model), "AKIS V3");
		return;
	}
	if (o->version_known) {
		snprintf(ver, sizeof(ver), "%u.%u.%u", o->major, o->minor, o->patch);
		if (o->patch == 0 && o->family == AKIS_FAMILY_UEKAE)
			snprintf(ver, sizeof(ver), "%u.%u", o->major, o->minor);
	} else {
		n = (size_t)snprintf(ver, sizeof(ver), "%s", o->family == AKIS_FAMILY_TC ? "2.x" : "1.x");
		for (i = 0; i < o->nvbytes && n + 3 < sizeof(ver); i++)
			n += (size_t)snprintf(ver + n, sizeof(ver) - n, "%s%02X", i ? " " : " version ",
					      o->vbytes[i]);
	}
	if (o->chip)
		snprintf(o->model, sizeof(o->model), "AKIS %s (%s)", ver, o->chip);
	else
		snprintf(o->model, sizeof(o->model), "AKIS %s", ver);
}

void akis_atr_classify(const uint8_t *atr, size_t len, struct akis_atr_info *o)
{
	long at;

	memset(o, 0, sizeof(*o));
	if (!atr || len == 0)
		return;
	if ((at = find(atr, len, &tc)) >= 0) {
		o->family = AKIS_FAMILY_TC;
		decode_tc(atr + at, o);
	} else if ((at = find(atr, len, &uekae)) >= 0) {
		o->family = AKIS_FAMILY_UEKAE;
		decode_uekae(atr + at, o);
	} else if ((at = find(atr, len, &v3)) >= 0) {
		o->family = AKIS_FAMILY_V3;
		memcpy(o->vbytes, atr + at + 5, 3);
		o->nvbytes = 3;
	} else if (has_text(atr, len, "UEKAE") || has_text(atr, len, "uekae")) {
		/* The first card spells "MUEKAE V1.0"; other text-only ATRs are
		 * 1.x cards of a layout nobody has published. */
		o->family = has_text(atr, len, "V1.0") ? AKIS_FAMILY_V10 : AKIS_FAMILY_UEKAE;
		if (o->family == AKIS_FAMILY_V10) {
			o->major = 1;
			o->version_known = true;
		}
	} else {
		return;
	}
	name(o);
}

const char *akis_family_name(enum akis_family f)
{
	switch (f) {
	case AKIS_FAMILY_V10: return "AKIS v1.0";
	case AKIS_FAMILY_UEKAE: return "AKIS 1.x (UEKAE)";
	case AKIS_FAMILY_TC: return "AKIS 2.x (TC)";
	case AKIS_FAMILY_V3: return "AKIS V3";
	case AKIS_FAMILY_NONE: break;
	}
	return "";
}
