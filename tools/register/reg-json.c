/*
 * reg-json.c: parse, edit and write a JSON document (see reg-json.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/register/reg-json.h"

#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
};

static void ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static struct jv *alloc(enum jtype t)
{
	struct jv *v = calloc(1, sizeof *v);
	if (v)
		v->t = t;
	return v;
}

/* A string token: from the opening to the closing quote, escapes checked. */
static char *string_token(struct parser *p)
{
	size_t start = p->pos++;
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return strndup(p->s + start, p->pos - start);
		}
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p->pos >= p->len || !strchr("\"\\/bfnrtu", p->s[p->pos]))
				return NULL;
		}
		p->pos++;
	}
	return NULL;
}

static struct jv *value(struct parser *p, int depth);

static int push(struct jv *c, char *key, struct jv *v)
{
	char **k = c->keys;
	if (c->t == J_OBJ && !(k = realloc(c->keys, (c->n + 1) * sizeof *k)))
		return -1;
	c->keys = k;
	struct jv **vs = realloc(c->vals, (c->n + 1) * sizeof *vs);
	if (!vs)
		return -1;
	c->vals = vs;
	if (c->t == J_OBJ)
		c->keys[c->n] = key;
	c->vals[c->n++] = v;
	return 0;
}

static struct jv *container(struct parser *p, int depth, bool obj)
{
	struct jv *c = alloc(obj ? J_OBJ : J_ARR);
	char close = obj ? '}' : ']';
	if (!c)
		return NULL;
	p->pos++;
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return c;
	}
	for (;;) {
		char *key = NULL;
		ws(p);
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"' || !(key = string_token(p)))
				goto bad;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				goto bad;
			}
			p->pos++;
		}
		struct jv *v = value(p, depth + 1);
		if (!v || push(c, key, v) != 0) {
			free(key);
			jv_free(v);
			goto bad;
		}
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return c;
		}
		goto bad;
	}
bad:
	jv_free(c);
	return NULL;
}

static struct jv *value(struct parser *p, int depth)
{
	ws(p);
	if (p->pos >= p->len || depth > MAX_DEPTH)
		return NULL;
	char c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		struct jv *v = alloc(J_STR);
		if (v && !(v->text = string_token(p))) {
			free(v);
			return NULL;
		}
		return v;
	}
	size_t start = p->pos;
	while (p->pos < p->len && strchr("+-.0123456789eEtruefalsn", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
	size_t l = p->pos - start;
	const char *t = p->s + start;
	bool num = l > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9'));
	if (!num && !(l == 4 && !strncmp(t, "true", 4)) && !(l == 5 && !strncmp(t, "false", 5)) &&
	    !(l == 4 && !strncmp(t, "null", 4)))
		return NULL;
	struct jv *v = alloc(J_RAW);
	if (v && !(v->text = strndup(t, l))) {
		free(v);
		return NULL;
	}
	return v;
}

struct jv *jv_parse(const char *s, size_t len, size_t *at)
{
	struct parser p = {s, len, 0};
	struct jv *v = value(&p, 0);
	ws(&p);
	if (v && p.pos != len) {
		jv_free(v);
		v = NULL;
	}
	if (at)
		*at = p.pos;
	return v;
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jv_free(v->vals[i]);
	}
	free(v->keys);
	free(v->vals);
	free(v->text);
	free(v);
}

static int write_v(const struct jv *v, FILE *f, int ind)
{
	switch (v->t) {
	case J_STR:
	case J_RAW:
		return fputs(v->text, f) < 0 ? -1 : 0;
	case J_OBJ:
	case J_ARR:
		if (v->n == 0)
			return fputs(v->t == J_OBJ ? "{}" : "[]", f) < 0 ? -1 : 0;
		fputc(v->t == J_OBJ ? '{' : '[', f);
		for (size_t i = 0; i < v->n; i++) {
			fprintf(f, "%s\n%*s", i ? "," : "", 2 * (ind + 1), "");
			if (v->t == J_OBJ)
				fprintf(f, "%s: ", v->keys[i]);
			if (write_v(v->vals[i], f, ind + 1) != 0)
				return -1;
		}
		fprintf(f, "\n%*s%c", 2 * ind, "", v->t == J_OBJ ? '}' : ']');
		return ferror(f) ? -1 : 0;
	}
	return -1;
}

int jv_write(const struct jv *v, FILE *f)
{
	if (write_v(v, f, 0) != 0)
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

struct jv *jv_new_obj(void)
{
	return alloc(J_OBJ);
}

static char *quote(const char *plain)
{
	size_t l = strlen(plain);
	char *q = malloc(6 * l + 3), *o = q;
	if (!q)
		return NULL;
	*o++ = '"';
	for (const unsigned char *c = (const unsigned char *)plain; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*o++ = '\\';
			*o++ = (char)*c;
		} else if (*c < 0x20) {
			o += sprintf(o, "\\u%04x", *c);
		} else {
			*o++ = (char)*c;
		}
	}
	*o++ = '"';
	*o = 0;
	return q;
}

struct jv *jv_new_str(const char *plain)
{
	struct jv *v = alloc(J_STR);
	if (v && !(v->text = quote(plain))) {
		free(v);
		return NULL;
	}
	return v;
}

static bool raw_is(const char *raw, const char *plain)
{
	char *q = quote(plain);
	bool eq = q && raw && strcmp(raw, q) == 0;
	free(q);
	return eq;
}

bool jv_str_is(const struct jv *v, const char *plain)
{
	return v && v->t == J_STR && raw_is(v->text, plain);
}

struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->t != J_OBJ)
		return NULL;
	for (size_t i = obj->n; i-- > 0;) /* the last one wins, as in JavaScript */
		if (raw_is(obj->keys[i], key))
			return obj->vals[i];
	return NULL;
}

int jv_set(struct jv *obj, const char *key, struct jv *v)
{
	for (size_t i = obj->n; i-- > 0;)
		if (raw_is(obj->keys[i], key)) {
			jv_free(obj->vals[i]);
			obj->vals[i] = v;
			return 0;
		}
	char *k = quote(key);
	if (!k || push(obj, k, v) != 0) {
		free(k);
		return -1;
	}
	return 0;
}

static void remove_at(struct jv *c, size_t i)
{
	if (c->keys) {
		free(c->keys[i]);
		memmove(c->keys + i, c->keys + i + 1, (c->n - i - 1) * sizeof *c->keys);
	}
	jv_free(c->vals[i]);
	memmove(c->vals + i, c->vals + i + 1, (c->n - i - 1) * sizeof *c->vals);
	c->n--;
}

bool jv_del(struct jv *obj, const char *key)
{
	bool hit = false;
	if (!obj || obj->t != J_OBJ)
		return false;
	for (size_t i = obj->n; i-- > 0;)
		if (raw_is(obj->keys[i], key)) {
			remove_at(obj, i);
			hit = true;
		}
	return hit;
}

bool jv_arr_del_str(struct jv *arr, const char *plain)
{
	bool hit = false;
	if (!arr || arr->t != J_ARR)
		return false;
	for (size_t i = arr->n; i-- > 0;)
		if (jv_str_is(arr->vals[i], plain)) {
			remove_at(arr, i);
			hit = true;
		}
	return hit;
}
