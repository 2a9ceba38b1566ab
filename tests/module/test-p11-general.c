/*
 * test-p11-general.c: the module's life, slots and tokens, and the answers
 * to what a card token cannot do.
 */
#include "config.h"

#include "p11-test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(function_list_complete)
{
	p11_load();
	ck_assert_int_eq(p11->version.major, 2);
	ck_assert_int_eq(p11->version.minor, 40);
	/* Every function of the v2.40 list is there (68 of them). */
	ck_assert_ptr_nonnull(p11->C_Initialize);
	ck_assert_ptr_nonnull(p11->C_Finalize);
	ck_assert_ptr_nonnull(p11->C_GetInfo);
	ck_assert_ptr_nonnull(p11->C_GetFunctionList);
	ck_assert_ptr_nonnull(p11->C_GetSlotList);
	ck_assert_ptr_nonnull(p11->C_GetSlotInfo);
	ck_assert_ptr_nonnull(p11->C_GetTokenInfo);
	ck_assert_ptr_nonnull(p11->C_GetMechanismList);
	ck_assert_ptr_nonnull(p11->C_GetMechanismInfo);
	ck_assert_ptr_nonnull(p11->C_InitToken);
	ck_assert_ptr_nonnull(p11->C_InitPIN);
	ck_assert_ptr_nonnull(p11->C_SetPIN);
	ck_assert_ptr_nonnull(p11->C_OpenSession);
	ck_assert_ptr_nonnull(p11->C_CloseSession);
	ck_assert_ptr_nonnull(p11->C_CloseAllSessions);
	ck_assert_ptr_nonnull(p11->C_GetSessionInfo);
	ck_assert_ptr_nonnull(p11->C_GetOperationState);
	ck_assert_ptr_nonnull(p11->C_SetOperationState);
	ck_assert_ptr_nonnull(p11->C_Login);
	ck_assert_ptr_nonnull(p11->C_Logout);
	ck_assert_ptr_nonnull(p11->C_CreateObject);
	ck_assert_ptr_nonnull(p11->C_CopyObject);
	ck_assert_ptr_nonnull(p11->C_DestroyObject);
	ck_assert_ptr_nonnull(p11->C_GetObjectSize);
	ck_assert_ptr_nonnull(p11->C_GetAttributeValue);
	ck_assert_ptr_nonnull(p11->C_SetAttributeValue);
	ck_assert_ptr_nonnull(p11->C_FindObjectsInit);
	ck_assert_ptr_nonnull(p11->C_FindObjects);
	ck_assert_ptr_nonnull(p11->C_FindObjectsFinal);
	ck_assert_ptr_nonnull(p11->C_EncryptInit);
	ck_assert_ptr_nonnull(p11->C_Encrypt);
	ck_assert_ptr_nonnull(p11->C_EncryptUpdate);
	ck_assert_ptr_nonnull(p11->C_EncryptFinal);
	ck_assert_ptr_nonnull(p11->C_DecryptInit);
	ck_assert_ptr_nonnull(p11->C_Decrypt);
	ck_assert_ptr_nonnull(p11->C_DecryptUpdate);
	ck_assert_ptr_nonnull(p11->C_DecryptFinal);
	ck_assert_ptr_nonnull(p11->C_DigestInit);
	ck_assert_ptr_nonnull(p11->C_Digest);
	ck_assert_ptr_nonnull(p11->C_DigestUpdate);
	ck_assert_ptr_nonnull(p11->C_DigestKey);
	ck_assert_ptr_nonnull(p11->C_DigestFinal);
	ck_assert_ptr_nonnull(p11->C_SignInit);
	ck_assert_ptr_nonnull(p11->C_Sign);
	ck_assert_ptr_nonnull(p11->C_SignUpdate);
	ck_assert_ptr_nonnull(p11->C_SignFinal);
	ck_assert_ptr_nonnull(p11->C_SignRecoverInit);
	ck_assert_ptr_nonnull(p11->C_SignRecover);
	ck_assert_ptr_nonnull(p11->C_VerifyInit);
	ck_assert_ptr_nonnull(p11->C_Verify);
	ck_assert_ptr_nonnull(p11->C_VerifyUpdate);
	ck_assert_ptr_nonnull(p11->C_VerifyFinal);
	ck_assert_ptr_nonnull(p11->C_VerifyRecoverInit);
	ck_assert_ptr_nonnull(p11->C_VerifyRecover);
	ck_assert_ptr_nonnull(p11->C_DigestEncryptUpdate);
	ck_assert_ptr_nonnull(p11->C_DecryptDigestUpdate);
	ck_assert_ptr_nonnull(p11->C_SignEncryptUpdate);
	ck_assert_ptr_nonnull(p11->C_DecryptVerifyUpdate);
	ck_assert_ptr_nonnull(p11->C_GenerateKey);
	ck_assert_ptr_nonnull(p11->C_GenerateKeyPair);
	ck_assert_ptr_nonnull(p11->C_WrapKey);
	ck_assert_ptr_nonnull(p11->C_UnwrapKey);
	ck_assert_ptr_nonnull(p11->C_DeriveKey);
	ck_assert_ptr_nonnull(p11->C_SeedRandom);
	ck_assert_ptr_nonnull(p11->C_GenerateRandom);
	ck_assert_ptr_nonnull(p11->C_GetFunctionStatus);
	ck_assert_ptr_nonnull(p11->C_CancelFunction);
	ck_assert_ptr_nonnull(p11->C_WaitForSlotEvent);
}
END_TEST

START_TEST(not_initialized_first)
{
	CK_ULONG n = 0;
	CK_SESSION_HANDLE s = 0;
	CK_INFO info;

	p11_load();
	/* Before C_Initialize every call says so, before looking at anything. */
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(p11->C_GetInfo(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(p11->C_OpenSession(99, 0, NULL, NULL, &s), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(p11->C_SignInit(12345, NULL, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_rv(p11->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	ck_assert_rv(p11->C_GetInfo(&info), CKR_OK);
	ck_assert_int_eq(info.cryptokiVersion.major, 2);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	ck_assert_rv(p11->C_Finalize((void *)1), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

/* The application's mutex callbacks, counting what the module does with
 * them; each mutex knows whether it is held, so an unlock of a mutex that
 * is not locked is seen. */
struct app_mutex {
	pthread_mutex_t m;
	bool held;
};
static int creates, destroys, locks, unlocks, misuses;
static CK_RV m_create(CK_VOID_PTR_PTR m)
{
	struct app_mutex *am = calloc(1, sizeof(*am));
	pthread_mutex_init(&am->m, NULL);
	*m = am;
	creates++;
	return CKR_OK;
}
static CK_RV m_destroy(CK_VOID_PTR m)
{
	struct app_mutex *am = m;
	if (am->held)
		misuses++;
	pthread_mutex_destroy(&am->m);
	free(am);
	destroys++;
	return CKR_OK;
}
static CK_RV m_lock(CK_VOID_PTR m)
{
	struct app_mutex *am = m;
	if (pthread_mutex_lock(&am->m))
		return CKR_GENERAL_ERROR;
	am->held = true;
	locks++;
	return CKR_OK;
}
static CK_RV m_unlock(CK_VOID_PTR m)
{
	struct app_mutex *am = m;
	if (!am->held)
		misuses++;
	am->held = false;
	unlocks++;
	return pthread_mutex_unlock(&am->m) ? CKR_GENERAL_ERROR : CKR_OK;
}

START_TEST(initialize_arguments)
{
	CK_C_INITIALIZE_ARGS a;
	CK_ULONG n;

	p11_load();
	memset(&a, 0, sizeof(a));
	a.pReserved = &a;
	ck_assert_rv(p11->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.CreateMutex = m_create; /* some but not all callbacks */
	ck_assert_rv(p11->C_Initialize(&a), CKR_ARGUMENTS_BAD);

	/* OS locking: what the vendor's library refuses on Linux. */
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	ck_assert_rv(p11->C_Initialize(&a), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);

	/* The application's mutexes, and no OS locking: every lock the module
	 * takes is one of them, locked and unlocked in pairs. */
	a.flags = 0;
	a.CreateMutex = m_create;
	a.DestroyMutex = m_destroy;
	a.LockMutex = m_lock;
	a.UnlockMutex = m_unlock;
	creates = destroys = locks = unlocks = misuses = 0;
	ck_assert_rv(p11->C_Initialize(&a), CKR_OK);
	ck_assert_int_ge(creates, 1);
	ck_assert_int_eq(locks, unlocks);
	locks = unlocks = 0;
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	ck_assert_int_ge(locks, 1); /* the module's lock, at least */
	ck_assert_int_eq(locks, unlocks);
	locks = unlocks = 0;
	{
		/* A call that reaches the card takes the slot's lock too. */
		CK_SESSION_HANDLE s = open_session(seal_card(), false);
		CK_BYTE rnd[8];
		locks = unlocks = 0;
		ck_assert_rv(p11->C_GenerateRandom(s, rnd, sizeof(rnd)), CKR_OK);
		ck_assert_int_ge(locks, 2);
		ck_assert_int_eq(locks, unlocks);
	}
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	ck_assert_int_eq(misuses, 0);
	ck_assert_int_eq(destroys, creates); /* every mutex the module made is gone */

	/* Both: allowed, either may be used. */
	a.flags = CKF_OS_LOCKING_OK;
	ck_assert_rv(p11->C_Initialize(&a), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
}
END_TEST

START_TEST(slots_and_token_info)
{
	CK_SLOT_ID a[64], b[64];
	CK_ULONG na = 64, nb = 64, n, i;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	int c = card_of("nes-rsa");
	char buf[33];

	p11_init();
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	ck_assert_int_ge(n, (CK_ULONG)atoi(getenv("EIMZA_TB_CARDS")));
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, a, &na), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, b, &nb), CKR_OK);
	ck_assert_int_eq(na, nb);
	for (i = 0; i < na; i++) {
		ck_assert_int_ne(a[i], 0); /* slot ids are not zero */
		ck_assert_int_eq(a[i], b[i]);
	}
	n = 1;
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, a, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq(n, na);
	/* With a token only: one per card. */
	n = 64;
	ck_assert_rv(p11->C_GetSlotList(CK_TRUE, a, &n), CKR_OK);
	ck_assert_int_eq(n, (CK_ULONG)atoi(getenv("EIMZA_TB_CARDS")));

	ck_assert_rv(p11->C_GetSlotInfo(card_slot(c), &si), CKR_OK);
	ck_assert(si.flags & CKF_TOKEN_PRESENT);
	ck_assert(si.flags & CKF_REMOVABLE_DEVICE);
	ck_assert_rv(p11->C_GetSlotInfo(9999, &si), CKR_SLOT_ID_INVALID);

	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	memcpy(buf, ti.model, 16);
	buf[16] = '\0';
	/* The virtual card's default ATRs: 2.5.2 NXP, and v1.2.2 Infineon. */
	ck_assert_str_eq(buf, card_generation(c) == 2 ? "AKIS 2.5.2      " : "AKIS 1.2.2      ");
	ck_assert_int_eq(ti.hardwareVersion.major, card_generation(c) == 2 ? 2 : 1);
	ck_assert_int_eq(ti.hardwareVersion.minor, card_generation(c) == 2 ? 5 : 2);
	memcpy(buf, ti.label, 32);
	buf[32] = '\0';
	ck_assert_msg(strncmp(buf, "TEST KULLANICI", 14) == 0, "label '%s'", buf);
	for (i = 0; i < 16; i++)
		ck_assert(strchr("0123456789ABCDEF", ti.serialNumber[i]) != NULL);
	ck_assert(ti.flags & CKF_LOGIN_REQUIRED);
	ck_assert(ti.flags & CKF_USER_PIN_INITIALIZED);
	ck_assert(ti.flags & CKF_TOKEN_INITIALIZED);
	ck_assert(ti.flags & CKF_WRITE_PROTECTED);
	ck_assert(ti.flags & CKF_RNG);
	ck_assert(!(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED)));
	/* As the card says: 2.x in its PIN object (6 to 8), 1.2 in its AODF (4 to 8). */
	ck_assert_int_eq(ti.ulMinPinLen, card_generation(c) == 2 ? 6 : 4);
	ck_assert_int_eq(ti.ulMaxPinLen, 8);
	/* An empty reader: the slot is there, the token is not. */
	n = 64;
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, a, &n), CKR_OK);
	for (i = 0; i < n; i++)
		if (p11->C_GetSlotInfo(a[i], &si) == CKR_OK && !(si.flags & CKF_TOKEN_PRESENT))
			ck_assert_rv(p11->C_GetTokenInfo(a[i], &ti), CKR_TOKEN_NOT_PRESENT);
}
END_TEST

static bool listed(int card, CK_MECHANISM_TYPE want)
{
	CK_MECHANISM_TYPE m[64];
	CK_ULONG n = 64, i;

	ck_assert_rv(p11->C_GetMechanismList(card_slot(card), m, &n), CKR_OK);
	for (i = 0; i < n; i++)
		if (m[i] == want)
			return true;
	return false;
}

START_TEST(mechanisms)
{
	CK_MECHANISM_INFO mi;
	int rsa = card_of("nes-rsa"), ec = card_of("seal");

	p11_init();
	/* Mechanisms of the keys the card holds, and of what the card computes:
	 * an RSA-only card lists no ECDSA, an EC-only card no RSA; 2.x has no
	 * ECDSA with SHA-224 (AkisCIF has no algorithm byte for it). */
	ck_assert(listed(rsa, CKM_SHA256_RSA_PKCS_PSS));
	ck_assert(listed(rsa, CKM_SHA256_RSA_PKCS));
	ck_assert(!listed(rsa, CKM_ECDSA_SHA384));
	ck_assert(!listed(rsa, CKM_ECDSA));
	ck_assert(listed(rsa, CKM_SHA256)); /* digests are the host's */
	ck_assert_rv(p11->C_GetMechanismInfo(card_slot(rsa), CKM_SHA256_RSA_PKCS, &mi), CKR_OK);
	ck_assert_int_eq(mi.ulMinKeySize, 2048);
	ck_assert_int_eq(mi.ulMaxKeySize, 2048);
	ck_assert(mi.flags & CKF_SIGN);
	ck_assert(mi.flags & CKF_HW);
	if (ec < 0)
		return; /* the AKIS 1.2 round has no EC card */
	ck_assert(listed(ec, CKM_ECDSA_SHA384));
	ck_assert(!listed(ec, CKM_SHA256_RSA_PKCS));
	ck_assert(!listed(ec, CKM_ECDSA_SHA224));
	ck_assert_rv(p11->C_GetMechanismInfo(card_slot(ec), CKM_SHA256_RSA_PKCS, &mi),
		     CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_GetMechanismInfo(card_slot(ec), CKM_ECDSA, &mi), CKR_OK);
	ck_assert_int_eq(mi.ulMinKeySize, 384); /* the true size of the key on the card */
	ck_assert(mi.flags & CKF_EC_NAMEDCURVE);
	ck_assert_rv(p11->C_GetMechanismInfo(card_slot(ec), CKM_AES_CBC, &mi), CKR_MECHANISM_INVALID);
}
END_TEST

START_TEST(what_a_card_cannot_do)
{
	CK_SESSION_HANDLE s;
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0}, bad = {CKM_AES_CBC, NULL, 0};
	CK_OBJECT_HANDLE o;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {{CKA_TOKEN, &yes, sizeof(yes)}};
	CK_BYTE buf[16];
	CK_ULONG len = sizeof(buf);
	int c = card_of("nes-rsa");

	p11_init();
	s = open_session(c, true);
	/* An invalid session is reported before an invalid mechanism. */
	ck_assert_rv(p11->C_SignInit(s + 1000, &bad, 1), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_EncryptInit(s + 1000, &bad, 1), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_EncryptInit(s, &m, 1), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_Encrypt(s, buf, 1, buf, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_DecryptInit(s, &m, 1), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_GenerateKeyPair(s, &m, NULL, 0, NULL, 0, &o, &o), CKR_MECHANISM_INVALID);
	ck_assert_rv(p11->C_CreateObject(s, t, 1, &o), CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_rv(p11->C_InitToken(card_slot(c), (CK_UTF8CHAR_PTR)PUK, 8,
				      (CK_UTF8CHAR_PTR) "x                               "),
		     CKR_TOKEN_WRITE_PROTECTED);
	ck_assert_rv(p11->C_SeedRandom(s, buf, 4), CKR_RANDOM_SEED_NOT_SUPPORTED);
	ck_assert_rv(p11->C_GetOperationState(s, NULL, &len), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(p11->C_GetFunctionStatus(s), CKR_FUNCTION_NOT_PARALLEL);
	ck_assert_rv(p11->C_OpenSession(card_slot(c), 0, NULL, NULL, &s),
		     CKR_SESSION_PARALLEL_NOT_SUPPORTED);
}
END_TEST

START_TEST(random_from_card)
{
	CK_SESSION_HANDLE s;
	CK_BYTE a[300], b[300];
	int c = seal_card();
	int before = trace_count(c, "> 00 84");

	p11_init();
	s = open_session(c, false);
	ck_assert_rv(p11->C_GenerateRandom(s, a, sizeof(a)), CKR_OK);
	ck_assert_rv(p11->C_GenerateRandom(s, b, sizeof(b)), CKR_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	/* It came from the card: GET CHALLENGE in the card's trace. */
	ck_assert_int_ge(trace_count(c, "> 00 84") - before, 6);
}
END_TEST

START_TEST(fork_child)
{
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	int c = seal_card(), status;
	pid_t pid;

	p11_init();
	s = open_session(c, false);
	pid = fork();
	if (pid == 0) {
		CK_ULONG n;
		/* The parent's handles mean nothing here. */
		if (p11->C_GetSessionInfo(s, &si) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit(1);
		if (p11->C_Initialize(NULL) != CKR_OK)
			_exit(2);
		if (p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
			_exit(3);
		if (p11->C_GetSessionInfo(s, &si) != CKR_SESSION_HANDLE_INVALID)
			_exit(4);
		if (p11->C_Finalize(NULL) != CKR_OK)
			_exit(5);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* The parent is untouched. */
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
}
END_TEST

static void *waiter(void *arg)
{
	CK_SLOT_ID slot;
	CK_RV *rv = arg;

	*rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	return NULL;
}

START_TEST(finalize_wakes_waiter)
{
	pthread_t th;
	CK_RV rv = 0xFFFF;
	CK_SLOT_ID slot;

	p11_init();
	ck_assert_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	pthread_create(&th, NULL, waiter, &rv);
	usleep(300000);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	pthread_join(th, NULL);
	ck_assert_rv(rv, CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

/* NSS asks for the slot, token and session info many times a second for as
 * long as the browser runs. The module answers from memory after a status
 * query to pcscd: the card sees no APDU however often they are called (on a
 * real card every APDU blinks the reader and costs time). */
START_TEST(polling_sends_no_apdu)
{
	int c = card_of("nes-rsa"), i, before;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_INFO ss;
	CK_SESSION_HANDLE s;
	CK_BYTE rnd[8];

	p11_init();
	s = open_session(c, false);
	login_user(s);
	before = trace_count(c, "> ");
	ck_assert_int_gt(before, 0); /* the card was read and logged in to */
	for (i = 0; i < 1000; i++) {
		ck_assert_rv(p11->C_GetSlotInfo(card_slot(c), &si), CKR_OK);
		ck_assert(si.flags & CKF_TOKEN_PRESENT);
		ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
		ck_assert_rv(p11->C_GetSessionInfo(s, &ss), CKR_OK);
		ck_assert_int_eq(ss.state, CKS_RO_USER_FUNCTIONS);
	}
	ck_assert_int_eq(trace_count(c, "> "), before);
	/* The trace is live: a call that needs the card shows up at once. */
	ck_assert_rv(p11->C_GenerateRandom(s, rnd, sizeof(rnd)), CKR_OK);
	ck_assert_int_gt(trace_count(c, "> "), before);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
}
END_TEST

START_TEST(reader_filters)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16, i;
	CK_SLOT_INFO si;
	char path[512];
	FILE *f;

	/* The environment: exclude the second reader. */
	setenv("EIMZA_READERS_EXCLUDE", "-0 00 01", 1);
	p11_init();
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	ck_assert_int_eq(n, atoi(getenv("EIMZA_TB_NREADERS")) - 1);
	for (i = 0; i < n; i++) { /* in pcscd's order, not by name */
		ck_assert_rv(p11->C_GetSlotInfo(slots[i], &si), CKR_OK);
		ck_assert(memcmp(si.slotDescription, "eimza-vpcd-0 00 01", 18) != 0);
	}
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	unsetenv("EIMZA_READERS_EXCLUDE");

	/* The configuration file: include only the second reader. */
	snprintf(path, sizeof(path), "%s/eimza-test.conf", getenv("EIMZA_TB_DIR"));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "# test\nreader_include = -0 00 01\nnonsense line\ndebug = no\n");
	fclose(f);
	setenv("EIMZA_CONF", path, 1);
	n = 16;
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_rv(p11->C_GetSlotInfo(slots[0], &si), CKR_OK);
	ck_assert(memcmp(si.slotDescription, "eimza-vpcd-0 00 01", 18) == 0);
	unsetenv("EIMZA_CONF");
}
END_TEST

Suite *general_suite(void);
Suite *general_suite(void)
{
	Suite *s = suite_create("general");
	TCase *t = tcase_create("general");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, function_list_complete);
	tcase_add_test(t, not_initialized_first);
	tcase_add_test(t, initialize_arguments);
	tcase_add_test(t, slots_and_token_info);
	tcase_add_test(t, mechanisms);
	tcase_add_test(t, what_a_card_cannot_do);
	tcase_add_test(t, random_from_card);
	tcase_add_test(t, fork_child);
	tcase_add_test(t, finalize_wakes_waiter);
	tcase_add_test(t, reader_filters);
	tcase_add_test(t, polling_sends_no_apdu);
	suite_add_tcase(s, t);
	return s;
}
