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
	int c = seal_card();
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
	int c = seal_card(), verifies;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	/* The EC seal on 2.x, the RSA seal in the AKIS 1.2 round. */
	CK_MECHANISM m = {card_of("seal") >= 0 ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
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

/* Card c's token answers again (a pcscd restart: the cards reconnect to
 * the new vpcd with a backoff), within 10 s. */
static CK_RV token_back(int c)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = CKR_GENERAL_ERROR;
	int tries;

	for (tries = 0; tries < 100 && rv != CKR_OK; tries++) {
		rv = p11->C_GetTokenInfo(card_slot(c), &ti);
		if (rv != CKR_OK)
			usleep(100000);
	}
	return rv;
}

START_TEST(pcscd_restart)
{
	int c = seal_card();
	CK_TOKEN_INFO ti;

	p11_init();
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert_int_eq(tb_ctl("pcscd-restart"), 0);
	ck_assert_rv(token_back(c), CKR_OK);
}
END_TEST

/* The test bed's reader-add: two more readers (one vpcd configuration),
 * made known by a pcscd restart (pcsc-lite 1.9 rescans only USB buses while
 * running); reader-remove takes them away again. What the application sees
 * is what a USB reader plugged in and out gives: new slots after
 * C_GetSlotList(NULL_PTR), old ids unchanged, a gone reader's slot kept
 * without a token. */
static void slot_reader(CK_SLOT_ID id, char *name, size_t cap)
{
	CK_SLOT_INFO si;
	size_t n = sizeof(si.slotDescription);

	ck_assert_rv(p11->C_GetSlotInfo(id, &si), CKR_OK);
	while (n > 0 && si.slotDescription[n - 1] == ' ')
		n--;
	ck_assert_uint_lt(n, cap);
	memcpy(name, si.slotDescription, n);
	name[n] = '\0';
}

START_TEST(reader_plugged_in_and_out)
{
	int c = seal_card(), k;
	CK_SLOT_ID a[32], b[32], t[32];
	CK_ULONG na = 32, nb, nt, i;
	char names[32][65], name[65], added[2][65], cmd[600];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	FILE *out;

	p11_init();
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, a, &na), CKR_OK);
	for (i = 0; i < na; i++)
		slot_reader(a[i], names[i], sizeof(names[i]));

	snprintf(cmd, sizeof(cmd), "%s reader-add", getenv("EIMZA_TB_CTL"));
	out = popen(cmd, "r");
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(fgets(added[0], sizeof(added[0]), out));
	ck_assert_ptr_nonnull(fgets(added[1], sizeof(added[1]), out));
	ck_assert_int_eq(pclose(out), 0);
	added[0][strcspn(added[0], "\n")] = '\0';
	added[1][strcspn(added[1], "\n")] = '\0';
	ck_assert_int_eq(sscanf(added[0], "eimza-vpcd-%d ", &k), 1);

	/* The size query finds the new readers; the list agrees with it. */
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &nb), CKR_OK);
	ck_assert_uint_eq(nb, na + 2);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, b, &nb), CKR_OK);
	ck_assert_uint_eq(nb, na + 2);
	for (i = 0; i < na; i++) {
		ck_assert_uint_eq(b[i], a[i]);
		slot_reader(b[i], name, sizeof(name));
		ck_assert_str_eq(name, names[i]);
	}
	for (i = 0; i < 2; i++) {
		CK_ULONG j;
		for (j = 0; j < na; j++)
			ck_assert_uint_ne(b[na + i], a[j]);
		slot_reader(b[na + i], name, sizeof(name));
		ck_assert_str_eq(name, added[i]);
		ck_assert_rv(p11->C_GetSlotInfo(b[na + i], &si), CKR_OK);
		ck_assert(!(si.flags & CKF_TOKEN_PRESENT));
		ck_assert(si.flags & CKF_REMOVABLE_DEVICE);
		ck_assert_rv(p11->C_GetTokenInfo(b[na + i], &ti), CKR_TOKEN_NOT_PRESENT);
	}
	/* The cards came back with pcscd. */
	ck_assert_rv(token_back(c), CKR_OK);

	/* Unplugged: the slots stay, with the same ids, and no token. */
	ck_assert_int_eq(tb_ctl("reader-remove %d", k), 0);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &nt), CKR_OK);
	ck_assert_uint_eq(nt, na + 2);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, t, &nt), CKR_OK);
	for (i = 0; i < nt; i++)
		ck_assert_uint_eq(t[i], b[i]);
	for (i = 0; i < 2; i++) {
		ck_assert_rv(p11->C_GetSlotInfo(b[na + i], &si), CKR_OK);
		ck_assert(!(si.flags & CKF_TOKEN_PRESENT));
		ck_assert_rv(p11->C_GetTokenInfo(b[na + i], &ti), CKR_TOKEN_NOT_PRESENT);
	}
	ck_assert_rv(token_back(c), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &nt), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, t, &nt), CKR_OK);
	ck_assert_uint_eq(nt, (CK_ULONG)atoi(getenv("EIMZA_TB_CARDS")));

	/* Plugged in again: the readers get their old slots back, no new ones. */
	snprintf(cmd, sizeof(cmd), "%s reader-add %d >/dev/null", getenv("EIMZA_TB_CTL"), k);
	ck_assert_int_eq(system(cmd), 0);
	nt = 32;
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &nt), CKR_OK);
	ck_assert_uint_eq(nt, na + 2);
	for (i = 0; i < 2; i++) {
		slot_reader(b[na + i], name, sizeof(name));
		ck_assert_str_eq(name, added[i]);
	}
	ck_assert_int_eq(tb_ctl("reader-remove %d", k), 0);
	ck_assert_rv(token_back(c), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
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
	tcase_add_test(t, reader_plugged_in_and_out);
	suite_add_tcase(s, t);
	return s;
}
