/*
 * tckn.h: the T.C. Kimlik No (Turkish national identity number) rules.
 *
 * 11 digits, the first not 0; d10 = ((d1+d3+d5+d7+d9)*7 - (d2+d4+d6+d8))
 * mod 10 as a non-negative remainder; d11 = (d1+...+d10) mod 10.
 */
#ifndef EIMZA_TCKN_H
#define EIMZA_TCKN_H

#include <stdbool.h>

typedef enum {
	TCKN_OK = 0,
	TCKN_BAD_LENGTH,  /* not exactly 11 characters */
	TCKN_NOT_DIGITS,  /* a character that is not 0-9 */
	TCKN_LEADING_ZERO,
	TCKN_BAD_CHECK10, /* the tenth digit does not match */
	TCKN_BAD_CHECK11, /* the eleventh digit does not match */
} tckn_status;

tckn_status tckn_check(const char *s);
static inline bool tckn_valid(const char *s)
{
	return tckn_check(s) == TCKN_OK;
}
/* Complete nine leading digits (first not 0) into a valid number: writes
 * 11 digits and a NUL to out. -1 when `first9` is not nine such digits. */
int tckn_complete(const char *first9, char out[12]);
/* "1********46": first and last two digits kept, for reports and logs. */
void tckn_mask(const char *s, char *out, unsigned long cap);

#endif
