/*
 * perso-secret.h: read a PIN or PUK from where --pin-source/--puk-source
 * say, never from the command line.
 *
 *   fd:N      one line from file descriptor N (read byte by byte, so the
 *             PIN and the PUK can come as two lines of the same fd)
 *   env:VAR   the value of environment variable VAR
 *   file:PATH the first line of the file PATH
 *
 * A trailing CR/LF is dropped. The value must be digits (the profile's PINs
 * are numeric) of a length the profile allows.
 */
#ifndef EIMZA_PERSO_SECRET_H
#define EIMZA_PERSO_SECRET_H

#include <stddef.h>

#define PERSO_SECRET_MAX 64

/* `what` names the secret in messages ("PIN", "PUK"). On success 0, the
 * value NUL-terminated in `out` (cap >= PERSO_SECRET_MAX + 1) and its
 * length in *len; on failure -1 with a message in `err` that never holds
 * the secret. The caller wipes `out` with ez_wipe(). */
int perso_read_secret(const char *src, const char *what, unsigned min_len, unsigned max_len,
                      char *out, size_t cap, size_t *len, char *err, size_t errlen);

#endif
