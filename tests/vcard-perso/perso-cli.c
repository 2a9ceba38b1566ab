/*
 * perso-cli.c: `eimza-vcard init` as a program of its own, for the tests
 * of this folder (the real eimza-vcard main dispatches to the same
 * vcard_perso_main()).
 */
#include "config.h"

#include "tools/vcard/perso/perso.h"

#include <locale.h>
#if defined(ENABLE_NLS) && ENABLE_NLS
#include <libintl.h>
#endif

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
#if defined(ENABLE_NLS) && ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	return vcard_perso_main(argc, argv);
}
