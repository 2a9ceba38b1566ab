/*
 * ez-ossl.c: see ez-ossl.h.
 */
#include "config.h"

#include "ez-ossl.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/decoder.h>
#include <openssl/provider.h>

static OSSL_LIB_CTX *ctx;
static OSSL_PROVIDER *provider;
static bool ctx_made;
/* A mutex, not pthread_once: helgrind sees the order a mutex makes (and so
 * that the context's insides, written by the thread that made it, are
 * complete for every other thread), and one uncontended lock per use is
 * nothing beside what the context is used for. */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;

/* The hashes the module uses, fetched once (fetching takes a lock inside
 * OpenSSL and a search through its providers). */
static const char *const md_names[] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};
#define N_MDS (sizeof(md_names) / sizeof(md_names[0]))
static EVP_MD *mds[N_MDS];

static void make_ctx(void)
{
	ctx = OSSL_LIB_CTX_new();
	if (ctx && !(provider = OSSL_PROVIDER_load(ctx, "default"))) {
		OSSL_LIB_CTX_free(ctx);
		ctx = NULL;
	}
	for (size_t i = 0; ctx && i < N_MDS; i++)
		mds[i] = EVP_MD_fetch(ctx, md_names[i], NULL);
}

/* Released when the module is unloaded (dlclose), not at C_Finalize: a
 * context is cheap to keep and costly to make again. */
__attribute__((destructor)) static void free_ctx(void)
{
	for (size_t i = 0; i < N_MDS; i++)
		EVP_MD_free(mds[i]);
	OSSL_PROVIDER_unload(provider);
	OSSL_LIB_CTX_free(ctx);
}

OSSL_LIB_CTX *ez_ossl(void)
{
	OSSL_LIB_CTX *c;

	pthread_mutex_lock(&ctx_lock);
	if (!ctx_made) {
		make_ctx();
		ctx_made = true;
	}
	c = ctx;
	pthread_mutex_unlock(&ctx_lock);
	return c;
}

const EVP_MD *ez_md(const char *name)
{
	if (!name || !ez_ossl())
		return NULL;
	for (size_t i = 0; i < N_MDS; i++)
		if (strcmp(name, md_names[i]) == 0)
			return mds[i];
	return NULL;
}

int ez_hash(const char *name, const void *data, size_t len, unsigned char *out)
{
	const EVP_MD *md = ez_md(name);
	unsigned int n;

	return md && EVP_Digest(data, len, out, &n, md, NULL) ? 0 : -1;
}

X509 *ez_x509_from_der(const uint8_t *der, size_t len, size_t *used)
{
	const unsigned char *p = der;
	X509 *x;

	if (!der || len > 0x7fffffff || !ez_ossl() || !(x = X509_new_ex(ez_ossl(), NULL)))
		return NULL;
	if (!d2i_X509(&x, &p, (long)len))
		return NULL; /* d2i_X509 freed x */
	if (used)
		*used = (size_t)(p - der);
	return x;
}

EVP_PKEY *ez_pubkey_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;
	OSSL_DECODER_CTX *dc;

	if (!der || len > 0x7fffffff || !ez_ossl())
		return NULL;
	pk = d2i_PUBKEY_ex(NULL, &p, (long)len, ez_ossl(), NULL);
	if (pk)
		return pk;
	/* A bare RSAPublicKey (PKCS#1), as some PKCS#15 public key files hold. */
	dc = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER", "type-specific", "RSA",
					   EVP_PKEY_PUBLIC_KEY, ez_ossl(), NULL);
	p = der;
	if (dc && !OSSL_DECODER_from_data(dc, &p, &len))
		pk = NULL;
	OSSL_DECODER_CTX_free(dc);
	return pk;
}

EVP_PKEY_CTX *ez_pkey_ctx(EVP_PKEY *pk)
{
	return ez_ossl() ? EVP_PKEY_CTX_new_from_pkey(ez_ossl(), pk, NULL) : NULL;
}
