/*
 * tool-json.c: a small streaming JSON writer for --json output. Every string
 * goes through ez_json_escape(), so the output is valid JSON whatever a
 * card, a certificate or a file put into the string.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "eimza/utf8.h"
#include "tools/common/tool.h"

void ez_json_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), i = 0, n;
	uint32_t cp;

	/* cut between characters, never inside one */
	len = ez_utf8_prefix((const char *)p, len, EZ_JSON_TEXT_MAX);
	fputc('"', f);
	for (; i < len; i += n) {
		n = ez_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			fputs("\\ufffd", f); /* invalid UTF-8: the replacement character */
			n = 1;
		} else if (cp == '"') {
			fputs("\\\"", f);
		} else if (cp == '\\') {
			fputs("\\\\", f);
		} else if (cp == '\n') {
			fputs("\\n", f);
		} else if (cp == '\r') {
			fputs("\\r", f);
		} else if (cp == '\t') {
			fputs("\\t", f);
		} else if (ez_utf8_hidden_control(cp)) {
			/* valid JSON either way; escaped, a reader that prints the
			 * value raw cannot be fooled by it */
			fprintf(f, "\\u%04x", (unsigned)cp);
		} else {
			fwrite(p + i, 1, n, f);
		}
	}
	fputc('"', f);
}

void ez_json_init(struct ez_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

/* Comma, newline, indentation and the key before a value. */
static void lead(struct ez_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		ez_json_escape(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_(struct ez_json *j, const char *key, char c)
{
	lead(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < EZ_JSON_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct ez_json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void ez_json_obj_begin(struct ez_json *j, const char *key)
{
	open_(j, key, '{');
}
void ez_json_obj_end(struct ez_json *j)
{
	close_(j, '}');
}
void ez_json_arr_begin(struct ez_json *j, const char *key)
{
	open_(j, key, '[');
}
void ez_json_arr_end(struct ez_json *j)
{
	close_(j, ']');
}

void ez_json_str(struct ez_json *j, const char *key, const char *val)
{
	lead(j, key);
	if (val)
		ez_json_escape(j->f, val);
	else
		fputs("null", j->f);
}

void ez_json_int(struct ez_json *j, const char *key, long long val)
{
	lead(j, key);
	fprintf(j->f, "%lld", val);
}

void ez_json_bool(struct ez_json *j, const char *key, bool val)
{
	lead(j, key);
	fputs(val ? "true" : "false", j->f);
}
