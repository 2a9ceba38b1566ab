/*
 * gen2-commands.c: the AKIS 2.x instruction table and the PKCS-15 DF.
 *
 * What the table leaves out answers 6D 00, among them the 1.x-only LOGOUT
 * 80 1A and LIST FILES 80 18 (2.x has neither: facts 13, 41), so a module
 * that sends them to a 2.x card fails its tests.
 */
#include "config.h"

#include "gen2.h"

int vc_gen2_make_app_df(vcard *c)
{
	int idx =
	    vc_fs_add(c, 0, VC2_APP_FID, true, VC_FDB_DF, VC_ACCESS(VC_AC_ALWAYS, VC_AC_NEVER),
	              (const uint8_t *)VC2_APP_NAME, VC2_APP_NAME_LEN);

	if (idx < 0)
		return -1;
	c->app_df = (uint16_t)idx;
	return 0;
}

bool vc_gen2_in_app_df(const vcard *c)
{
	return c->app_df != VC_NO_FILE && vc_fs_cur_df(c) == c->app_df;
}

bool vc_gen2_pin_ref_ok(uint8_t ref)
{
	return ref > 0x80 && ref <= 0x8F;
}

/* clang-format off */
static const struct vc_command commands[] = {
	{VC_CLA_ISO, VC_INS_SELECT, vc_gen2_select},
	{VC_CLA_ISO, VC_INS_READ_BINARY, vc_cmd_read_binary},
	{VC_CLA_ISO, VC_INS_VERIFY, vc_gen2_verify},
	{VC_CLA_ISO, VC_INS_CHANGE_REF_DATA, vc_gen2_change},
	{VC_CLA_ISO, VC_INS_RESET_RETRY_COUNTER, vc_gen2_reset_retry},
	{VC_CLA_ISO, VC_INS_GET_DATA, vc_gen2_get_data},
	{VC_CLA_ISO, VC_INS_GET_DATA_ODD, vc_gen2_get_sdo},
	{VC_CLA_ISO, VC_INS_MSE, vc_gen2_mse},
	{VC_CLA_ISO, VC_INS_PSO, vc_gen2_pso},
	{VC_CLA_ISO, VC_INS_GET_CHALLENGE, vc_cmd_get_challenge},
	{VC_CLA_PROPRIETARY, VC2_INS_LIST, vc_gen2_list},
};
/* clang-format on */

const struct vc_dialect vc_dialect_2 = {
    .gen = VCARD_GEN_2,
    .commands = commands,
    .ncommands = sizeof(commands) / sizeof(commands[0]),
    .pso_block_max = VC2_PSO_BLOCK_MAX,
    .sw_blocked = SW_BLOCKED_2, /* 69 83 (fact 30) */
    .reset = vc_dialect_reset_none,
};
