/*
 * test-p11-pin.c: login, wrong PINs and the counter flags, blocking,
 * unblocking with the PUK (C_Login(CKU_SO) + C_InitPIN), C_SetPIN, and the
 * rule that the module never sends a VERIFY nobody asked for.
 */
#include "config.h"

#include "p11-test.h"

#include <string.h>

/* VERIFY commands that carry a PIN (the state queries carry none). */
static int verifies(int card)
{
	return trace_count(card, "> 00 20 00 81 06") + trace_count(card, "> 00 20 00 82 08");
}

static CK_FLAGS flags_of(int card)
{
	CK_TOKEN_INFO ti;

	ck_assert_rv(p11->C_GetTokenInfo(card_slot(card), &ti), CKR_OK);
	return ti.flags;
}

START_TEST(login_states)
{
	int c = seal_card();
	CK_SESSION_HANDLE ro, rw;
	CK_SESSION_INFO si;

	p11_init();
	ro = open_session(c, false);
	rw = open_session(c, true);
	ck_assert_rv(p11->C_GetSessionInfo(ro, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_rv(p11->C_Logout(ro), CKR_USER_NOT_LOGGED_IN);
	login_user(ro);
	/* The login belongs to the token: every session sees it. */
	ck_assert_rv(p11->C_GetSessionInfo(ro, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_USER_FUNCTIONS);
	ck_assert_rv(p11->C_GetSessionInfo(rw, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RW_USER_FUNCTIONS);
	ck_assert_rv(p11->C_Login(rw, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_rv(p11->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8),
		     CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	ck_assert_rv(p11->C_Logout(rw), CKR_OK);
	ck_assert_rv(p11->C_GetSessionInfo(ro, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	/* SO login needs no read-only session around. */
	ck_assert_rv(p11->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8), CKR_SESSION_READ_ONLY_EXISTS);
	ck_assert_rv(p11->C_Login(rw, 7, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_TYPE_INVALID);
	ck_assert_rv(p11->C_CloseAllSessions(card_slot(c)), CKR_OK);
	ck_assert_rv(p11->C_GetSessionInfo(ro, &si), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(policy_checked_before_the_card)
{
	static const char digits[] = "12345678901234567890";
	int c = card_of("nes-rsa"), before;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;

	p11_init();
	s = open_session(c, false);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert_uint_gt(ti.ulMinPinLen, 1);
	ck_assert_uint_lt(ti.ulMaxPinLen, sizeof(digits) - 1);
	before = trace_count(c, "> 00 20 00 81");
	/* Wrong length or characters, by the card's own limits: refused
	 * without a try on the card. */
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)digits, ti.ulMinPinLen - 1),
		     CKR_PIN_LEN_RANGE);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)digits, ti.ulMaxPinLen + 1),
		     CKR_PIN_LEN_RANGE);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "12a456", 6), CKR_PIN_INVALID);
	ck_assert_int_eq(trace_count(c, "> 00 20 00 81"), before);
	ck_assert(!(flags_of(c) & CKF_USER_PIN_COUNT_LOW));
}
END_TEST

START_TEST(block_and_unblock)
{
	int c = card_of("nes-rsa"), before;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;

	p11_init();
	s = open_session(c, true);
	before = verifies(c);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "000000", 6), CKR_PIN_INCORRECT);
	ck_assert(flags_of(c) & CKF_USER_PIN_COUNT_LOW);
	ck_assert(!(flags_of(c) & CKF_USER_PIN_FINAL_TRY));
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "000000", 6), CKR_PIN_INCORRECT);
	ck_assert(flags_of(c) & CKF_USER_PIN_FINAL_TRY);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "000000", 6), CKR_PIN_LOCKED);
	ck_assert(flags_of(c) & CKF_USER_PIN_LOCKED);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_PIN_LOCKED);
	/* Exactly the VERIFYs the caller asked for reached the card. */
	ck_assert_int_eq(verifies(c) - before, 4);

	/* A wrong PUK counts down the PUK. */
	ck_assert_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR) "00000000", 8), CKR_PIN_INCORRECT);
	ck_assert(flags_of(c) & CKF_SO_PIN_COUNT_LOW);
	/* Unblock: SO login with the PUK, C_InitPIN with a new PIN, in the
	 * generation's form: 2.x resets with the verified PUK (2C 02 81 new),
	 * 1.2 carries the PUK in the command (2C 00 81 len PUK len new). */
	const char *form = card_generation(c) == 2 ? "> 00 2C 02 81 06 " : "> 00 2C 00 81 10 ";
	int forms = trace_count(c, form);
	before = trace_count(c, "> 00 2C");
	ck_assert_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8), CKR_OK);
	ck_assert_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR) "654321", 6), CKR_OK);
	ck_assert_int_eq(trace_count(c, "> 00 2C") - before, 1);
	ck_assert_int_eq(trace_count(c, form) - forms, 1);
	/* The SO login's PUK is spent: a second unblock needs it again. */
	ck_assert_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR) "111111", 6), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(trace_count(c, "> 00 2C") - before, 1);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	ck_assert(!(flags_of(c) & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_COUNT_LOW)));
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_PIN_INCORRECT);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_OK);
	/* C_SetPIN back to the default; a wrong old PIN is a counted try. */
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "111111", 6, (CK_UTF8CHAR_PTR)PIN, 6),
		     CKR_PIN_INCORRECT);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "654321", 6, (CK_UTF8CHAR_PTR) "12345678901234567",
				   ti.ulMaxPinLen + 1),
		     CKR_PIN_LEN_RANGE);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "654321", 6, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	login_user(s);
	ck_assert(!(flags_of(c) & (CKF_USER_PIN_COUNT_LOW | CKF_SO_PIN_COUNT_LOW)));
}
END_TEST

START_TEST(init_pin_needs_so)
{
	int c = card_of("nes-rsa");
	CK_SESSION_HANDLE s, ro;

	p11_init();
	s = open_session(c, true);
	ck_assert_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)PIN, 6), CKR_USER_NOT_LOGGED_IN);
	ro = open_session(c, false);
	ck_assert_rv(p11->C_SetPIN(ro, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR)PIN, 6),
		     CKR_SESSION_READ_ONLY);
}
END_TEST

Suite *pin_suite(void);
Suite *pin_suite(void)
{
	Suite *s = suite_create("pin");
	TCase *t = tcase_create("pin");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, login_states);
	tcase_add_test(t, policy_checked_before_the_card);
	tcase_add_test(t, block_and_unblock);
	tcase_add_test(t, init_pin_needs_so);
	suite_add_tcase(s, t);
	return s;
}
