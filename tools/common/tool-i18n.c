/* tool-i18n.c: locale and message catalogue set-up shared by the tools. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/common/tool.h"

void ez_i18n_init(void)
{
	setlocale(LC_ALL, "");
#if defined(ENABLE_NLS) && ENABLE_NLS
	/* EIMZA_LOCALEDIR: catalogues of an uninstalled build (tests, demo). */
	const char *dir = getenv("EIMZA_LOCALEDIR");
	bindtextdomain(PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
#endif
}

void ez_print_version(const char *program)
{
	printf("%s (%s) %s\n", program, PACKAGE_NAME, PACKAGE_VERSION);
}
