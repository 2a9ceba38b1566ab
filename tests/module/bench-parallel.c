/*
 * bench-parallel.c: how the module's per-slot locking pays off. With the
 * virtual cards' latency model (eimza-vcard run --latency real: ~300 ms per
 * RSA signature), it times N signatures on one card, then N on each of all
 * the cards in the test bed, one thread per card. With locking per slot the
 * second takes about as long as the first; with one global lock it would
 * take as many times longer as there are cards.
 * A benchmark, not a test: it prints numbers and never fails on time (it
 * fails when a signature fails).
 *
 *   eimza-testbed --latency real --card seal-rsa --card seal-rsa \
 *       --card seal-rsa --card seal-rsa -- bench-parallel [N]
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static int rounds = 5;

struct job {
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM_TYPE mech;
	int failures;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *sign_loop(void *arg)
{
	struct job *j = arg;
	CK_MECHANISM m = {j->mech, NULL, 0};
	unsigned char sig[512];
	int i;

	for (i = 0; i < rounds; i++) {
		CK_ULONG len = sizeof(sig);
		if (p11->C_SignInit(j->s, &m, j->key) != CKR_OK ||
		    p11->C_Sign(j->s, (CK_BYTE_PTR) "benchmark", 9, sig, &len) != CKR_OK)
			j->failures++;
	}
	return NULL;
}

static int setup(CK_SLOT_ID slot, struct job *j)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
	CK_ULONG n = 0;

	memset(j, 0, sizeof(*j));
	j->slot = slot;
	if (p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &j->s) != CKR_OK ||
	    p11->C_Login(j->s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6) != CKR_OK ||
	    p11->C_FindObjectsInit(j->s, &t, 1) != CKR_OK ||
	    p11->C_FindObjects(j->s, &j->key, 1, &n) != CKR_OK || n != 1 ||
	    p11->C_FindObjectsFinal(j->s) != CKR_OK ||
	    p11->C_GetAttributeValue(j->s, j->key, &a, 1) != CKR_OK)
		return -1;
	j->mech = kt == CKK_RSA ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256;
	return 0;
}

#define MAX_CARDS 8

int main(int argc, char **argv)
{
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[MAX_CARDS];
	CK_ULONG n = MAX_CARDS, i;
	struct job jobs[MAX_CARDS];
	pthread_t threads[MAX_CARDS];
	double t0, one, all;
	int failures = 0;
	void *dl;

	if (argc > 1)
		rounds = atoi(argv[1]);
	dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW);
	if (!dl || !(get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList")) || get(&p11) != CKR_OK ||
	    p11->C_Initialize(NULL) != CKR_OK || p11->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK || n < 2) {
		fprintf(stderr, "bench-parallel: needs the module and two to %d cards (see the file comment)\n",
			MAX_CARDS);
		return 2;
	}
	for (i = 0; i < n; i++)
		if (setup(slots[i], &jobs[i]) < 0) {
			fprintf(stderr, "bench-parallel: no login or no key on slot %lu\n", (unsigned long)slots[i]);
			return 2;
		}
	t0 = now();
	sign_loop(&jobs[0]);
	one = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++)
		pthread_create(&threads[i], NULL, sign_loop, &jobs[i]);
	for (i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		failures += jobs[i].failures;
	}
	all = now() - t0;
	printf("%d signatures on one card:                 %.2f s\n", rounds, one);
	printf("%d signatures on each of %lu cards at once:  %.2f s (%.2fx the time of one card)\n", rounds,
	       (unsigned long)n, all, all / one);
	printf("failures: %d\n", failures);
	p11->C_Finalize(NULL);
	return failures ? 1 : 0;
}
