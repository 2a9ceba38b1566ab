/*
 * atomic-file.h: replace a file so that a crash at any moment leaves
 * either the old content or the new, never a mix.
 */
#ifndef EIMZA_ATOMIC_FILE_H
#define EIMZA_ATOMIC_FILE_H

#include <stddef.h>

/* Write `data` to a temporary file beside `path`, fsync it, rename it over
 * `path` and fsync the folder. The new file gets `mode`. 0 on success; -1
 * with errno set, and `path` untouched, on failure. */
int ez_atomic_write(const char *path, const void *data, size_t len, unsigned mode);

/* Could ez_atomic_write() write `path`: is path not a folder, and can a
 * temporary file be made beside it (tried and removed)? For checks made
 * before an irreversible step. 0, or -1 with errno set. */
int ez_atomic_writable(const char *path);

/* Write all `len` bytes to fd despite short writes and EINTR. 0, or -1
 * (errno set by write, or unchanged when it wrote nothing). */
int ez_write_all(int fd, const void *data, size_t len);

/* Read a whole file, at most `max` bytes. 0 on success with *out malloc'd;
 * -1 with errno set (EFBIG when larger than `max`). */
int ez_read_file(const char *path, size_t max, unsigned char **out, size_t *len);

#endif
