/*
 * ez-ossl.h: the module's own OpenSSL library context.
 *
 * Everything the module does with OpenSSL (certificates, public keys,
 * hashes, software verification) goes through a library context of its
 * own with only OpenSSL's default provider in it. An application may load
 * eimza through OpenSSL itself (the pkcs11 provider, the engine, p11-kit's
 * proxy inside either): in the application's default context, decoding a
 * certificate's key or fetching a hash could be handed to that provider,
 * and so back into this module, in the middle of one of its own calls.
 */
#ifndef EIMZA_MODULE_EZ_OSSL_H
#define EIMZA_MODULE_EZ_OSSL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The context (made once, never NULL unless OpenSSL has no memory). */
OSSL_LIB_CTX *ez_ossl(void);
/* A hash by OpenSSL name ("SHA256"), fetched once; NULL when unknown. */
const EVP_MD *ez_md(const char *name);
/* One-shot hash into out (EVP_MAX_MD_SIZE bytes); 0 on success. */
int ez_hash(const char *name, const void *data, size_t len, unsigned char *out);
/* A certificate from DER (NULL when it does not parse); *used (may be
 * NULL) gets its length, which may be less than len (a file's padding). */
X509 *ez_x509_from_der(const uint8_t *der, size_t len, size_t *used);
/* A public key from a SubjectPublicKeyInfo, or from a bare PKCS#1
 * RSAPublicKey (NULL when neither parses). */
EVP_PKEY *ez_pubkey_from_der(const uint8_t *der, size_t len);
/* An EVP_PKEY_CTX for a key, in the module's context. */
EVP_PKEY_CTX *ez_pkey_ctx(EVP_PKEY *pk);

#endif
