/*
 * perso-gen.h: what `eimza-vcard init` puts on a card of each generation
 * besides the keys: PIN and PUK policies and references.
 *
 * AKIS 2.x: PIN 6 to 8 digits, PUK 8 to 16 digits, 3 tries each. Kamu SM
 * tells users the NES PIN has 6 digits and locks after three wrong
 * entries, and that three wrong PUKs make the card unusable; ESYA's 2.0
 * test uses a 14-digit PUK (fact 37). The policy lives in the PIN
 * objects' 7F41 (fact 32), where a module reads it.
 * AKIS 1.2: PIN 4 to 8 digits, PUK 4 to 16 digits, 3 tries each (our
 * choice, within the 4 to 16 digits the evidence tells a module to accept
 * when a card says nothing); the AODF states them.
 */
#ifndef EIMZA_PERSO_GEN_H
#define EIMZA_PERSO_GEN_H

#include <eimza/vcard.h>

#define PERSO_PIN_REF 0x81
#define PERSO_PUK_REF 0x82

struct perso_gen {
	enum vcard_generation gen;
	const char *name; /* as --generation takes it */
	const char *title;
	unsigned pin_min, pin_max, puk_min, puk_max;
	unsigned pin_tries, puk_tries;
};

const struct perso_gen *perso_gen_get(enum vcard_generation gen);
/* "1.2" or "2" (also "2.x"); NULL for anything else. */
const struct perso_gen *perso_gen_by_name(const char *name);

#endif
