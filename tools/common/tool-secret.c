/*
 * tool-secret.c: reading a PIN or PUK, and the checks made before one is
 * sent to the card.
 *
 * A secret never comes from argv (other users can read it in ps): from the
 * terminal with echo off, or from --pin-source fd:N | env:VAR | file:PATH.
 * fd:N is read byte by byte so several secrets can follow each other on the
 * same descriptor, one per line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "eimza/secmem.h"
#include "eimza/secret-source.h"
#include "tools/common/tool.h"

static int read_tty(const char *prompt, char *out, size_t cap, char *err, size_t errcap)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errcap, "%s",
		         _("no terminal to ask for the PIN on; use --pin-source fd:N, env:VAR or "
		           "file:PATH"));
		return -1;
	}
	struct termios old, quiet;
	bool restore = false;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restore = true;
	}
	if (prompt && write(fd, prompt, strlen(prompt)) < 0) {
		/* the prompt is a courtesy; reading still works */
	}
	bool too_long;
	int r = ez_read_secret_line(fd, out, cap, &too_long);
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* as above */
	}
	close(fd);
	if (r < 0)
		snprintf(err, errcap, "%s",
		         too_long ? _("the PIN typed is too long") : _("no PIN was typed"));
	return r;
}

int ez_secret_source_usable(const char *source, const char *option, char *err, size_t errcap)
{
	char why[512];

	if (!source || ez_secret_source_check(source, why, sizeof why) == 0)
		return 0;
	snprintf(err, errcap, "%s: %s", option, why);
	return -1;
}

int ez_secret_read(const char *source, const char *prompt, char *out, size_t cap, char *err,
                   size_t errcap)
{
	int r;

	if (cap == 0)
		return -1;
	/* The secret will sit in the caller's buffer until it is wiped:
	 * from here on this process leaves no core file. */
	ez_no_core_dumps();
	out[0] = 0;
	r = source ? ez_secret_source_read(source, out, cap, err, errcap)
	           : read_tty(prompt, out, cap, err, errcap);
	if (r < 0) {
		size_t n = strlen(err);
		snprintf(err + n, errcap - n, "%s", _("; nothing was sent to the card"));
	}
	return r;
}

/* The limits a PIN or PUK is checked against: the token's for the user
 * PIN; for a PUK, or a token that gives none, ISO/IEC 9564's 4 to 16
 * digits ("otherwise 4 to 16"). */
static void secret_limits(const CK_TOKEN_INFO *ti, enum ez_secret_kind kind, unsigned long *min,
                          unsigned long *max)
{
	*min = ti ? ti->ulMinPinLen : 0;
	*max = ti ? ti->ulMaxPinLen : 0;
	if (kind == EZ_PUK || *min == 0 || *min > EZ_SECRET_MAX)
		*min = 4;
	if (kind == EZ_PUK || *max == 0 || *max > EZ_SECRET_MAX || *max < *min)
		*max = 16;
}

/* Digits only (the AKIS keypad is numeric), min..max of them. */
static int form_check(const char *secret, unsigned long min, unsigned long max, const char *what,
                      char *err, size_t errcap)
{
	size_t len = strlen(secret);

	if (len == 0) {
		snprintf(err, errcap, _("%s is empty"), what);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (secret[i] < '0' || secret[i] > '9') {
			snprintf(err, errcap, _("%s must contain digits only"), what);
			return -1;
		}
	}
	if (len < min || len > max) {
		if (min == max)
			snprintf(err, errcap, _("%s must be %lu digits long"), what, min);
		else
			snprintf(err, errcap, _("%s must be %lu to %lu digits long"), what, min,
			         max);
		return -1;
	}
	return 0;
}

int ez_secret_policy_check(const char *secret, const CK_TOKEN_INFO *ti, enum ez_secret_kind kind,
                           char *err, size_t errcap)
{
	unsigned long min, max;

	secret_limits(ti, kind, &min, &max);
	return form_check(secret, min, max, kind == EZ_PIN ? _("The new PIN") : _("The new PUK"), err,
	                  errcap);
}

int ez_secret_entered_check(const char *secret, const CK_TOKEN_INFO *ti, enum ez_secret_kind kind,
                            char *err, size_t errcap)
{
	unsigned long min, max;

	secret_limits(ti, kind, &min, &max);
	if (form_check(secret, min, max, kind == EZ_PIN ? _("The PIN") : _("The PUK"), err,
	               errcap) < 0) {
		size_t n = strlen(err);
		snprintf(err + n, errcap - n, "%s",
		         _("; it was not sent to the card, no try was used"));
		return -1;
	}
	return 0;
}

unsigned ez_max_tries(enum ez_secret_kind kind)
{
	(void)kind;
	return 3;
}

bool ez_secret_locked(CK_FLAGS fl, enum ez_secret_kind kind)
{
	return (fl & (kind == EZ_PIN ? CKF_USER_PIN_LOCKED : CKF_SO_PIN_LOCKED)) != 0;
}

unsigned ez_tries_left(CK_FLAGS fl, enum ez_secret_kind kind, unsigned max_tries, bool *exact)
{
	CK_FLAGS low = kind == EZ_PIN ? CKF_USER_PIN_COUNT_LOW : CKF_SO_PIN_COUNT_LOW;
	CK_FLAGS final = kind == EZ_PIN ? CKF_USER_PIN_FINAL_TRY : CKF_SO_PIN_FINAL_TRY;
	bool ex = true;
	unsigned left;
	if (ez_secret_locked(fl, kind))
		left = 0;
	else if (fl & final)
		left = 1;
	else if (fl & low) {
		left = max_tries > 1 ? max_tries - 1 : 1;
		ex = max_tries <= 3;
	} else
		left = max_tries;
	if (exact)
		*exact = ex;
	return left;
}

void ez_secret_state_describe(const struct ez_secret_state *st, char *out, size_t cap)
{
	if (st->blocked || st->left == 0)
		snprintf(out, cap, "%s", _("blocked"));
	else if (!st->exact)
		snprintf(out, cap, _("fewer than %u tries left (a wrong one was typed)"), st->max);
	else
		snprintf(out, cap, _("%u of %u tries left"), st->left, st->max);
}

void ez_secret_state_text(CK_FLAGS fl, enum ez_secret_kind kind, char *out, size_t cap)
{
	CK_TOKEN_INFO ti = {.flags = fl};
	struct ez_secret_state st;

	ez_secret_state_get(NULL, 0, &ti, kind, &st);
	ez_secret_state_describe(&st, out, cap);
}
