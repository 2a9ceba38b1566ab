/*
 * test-p11-hotplug.c: cards removed, inserted and swapped, another program
 * resetting the card, pcscd restarting, C_WaitForSlotEvent.
 */
#include "config.h"

#include "p11-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(remove_and_insert)
{
	int c = card_of("seal");
	CK_SLOT_ID slot, ev;
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_ULONG n = 0;

	p11_init();
	slot = card_slot(c);
	s = open_session(c, false);
	login_user(s);
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	ck_assert_int_eq(tb_ctl("card-remove %d", c), 0);
	ck_assert_rv(p11->C_WaitForSlotEvent(0, &ev, NULL), CKR_OK);
	ck_assert_int_eq(ev, slot);
	/* The sessions of a removed card are gone. */
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_GetTokenInfo(slot, &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_rv(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_TOKEN_NOT_PRESENT);
	/* The slot list never shrinks. */
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	ck_assert_int_ge(n, (CK_ULONG)atoi(getenv("EIMZA_TB_CARDS")));
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	ck_assert_rv(p11->C_WaitForSlotEvent(0, &ev, NULL), CKR_OK);
	ck_assert_int_eq(ev, slot);
	ck_assert_int_eq(card_slot(c), slot); /* the same slot id */
	s = open_session(c, false);
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
	/* Nothing of the old login survives. */
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	login_user(s);
}
END_TEST

START_TEST(reset_by_another_program)
{
	int c = card_of("seal"), verifies;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_MECHANISM m = {CKM_ECDSA_SHA256, NULL, 0};
	CK_BYTE sig[128];
	CK_ULONG len = sizeof(sig);
	char cmd[512];

	p11_init();
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_OK);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_OK);
	{
		char env[32];
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
		snprintf(cmd, sizeof(cmd), "%s reset '%s'", getenv("EIMZA_TB_PCSC"), getenv(env));
	}
	ck_assert_int_eq(system(cmd), 0);
	verifies = trace_count(c, "> 00 20 00 81 06");
	len = sizeof(sig);
	ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_OK);
	/* The card forgot the PIN; the module says so and never re-sends it. */
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(trace_count(c, "> 00 20 00 81 06"), verifies);
	login_user(s);
	len = sizeof(sig);
	ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_OK);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_OK);
}
END_TEST

START_TEST(another_card_is_another_token)
{
	int c = card_of("nes-rsa");
	CK_TOKEN_INFO a, b;
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	char img[512], cmd[1024];

	p11_init();
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &a), CKR_OK);
	s = open_session(c, false);
	snprintf(img, sizeof(img), "%s/swap.img", getenv("EIMZA_TB_DIR"));
	snprintf(cmd, sizeof(cmd), "%s init %s --profile seal-rsa --org 'BAŞKA ŞİRKET' --force >/dev/null 2>&1",
		 getenv("EIMZA_VCARD"), img);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, img), 0);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &b), CKR_OK);
	ck_assert(memcmp(a.serialNumber, b.serialNumber, 16) != 0);
	ck_assert(memcmp(a.label, b.label, 32) != 0);
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(pcscd_restart)
{
	int c = card_of("seal"), tries;
	CK_TOKEN_INFO ti;
	CK_RV rv = CKR_GENERAL_ERROR;

	p11_init();
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert_int_eq(tb_ctl("pcscd-restart"), 0);
	for (tries = 0; tries < 100 && rv != CKR_OK; tries++) {
		rv = p11->C_GetTokenInfo(card_slot(c), &ti);
		if (rv != CKR_OK)
			usleep(100000);
	}
	ck_assert_rv(rv, CKR_OK);
}
END_TEST

Suite *hotplug_suite(void);
Suite *hotplug_suite(void)
{
	Suite *s = suite_create("hotplug");
	TCase *t = tcase_create("hotplug");

	tcase_set_timeout(t, 90);
	tcase_add_test(t, remove_and_insert);
	tcase_add_test(t, reset_by_another_program);
	tcase_add_test(t, another_card_is_another_token);
	tcase_add_test(t, pcscd_restart);
	suite_add_tcase(s, t);
	return s;
}
