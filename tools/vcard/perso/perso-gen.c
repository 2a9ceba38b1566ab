/*
 * perso-gen.c: the generations `eimza-vcard init` knows (see perso-gen.h).
 */
#include "config.h"

#include "perso-gen.h"

#include <string.h>

static const struct perso_gen gens[] = {
    {VCARD_GEN_1_2, "1.2", "AKIS 1.2", 4, 8, 4, 16, 3, 3},
    {VCARD_GEN_2, "2", "AKIS 2.x", 6, 8, 8, 16, 3, 3},
};

const struct perso_gen *perso_gen_get(enum vcard_generation gen)
{
	return gen == VCARD_GEN_1_2 ? &gens[0] : &gens[1];
}

const struct perso_gen *perso_gen_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "1.2") == 0)
		return &gens[0];
	if (strcmp(name, "2") == 0 || strcmp(name, "2.x") == 0)
		return &gens[1];
	return NULL;
}
