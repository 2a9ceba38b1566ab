/*
 * tool-p11kit.h: what p11-kit has registered, as applications see it.
 *
 * eimza-info doctor and eimza-register ask p11-kit itself (the modules it
 * loads, the file each one resolves to) instead of looking for a file, so
 * what they report is what Firefox, GnuTLS or p11-kit-proxy.so will do.
 */
#ifndef EIMZA_TOOL_P11KIT_H
#define EIMZA_TOOL_P11KIT_H

#include <stdbool.h>
#include <stddef.h>

struct ez_p11kit_entry {
	char *name;    /* p11-kit's module name (the config file's name) */
	char *module;  /* the "module:" line as written */
	char *path;    /* the library file p11-kit resolved it to */
	char *config;  /* the config file it came from (the one that wins), or NULL */
	bool eimza;    /* the library is eimza-pkcs11.so (links followed) */
	bool opensc;   /* the library is OpenSC's opensc-pkcs11.so */
	bool in_proxy; /* p11-kit-proxy.so (Firefox through the proxy, ...) loads it */
};

/* The modules p11-kit has registered, loaded (dlopen) but not initialized.
 * 0, or -1 with a sentence in err when p11-kit could not load its list. */
int ez_p11kit_list(struct ez_p11kit_entry **out, size_t *n, char *err, size_t cap);
void ez_p11kit_list_free(struct ez_p11kit_entry *e, size_t n);

/* The first registered eimza module's library path (malloc'd), or NULL. */
char *ez_p11kit_eimza_path(void);

/* Does this library file (links followed) have the given file name? */
bool ez_library_is(const char *path, const char *file);

#endif
