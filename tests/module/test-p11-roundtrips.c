/*
 * test-p11-roundtrips.c: how many times each call goes to pcscd, counted
 * by the pcsc-count.c shim (LD_PRELOAD) at the module's calls into
 * pcsc-lite. Exact counts: a call that starts asking pcscd more fails here.
 * Run by test-module.sh in its own round ("roundtrips").
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long (*pcsc_calls)(const char *name);

static unsigned long calls(void)
{
	if (!pcsc_calls)
		pcsc_calls = (unsigned long (*)(const char *))dlsym(RTLD_DEFAULT, "eimza_pcsc_calls");
	ck_assert_msg(pcsc_calls != NULL, "run with LD_PRELOAD=pcsc-count.so (test-module.sh)");
	return pcsc_calls(NULL);
}

/* Round trips of one step, printed for the record and returned. */
#define ROUND_TRIPS(what, step)                                                              \
	({                                                                                   \
		unsigned long before_ = calls();                                             \
		step;                                                                        \
		unsigned long n_ = calls() - before_;                                        \
		printf("# round trips: %-36s %lu\n", what, n_);                              \
		n_;                                                                          \
	})

START_TEST(round_trips_per_call)
{
	int c = seal_card(), nes = card_of("nes-rsa");
	CK_SLOT_ID slot, nes_slot;
	CK_SESSION_HANDLE s, ns;
	CK_SESSION_INFO si;
	CK_SLOT_INFO sli;
	CK_TOKEN_INFO ti;
	CK_OBJECT_HANDLE key, nkey;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE ft = {CKA_CLASS, &cls, sizeof(cls)};
	CK_ULONG n, len;
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0}, rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_MECHANISM dm = {CKM_SHA256, NULL, 0};
	CK_BYTE sig[512], buf[1024] = {0}, digest[64];
	CK_UTF8CHAR_PTR pin = (CK_UTF8CHAR_PTR)PIN;

	ck_assert_int_ge(nes, 0);
	p11_init();
	slot = card_slot(c);
	nes_slot = card_slot(nes);
	/* A slot call: one status query. */
	ck_assert_int_eq(ROUND_TRIPS("C_GetSlotInfo", p11->C_GetSlotInfo(slot, &sli)), 1);
	/* The first token needed reads both cards: connections, a transaction
	 * each, the APDUs (counted by the card tests, not here). */
	ROUND_TRIPS("C_GetTokenInfo (reads the cards)", p11->C_GetTokenInfo(slot, &ti));
	ck_assert_int_eq(ROUND_TRIPS("C_GetTokenInfo", p11->C_GetTokenInfo(slot, &ti)), 1);
	ck_assert_int_eq(ROUND_TRIPS("C_OpenSession",
				     p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s)),
			 1);
	/* Session calls that need no card: nothing. */
	ck_assert_int_eq(ROUND_TRIPS("C_GetSessionInfo", p11->C_GetSessionInfo(s, &si)), 0);
	/* The status query, the transaction, SELECT, VERIFY. */
	ck_assert_int_eq(ROUND_TRIPS("C_Login (user)", p11->C_Login(s, CKU_USER, pin, 6)), 5);
	ck_assert_int_eq(ROUND_TRIPS("C_FindObjects*", {
				 p11->C_FindObjectsInit(s, &ft, 1);
				 p11->C_FindObjects(s, &key, 1, &n);
				 p11->C_FindObjectsFinal(s);
			 }),
			 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ROUND_TRIPS("C_GetAttributeValue", p11->C_GetAttributeValue(s, key, &a, 1)),
			 0);
	if (kt == CKK_EC)
		m.mechanism = CKM_ECDSA_SHA256;
	ck_assert_int_eq(ROUND_TRIPS("C_SignInit", p11->C_SignInit(s, &m, key)), 0);
	ck_assert_int_eq(ROUND_TRIPS("C_SignUpdate x 64 (1 KiB each)", {
				 for (int i = 0; i < 64; i++)
					 p11->C_SignUpdate(s, buf, sizeof(buf));
			 }),
			 0);
	/* A signature: the transaction, MSE, PSO, the end of the transaction. */
	len = sizeof(sig);
	ck_assert_int_eq(ROUND_TRIPS("C_SignFinal (seal)", p11->C_SignFinal(s, sig, &len)), 4);
	len = sizeof(sig);
	ck_assert_int_eq(ROUND_TRIPS("seal signature (C_SignInit + C_Sign)", {
				 p11->C_SignInit(s, &m, key);
				 p11->C_Sign(s, buf, 100, sig, &len);
			 }),
			 4);
	ck_assert_int_eq(ROUND_TRIPS("C_Digest*", {
				 p11->C_DigestInit(s, &dm);
				 p11->C_DigestUpdate(s, buf, sizeof(buf));
				 len = sizeof(digest);
				 p11->C_DigestFinal(s, digest, &len);
			 }),
			 0);
	/* A qualified (always-authenticate) signature: its own SELECT and
	 * VERIFY inside the same transaction. */
	ck_assert_rv(p11->C_OpenSession(nes_slot, CKF_SERIAL_SESSION, NULL, NULL, &ns), CKR_OK);
	ck_assert_rv(p11->C_Login(ns, CKU_USER, pin, 6), CKR_OK);
	ck_assert_int_eq(find(ns, CKO_PRIVATE_KEY, NULL, 0, &nkey, 1), 1);
	len = sizeof(sig);
	ck_assert_int_eq(ROUND_TRIPS("NES signature (init, context login, sign)", {
				 p11->C_SignInit(ns, &rsa, nkey);
				 p11->C_Login(ns, CKU_CONTEXT_SPECIFIC, pin, 6);
				 p11->C_Sign(ns, buf, 100, sig, &len);
			 }),
			 6);
	ck_assert_int_eq(len, 256);
	/* The last session of the seal's slot: the login ends (SELECT MF, then
	 * the application, in a transaction); closing it again costs nothing. */
	ck_assert_int_eq(ROUND_TRIPS("C_CloseSession (the last: logout)", p11->C_CloseSession(s)), 4);
	ck_assert_int_eq(ROUND_TRIPS("C_CloseSession (gone)", p11->C_CloseSession(s)), 0);
}
END_TEST

Suite *roundtrips_suite(void);
Suite *roundtrips_suite(void)
{
	Suite *s = suite_create("roundtrips");
	TCase *t = tcase_create("roundtrips");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, round_trips_per_call);
	suite_add_tcase(s, t);
	return s;
}
