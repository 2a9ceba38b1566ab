/*
 * bench-parallel.c: how the module's per-slot locking pays off. With the
 * virtual cards' latency model (eimza-vcard run --latency real: ~300 ms per
 * RSA signature), it times N signatures on one card, then N on each of all
 * the cards in the test bed, one thread per card. With locking per slot the
 * second takes about as long as the first; with one global lock it would
 * take as many times longer as there are cards.
 * A benchmark, not a test: it prints numbers and never fails on time (it
 * fails when a signature fails, or does not verify with OpenSSL against the
 * key's certificate).
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

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static int rounds = 5;

struct job {
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM_TYPE mech;
	EVP_PKEY *cert_key; /* the public key of the key's certificate */
	int failures;
};

static const char data[] = "benchmark";

/* OpenSSL's verdict on a signature of `data` (SHA-256; PKCS#11's r || s
 * for ECDSA turned into DER). */
static int verifies(EVP_PKEY *pk, const unsigned char *sig, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[160], *p = der;
	int ok;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		ECDSA_SIG *es = ECDSA_SIG_new();
		if (!es || len % 2 || len > 132 ||
		    !ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)len / 2, NULL),
				    BN_bin2bn(sig + len / 2, (int)len / 2, NULL))) {
			ECDSA_SIG_free(es);
			EVP_MD_CTX_free(md);
			return 0;
		}
		len = (size_t)i2d_ECDSA_SIG(es, &p);
		ECDSA_SIG_free(es);
		sig = der;
	}
	ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	     EVP_DigestVerify(md, sig, len, (const unsigned char *)data, sizeof(data) - 1) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

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
		    p11->C_Sign(j->s, (CK_BYTE_PTR)data, sizeof(data) - 1, sig, &len) != CKR_OK ||
		    !verifies(j->cert_key, sig, len))
			j->failures++;
	}
	return NULL;
}

static int setup(CK_SLOT_ID slot, struct job *j)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_KEY_TYPE kt;
	unsigned char id[64], der[4096];
	CK_ATTRIBUTE a[2] = {{CKA_KEY_TYPE, &kt, sizeof(kt)}, {CKA_ID, id, sizeof(id)}};
	CK_OBJECT_CLASS ccls = CKO_CERTIFICATE;
	CK_ATTRIBUTE ct[2] = {{CKA_CLASS, &ccls, sizeof(ccls)}, {CKA_ID, id, 0}};
	CK_ATTRIBUTE v = {CKA_VALUE, der, sizeof(der)};
	CK_OBJECT_HANDLE cert;
	const unsigned char *p = der;
	CK_ULONG n = 0;
	X509 *x;

	memset(j, 0, sizeof(*j));
	j->slot = slot;
	if (p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &j->s) != CKR_OK ||
	    p11->C_Login(j->s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6) != CKR_OK ||
	    p11->C_FindObjectsInit(j->s, &t, 1) != CKR_OK ||
	    p11->C_FindObjects(j->s, &j->key, 1, &n) != CKR_OK || n != 1 ||
	    p11->C_FindObjectsFinal(j->s) != CKR_OK ||
	    p11->C_GetAttributeValue(j->s, j->key, a, 2) != CKR_OK)
		return -1;
	j->mech = kt == CKK_RSA ? CKM_SHA256_RSA_PKCS : CKM_ECDSA_SHA256;
	/* The certificate with the key's CKA_ID: its public key checks every
	 * signature. */
	ct[1].ulValueLen = a[1].ulValueLen;
	if (p11->C_FindObjectsInit(j->s, ct, 2) != CKR_OK ||
	    p11->C_FindObjects(j->s, &cert, 1, &n) != CKR_OK || n != 1 ||
	    p11->C_FindObjectsFinal(j->s) != CKR_OK ||
	    p11->C_GetAttributeValue(j->s, cert, &v, 1) != CKR_OK ||
	    !(x = d2i_X509(NULL, &p, (long)v.ulValueLen)))
		return -1;
	j->cert_key = X509_get_pubkey(x);
	X509_free(x);
	return j->cert_key ? 0 : -1;
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
			fprintf(stderr, "bench-parallel: no login, key or certificate on slot %lu\n",
				(unsigned long)slots[i]);
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
	for (i = 0; i < n; i++)
		EVP_PKEY_free(jobs[i].cert_key);
	p11->C_Finalize(NULL);
	return failures ? 1 : 0;
}
