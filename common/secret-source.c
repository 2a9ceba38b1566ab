/*
 * secret-source.c: PIN and PUK sources (see secret-source.h).
 */
#include "config.h"

#include <eimza/i18n.h>
#include <eimza/secmem.h>
#include <eimza/secret-source.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ez_read_secret_line(int fd, char *out, size_t cap, bool *too_long)
{
	size_t n = 0;
	bool got = false;
	*too_long = false;
	if (cap == 0)
		return -1;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got = true;
		if (c == '\n')
			break;
		if (n + 1 >= cap) {
			/* Longer than any PIN: an error at once. Not drained: a
			 * source that never ends a line (/dev/zero) must not hang. */
			*too_long = true;
			ez_wipe(&c, 1);
			break;
		}
		out[n++] = c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = 0;
	if (*too_long) {
		ez_wipe(out, cap);
		return -1;
	}
	return got ? 0 : -1;
}

int ez_secret_source_read(const char *source, char *out, size_t cap, char *err, size_t errcap)
{
	bool too_long = false;
	int r;
	if (cap == 0)
		return -1;
	out[0] = 0;
	if (strncmp(source, "fd:", 3) == 0) {
		char *end;
		errno = 0;
		long fd = strtol(source + 3, &end, 10);
		if (source[3] < '0' || source[3] > '9' || *end || errno || fd > 65535) {
			snprintf(err, errcap,
			         _("bad secret source \"%s\": not a file descriptor number"), source);
			return -1;
		}
		r = ez_read_secret_line((int)fd, out, cap, &too_long);
	} else if (strncmp(source, "env:", 4) == 0) {
		const char *v = source[4] ? getenv(source + 4) : NULL;
		if (!v) {
			snprintf(err, errcap,
			         _("bad secret source \"%s\": the environment variable %s is not set"),
			         source, source + 4);
			return -1;
		}
		size_t len = strcspn(v, "\r\n");
		too_long = len >= cap;
		r = too_long ? -1 : 0;
		if (r == 0) {
			memcpy(out, v, len);
			out[len] = 0;
		}
	} else if (strncmp(source, "file:", 5) == 0) {
		int fd = source[5] ? open(source + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
		if (fd < 0) {
			snprintf(err, errcap, _("cannot open \"%s\": %s"), source + 5,
			         source[5] ? strerror(errno) : _("no file name"));
			return -1;
		}
		r = ez_read_secret_line(fd, out, cap, &too_long);
		close(fd);
	} else {
		snprintf(err, errcap,
		         _("bad secret source \"%s\": unknown form (use fd:N, env:VAR or "
		           "file:PATH)"),
		         source);
		return -1;
	}
	if (r < 0)
		snprintf(err, errcap,
		         too_long ? _("the secret from \"%s\" is too long")
		                  : _("nothing could be read from \"%s\""),
		         source);
	return r;
}
