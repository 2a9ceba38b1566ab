/*
 * test-common.c: unit tests of the common library: DER reading and
 * writing, the T.C. Kimlik No rules, hex, APDU trace masking and atomic
 * file replacement.
 */
#include "config.h"

#include <eimza/apdu-trace.h>
#include <eimza/atomic-file.h>
#include <eimza/der.h>
#include <eimza/hex.h>
#include <eimza/secmem.h>
#include <eimza/tckn.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- DER ----------------------------------------------------------------- */

START_TEST(der_roundtrip)
{
	der_buf b;
	der_reader r, in;
	der_tlv t, s;
	unsigned long v;
	uint32_t bits;
	bool bo;
	char oid[64];
	size_t m;

	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	der_put_uint(&b, DER_INTEGER, 0);
	der_put_uint(&b, DER_INTEGER, 128);    /* needs a leading 00 */
	der_put_uint(&b, DER_CTX(0), 0x81);
	der_put_bits(&b, DER_BIT_STRING, (1u << 2) | (1u << 9));
	der_put_bool(&b, DER_BOOLEAN, true);
	der_put_oid_text(&b, "1.2.840.10045.3.1.7");
	der_close(&b, m);
	ck_assert_int_eq(der_buf_finish(&b), 0);

	der_reader_init(&r, b.data, b.len);
	ck_assert_int_eq(der_expect(&r, DER_SEQUENCE, &s), 0);
	ck_assert(der_at_end(&r));
	der_enter(&s, &in);
	ck_assert_int_eq(der_expect(&in, DER_INTEGER, &t), 0);
	ck_assert_int_eq(der_get_uint(&t, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(der_expect(&in, DER_INTEGER, &t), 0);
	ck_assert_uint_eq(t.len, 2);
	ck_assert_int_eq(der_get_uint(&t, &v), 0);
	ck_assert_uint_eq(v, 128);
	ck_assert_int_eq(der_optional(&in, DER_CTX(1), &t), 0); /* absent: not consumed */
	ck_assert_int_eq(der_optional(&in, DER_CTX(0), &t), 1);
	ck_assert_int_eq(der_get_uint(&t, &v), 0);
	ck_assert_uint_eq(v, 0x81);
	ck_assert_int_eq(der_expect(&in, DER_BIT_STRING, &t), 0);
	ck_assert_mem_eq(t.val, "\x06\x20\x40", 3);
	ck_assert_int_eq(der_get_bits(&t, &bits), 0);
	ck_assert_uint_eq(bits, (1u << 2) | (1u << 9));
	ck_assert_int_eq(der_expect(&in, DER_BOOLEAN, &t), 0);
	ck_assert_int_eq(der_get_bool(&t, &bo), 0);
	ck_assert(bo);
	ck_assert_int_eq(der_expect(&in, DER_OID, &t), 0);
	ck_assert_mem_eq(t.val, "\x2A\x86\x48\xCE\x3D\x03\x01\x07", 8);
	ck_assert_int_eq(der_oid_to_text(&t, oid, sizeof(oid)), 0);
	ck_assert_str_eq(oid, "1.2.840.10045.3.1.7");
	ck_assert(der_at_end(&in));
	der_buf_free(&b);
}
END_TEST

START_TEST(der_long_lengths)
{
	der_buf b;
	der_reader r;
	der_tlv t;
	static uint8_t big[300];
	size_t m1, m2;

	memset(big, 0xAB, sizeof(big));
	der_buf_init(&b);
	m1 = der_open(&b, DER_SEQUENCE);
	m2 = der_open(&b, DER_CTX_CONS(1));
	der_put(&b, DER_OCTET_STRING, big, sizeof(big));
	der_close(&b, m2);
	der_close(&b, m1);
	ck_assert_int_eq(der_buf_finish(&b), 0);
	/* 04 82 01 2C + 300; A1 82 01 30; 30 82 01 34 */
	ck_assert_uint_eq(b.len, 300 + 4 * 3);
	ck_assert_mem_eq(b.data, "\x30\x82\x01\x34\xA1\x82\x01\x30\x04\x82\x01\x2C", 12);
	der_reader_init(&r, b.data, b.len);
	ck_assert_int_eq(der_next(&r, &t), 0);
	ck_assert_uint_eq(t.len, 308);
	der_buf_free(&b);
}
END_TEST

START_TEST(der_malformed)
{
	static const struct {
		const char *hex;
	} bad[] = {
		{""},               /* nothing */
		{"30"},             /* no length */
		{"30 05 02 01 00"}, /* length past the end */
		{"30 80 00 00"},    /* indefinite */
		{"30 85 00 00 00 00 01 00"}, /* five length octets */
		{"30 82 01"},       /* truncated long length */
		{"1F"},             /* high tag, nothing after */
		{"1F 81 81 81 01 00"}, /* tag too long */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[32];
		long n = ez_hex_decode(bad[i].hex, buf, sizeof(buf));
		der_reader r;
		der_tlv t;
		unsigned tag;
		ck_assert_int_ge(n, 0);
		der_reader_init(&r, buf, (size_t)n);
		ck_assert_msg(der_next(&r, &t) < 0, "accepted %s", bad[i].hex);
		ck_assert_msg(der_peek(&r, &tag) < 0, "peeked %s", bad[i].hex);
	}
}
END_TEST

START_TEST(der_bad_values)
{
	der_tlv t = {0};
	unsigned long v;
	uint32_t bits;
	bool b;
	char oid[8];

	t.val = (const uint8_t *)"\xFF";
	t.len = 1;
	ck_assert_int_lt(der_get_uint(&t, &v), 0); /* negative */
	t.len = 0;
	ck_assert_int_lt(der_get_uint(&t, &v), 0);
	ck_assert_int_lt(der_get_bool(&t, &b), 0);
	ck_assert_int_lt(der_get_bits(&t, &bits), 0);
	t.val = (const uint8_t *)"\x08\x00";
	t.len = 2;
	ck_assert_int_lt(der_get_bits(&t, &bits), 0); /* 8 unused bits */
	t.val = (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x09";
	t.len = 9;
	ck_assert_int_lt(der_get_uint(&t, &v), 0); /* does not fit */
	t.val = (const uint8_t *)"\x2A\x86\x48\x86\xF7\x0D";
	t.len = 6;
	ck_assert_int_lt(der_oid_to_text(&t, oid, sizeof(oid)), 0); /* does not fit the buffer */
	t.len = 2; /* ends inside an arc */
	t.val = (const uint8_t *)"\x2A\x86";
	ck_assert_int_lt(der_oid_to_text(&t, oid, sizeof(oid)), 0);
}
END_TEST

START_TEST(der_bad_oid_text)
{
	der_buf b;

	der_buf_init(&b);
	der_put_oid_text(&b, "1.2.x");
	ck_assert_int_lt(der_buf_finish(&b), 0);
	der_buf_free(&b);
	der_buf_init(&b);
	der_put_oid_text(&b, "3.1");
	ck_assert_int_lt(der_buf_finish(&b), 0);
	der_buf_free(&b);
}
END_TEST

/* ---- T.C. Kimlik No ------------------------------------------------------ */

START_TEST(tckn_rules)
{
	char out[12], masked[16];

	ck_assert_int_eq(tckn_check("10000000146"), TCKN_OK);
	ck_assert_int_eq(tckn_check("12345678950"), TCKN_OK);
	ck_assert_int_eq(tckn_check("12345678901"), TCKN_BAD_CHECK10);
	ck_assert_int_eq(tckn_check("10000000147"), TCKN_BAD_CHECK11);
	ck_assert_int_eq(tckn_check("1000000014"), TCKN_BAD_LENGTH);
	ck_assert_int_eq(tckn_check("100000001460"), TCKN_BAD_LENGTH);
	ck_assert_int_eq(tckn_check(NULL), TCKN_BAD_LENGTH);
	ck_assert_int_eq(tckn_check("1000000014a"), TCKN_NOT_DIGITS);
	ck_assert_int_eq(tckn_check("00000000146"), TCKN_LEADING_ZERO);
	ck_assert_int_eq(tckn_complete("100000001", out), 0);
	ck_assert_str_eq(out, "10000000146");
	ck_assert_int_lt(tckn_complete("012345678", out), 0);
	ck_assert_int_lt(tckn_complete("12345678", out), 0);
	tckn_mask("10000000146", masked, sizeof(masked));
	ck_assert_str_eq(masked, "1********46");
}
END_TEST

START_TEST(tckn_every_completion_valid)
{
	char first9[10], out[12];
	unsigned i;

	/* Any nine digits complete into a valid number; one changed digit breaks it. */
	for (i = 100000000; i < 999999999; i += 7654321) {
		snprintf(first9, sizeof(first9), "%u", i);
		ck_assert_int_eq(tckn_complete(first9, out), 0);
		ck_assert_int_eq(tckn_check(out), TCKN_OK);
		out[4] = (char)('0' + (out[4] - '0' + 1) % 10);
		ck_assert_int_ne(tckn_check(out), TCKN_OK);
	}
}
END_TEST

/* ---- hex, secrets, traces ------------------------------------------------ */

START_TEST(hex_and_secmem)
{
	uint8_t b[4];
	char s[16];

	ck_assert_int_eq(ez_hex_decode("3b:9F 96", b, sizeof(b)), 3);
	ez_hex_encode(b, 3, s);
	ck_assert_str_eq(s, "3B9F96");
	ez_hex_encode_spaced(b, 3, s);
	ck_assert_str_eq(s, "3B 9F 96");
	ck_assert_int_eq(ez_hex_decode("3B9", b, sizeof(b)), -1);
	ck_assert_int_eq(ez_hex_decode("zz", b, sizeof(b)), -1);
	ck_assert_int_eq(ez_hex_decode("0102030405", b, sizeof(b)), -1);
	ck_assert(ez_ct_equal("abc", "abc", 3));
	ck_assert(!ez_ct_equal("abc", "abd", 3));
	memcpy(b, "\x01\x02\x03\x04", 4);
	ez_wipe(b, 4);
	ck_assert_mem_eq(b, "\0\0\0\0", 4);
}
END_TEST

START_TEST(trace_masks_pins)
{
	static const uint8_t verify[] = {0x00, 0x20, 0x00, 0x81, 0x06, '1', '2', '3', '4', '5', '6'};
	static const uint8_t change[] = {0x00, 0x24, 0x01, 0x81, 0x04, 0x01, '1', 0x01, '2'};
	static const uint8_t rrc[] = {0x00, 0x2C, 0x00, 0x81, 0x03, 0x01, '9', 0x00};
	static const uint8_t select[] = {0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00};
	static const uint8_t rsp[] = {0x90, 0x00};
	char line[128];

	ez_apdu_trace_line(verify, sizeof(verify), true, line, sizeof(line));
	ck_assert_str_eq(line, "> 00 20 00 81 06 ** ** ** ** ** **");
	ez_apdu_trace_line(change, sizeof(change), true, line, sizeof(line));
	ck_assert_str_eq(line, "> 00 24 01 81 04 ** ** ** **");
	ez_apdu_trace_line(rrc, sizeof(rrc), true, line, sizeof(line));
	ck_assert_ptr_null(strstr(line, "39")); /* malformed Lc: still masked */
	ez_apdu_trace_line(select, sizeof(select), true, line, sizeof(line));
	ck_assert_str_eq(line, "> 00 A4 00 00 02 3F 00");
	ez_apdu_trace_line(rsp, sizeof(rsp), false, line, sizeof(line));
	ck_assert_str_eq(line, "< 90 00");
	{
		/* A certificate's serialNumber (a T.C. Kimlik No) and a Turkish
		 * name in a response; a short text-like run stays. */
		static const uint8_t cert[] = {0x13, 0x0B, '1', '0', '0', '0', '0', '0', '0', '0',
					       '1', '4', '6', 0x0C, 0x06, 0xC4, 0xB0, 'P', 'E', 'K',
					       0x04, 0x02, 'A', 'B', 0x90, 0x00};
		ez_apdu_trace_line(cert, sizeof(cert), false, line, sizeof(line));
		ck_assert_str_eq(line, "< 13 0B .. .. .. .. .. .. .. .. .. .. .. 0C 06 .. .. .. .. "
				       ".. 04 02 41 42 90 00");
		/* Commands are not masked but for PINs: the name of an application stays. */
		static const uint8_t sel[] = {0x00, 0xA4, 0x04, 0x00, 0x07, 'P', 'K', 'C',
					      'S',  '-',  '1',  '5',  0x00};
		ez_apdu_trace_line(sel, sizeof(sel), true, line, sizeof(line));
		ck_assert_str_eq(line, "> 00 A4 04 00 07 50 4B 43 53 2D 31 35 00");
	}
	ez_apdu_trace_line(verify, sizeof(verify), true, line, 16); /* cut, never past cap */
	ck_assert_uint_lt(strlen(line), 16);
	ck_assert_ptr_nonnull(strstr(line, "..."));
}
END_TEST

/* ---- atomic files ------------------------------------------------------- */

START_TEST(atomic_replace)
{
	char dir[] = "/tmp/eimza-test-XXXXXX", path[64];
	unsigned char *data;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(ez_atomic_write(path, "old", 3, 0600), 0);
	ck_assert_int_eq(ez_atomic_write(path, "newer", 5, 0600), 0);
	ck_assert_int_eq(ez_read_file(path, 100, &data, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(data, "newer", 5);
	free(data);
	ck_assert_int_lt(ez_read_file(path, 4, &data, &len), 0); /* over the limit */
	unlink(path);
	ck_assert_int_lt(ez_read_file(path, 100, &data, &len), 0);
	snprintf(path, sizeof(path), "%s/no/such/f", dir);
	ck_assert_int_lt(ez_atomic_write(path, "x", 1, 0600), 0);
	/* the check made before an irreversible step leaves nothing behind */
	ck_assert_int_lt(ez_atomic_writable(path), 0);
	ck_assert_int_lt(ez_atomic_writable(dir), 0); /* a folder */
	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(ez_atomic_writable(path), 0);
	ck_assert_int_lt(access(path, F_OK), 0);
	rmdir(dir); /* fails if the trial file stayed */
	ck_assert_int_lt(access(dir, F_OK), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common");
	TCase *t = tcase_create("all");

	tcase_add_test(t, der_roundtrip);
	tcase_add_test(t, der_long_lengths);
	tcase_add_test(t, der_malformed);
	tcase_add_test(t, der_bad_values);
	tcase_add_test(t, der_bad_oid_text);
	tcase_add_test(t, tckn_rules);
	tcase_add_test(t, tckn_every_completion_valid);
	tcase_add_test(t, hex_and_secmem);
	tcase_add_test(t, trace_masks_pins);
	tcase_add_test(t, atomic_replace);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
