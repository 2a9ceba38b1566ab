/*
 * onay-statement.c: build, check and parse the canonical statement.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eimza/utf8.h"
#include "tools/common/tool.h"
#include "tools/onay/onay-statement.h"

static const char *const kind_names[] = {"giris", "onay", "ret", "metin"};
static const char *const kind_texts[] = {ONAY_TEXT_LOGIN, ONAY_TEXT_APPROVE, ONAY_TEXT_DECLINE,
                                         NULL};

#define KEY_KIND "İşlem: "
#define KEY_TEXT "İmzalanacak Metin: "
#define KEY_CODE "Doğrulama Kodu: "
#define KEY_TIME "Oluşturma Tarihi: "

const char *onay_kind_name(enum onay_kind k)
{
	return (unsigned)k < 4 ? kind_names[k] : NULL;
}

const char *onay_kind_text(enum onay_kind k)
{
	return (unsigned)k < 4 ? kind_texts[k] : NULL;
}

const char *onay_problem_text(enum onay_problem p)
{
	switch (p) {
	case ONAY_OK:
		return _("no problem");
	case ONAY_CODE_LENGTH:
		return _("the verification code must have exactly 15 digits");
	case ONAY_CODE_CHARS:
		return _("the verification code may hold only digits (spaces or hyphens between "
		         "groups are allowed)");
	case ONAY_TEXT_EMPTY:
		return _("the text to sign is empty");
	case ONAY_TEXT_LONG:
		return _("the text to sign is longer than 1024 bytes");
	case ONAY_TEXT_UTF8:
		return _("the text to sign is not valid UTF-8");
	case ONAY_TEXT_CONTROL:
		return _("the text to sign holds a line break, a control character or a "
		         "direction-changing character");
	case ONAY_NOT_CANONICAL:
		return _("the signed content is not an eimza-onay statement in its canonical form");
	}
	return "?";
}

/* The length of a blank at p: ASCII space, tab, CR, LF, or the no-break
 * spaces a web page's copy may carry (U+00A0, U+202F); 0 for none. */
static size_t blank_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		return 1;
	if (strncmp(p, "\xc2\xa0", 2) == 0)
		return 2;
	if (strncmp(p, "\xe2\x80\xaf", 3) == 0)
		return 3;
	return 0;
}

/* Copy in without the blanks around it into out (cap bytes); false when it
 * does not fit. */
static bool trim_blanks(const char *in, char *out, size_t cap)
{
	size_t n, len;

	while ((n = blank_at(in)) > 0)
		in += n;
	len = strlen(in);
	for (bool cut = true; cut && len > 0;) {
		cut = false;
		for (n = 1; n <= 3 && n <= len; n++)
			if (blank_at(in + len - n) == n) {
				len -= n;
				cut = true;
				break;
			}
	}
	if (len >= cap)
		return false;
	memcpy(out, in, len);
	out[len] = 0;
	return true;
}

tckn_status onay_tckn_normalize(const char *in, char out[12])
{
	if (!in || !trim_blanks(in, out, 12))
		return TCKN_BAD_LENGTH;
	return tckn_check(out);
}

enum onay_problem onay_code_normalize(const char *in, char out[ONAY_CODE_DIGITS + 1])
{
	char trimmed[4 * ONAY_CODE_DIGITS + 1];
	size_t n = 0;
	bool sep_ok = false; /* a separator only between digits */
	out[0] = 0;
	if (!in)
		return ONAY_CODE_LENGTH;
	/* pasted from a page: the blanks around it are not part of the code */
	if (!trim_blanks(in, trimmed, sizeof trimmed))
		return ONAY_CODE_LENGTH;
	for (const char *p = trimmed; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == ONAY_CODE_DIGITS)
				return ONAY_CODE_LENGTH;
			out[n++] = *p;
			sep_ok = true;
		} else if ((*p == ' ' || *p == '-') && sep_ok && p[1] >= '0' && p[1] <= '9') {
			sep_ok = false;
		} else {
			out[0] = 0;
			return ONAY_CODE_CHARS;
		}
	}
	out[n] = 0;
	if (n != ONAY_CODE_DIGITS) {
		out[0] = 0;
		return ONAY_CODE_LENGTH;
	}
	return ONAY_OK;
}

enum onay_problem onay_text_check(const char *text)
{
	if (!text || !*text)
		return ONAY_TEXT_EMPTY;
	size_t len = strlen(text);
	if (len > ONAY_TEXT_MAX)
		return ONAY_TEXT_LONG;
	const unsigned char *p = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ez_utf8_next(p + i, len - i, &cp);
		if (n == 0)
			return ONAY_TEXT_UTF8;
		if (ez_utf8_hidden_control(cp))
			return ONAY_TEXT_CONTROL;
		i += n;
	}
	return ONAY_OK;
}

enum onay_problem onay_statement_init(struct onay_statement *st, enum onay_kind kind,
                                      const char *text, const char *code, time_t created)
{
	enum onay_problem p;
	memset(st, 0, sizeof *st);
	const char *fixed = onay_kind_text(kind);
	if ((unsigned)kind > ONAY_TEXT)
		return ONAY_NOT_CANONICAL;
	if (fixed && text && strcmp(fixed, text) != 0)
		return ONAY_NOT_CANONICAL;
	if (!fixed)
		fixed = text;
	if ((p = onay_text_check(fixed)) != ONAY_OK)
		return p;
	if ((p = onay_code_normalize(code, st->code)) != ONAY_OK)
		return p;
	st->kind = kind;
	memcpy(st->text, fixed, strlen(fixed) + 1);
	st->created = created;
	return ONAY_OK;
}

void onay_time_format(time_t t, char out[21])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		memcpy(out, "0000-00-00T00:00:00Z", 21);
		return;
	}
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int onay_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	size_t len = s ? strlen(s) : 0;
	memset(&tm, 0, sizeof tm);
	if (len > 1 && s[0] == '@') {
		char *end;
		if (!digits(s + 1, len - 1) || len > 16)
			return -1;
		*out = (time_t)strtoll(s + 1, &end, 10);
		return 0;
	}
	if (len != 10 && len != 19 && len != 20)
		return -1;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return -1;
	if (len > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' ||
		    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
			return -1;
		if (len == 20 && s[19] != 'Z')
			return -1;
		tm.tm_hour = atoi(s + 11);
		tm.tm_min = atoi(s + 14);
		tm.tm_sec = atoi(s + 17);
	}
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	struct tm check = tm;
	time_t t = timegm(&tm);
	/* timegm normalizes 2026-02-31 into March: refuse such dates */
	if (tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon)
		return -1;
	*out = t;
	return 0;
}

int onay_statement_encode(const struct onay_statement *st, unsigned char **out, size_t *len)
{
	char when[21];
	onay_time_format(st->created, when);
	const char *kind = onay_kind_name(st->kind);
	if (!kind)
		return -1;
	size_t cap = strlen(ONAY_FORMAT_LINE) + strlen(KEY_KIND) + strlen(kind) + strlen(KEY_TEXT) +
	             strlen(st->text) + strlen(KEY_CODE) + strlen(st->code) + strlen(KEY_TIME) +
	             strlen(when) + 6;
	char *b = malloc(cap);
	if (!b)
		return -1;
	int n = snprintf(b, cap, "%s\n%s%s\n%s%s\n%s%s\n%s%s\n", ONAY_FORMAT_LINE, KEY_KIND, kind,
	                 KEY_TEXT, st->text, KEY_CODE, st->code, KEY_TIME, when);
	if (n < 0 || (size_t)n >= cap) {
		free(b);
		return -1;
	}
	*out = (unsigned char *)b;
	*len = (size_t)n;
	return 0;
}

/* The value of line `key` at *p, up to the LF; advances *p past the LF. */
static bool take_line(const char **p, const char *end, const char *key, char *val, size_t cap)
{
	size_t kl = strlen(key);
	if ((size_t)(end - *p) < kl || memcmp(*p, key, kl) != 0)
		return false;
	const char *v = *p + kl;
	const char *lf = memchr(v, '\n', (size_t)(end - v));
	if (!lf || (size_t)(lf - v) >= cap)
		return false;
	memcpy(val, v, (size_t)(lf - v));
	val[lf - v] = 0;
	*p = lf + 1;
	return true;
}

enum onay_problem onay_statement_decode(const unsigned char *in, size_t len,
                                        struct onay_statement *st)
{
	char head[32], kind[16], text[ONAY_TEXT_MAX + 1], code[32], when[32];
	const char *p = (const char *)in, *end = p + len;
	memset(st, 0, sizeof *st);
	if (!in || memchr(in, 0, len))
		return ONAY_NOT_CANONICAL;
	if (!take_line(&p, end, "", head, sizeof head) || strcmp(head, ONAY_FORMAT_LINE) != 0 ||
	    !take_line(&p, end, KEY_KIND, kind, sizeof kind) ||
	    !take_line(&p, end, KEY_TEXT, text, sizeof text) ||
	    !take_line(&p, end, KEY_CODE, code, sizeof code) ||
	    !take_line(&p, end, KEY_TIME, when, sizeof when) || p != end)
		return ONAY_NOT_CANONICAL;
	int k = 0;
	while (k < 4 && strcmp(kind_names[k], kind) != 0)
		k++;
	time_t created;
	if (k == 4 || strlen(when) != 20 || onay_time_parse(when, &created) < 0)
		return ONAY_NOT_CANONICAL;
	/* a free text that equals a fixed one must be written with its kind */
	for (int f = 0; f < 3 && k == ONAY_TEXT; f++)
		if (strcmp(kind_texts[f], text) == 0)
			return ONAY_NOT_CANONICAL;
	if (onay_statement_init(st, (enum onay_kind)k, k == ONAY_TEXT ? text : NULL, code,
	                        created) != ONAY_OK ||
	    strcmp(st->text, text) != 0 || strcmp(st->code, code) != 0)
		goto bad;
	/* and writing it again must give the same bytes */
	unsigned char *again;
	size_t alen;
	if (onay_statement_encode(st, &again, &alen) < 0)
		goto bad;
	bool same = alen == len && memcmp(again, in, len) == 0;
	free(again);
	if (same)
		return ONAY_OK;
bad:
	memset(st, 0, sizeof *st);
	return ONAY_NOT_CANONICAL;
}
