/*
 * perso-i18n.h: gettext for the messages of `eimza-vcard init`.
 *
 * The program's main() calls setlocale(), bindtextdomain(PACKAGE,
 * LOCALEDIR) and textdomain(PACKAGE); this file only marks strings.
 */
#ifndef EIMZA_PERSO_I18N_H
#define EIMZA_PERSO_I18N_H

#if defined(ENABLE_NLS) && ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

#endif
