/*
 * fuzz.h: the libFuzzer entry points every target defines. With
 * --enable-fuzzing libFuzzer's runtime calls them; otherwise standalone.c
 * does, once per file of a corpus (make check).
 */
#ifndef EIMZA_FUZZ_H
#define EIMZA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise of the code under test that no sanitizer sees (a
 * transaction left open, a PIN byte in a command that is not a PIN
 * command): reported on stderr, then abort(), which the fuzzer records as
 * a crash with its input. */
#define FZ_REQUIRE(cond, what)                                                                     \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fz_broken(__FILE__, __LINE__, (what));                                     \
	} while (0)
_Noreturn void fz_broken(const char *file, int line, const char *what);

#endif
