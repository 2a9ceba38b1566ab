/*
 * perso-profile.h: what each `--profile` puts on the card.
 *
 * A profile is a list of keys, each with its algorithm, its role (which
 * decides the certificate profile and the PKCS#15 usage), whether it
 * needs a VERIFY before every signature (1.2: userConsent in the PrKDF;
 * 2.x: the non-repudiation flag 9E = 01 in the key's header) and, on 2.x,
 * the id of its security data objects.
 */
#ifndef EIMZA_PERSO_PROFILE_H
#define EIMZA_PERSO_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#define PERSO_MAX_KEYS 4

enum perso_alg {
	PERSO_RSA2048,
	PERSO_RSA3072,
	PERSO_EC_P256,
	PERSO_EC_P384,
};

enum perso_role {
	PERSO_ROLE_NES,  /* qualified signature of a person: nonRepudiation, QcType esign */
	PERSO_ROLE_SEAL, /* Mali Mühür of an organization: QcType eseal */
	PERSO_ROLE_AUTH, /* authentication: digitalSignature, clientAuth, not qualified */
	PERSO_ROLE_SIGN, /* a second, non-qualified signing key of a person */
};

struct perso_key_spec {
	enum perso_alg alg;
	enum perso_role role;
	bool user_consent;
	const char *label; /* PKCS#15 label / 2.x header name of the key */
	/* 2.x: BF 90/91 id and BF A0/A1 id. The `multi` profile puts its keys
	 * at ids 1, 5, 3 for certificates 2F10, 2F11, 2F12: neither the
	 * certificate order nor ESYA's guess 2n-1 (fact 17) finds them, only
	 * reading the objects does. */
	unsigned sdo_id;
};

struct perso_profile {
	const char *name;
	bool seal; /* the holder is an organization (--org, --vkn) */
	const char *summary;
	size_t nkeys;
	struct perso_key_spec keys[PERSO_MAX_KEYS];
};

/* NULL when there is no profile of that name. */
const struct perso_profile *perso_profile_by_name(const char *name);
/* The table, ending with an entry whose name is NULL (for --help). */
extern const struct perso_profile perso_profiles[];

bool perso_alg_is_ec(enum perso_alg alg);
/* Whether any key of the profile is an EC key. */
bool perso_profile_has_ec(const struct perso_profile *p);
/* Key size in bits (RSA modulus, EC field). */
unsigned perso_alg_bits(enum perso_alg alg);
/* Dotted OID of the named curve; NULL for RSA. */
const char *perso_alg_curve_oid(enum perso_alg alg);

#endif
