/*
 * info.c: `eimza-vcard info IMAGE`: what a card image holds: generation,
 * ATR and what it names, serial, life cycle, PIN and PUK counters, keys.
 */
#include "config.h"

#include "runtime.h"

#include <stdio.h>
#include <string.h>

#include <eimza/hex.h>
#include <eimza/i18n.h>

/* Chip codes of the TC family (evidence fact 2). */
static const char *chip_name(uint8_t chip)
{
	switch (chip) {
	case 0x12:
		return "Infineon";
	case 0x13:
		return "NXP";
	case 0x24:
		return "UKİS/HHNEC";
	case 0x25:
		return "UKİS/SMIC";
	default:
		return "?";
	}
}

static void print_model(const uint8_t *atr, size_t n)
{
	struct vcard_atr_info i;

	vcard_atr_describe(atr, n, &i);
	if (i.family == VCARD_ATR_UEKAE)
		printf(_("Model:      UEKAE family (AKIS 1.x), version bytes %02X %02X\n"),
		       i.uekae_version[0], i.uekae_version[1]);
	else if (i.family == VCARD_ATR_TC && i.tc_version_known)
		printf(_("Model:      TC family (AKIS 2.x), version %u.%u.%u, chip %02X (%s)\n"),
		       i.major, i.minor, i.patch, i.chip, chip_name(i.chip));
	else if (i.family == VCARD_ATR_TC)
		printf("%s", _("Model:      TC family (AKIS 2.x), version unknown\n"));
	else
		printf("%s", _("Model:      not an ATR of an AKIS family\n"));
}

static void print_pin(const vcard *c, const char *what, uint8_t ref)
{
	int tries = vcard_pin_tries(c, ref);
	unsigned lo = 0, hi = 0;

	if (tries < 0)
		return;
	vcard_pin_lengths(c, ref, &lo, &hi);
	/* TRANSLATORS: "PIN:        2 of 3 tries left, 6 to 8 digits (blocked)" */
	printf(_("%s:        %d of %d tries left, %u to %u digits%s\n"), what, tries,
	       vcard_pin_max_tries(c, ref), lo, hi, tries == 0 ? _(" (blocked)") : "");
}

int vcard_info_main(int argc, char **argv)
{
	uint8_t atr[VCARD_MAX_ATR], serial[VCARD_SERIAL_LEN];
	char hex[3 * VCARD_MAX_ATR + 1], err[256];
	vcard *c;
	size_t n;

	if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(argc == 2 ? stdout : stderr, _("Usage: eimza-vcard info IMAGE\n"));
		return argc == 2 ? 0 : 2;
	}
	if (vcard_load(argv[1], &c, err, sizeof(err)) < 0) {
		fprintf(stderr, _("eimza-vcard info: cannot load %s: %s\n"), argv[1], err);
		return 1;
	}
	if (vcard_generation(c) == VCARD_GEN_1_2)
		printf("%s", _("Generation: AKIS 1.2\n"));
	else if (vcard_has_ec(c))
		printf("%s", _("Generation: AKIS 2.x, the 2.5 command set (ECDSA, PSS with "
		               "SHA-384/512)\n"));
	else
		printf("%s", _("Generation: AKIS 2.x, the 2.0-2.2 command set (no EC)\n"));
	n = vcard_atr(c, atr, sizeof(atr));
	ez_hex_encode_spaced(atr, n, hex);
	printf(_("ATR:        %s\n"), hex);
	print_model(atr, n);
	vcard_serial(c, serial);
	ez_hex_encode(serial, sizeof(serial), hex);
	printf(_("Serial:     %s\n"), hex);
	printf(_("Life cycle: %s\n"),
	       vcard_life_cycle(c) == VCARD_LIFE_OPERATIONAL ? _("in use") : _("personalization"));
	print_pin(c, "PIN", 0x81);
	print_pin(c, "PUK", 0x82);
	printf(_("Keys:       %zu\n"), vcard_key_count(c));
	if (vcard_generation(c) == VCARD_GEN_2 && vcard_public_keys_protected(c))
		printf("%s", _("Public keys: protected (GET DATA answers 69 82)\n"));
	vcard_free(c);
	return 0;
}
