/*
 * onay-cms.h: CAdES-BES (CMS SignedData) around the statement.
 *
 * Writing is done here with the project's DER writer, because the private
 * key lives on the card: OpenSSL's CMS_sign wants an EVP_PKEY it can use,
 * while eimza-onay only gets a signature value back from C_Sign. The form
 * is RFC 5652 SignedData, version 1, with the content encapsulated, the
 * signer certificate included, SHA-256, and the signed attributes
 * content-type, signing-time, message-digest and ESS signing-certificate-v2
 * (RFC 5035), which is what ETSI EN 319 122-1 asks of CAdES-BES.
 * Reading and checking (onay-verify.c) is done with OpenSSL.
 */
#ifndef EIMZA_ONAY_CMS_H
#define EIMZA_ONAY_CMS_H

#include <stddef.h>
#include <time.h>

/* Produce the signature value over a SHA-256 digest: the PKCS#1 v1.5
 * signature for RSA, a DER ECDSA-Sig-Value for EC. Returns 0, or an
 * EZ_EXIT_* status that onay_cms_sign() hands back (the callback has
 * printed or stored its message). *siglen holds the buffer size on entry. */
typedef int (*onay_sign_fn)(void *ctx, const unsigned char digest[32], unsigned char *sig,
                            size_t *siglen);

/* The signed attributes for content signed by cert at signing_time, as the
 * DER SET (tag 0x31) that is hashed and signed. *out malloc'd. 0 or -1. */
int onay_cms_signed_attrs(const unsigned char *content, size_t clen, const unsigned char *cert,
                          size_t certlen, time_t signing_time, unsigned char **out,
                          size_t *outlen);

/* A DER certificate. */
struct onay_der {
	const unsigned char *der;
	size_t len;
};

/* Build the whole ContentInfo. Returns 0 with *out malloc'd (DER), the
 * callback's status when it failed, or EZ_EXIT_FAILURE with a sentence in
 * err (a certificate OpenSSL cannot read, a key type other than RSA/EC). */
int onay_cms_sign(const unsigned char *content, size_t clen, const unsigned char *cert,
                  size_t certlen, time_t signing_time, onay_sign_fn sign, void *ctx,
                  unsigned char **out, size_t *outlen, char *err, size_t errcap);
/* The same, with more certificates in the SignedData beside the signer's:
 * the issuing CA, so that a verifier with only the root can build the chain
 * (`openssl cms -verify -CAfile root.pem`). */
int onay_cms_sign_chain(const unsigned char *content, size_t clen, const unsigned char *cert,
                        size_t certlen, const struct onay_der *chain, size_t nchain,
                        time_t signing_time, onay_sign_fn sign, void *ctx, unsigned char **out,
                        size_t *outlen, char *err, size_t errcap);

#endif
