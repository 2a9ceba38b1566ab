/*
 * gen2-data.c: AKIS 2.x GET DATA 00 CA 01 mode Le (fact 39). Each mode has
 * a fixed length, so a wrong Le answers 6C XX. The modes answered:
 *   04 memory, 7 bytes: byte 3 the life-cycle phase (A5 in use), bytes
 *      4-6 free memory;
 *   06 card label (16 bytes: the length is our choice);
 *   0A version information, 31 / 24 / 27 bytes for an Infineon / NXP /
 *      other chip;
 *   0B the serial, 8 bytes (what ESYA shows, fact 38);
 *   0F the second serial written at personalization, 8 bytes.
 * Every other mode answers 6A 88. Apart from the serials and the phase,
 * the bytes are opaque on a real card: ours are fixed patterns.
 */
#include "config.h"

#include "gen2.h"

#include <string.h>

#define CHIP_INFINEON 0x12
#define CHIP_NXP 0x13

static size_t version_len(const vcard *c)
{
	struct vcard_atr_info i;

	vcard_atr_describe(c->atr, c->atr_len, &i);
	if (i.tc_version_known && i.chip == CHIP_INFINEON)
		return 31;
	if (i.tc_version_known && i.chip == CHIP_NXP)
		return 24;
	return 27;
}

uint16_t vc_gen2_get_data(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	static const char label[VC2_LABEL_LEN + 1] = "EIMZA VCARD 2.x ";
	size_t n, i;

	if (a->p1 != VC2_GET_DATA_P1)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	switch (a->p2) {
	case VC2_DATA_MEMORY:
		memset(r->data, 0, VC2_MEMORY_LEN);
		r->data[VC2_MEMORY_PHASE_OFFSET] =
		    vc_personalizing(c) ? VC2_PHASE_PERSONALIZATION : VC2_PHASE_OPERATION;
		r->data[5] = 0x40; /* 16 KiB free */
		r->len = VC2_MEMORY_LEN;
		break;
	case VC2_DATA_LABEL:
		memcpy(r->data, label, VC2_LABEL_LEN);
		r->len = VC2_LABEL_LEN;
		break;
	case VC2_DATA_VERSION:
		n = version_len(c);
		for (i = 0; i < n; i++)
			r->data[i] = (uint8_t)(0x30 + i);
		r->len = n;
		break;
	case VC2_DATA_SERIAL:
		memcpy(r->data, c->serial, VCARD_SERIAL_LEN);
		r->len = VCARD_SERIAL_LEN;
		break;
	case VC2_DATA_SERIAL2:
		memcpy(r->data, c->serial2, VCARD_SERIAL_LEN);
		r->len = VCARD_SERIAL_LEN;
		break;
	default:
		return SW_REF_NOT_FOUND;
	}
	r->exact_le = true;
	return SW_OK;
}
