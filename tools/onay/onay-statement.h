/*
 * onay-statement.h: the statement eimza-onay signs, in one canonical form.
 *
 * The signed content is UTF-8 text, five lines, each ended by LF:
 *
 *   eimza-onay/1
 *   İşlem: giris                 (giris | onay | ret | metin)
 *   İmzalanacak Metin: <text>
 *   Doğrulama Kodu: <15 digits>
 *   Oluşturma Tarihi: YYYY-MM-DDTHH:MM:SSZ
 *
 * There is exactly one way to write a given statement, so the verifier
 * parses the content and requires that writing it again gives the same
 * bytes; anything else (extra spaces, CRLF, another order) is refused.
 * docs/onay.md documents the form.
 */
#ifndef EIMZA_ONAY_STATEMENT_H
#define EIMZA_ONAY_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eimza/tckn.h"

#define ONAY_FORMAT_LINE "eimza-onay/1"
#define ONAY_CODE_DIGITS 15
#define ONAY_TEXT_MAX 1024 /* bytes of UTF-8 */
#define ONAY_DEFAULT_WINDOW 300

/* The texts Kamu SM's flow has the holder sign. */
#define ONAY_TEXT_LOGIN "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum."
#define ONAY_TEXT_APPROVE "KABUL EDİYORUM"
#define ONAY_TEXT_DECLINE "KABUL ETMİYORUM"

enum onay_kind {
	ONAY_LOGIN,   /* e-imzalı giriş */
	ONAY_APPROVE, /* e-onay: KABUL EDİYORUM */
	ONAY_DECLINE, /* e-onay: KABUL ETMİYORUM */
	ONAY_TEXT,    /* another statement (--text) */
};

struct onay_statement {
	enum onay_kind kind;
	char text[ONAY_TEXT_MAX + 1];
	char code[ONAY_CODE_DIGITS + 1];
	time_t created;
};

/* "giris", "onay", "ret", "metin"; NULL for an unknown kind. */
const char *onay_kind_name(enum onay_kind k);
/* The fixed text of a kind; NULL for ONAY_TEXT. */
const char *onay_kind_text(enum onay_kind k);

/* Why a piece of input was refused (onay_problem_text() says it in words). */
enum onay_problem {
	ONAY_OK = 0,
	ONAY_CODE_LENGTH,     /* not 15 digits */
	ONAY_CODE_CHARS,      /* a character other than a digit (or a space/hyphen between) */
	ONAY_TEXT_EMPTY,
	ONAY_TEXT_LONG,
	ONAY_TEXT_UTF8,       /* not valid UTF-8 */
	ONAY_TEXT_CONTROL,    /* line break, control or bidirectional-override character */
	ONAY_NOT_CANONICAL,   /* content is not a statement in the canonical form */
};
const char *onay_problem_text(enum onay_problem p);

/* Normalize a verification code: digits, optionally grouped with spaces or
 * hyphens as a web page shows them ("123 456 789 012 345"), with any blanks
 * around it (spaces, tabs, line ends, no-break spaces: a paste brings them)
 * dropped. out gets the 15 digits. */
enum onay_problem onay_code_normalize(const char *in, char out[ONAY_CODE_DIGITS + 1]);
/* A T.C. Kimlik No as given on the command line: the blanks around it
 * dropped, then tckn_check(). out gets the 11 digits when TCKN_OK. */
tckn_status onay_tckn_normalize(const char *in, char out[12]);
/* A text that can be signed: 1..ONAY_TEXT_MAX bytes of valid UTF-8 without
 * a hidden control (ez_utf8_hidden_control(): C0/C1 controls, DEL,
 * bidirectional controls, line separators), which could make a terminal or
 * a web page show something else than what was signed. */
enum onay_problem onay_text_check(const char *text);

/* Fill st for kind (and text for ONAY_TEXT; a fixed text is taken from the
 * kind and `text` must be NULL or that same text). */
enum onay_problem onay_statement_init(struct onay_statement *st, enum onay_kind kind,
                                      const char *text, const char *code, time_t created);
/* Write the canonical bytes into a malloc'd buffer (*out, *len). 0 or -1. */
int onay_statement_encode(const struct onay_statement *st, unsigned char **out, size_t *len);
/* Parse content; ONAY_OK only for the canonical form of a valid statement. */
enum onay_problem onay_statement_decode(const unsigned char *in, size_t len,
                                        struct onay_statement *st);

/* Times as "2026-11-25T10:00:00Z" (UTC). Parsing also takes
 * "2026-11-25 10:00:00" (UTC), "2026-11-25" and "@SECONDS". 0 or -1. */
void onay_time_format(time_t t, char out[21]);
int onay_time_parse(const char *s, time_t *out);

#endif
