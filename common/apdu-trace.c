/*
 * apdu-trace.c: formatting APDUs for traces with PIN and PUK bytes masked.
 */
#include "config.h"

#include <eimza/apdu-trace.h>

#include <stdio.h>
#include <string.h>

bool ez_apdu_is_secret_ins(uint8_t ins)
{
	return ins == 0x20 || ins == 0x24 || ins == 0x2C;
}

/* Where the data field of a short command APDU starts and how long it is;
 * 0 length for cases 1 and 2 and for malformed lengths. */
static void data_field(const uint8_t *apdu, size_t len, size_t *off, size_t *dlen)
{
	*off = 5;
	*dlen = 0;
	if (len > 5 && apdu[4] != 0 && (size_t)apdu[4] + 5 <= len)
		*dlen = apdu[4];
	else if (len > 5)
		*dlen = len - 5; /* malformed: mask everything after the header */
}

void ez_apdu_trace_line(const uint8_t *apdu, size_t len, bool command, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t used = 0, i, off = 0, dlen = 0;
	bool mask = command && len >= 2 && ez_apdu_is_secret_ins(apdu[1]);

	if (cap < 8) {
		if (cap)
			out[0] = '\0';
		return;
	}
	if (mask)
		data_field(apdu, len, &off, &dlen);
	out[used++] = command ? '>' : '<';
	for (i = 0; i < len; i++) {
		if (used + 3 + 4 >= cap) {
			memcpy(out + used, " ...", 4);
			used += 4;
			break;
		}
		out[used++] = ' ';
		if (mask && i >= off && i < off + dlen) {
			out[used++] = '*';
			out[used++] = '*';
		} else {
			out[used++] = hex[apdu[i] >> 4];
			out[used++] = hex[apdu[i] & 0x0F];
		}
	}
	out[used] = '\0';
}
