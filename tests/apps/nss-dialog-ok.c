/*
 * nss-dialog-ok.c: LD_PRELOAD into Chromium in tests/apps/test-browsers-
 * pinpad.sh. It stands in for the person who presses OK in Chromium's own
 * password dialog, which Chromium shows even for a token with a protected
 * authentication path (a PIN-pad reader): its NSS password callback asks
 * its dialog whatever the token (Chromium's SlotUnlocker: "TODO(mattm):
 * handle protectedAuthPath"), and a headless Chromium has nobody to answer
 * it. NSS ignores the password of such a token and calls C_Login with a
 * NULL PIN, so the reader's keypad takes the PIN, as it does after a person
 * presses OK (docs/pinpad.md). For any other token the browser's own
 * callback answers, unchanged.
 *
 * No NSS headers: the few functions are found at run time, so the shim
 * builds without NSS's development files.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef struct PK11SlotInfoStr PK11SlotInfo;
typedef int PRBool;
typedef char *(*PK11PasswordFunc)(PK11SlotInfo *slot, PRBool retry, void *arg);

void PK11_SetPasswordFunc(PK11PasswordFunc func);

static PK11PasswordFunc browser_func;

static char *password(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	PRBool (*protected_path)(PK11SlotInfo *) =
	    (PRBool(*)(PK11SlotInfo *))dlsym(RTLD_DEFAULT, "PK11_ProtectedAuthenticationPath");
	char *(*strdup_nss)(const char *) = (char *(*)(const char *))dlsym(RTLD_DEFAULT,
									   "PORT_Strdup");

	if (protected_path && strdup_nss && protected_path(slot))
		return retry ? NULL : strdup_nss(""); /* OK pressed once; a second ask: cancel */
	return browser_func ? browser_func(slot, retry, arg) : NULL;
}

void PK11_SetPasswordFunc(PK11PasswordFunc func)
{
	void (*real)(PK11PasswordFunc) =
	    (void (*)(PK11PasswordFunc))dlsym(RTLD_NEXT, "PK11_SetPasswordFunc");

	browser_func = func;
	if (real)
		real(password);
}
