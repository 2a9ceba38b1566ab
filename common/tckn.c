/*
 * tckn.c: T.C. Kimlik No validation, completion and masking.
 */
#include "config.h"

#include <eimza/tckn.h>

#include <stdio.h>
#include <string.h>

static void check_digits(const int d[9], int *d10, int *d11)
{
	int odd = d[0] + d[2] + d[4] + d[6] + d[8];
	int even = d[1] + d[3] + d[5] + d[7];
	int sum = 0, i;

	*d10 = ((odd * 7 - even) % 10 + 10) % 10;
	for (i = 0; i < 9; i++)
		sum += d[i];
	*d11 = (sum + *d10) % 10;
}

tckn_status tckn_check(const char *s)
{
	int d[11], d10, d11, i;

	if (!s || strlen(s) != 11)
		return TCKN_BAD_LENGTH;
	for (i = 0; i < 11; i++) {
		if (s[i] < '0' || s[i] > '9')
			return TCKN_NOT_DIGITS;
		d[i] = s[i] - '0';
	}
	if (d[0] == 0)
		return TCKN_LEADING_ZERO;
	check_digits(d, &d10, &d11);
	if (d[9] != d10)
		return TCKN_BAD_CHECK10;
	if (d[10] != d11)
		return TCKN_BAD_CHECK11;
	return TCKN_OK;
}

int tckn_complete(const char *first9, char out[12])
{
	int d[9], d10, d11, i;

	if (!first9 || strlen(first9) != 9 || first9[0] == '0')
		return -1;
	for (i = 0; i < 9; i++) {
		if (first9[i] < '0' || first9[i] > '9')
			return -1;
		d[i] = first9[i] - '0';
	}
	check_digits(d, &d10, &d11);
	memcpy(out, first9, 9);
	out[9] = (char)('0' + d10);
	out[10] = (char)('0' + d11);
	out[11] = '\0';
	return 0;
}

void tckn_mask(const char *s, char *out, unsigned long cap)
{
	size_t n = s ? strlen(s) : 0, i;

	if (cap == 0)
		return;
	if (n < 4 || n + 1 > cap) {
		snprintf(out, cap, "%s", "***");
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (i == 0 || i + 2 >= n) ? s[i] : '*';
	out[n] = '\0';
}
