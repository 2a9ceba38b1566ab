/*
 * secret-source.h: read a PIN or PUK from where --pin-source, --puk-source
 * and friends say, never from the command line (other users read argv in ps).
 *
 *   fd:N      one line from file descriptor N, read byte by byte so that
 *             several secrets can follow each other on one descriptor
 *   env:VAR   the value of environment variable VAR, up to a line end
 *   file:PATH the first line of the file PATH
 *
 * A trailing CR/LF is dropped. Shared by the tools (tools/common) and the
 * virtual card's personalization (tools/vcard/perso).
 */
#ifndef EIMZA_SECRET_SOURCE_H
#define EIMZA_SECRET_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

/* One line from fd into out (cap bytes, NUL included); the line end is
 * dropped. 0; -1 when nothing could be read or the line does not fit (then
 * *too_long and out is wiped; reading stops at cap bytes, so a source that
 * never ends a line cannot hang the caller). */
int ez_read_secret_line(int fd, char *out, size_t cap, bool *too_long);

/* Is `source` a secret source that can be read, without reading it: the
 * form, fd:N open for reading, env:VAR set, file:PATH openable and not a
 * folder. Tools call it before they touch the card, so a typing mistake
 * costs nothing. 0, or -1 with a sentence in err. */
int ez_secret_source_check(const char *source, char *err, size_t errcap);

/* Read the secret named by `source` into out (checked as above first). 0, or -1 with a sentence in
 * err that never holds the secret. The caller wipes out with ez_wipe(). */
int ez_secret_source_read(const char *source, char *out, size_t cap, char *err, size_t errcap);

#endif
