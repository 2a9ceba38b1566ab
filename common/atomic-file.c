/*
 * atomic-file.c: crash-safe file replacement (temporary file, fsync,
 * rename, fsync of the folder) and bounded whole-file reads.
 */
#include "config.h"

#include <eimza/atomic-file.h>
#include <eimza/secmem.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ez_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* 0 would loop for ever: a full disk can say it */
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void sync_folder(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int ez_atomic_writable(const char *path)
{
	size_t tlen = strlen(path) + sizeof(".tmp.XXXXXX");
	char *tmp = malloc(tlen);
	struct stat st;
	int fd, saved;

	if (!tmp)
		return -1;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		free(tmp);
		errno = EISDIR;
		return -1;
	}
	/* the very step ez_atomic_write() takes first, undone at once */
	snprintf(tmp, tlen, "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	saved = errno;
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	errno = saved;
	return fd >= 0 ? 0 : -1;
}

int ez_atomic_write(const char *path, const void *data, size_t len, unsigned mode)
{
	size_t tlen = strlen(path) + sizeof(".tmp.XXXXXX");
	char *tmp = malloc(tlen);
	int fd, saved;

	if (!tmp)
		return -1;
	snprintf(tmp, tlen, "%s.tmp.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || ez_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	free(tmp);
	sync_folder(path);
	return 0;
}

int ez_read_file(const char *path, size_t max, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char *buf = NULL;
	size_t used = 0, cap = 0;
	int saved;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n;
		if (used == cap) {
			unsigned char *p;
			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			/* Not realloc: the file may hold secrets (a virtual
			 * card's image holds its PINs), and realloc would leave
			 * the old copy in freed memory. */
			size_t grown = cap ? cap * 2 : 4096;
			p = malloc(grown + 1);
			if (!p)
				goto fail;
			if (used)
				memcpy(p, buf, used);
			if (buf)
				ez_wipe(buf, cap + 1);
			free(buf);
			buf = p;
			cap = grown;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		errno = EFBIG;
		goto fail;
	}
	close(fd);
	if (!buf && !(buf = malloc(1))) {
		return -1;
	}
	buf[used] = 0; /* convenient for text files; not counted in *len */
	*out = buf;
	*len = used;
	return 0;
fail:
	saved = errno;
	close(fd);
	if (buf)
		ez_wipe(buf, cap + 1);
	free(buf);
	errno = saved;
	return -1;
}
