/*
 * main.c: eimza-vcard, the virtual AKIS card. Subcommands: init
 * (tools/vcard/perso/), run and info (tools/vcard/runtime/).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <eimza/i18n.h>

#include "perso/perso.h"
#include "runtime/runtime.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: eimza-vcard COMMAND [OPTIONS]\n"
		     "A virtual AKIS smart card for development, demos and tests.\n\n"
		     "Commands:\n"
		     "  init IMAGE --profile P   personalize a new card image (see init --help)\n"
		     "  run IMAGE --port PORT    put the card into a vpcd reader (see run --help)\n"
		     "  info IMAGE               show the card's generation, ATR, serial and PIN\n"
		     "                           counters\n\n"
		     "  -h, --help      show this help\n"
		     "  -V, --version   show the version\n"));
}

int main(int argc, char **argv)
{
	ez_i18n_init();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("eimza-vcard %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return vcard_perso_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return vcard_run_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return vcard_info_main(argc - 1, argv + 1);
	fprintf(stderr, _("eimza-vcard: unknown command '%s'\n"), argv[1]);
	usage(stderr);
	return 2;
}
