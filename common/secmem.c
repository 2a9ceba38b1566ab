/*
 * secmem.c: wiping secrets, comparing them in constant time, and pages
 * for them that stay out of swap and core files.
 */
#include "config.h"

#include <eimza/secmem.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

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

/* Secrets get whole pages of their own: mlock keeps them out of swap and
 * MADV_DONTDUMP out of core files, both of which work on pages. */
static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);
	return n > 0 ? (size_t)n : 4096;
}

static size_t rounded(size_t len)
{
	size_t pg = page_size();
	return (len + pg - 1) / pg * pg;
}

void *ez_secret_alloc(size_t len)
{
	size_t n = rounded(len ? len : 1);
	void *q = NULL;

	if (posix_memalign(&q, page_size(), n) != 0)
		return NULL;
	(void)mlock(q, n);                  /* best effort: RLIMIT_MEMLOCK may refuse */
	(void)madvise(q, n, MADV_DONTDUMP); /* never in a core file */
	memset(q, 0, n);
	return q;
}

void *ez_secret_dup(const void *p, size_t len)
{
	void *q = ez_secret_alloc(len);

	if (q && len)
		memcpy(q, p, len);
	return q;
}

void ez_secret_free(void *p, size_t len)
{
	size_t n = rounded(len ? len : 1);

	if (!p)
		return;
	ez_wipe(p, n);
	(void)madvise(p, n, MADV_DODUMP);
	(void)munlock(p, n);
	free(p);
}

void ez_no_core_dumps(void)
{
	struct rlimit none = {0, 0};

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &none);
}
