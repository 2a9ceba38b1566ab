/*
 * cache-store.c: where cache entries live and how they are read and
 * replaced. Every step works on a descriptor of the cache folder, opened
 * without following a symbolic link and checked once (a folder of this
 * user, writable by nobody else), so that nothing can be swapped under
 * the module between the check and the use. A file is replaced by a
 * temporary file of its own, written, fsync'ed and renamed over it: two
 * processes that store the same card at once each rename a complete file,
 * and a reader opens either the one or the other.
 */
#include "config.h"

#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <eimza/atomic-file.h>
#include <eimza/hex.h>

/* -1: the configuration file said nothing; set in C_Initialize, read by
 * every thread that opens a token. */
static atomic_int file_setting = -1;
/* Temporary file names of this process (with its pid and random bytes). */
static atomic_uint tmp_counter;

void ez_cache_configure(int on)
{
	atomic_store(&file_setting, on < 0 ? -1 : on != 0);
}

/* The same words the configuration file's other switches take. */
static bool yes(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	       strcasecmp(v, "on") == 0;
}

bool ez_cache_enabled(void)
{
	const char *v = secure_getenv("EIMZA_CACHE");

	if (v && *v)
		return yes(v);
	return atomic_load(&file_setting) != 0;
}

ez_err ez_cache_dir(char *out, size_t cap)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");
	int n;

	/* The XDG base directory rules: a relative XDG_CACHE_HOME is ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(out, cap, "%s/eimza", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, cap, "%s/.cache/eimza", home);
	else
		return EZ_ERR_NOT_FOUND;
	return n > 0 && (size_t)n < cap ? EZ_OK : EZ_ERR_NOT_FOUND;
}

void ez_cache_file_name(const struct ez_cache_key *key, char *out, size_t cap)
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	char serial[2 * EZ_SERIAL_MAX + 1], atr[2 * 8 + 1];

	SHA256(key->atr, key->atr_len, h);
	ez_hex_encode(key->serial, key->serial_len, serial);
	ez_hex_encode(h, 8, atr);
	snprintf(out, cap, "%s-%s.der", serial, atr);
}

/* The folders above the cache folder, made as the XDG rules say (0700)
 * when missing. */
static void make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(path, 0700);
		*p = '/';
	}
}

/* The cache folder, opened and checked: a folder (not a link to one) of
 * this user that nobody else can write. One another user could read is
 * closed to them (it is ours to change). With `create` it is made when
 * missing. -1 when it cannot be used. */
static int open_dir(bool create)
{
	char path[4096];
	struct stat st;
	int fd;

	if (ez_cache_dir(path, sizeof(path)) != EZ_OK)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		make_parents(path);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static ez_err read_entry(int dfd, const char *name, uint8_t **out, size_t *out_len)
{
	struct stat st;
	uint8_t *buf;
	size_t used = 0;
	int fd;

	/* O_NONBLOCK: a FIFO in its place must not hang the module. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return EZ_ERR_NOT_FOUND;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || st.st_size <= 0 ||
	    st.st_size > EZ_CACHE_FILE_MAX) {
		close(fd);
		return EZ_ERR_NOT_FOUND;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return EZ_ERR_NO_MEMORY;
	}
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used != (size_t)st.st_size) {
		free(buf);
		return EZ_ERR_NOT_FOUND;
	}
	*out = buf;
	*out_len = used;
	return EZ_OK;
}

ez_err ez_cache_load(const struct ez_cache_key *key, struct ez_p15_app *app)
{
	char name[128];
	uint8_t *buf = NULL;
	size_t len = 0;
	int dfd = open_dir(false);
	ez_err e;

	memset(app, 0, sizeof(*app));
	if (dfd < 0)
		return EZ_ERR_NOT_FOUND;
	ez_cache_file_name(key, name, sizeof(name));
	e = read_entry(dfd, name, &buf, &len);
	close(dfd);
	if (e != EZ_OK)
		return EZ_ERR_NOT_FOUND;
	e = ez_cache_decode(key, buf, len, app);
	free(buf);
	return e == EZ_OK ? EZ_OK : EZ_ERR_NOT_FOUND;
}

/* A temporary file beside the entry, new (O_EXCL) and of this user only. */
static int make_temp(int dfd, const char *name, char *tmp, size_t cap)
{
	for (int tries = 0; tries < 8; tries++) {
		uint8_t rnd[4] = {0};
		char hex[9];
		int fd;
		(void)RAND_bytes(rnd, sizeof(rnd)); /* the counter alone keeps names apart */
		ez_hex_encode(rnd, sizeof(rnd), hex);
		snprintf(tmp, cap, ".%s.%ld.%u.%s.tmp", name, (long)getpid(),
			 atomic_fetch_add(&tmp_counter, 1), hex);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

ez_err ez_cache_store(const struct ez_cache_key *key, const struct ez_p15_app *app)
{
	char name[128], tmp[256];
	uint8_t *buf = NULL;
	size_t len = 0;
	int dfd, fd;
	ez_err e;

	e = ez_cache_encode(key, app, &buf, &len);
	if (e != EZ_OK)
		return e;
	dfd = open_dir(true);
	if (dfd < 0) {
		free(buf);
		return EZ_ERR_NOT_FOUND;
	}
	ez_cache_file_name(key, name, sizeof(name));
	fd = make_temp(dfd, name, tmp, sizeof(tmp));
	if (fd < 0) {
		free(buf);
		close(dfd);
		return EZ_ERR_NOT_FOUND;
	}
	e = ez_write_all(fd, buf, len) == 0 && fsync(fd) == 0 ? EZ_OK : EZ_ERR_NOT_FOUND;
	if (close(fd) < 0)
		e = EZ_ERR_NOT_FOUND;
	if (e == EZ_OK && renameat(dfd, tmp, dfd, name) < 0)
		e = EZ_ERR_NOT_FOUND;
	if (e != EZ_OK)
		(void)unlinkat(dfd, tmp, 0);
	else
		(void)fsync(dfd); /* the rename itself, on disk */
	close(dfd);
	free(buf);
	return e;
}

void ez_cache_forget(const struct ez_cache_key *key)
{
	char name[128];
	int dfd = open_dir(false);

	if (dfd < 0)
		return;
	ez_cache_file_name(key, name, sizeof(name));
	(void)unlinkat(dfd, name, 0);
	close(dfd);
}
