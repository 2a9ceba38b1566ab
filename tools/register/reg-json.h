/*
 * reg-json.h: a small JSON tree, enough to merge an entry into a Firefox or
 * Thunderbird policies.json and write it back without losing anything else:
 * strings and numbers keep their text exactly as read, keys keep their
 * order.
 */
#ifndef EIMZA_REG_JSON_H
#define EIMZA_REG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum jtype { J_OBJ, J_ARR, J_STR, J_RAW };

struct jv {
	enum jtype t;
	char *text;        /* J_STR: the string with its quotes and escapes; J_RAW: the literal */
	size_t n;          /* members of an object or array */
	char **keys;       /* J_OBJ: each key with its quotes and escapes */
	struct jv **vals;  /* J_OBJ and J_ARR */
};

/* Parse a whole document. NULL on a syntax error (with the byte offset in *at). */
struct jv *jv_parse(const char *s, size_t len, size_t *at);
void jv_free(struct jv *v);
/* Write with two-space indentation and a final newline. 0 or -1. */
int jv_write(const struct jv *v, FILE *f);

struct jv *jv_new_obj(void);
struct jv *jv_new_str(const char *plain); /* escapes as JSON needs */
/* The member named `key` (plain text) of an object, or NULL. */
struct jv *jv_get(const struct jv *obj, const char *key);
/* Set (replace or append) the member `key` of an object; takes v. 0 or -1. */
int jv_set(struct jv *obj, const char *key, struct jv *v);
/* Remove the member `key`; true when it was there. */
bool jv_del(struct jv *obj, const char *key);
/* Remove from an array every string equal to `plain`; true when any was. */
bool jv_arr_del_str(struct jv *arr, const char *plain);
/* Does this J_STR equal `plain`? */
bool jv_str_is(const struct jv *v, const char *plain);

#endif
