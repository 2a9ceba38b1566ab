/* tool-json.c: a small streaming JSON writer for --json output. */
#include "config.h"

#include "tools/common/tool.h"

void ez_json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
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
