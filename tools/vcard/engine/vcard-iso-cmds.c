/*
 * vcard-iso-cmds.c: the ISO commands both generations answer alike:
 * GET CHALLENGE 00 84 00 00 Le and READ BINARY 00 B0 off off Le.
 */
#include "config.h"

#include "vcard-internal.h"

#include <openssl/rand.h>

uint16_t vc_cmd_get_challenge(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	(void)c;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc || !a->has_le)
		return SW_WRONG_LENGTH;
	if (RAND_bytes(r->data, (int)a->le) != 1)
		return SW_NO_DIAGNOSIS;
	r->len = a->le;
	return SW_OK;
}

uint16_t vc_cmd_read_binary(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2; /* the short EF id form: in no AKIS source */
	return vc_fs_read_current(c, (size_t)(a->p1 << 8 | a->p2), a->has_le ? a->le : 256, r);
}
