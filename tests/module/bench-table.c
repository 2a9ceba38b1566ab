/*
 * bench-table.c: the numbers of docs/performance.md, one part per run
 * (tests/module/bench.sh runs them all through the test bed and prints the
 * table). A benchmark, not a test: it prints numbers and never fails on
 * time; it fails when a call fails or a signature does not verify with
 * OpenSSL against the card's certificate.
 *
 *   bench-table apdus               per card: APDUs and bytes of a start
 *                                   (cold or warm: the cache decides), a
 *                                   login, and a signature with each
 *                                   mechanism of each key; with the
 *                                   pcsc-count.so shim preloaded, pcscd
 *                                   round trips per signature too
 *   bench-table startup             seconds from C_Initialize until every
 *                                   card's token information is known
 *   bench-table update              C_SignUpdate MB/s at 1, 4 and 64 KiB
 *                                   beside OpenSSL's SHA-256 in this process
 *   bench-table rss N               N signatures, then the process's RSS
 */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR p11;
static int failures;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "bench-table: %s: 0x%lx\n", what, (unsigned long)rv);
	failures++;
}

#define CALL(what, call)                                                                         \
	do {                                                                                     \
		CK_RV rv_ = (call);                                                              \
		if (rv_ != CKR_OK)                                                               \
			fail(what, rv_);                                                         \
	} while (0)

/* ---- the card's trace: commands and bytes ---------------------------------- */

struct traffic {
	long apdus, bytes;
};

/* Card i's trace so far: commands, and bytes both ways (hex pairs). */
static struct traffic traffic_of(int card)
{
	char env[40], line[8192];
	struct traffic t = {0, 0};
	FILE *f;

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_TRACE", card);
	f = getenv(env) ? fopen(getenv(env), "r") : NULL;
	if (!f)
		return t;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "> ", 2) == 0)
			t.apdus++;
		if (strncmp(line, "> ", 2) == 0 || strncmp(line, "< ", 2) == 0)
			t.bytes += (long)(strlen(line) - 2) / 3;
	}
	fclose(f);
	return t;
}

static struct traffic since(int card, struct traffic before)
{
	struct traffic now_ = traffic_of(card);

	return (struct traffic){now_.apdus - before.apdus, now_.bytes - before.bytes};
}

static unsigned long (*round_trips)(const char *);

static unsigned long pcsc_calls(void)
{
	return round_trips ? round_trips(NULL) : 0;
}

/* ---- the module ------------------------------------------------------------ */

static void load(void)
{
	void *dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	CK_C_GetFunctionList get = dl ? (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList") : NULL;

	if (!get || get(&p11) != CKR_OK) {
		fprintf(stderr, "bench-table: cannot load $EIMZA_MODULE (run inside eimza-testbed)\n");
		exit(2);
	}
	round_trips = (unsigned long (*)(const char *))dlsym(RTLD_DEFAULT, "eimza_pcsc_calls");
}

/* The slot of test bed card i (by reader name). */
static CK_SLOT_ID slot_of(int card)
{
	char env[40];
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	CK_SLOT_INFO si;
	const char *reader;

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", card);
	reader = getenv(env);
	CALL("C_GetSlotList", p11->C_GetSlotList(CK_FALSE, slots, &n));
	for (CK_ULONG i = 0; reader && i < n; i++)
		if (p11->C_GetSlotInfo(slots[i], &si) == CKR_OK &&
		    memcmp(si.slotDescription, reader, strlen(reader)) == 0)
			return slots[i];
	fail("no slot for a test bed card", 0);
	return 0;
}

static void *attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	void *v;

	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || !(v = malloc(a.ulValueLen + 1)))
		return NULL;
	a.pValue = v;
	p11->C_GetAttributeValue(s, o, &a, 1);
	*len = a.ulValueLen;
	return v;
}

static CK_ULONG find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_ULONG n = 0;

	CALL("C_FindObjectsInit", p11->C_FindObjectsInit(s, &t, 1));
	CALL("C_FindObjects", p11->C_FindObjects(s, out, max, &n));
	CALL("C_FindObjectsFinal", p11->C_FindObjectsFinal(s));
	return n;
}

/* The certificate's public key of a private key (same CKA_ID). */
static EVP_PKEY *cert_key(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_ULONG idlen = 0, n = 0, len = 0;
	void *id = attr(s, key, CKA_ID, &idlen), *der = NULL;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, id, idlen}};
	CK_OBJECT_HANDLE cert;
	EVP_PKEY *pk = NULL;

	if (id && p11->C_FindObjectsInit(s, t, 2) == CKR_OK &&
	    p11->C_FindObjects(s, &cert, 1, &n) == CKR_OK && n == 1 &&
	    (der = attr(s, cert, CKA_VALUE, &len))) {
		const unsigned char *p = der;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		pk = x ? X509_get_pubkey(x) : NULL;
		X509_free(x);
	}
	p11->C_FindObjectsFinal(s);
	free(id);
	free(der);
	return pk;
}

static const char msg[] = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.";

/* OpenSSL's verdict on a signature of msg (hashing mechanisms only). */
static int verifies(EVP_PKEY *pk, CK_MECHANISM_TYPE m, const unsigned char *sig, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *md = m == CKM_SHA384_RSA_PKCS || m == CKM_ECDSA_SHA384 ? "SHA384" : "SHA256";
	unsigned char der[256];
	int ok;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *q = der;
		ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)len / 2, NULL),
			       BN_bin2bn(sig + len / 2, (int)len / 2, NULL));
		len = (size_t)i2d_ECDSA_SIG(es, &q);
		ECDSA_SIG_free(es);
		sig = der;
	}
	EVP_DigestVerifyInit(ctx, &pctx, EVP_get_digestbyname(md), NULL, pk);
	if (m == CKM_SHA256_RSA_PKCS_PSS) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	ok = EVP_DigestVerify(ctx, sig, len, (const unsigned char *)msg, strlen(msg)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* One signature; a context login first for an always-authenticate key. */
static CK_RV sign(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE m, bool always,
		  unsigned char *sig, CK_ULONG *len)
{
	CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM mech = {m, m == CKM_SHA256_RSA_PKCS_PSS ? &pss : NULL,
			     m == CKM_SHA256_RSA_PKCS_PSS ? sizeof(pss) : 0};
	CK_RV rv = p11->C_SignInit(s, &mech, key);

	if (rv == CKR_OK && always)
		rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) "123456", 6);
	if (rv == CKR_OK)
		rv = p11->C_Sign(s, (CK_BYTE_PTR)msg, strlen(msg), sig, len);
	return rv;
}

static const char *mech_name(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_SHA256_RSA_PKCS: return "SHA256-RSA-PKCS";
	case CKM_SHA256_RSA_PKCS_PSS: return "SHA256-RSA-PSS";
	case CKM_ECDSA_SHA256: return "ECDSA-SHA256";
	case CKM_ECDSA_SHA384: return "ECDSA-SHA384";
	default: return "?";
	}
}

/* ---- parts ---------------------------------------------------------------- */

static void part_apdus(void)
{
	int n = atoi(getenv("EIMZA_TB_CARDS") ? getenv("EIMZA_TB_CARDS") : "0");
	struct traffic before[8], t;
	CK_TOKEN_INFO ti;

	for (int i = 0; i < n && i < 8; i++)
		before[i] = traffic_of(i);
	CALL("C_Initialize", p11->C_Initialize(NULL));
	/* Every card's token: the start as an application makes it. */
	for (int i = 0; i < n && i < 8; i++)
		CALL("C_GetTokenInfo", p11->C_GetTokenInfo(slot_of(i), &ti));
	for (int i = 0; i < n && i < 8; i++) {
		char env[40];
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE keys[4];
		CK_ULONG nk;
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_PROFILE", i);
		t = since(i, before[i]);
		printf("card %s gen %s | start | %ld APDUs | %ld bytes\n", getenv(env),
		       getenv("EIMZA_TB_GENERATION") ? getenv("EIMZA_TB_GENERATION") : "2", t.apdus,
		       t.bytes);
		CALL("C_OpenSession", p11->C_OpenSession(slot_of(i), CKF_SERIAL_SESSION, NULL, NULL, &s));
		before[i] = traffic_of(i);
		CALL("C_Login", p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6));
		t = since(i, before[i]);
		printf("card %s gen %s | login | %ld APDUs | %ld bytes\n", getenv(env),
		       getenv("EIMZA_TB_GENERATION") ? getenv("EIMZA_TB_GENERATION") : "2", t.apdus,
		       t.bytes);
		nk = find(s, CKO_PRIVATE_KEY, keys, 4);
		for (CK_ULONG k = 0; k < nk; k++) {
			CK_KEY_TYPE kt;
			CK_BBOOL always = CK_FALSE;
			CK_ATTRIBUTE a[] = {{CKA_KEY_TYPE, &kt, sizeof(kt)},
					    {CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)}};
			static const CK_MECHANISM_TYPE rsa[] = {CKM_SHA256_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS};
			static const CK_MECHANISM_TYPE ec[] = {CKM_ECDSA_SHA256, CKM_ECDSA_SHA384};
			EVP_PKEY *pk = cert_key(s, keys[k]);
			CALL("C_GetAttributeValue", p11->C_GetAttributeValue(s, keys[k], a, 2));
			for (int m = 0; m < 2; m++) {
				CK_MECHANISM_TYPE mech = kt == CKK_EC ? ec[m] : rsa[m];
				unsigned char sig[512];
				CK_ULONG len = sizeof(sig);
				unsigned long rt = pcsc_calls();
				CK_RV rv;
				before[i] = traffic_of(i);
				rv = sign(s, keys[k], mech, always == CK_TRUE, sig, &len);
				t = since(i, before[i]);
				rt = pcsc_calls() - rt;
				if (rv != CKR_OK)
					fail("signature", rv);
				else if (!pk || !verifies(pk, mech, sig, len))
					fail("a signature OpenSSL does not verify", 0);
				printf("card %s gen %s | key %lu %s%s | %ld APDUs | %ld bytes", getenv(env),
				       getenv("EIMZA_TB_GENERATION") ? getenv("EIMZA_TB_GENERATION") : "2",
				       k + 1, mech_name(mech), always ? " (context login)" : "", t.apdus,
				       t.bytes);
				if (round_trips)
					printf(" | %lu pcscd round trips", rt);
				printf("\n");
			}
			EVP_PKEY_free(pk);
		}
		p11->C_CloseSession(s);
	}
	p11->C_Finalize(NULL);
}

static void part_startup(void)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32;
	CK_TOKEN_INFO ti;
	double t0 = now();

	CALL("C_Initialize", p11->C_Initialize(NULL));
	CALL("C_GetSlotList", p11->C_GetSlotList(CK_TRUE, slots, &n));
	for (CK_ULONG i = 0; i < n; i++)
		CALL("C_GetTokenInfo", p11->C_GetTokenInfo(slots[i], &ti));
	printf("startup | %lu cards | %.3f s\n", (unsigned long)n, now() - t0);
	p11->C_Finalize(NULL);
}

static void part_update(void)
{
	static unsigned char buf[65536];
	static const size_t sizes[] = {1024, 4096, 65536};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	EVP_PKEY *pk;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	CALL("C_Initialize", p11->C_Initialize(NULL));
	CALL("C_OpenSession", p11->C_OpenSession(slot_of(0), CKF_SERIAL_SESSION, NULL, NULL, &s));
	CALL("C_Login", p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6));
	if (find(s, CKO_PRIVATE_KEY, &key, 1) != 1)
		fail("no key", 0);
	pk = cert_key(s, key);
	if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC)
		m.mechanism = CKM_ECDSA_SHA256;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t total = 256u << 20, chunk = sizes[k], calls = total / chunk;
		unsigned char out[512];
		CK_ULONG outlen = sizeof(out);
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		double t0, mod, ossl;

		/* 256 MiB through C_SignUpdate, one signature at the end (not
		 * timed: it is the card's, the same at any size). */
		CALL("C_SignInit", p11->C_SignInit(s, &m, key));
		t0 = now();
		for (size_t i = 0; i < calls; i++)
			if (p11->C_SignUpdate(s, buf, chunk) != CKR_OK) {
				fail("C_SignUpdate", 0);
				break;
			}
		mod = now() - t0;
		CALL("C_SignFinal", p11->C_SignFinal(s, out, &outlen));
		/* The same bytes through OpenSSL's SHA-256 in this process. */
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		t0 = now();
		for (size_t i = 0; i < calls; i++)
			EVP_DigestUpdate(ctx, buf, chunk);
		ossl = now() - t0;
		EVP_MD_CTX_free(ctx);
		printf("update | %zu KiB | C_SignUpdate %.0f MB/s | OpenSSL SHA-256 %.0f MB/s | %.2fx\n",
		       chunk / 1024, (double)total / mod / 1e6, (double)total / ossl / 1e6, ossl / mod);
	}
	EVP_PKEY_free(pk);
	p11->C_Finalize(NULL);
}

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static void part_rss(long count)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	EVP_PKEY *pk;
	long after_one = 0;

	CALL("C_Initialize", p11->C_Initialize(NULL));
	CALL("C_OpenSession", p11->C_OpenSession(slot_of(0), CKF_SERIAL_SESSION, NULL, NULL, &s));
	CALL("C_Login", p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "123456", 6));
	if (find(s, CKO_PRIVATE_KEY, &key, 1) != 1)
		fail("no key", 0);
	pk = cert_key(s, key);
	for (long i = 0; i < count && !failures; i++) {
		unsigned char sig[512];
		CK_ULONG len = sizeof(sig);
		CK_MECHANISM_TYPE m = pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC ? CKM_ECDSA_SHA256
										     : CKM_SHA256_RSA_PKCS;
		CK_RV rv = sign(s, key, m, false, sig, &len);
		if (rv != CKR_OK)
			fail("signature", rv);
		/* Every signature is checked: constant or wrong ones fail. */
		else if (!pk || !verifies(pk, m, sig, len))
			fail("a signature OpenSSL does not verify", 0);
		if (i == 0)
			after_one = rss_kib();
	}
	printf("rss | %ld signatures | after one %ld KiB | after all %ld KiB\n", count, after_one,
	       rss_kib());
	EVP_PKEY_free(pk);
	p11->C_Finalize(NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-table apdus|startup|update|rss N (inside eimza-testbed)\n");
		return 2;
	}
	load();
	if (strcmp(argv[1], "apdus") == 0)
		part_apdus();
	else if (strcmp(argv[1], "startup") == 0)
		part_startup();
	else if (strcmp(argv[1], "update") == 0)
		part_update();
	else if (strcmp(argv[1], "rss") == 0 && argc > 2)
		part_rss(atol(argv[2]));
	else {
		fprintf(stderr, "bench-table: unknown part %s\n", argv[1]);
		return 2;
	}
	printf("failures: %d\n", failures);
	return failures ? 1 : 0;
}
