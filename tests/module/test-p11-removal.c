/*
 * test-p11-removal.c: a card pulled in the middle of a multi-APDU
 * operation (MSE then PSO; reading the card's files). Run in a test bed
 * whose cards answer slowly (--latency rtt=150), so the removal lands
 * between two APDUs: the call fails with a removal code, nothing hangs,
 * and after reinsertion the next operation works.
 */
#include "config.h"

#include "p11-test.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_RV rv;
};

static void *sign_thread(void *arg)
{
	struct signer *g = arg;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	g->rv = p11->C_SignInit(g->s, &m, g->k);
	if (g->rv == CKR_OK)
		g->rv = p11->C_Sign(g->s, (CK_BYTE_PTR) "x", 1, sig, &len);
	return NULL;
}

static int pull_card(int c)
{
	char path[512];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/card%d.pid", getenv("EIMZA_TB_DIR"), c);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &pid) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return kill(pid, SIGUSR1);
}

static bool removal_code(CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_HANDLE_INVALID ||
	       rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_ERROR || rv == CKR_SESSION_CLOSED;
}

START_TEST(removed_during_signature)
{
	int c = card_of("seal-rsa");
	struct signer g;
	pthread_t th;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;

	p11_init();
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	pthread_create(&th, NULL, sign_thread, &g);
	/* SIGUSR1 pulls the card as soon as the card has answered the APDU it
	 * is working on: here MSE (150 ms), so PSO finds no card. */
	usleep(80000);
	ck_assert_int_eq(pull_card(c), 0);
	pthread_join(th, NULL);
	ck_assert_msg(removal_code(g.rv), "C_Sign answered 0x%lx", (unsigned long)g.rv);
	/* Reinsert once pcscd has seen the card go (a pull and push faster than
	 * pcscd's polling is a known gap: see the note). */
	{
		char cmd[600], env[40];
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
		snprintf(cmd, sizeof(cmd), "%s wait-empty '%s' 10", getenv("EIMZA_TB_PCSC"), getenv(env));
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	g.s = s;
	g.k = k;
	sign_thread(&g);
	ck_assert_rv(g.rv, CKR_OK);
}
END_TEST

START_TEST(removed_while_reading_the_card)
{
	int c = card_of("seal-rsa");
	CK_TOKEN_INFO ti;
	CK_RV rv;

	p11_load();
	/* C_Initialize reads the card's files: pull it meanwhile. */
	if (fork() == 0) {
		usleep(400000);
		_exit(pull_card(c) == 0 ? 0 : 1);
	}
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
	rv = p11->C_GetTokenInfo(card_slot(c), &ti);
	ck_assert_msg(rv == CKR_OK || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_ERROR,
		      "C_GetTokenInfo answered 0x%lx", (unsigned long)rv);
	usleep(600000);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
}
END_TEST

Suite *removal_suite(void);
Suite *removal_suite(void)
{
	Suite *s = suite_create("removal");
	TCase *t = tcase_create("removal");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, removed_during_signature);
	tcase_add_test(t, removed_while_reading_the_card);
	suite_add_tcase(s, t);
	return s;
}
