/*
 * tool.h: what eimza-info, eimza-pin and eimza-onay share.
 *
 * - exit statuses (one table for all tools, documented in each man page)
 * - gettext set-up and the _() macro
 * - loading a PKCS#11 module (p11-kit name, or a path) and picking a token
 * - PIN/PUK entry: terminal without echo, --pin-source fd:N|env:VAR|file:PATH,
 *   PIN pad readers; policy checks before anything is sent to the card
 * - CK_RV -> a sentence for the user, in the user's language
 * - certificate helpers (holder, T.C. Kimlik No, issuer, key, validity,
 *   renewal window) and a small JSON writer with proper escaping
 *
 * Nothing here prints on its own except the prompts of ez_secret_read();
 * errors come back as text the caller prints.
 */
#ifndef EIMZA_TOOL_H
#define EIMZA_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <p11-kit/pkcs11.h>

#include <eimza/eimza-pkcs11.h>
#include <eimza/safe-text.h>

/* ---- exit statuses -------------------------------------------------------- */
enum ez_exit {
	EZ_EXIT_OK = 0,
	EZ_EXIT_FAILURE = 1,   /* anything not listed below */
	EZ_EXIT_USAGE = 2,     /* bad options or arguments */
	EZ_EXIT_NO_CARD = 3,   /* no reader, no card, or no matching token */
	EZ_EXIT_WRONG_PIN = 4, /* wrong PIN or PUK (tries remain) */
	EZ_EXIT_BLOCKED = 5,   /* PIN or PUK blocked */
	EZ_EXIT_VERIFY = 6,    /* a verification (signature, doctor check) failed */
	EZ_EXIT_MODULE = 7,    /* the PKCS#11 module could not be loaded */
	/* 8 to 14 are eimza-onay's own (onay-verify.h) */
	EZ_EXIT_SERVICE = 15, /* the smart card service (pcscd) is not running */
};

/* ---- gettext -------------------------------------------------------------- */
#if defined(ENABLE_NLS) && ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

/* setlocale(LC_ALL, ""), bindtextdomain(PACKAGE, LOCALEDIR), textdomain. */
void ez_i18n_init(void);
/* Print "PROGRAM VERSION" and the licence line; for --version. */
void ez_print_version(const char *program);

/* ---- command-line mistakes (tool-args.c) ---------------------------------- */
struct option;
/* "PROG: MESSAGE" and "Try 'PROG --help' ..." on stderr: one error line
 * that names the argument (quote arguments with ez_arg_shown()), never the
 * whole usage. Returns EZ_EXIT_USAGE. */
int ez_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long() answered '?' or ':' (the option string starts with ':' and
 * opterr is 0): the error line naming the option as it was written (unknown,
 * needs a value, takes no value). Returns EZ_EXIT_USAGE. */
int ez_option_error(const char *prog, int c, char *const argv[], const struct option *longopts);
/* A whole number min..max in decimal digits only (no sign, no blank, no
 * "0x"). 0, or -1 when text is anything else. */
int ez_parse_number(const char *text, unsigned long min, unsigned long max, unsigned long *out);
/* --slot's value, as ez_parse_number() reads it. 0 or -1. */
int ez_parse_slot(const char *text, CK_SLOT_ID *out);
/* The usage error for a --slot value ez_parse_slot() refused. */
int ez_slot_error(const char *prog, const char *text);

/* ---- the PKCS#11 module --------------------------------------------------- */
struct ez_module {
	CK_FUNCTION_LIST *f;    /* initialized function list */
	char *path;             /* library file, when known (malloc'd) */
	char *name;             /* p11-kit name or the path given */
	CK_FUNCTION_LIST **kit; /* p11-kit's list, when loaded by name */
	void *dl;               /* dlopen handle, when loaded by path */
	bool via_p11kit;        /* true: p11-kit had a config for the name */
};

#define EZ_DEFAULT_MODULE "eimza"
#define EZ_MODULE_FILE "eimza-pkcs11.so"

/* Load and C_Initialize a module. `spec` is --module's value: a path (has a
 * '/') or a p11-kit module name. NULL means $EIMZA_MODULE when set, else the
 * p11-kit module "eimza", else P11_MODULE_DIR/eimza-pkcs11.so by dlopen.
 * Returns EZ_EXIT_OK or EZ_EXIT_MODULE with a message in err (cap bytes). */
int ez_module_load(const char *spec, struct ez_module *m, char *err, size_t cap);
/* The same, calling `hook` after the module is loaded and before it is
 * initialized (m->path and m->dl or m->kit set): eimza-info probe sets its
 * APDU trace there, so the first reading of the cards is traced too. */
int ez_module_load_hooked(const char *spec, struct ez_module *m,
                          void (*hook)(struct ez_module *m, void *arg), void *arg, char *err,
                          size_t cap);
void ez_module_unload(struct ez_module *m);

/* Text from a card, a module, a certificate or a file reaches terminals
 * only through ez_terminal_text() (<eimza/safe-text.h>), JSON only through
 * ez_json_escape(), and an argument is quoted in a message only through
 * ez_arg_shown(). */
/* Copy a blank-padded PKCS#11 text field into a NUL-terminated string,
 * made safe with ez_terminal_text() (cut between characters). */
void ez_p11_string(const CK_UTF8CHAR *field, size_t len, char *out, size_t cap);

/* Pick the token: `slot` (a slot id in text, or NULL) and/or `token` (a
 * label or serial number, or NULL). With neither, the first slot with a
 * token. Returns EZ_EXIT_OK, or with a sentence in err: EZ_EXIT_USAGE,
 * EZ_EXIT_SERVICE (pcscd is not running), EZ_EXIT_NO_CARD (no reader; a
 * card that is not AKIS, not supported or unreadable, each said as such;
 * no card). */
int ez_token_pick(struct ez_module *m, const char *slot, const char *token, CK_SLOT_ID *out,
                  char *err, size_t cap);

/* ---- PIN and PUK state from the token flags ------------------------------- */
enum ez_secret_kind { EZ_PIN, EZ_PUK };

/* Tries left as the flags tell: max_tries when nothing is flagged,
 * max_tries-1 after a failure (exact when max_tries <= 3; else *exact=false
 * and the value is an upper bound), 1 on final try, 0 when locked. */
unsigned ez_tries_left(CK_FLAGS token_flags, enum ez_secret_kind kind, unsigned max_tries,
                       bool *exact);
bool ez_secret_locked(CK_FLAGS token_flags, enum ez_secret_kind kind);
/* The limit the flags are read against when the module does not say it:
 * 3 for both, what Kamu SM tells its card holders (three wrong PINs lock
 * the PIN, three wrong PUKs the card). */
unsigned ez_max_tries(enum ez_secret_kind kind);
/* "3 of 3 tries left", "blocked", ... in the user's language, into out. */
void ez_secret_state_text(CK_FLAGS token_flags, enum ez_secret_kind kind, char *out, size_t cap);

/* A PIN's or PUK's counter: exact from eimza's vendor interface, else as
 * far as the token flags tell (exact false: `left` is an upper bound). */
struct ez_secret_state {
	unsigned left, max;
	bool exact, blocked;
};
void ez_secret_state_get(const struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
                         enum ez_secret_kind kind, struct ez_secret_state *st);
void ez_secret_state_describe(const struct ez_secret_state *st, char *out, size_t cap);

/* ---- eimza's vendor interface ---------------------------------------------- */
/* The "Vendor eimza" functions of the loaded module; NULL for another module. */
const EZ_VENDOR_FUNCTIONS *ez_vendor(const struct ez_module *m);
/* The card in a slot as eimza sees it (family, model, ATR, counters); false
 * when the module has no vendor interface. */
bool ez_card_info(const struct ez_module *m, CK_SLOT_ID slot, EZ_CARD_INFO *out);
/* The PC/SC service as eimza's module sees it (EZ_SERVICE_OK, _NO_READERS,
 * _DOWN); false when the module cannot tell (another module, or an eimza
 * module older than vendor interface 1.1). */
bool ez_service_state(const struct ez_module *m, CK_ULONG *state);
/* Why there is no token to use, as a sentence in err, and its exit status:
 * pcscd not running (EZ_EXIT_SERVICE), no reader, a card that is not an
 * AKIS card, an AKIS generation not supported, a card present but
 * unreadable, or no card (EZ_EXIT_NO_CARD). Only slot *only is looked at
 * when only is not NULL; `filtered`: the user named a slot or token. Asks
 * eimza's vendor interface; with another module, what PKCS#11 tells (a
 * slot with a card whose token cannot be read). */
int ez_no_token_reason(const struct ez_module *m, const CK_SLOT_ID *only, bool filtered, char *err,
                       size_t cap);

/* ---- reading a PIN or PUK ------------------------------------------------- */
#define EZ_SECRET_MAX 64

/* Read one secret. `source` NULL: from /dev/tty with echo off, showing
 * `prompt`. Otherwise "fd:N" (one line), "env:VAR", "file:PATH" (first line).
 * out gets a NUL-terminated secret without the line end; reading stops at
 * cap bytes, so a source that never ends a line is an error at once. 0 or
 * -1 + err. The caller wipes out with ez_wipe() when done. */
int ez_secret_read(const char *source, const char *prompt, char *out, size_t cap, char *err,
                   size_t errcap);
/* Check a new PIN/PUK against the token's policy before sending it:
 * ulMinPinLen..ulMaxPinLen and digits only (the AKIS keypad is numeric).
 * 0 or -1 with a sentence in err. */
int ez_secret_policy_check(const char *secret, const CK_TOKEN_INFO *ti, enum ez_secret_kind kind,
                           char *err, size_t errcap);
/* The same for a PIN or PUK typed to log in or to be changed: one that is
 * empty, holds anything but digits or has a length the token cannot have
 * is refused here (a usage error), not sent to spend a try. */
int ez_secret_entered_check(const char *secret, const CK_TOKEN_INFO *ti, enum ez_secret_kind kind,
                            char *err, size_t errcap);
/* The check of --pin-source (and its siblings) made when the options are
 * read, before the module is loaded: 0, or -1 with "OPTION: why" in err.
 * NULL (the terminal) passes. */
int ez_secret_source_usable(const char *source, const char *option, char *err, size_t errcap);
/* Does this token's reader have a PIN pad (PIN typed on the reader)? */
static inline bool ez_has_pinpad(const CK_TOKEN_INFO *ti)
{
	return (ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
}
/* What the keypad of a token's reader is used for (EZ_PINPAD_VERIFY: to
 * log in; EZ_PINPAD_CHANGE: to change and unblock too): nothing without
 * CKF_PROTECTED_AUTHENTICATION_PATH; with it, what eimza's module says
 * (vendor interface 1.2), or both with another module (PKCS#11 has the one
 * flag). The tools never read a PIN from the terminal for what the keypad
 * does; a reader that only verifies has PINs changed on the computer. */
CK_FLAGS ez_pinpad_use(const struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti);

/* Log in on session s: refuses at once when the PIN (CKU_USER,
 * CKU_CONTEXT_SPECIFIC) or PUK (CKU_SO) is blocked, prints the tries left
 * when a wrong one was typed before, has the reader's PIN pad take it
 * (C_Login with a NULL PIN) or reads it from `source` (NULL: the terminal;
 * a source given wins over the keypad), wipes the PIN, and on failure
 * prints "PROG: message" to stderr. Returns an EZ_EXIT_* status. */
int ez_login(struct ez_module *m, CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_USER_TYPE who,
             const char *source, const char *prog);
/* The same, and on success a copy of the PIN typed goes into keep (left
 * untouched on a PIN pad), for the CKU_CONTEXT_SPECIFIC login a key with
 * CKA_ALWAYS_AUTHENTICATE needs after C_SignInit. The caller wipes keep
 * with ez_wipe(). */
int ez_login_keep(struct ez_module *m, CK_SESSION_HANDLE s, CK_SLOT_ID slot, CK_USER_TYPE who,
                  const char *source, const char *prog, char *keep, size_t keepcap);

/* ---- CK_RV as a sentence -------------------------------------------------- */
/* A message for rv, in the user's language. token_flags (after the failing
 * call, from C_GetTokenInfo) give the tries left for CKR_PIN_INCORRECT;
 * kind says whether the PIN or the PUK was used. */
void ez_rv_message(CK_RV rv, CK_FLAGS token_flags, enum ez_secret_kind kind, char *out, size_t cap);
/* The exit status that belongs to rv (EZ_EXIT_WRONG_PIN, _BLOCKED, ...). */
int ez_rv_exit(CK_RV rv);
/* "CKR_PIN_INCORRECT" etc.; "CKR_0x..." for unknown values. */
const char *ez_rv_name(CK_RV rv);

/* ---- certificates --------------------------------------------------------- */
#define EZ_POLICIES_MAX 4
struct ez_cert_info {
	char subject_cn[256];
	char serial_number[128]; /* subject serialNumber as written */
	char tckn[12];           /* the T.C. Kimlik No when serialNumber holds one, else "" */
	bool tckn_valid;         /* check digits good */
	char organization[256];
	char issuer_cn[256];
	char key_type[16]; /* "RSA", "EC", "?" */
	int key_bits;
	char curve[64]; /* for EC */
	time_t not_before, not_after;
	char cert_serial[128]; /* hex */
	/* certificatePolicies, as dotted OIDs (the first EZ_POLICIES_MAX) */
	char policy[EZ_POLICIES_MAX][64];
	int npolicies;
};
/* The name of a certificate policy Kamu SM's certificates carry (NES
 * individual or corporate, Mali Mühür signing or encryption), in the user's
 * language; NULL for another OID. */
const char *ez_policy_name(const char *oid);
/* "NES, individual (2.16.792.1.61.0.1.5070.1.1)" for each policy, joined
 * with "; " (or "" for none), into out. */
void ez_policies_text(const struct ez_cert_info *ci, char *out, size_t cap);

/* Parse a DER certificate. 0, or -1 when OpenSSL refuses it. Every text
 * field is made safe with ez_terminal_text(). */
int ez_cert_parse(const unsigned char *der, size_t len, struct ez_cert_info *ci);
struct X509_name_st; /* OpenSSL's X509_NAME */
/* The first entry of `nid` (an OpenSSL NID) in a certificate name as UTF-8,
 * made safe with ez_terminal_text(); "" when the name has none. */
void ez_name_entry_text(const struct X509_name_st *name, int nid, char *out, size_t cap);
/* Take the T.C. Kimlik No out of a subject serialNumber: "10000000146",
 * "TCKN10000000146", "TCKN:10000000146", "IDCTR-10000000146". Writes 11
 * digits into out and returns true when the shape fits (check digits are
 * not checked here: use tckn_check()). */
bool ez_tckn_from_serial(const char *serial, char out[12]);

/* "TEST KULLANICI (T.C. Kimlik No 10000000146)" for a person, "ORG A.Ş.
 * (serialNumber 1234567890)" for a seal, in the user's language. */
void ez_cert_holder(const struct ez_cert_info *ci, char *out, size_t cap);

enum ez_expiry {
	EZ_EXPIRY_VALID,   /* more than 3 months left */
	EZ_EXPIRY_RENEW,   /* renewal window open: 3 months or less left */
	EZ_EXPIRY_EXPIRED, /* not after < now */
	EZ_EXPIRY_NOT_YET, /* not before > now */
};
/* Classify at time `now`; *days_left = whole days to not_after (negative
 * after expiry). The renewal window opens at not_after minus 3 calendar
 * months (UTC). */
enum ez_expiry ez_expiry_classify(time_t not_before, time_t not_after, time_t now, long *days_left);
/* ---- times (tool-time.c) ------------------------------------------------ */
#define EZ_TIME_TEXT 32 /* bytes that hold either form */
/* "2026-11-25 13:00:00 +03:00": the local time with its UTC offset, for
 * people (every human-readable time of the tools). */
void ez_format_local_time(time_t t, char *out, size_t cap);
/* "2026-11-25T10:00:00Z": UTC, for JSON. */
void ez_format_utc_time(time_t t, char *out, size_t cap);

/* One certificate object of a token. */
struct ez_token_cert {
	char label[128];
	unsigned char id[64];
	size_t id_len;
	unsigned char *der;
	size_t der_len;
	bool parsed;
	struct ez_cert_info info;
};
/* All CKO_CERTIFICATE objects visible in the session. *certs is malloc'd;
 * free with ez_token_certs_free(). Returns CKR_OK or the failing rv. */
CK_RV ez_token_certs(struct ez_module *m, CK_SESSION_HANDLE s, struct ez_token_cert **certs,
                     size_t *n);
void ez_token_certs_free(struct ez_token_cert *certs, size_t n);

/* ---- signing -------------------------------------------------------------- */
/* The private key with the certificate's CKA_ID. */
bool ez_find_key(struct ez_module *m, CK_SESSION_HANDLE s, const struct ez_token_cert *c,
                 CK_OBJECT_HANDLE *key);
/* Sign a SHA-256 digest with the key of certificate c on a session logged
 * in as CKU_USER: CKM_RSA_PKCS over the DigestInfo, or CKM_ECDSA. `pin` is
 * the PIN typed for the login, for the context-specific login a key with
 * CKA_ALWAYS_AUTHENTICATE needs (NULL or "" on a PIN pad: the reader asks).
 * sig gets the PKCS#1 v1.5 signature or a DER ECDSA-Sig-Value; *siglen is
 * the buffer size on entry. CKR_KEY_HANDLE_INVALID when no key matches. */
CK_RV ez_sign_digest(struct ez_module *m, CK_SESSION_HANDLE s, const CK_TOKEN_INFO *ti,
                     const struct ez_token_cert *c, const char *pin, const unsigned char dig[32],
                     unsigned char *sig, size_t *siglen);
/* r||s (PKCS#11) to a DER ECDSA-Sig-Value, in place; cap = buffer size. */
int ez_ecdsa_raw_to_der(unsigned char *sig, size_t *len, size_t cap);

/* ---- JSON ----------------------------------------------------------------- */
/* A streaming writer: nesting and commas are tracked, strings escaped with
 * ez_json_escape(). */
#define EZ_JSON_DEPTH 16
struct ez_json {
	FILE *f;
	int depth;
	bool first[EZ_JSON_DEPTH];
};
void ez_json_init(struct ez_json *j, FILE *f);
/* key is NULL inside an array and for the top level. */
void ez_json_obj_begin(struct ez_json *j, const char *key);
void ez_json_obj_end(struct ez_json *j);
void ez_json_arr_begin(struct ez_json *j, const char *key);
void ez_json_arr_end(struct ez_json *j);
void ez_json_str(struct ez_json *j, const char *key, const char *val); /* NULL -> null */
void ez_json_int(struct ez_json *j, const char *key, long long val);
void ez_json_bool(struct ez_json *j, const char *key, bool val);
/* The most bytes of one string a JSON document carries. */
#define EZ_JSON_TEXT_MAX 16384
/* Write s as a quoted JSON string that is valid whatever s holds: quote,
 * backslash and every hidden control (ez_utf8_hidden_control(): C0, C1,
 * DEL, bidirectional controls, U+2028/9) escaped, each byte of invalid
 * UTF-8 written as U+FFFD, other UTF-8 as it is; cut after
 * EZ_JSON_TEXT_MAX bytes between two characters. NULL writes "". */
void ez_json_escape(FILE *f, const char *s);

#endif
