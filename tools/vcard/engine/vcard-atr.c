/*
 * vcard-atr.c: ATR checks, the AKIS ATR families, and the table of exact
 * ATRs from the public evidence (see vcard.h).
 *
 * Sources, as ../docs/vcard.md names them: the ATR list of TÜBİTAK's ESYA
 * API (every exact ATR below but two), an integrator's test (the 2.6.2 card)
 * and an integrator's guide (the second 2.5.2 card). The TC version
 * formula is the one AkisCIF applies to the historical bytes (evidence
 * facts 1-3).
 */
#include "config.h"

#include <eimza/vcard.h>

#include <stdio.h>
#include <string.h>

/* clang-format off */
const struct vcard_named_atr vcard_atrs[] = {
	/* AKIS 1.x, "UEKAE" family: named by the two version bytes; a suffix
	 * gives TA1 where ESYA lists one version with several. */
	{"uekae-1292", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451292318073B3A1806A", "ESYA; pcsc-tools: v1.2.2"},
	{"uekae-1112", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451112318073B3A180E9", "ESYA"},
	{"uekae-1212", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451212318073B3A180EA", "ESYA; CIF: v1.2 Infineon"},
	{"uekae-1213", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451213318073B3A180EB", "ESYA; CIF: v1.2 NXP"},
	{"uekae-1221", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451221318073B3A180D9", "ESYA"},
	{"uekae-1221-ta13", VCARD_GEN_1_2, "3B9F138131FE45806755454B41451221318073B3A1805C", "ESYA"},
	{"uekae-1221-ta15", VCARD_GEN_1_2, "3B9F158131FE45806755454B41451221318073B3A1805A", "ESYA"},
	{"uekae-1252", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451252318073B3A180AA", "ESYA"},
	{"uekae-1253", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451253318073B3A180AB", "ESYA"},
	{"uekae-1261", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451261318073B3A18099", "ESYA"},
	{"uekae-1261-ta13", VCARD_GEN_1_2, "3B9F138131FE45806755454B41451261318073B3A1801C", "ESYA"},
	{"uekae-1261-ta15", VCARD_GEN_1_2, "3B9F158131FE45806755454B41451261318073B3A1801A", "ESYA"},
	{"uekae-1293", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451293318073B3A1806B", "ESYA; CIF: v1.2.2 NXP"},
	{"uekae-12a4", VCARD_GEN_1_2, "3B9F968131FE45806755454B414512A4318073B3A1805C", "ESYA"},
	{"uekae-12a5", VCARD_GEN_1_2, "3B9F968131FE45806755454B414512A5318073B3A1805D", "ESYA"},
	{"uekae-1312", VCARD_GEN_1_2, "3B9F968131FE45806755454B41451312318073B3A180EB", "ESYA; CIF: v1.3 Infineon"},
	/* AKIS 2.x, "TC" family: named by version and chip (facts 1-2). */
	{"tc-2.5.2-nxp", VCARD_GEN_2, "3B9F978131FE458065544353228231C073F62180810553", "ESYA: 2.5.2 NXP"},
	{"tc-2.5.2-nxp-field", VCARD_GEN_2, "3B9F978131FE4580655443D3228231C073F621808105D3", "integrator's guide (fact 6)"},
	{"tc-2.6.2-nxp", VCARD_GEN_2, "3B9F978131FE4580655443D3230231C073F62180810552", "integrator's test: a user's new card"},
	{"tc-2.0", VCARD_GEN_2, "3B9F968131FE458065544320201231C073F621808105B3", "ESYA: the first 2.0 layout"},
	{"tc-2.2.0", VCARD_GEN_2, "3B9F978131FE458065544312210031C073F62180810593", "ESYA"},
	{"tc-2.2.7", VCARD_GEN_2, "3B9F978131FE458065544312210731C073F62180810594", "ESYA"},
	{"tc-2.2.8-saha", VCARD_GEN_2, "3B9F978131FE4580655443D2210831C073F6218081015F", "ESYA: SAHA (field)"},
	{"tc-2.2.8-saha-test", VCARD_GEN_2, "3B9F978131FE458065544312210831C073F6218081019F", "ESYA: SAHA Test"},
	{"tc-2.2.8-infineon", VCARD_GEN_2, "3B9F978131FE4580655443D2210831C073F6218081055B", "ESYA: 2.2.8 Infineon"},
	{"tc-2.2.8-infineon-test", VCARD_GEN_2, "3B9F978131FE458065544312210831C073F6218081059B", "ESYA: 2.2.8 Infineon, field test"},
	{"tc-2.2.8-uktum", VCARD_GEN_2, "3B9F978131FE4580655443E4210831C073F6218081056D", "ESYA: 2.2.8 UKTÜM"},
	{"tc-2.2.8-nxp", VCARD_GEN_2, "3B9F968131FE4580655443D3210831C073F6218081055B", "ESYA: 2.2.8 NXP"},
	{"tc-2.2.8-udea", VCARD_GEN_2, "3B9F968131FE4580655443D2210831C073F6218081055A", "ESYA: 2.2.8 UDEA"},
	{NULL, VCARD_GEN_2, NULL, NULL},
};
/* clang-format on */

const struct vcard_named_atr *vcard_atr_by_id(const char *id)
{
	const struct vcard_named_atr *a;

	for (a = vcard_atrs; id && a->id; a++)
		if (strcmp(a->id, id) == 0)
			return a;
	return NULL;
}

const struct vcard_named_atr *vcard_atr_default(enum vcard_generation gen)
{
	return vcard_atr_by_id(gen == VCARD_GEN_1_2 ? "uekae-1292" : "tc-2.5.2-nxp");
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		if (err && errlen)                                                                 \
			snprintf(err, errlen, __VA_ARGS__);                                        \
		return -1;                                                                         \
	} while (0)

/* Where the historical bytes start and how many there are; -1 when the
 * ATR is not well formed (reason in err). */
static int structure(const uint8_t *atr, size_t len, size_t *hist, size_t *nhist, char *err,
                     size_t errlen)
{
	size_t i = 2, k, need;
	unsigned y;
	bool tck = false;
	uint8_t x = 0;

	if (!atr || len < 2 || len > VCARD_MAX_ATR)
		FAIL("an ATR has 2 to 33 bytes, not %zu", atr ? len : 0);
	if (atr[0] != 0x3B && atr[0] != 0x3F)
		FAIL("TS must be 3B or 3F, not %02X", atr[0]);
	y = atr[1] >> 4;
	k = atr[1] & 0x0F;
	for (;;) {
		i += (y & 1) + (y >> 1 & 1) + (y >> 2 & 1); /* TAi TBi TCi */
		if (!(y & 8))
			break;
		if (i >= len)
			FAIL("the interface bytes run past the end");
		if ((atr[i] & 0x0F) != 0)
			tck = true; /* a protocol other than T=0: TCK follows */
		y = atr[i] >> 4;
		i++;
	}
	need = i + k + (tck ? 1 : 0);
	if (need != len)
		FAIL("T0 and the interface bytes announce %zu bytes, the ATR has %zu", need, len);
	if (tck) {
		for (i = 1; i < len; i++)
			x ^= atr[i];
		if (x != 0)
			FAIL("wrong TCK %02X (it should be %02X)", atr[len - 1],
			     (unsigned)(atr[len - 1] ^ x));
	}
	*hist = len - k - (tck ? 1 : 0);
	*nhist = k;
	return 0;
}

int vcard_atr_check(const uint8_t *atr, size_t len, char *err, size_t errlen)
{
	size_t h, n;

	return structure(atr, len, &h, &n, err, errlen);
}

/* Pattern with 0x100 for "any byte". */
static bool matches(const uint8_t *b, size_t n, const unsigned *pat, size_t plen)
{
	size_t i;

	if (n != plen)
		return false;
	for (i = 0; i < n; i++)
		if (pat[i] != 0x100 && pat[i] != b[i])
			return false;
	return true;
}

void vcard_atr_describe(const uint8_t *atr, size_t len, struct vcard_atr_info *out)
{
	static const unsigned uekae[] = {0x80,  0x67, 0x55, 0x45, 0x4B, 0x41, 0x45, 0x100,
	                                 0x100, 0x31, 0x80, 0x73, 0xB3, 0xA1, 0x80};
	static const unsigned tc[] = {0x80, 0x65, 0x54, 0x43, 0x100, 0x100, 0x100, 0x31,
	                              0xC0, 0x73, 0xF6, 0x21, 0x80,  0x81,  0x100};
	size_t h, n;
	const uint8_t *b;

	memset(out, 0, sizeof(*out));
	if (structure(atr, len, &h, &n, NULL, 0) < 0)
		return;
	b = atr + h;
	if (matches(b, n, uekae, sizeof(uekae) / sizeof(uekae[0]))) {
		out->family = VCARD_ATR_UEKAE;
		out->uekae_version[0] = b[7];
		out->uekae_version[1] = b[8];
		return;
	}
	if (!matches(b, n, tc, sizeof(tc) / sizeof(tc[0])))
		return;
	out->family = VCARD_ATR_TC;
	/* b[4] = CC, b[5] = V1, b[6] = V2 (fact 1). */
	if (b[4] == 0x20 && b[5] == 0x20) {
		/* The first 2.0 layout "20 20 12": version 2.0, chip in V2. */
		out->tc_version_known = true;
		out->major = 2;
		out->chip = b[6] & 0x3F;
	} else if ((b[5] & 0xF0) == 0x20) {
		/* V1 V2: major 4 bits | minor 5 bits | patch 7 bits (fact 2). */
		out->tc_version_known = true;
		out->major = b[5] >> 4;
		out->minor = (unsigned)((b[5] & 0x07) << 1) + (b[6] >> 7);
		out->patch = b[6] & 0x7F;
		out->chip = b[5] == 0x20 ? b[4] : (uint8_t)(b[4] & 0x3F);
	}
}

bool vcard_atr_gen2_has_ec(const uint8_t *atr, size_t len)
{
	struct vcard_atr_info i;

	vcard_atr_describe(atr, len, &i);
	/* CIF's CommandsV20 (2.0-2.2) has no EC; CommandsV25 (2.5-2.6) adds
	 * it (facts 3, 23). 2.3 and 2.4, on no known card, and every ATR that
	 * is not a readable TC ATR get the newer set. */
	return !(i.family == VCARD_ATR_TC && i.tc_version_known && i.major == 2 && i.minor <= 2);
}
