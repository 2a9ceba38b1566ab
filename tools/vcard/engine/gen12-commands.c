/*
 * gen12-commands.c: the AKIS 1.2 instruction table, GET DATA (system data
 * with the serial, fact 40) and SET LIFE CYCLE.
 */
#include "config.h"

#include "gen12.h"

#include <string.h>

static uint16_t get_data(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	size_t i;

	if (a->p1 != VC12_GET_DATA_P1)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	/* Only the mode a public source shows for 1.x (CIF's CommandsV11). */
	if (a->p2 != VC12_DATA_SYSTEM)
		return SW_REF_NOT_FOUND;
	r->exact_le = true; /* a wrong Le answers 6C 51 */
	/* The bytes around the serial are opaque system data on a real card;
	 * a fixed pattern stands in for them. */
	for (i = 0; i < VC12_SYSTEM_LEN; i++)
		r->data[i] = (uint8_t)(0xA0 + i);
	memcpy(r->data + VC12_SERIAL_OFFSET, c->serial, VCARD_SERIAL_LEN);
	r->len = VC12_SYSTEM_LEN;
	return SW_OK;
}

static uint16_t set_life_cycle(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	(void)r;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p2 == VC12_STAGE_ADMINISTRATION)
		/* A card in use never goes back to personalization. */
		return vc_personalizing(c) ? SW_OK : SW_CONDITIONS;
	if (a->p2 != VC12_STAGE_USER)
		return SW_WRONG_P1P2;
	return vcard_end_personalization(c) < 0 ? SW_MEMORY : SW_OK;
}

/* clang-format off */
static const struct vc_command commands[] = {
	{VC_CLA_ISO, VC_INS_SELECT, vc_gen12_select},
	{VC_CLA_ISO, VC_INS_READ_BINARY, vc_cmd_read_binary},
	{VC_CLA_ISO, VC_INS_UPDATE_BINARY, vc_gen12_update},
	{VC_CLA_ISO, VC_INS_VERIFY, vc_gen12_verify},
	{VC_CLA_ISO, VC_INS_CHANGE_REF_DATA, vc_gen12_change},
	{VC_CLA_ISO, VC_INS_RESET_RETRY_COUNTER, vc_gen12_reset_retry},
	{VC_CLA_ISO, VC_INS_GET_DATA, get_data},
	{VC_CLA_ISO, VC_INS_MSE, vc_gen12_mse},
	{VC_CLA_ISO, VC_INS_PSO, vc_gen12_pso},
	{VC_CLA_ISO, VC_INS_GET_CHALLENGE, vc_cmd_get_challenge},
	{VC_CLA_PROPRIETARY, VC12_INS_LIST_FILES, vc_gen12_list},
	{VC_CLA_PROPRIETARY, VC12_INS_CREATE_EF, vc_gen12_create},
	{VC_CLA_PROPRIETARY, VC12_INS_CREATE_DF, vc_gen12_create},
	{VC_CLA_PROPRIETARY, VC12_INS_DELETE, vc_gen12_delete},
	{VC_CLA_PROPRIETARY, VC12_INS_SET_LIFE_CYCLE, set_life_cycle},
	{VC_CLA_PROPRIETARY, VC12_INS_LOGOUT, vc_gen12_logout},
};
/* clang-format on */

const struct vc_dialect vc_dialect_12 = {
    .gen = VCARD_GEN_1_2,
    .commands = commands,
    .ncommands = sizeof(commands) / sizeof(commands[0]),
    .pso_block_max = 255,          /* no 1.x source limits a block: a short APDU's */
    .sw_blocked = SW_REF_UNUSABLE, /* 69 84 (fact 30) */
    .reset = vc_dialect_reset_none,
};
