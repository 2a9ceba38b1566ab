/*
 * safe-text.c: outside text made safe for a terminal (see safe-text.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <eimza/safe-text.h>
#include <eimza/utf8.h>

char *ez_terminal_text(char *out, size_t cap, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, n;
	uint32_t cp;

	if (cap == 0)
		return out;
	while (i < len && p[i] != 0) {
		n = ez_utf8_next(p + i, len - i, &cp);
		if (n == 0 || ez_utf8_hidden_control(cp)) {
			if (o + 1 >= cap)
				break;
			out[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		if (o + n >= cap)
			break; /* a whole character, or nothing */
		/* in place, o <= i always: memmove, not memcpy */
		memmove(out + o, p + i, n);
		o += n;
		i += n;
	}
	out[o] = 0;
	return out;
}

const char *ez_arg_shown(const char *arg)
{
	/* EZ_ARG_SHOWN_CHARS characters of at most 4 bytes, "...", NUL */
	static _Thread_local char ring[4][4 * EZ_ARG_SHOWN_CHARS + 4];
	static _Thread_local unsigned next;
	char *buf = ring[next++ % 4];
	const unsigned char *p = (const unsigned char *)(arg ? arg : "");
	size_t len = strlen((const char *)p), i = 0, chars = 0, n;
	uint32_t cp;

	while (i < len && chars < EZ_ARG_SHOWN_CHARS) {
		n = ez_utf8_next(p + i, len - i, &cp);
		i += n ? n : 1;
		chars++;
	}
	ez_terminal_text(buf, sizeof(ring[0]) - 3, (const char *)p, i);
	if (i < len)
		strcat(buf, "...");
	return buf;
}
