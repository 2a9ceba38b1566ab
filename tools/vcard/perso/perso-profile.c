/*
 * perso-profile.c: the profiles of `eimza-vcard init` (see perso-profile.h).
 */
#include "config.h"

#include "perso-profile.h"

#include <string.h>

/* Labels are what a PKCS#11 application shows; Kamu SM's own wording is
 * not public, so they say plainly what each key is. */
/* clang-format off */
const struct perso_profile perso_profiles[] = {
	{"nes-rsa", false, "one RSA-2048 NES key with userConsent", 1,
	 {{PERSO_RSA2048, PERSO_ROLE_NES, true, "NES İmza (RSA-2048)"}}},
	{"nes-ec", false, "one EC P-384 NES key with userConsent", 1,
	 {{PERSO_EC_P384, PERSO_ROLE_NES, true, "NES İmza (EC P-384)"}}},
	{"seal", true, "a Mali Mühür organization seal on EC P-384, no userConsent", 1,
	 {{PERSO_EC_P384, PERSO_ROLE_SEAL, false, "Mali Mühür (EC P-384)"}}},
	{"seal-rsa", true, "the older RSA-2048 Mali Mühür seal, no userConsent", 1,
	 {{PERSO_RSA2048, PERSO_ROLE_SEAL, false, "Mali Mühür (RSA-2048)"}}},
	{"multi", false,
	 "NES RSA-2048 with userConsent, EC P-256 authentication, RSA-3072 signing", 3,
	 {{PERSO_RSA2048, PERSO_ROLE_NES, true, "NES İmza (RSA-2048)"},
	  {PERSO_EC_P256, PERSO_ROLE_AUTH, false, "Kimlik Doğrulama (EC P-256)"},
	  {PERSO_RSA3072, PERSO_ROLE_SIGN, false, "İmza (RSA-3072)"}}},
	{NULL, false, NULL, 0, {{0, 0, false, NULL}}},
};
/* clang-format on */

const struct perso_profile *perso_profile_by_name(const char *name)
{
	const struct perso_profile *p;

	for (p = perso_profiles; name && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

bool perso_alg_is_ec(enum perso_alg alg)
{
	return alg == PERSO_EC_P256 || alg == PERSO_EC_P384;
}

unsigned perso_alg_bits(enum perso_alg alg)
{
	switch (alg) {
	case PERSO_RSA2048:
		return 2048;
	case PERSO_RSA3072:
		return 3072;
	case PERSO_EC_P256:
		return 256;
	case PERSO_EC_P384:
		return 384;
	}
	return 0;
}

const char *perso_alg_curve_oid(enum perso_alg alg)
{
	switch (alg) {
	case PERSO_EC_P256:
		return "1.2.840.10045.3.1.7";
	case PERSO_EC_P384:
		return "1.3.132.0.34";
	default:
		return NULL;
	}
}
