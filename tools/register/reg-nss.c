/*
 * reg-nss.c: eimza in and out of one NSS database, through NSS's own
 * modutil and certutil (libnss3-tools).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/common/tool-p11kit.h"
#include "tools/common/tool.h"
#include "tools/register/register.h"

extern char **environ;

/* Run argv (no shell); its output (the first cap-1 bytes) goes to out.
 * The exit status, or -1 when it could not run (errno kept). */
static int run(char *const argv[], char *out, size_t cap)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (e != 0) {
		close(fd[0]);
		errno = e;
		return -1;
	}
	size_t used = 0;
	char buf[512];
	ssize_t r;
	while ((r = read(fd[0], buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR)) {
		if (r <= 0)
			continue;
		size_t take = used + 1 < cap ? cap - 1 - used : 0;
		if ((size_t)r < take)
			take = (size_t)r;
		memcpy(out + used, buf, take);
		used += take;
	}
	if (cap)
		out[used] = 0;
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The NSS tools are in libnss3-tools. */
static void tool_missing(const char *tool, char *msg, size_t cap)
{
	snprintf(msg, cap, _("%s was not found: install NSS's tools (Debian, Ubuntu: apt install "
	                     "libnss3-tools; Fedora: dnf install nss-tools; Arch: pacman -S nss)."),
	         tool);
}

static void last_line(const char *out, char *line, size_t cap)
{
	const char *end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > out && start[-1] != '\n')
		start--;
	/* modutil's words, made safe and cut between characters */
	ez_terminal_text(line, cap, start, (size_t)(end - start));
}

/* root working in a user's home: what it creates there stays the user's. */
static void keep_owner(const char *dir, const char *home)
{
	struct stat hs;
	if (geteuid() != 0 || !home || stat(home, &hs) != 0 || hs.st_uid == 0)
		return;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 300];
	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
				if (lchown(p, hs.st_uid, hs.st_gid) != 0)
					continue;
			}
		closedir(d);
	}
	/* the folder and its parents up to the home folder (~/.pki/nssdb) */
	snprintf(p, sizeof p, "%s", dir);
	size_t hl = strlen(home);
	while (strlen(p) > hl && strncmp(p, home, hl) == 0 && p[hl] == '/') {
		struct stat st;
		if (stat(p, &st) == 0 && st.st_uid == 0 && lchown(p, hs.st_uid, hs.st_gid) != 0)
			break;
		char *slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = 0;
	}
}

static int mkdirs(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static bool same_library(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];
	if (strcmp(a, b) == 0)
		return true;
	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

static bool in_use(const struct ez_nssdb *d, const char *home, char *msg, size_t cap)
{
	if (!ez_nssdb_in_use(d, home))
		return false;
	snprintf(msg, cap, _("%s is running with this profile: close it and run eimza-register again."),
	         d->app);
	return true;
}

static enum reg_result modutil(const char *dir, const char *verb, const char *name,
                               const char *library, char *msg, size_t cap)
{
	char db[PATH_MAX + 8], out[4096], line[512];
	snprintf(db, sizeof db, "sql:%s", dir);
	char *add[] = {"modutil", "-dbdir", db, "-add", (char *)name, "-libfile", (char *)library,
	               "-force", NULL};
	char *del[] = {"modutil", "-dbdir", db, "-delete", (char *)name, "-force", NULL};
	int st = run(strcmp(verb, "add") == 0 ? add : del, out, sizeof out);
	if (st < 0) {
		tool_missing("modutil", msg, cap);
		return REG_FAILED;
	}
	if (st != 0) {
		last_line(out, line, sizeof line);
		snprintf(msg, cap, _("modutil failed: %s"), line);
		return REG_FAILED;
	}
	return REG_DONE;
}

enum reg_result reg_nss_add(const struct ez_nssdb *d, const char *home, const char *library,
                            char *msg, size_t cap)
{
	struct ez_nss_module m[64];
	if (in_use(d, home, msg, cap))
		return REG_SKIPPED;
	if (d->missing) { /* Chromium's database, not created yet: as Chromium would */
		char db[PATH_MAX + 8], out[2048], line[512];
		snprintf(db, sizeof db, "sql:%s", d->dir);
		char *argv[] = {"certutil", "-N", "-d", db, "--empty-password", NULL};
		if (mkdirs(d->dir) != 0) {
			snprintf(msg, cap, _("cannot create %s: %s"), d->dir, strerror(errno));
			return REG_FAILED;
		}
		int st = run(argv, out, sizeof out);
		if (st < 0) {
			tool_missing("certutil", msg, cap);
			return REG_FAILED;
		}
		if (st != 0) {
			last_line(out, line, sizeof line);
			snprintf(msg, cap, _("certutil failed: %s"), line);
			return REG_FAILED;
		}
	}
	int n = ez_nssdb_modules(d->dir, m, 64);
	for (int i = 0; i < n && i < 64; i++)
		if (m[i].library[0] && same_library(m[i].library, library)) {
			keep_owner(d->dir, home);
			return REG_ALREADY;
		}
	enum reg_result r = REG_DONE;
	for (int i = 0; i < n && i < 64 && r == REG_DONE; i++) /* our name, another library */
		if (strcmp(m[i].name, REG_NAME) == 0)
			r = modutil(d->dir, "delete", REG_NAME, NULL, msg, cap);
	if (r == REG_DONE)
		r = modutil(d->dir, "add", REG_NAME, library, msg, cap);
	keep_owner(d->dir, home);
	return r;
}

enum reg_result reg_nss_remove(const struct ez_nssdb *d, const char *home, const char *library,
                               char *msg, size_t cap)
{
	struct ez_nss_module m[64];
	if (d->missing)
		return REG_ALREADY;
	int n = ez_nssdb_modules(d->dir, m, 64);
	bool any = false;
	for (int i = 0; i < n && i < 64; i++)
		any = any || (m[i].library[0] &&
		              (strcmp(m[i].name, REG_NAME) == 0 ||
		               ez_library_is(m[i].library, EZ_MODULE_FILE) ||
		               (library && same_library(m[i].library, library))));
	if (!any)
		return REG_ALREADY;
	if (in_use(d, home, msg, cap))
		return REG_SKIPPED;
	enum reg_result r = REG_DONE;
	for (int i = 0; i < n && i < 64 && r == REG_DONE; i++)
		if (m[i].library[0] &&
		    (strcmp(m[i].name, REG_NAME) == 0 || ez_library_is(m[i].library, EZ_MODULE_FILE) ||
		     (library && same_library(m[i].library, library))))
			r = modutil(d->dir, "delete", m[i].name, NULL, msg, cap);
	keep_owner(d->dir, home);
	return r;
}
