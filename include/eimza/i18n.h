/*
 * i18n.h: gettext markers for eimza's programs. main() calls setlocale(),
 * bindtextdomain(PACKAGE, LOCALEDIR) and textdomain(PACKAGE) once, through
 * ez_i18n_init(); every user-facing string is marked with _() or N_().
 */
#ifndef EIMZA_I18N_H
#define EIMZA_I18N_H

#if defined(ENABLE_NLS) && ENABLE_NLS
#include <libintl.h>
#include <locale.h>
#define _(s) gettext(s)
static inline void ez_i18n_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
}
#else
#include <locale.h>
#define _(s) (s)
static inline void ez_i18n_init(void)
{
	setlocale(LC_ALL, "");
}
#endif
#define N_(s) (s)

#endif
