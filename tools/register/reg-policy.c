/*
 * reg-policy.c: Firefox's and Thunderbird's enterprise policies
 * (policies.json, "SecurityDevices"), which load a PKCS#11 module in every
 * profile of every user, present and future.
 *
 * The file is merged, never replaced: other policies, other security
 * devices and their order stay as they were. Firefox takes two forms of
 * SecurityDevices: {"Add": {name: path}, "Delete": [names]} and the older
 * {name: path}; an entry is written in the form the file already uses.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/tool.h"
#include "tools/register/reg-json.h"
#include "tools/register/register.h"

const struct reg_policy reg_policies[] = {
    {"Firefox", "/etc/firefox/policies/policies.json"},
    {"Thunderbird", "/etc/thunderbird/policies/policies.json"},
};
const int reg_npolicies = sizeof reg_policies / sizeof *reg_policies;

#define MAX_FILE (4 << 20)

/* Read root+file. 1 and *doc when read, 0 when missing (*doc NULL), -1 on
 * an error (msg). */
static int load(const char *path, struct jv **doc, char *msg, size_t cap)
{
	*doc = NULL;
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(msg, cap, _("cannot read %s: %s"), path, strerror(errno));
		return -1;
	}
	char *buf = malloc(MAX_FILE + 1);
	size_t len = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	bool err = !buf || ferror(f) || len > MAX_FILE;
	fclose(f);
	if (err) {
		snprintf(msg, cap, _("cannot read %s: %s"), path,
		         len > MAX_FILE ? _("file too large") : strerror(errno));
		free(buf);
		return -1;
	}
	size_t at = 0;
	*doc = jv_parse(buf, len, &at);
	free(buf);
	if (!*doc || (*doc)->t != J_OBJ) {
		snprintf(msg, cap,
		         _("%s is not valid JSON (near byte %zu): it was left unchanged; correct it "
		           "first."),
		         path, at);
		jv_free(*doc);
		*doc = NULL;
		return -2;
	}
	return 1;
}

static int mkparents(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0755) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return 0;
}

/* Write atomically: a new file next to it, then rename. */
static enum reg_result save(const char *path, const struct jv *doc, char *msg, size_t cap)
{
	char tmp[PATH_MAX + 16];
	struct stat st;
	mode_t mode = stat(path, &st) == 0 ? st.st_mode & 07777 : 0644;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if (mkparents(path) != 0)
		goto fail;
	int fd = mkstemp(tmp);
	if (fd < 0)
		goto fail;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	bool bad = jv_write(doc, f) != 0;
	bad = fflush(f) != 0 || bad;
	bad = fsync(fileno(f)) != 0 || bad;
	bad = fclose(f) != 0 || bad;
	if (bad || chmod(tmp, mode) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		goto fail;
	}
	return REG_DONE;
fail:
	snprintf(msg, cap, _("cannot write %s: %s"), path, strerror(errno));
	return REG_FAILED;
}

static void full(const char *root, const struct reg_policy *p, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", root ? root : "", p->file);
}

/* The legacy form has members other than Add and Delete. */
static bool legacy(const struct jv *sd)
{
	for (size_t i = 0; i < sd->n; i++)
		if (strcmp(sd->keys[i], "\"Add\"") && strcmp(sd->keys[i], "\"Delete\""))
			return true;
	return false;
}

int reg_policy_state(const char *root, const struct reg_policy *p, char *lib, size_t cap)
{
	char path[PATH_MAX], msg[256];
	struct jv *doc;
	full(root, p, path, sizeof path);
	int r = load(path, &doc, msg, sizeof msg);
	if (r <= 0)
		return r == 0 ? -1 : -2;
	struct jv *sd = jv_get(jv_get(doc, "policies"), "SecurityDevices");
	struct jv *v = jv_get(jv_get(sd, "Add"), REG_NAME);
	if (!v && sd && legacy(sd))
		v = jv_get(sd, REG_NAME);
	int known = v && v->t == J_STR;
	if (known && lib) { /* the path, unquoted (paths need no escapes) */
		snprintf(lib, cap, "%s", v->text + 1);
		lib[strcspn(lib, "\"")] = 0;
	}
	jv_free(doc);
	return known;
}

enum reg_result reg_policy_add(const char *root, const struct reg_policy *p, const char *library,
                               char *msg, size_t cap)
{
	char path[PATH_MAX];
	struct jv *doc;
	full(root, p, path, sizeof path);
	int r = load(path, &doc, msg, cap);
	if (r < 0)
		return REG_FAILED;
	if (!doc && !(doc = jv_new_obj()))
		goto oom;
	struct jv *pol = jv_get(doc, "policies");
	if (pol && pol->t != J_OBJ) {
		snprintf(msg, cap, _("%s: \"policies\" is not an object: left unchanged."), path);
		jv_free(doc);
		return REG_FAILED;
	}
	if (!pol && (!(pol = jv_new_obj()) || jv_set(doc, "policies", pol) != 0))
		goto oom;
	struct jv *sd = jv_get(pol, "SecurityDevices");
	if (sd && sd->t != J_OBJ) {
		snprintf(msg, cap, _("%s: \"SecurityDevices\" is not an object: left unchanged."),
		         path);
		jv_free(doc);
		return REG_FAILED;
	}
	if (!sd && (!(sd = jv_new_obj()) || jv_set(pol, "SecurityDevices", sd) != 0))
		goto oom;
	struct jv *target = sd;
	if (!legacy(sd)) {
		target = jv_get(sd, "Add");
		if (target && target->t != J_OBJ) {
			snprintf(msg, cap, _("%s: \"Add\" is not an object: left unchanged."), path);
			jv_free(doc);
			return REG_FAILED;
		}
		if (!target && (!(target = jv_new_obj()) || jv_set(sd, "Add", target) != 0))
			goto oom;
	}
	bool deleted = jv_arr_del_str(jv_get(sd, "Delete"), REG_NAME);
	struct jv *have = jv_get(target, REG_NAME);
	if (r == 1 && !deleted && have && jv_str_is(have, library)) {
		jv_free(doc);
		return REG_ALREADY;
	}
	struct jv *v = jv_new_str(library);
	if (!v || jv_set(target, REG_NAME, v) != 0)
		goto oom;
	enum reg_result res = save(path, doc, msg, cap);
	jv_free(doc);
	return res;
oom:
	jv_free(doc);
	snprintf(msg, cap, "%s", _("out of memory"));
	return REG_FAILED;
}

enum reg_result reg_policy_remove(const char *root, const struct reg_policy *p, char *msg,
                                  size_t cap)
{
	char path[PATH_MAX];
	struct jv *doc;
	full(root, p, path, sizeof path);
	int r = load(path, &doc, msg, cap);
	if (r < 0)
		return REG_FAILED;
	if (r == 0)
		return REG_ALREADY;
	struct jv *pol = jv_get(doc, "policies");
	struct jv *sd = jv_get(pol, "SecurityDevices");
	struct jv *add = jv_get(sd, "Add");
	bool hit = jv_del(add, REG_NAME);
	if (sd && legacy(sd))
		hit = jv_del(sd, REG_NAME) || hit;
	if (!hit) {
		jv_free(doc);
		return REG_ALREADY;
	}
	if (add && add->n == 0)
		jv_del(sd, "Add");
	if (sd && sd->n == 0)
		jv_del(pol, "SecurityDevices");
	enum reg_result res;
	if (doc->n == 1 && pol && pol->t == J_OBJ && pol->n == 0) {
		/* nothing left: the file goes, and its folders when empty */
		res = unlink(path) == 0 ? REG_DONE : REG_FAILED;
		if (res == REG_FAILED)
			snprintf(msg, cap, _("cannot remove %s: %s"), path, strerror(errno));
		char d[PATH_MAX];
		snprintf(d, sizeof d, "%s", path);
		for (int i = 0; i < 2; i++) { /* .../policies, then /etc/firefox */
			char *s = strrchr(d, '/');
			if (!s)
				break;
			*s = 0;
			if (rmdir(d) != 0)
				break;
		}
	} else {
		res = save(path, doc, msg, cap);
	}
	jv_free(doc);
	return res;
}
