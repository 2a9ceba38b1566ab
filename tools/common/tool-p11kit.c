/*
 * tool-p11kit.c: the modules p11-kit has registered (see tool-p11kit.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/p11-kit.h>

#include "tools/common/tool-p11kit.h"
#include "tools/common/tool.h"

#ifndef P11KIT_MODULE_CONFIGS
#define P11KIT_MODULE_CONFIGS "/usr/share/p11-kit/modules"
#endif

bool ez_library_is(const char *path, const char *file)
{
	char real[PATH_MAX];
	const char *p = path && realpath(path, real) ? real : path;
	if (!p)
		return false;
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	return strcmp(base, file) == 0;
}

/* p11-kit reads its module folders in this order; a file of the same name
 * in a later folder replaces the earlier one. */
static char *config_of(const char *name)
{
	char user[PATH_MAX], file[PATH_MAX + 64];
	const char *home = getenv("HOME");
	const char *cfg = getenv("XDG_CONFIG_HOME");
	if (cfg && *cfg)
		snprintf(user, sizeof user, "%s/pkcs11/modules", cfg);
	else
		snprintf(user, sizeof user, "%s/.config/pkcs11/modules", home ? home : "/nonexistent");
	const char *dirs[] = {user, "/etc/pkcs11/modules", P11KIT_MODULE_CONFIGS};
	/* p11-kit skips the user's folder in a program running as root */
	for (size_t i = geteuid() == 0 ? 1 : 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(file, sizeof file, "%s/%s.module", dirs[i], name);
		if (access(file, R_OK) == 0)
			return strdup(file);
	}
	return NULL;
}

static bool word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " \t,");
		size_t l = strcspn(p, " \t,");
		if (l == wl && strncmp(p, word, l) == 0)
			return true;
		p += l;
	}
	return false;
}

int ez_p11kit_list(struct ez_p11kit_entry **out, size_t *n, char *err, size_t cap)
{
	*out = NULL;
	*n = 0;
	CK_FUNCTION_LIST **mods = p11_kit_modules_load(NULL, 0);
	if (!mods) {
		const char *msg = p11_kit_message();
		snprintf(err, cap, _("p11-kit could not load its module list: %s"), msg ? msg : "?");
		return -1;
	}
	size_t count = 0;
	while (mods[count])
		count++;
	struct ez_p11kit_entry *e = calloc(count ? count : 1, sizeof *e);
	if (!e) {
		p11_kit_modules_release(mods);
		snprintf(err, cap, "%s", _("out of memory"));
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		e[i].name = p11_kit_module_get_name(mods[i]);
		e[i].module = p11_kit_config_option(mods[i], "module");
		e[i].path = p11_kit_module_get_filename(mods[i]);
		e[i].config = e[i].name ? config_of(e[i].name) : NULL;
		e[i].eimza = ez_library_is(e[i].path, EZ_MODULE_FILE);
		e[i].opensc = ez_library_is(e[i].path, "opensc-pkcs11.so");
		char *en = p11_kit_config_option(mods[i], "enable-in");
		char *dis = p11_kit_config_option(mods[i], "disable-in");
		e[i].in_proxy = (!en || word_in(en, "p11-kit-proxy")) && !word_in(dis, "p11-kit-proxy");
		free(en);
		free(dis);
	}
	p11_kit_modules_release(mods);
	*out = e;
	*n = count;
	return 0;
}

void ez_p11kit_list_free(struct ez_p11kit_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].module);
		free(e[i].path);
		free(e[i].config);
	}
	free(e);
}

char *ez_p11kit_eimza_path(void)
{
	struct ez_p11kit_entry *e;
	size_t n;
	char err[256], *path = NULL;
	if (ez_p11kit_list(&e, &n, err, sizeof err) != 0)
		return NULL;
	for (size_t i = 0; i < n && !path; i++)
		if (e[i].eimza && e[i].path)
			path = strdup(e[i].path);
	ez_p11kit_list_free(e, n);
	return path;
}
