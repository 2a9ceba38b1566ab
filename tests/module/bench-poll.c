/*
 * bench-poll.c: what an application that polls costs. NSS (Firefox,
 * Thunderbird) calls C_GetSlotInfo, C_GetTokenInfo and C_GetSessionInfo
 * over and over for as long as it runs; the module answers them from memory
 * after one non-blocking status query to pcscd. This prints the time per
 * call and the APDUs the card received meanwhile (read from the card
 * runtime's trace), which should stay at zero.
 * A benchmark, not a test: it prints numbers and never fails on time (it
 * fails when a call fails).
 *
 *   eimza-testbed --card seal -- bench-poll [CALLS]
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Commands in the card's trace so far (lines that start with "> "). */
static long apdus(void)
{
	const char *path = getenv("EIMZA_TB_CARD0_TRACE");
	char line[4096];
	long n = 0;
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "> ", 2) == 0)
			n++;
	fclose(f);
	return n;
}

static CK_FUNCTION_LIST_PTR p11;

int main(int argc, char **argv)
{
	CK_C_GetFunctionList get;
	CK_SLOT_ID slot;
	CK_ULONG n = 1;
	CK_SESSION_HANDLE s;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_INFO ss;
	long calls = argc > 1 ? atol(argv[1]) : 10000, i, before, failures = 0;
	double t0, t_slot, t_token, t_session;
	void *dl;

	if (calls < 1) {
		fprintf(stderr, "usage: bench-poll [CALLS >= 1]\n");
		return 2;
	}
	dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW);
	if (!dl || !(get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList")) || get(&p11) != CKR_OK ||
	    p11->C_Initialize(NULL) != CKR_OK || p11->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_OK ||
	    n != 1 || p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
	    apdus() < 0) {
		fprintf(stderr, "bench-poll: needs the module and one card (see the file comment)\n");
		return 2;
	}
	before = apdus();
	t0 = now();
	for (i = 0; i < calls; i++)
		failures += p11->C_GetSlotInfo(slot, &si) != CKR_OK;
	t_slot = now() - t0;
	t0 = now();
	for (i = 0; i < calls; i++)
		failures += p11->C_GetTokenInfo(slot, &ti) != CKR_OK;
	t_token = now() - t0;
	t0 = now();
	for (i = 0; i < calls; i++)
		failures += p11->C_GetSessionInfo(s, &ss) != CKR_OK;
	t_session = now() - t0;
	printf("C_GetSlotInfo:    %8.1f us per call\n", t_slot * 1e6 / (double)calls);
	printf("C_GetTokenInfo:   %8.1f us per call\n", t_token * 1e6 / (double)calls);
	printf("C_GetSessionInfo: %8.1f us per call\n", t_session * 1e6 / (double)calls);
	printf("APDUs to the card during %ld x 3 calls: %ld\n", calls, apdus() - before);
	printf("failures: %ld\n", failures);
	p11->C_Finalize(NULL);
	return failures ? 1 : 0;
}
