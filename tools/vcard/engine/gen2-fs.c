/*
 * gen2-fs.c: AKIS 2.x file commands.
 *
 * SELECT: the MF as 00 A4 00 00 with no data (fact 8) or by its file id
 * 3F00 (ISO); the application DF by its name "PKCS-15" (fact 9); an EF
 * under the current DF, P1 02 (fact 10: certificates 2F10..); a child DF,
 * P1 01. The 1.0 driver's path form P1 08 answers 6A 86. The FCI is a
 * 62 template with the size in tag 80 (fact 10).
 *
 * The security status is local to the PKCS-15 DF (its PIN objects are
 * DF-local, VERIFY P2 = 80 | n, fact 29): leaving the DF (SELECT MF)
 * clears it, as ESYA's "logout" (SELECT MF, then PKCS-15, fact 41)
 * expects; selecting the DF by name while in it, or an EF in it, keeps it.
 */
#include "config.h"

#include "gen2.h"

uint16_t vc_gen2_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	bool was_in_app = vc_gen2_in_app_df(c);
	int idx = -1;
	uint16_t sw = vc_fs_select_target(c, a, true, &idx);

	if (sw != SW_OK)
		return sw;
	c->cur = (uint16_t)idx;
	if (was_in_app && !vc_gen2_in_app_df(c)) {
		vc_security_clear(c);
		vc_se_clear(c); /* its keys are out of reach too */
	}
	if (a->p2 == VC_SELECT_P2_FCI)
		vc_fs_fci(c, (uint16_t)idx, 0x62, r);
	return SW_OK;
}

/* The proprietary listing (fact 13): 80 1D 00 00 answers the number of
 * files in the current DF (one byte), 80 1D 00 i the FCI of the i-th. */
uint16_t vc_gen2_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	uint16_t df = vc_fs_cur_df(c);
	size_t i, n = 0;

	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	for (i = 1; i < c->nfiles; i++) {
		if (c->files[i].parent != df)
			continue;
		n++;
		if (a->p2 == n) {
			vc_fs_fci(c, (uint16_t)i, 0x62, r);
			return SW_OK;
		}
	}
	if (a->p2 != 0)
		return SW_NOT_FOUND;
	r->data[0] = (uint8_t)n;
	r->len = 1;
	return SW_OK;
}
