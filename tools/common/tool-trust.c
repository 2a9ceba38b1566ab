/*
 * tool-trust.c: the shipped Kamu SM trust anchors at work (see tool-trust.h).
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "eimza/hex.h"
#include "tools/common/tool-trust.h"
#include "tools/common/tool.h"

X509 *ez_anchor_cert(const struct ez_anchor *a)
{
	BIO *b = BIO_new_mem_buf(a->pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned n = 0;

	BIO_free(b);
	if (!x || !X509_digest(x, EVP_sha256(), md, &n) || n != 32) {
		X509_free(x);
		ERR_clear_error();
		return NULL;
	}
	ez_hex_encode(md, n, hex);
	if (strcmp(hex, a->sha256) != 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int ez_kamusm_load(X509_STORE *roots, STACK_OF(X509) * issuing)
{
	for (size_t i = 0; i < ez_kamusm_anchor_count; i++) {
		const struct ez_anchor *a = &ez_kamusm_anchors[i];
		X509 *x = ez_anchor_cert(a);
		int ok;

		if (!x)
			return -1;
		if (a->role == EZ_ANCHOR_ROOT)
			ok = !roots || X509_STORE_add_cert(roots, x) == 1;
		else
			ok = !issuing || X509_add_cert(issuing, x, X509_ADD_FLAG_UP_REF) == 1;
		X509_free(x);
		if (!ok) {
			ERR_clear_error();
			return -1;
		}
	}
	return 0;
}

bool ez_kamusm_chains(X509 *cert, STACK_OF(X509) * extra, char *root, size_t cap)
{
	X509_STORE *st = X509_STORE_new();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = false;

	if (!st || !chain || !ctx || ez_kamusm_load(st, chain) < 0)
		goto out;
	for (int i = 0; extra && i < sk_X509_num(extra); i++)
		if (X509_add_cert(chain, sk_X509_value(extra, i), X509_ADD_FLAG_UP_REF) != 1)
			goto out;
	if (!X509_STORE_CTX_init(ctx, st, cert, chain))
		goto out;
	/* whose certificate it is, not whether it is still valid; any purpose */
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
	if (X509_verify_cert(ctx) == 1) {
		STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
		X509 *top = sk_X509_value(path, sk_X509_num(path) - 1);
		ez_name_entry_text(X509_get_subject_name(top), NID_commonName, root, cap);
		ok = true;
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}

bool ez_is_kamusm_root(X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned n = 0;

	if (!x || !X509_digest(x, EVP_sha256(), md, &n) || n != 32)
		return false;
	ez_hex_encode(md, n, hex);
	for (size_t i = 0; i < ez_kamusm_anchor_count; i++)
		if (ez_kamusm_anchors[i].role == EZ_ANCHOR_ROOT &&
		    strcmp(ez_kamusm_anchors[i].sha256, hex) == 0)
			return true;
	return false;
}

X509 *ez_issuer_in(X509 *cert, STACK_OF(X509) * candidates)
{
	if (X509_check_issued(cert, cert) == X509_V_OK)
		return NULL; /* self-signed: a root, no issuer to add */
	for (int i = 0; candidates && i < sk_X509_num(candidates); i++) {
		X509 *ca = sk_X509_value(candidates, i);
		EVP_PKEY *k = X509_get0_pubkey(ca);
		/* X509_check_issued compares names, key identifiers and key usage;
		 * the signature check makes a look-alike name useless */
		if (X509_check_issued(ca, cert) == X509_V_OK && X509_check_ca(ca) && k &&
		    X509_verify(cert, k) == 1)
			return ca;
	}
	ERR_clear_error();
	return NULL;
}
