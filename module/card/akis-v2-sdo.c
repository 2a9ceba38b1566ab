/*
 * akis-v2-sdo.c: AKIS 2.x security data objects. Keys and PINs are not
 * files on 2.x: they are objects BF tt id read with GET DATA (odd INS)
 * 00 CB 3F FF Lc 4D <extended header list> 00 (AkisCIF queryObject /
 * readHeader / readPIN, docs/akis-profile.md):
 *
 *   header    4D 06 BF tt id 02 A0 80          -> BF tt id L A0 L {80 84 9A 9B 9E ...}
 *   tries     4D 08 BF 81 01 04 A0 02 9B 80    -> BF 81 01 L A0 L 9B 01 nn
 *   lengths   4D 0B BF 81 01 07 7F41 04 80 80 81 80 -> ... 7F41 L 80 01 max 81 01 min
 *   modulus   4D 09 BF A0 id 05 7F49 02 81 80  -> ... 7F49 L 81 L n
 *
 * 90 00 (or 69 82, "exists but protected") says the object is there,
 * 6A 88 that it is not.
 */
#include "config.h"

#include "akis-v2.h"

#include <string.h>

#include <eimza/der.h>

#define INS_GET_DATA_ODD 0xCB
#define TAG_HEADER_LIST 0x4D

ez_err v2_sdo_get(ez_card *c, uint8_t tt, uint8_t id, const uint8_t *req, size_t reqlen,
		  uint8_t *out, size_t *out_len, uint16_t *sw)
{
	uint8_t data[64];
	size_t n = 0;

	if (reqlen > sizeof(data) - 6)
		return EZ_ERR_ARGS;
	data[n++] = TAG_HEADER_LIST;
	data[n++] = (uint8_t)(4 + reqlen);
	data[n++] = 0xBF;
	data[n++] = tt;
	data[n++] = id;
	data[n++] = (uint8_t)reqlen;
	memcpy(data + n, req, reqlen);
	n += reqlen;
	return ez_card_send(c, 0x00, INS_GET_DATA_ODD, 0x3F, 0xFF, data, n, EZ_LE_ANY, out, out_len,
			    sw);
}

bool v2_sdo_find(const uint8_t *rsp, size_t len, uint8_t tt, uint8_t id, unsigned tmpl,
		 unsigned tag, const uint8_t **val, size_t *vlen)
{
	unsigned want = 0xBF0000u | (unsigned)tt << 8 | id;
	der_reader r, in, inner;
	der_tlv t, f, g;

	der_reader_init(&r, rsp, len);
	if (der_next(&r, &t) < 0 || t.tag != want)
		return false;
	der_enter(&t, &in);
	while (!der_at_end(&in)) {
		if (der_next(&in, &f) < 0)
			return false;
		if (f.tag != tmpl)
			continue;
		der_enter(&f, &inner);
		while (!der_at_end(&inner)) {
			if (der_next(&inner, &g) < 0)
				return false;
			if (g.tag == tag) {
				*val = g.val;
				*vlen = g.len;
				return true;
			}
		}
	}
	return false;
}

static int byte_value(const uint8_t *rsp, size_t len, uint8_t id, unsigned tag)
{
	const uint8_t *v;
	size_t n;

	if (!v2_sdo_find(rsp, len, SDO_PIN, id, 0xA0, tag, &v, &n) || n != 1)
		return -1;
	return v[0];
}

ez_err v2_pin_counters(ez_card *c, uint8_t ref, bool whole_header, int *left, int *max,
		       uint16_t *sw)
{
	static const uint8_t header[] = {0xA0, 0x80};
	static const uint8_t tries[] = {0xA0, 0x02, 0x9B, 0x80};
	uint8_t rsp[256];
	size_t n = sizeof(rsp);
	uint8_t id = ref & 0x7F;
	ez_err e = whole_header
			   ? v2_sdo_get(c, SDO_PIN, id, header, sizeof(header), rsp, &n, sw)
			   : v2_sdo_get(c, SDO_PIN, id, tries, sizeof(tries), rsp, &n, sw);

	*left = *max = -1;
	if (e != EZ_OK || *sw != 0x9000)
		return e;
	*left = byte_value(rsp, n, id, 0x9B);
	*max = byte_value(rsp, n, id, 0x9A);
	return EZ_OK;
}

ez_err v2_pin_lengths(ez_card *c, uint8_t ref, unsigned *min, unsigned *max, uint16_t *sw)
{
	static const uint8_t req[] = {0x7F, 0x41, 0x04, 0x80, 0x80, 0x81, 0x80};
	uint8_t rsp[256];
	size_t n = sizeof(rsp), vl;
	const uint8_t *v;
	uint8_t id = ref & 0x7F;
	ez_err e = v2_sdo_get(c, SDO_PIN, id, req, sizeof(req), rsp, &n, sw);

	*min = *max = 0;
	if (e != EZ_OK || *sw != 0x9000)
		return e;
	/* Tag 80 is the maximum and 81 the minimum (AkisCIF readPIN). */
	if (v2_sdo_find(rsp, n, SDO_PIN, id, 0x7F41, 0x80, &v, &vl) && vl == 1)
		*max = v[0];
	if (v2_sdo_find(rsp, n, SDO_PIN, id, 0x7F41, 0x81, &v, &vl) && vl == 1)
		*min = v[0];
	return EZ_OK;
}
