/*
 * info.c: `eimza-vcard info IMAGE`: what a card image holds, read through
 * the engine (GET DATA for the serial, the PIN objects' counters).
 */
#include "config.h"

#include "runtime.h"

#include <stdio.h>
#include <string.h>

#include <eimza/hex.h>
#include <eimza/i18n.h>

int vcard_info_main(int argc, char **argv)
{
	static const uint8_t get_serial[] = {0x00, AKIS_INS_GET_DATA, AKIS_GET_DATA_P1,
					     AKIS_DATA_SYSTEM, AKIS_DATA_SYSTEM_LEN};
	uint8_t atr[33], rsp[VCARD_MAX_RESPONSE];
	char hex[128], model_buf[64], err[256];
	const char *model = NULL;
	vcard *c;
	size_t n;
	int tries;

	if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(argc == 2 ? stdout : stderr, _("Usage: eimza-vcard info IMAGE\n"));
		return argc == 2 ? 0 : 2;
	}
	if (vcard_load(argv[1], &c, err, sizeof(err)) < 0) {
		fprintf(stderr, _("eimza-vcard info: cannot load %s: %s\n"), argv[1], err);
		return 1;
	}
	n = vcard_atr(c, atr, sizeof(atr));
	ez_hex_encode_spaced(atr, n, hex);
	akis_atr_match(atr, n, &model, model_buf, sizeof(model_buf));
	printf(_("ATR:        %s\n"), hex);
	printf(_("Model:      %s\n"), model ? model : _("not an AKIS ATR"));
	vcard_power_on(c);
	n = vcard_transmit(c, get_serial, sizeof(get_serial), rsp, sizeof(rsp));
	if (n == AKIS_DATA_SYSTEM_LEN + 2u) {
		ez_hex_encode(rsp + AKIS_DATA_SERIAL_OFFSET, AKIS_DATA_SERIAL_LEN, hex);
		printf(_("Serial:     %s\n"), hex);
	}
	printf(_("Life cycle: %s\n"), vcard_life_cycle(c) == AKIS_LIFE_USER ? _("user")
										: _("administration"));
	tries = vcard_pin_tries(c, akis_profile.pin_ref);
	if (tries >= 0)
		printf(_("PIN:        %d of %u tries left%s\n"), tries, akis_profile.pin_max_tries,
		       tries == 0 ? _(" (blocked)") : "");
	tries = vcard_pin_tries(c, akis_profile.puk_ref);
	if (tries >= 0)
		printf(_("PUK:        %d of %u tries left%s\n"), tries, akis_profile.puk_max_tries,
		       tries == 0 ? _(" (blocked)") : "");
	vcard_free(c);
	return 0;
}
