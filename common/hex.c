/*
 * hex.c: hex encoding and decoding.
 */
#include "config.h"

#include <eimza/hex.h>

static const char digits[] = "0123456789ABCDEF";

void ez_hex_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 0x0F];
	}
	*out = '\0';
}

void ez_hex_encode_spaced(const uint8_t *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i)
			*out++ = ' ';
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 0x0F];
	}
	*out = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long ez_hex_decode(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *text; text++) {
		int v;
		if (*text == ' ' || *text == ':' || *text == '\n' || *text == '\t')
			continue;
		v = nibble(*text);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}
