/*
 * tool-nssdb.c: a user's NSS databases (see tool-nssdb.h).
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/tool-nssdb.h"
#include "tools/common/tool-p11kit.h"
#include "tools/common/tool.h"

struct place {
	const char *app, *how;
	const char *pattern; /* under HOME; "$C" = the XDG config folder */
	bool profiles;       /* a glob of profile folders (else one folder) */
};

static const struct place places[] = {
    {"Firefox", "", "/.mozilla/firefox/*", true},
    {"Firefox", "", "$C/mozilla/firefox/*", true},
    {"Firefox", "snap", "/snap/firefox/common/.mozilla/firefox/*", true},
    {"Firefox", "flatpak", "/.var/app/org.mozilla.firefox/.mozilla/firefox/*", true},
    {"Firefox", "flatpak", "/.var/app/org.mozilla.firefox/config/mozilla/firefox/*", true},
    {"Thunderbird", "", "/.thunderbird/*", true},
    {"Thunderbird", "", "$C/thunderbird/*", true},
    {"Thunderbird", "snap", "/snap/thunderbird/common/.thunderbird/*", true},
    {"Thunderbird", "flatpak", "/.var/app/org.mozilla.Thunderbird/.thunderbird/*", true},
    {"Thunderbird", "flatpak", "/.var/app/org.mozilla.Thunderbird/config/thunderbird/*", true},
    {"Chromium/Chrome", "", "/.pki/nssdb", false},
    {"Chromium/Chrome", "snap", "/snap/chromium/current/.pki/nssdb", false},
};

/* Profile folders of Chromium-family browsers: when one exists, the user
 * has the browser and ~/.pki/nssdb is where it will look. */
static const char *const chromium_profiles[] = {"$C/chromium", "$C/google-chrome",
                                                "$C/google-chrome-beta", "$C/microsoft-edge",
                                                "$C/BraveSoftware/Brave-Browser"};

static void expand(const char *home, const char *pat, char *out, size_t cap)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (strncmp(pat, "$C", 2) == 0) {
		if (xdg && *xdg == '/')
			snprintf(out, cap, "%s%s", xdg, pat + 2);
		else
			snprintf(out, cap, "%s/.config%s", home, pat + 2);
	} else {
		snprintf(out, cap, "%s%s", home, pat);
	}
}

static bool has_file(const char *dir, const char *name)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static bool is_db(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       (has_file(dir, "cert9.db") || has_file(dir, "pkcs11.txt"));
}

static bool listed(struct ez_nssdb *d, size_t n, const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX];
	if (!realpath(dir, a))
		snprintf(a, sizeof a, "%s", dir);
	for (size_t i = 0; i < n; i++) {
		if (!realpath(d[i].dir, b))
			snprintf(b, sizeof b, "%s", d[i].dir);
		if (strcmp(a, b) == 0)
			return true;
	}
	return false;
}

static int add(struct ez_nssdb **d, size_t *n, const char *dir, const struct place *p,
               bool missing)
{
	if (listed(*d, *n, dir)) /* a profile reached by two paths (a link) */
		return 0;
	struct ez_nssdb *nd = realloc(*d, (*n + 1) * sizeof **d);
	if (!nd)
		return -1;
	*d = nd;
	nd[*n].dir = strdup(dir);
	nd[*n].app = p->app;
	nd[*n].how = p->how;
	nd[*n].missing = missing;
	if (!nd[*n].dir)
		return -1;
	(*n)++;
	return 0;
}

int ez_nssdb_find(const char *home, struct ez_nssdb **out, size_t *n)
{
	char pat[PATH_MAX];
	*out = NULL;
	*n = 0;
	if (!home || !*home)
		return 0;
	for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
		const struct place *p = &places[i];
		expand(home, p->pattern, pat, sizeof pat);
		if (!p->profiles) {
			bool db = is_db(pat), browser = false;
			if (!db && strcmp(p->how, "") == 0) {
				char c[PATH_MAX];
				for (size_t k = 0; k < sizeof chromium_profiles / sizeof *chromium_profiles;
				     k++) {
					expand(home, chromium_profiles[k], c, sizeof c);
					browser = browser || access(c, F_OK) == 0;
				}
			}
			if ((db || browser) && add(out, n, pat, p, !db) != 0)
				return -1;
			continue;
		}
		glob_t g;
		if (glob(pat, GLOB_ONLYDIR, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			if (is_db(g.gl_pathv[k]) && add(out, n, g.gl_pathv[k], p, false) != 0) {
				globfree(&g);
				return -1;
			}
		globfree(&g);
	}
	return 0;
}

void ez_nssdb_free(struct ez_nssdb *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].dir);
	free(d);
}

int ez_nssdb_modules(const char *dir, struct ez_nss_module *m, int cap)
{
	char p[PATH_MAX + 32], line[2048];
	snprintf(p, sizeof p, "%s/pkcs11.txt", dir);
	FILE *f = fopen(p, "re");
	if (!f)
		return -1;
	int count = 0;
	bool open = false;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0]) {
			open = false;
			continue;
		}
		if (!open) {
			if (count < cap)
				memset(&m[count], 0, sizeof m[count]);
			count++;
			open = true;
		}
		if (count > cap)
			continue;
		if (strncmp(line, "library=", 8) == 0)
			snprintf(m[count - 1].library, sizeof m[count - 1].library, "%.1023s", line + 8);
		else if (strncmp(line, "name=", 5) == 0)
			snprintf(m[count - 1].name, sizeof m[count - 1].name, "%.255s", line + 5);
	}
	fclose(f);
	return count;
}

bool ez_nssdb_knows_eimza(const char *dir, char *name, size_t cap)
{
	struct ez_nss_module m[64];
	int n = ez_nssdb_modules(dir, m, 64);
	for (int i = 0; i < n && i < 64; i++) {
		const char *lib = m[i].library;
		const char *base = strrchr(lib, '/');
		base = base ? base + 1 : lib;
		if (!lib[0])
			continue;
		if (ez_library_is(lib, EZ_MODULE_FILE) || strcmp(base, "p11-kit-proxy.so") == 0) {
			if (name)
				snprintf(name, cap, "%s", m[i].name[0] ? m[i].name : base);
			return true;
		}
	}
	return false;
}

/* A lock link whose target ends in the owner's process id: Firefox writes
 * "IP:+PID" (DIR/lock), Chromium "HOST-PID" (SingletonLock). */
static bool lock_alive(const char *link)
{
	char t[256];
	ssize_t l = readlink(link, t, sizeof t - 1);
	if (l <= 0)
		return false;
	t[l] = 0;
	char *p = t + l;
	while (p > t && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (!*p)
		return false;
	long pid = strtol(p, NULL, 10);
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

bool ez_nssdb_in_use(const struct ez_nssdb *d, const char *home)
{
	char p[PATH_MAX + 32];
	if (strcmp(d->app, "Chromium/Chrome") != 0) {
		snprintf(p, sizeof p, "%s/lock", d->dir);
		return lock_alive(p);
	}
	for (size_t k = 0; k < sizeof chromium_profiles / sizeof *chromium_profiles; k++) {
		char c[PATH_MAX];
		expand(home, chromium_profiles[k], c, sizeof c);
		snprintf(p, sizeof p, "%s/SingletonLock", c);
		if (lock_alive(p))
			return true;
	}
	return false;
}
