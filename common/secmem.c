/*
 * secmem.c: wiping secrets and comparing them in constant time.
 */
#include "config.h"

#include <eimza/secmem.h>

#include <string.h>

void ez_wipe(void *p, size_t len)
{
	if (!p || !len)
		return;
	/* explicit_bzero (glibc >= 2.25) is never optimised away. */
	explicit_bzero(p, len);
}

bool ez_ct_equal(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= (unsigned char)(x[i] ^ y[i]);
	return diff == 0;
}
