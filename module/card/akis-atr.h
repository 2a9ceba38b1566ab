/*
 * akis-atr.h: which AKIS family an ATR belongs to, and the version and chip
 * its bytes carry. Public sources (docs/akis-profile.md, "ATR families")
 * show three families plus the first card:
 *
 *   - "UEKAE" 1.x: historical bytes 80 67 55 45 4B 41 45 vv ww 31 80 73 B3 A1 80
 *     ("UEKAE" in ASCII; vv ww = version and chip);
 *   - "TC" 2.x, the NES cards issued since about 2020:
 *     80 65 54 43 CC V1 V2 31 C0 73 F6 21 80 81 LL ("TC"; CC chip, V1 V2 version);
 *   - V3: 80 66 68 32 09|49 xx yy zz 31 95 81 05;
 *   - any ATR with the text "UEKAE" (or "uekae") in it, AKIS v1.0 among them.
 *
 * A family is matched by a mask, never by a list of exact ATRs: an unknown
 * version of a known family is accepted and gets its family's dialect.
 */
#ifndef EIMZA_MODULE_AKIS_ATR_H
#define EIMZA_MODULE_AKIS_ATR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum akis_family {
	AKIS_FAMILY_NONE,  /* not an AKIS card */
	AKIS_FAMILY_V10,   /* AKIS v1.0 ("MUEKAE V1.0"): recognized, not spoken */
	AKIS_FAMILY_UEKAE, /* AKIS 1.x */
	AKIS_FAMILY_TC,    /* AKIS 2.x */
	AKIS_FAMILY_V3,    /* AKIS V3 (spoken as 2.x until a trace says otherwise) */
};

struct akis_atr_info {
	enum akis_family family;
	bool version_known;
	unsigned major, minor, patch;
	const char *chip;      /* "Infineon", "NXP", ...; NULL when unknown */
	uint8_t vbytes[3];     /* the raw version bytes, for names of unknown versions */
	size_t nvbytes;
	char model[48];        /* "AKIS 2.5.2 (NXP)" */
};

/* Classify an ATR (any length; NULL or empty is no family). */
void akis_atr_classify(const uint8_t *atr, size_t len, struct akis_atr_info *out);
/* "AKIS 1.x (UEKAE)", "AKIS 2.x (TC)", ... ("" for none). */
const char *akis_family_name(enum akis_family f);

#endif
