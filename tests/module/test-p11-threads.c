/*
 * test-p11-threads.c: the module's locks and its card reads, as the
 * application sees them. A card busy with a command holds up nothing on
 * another card; closing a session while another signs on the same card
 * leaves the card's transaction right; cards are read only when a call
 * needs their token, all at once, and a card whose read fails is not read
 * again at every call.
 *
 * "Busy" is made exact, not timed: the card's runtime holds the command it
 * receives unanswered ("hold") until the test releases it.
 */
#include "config.h"

#include "p11-test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_RV rv;
	atomic_bool done;
};

static void *login_job(void *arg)
{
	struct job *j = arg;

	j->rv = p11->C_Login(j->s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen(PIN));
	atomic_store(&j->done, true);
	return NULL;
}

static void *token_info_job(void *arg)
{
	struct job *j = arg;
	CK_TOKEN_INFO ti;

	j->rv = p11->C_GetTokenInfo(j->slot, &ti);
	atomic_store(&j->done, true);
	return NULL;
}

/* Sign `data` with the only private key of a logged-in session and check
 * the signature with OpenSSL against the key's certificate. */
static void sign_and_check(CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE key, cert;
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG siglen = sizeof(sig), idlen, certlen;
	void *id, *der;

	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &key, 1), 1);
	ck_assert_rv(p11->C_GetAttributeValue(s, key, &a, 1), CKR_OK);
	if (kt == CKK_EC)
		m.mechanism = CKM_ECDSA_SHA256;
	id = attr(s, key, CKA_ID, &idlen);
	ck_assert_int_eq(find(s, CKO_CERTIFICATE, id, idlen, &cert, 1), 1);
	der = attr(s, cert, CKA_VALUE, &certlen);
	ck_assert_rv(p11->C_SignInit(s, &m, key), CKR_OK);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR) "busy", 4, sig, &siglen), CKR_OK);
	ck_assert(sig_verifies(der, certlen, m.mechanism, "busy", 4, sig, siglen));
	free(id);
	free(der);
}

START_TEST(a_busy_card_holds_up_no_other)
{
	int a = card_of("nes-rsa"), b = seal_card();
	struct job j = {0};
	CK_SESSION_HANDLE sb, sb2;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	CK_INFO info;
	CK_SLOT_ID slot_b;
	pthread_t th;

	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);
	p11_init();
	/* (card_slot asks every slot, card A's too: before A is busy.) */
	slot_b = card_slot(b);
	j.s = open_session(a, false);
	sb = open_session(b, false);
	login_user(sb);
	/* C_Login on card A: its VERIFY reaches the card, which keeps it. */
	card_ctl(a, "hold");
	ck_assert_int_eq(pthread_create(&th, NULL, login_job, &j), 0);
	card_wait_status(a, "pending");
	/* Meanwhile card B, and everything that needs no card A, goes on. */
	ck_assert_rv(p11->C_GetInfo(&info), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	ck_assert_rv(p11->C_GetTokenInfo(slot_b, &ti), CKR_OK);
	ck_assert_rv(p11->C_GetSessionInfo(sb, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_USER_FUNCTIONS);
	sign_and_check(sb);
	ck_assert_rv(p11->C_OpenSession(slot_b, CKF_SERIAL_SESSION, NULL, NULL, &sb2), CKR_OK);
	ck_assert_rv(p11->C_CloseSession(sb2), CKR_OK);
	ck_assert_msg(!atomic_load(&j.done), "card A's login returned while its card was held");
	card_ctl(a, "release");
	pthread_join(th, NULL);
	ck_assert_rv(j.rv, CKR_OK);
	ck_assert_rv(p11->C_GetSessionInfo(j.s, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_USER_FUNCTIONS);
}
END_TEST

struct signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_RV rv;
	CK_BYTE sig[512];
	CK_ULONG len;
};

static void *context_sign_job(void *arg)
{
	struct signer *g = arg;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	g->len = sizeof(g->sig);
	g->rv = p11->C_SignInit(g->s, &m, g->key);
	if (g->rv == CKR_OK)
		g->rv = p11->C_Login(g->s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, strlen(PIN));
	if (g->rv == CKR_OK)
		g->rv = p11->C_Sign(g->s, (CK_BYTE_PTR) "x", 1, g->sig, &g->len);
	return NULL;
}

/* Issue 12's race: session 1 holds the card's transaction (its context
 * login), session 2 signs in another thread, session 1 is closed. The
 * transaction's depth must come out right: the signature is made, and the
 * card is free for other programs afterwards. */
START_TEST(close_during_signature)
{
	int c = card_of("nes-rsa");
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE s1;
	CK_OBJECT_HANDLE cert;
	CK_ULONG idlen, certlen;
	struct signer g;
	void *id, *der;
	char cmd[700], env[40];
	pthread_t th;

	p11_init();
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.key, 1), 1);
	id = attr(g.s, g.key, CKA_ID, &idlen);
	ck_assert_int_eq(find(g.s, CKO_CERTIFICATE, id, idlen, &cert, 1), 1);
	der = attr(g.s, cert, CKA_VALUE, &certlen);
	for (int round = 0; round < 10; round++) {
		s1 = open_session(c, false);
		ck_assert_rv(p11->C_SignInit(s1, &m, g.key), CKR_OK);
		ck_assert_rv(p11->C_Login(s1, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, strlen(PIN)),
			     CKR_OK);
		ck_assert_int_eq(pthread_create(&th, NULL, context_sign_job, &g), 0);
		ck_assert_rv(p11->C_CloseSession(s1), CKR_OK);
		pthread_join(th, NULL);
		ck_assert_rv(g.rv, CKR_OK);
		ck_assert(sig_verifies(der, certlen, m.mechanism, "x", 1, g.sig, g.len));
	}
	/* No transaction is left open: another program reaches the card. */
	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
	snprintf(cmd, sizeof(cmd), "timeout 20 %s apdu '%s' 0084000008 >/dev/null",
		 getenv("EIMZA_TB_PCSC"), getenv(env));
	ck_assert_int_eq(system(cmd), 0);
	free(id);
	free(der);
}
END_TEST

/* C_Initialize, the slot list, slot information and events send nothing
 * to any card; the first call that needs a token reads every card, and
 * none again. */
START_TEST(cards_read_when_needed)
{
	int n = atoi(getenv("EIMZA_TB_CARDS")), before[8], after[8];
	CK_SLOT_ID slots[16], ev;
	CK_ULONG count = 16;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;

	for (int i = 0; i < n; i++)
		before[i] = card_commands(i);
	p11_init();
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &count), CKR_OK);
	ck_assert_int_eq(count, n);
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, slots, &count), CKR_OK);
	for (CK_ULONG i = 0; i < count; i++)
		ck_assert_rv(p11->C_GetSlotInfo(slots[i], &si), CKR_OK);
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	for (int i = 0; i < n; i++)
		ck_assert_msg(card_commands(i) == before[i], "card %d got %d commands before any token was needed",
			      i, card_commands(i) - before[i]);
	/* One token needed: every card is read now, at once. */
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(0), &ti), CKR_OK);
	for (int i = 0; i < n; i++) {
		after[i] = card_commands(i);
		ck_assert_msg(after[i] > before[i], "card %d was not read", i);
	}
	/* And never again in this process. */
	for (int i = 0; i < n; i++) {
		ck_assert_rv(p11->C_GetTokenInfo(card_slot(i), &ti), CKR_OK);
		s = open_session(i, false);
		ck_assert_rv(p11->C_CloseSession(s), CKR_OK);
		ck_assert_int_eq(card_commands(i), after[i]);
	}
}
END_TEST

/* Two cards held while the first one's token is asked for: both reads are
 * at their cards at the same time, which one thread could not do. */
START_TEST(cards_read_in_parallel)
{
	int before;
	struct job j = {0};
	CK_TOKEN_INFO ti;
	pthread_t th;

	ck_assert_int_ge(atoi(getenv("EIMZA_TB_CARDS")), 2);
	p11_init();
	card_ctl(0, "hold");
	card_ctl(1, "hold");
	j.slot = card_slot(0);
	ck_assert_int_eq(pthread_create(&th, NULL, token_info_job, &j), 0);
	card_wait_status(0, "pending");
	card_wait_status(1, "pending");
	ck_assert(!atomic_load(&j.done)); /* it waits for the reads it started */
	card_ctl(0, "release");
	card_ctl(1, "release");
	pthread_join(th, NULL);
	ck_assert_rv(j.rv, CKR_OK);
	before = card_commands(1);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(1), &ti), CKR_OK);
	ck_assert_int_eq(card_commands(1), before);
}
END_TEST

/* One card at a time when the application forbids threads of ours
 * (CKF_LIBRARY_CANT_CREATE_OS_THREADS) or the configuration says so. */
START_TEST(no_parallel_read_when_told)
{
	int n = atoi(getenv("EIMZA_TB_CARDS")), before[8];
	CK_C_INITIALIZE_ARGS args = {0};
	CK_TOKEN_INFO ti;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < n; i++)
			before[i] = card_commands(i);
		p11_load();
		if (round == 0) {
			args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK;
			ck_assert_rv(p11->C_Initialize(&args), CKR_OK);
		} else {
			setenv("EIMZA_PARALLEL_READ", "0", 1);
			ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
			unsetenv("EIMZA_PARALLEL_READ");
		}
		ck_assert_rv(p11->C_GetTokenInfo(card_slot(0), &ti), CKR_OK);
		ck_assert_int_gt(card_commands(0), before[0]);
		for (int i = 1; i < n; i++)
			ck_assert_msg(card_commands(i) == before[i], "round %d: card %d read", round, i);
		ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	}
}
END_TEST

/* The calls of one process against a card whose read fails. */
static void calls_on_failing_card(int c, int calls, CK_RV *first)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	for (int i = 0; i < calls; i++) {
		rv = p11->C_GetTokenInfo(card_slot(c), &ti);
		ck_assert_msg(rv != CKR_OK, "a card that cannot be read answered CKR_OK");
		if (i == 0)
			*first = rv;
		ck_assert_rv(rv, *first);
		ck_assert_rv(p11->C_OpenSession(card_slot(c), CKF_SERIAL_SESSION, NULL, NULL, &s),
			     *first);
	}
}

/* A card whose read fails (an AKIS 1.2 card behind a 2.x ATR: the module
 * speaks 2.x to it) is read once, then left alone for read_retry seconds,
 * doubling; a polling application sends it nothing more. A new insertion
 * is read afresh. */
START_TEST(failed_read_backs_off)
{
	int c = card_of("seal-rsa"), m, one;
	char img[512], cmd[1200], env[40];
	CK_RV first = CKR_OK;

	snprintf(img, sizeof(img), "%s/misfit.img", getenv("EIMZA_TB_DIR"));
	snprintf(cmd, sizeof(cmd),
		 "%s init %s --generation 1.2 --profile seal-rsa --atr "
		 "3B9F978131FE458065544353228231C073F62180810553 --force >/dev/null 2>&1",
		 getenv("EIMZA_VCARD"), img);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, img), 0);

	setenv("EIMZA_READ_RETRY", "3600", 1);
	p11_init();
	m = card_commands(c);
	calls_on_failing_card(c, 1, &first);
	one = card_commands(c) - m;
	ck_assert_int_gt(one, 0);
	calls_on_failing_card(c, 20, &first);
	ck_assert_int_eq(card_commands(c) - m, one);
	/* A new insertion: read again at once. */
	ck_assert_int_eq(tb_ctl("card-remove %d", c), 0);
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	calls_on_failing_card(c, 5, &first);
	ck_assert_int_eq(card_commands(c) - m, 2 * one);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);

	/* Without the back-off every call would read it (the count above
	 * could fail): */
	setenv("EIMZA_READ_RETRY", "0", 1);
	p11_init();
	m = card_commands(c);
	calls_on_failing_card(c, 3, &first);
	ck_assert_int_eq(card_commands(c) - m, 6 * one); /* C_GetTokenInfo + C_OpenSession */
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	unsetenv("EIMZA_READ_RETRY");

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_IMAGE", c);
	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, getenv(env)), 0);
}
END_TEST

/* No card stays held after a test that failed while it held one. */
static void release_all(void)
{
	for (int i = 0; i < atoi(getenv("EIMZA_TB_CARDS")); i++)
		card_ctl(i, "release");
}

Suite *threads_suite(void);
Suite *threads_suite(void)
{
	Suite *s = suite_create("threads");
	TCase *t = tcase_create("threads");

	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, release_all, release_all);
	tcase_add_test(t, a_busy_card_holds_up_no_other);
	tcase_add_test(t, close_during_signature);
	tcase_add_test(t, cards_read_when_needed);
	tcase_add_test(t, cards_read_in_parallel);
	tcase_add_test(t, no_parallel_read_when_told);
	tcase_add_test(t, failed_read_backs_off);
	suite_add_tcase(s, t);
	return s;
}
