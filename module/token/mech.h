/*
 * mech.h: the signature mechanisms and what the host does for each before
 * the card's private-key operation: hashing, the PKCS#1 DigestInfo, the
 * PSS encoding (the card then does raw RSA), and the software verify.
 */
#ifndef EIMZA_MODULE_MECH_H
#define EIMZA_MODULE_MECH_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "../card/card.h"
#include "../p11/pkcs11-types.h"

enum ez_pad { EZ_PAD_PKCS1, EZ_PAD_PSS, EZ_PAD_ECDSA };

struct ez_mech {
	CK_MECHANISM_TYPE type;
	CK_KEY_TYPE key_type;
	enum ez_pad pad;
	const char *hash;     /* OpenSSL digest name the host computes; NULL: input is ready */
	enum ez_hash hash_id; /* the same hash for the card (EZ_HASH_NONE: none) */
};

const struct ez_mech *ez_mech_find(CK_MECHANISM_TYPE type);
/* Every signature mechanism, for C_GetMechanismList. */
size_t ez_mech_list(CK_MECHANISM_TYPE *out, size_t cap);
/* Digest mechanisms (C_Digest). NULL when unknown. */
const EVP_MD *ez_digest_md(CK_MECHANISM_TYPE type);
CK_MECHANISM_TYPE ez_digest_mech_of(const EVP_MD *md);

/* The card's name for a digest mechanism (CKM_SHA256 -> EZ_HASH_SHA256)
 * and for an MGF1 type; EZ_HASH_NONE when it is neither. */
enum ez_hash ez_mech_hash_of(CK_MECHANISM_TYPE digest);
enum ez_hash ez_mech_mgf_hash(CK_RSA_PKCS_MGF_TYPE mgf);

/* Check a mechanism's parameter (PSS params must match the hash). */
bool ez_mech_params_ok(const struct ez_mech *m, const CK_MECHANISM *mech);

/* DigestInfo of a hash: out gets prefix||hash. 0 on success. */
int ez_digest_info(const char *hash, const unsigned char *h, size_t hlen, unsigned char *out,
		   size_t *outlen);

/* EMSA-PSS-ENCODE (RFC 8017 9.1.1) of the hash `h` for a key of `bits`,
 * with the hash and MGF1 hash and salt length of `params`. */
int ez_pss_encode(const CK_RSA_PKCS_PSS_PARAMS *params, const unsigned char *h, size_t hlen,
		  unsigned bits, unsigned char *em, size_t emlen);

/* Software verify of a signature made by the card (C_Verify). `data` is
 * what C_Sign took (hashed already for the hash mechanisms). */
CK_RV ez_verify(const struct ez_mech *m, const CK_MECHANISM *mech, EVP_PKEY *pk,
		const unsigned char *data, size_t len, const unsigned char *sig, size_t siglen);

#endif
