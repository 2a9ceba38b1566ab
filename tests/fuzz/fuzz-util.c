/*
 * fuzz-util.c: helpers every fuzz target shares (fuzz.h).
 */
#include "config.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void fz_broken(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
	abort();
}
