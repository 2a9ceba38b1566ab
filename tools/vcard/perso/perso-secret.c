/*
 * perso-secret.c: PIN and PUK sources (see perso-secret.h).
 */
#include "config.h"

#include "perso-secret.h"

#include <eimza/secmem.h>
#include <eimza/secret-source.h>

#include <stdio.h>
#include <string.h>

#include "perso-i18n.h"

int perso_read_secret(const char *src, const char *what, unsigned min_len, unsigned max_len,
                      char *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	size_t n = 0, i;

	if (cap < PERSO_SECRET_MAX + 1) {
		snprintf(err, errlen, _("internal error: buffer for the %s too small"), what);
		return -1;
	}
	if (ez_secret_source_read(src, out, PERSO_SECRET_MAX + 1, err, errlen) < 0)
		goto fail;
	n = strlen(out);
	if (n < min_len || n > max_len) {
		if (min_len == max_len)
			snprintf(err, errlen,
			         _("the %s from \"%s\" must be %u digits long, not %u"), what, src,
			         min_len, (unsigned)n);
		else
			snprintf(err, errlen,
			         _("the %s from \"%s\" must be %u to %u digits long, not %u"), what,
			         src, min_len, max_len, (unsigned)n);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (out[i] < '0' || out[i] > '9') {
			snprintf(err, errlen, _("the %s from \"%s\" must contain digits only"),
			         what, src);
			goto fail;
		}
	*len = n;
	return 0;

fail:
	ez_wipe(out, cap);
	return -1;
}
