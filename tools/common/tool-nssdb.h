/*
 * tool-nssdb.h: the NSS databases of a user, where Firefox, Thunderbird and
 * Chromium/Chrome keep their list of security devices (PKCS#11 modules).
 *
 * Looked for (under HOME, XDG_CONFIG_HOME where the program follows it):
 *   Firefox      ~/.mozilla/firefox/<profile>, ~/.config/mozilla/firefox/<profile>
 *                (Firefox 147 and later for new profiles), the snap
 *                (~/snap/firefox/common/.mozilla/firefox) and the flatpak
 *                (~/.var/app/org.mozilla.firefox/...)
 *   Thunderbird  ~/.thunderbird/<profile>, ~/.config/thunderbird/<profile>,
 *                the snap and the flatpak
 *   Chromium     ~/.pki/nssdb (Chromium and Google Chrome share it), the
 *                Chromium snap's ~/snap/chromium/current/.pki/nssdb
 * A profile counts when it holds an NSS SQL database (cert9.db or
 * pkcs11.txt). ~/.pki/nssdb is listed as "missing" when a Chromium or Chrome
 * profile folder exists but the database does not yet: Chromium creates it
 * only when it first needs it, eimza-register creates it.
 */
#ifndef EIMZA_TOOL_NSSDB_H
#define EIMZA_TOOL_NSSDB_H

#include <stdbool.h>
#include <stddef.h>

struct ez_nssdb {
	char *dir;       /* the database folder */
	const char *app; /* "Firefox", "Thunderbird", "Chromium/Chrome" */
	const char *how; /* "", "snap", "flatpak" */
	bool missing;    /* Chromium's ~/.pki/nssdb, not created yet */
};

/* Every database under `home`. 0, or -1 when out of memory. */
int ez_nssdb_find(const char *home, struct ez_nssdb **out, size_t *n);
void ez_nssdb_free(struct ez_nssdb *d, size_t n);

/* One module of a database's pkcs11.txt. */
struct ez_nss_module {
	char name[256];
	char library[1024];
};
/* The modules listed in DIR/pkcs11.txt (at most cap; the count found is
 * returned, -1 when the file cannot be read). */
int ez_nssdb_modules(const char *dir, struct ez_nss_module *m, int cap);

/* Does DIR's database load eimza: a module whose library is
 * eimza-pkcs11.so, a libakisp11.so link to it, or p11-kit's proxy? The
 * matching module's name goes to name (when not NULL). */
bool ez_nssdb_knows_eimza(const char *dir, char *name, size_t cap);

/* Is the program that owns DIR running (its lock is held by a live
 * process)? Firefox and Thunderbird hold DIR/lock; Chromium holds
 * SingletonLock in its profile folder. */
bool ez_nssdb_in_use(const struct ez_nssdb *d, const char *home);

#endif
