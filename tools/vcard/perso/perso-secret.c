/*
 * perso-secret.c: PIN and PUK sources (see perso-secret.h).
 */
#include "config.h"

#include "perso-secret.h"

#include <eimza/secmem.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perso-i18n.h"

/* One line from fd, byte by byte so nothing past the newline is taken.
 * -1 with errno on a read error; -2 when the line is too long. */
static int read_line(int fd, char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= cap) {
			ez_wipe(&ch, 1);
			return -2;
		}
		out[n++] = ch;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

static int parse_fd(const char *s, int *fd)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > INT_MAX)
		return -1;
	*fd = (int)v;
	return 0;
}

int perso_read_secret(const char *src, const char *what, unsigned min_len, unsigned max_len,
                      char *out, size_t cap, size_t *len, char *err, size_t errlen)
{
	size_t n = 0, i;
	int rc;

	if (cap < PERSO_SECRET_MAX + 1) {
		snprintf(err, errlen, _("internal error: buffer for the %s too small"), what);
		return -1;
	}
	out[0] = '\0';
	if (strncmp(src, "fd:", 3) == 0) {
		int fd;
		if (parse_fd(src + 3, &fd) < 0) {
			snprintf(err, errlen, _("%s source \"%s\": not a file descriptor number"),
			         what, src);
			return -1;
		}
		rc = read_line(fd, out, PERSO_SECRET_MAX + 1, &n);
		if (rc == -1) {
			snprintf(err, errlen, _("%s source \"%s\": cannot read: %s"), what, src,
			         strerror(errno));
			goto fail;
		}
		if (rc == -2)
			goto too_long;
	} else if (strncmp(src, "env:", 4) == 0) {
		const char *v = src[4] ? getenv(src + 4) : NULL;
		if (!src[4]) {
			snprintf(err, errlen, _("%s source \"%s\": no variable name"), what, src);
			return -1;
		}
		if (!v) {
			snprintf(err, errlen,
			         _("%s source \"%s\": the environment variable %s is not set"),
			         what, src, src + 4);
			return -1;
		}
		n = strlen(v);
		if (n > PERSO_SECRET_MAX)
			goto too_long;
		memcpy(out, v, n + 1);
	} else if (strncmp(src, "file:", 5) == 0) {
		int fd;
		if (!src[5]) {
			snprintf(err, errlen, _("%s source \"%s\": no file name"), what, src);
			return -1;
		}
		fd = open(src + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			snprintf(err, errlen, _("%s source \"%s\": cannot open: %s"), what, src,
			         strerror(errno));
			return -1;
		}
		rc = read_line(fd, out, PERSO_SECRET_MAX + 1, &n);
		if (rc == -1)
			snprintf(err, errlen, _("%s source \"%s\": cannot read: %s"), what, src,
			         strerror(errno));
		close(fd);
		if (rc == -1)
			goto fail;
		if (rc == -2)
			goto too_long;
	} else {
		snprintf(err, errlen,
		         _("%s source \"%s\": unknown form (use fd:N, env:VAR or file:PATH)"), what,
		         src);
		return -1;
	}

	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
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

too_long:
	snprintf(err, errlen, _("the %s from \"%s\" is too long"), what, src);
fail:
	ez_wipe(out, cap);
	return -1;
}
