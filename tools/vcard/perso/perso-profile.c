/*
 * perso-profile.c: the profiles of `eimza-vcard init` (see perso-profile.h).
 */
#include "config.h"

#include "perso-profile.h"

#include "perso-i18n.h"

#include <string.h>

/* Summaries are for --help (translated there). Labels are what a PKCS#11
 * application shows; Kamu SM's own wording is not public, so they say
 * plainly what each key is. */
/* clang-format off */
const struct perso_profile perso_profiles[] = {
	{"nes-rsa", false, N_("one RSA-2048 NES key, a VERIFY per signature"), 1,
	 {{PERSO_RSA2048, PERSO_ROLE_NES, true, "NES İmza (RSA-2048)", 1}}},
	{"nes-ec", false, N_("one EC P-384 NES key, a VERIFY per signature (2.5+)"), 1,
	 {{PERSO_EC_P384, PERSO_ROLE_NES, true, "NES İmza (EC P-384)", 1}}},
	{"seal", true, N_("a Mali Mühür organization seal on EC P-384 (2.5+)"), 1,
	 {{PERSO_EC_P384, PERSO_ROLE_SEAL, false, "Mali Mühür (EC P-384)", 1}}},
	{"seal-rsa", true, N_("the older RSA-2048 Mali Mühür seal"), 1,
	 {{PERSO_RSA2048, PERSO_ROLE_SEAL, false, "Mali Mühür (RSA-2048)", 1}}},
	{"multi", false,
	 N_("NES RSA-2048 (a VERIFY per signature), EC P-256 authentication, RSA-3072 signing (2.5+)"),
	 3,
	 {{PERSO_RSA2048, PERSO_ROLE_NES, true, "NES İmza (RSA-2048)", 1},
	  {PERSO_EC_P256, PERSO_ROLE_AUTH, false, "Kimlik Doğrulama (EC P-256)", 5},
	  {PERSO_RSA3072, PERSO_ROLE_SIGN, false, "İmza (RSA-3072)", 3}}},
	{NULL, false, NULL, 0, {{0, 0, false, NULL, 0}}},
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

bool perso_profile_has_ec(const struct perso_profile *p)
{
	size_t i;

	for (i = 0; i < p->nkeys; i++)
		if (perso_alg_is_ec(p->keys[i].alg))
			return true;
	return false;
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
