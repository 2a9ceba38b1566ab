/*
 * secret-source.c: PIN and PUK sources (see secret-source.h).
 */
#include "config.h"

#include <eimza/i18n.h>
#include <eimza/safe-text.h>
#include <eimza/secmem.h>
#include <eimza/secret-source.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* fd:N's number; -1 when the text after "fd:" is not one. */
static int fd_number(const char *source)
{
	long fd = 0;

	if (!source[3])
		return -1;
	for (const char *p = source + 3; *p; p++) {
		if (*p < '0' || *p > '9' || fd > 65535)
			return -1;
		fd = fd * 10 + (*p - '0');
	}
	return fd > 65535 ? -1 : (int)fd;
}

static int bad_form(const char *source, char *err, size_t errcap)
{
	snprintf(err, errcap,
	         _("bad secret source \"%s\": use fd:N, env:VAR or file:PATH (a PIN never goes "
	           "on the command line)"),
	         ez_arg_shown(source));
	return -1;
}

int ez_secret_source_check(const char *source, char *err, size_t errcap)
{
	struct stat st;

	if (strncmp(source, "fd:", 3) == 0) {
		int fd = fd_number(source), fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);
		if (fd < 0) {
			snprintf(err, errcap,
			         _("bad secret source \"%s\": not a file descriptor number"),
			         ez_arg_shown(source));
			return -1;
		}
		if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY) {
			snprintf(err, errcap,
			         _("bad secret source \"%s\": file descriptor %d is not open for "
			           "reading"),
			         ez_arg_shown(source), fd);
			return -1;
		}
		return 0;
	}
	if (strncmp(source, "env:", 4) == 0) {
		if (!source[4] || !getenv(source + 4)) {
			snprintf(err, errcap,
			         _("bad secret source \"%s\": the environment variable %s is not set"),
			         ez_arg_shown(source), ez_arg_shown(source + 4));
			return -1;
		}
		return 0;
	}
	if (strncmp(source, "file:", 5) == 0) {
		/* O_NONBLOCK: checking a FIFO must not wait for its writer */
		int fd = source[5] ? open(source + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
		                   : -1;
		int e = errno;
		bool dir = fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		if (fd >= 0)
			close(fd);
		if (fd < 0 || dir) {
			snprintf(err, errcap, _("bad secret source \"%s\": %s"), ez_arg_shown(source),
			         !source[5] ? _("no file name")
			         : dir      ? _("it is a folder, not a file")
			                    : strerror(e));
			return -1;
		}
		return 0;
	}
	return bad_form(source, err, errcap);
}

int ez_secret_source_read(const char *source, char *out, size_t cap, char *err, size_t errcap)
{
	bool too_long = false;
	int r;
	if (cap == 0)
		return -1;
	out[0] = 0;
	if (ez_secret_source_check(source, err, errcap) < 0)
		return -1;
	if (strncmp(source, "fd:", 3) == 0) {
		r = ez_read_secret_line(fd_number(source), out, cap, &too_long);
	} else if (strncmp(source, "env:", 4) == 0) {
		const char *v = getenv(source + 4);
		size_t len = strcspn(v, "\r\n");
		too_long = len >= cap;
		r = too_long ? -1 : 0;
		if (r == 0) {
			memcpy(out, v, len);
			out[len] = 0;
		}
	} else {
		int fd = open(source + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			snprintf(err, errcap, _("bad secret source \"%s\": %s"), ez_arg_shown(source),
			         strerror(errno));
			return -1;
		}
		r = ez_read_secret_line(fd, out, cap, &too_long);
		close(fd);
	}
	if (r < 0 && too_long)
		snprintf(err, errcap,
		         _("the secret read from \"%s\" is longer than %zu characters, longer than "
		           "any PIN or PUK (is it a source that never ends a line?)"),
		         ez_arg_shown(source), cap - 1);
	else if (r < 0)
		snprintf(err, errcap, _("nothing could be read from \"%s\""), ez_arg_shown(source));
	return r;
}
