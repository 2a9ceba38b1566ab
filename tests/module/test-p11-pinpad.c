/*
 * test-p11-pinpad.c: PINs typed on a PIN-pad reader's keypad, through the
 * whole stack: the module, pcsc-lite, pcscd, the test bed's PIN-pad reader
 * driver and the virtual card. test-module.sh runs it in the "pinpad"
 * rounds: card 0 (nes-rsa) in a PIN-pad reader, card 1 (a seal) in a plain
 * one, and on AKIS 2.x card 2 (seal-rsa) in a reader that only verifies.
 * The keys are typed with `$EIMZA_TB_CTL pinpad-type` from another
 * process, which waits until the reader asks, as a person does.
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <eimza/eimza-pkcs11.h>

#define PAD 0      /* nes-rsa in a PIN-pad reader */
#define PLAIN 1    /* a seal in a plain reader */
#define VERIFYONLY 2 /* seal-rsa in a reader that only verifies (2.x round) */

static const char msg[] = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.";

/* `$EIMZA_TB_CTL ARGS` in another process: it waits until the reader asks
 * for a PIN, then types (or cancels, ...). */
static pid_t pad_async(const char *fmt, ...)
{
	char args[256], cmd[512];
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", getenv("EIMZA_TB_CTL"), args);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* It ended, and well. */
static void pad_done(pid_t pid)
{
	int st = 0;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the keypad command failed (%d)", st);
}

/* The commands that carried a PIN or PUK to card i. */
static int pin_commands(int i)
{
	return trace_count(i, "> 00 20 00 81 06") + trace_count(i, "> 00 20 00 82 08") +
	       trace_count(i, "> 00 24") + trace_count(i, "> 00 2C");
}

static CK_FLAGS token_flags(int i)
{
	CK_TOKEN_INFO ti;

	ck_assert_rv(p11->C_GetTokenInfo(card_slot(i), &ti), CKR_OK);
	return ti.flags;
}

static const EZ_VENDOR_FUNCTIONS *vendor(void)
{
	void *dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW | RTLD_NOLOAD);
	EZ_C_GetInterface get;
	CK_INTERFACE *iface = NULL;

	ck_assert_ptr_nonnull(dl);
	*(void **)(&get) = dlsym(dl, "C_GetInterface");
	ck_assert_ptr_nonnull(get);
	ck_assert_rv(get((CK_UTF8CHAR_PTR)EZ_VENDOR_INTERFACE, NULL, &iface, 0), CKR_OK);
	dlclose(dl);
	ck_assert_uint_ge(((CK_VERSION *)iface->pFunctionList)->minor, 2);
	return iface->pFunctionList;
}

static int pin_tries(int i)
{
	EZ_CARD_INFO ci;

	ck_assert_rv(vendor()->EZ_GetCardInfo(card_slot(i), &ci), CKR_OK);
	return (int)ci.pin_tries;
}

/* Sign `msg` with the first private key of a logged-in session and check
 * the signature against the key's certificate. NES keys need the PIN again
 * for each signature (CKA_ALWAYS_AUTHENTICATE): the caller gives the
 * context login, or the login's consent stands for it. */
static CK_RV sign_and_check(CK_SESSION_HANDLE s, bool context_on_pad, int card)
{
	CK_OBJECT_HANDLE key, cert;
	CK_KEY_TYPE type;
	CK_ULONG idlen, derlen, siglen = 512, len;
	unsigned char sig[512], *id, *der;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_RV rv;
	pid_t typer = -1;

	ck_assert_int_ge(find(s, CKO_PRIVATE_KEY, NULL, 0, &key, 1), 1);
	void *t = attr(s, key, CKA_KEY_TYPE, &len);
	type = *(CK_KEY_TYPE *)t;
	free(t);
	if (type == CKK_EC)
		m.mechanism = CKM_ECDSA_SHA256;
	id = attr(s, key, CKA_ID, &idlen);
	ck_assert_int_eq(find(s, CKO_CERTIFICATE, id, idlen, &cert, 1), 1);
	der = attr(s, cert, CKA_VALUE, &derlen);
	ck_assert_rv(p11->C_SignInit(s, &m, key), CKR_OK);
	if (context_on_pad) {
		typer = pad_async("pinpad-type %d %s", card, PIN);
		rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, NULL, 0);
		pad_done(typer);
		ck_assert_rv(rv, CKR_OK);
	}
	rv = p11->C_Sign(s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen);
	if (rv == CKR_OK)
		ck_assert(sig_verifies(der, derlen, m.mechanism, msg, strlen(msg), sig, siglen));
	free(id);
	free(der);
	return rv;
}

/* Log in on the keypad: the PIN typed from another process. */
static CK_RV pad_login(CK_SESSION_HANDLE s, CK_USER_TYPE who, int card, const char *typed)
{
	pid_t typer = pad_async("pinpad-type %d %s", card, typed);
	CK_RV rv = p11->C_Login(s, who, NULL, 0);

	pad_done(typer);
	return rv;
}

START_TEST(the_keypad_announced)
{
	EZ_PINPAD_INFO pi;

	p11_init();
	ck_assert(token_flags(PAD) & CKF_PROTECTED_AUTHENTICATION_PATH);
	ck_assert(!(token_flags(PLAIN) & CKF_PROTECTED_AUTHENTICATION_PATH));
	ck_assert_rv(vendor()->EZ_GetPinpad(card_slot(PAD), &pi), CKR_OK);
	ck_assert_uint_eq(pi.flags, EZ_PINPAD_VERIFY | EZ_PINPAD_CHANGE);
	ck_assert_uint_eq(pi.min_len, 4); /* the reader's GET_TLV_PROPERTIES */
	ck_assert_uint_eq(pi.max_len, 16);
	ck_assert_rv(vendor()->EZ_GetPinpad(card_slot(PLAIN), &pi), CKR_OK);
	ck_assert_uint_eq(pi.flags, 0);
	if (getenv("EIMZA_TB_CARD2_READER")) {
		ck_assert(token_flags(VERIFYONLY) & CKF_PROTECTED_AUTHENTICATION_PATH);
		ck_assert_rv(vendor()->EZ_GetPinpad(card_slot(VERIFYONLY), &pi), CKR_OK);
		ck_assert_uint_eq(pi.flags, EZ_PINPAD_VERIFY);
	}
	/* A NULL PIN where there is no keypad is a bad argument. */
	ck_assert_rv(p11->C_Login(open_session(PLAIN, false), CKU_USER, NULL, 0),
		     CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST(login_and_sign)
{
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	int verifies;

	p11_init();
	s = open_session(PAD, false);
	verifies = trace_count(PAD, "> 00 20 00 81 06 ** ** ** ** ** **");
	ck_assert_rv(pad_login(s, CKU_USER, PAD, PIN), CKR_OK);
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_USER_FUNCTIONS);
	/* The VERIFY the reader built reached the card, its PIN masked in the
	 * card's trace, the PIN's length in Lc. */
	ck_assert_int_eq(trace_count(PAD, "> 00 20 00 81 06 ** ** ** ** ** **"), verifies + 1);
	/* The pad's VERIFY was the last command: the NES key's signature takes
	 * it as its consent (login_consent), nothing more is typed. */
	ck_assert_rv(sign_and_check(s, false, PAD), CKR_OK);
	ck_assert_int_eq(trace_count(PAD, "> 00 20 00 81 06"), verifies + 1);
	/* The next signature wants the PIN again: typed on the keypad. */
	ck_assert_rv(sign_and_check(s, true, PAD), CKR_OK);
	ck_assert_int_eq(trace_count(PAD, "> 00 20 00 81 06"), verifies + 2);
	ck_assert_rv(sign_and_check(s, false, PAD), CKR_USER_NOT_LOGGED_IN);
	/* A PIN given in the call works on a PIN-pad reader too. */
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	login_user(s);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
}
END_TEST

START_TEST(wrong_pin_on_the_keypad)
{
	CK_SESSION_HANDLE s;

	p11_init();
	s = open_session(PAD, false);
	ck_assert_int_eq(pin_tries(PAD), 3);
	ck_assert_rv(pad_login(s, CKU_USER, PAD, "000000"), CKR_PIN_INCORRECT);
	/* Counted by the card, reported as a typed wrong PIN is. */
	ck_assert_int_eq(pin_tries(PAD), 2);
	ck_assert(token_flags(PAD) & CKF_USER_PIN_COUNT_LOW);
	/* Digits outside the PIN's lengths (at most 8 on both generations):
	 * the reader refuses, the card counts nothing. */
	ck_assert_rv(pad_login(s, CKU_USER, PAD, "123456789"), CKR_PIN_LEN_RANGE);
	ck_assert_int_eq(pin_tries(PAD), 2);
	ck_assert_rv(pad_login(s, CKU_USER, PAD, PIN), CKR_OK);
	ck_assert_int_eq(pin_tries(PAD), 3);
	ck_assert(!(token_flags(PAD) & CKF_USER_PIN_COUNT_LOW));
}
END_TEST

START_TEST(cancel_and_timeout)
{
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	int before;
	pid_t p;

	p11_init();
	s = open_session(PAD, false);
	before = pin_commands(PAD);
	p = pad_async("pinpad-cancel %d", PAD);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 0), CKR_FUNCTION_CANCELED);
	pad_done(p);
	p = pad_async("pinpad-timeout %d", PAD);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 0), CKR_FUNCTION_CANCELED);
	pad_done(p);
	/* Nothing reached the card, no try was spent, nobody is logged in. */
	ck_assert_int_eq(pin_commands(PAD), before);
	ck_assert_int_eq(pin_tries(PAD), 3);
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	/* A context login cancelled signs nothing. */
	ck_assert_rv(pad_login(s, CKU_USER, PAD, PIN), CKR_OK);
	ck_assert_rv(sign_and_check(s, false, PAD), CKR_OK); /* the consent */
	{
		CK_OBJECT_HANDLE key;
		CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
		unsigned char sig[512];
		CK_ULONG siglen = sizeof(sig);
		ck_assert_int_ge(find(s, CKO_PRIVATE_KEY, NULL, 0, &key, 1), 1);
		ck_assert_rv(p11->C_SignInit(s, &m, key), CKR_OK);
		p = pad_async("pinpad-cancel %d", PAD);
		ck_assert_rv(p11->C_Login(s, CKU_CONTEXT_SPECIFIC, NULL, 0), CKR_FUNCTION_CANCELED);
		pad_done(p);
		ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen),
			     CKR_USER_NOT_LOGGED_IN);
	}
}
END_TEST

START_TEST(change_on_the_keypad)
{
	CK_SESSION_HANDLE s;
	int before;

	p11_init();
	s = open_session(PAD, true);
	before = trace_count(PAD, "> 00 24 00 81");
	/* The current PIN, the new one twice, all on the keypad. */
	pid_t p = pad_async("pinpad-type %d %s 654321 654321", PAD, PIN);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_OK);
	pad_done(p);
	ck_assert_int_eq(trace_count(PAD, "> 00 24 00 81"), before + 1);
	/* The new PIN works (typed in the call here), the old one not. */
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_OK);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_PIN_INCORRECT);
	/* Two new PINs that differ: the reader refuses, nothing is sent. */
	before = pin_commands(PAD);
	p = pad_async("pinpad-type %d 654321 111111 111112", PAD);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_PIN_INVALID);
	pad_done(p);
	ck_assert_int_eq(pin_commands(PAD), before);
	/* A wrong current PIN is a counted try. */
	p = pad_async("pinpad-type %d 000000 111111 111111", PAD);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_PIN_INCORRECT);
	pad_done(p);
	ck_assert_int_eq(pin_tries(PAD), 1);
	/* Only both PINs NULL means the keypad. */
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, (CK_UTF8CHAR_PTR)PIN, 6), CKR_ARGUMENTS_BAD);
	/* And back. */
	p = pad_async("pinpad-type %d 654321 %s %s", PAD, PIN, PIN);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_OK);
	pad_done(p);
	ck_assert_int_eq(pin_tries(PAD), 3);
	login_user(s);
}
END_TEST

START_TEST(unblock_on_the_keypad)
{
	CK_SESSION_HANDLE s;
	char entries[64];
	pid_t p;

	p11_init();
	s = open_session(PAD, true);
	for (int i = 0; i < 3; i++)
		p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "000000", 6);
	ck_assert(token_flags(PAD) & CKF_USER_PIN_LOCKED);
	/* The SO login: the PUK typed on the keypad. */
	ck_assert_rv(pad_login(s, CKU_SO, PAD, PUK), CKR_OK);
	/* The unblock: the new PIN twice; an AKIS 1.x card's command carries
	 * the PUK, so there it is typed again first. */
	if (card_generation(PAD) == 2)
		snprintf(entries, sizeof(entries), "111111 111111");
	else
		snprintf(entries, sizeof(entries), "%s 111111 111111", PUK);
	/* A cancelled unblock leaves the SO login able to unblock. */
	p = pad_async("pinpad-cancel %d", PAD);
	ck_assert_rv(p11->C_InitPIN(s, NULL, 0), CKR_FUNCTION_CANCELED);
	pad_done(p);
	p = pad_async("pinpad-type %d %s", PAD, entries);
	ck_assert_rv(p11->C_InitPIN(s, NULL, 0), CKR_OK);
	pad_done(p);
	ck_assert_uint_eq(trace_count(PAD, card_generation(PAD) == 2 ? "> 00 2C 02 81 06 "
								     : "> 00 2C 00 81 10 "),
			  1);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	ck_assert(!(token_flags(PAD) & CKF_USER_PIN_LOCKED));
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "111111", 6), CKR_OK);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "111111", 6, (CK_UTF8CHAR_PTR)PIN, 6),
		     CKR_OK);
}
END_TEST

START_TEST(card_pulled_while_the_keypad_waits)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_INFO si;
	CK_RV rv;
	pid_t p;

	p11_init();
	s = open_session(PAD, false);
	p = pad_async("pinpad-wait %d && $EIMZA_TB_CTL card-remove %d", PAD, PAD);
	rv = p11->C_Login(s, CKU_USER, NULL, 0);
	pad_done(p);
	ck_assert_msg(rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
			      rv == CKR_SESSION_HANDLE_INVALID,
		      "C_Login with the card pulled: 0x%lx", (unsigned long)rv);
	ck_assert_rv(p11->C_GetSlotInfo(card_slot(PAD), &si), CKR_OK);
	ck_assert(!(si.flags & CKF_TOKEN_PRESENT));
	/* Back in, the keypad and the card work again. */
	ck_assert_int_eq(tb_ctl("card-insert %d", PAD), 0);
	s = open_session(PAD, false);
	ck_assert_rv(pad_login(s, CKU_USER, PAD, PIN), CKR_OK);
	ck_assert_int_eq(pin_tries(PAD), 3);
}
END_TEST

struct pad_thread {
	CK_SESSION_HANDLE s;
	CK_RV rv;
};

static void *pad_login_thread(void *arg)
{
	struct pad_thread *t = arg;

	t->rv = p11->C_Login(t->s, CKU_USER, NULL, 0);
	return NULL;
}

START_TEST(two_readers_in_one_process)
{
	struct pad_thread t;
	CK_SESSION_HANDLE plain;
	pthread_t th;
	pid_t p;

	p11_init();
	t.s = open_session(PAD, false);
	plain = open_session(PLAIN, false);
	/* While the PIN-pad reader waits for the keys, the card in the plain
	 * reader logs in with a PIN given in the call and signs: a keypad
	 * holds its own slot only. */
	ck_assert_int_eq(pthread_create(&th, NULL, pad_login_thread, &t), 0);
	ck_assert_int_eq(tb_ctl("pinpad-wait %d", PAD), 0);
	login_user(plain);
	ck_assert_rv(sign_and_check(plain, false, PLAIN), CKR_OK);
	ck_assert_int_eq(trace_count(PLAIN, "> 00 20 00 81 06 ** ** ** ** ** **") >= 1, 1);
	p = pad_async("pinpad-type %d %s", PAD, PIN);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	pad_done(p);
	ck_assert_rv(t.rv, CKR_OK);
	ck_assert_rv(sign_and_check(t.s, false, PAD), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
}
END_TEST

START_TEST(a_keypad_that_only_verifies)
{
	CK_SESSION_HANDLE s;
	int before;

	p11_init();
	s = open_session(VERIFYONLY, true);
	ck_assert_rv(pad_login(s, CKU_USER, VERIFYONLY, PIN), CKR_OK);
	ck_assert_rv(sign_and_check(s, false, VERIFYONLY), CKR_OK);
	/* Change and unblock stay on the computer: refused at once, nothing
	 * asked or sent. */
	before = pin_commands(VERIFYONLY);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_int_eq(pin_commands(VERIFYONLY), before);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR) "654321", 6),
		     CKR_OK);
	ck_assert_rv(p11->C_SetPIN(s, (CK_UTF8CHAR_PTR) "654321", 6, (CK_UTF8CHAR_PTR)PIN, 6),
		     CKR_OK);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	ck_assert_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8), CKR_OK);
	ck_assert_rv(p11->C_InitPIN(s, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
}
END_TEST

START_TEST(pinpad_off)
{
	EZ_PINPAD_INFO pi;
	CK_SESSION_HANDLE s;
	int before;

	/* pinpad = no: the reader is a plain reader to the module. */
	setenv("EIMZA_PINPAD", "0", 1);
	p11_init();
	ck_assert(!(token_flags(PAD) & CKF_PROTECTED_AUTHENTICATION_PATH));
	ck_assert_rv(vendor()->EZ_GetPinpad(card_slot(PAD), &pi), CKR_OK);
	ck_assert_uint_eq(pi.flags, 0);
	s = open_session(PAD, true);
	ck_assert_rv(p11->C_Login(s, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_SetPIN(s, NULL, 0, NULL, 0), CKR_ARGUMENTS_BAD);
	before = trace_count(PAD, "> 00 20 00 81 06 ** ** ** ** ** **");
	login_user(s); /* the module's own VERIFY, through the PIN-pad reader */
	ck_assert_int_eq(trace_count(PAD, "> 00 20 00 81 06 ** ** ** ** ** **"), before + 1);
	unsetenv("EIMZA_PINPAD");
}
END_TEST

Suite *pinpad_suite(void);
Suite *pinpad_suite(void)
{
	Suite *su = suite_create("pinpad");
	TCase *t = tcase_create("pinpad");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, the_keypad_announced);
	tcase_add_test(t, login_and_sign);
	tcase_add_test(t, wrong_pin_on_the_keypad);
	tcase_add_test(t, cancel_and_timeout);
	tcase_add_test(t, change_on_the_keypad);
	tcase_add_test(t, unblock_on_the_keypad);
	tcase_add_test(t, card_pulled_while_the_keypad_waits);
	tcase_add_test(t, two_readers_in_one_process);
	tcase_add_test(t, pinpad_off);
	if (getenv("EIMZA_TB_CARD2_READER"))
		tcase_add_test(t, a_keypad_that_only_verifies);
	suite_add_tcase(su, t);
	return su;
}
