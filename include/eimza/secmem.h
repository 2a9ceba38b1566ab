/*
 * secmem.h: handling secrets (PINs, PUKs, key material) in memory.
 *
 * A PIN or PUK lives in as few buffers as possible and each one is wiped
 * with ez_wipe() as soon as it is no longer needed, on every exit path.
 */
#ifndef EIMZA_SECMEM_H
#define EIMZA_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite with zeros in a way the compiler may not remove. */
void ez_wipe(void *p, size_t len);
/* Compare two equal-length buffers in time independent of their content. */
bool ez_ct_equal(const void *a, const void *b, size_t len);

#endif
