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

/* A copy of a secret that must outlive a call (the PUK of an SO login on
 * cards whose unblock command carries it): pages of its own, locked in RAM
 * and left out of core dumps. NULL when out of memory. Freed, and wiped
 * first, by ez_secret_free with the same length. */
void *ez_secret_dup(const void *p, size_t len);
/* The same pages, zeroed, for a structure that will hold secrets (the
 * virtual card's state, a buffer receiving APDUs). */
void *ez_secret_alloc(size_t len);
void ez_secret_free(void *p, size_t len);

/* For a program about to hold a PIN in ordinary memory (a tool's stack
 * buffer, the terminal's line): no core file from this process from now
 * on, as ssh-agent does (PR_SET_DUMPABLE 0 and a core size limit of 0,
 * soft and hard). Not for the module: it runs inside applications whose
 * dumps are theirs to decide, and keeps its secrets in ez_secret_alloc
 * pages instead. */
void ez_no_core_dumps(void);

#endif
