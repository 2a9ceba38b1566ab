/*
 * test-tool-common.c: the shared tool library without a card: PIN sources,
 * the new-PIN policy, JSON escaping, the T.C. Kimlik No in serialNumber,
 * expiry and renewal window with fixed times, tries from token flags, and
 * CK_RV messages in English and Turkish.
 */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/common/tool.h"

static char err[256], out[EZ_SECRET_MAX + 2];

START_TEST(secret_fd_lines)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "123456\r\n654321\n", 15), 15);
	close(p[1]);
	char src[16];
	snprintf(src, sizeof src, "fd:%d", p[0]);
	ck_assert_int_eq(ez_secret_read(src, NULL, out, sizeof out, err, sizeof err), 0);
	ck_assert_str_eq(out, "123456");
	ck_assert_int_eq(ez_secret_read(src, NULL, out, sizeof out, err, sizeof err), 0);
	ck_assert_str_eq(out, "654321");
	ck_assert_int_eq(ez_secret_read(src, NULL, out, sizeof out, err, sizeof err), -1);
	close(p[0]);
}
END_TEST

/* A tool that has read a PIN leaves no core file: in a child of its own
 * (whatever Check's fork mode), dumpable before the read, not after, with
 * a core size limit of 0 it cannot raise again. */
START_TEST(secret_read_stops_core_dumps)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl;
		int bad = 0;
		setenv("EZ_TEST_PIN", "987654", 1);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
			bad |= 1;
		if (ez_secret_read("env:EZ_TEST_PIN", NULL, out, sizeof out, err, sizeof err) != 0)
			bad |= 2;
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			bad |= 4;
		if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 || rl.rlim_max != 0)
			bad |= 8;
		_exit(bad);
	}
	int st = 0;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_msg(WEXITSTATUS(st) == 0, "core dumps after a secret read: %d (1 not dumpable "
	              "before, 2 read failed, 4 still dumpable, 8 core limit not 0)", WEXITSTATUS(st));
}
END_TEST

START_TEST(secret_env_file_bad)
{
	setenv("EZ_TEST_PIN", "987654\n", 1);
	ck_assert_int_eq(ez_secret_read("env:EZ_TEST_PIN", NULL, out, sizeof out, err, sizeof err),
	                 0);
	ck_assert_str_eq(out, "987654");
	unsetenv("EZ_TEST_UNSET");
	ck_assert_int_eq(
	    ez_secret_read("env:EZ_TEST_UNSET", NULL, out, sizeof out, err, sizeof err), -1);

	char path[] = "/tmp/ez-pin-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "112233\nignored\n", 15), 15);
	close(fd);
	char src[64];
	snprintf(src, sizeof src, "file:%s", path);
	ck_assert_int_eq(ez_secret_read(src, NULL, out, sizeof out, err, sizeof err), 0);
	ck_assert_str_eq(out, "112233");
	unlink(path);
	ck_assert_int_eq(ez_secret_read(src, NULL, out, sizeof out, err, sizeof err), -1);

	ck_assert_int_eq(ez_secret_read("123456", NULL, out, sizeof out, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "fd:N"));
	ck_assert_int_eq(ez_secret_read("fd:x", NULL, out, sizeof out, err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_read("fd:", NULL, out, sizeof out, err, sizeof err), -1);

	/* too long for the buffer: refused, not cut */
	char longv[200];
	memset(longv, '1', sizeof longv - 1);
	longv[sizeof longv - 1] = 0;
	setenv("EZ_TEST_PIN", longv, 1);
	ck_assert_int_eq(ez_secret_read("env:EZ_TEST_PIN", NULL, out, sizeof out, err, sizeof err),
	                 -1);
}
END_TEST

/* Sources checked before the card, and /dev/zero cut at the buffer. */
START_TEST(secret_checks)
{
	int p[2];
	char src[32];
	ck_assert_int_eq(pipe(p), 0);
	snprintf(src, sizeof src, "fd:%d", p[0]);
	ck_assert_int_eq(ez_secret_source_usable(src, "--pin-source", err, sizeof err), 0);
	snprintf(src, sizeof src, "fd:%d", p[1]); /* the write end */
	ck_assert_int_eq(ez_secret_source_usable(src, "--pin-source", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--pin-source: "));
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(ez_secret_source_usable(src, "--x", err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_source_usable("file:/", "--x", err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_source_usable("fd:99999999", "--x", err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_source_usable(NULL, "--x", err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_source_usable("file:/dev/zero", "--x", err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_read("file:/dev/zero", NULL, out, sizeof out, err, sizeof err),
	                 -1);
	ck_assert_ptr_nonnull(strstr(err, "never ends a line"));
	ck_assert_ptr_nonnull(strstr(err, "nothing was sent to the card"));

	CK_TOKEN_INFO ti = {.ulMinPinLen = 6, .ulMaxPinLen = 8};
	ck_assert_int_eq(ez_secret_entered_check("123456", &ti, EZ_PIN, err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_entered_check("", &ti, EZ_PIN, err, sizeof err), -1);
	ck_assert_str_eq(err, "The PIN is empty; it was not sent to the card, no try was used");
	ck_assert_int_eq(ez_secret_entered_check("12345", &ti, EZ_PIN, err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_entered_check("\xc4\xb0" "23456", &ti, EZ_PIN, err, sizeof err),
	                 -1);
	ck_assert_int_eq(ez_secret_entered_check("12345678", &ti, EZ_PUK, err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_entered_check("123", &ti, EZ_PUK, err, sizeof err), -1);
}
END_TEST

START_TEST(numbers)
{
	unsigned long v;
	CK_SLOT_ID s;
	ck_assert_int_eq(ez_parse_number("300", 1, 86400, &v), 0);
	ck_assert_uint_eq(v, 300);
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "86401", "0",
	                                  "99999999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ez_parse_number(bad[i], 1, 86400, &v) == -1, "\"%s\" accepted", bad[i]);
	ck_assert_int_eq(ez_parse_slot("0", &s), 0);
	ck_assert_int_eq(ez_parse_slot("18446744073709551615", &s), 0);
	ck_assert(s == (CK_SLOT_ID)-1);
	ck_assert_int_eq(ez_parse_slot("18446744073709551616", &s), -1);
	ck_assert_int_eq(ez_parse_slot("-1", &s), -1);
}
END_TEST

START_TEST(policy)
{
	CK_TOKEN_INFO ti;
	memset(&ti, 0, sizeof ti);
	ti.ulMinPinLen = 6;
	ti.ulMaxPinLen = 8;
	ck_assert_int_eq(ez_secret_policy_check("123456", &ti, EZ_PIN, err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_policy_check("12345678", &ti, EZ_PIN, err, sizeof err), 0);
	ck_assert_int_eq(ez_secret_policy_check("12345", &ti, EZ_PIN, err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_policy_check("123456789", &ti, EZ_PIN, err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_policy_check("12345a", &ti, EZ_PIN, err, sizeof err), -1);
	ck_assert_int_eq(ez_secret_policy_check("", &ti, EZ_PIN, err, sizeof err), -1);
}
END_TEST

static char *json_of(void (*fn)(struct ez_json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ez_json j;
	ez_json_init(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static void doc1(struct ez_json *j)
{
	ez_json_obj_begin(j, NULL);
	ez_json_str(j, "a\"b", "x\\y\n\t\x01 Çağrı");
	ez_json_arr_begin(j, "l");
	ez_json_int(j, NULL, -3);
	ez_json_bool(j, NULL, true);
	ez_json_str(j, NULL, NULL);
	ez_json_arr_end(j);
	ez_json_arr_begin(j, "e");
	ez_json_arr_end(j);
	ez_json_obj_end(j);
}

START_TEST(json)
{
	char *s = json_of(doc1);
	ck_assert_str_eq(s, "{\n  \"a\\\"b\": \"x\\\\y\\n\\t\\u0001 Çağrı\",\n  \"l\": [\n    -3,\n"
	                    "    true,\n    null\n  ],\n  \"e\": []\n}\n");
	free(s);
}
END_TEST

START_TEST(tckn_serial)
{
	char t[12];
	ck_assert(ez_tckn_from_serial("10000000146", t));
	ck_assert_str_eq(t, "10000000146");
	ck_assert(ez_tckn_from_serial("TCKN10000000146", t));
	ck_assert(ez_tckn_from_serial("TCKN:10000000146", t));
	ck_assert(ez_tckn_from_serial("IDCTR-10000000146", t));
	ck_assert_str_eq(t, "10000000146");
	ck_assert(!ez_tckn_from_serial("1000000014", t));
	ck_assert(!ez_tckn_from_serial("100000001466", t));
	ck_assert(!ez_tckn_from_serial("VATTR-1234567890", t));
	ck_assert(!ez_tckn_from_serial("1000000014a", t));
	ck_assert(!ez_tckn_from_serial("", t));
	ck_assert(!ez_tckn_from_serial(NULL, t));
}
END_TEST

/* Token fields are blank padded; control characters from a card or a
 * module never reach the terminal. */
START_TEST(p11_string_printable)
{
	char o[16];
	const CK_UTF8CHAR f[8] = {'A', 0x1b, '[', '2', 'J', 0x07, ' ', ' '};
	ez_p11_string(f, sizeof f, o, sizeof o);
	ck_assert_str_eq(o, "A?[2J?");
	const CK_UTF8CHAR g[6] = {'L', 'a', 'b', 'e', 'l', ' '};
	ez_p11_string(g, sizeof g, o, 4);
	ck_assert_str_eq(o, "Lab");
	char t[] = "T\xc4\xb0\x7f\n";
	ez_terminal_text(t, sizeof t, t, strlen(t)); /* in place */
	ck_assert_str_eq(t, "T\xc4\xb0??");
	/* a label of 32 bytes cut to 3: "ş" (2 bytes) is not split */
	const CK_UTF8CHAR h[4] = {'a', 0xc5, 0x9f, 'b'};
	ez_p11_string(h, sizeof h, o, 3);
	ck_assert_str_eq(o, "a");
}
END_TEST

/* Hostile names from a card or a certificate: every escape sequence, C1
 * control, bidirectional control and invalid byte becomes '?'; Turkish
 * letters and other UTF-8 pass; a cut never splits a character. */
START_TEST(terminal_text_hostile)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"Ay\xc5\x9f" "e Y\xc4\xb1lmaz", "Ay\xc5\x9f" "e Y\xc4\xb1lmaz"},
	    {"x\x1b[2Jy", "x?[2Jy"},                     /* ESC (C0) */
	    {"x\xc2\x9b" "31my", "x?31my"},              /* CSI as C1, U+009B */
	    {"a\xc2\x85" "b", "a?b"},                     /* NEL */
	    {"KABUL \xe2\x80\xae" "MUYORUM", "KABUL ?MUYORUM"}, /* RLO */
	    {"a\xe2\x81\xa6" "b\xe2\x81\xa9", "a?b?"},        /* LRI, PDI */
	    {"a\xe2\x80\x8f" "b\xd8\x9c", "a?b?"},             /* RLM, ALM */
	    {"a\xe2\x80\xa8" "b", "a?b"},                   /* line separator */
	    {"a\xff" "b", "a?b"},                            /* not UTF-8 */
	    {"a\xc0\xaf" "b", "a??b"},                        /* overlong '/' */
	    {"a\xed\xa0\x80" "b", "a???b"},                    /* surrogate */
	    {"ab\xc4", "ab?"},                               /* cut sequence */
	    {"\xe2\x82\xac 5", "\xe2\x82\xac 5"},             /* euro sign */
	};
	char o[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ez_terminal_text(o, sizeof o, cases[i].in, strlen(cases[i].in));
		ck_assert_msg(strcmp(o, cases[i].want) == 0, "case %zu: \"%s\"", i, o);
	}
	/* "Ayşe" into 4 bytes: "Ay" and not half of "ş" */
	ez_terminal_text(o, 4, "Ay\xc5\x9f" "e", 5);
	ck_assert_str_eq(o, "Ay");
	ez_terminal_text(o, 5, "Ay\xc5\x9f" "e", 5);
	ck_assert_str_eq(o, "Ay\xc5\x9f");
	/* a NUL inside ends the text */
	ez_terminal_text(o, sizeof o, "ab\0cd", 5);
	ck_assert_str_eq(o, "ab");
}
END_TEST

/* A 10,000-character argument is quoted by its first characters. */
START_TEST(arg_shown)
{
	char *big = malloc(10001);
	ck_assert_ptr_nonnull(big);
	memset(big, '7', 10000);
	big[10000] = 0;
	const char *s = ez_arg_shown(big);
	ck_assert_uint_eq(strlen(s), EZ_ARG_SHOWN_CHARS + 3);
	ck_assert_str_eq(s + EZ_ARG_SHOWN_CHARS, "...");
	free(big);
	ck_assert_str_eq(ez_arg_shown("--slot"), "--slot");
	ck_assert_str_eq(ez_arg_shown("a\x1b]0;x\x07"), "a?]0;x?");
	/* 60 "ş": 48 whole characters, then "..." */
	char tr[121];
	for (int i = 0; i < 60; i++)
		memcpy(tr + 2 * i, "\xc5\x9f", 2);
	tr[120] = 0;
	s = ez_arg_shown(tr);
	ck_assert_uint_eq(strlen(s), 2 * EZ_ARG_SHOWN_CHARS + 3);
	/* four at once stay distinct */
	const char *a = ez_arg_shown("a"), *b = ez_arg_shown("b"), *c = ez_arg_shown("c"),
	           *d = ez_arg_shown("d");
	ck_assert(strcmp(a, "a") == 0 && strcmp(b, "b") == 0 && strcmp(c, "c") == 0 &&
	          strcmp(d, "d") == 0);
	ck_assert_str_eq(ez_arg_shown(NULL), "");
}
END_TEST

/* JSON stays valid whatever a name holds. */
START_TEST(json_hostile)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ez_json_escape(f, "a\x1b[2J\xc2\x9b\xe2\x80\xae\xff\xc4\\\"\x7f\xc5\x9f\xe2\x80\xa8");
	fclose(f);
	ck_assert_str_eq(buf, "\"a\\u001b[2J\\u009b\\u202e\\ufffd\\ufffd\\\\\\\"\\u007f\xc5\x9f"
	                      "\\u2028\"");
	free(buf);
	/* a long string is cut between two characters */
	size_t n = EZ_JSON_TEXT_MAX + 1;
	char *big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	big[0] = 'x';
	for (size_t i = 1; i + 1 < n; i += 2)
		memcpy(big + i, "\xc5\x9f", 2);
	big[n] = 0;
	f = open_memstream(&buf, &len);
	ez_json_escape(f, big);
	fclose(f);
	ck_assert_uint_le(len, EZ_JSON_TEXT_MAX + 2);
	ck_assert(buf[len - 1] == '"' && (unsigned char)buf[len - 2] == 0x9f);
	free(buf);
	free(big);
}
END_TEST

START_TEST(cert_garbage)
{
	struct ez_cert_info ci;
	static const unsigned char junk[] = {0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00};
	ck_assert_int_eq(ez_cert_parse(junk, sizeof junk, &ci), -1);
	ck_assert_int_eq(ez_cert_parse(junk, 0, &ci), -1);
	ck_assert_int_eq(ez_cert_parse(NULL, 10, &ci), -1);
	ck_assert_str_eq(ci.tckn, "");
}
END_TEST

START_TEST(expiry)
{
	/* not_after 2027-06-30 12:00:00 UTC; window opens 2027-03-30 12:00:00 */
	const time_t nb = 1719748800;  /* 2024-06-30 12:00:00 */
	const time_t na = 1814356800;  /* 2027-06-30 12:00:00 */
	const time_t win = 1806408000; /* 2027-03-30 12:00:00 */
	long d;
	ck_assert_int_eq(ez_expiry_classify(nb, na, win - 1, &d), EZ_EXPIRY_VALID);
	ck_assert_int_eq(ez_expiry_classify(nb, na, win, &d), EZ_EXPIRY_RENEW);
	ck_assert_int_eq(d, 92);
	ck_assert_int_eq(ez_expiry_classify(nb, na, na, &d), EZ_EXPIRY_RENEW);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(ez_expiry_classify(nb, na, na + 1, &d), EZ_EXPIRY_EXPIRED);
	ck_assert_int_eq(d, -1);
	ck_assert_int_eq(ez_expiry_classify(nb, na, na + 10 * 86400, &d), EZ_EXPIRY_EXPIRED);
	ck_assert_int_eq(d, -10);
	ck_assert_int_eq(ez_expiry_classify(nb, na, nb - 1, &d), EZ_EXPIRY_NOT_YET);
	char buf[EZ_TIME_TEXT];
	ez_format_utc_time(na, buf, sizeof buf);
	ck_assert_str_eq(buf, "2027-06-30T12:00:00Z");
}
END_TEST

/* People read local time with its offset; JSON carries UTC. */
START_TEST(times)
{
	char b[EZ_TIME_TEXT];
	time_t t = 1795000000; /* 2026-11-18 11:06:40 UTC */
	setenv("TZ", "<+03>-3", 1);
	tzset();
	ez_format_local_time(t, b, sizeof b);
	ck_assert_str_eq(b, "2026-11-18 14:06:40 +03:00");
	setenv("TZ", "<-0530>5:30", 1);
	tzset();
	ez_format_local_time(t, b, sizeof b);
	ck_assert_str_eq(b, "2026-11-18 05:36:40 -05:30");
	ez_format_utc_time(t, b, sizeof b);
	ck_assert_str_eq(b, "2026-11-18T11:06:40Z");
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(tries)
{
	bool exact;
	ck_assert_uint_eq(ez_tries_left(0, EZ_PIN, 3, &exact), 3);
	ck_assert(exact);
	ck_assert_uint_eq(ez_tries_left(CKF_USER_PIN_COUNT_LOW, EZ_PIN, 3, &exact), 2);
	ck_assert(exact);
	ck_assert_uint_eq(
	    ez_tries_left(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY, EZ_PIN, 3, &exact), 1);
	ck_assert_uint_eq(ez_tries_left(CKF_USER_PIN_LOCKED, EZ_PIN, 3, &exact), 0);
	ck_assert_uint_eq(ez_tries_left(CKF_SO_PIN_COUNT_LOW, EZ_PUK, 10, &exact), 9);
	ck_assert(!exact);
	ck_assert_uint_eq(ez_tries_left(CKF_USER_PIN_LOCKED, EZ_PUK, 10, &exact), 10);
	ck_assert(ez_secret_locked(CKF_SO_PIN_LOCKED, EZ_PUK));
	ck_assert(!ez_secret_locked(CKF_SO_PIN_LOCKED, EZ_PIN));
	ck_assert_int_eq(ez_rv_exit(CKR_PIN_INCORRECT), EZ_EXIT_WRONG_PIN);
	/* refused for its form: no try was counted, so not "wrong PIN" */
	ck_assert_int_eq(ez_rv_exit(CKR_PIN_LEN_RANGE), EZ_EXIT_USAGE);
	ck_assert_int_eq(ez_rv_exit(CKR_PIN_INVALID), EZ_EXIT_USAGE);
	ck_assert_int_eq(ez_rv_exit(CKR_PIN_LOCKED), EZ_EXIT_BLOCKED);
	ck_assert_int_eq(ez_rv_exit(CKR_TOKEN_NOT_PRESENT), EZ_EXIT_NO_CARD);
	ck_assert_str_eq(ez_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
	ck_assert_str_eq(ez_rv_name(0x12345678), "CKR_0x12345678");
}
END_TEST

START_TEST(messages_en)
{
	char m[256];
	setlocale(LC_ALL, "C");
	ez_rv_message(CKR_PIN_INCORRECT, CKF_USER_PIN_COUNT_LOW, EZ_PIN, m, sizeof m);
	ck_assert_str_eq(m, "Wrong PIN, 2 tries left");
	ez_rv_message(CKR_PIN_INCORRECT, CKF_USER_PIN_FINAL_TRY, EZ_PIN, m, sizeof m);
	ck_assert_str_eq(m, "Wrong PIN, 1 try left");
	ez_rv_message(CKR_PIN_INCORRECT, CKF_USER_PIN_LOCKED, EZ_PIN, m, sizeof m);
	ck_assert_ptr_nonnull(strstr(m, "blocked"));
	ez_rv_message(CKR_PIN_LOCKED, 0, EZ_PUK, m, sizeof m);
	ck_assert_ptr_nonnull(strstr(m, "PUK is blocked"));
	ez_rv_message(0x8000abcdUL, 0, EZ_PIN, m, sizeof m);
	ck_assert_ptr_nonnull(strstr(m, "CKR_0x8000abcd"));
}
END_TEST

/* Turkish through the catalogue built from po/tr.po (copied into a private
 * folder so nothing needs installing) and the tr_TR.UTF-8 locale. */
START_TEST(messages_tr)
{
#if defined(ENABLE_NLS) && ENABLE_NLS
	const char *srcdir = getenv("top_srcdir");
	char dir[] = "/tmp/ez-mo-XXXXXX", cmd[1024], m[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
	         "mkdir -p %s/tr/LC_MESSAGES && msgfmt -o %s/tr/LC_MESSAGES/%s.mo %s/po/tr.po", dir,
	         dir, PACKAGE, srcdir ? srcdir : ".");
	ck_assert_int_eq(system(cmd), 0);
	if (!setlocale(LC_ALL, "tr_TR.UTF-8")) {
		if (system("localedef -i tr_TR -f UTF-8 tr_TR.UTF-8 2>/dev/null") != 0 ||
		    !setlocale(LC_ALL, "tr_TR.UTF-8")) {
			const char *strict = getenv("EIMZA_STRICT");
			fprintf(stderr, "tr_TR.UTF-8 locale missing and localedef failed: Turkish "
			                "not checked\n");
			ck_assert_msg(!(strict && *strict == '1'),
			              "tr_TR.UTF-8 locale unavailable (strict)");
			return;
		}
	}
	bindtextdomain(PACKAGE, dir);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
	ez_rv_message(CKR_PIN_INCORRECT, CKF_USER_PIN_COUNT_LOW, EZ_PIN, m, sizeof m);
	ck_assert_str_eq(m, "PIN yanlış, 2 deneme hakkınız kaldı");
	ez_rv_message(CKR_PIN_LOCKED, 0, EZ_PIN, m, sizeof m);
	ck_assert_ptr_nonnull(strstr(m, "kilitli"));
	setlocale(LC_ALL, "C");
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tool-common");
	TCase *t = tcase_create("all");
	tcase_add_test(t, secret_fd_lines);
	tcase_add_test(t, secret_read_stops_core_dumps);
	tcase_add_test(t, secret_env_file_bad);
	tcase_add_test(t, secret_checks);
	tcase_add_test(t, numbers);
	tcase_add_test(t, policy);
	tcase_add_test(t, json);
	tcase_add_test(t, tckn_serial);
	tcase_add_test(t, p11_string_printable);
	tcase_add_test(t, terminal_text_hostile);
	tcase_add_test(t, arg_shown);
	tcase_add_test(t, json_hostile);
	tcase_add_test(t, cert_garbage);
	tcase_add_test(t, expiry);
	tcase_add_test(t, times);
	tcase_add_test(t, tries);
	tcase_add_test(t, messages_en);
	tcase_add_test(t, messages_tr);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
