/*
 * tool-trust.h: Kamu SM's public trust anchors that eimza ships
 * (data/trust/, compiled in by gen-anchors.sh after their SHA-256
 * fingerprints were checked), and what the tools ask of them: a store to
 * verify signatures with, whether a card's certificate chains to Kamu SM,
 * and the issuing CA to put into a signature.
 */
#ifndef EIMZA_TOOL_TRUST_H
#define EIMZA_TOOL_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

enum ez_anchor_role {
	EZ_ANCHOR_ROOT,    /* a trust anchor */
	EZ_ANCHOR_ISSUING, /* an issuing CA under a root: chains and signatures, never trusted alone
	                    */
};

struct ez_anchor {
	const char *name; /* "kamusm-root-v6": its file in data/trust without .pem */
	enum ez_anchor_role role;
	const char *sha256; /* of the DER certificate, 64 upper-case hex digits */
	const char *pem;
};

/* In the generated kamusm-anchors.c. */
extern const struct ez_anchor ez_kamusm_anchors[];
extern const size_t ez_kamusm_anchor_count;

/* The certificate of one anchor, its fingerprint checked once more (a
 * damaged build must not add trust): NULL when it does not parse or match.
 * The caller frees it. */
X509 *ez_anchor_cert(const struct ez_anchor *a);

/* Add the shipped roots to `roots` and the shipped issuing CAs to `issuing`
 * (either may be NULL). 0, or -1 when an anchor is damaged. */
int ez_kamusm_load(X509_STORE *roots, STACK_OF(X509) * issuing);

/* Does `cert` chain to one of the shipped Kamu SM roots, through the
 * shipped issuing CAs and `extra` (other certificates, such as the ones on
 * the card; may be NULL)? Dates are not checked: an expired certificate
 * still tells whose it is. On true, the root's common name goes into root
 * (made safe for a terminal). */
bool ez_kamusm_chains(X509 *cert, STACK_OF(X509) * extra, char *root, size_t cap);

/* Is x one of the shipped roots (the same certificate, byte for byte)? */
bool ez_is_kamusm_root(X509 *x);

/* The CA certificate in `candidates` that issued `cert` (its subject is
 * cert's issuer and its key verifies cert's signature), or NULL. A
 * self-signed cert has none. The result is one of the candidates. */
X509 *ez_issuer_in(X509 *cert, STACK_OF(X509) * candidates);

#endif
