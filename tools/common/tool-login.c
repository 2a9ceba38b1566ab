/*
 * tool-login.c: one login with everything around it: the blocked check
 * before asking, the tries-left line, the PIN pad case (the keypad takes
 * the PIN, the terminal is not read), the PIN read and wiped, and the
 * message and exit status of a failure.
 */
#include "config.h"

#include <string.h>

#include "eimza/secmem.h"
#include "tools/common/tool.h"

int ez_login(struct ez_module *m, CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_USER_TYPE who,
             const char *source, const char *prog)
{
	return ez_login_keep(m, s, slot, who, source, prog, NULL, 0);
}

int ez_login_keep(struct ez_module *m, CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_USER_TYPE who,
                  const char *source, const char *prog, char *keep, size_t keepcap)
{
	enum ez_secret_kind kind = who == CKU_SO ? EZ_PUK : EZ_PIN;
	CK_TOKEN_INFO ti;
	char msg[256], pin[EZ_SECRET_MAX + 2];
	CK_RV rv = m->f->C_GetTokenInfo(slot, &ti);
	if (rv != CKR_OK) {
		ez_rv_message(rv, 0, kind, msg, sizeof msg);
		fprintf(stderr, "%s: %s\n", prog, msg);
		return ez_rv_exit(rv);
	}
	if (ez_secret_locked(ti.flags, kind)) {
		ez_rv_message(CKR_PIN_LOCKED, ti.flags, kind, msg, sizeof msg);
		fprintf(stderr, "%s: %s\n", prog, msg);
		return EZ_EXIT_BLOCKED;
	}
	CK_FLAGS low = kind == EZ_PIN ? (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)
	                              : (CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY);
	if (ti.flags & low) {
		ez_secret_state_text(ti.flags, kind, msg, sizeof msg);
		fprintf(stderr, "%s: %s %s\n", prog, kind == EZ_PIN ? "PIN:" : "PUK:", msg);
	}
	/* On a PIN-pad reader the module has the keypad take it (a NULL PIN):
	 * nothing is read here, unless a source was given. */
	if (ez_has_pinpad(&ti) && !source) {
		fprintf(stderr, "%s\n",
		        kind == EZ_PIN ? _("Type the PIN on the reader's keypad.")
		                       : _("Type the PUK on the reader's keypad."));
		rv = m->f->C_Login(s, who, NULL, 0);
	} else {
		char err[256];
		if (ez_secret_read(source, kind == EZ_PIN ? _("PIN: ") : _("PUK: "), pin,
		                   sizeof pin, err, sizeof err) < 0 ||
		    ez_secret_entered_check(pin, &ti, kind, err, sizeof err) < 0) {
			ez_wipe(pin, sizeof pin);
			fprintf(stderr, "%s: %s\n", prog, err);
			return EZ_EXIT_USAGE;
		}
		rv = m->f->C_Login(s, who, (CK_UTF8CHAR *)pin, strlen(pin));
		if (keep && keepcap > strlen(pin) &&
		    (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN))
			memcpy(keep, pin, strlen(pin) + 1);
		ez_wipe(pin, sizeof pin);
	}
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return EZ_EXIT_OK;
	CK_FLAGS fl = m->f->C_GetTokenInfo(slot, &ti) == CKR_OK ? ti.flags : 0;
	ez_rv_message(rv, fl, kind, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", prog, msg);
	if (rv == CKR_PIN_INCORRECT && ez_secret_locked(fl, kind))
		return EZ_EXIT_BLOCKED;
	return ez_rv_exit(rv);
}
