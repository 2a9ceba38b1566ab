/*
 * perso-pki.h: the test PKI of a virtual card, shaped like Kamu SM's.
 *
 * Two chains, each made only when a key needs it: an RSA one ("EIMZA TEST
 * Kök SM" over an issuing CA) and an elliptic-curve one ("EIMZA TEST
 * Eliptik Eğrili Kök SM", P-384), as Kamu SM has RSA roots and a newer EC
 * root. Each end-entity key is certified by the chain of its own kind.
 * Every name says TEST and every URL is under test.eimza.invalid, so no
 * certificate of it can pass for a real one.
 */
#ifndef EIMZA_PERSO_PKI_H
#define EIMZA_PERSO_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "perso-profile.h"

/* Certificate policy OIDs. Kamu SM's own NES policy numbers are not
 * confirmed, so these are TEST values under its arc 2.16.792.1.2.1.1.5.7
 * (branch 99 is ours), beside the ETSI policies QCP-n-qscd / QCP-l-qscd. */
#define PERSO_POLICY_NES "2.16.792.1.2.1.1.5.7.99.1"
#define PERSO_POLICY_SEAL "2.16.792.1.2.1.1.5.7.99.2"
#define PERSO_POLICY_AUTH "2.16.792.1.2.1.1.5.7.99.3"
#define PERSO_POLICY_SIGN "2.16.792.1.2.1.1.5.7.99.4"
#define PERSO_POLICY_ETSI_QCP_N_QSCD "0.4.0.194112.1.2"
#define PERSO_POLICY_ETSI_QCP_L_QSCD "0.4.0.194112.1.3"
/* ETSI EN 319 412-5 qualified-certificate statements. */
#define PERSO_OID_QC_STATEMENTS "1.3.6.1.5.5.7.1.3"
#define PERSO_OID_QC_COMPLIANCE "0.4.0.1862.1.1"
#define PERSO_OID_QC_SSCD "0.4.0.1862.1.4"
#define PERSO_OID_QC_TYPE "0.4.0.1862.1.6"
#define PERSO_OID_QC_TYPE_ESIGN "0.4.0.1862.1.6.1"
#define PERSO_OID_QC_TYPE_ESEAL "0.4.0.1862.1.6.2"
/* Where the test PKI claims its CRLs, CA certificates and OCSP live. */
#define PERSO_URL_BASE "http://test.eimza.invalid"
#define PERSO_URL_OCSP "http://ocsp.test.eimza.invalid/"

/* Whose card it is. */
struct perso_holder {
	bool seal;        /* an organization (Mali Mühür) rather than a person */
	const char *name; /* the person's "AD SOYAD" or the organization's name */
	const char *id;   /* T.C. Kimlik No (person) or VKN (organization) */
};

/* Random bytes for the card serial, default numbers and certificate
 * serials: OpenSSL's generator, or a fixed sequence from --seed so that
 * the same seed gives the same numbers (keys stay random). */
struct perso_rng {
	bool seeded;
	uint64_t state;
};
void perso_rng_init(struct perso_rng *r, bool seeded, uint64_t seed);
int perso_rng_bytes(struct perso_rng *r, uint8_t *out, size_t n);

struct perso_chain {
	EVP_PKEY *root_key, *ca_key;
	X509 *root, *ca;
};

struct perso_entity {
	const struct perso_key_spec *spec;
	EVP_PKEY *key;
	X509 *cert;
	uint8_t id[20]; /* PKCS#15 iD = SHA-1 of the subjectPublicKey bits */
};

enum { PERSO_CHAIN_RSA, PERSO_CHAIN_EC, PERSO_NCHAINS };

struct perso_pki {
	struct perso_chain chain[PERSO_NCHAINS]; /* unused chains stay NULL */
	size_t n;
	struct perso_entity ent[PERSO_MAX_KEYS];
};

/* Generate keys and certificates for every key of `profile`. End-entity
 * certificates are valid from `not_before` for `days` days; the CAs
 * cover that period with a margin. 0 on success; -1 with a message in
 * `err` (everything made so far freed). */
int perso_pki_generate(const struct perso_profile *profile, const struct perso_holder *holder,
                       time_t not_before, unsigned days, struct perso_rng *rng,
                       struct perso_pki *out, char *err, size_t errlen);
void perso_pki_free(struct perso_pki *pki);

/* The chain an end-entity key belongs to. */
const struct perso_chain *perso_pki_chain_of(const struct perso_pki *pki, size_t i);

/* PEM files: the roots, the issuing CAs, the end-entity certificates. */
enum perso_pem_kind { PERSO_PEM_ROOTS, PERSO_PEM_CAS, PERSO_PEM_CERTS };
/* Write one kind to `path` atomically (mode 0644). 0 or -1 with errno. */
int perso_pki_write_pem(const struct perso_pki *pki, enum perso_pem_kind kind, const char *path);

/* The DER of a certificate's subject Name (malloc'd). -1 on failure. */
int perso_x509_subject_der(X509 *cert, uint8_t **der, size_t *len);
/* DER SubjectPublicKeyInfo of a key (malloc'd). -1 on failure. */
int perso_spki_der(EVP_PKEY *key, uint8_t **der, size_t *len);

#endif
