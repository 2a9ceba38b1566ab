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

/* Bytes of one text character at p (printable ASCII or a well-formed
 * UTF-8 sequence of two or three bytes), 0 when it is not text. */
static size_t text_char(const uint8_t *p, size_t n)
{
	if (n >= 1 && p[0] >= 0x20 && p[0] < 0x7F)
		return 1;
	if (n >= 2 && p[0] >= 0xC2 && p[0] <= 0xDF && (p[1] & 0xC0) == 0x80)
		return 2;
	if (n >= 3 && (p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
		return 3;
	return 0;
}

#define TEXT_RUN 4 /* characters: shorter runs are what binary data shows by chance */

/* Mark in `hide` the bytes of data[0..n) that belong to runs of text. */
static void text_runs(const uint8_t *data, size_t n, bool *hide)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, chars = 0, k;
		while (j < n && (k = text_char(data + j, n - j)) != 0) {
			j += k;
			chars++;
		}
		if (chars >= TEXT_RUN)
			for (k = i; k < j; k++)
				hide[k] = true;
		i = j > i ? j : i + 1;
	}
}

void ez_apdu_trace_line(const uint8_t *apdu, size_t len, bool command, char *out, size_t cap)
{
	bool hide[300] = {false};
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
	if (!command && len > 2)
		text_runs(apdu, len - 2 < sizeof(hide) ? len - 2 : sizeof(hide), hide);
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
		} else if (i < sizeof(hide) && hide[i]) {
			out[used++] = '.';
			out[used++] = '.';
		} else {
			out[used++] = hex[apdu[i] >> 4];
			out[used++] = hex[apdu[i] & 0x0F];
		}
	}
	out[used] = '\0';
}
