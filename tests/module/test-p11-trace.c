/*
 * test-p11-trace.c: the debug log's call trace (EIMZA_DEBUG_FILE): every
 * call in and out, its answer by name, the thread and the slot, and never
 * a PIN, in text or in hex.
 */
#include "config.h"

#include "p11-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

START_TEST(every_call_traced_no_pin)
{
	int c = seal_card();
	char path[512], slot_line[80];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_TOKEN_INFO ti;
	char *log;
	static const char *const calls[] = {"C_Initialize", "C_GetTokenInfo", "C_OpenSession",
					    "C_Login", "C_FindObjectsInit", "C_FindObjects",
					    "C_FindObjectsFinal", "C_Logout", "C_CloseSession",
					    "C_Finalize"};

	snprintf(path, sizeof(path), "%s/trace-%d.log", getenv("EIMZA_TB_DIR"), (int)getpid());
	setenv("EIMZA_DEBUG_FILE", path, 1);
	p11_init();
	snprintf(slot_line, sizeof(slot_line), "< C_Login = CKR_PIN_INCORRECT (slot %lu)",
		 card_slot(c));
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	s = open_session(c, true);
	/* A wrong PIN (one try, given back by the right one next). */
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR) "654321", 6), CKR_PIN_INCORRECT);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &key, 1), 1);
	ck_assert_rv(p11->C_Logout(s), CKR_OK);
	ck_assert_rv(p11->C_CloseSession(s), CKR_OK);
	ck_assert_rv(p11->C_CloseSession(s), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	unsetenv("EIMZA_DEBUG_FILE");

	log = slurp(path);
	/* Each call in and out, the same number of times. */
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char in[64], out[64];
		snprintf(in, sizeof(in), "> %s(", calls[i]);
		snprintf(out, sizeof(out), "< %s = ", calls[i]);
		ck_assert_msg(count(log, in) > 0, "%s not traced", calls[i]);
		ck_assert_msg(count(log, in) == count(log, out), "%s: %d in, %d out", calls[i],
			      count(log, in), count(log, out));
	}
	/* Answers by name, with the slot. */
	ck_assert_msg(strstr(log, slot_line), "no '%s' in the trace", slot_line);
	ck_assert(strstr(log, "< C_Login = CKR_OK"));
	ck_assert(strstr(log, "< C_CloseSession = CKR_SESSION_HANDLE_INVALID"));
	ck_assert(strstr(log, "> C_Login(session="));
	/* No PIN, right or wrong, in any form; the APDU trace masks it. */
	ck_assert_ptr_null(strstr(log, PIN));
	ck_assert_ptr_null(strstr(log, "654321"));
	ck_assert_ptr_null(strstr(log, "31 32 33 34 35 36"));
	ck_assert_ptr_null(strstr(log, "36 35 34 33 32 31"));
	ck_assert_ptr_null(strstr(log, "313233343536"));
	ck_assert_ptr_nonnull(strstr(log, "apdu > 00 20 00 81")); /* the VERIFY is there, masked */
	free(log);
}
END_TEST

Suite *trace_suite(void);
Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *t = tcase_create("trace");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, every_call_traced_no_pin);
	suite_add_tcase(s, t);
	return s;
}
