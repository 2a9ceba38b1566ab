/*
 * tool-module.c: load a PKCS#11 module and pick a token.
 *
 * A name goes through p11-kit (the module's registration is what
 * applications use too, so the tools see what Firefox would see); a path is
 * opened with dlopen, so `--module /usr/lib/softhsm/libsofthsm2.so` works
 * without any p11-kit configuration.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>

#include "tools/common/tool.h"

#ifndef P11_MODULE_DIR
#define P11_MODULE_DIR "/usr/lib/pkcs11"
#endif

/* Called between loading a module and initializing it (ez_module_load_hooked). */
static void (*before_init)(struct ez_module *m, void *arg);
static void *before_init_arg;

static int load_path(const char *path, struct ez_module *m, char *err, size_t cap)
{
	CK_C_GetFunctionList getfl;
	CK_FUNCTION_LIST *f = NULL;

	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		const char *why = dlerror();
		size_t pl = strlen(path);
		/* dlerror() starts with the path; a path can be long, the reason not */
		if (why && strncmp(why, path, pl) == 0 && strncmp(why + pl, ": ", 2) == 0)
			why += pl + 2;
		snprintf(err, cap, _("cannot load the PKCS#11 module %s: %s"), ez_arg_shown(path),
		         why ? why : "?");
		return EZ_EXIT_MODULE;
	}
	*(void **)(&getfl) = dlsym(m->dl, "C_GetFunctionList");
	if (!getfl || getfl(&f) != CKR_OK || !f) {
		snprintf(err, cap, _("%s is not a PKCS#11 module (no C_GetFunctionList)"),
		         ez_arg_shown(path));
		dlclose(m->dl);
		m->dl = NULL;
		return EZ_EXIT_MODULE;
	}
	CK_C_INITIALIZE_ARGS args;
	memset(&args, 0, sizeof args);
	args.flags = CKF_OS_LOCKING_OK;
	if (before_init) {
		m->path = strdup(path);
		before_init(m, before_init_arg);
		free(m->path);
		m->path = NULL;
	}
	CK_RV rv = f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		snprintf(err, cap, _("the PKCS#11 module %s failed to start (%s)"), ez_arg_shown(path),
		         ez_rv_name(rv));
		dlclose(m->dl);
		m->dl = NULL;
		return EZ_EXIT_MODULE;
	}
	m->f = f;
	m->path = strdup(path);
	return EZ_EXIT_OK;
}

/* Through p11-kit's registration. 1 when p11-kit has no module by that
 * name (the caller may fall back), 0 on success, -1 on a real failure. */
static int load_name(const char *name, struct ez_module *m, char *err, size_t cap)
{
	CK_FUNCTION_LIST **mods = p11_kit_modules_load(NULL, 0);
	if (!mods)
		return 1;
	CK_FUNCTION_LIST *f = p11_kit_module_for_name(mods, name);
	if (!f) {
		p11_kit_modules_release(mods);
		return 1;
	}
	if (before_init) {
		m->path = p11_kit_module_get_filename(f);
		before_init(m, before_init_arg);
		free(m->path);
		m->path = NULL;
	}
	CK_RV rv = p11_kit_module_initialize(f);
	if (rv != CKR_OK) {
		snprintf(err, cap, _("the PKCS#11 module \"%s\" failed to start (%s)"),
		         ez_arg_shown(name), ez_rv_name(rv));
		p11_kit_modules_release(mods);
		return -1;
	}
	m->kit = mods;
	m->f = f;
	m->via_p11kit = true;
	m->path = p11_kit_module_get_filename(f);
	return 0;
}

static int load_any(const char *spec, struct ez_module *m, char *err, size_t cap)
{
	if (strchr(spec, '/'))
		return load_path(spec, m, err, cap);

	int r = load_name(spec, m, err, cap);
	if (r == 0)
		return EZ_EXIT_OK;
	if (r < 0)
		return EZ_EXIT_MODULE;
	if (strcmp(spec, EZ_DEFAULT_MODULE) == 0) /* installed but not registered with p11-kit */
		return load_path(P11_MODULE_DIR "/" EZ_MODULE_FILE, m, err, cap);
	snprintf(err, cap, _("p11-kit knows no module named \"%s\"; give a path with --module"),
	         ez_arg_shown(spec));
	return EZ_EXIT_MODULE;
}

int ez_module_load_hooked(const char *spec, struct ez_module *m,
                          void (*hook)(struct ez_module *m, void *arg), void *arg, char *err,
                          size_t cap)
{
	int r;

	before_init = hook;
	before_init_arg = arg;
	r = ez_module_load(spec, m, err, cap);
	before_init = NULL;
	before_init_arg = NULL;
	return r;
}

int ez_module_load(const char *spec, struct ez_module *m, char *err, size_t cap)
{
	memset(m, 0, sizeof *m);
	if (!spec || !*spec) {
		const char *env = getenv("EIMZA_MODULE");
		spec = env && *env ? env : EZ_DEFAULT_MODULE;
	}
	int r = load_any(spec, m, err, cap);
	if (r != EZ_EXIT_OK) {
		free(m->path);
		memset(m, 0, sizeof *m);
		return r;
	}
	m->name = strdup(spec);
	return EZ_EXIT_OK;
}

void ez_module_unload(struct ez_module *m)
{
	if (m->f) {
		if (m->kit)
			p11_kit_module_finalize(m->f);
		else
			m->f->C_Finalize(NULL);
	}
	if (m->kit)
		p11_kit_modules_release(m->kit);
	if (m->dl)
		dlclose(m->dl);
	free(m->path);
	free(m->name);
	memset(m, 0, sizeof *m);
}

void ez_p11_string(const CK_UTF8CHAR *field, size_t len, char *out, size_t cap)
{
	if (cap == 0)
		return;
	while (len > 0 && (field[len - 1] == ' ' || field[len - 1] == 0))
		len--;
	ez_terminal_text(out, cap, (const char *)field, len);
}

int ez_token_pick(struct ez_module *m, const char *slot, const char *token, CK_SLOT_ID *out,
                  char *err, size_t cap)
{
	CK_ULONG n = 0;
	CK_RV rv = m->f->C_GetSlotList(CK_TRUE, NULL, &n);
	if (rv != CKR_OK) {
		snprintf(err, cap, _("cannot list the card readers (%s)"), ez_rv_name(rv));
		return EZ_EXIT_NO_CARD;
	}
	CK_SLOT_ID *ids = calloc(n ? n : 1, sizeof *ids);
	if (!ids) {
		snprintf(err, cap, "%s", _("out of memory"));
		return EZ_EXIT_FAILURE;
	}
	rv = m->f->C_GetSlotList(CK_TRUE, ids, &n);
	if (rv != CKR_OK)
		n = 0;

	CK_SLOT_ID want = 0;
	if (slot && ez_parse_slot(slot, &want) < 0) {
		snprintf(err, cap,
		         _("--slot wants a slot number as eimza-info lists it (digits only), not "
		           "\"%s\""),
		         ez_arg_shown(slot));
		free(ids);
		return EZ_EXIT_USAGE;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		if (slot && ids[i] != want)
			continue;
		/* a slot that says a card is in but has no readable token is not
		 * picked: ez_no_token_reason() says what is wrong with it */
		if (m->f->C_GetTokenInfo(ids[i], &ti) != CKR_OK)
			continue;
		if (token) {
			char label[33], serial[17];
			ez_p11_string(ti.label, sizeof ti.label, label, sizeof label);
			ez_p11_string(ti.serialNumber, sizeof ti.serialNumber, serial,
			              sizeof serial);
			if (strcmp(token, label) != 0 && strcmp(token, serial) != 0)
				continue;
		}
		*out = ids[i];
		free(ids);
		return EZ_EXIT_OK;
	}
	free(ids);
	return ez_no_token_reason(m, slot ? &want : NULL, slot || token, err, cap);
}
