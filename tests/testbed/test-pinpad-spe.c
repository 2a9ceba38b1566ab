/*
 * test-pinpad-spe.c: the virtual PIN-pad reader's part 10 logic without
 * pcscd (tests/testbed/pinpad/spe.c): the structures as the byte strings
 * SCardControl carries, the APDUs the reader builds from them for every
 * placement PC/SC part 10 and CCID describe (ASCII, BCD and binary frames,
 * left and right justified, length fields in bits and bytes, fixed blocks
 * with the template's filler and blocks as long as the PIN), the reader's
 * own answers (64 02, 64 03, 6B 80) and structures no reader should take.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pinpad/spe.h"

#define READER_MIN 4
#define READER_MAX 16

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	while (*hex) {
		unsigned v;
		if (*hex == ' ') {
			hex++;
			continue;
		}
		ck_assert(sscanf(hex, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

static void put32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A PIN_VERIFY_STRUCTURE as a client sends it (little-endian fields). */
static size_t verify_struct(uint8_t *b, uint8_t fmt, uint8_t block, uint8_t lenfmt, unsigned min,
			    unsigned max, uint8_t valid, const char *apdu)
{
	uint8_t data[300];
	size_t n = unhex(apdu, data);

	memset(b, 0, 19);
	b[2] = fmt;
	b[3] = block;
	b[4] = lenfmt;
	b[5] = (uint8_t)max; /* wPINMaxExtraDigit 0xXXYY: XX min, YY max */
	b[6] = (uint8_t)min;
	b[7] = valid;
	b[8] = 1;    /* bNumberMessage */
	b[9] = 0x09; /* wLangId 0x0409 */
	b[10] = 0x04;
	put32(b + 15, n);
	memcpy(b + 19, data, n);
	return 19 + n;
}

static size_t modify_struct(uint8_t *b, uint8_t fmt, uint8_t block, uint8_t lenfmt, uint8_t off_old,
			    uint8_t off_new, unsigned min, unsigned max, uint8_t confirm,
			    const char *apdu)
{
	uint8_t data[300];
	size_t n = unhex(apdu, data);

	memset(b, 0, 24);
	b[2] = fmt;
	b[3] = block;
	b[4] = lenfmt;
	b[5] = off_old;
	b[6] = off_new;
	b[7] = (uint8_t)max;
	b[8] = (uint8_t)min;
	b[9] = confirm;
	b[10] = 0x02; /* the OK key */
	b[11] = 3;
	put32(b + 20, n);
	memcpy(b + 24, data, n);
	return 24 + n;
}

/* Parse, build from the entries, compare with the expected APDU (hex). */
static void expect_apdu(const uint8_t *s, size_t len, bool modify, const char *const *entries,
			size_t n, const char *want)
{
	struct spe_op op;
	uint8_t out[SPE_MAX_APDU], exp[SPE_MAX_APDU];
	size_t out_len = 0, exp_len = unhex(want, exp);

	ck_assert_uint_eq(spe_parse(s, len, modify, READER_MIN, READER_MAX, &op), 0);
	ck_assert_uint_eq(spe_entries(&op), n);
	ck_assert_uint_eq(spe_build(&op, entries, n, out, &out_len), 0);
	ck_assert_uint_eq(out_len, exp_len);
	ck_assert_msg(memcmp(out, exp, exp_len) == 0, "the APDU built differs from %s", want);
}

static uint16_t build_sw(const uint8_t *s, size_t len, bool modify, const char *const *entries,
			 size_t n)
{
	struct spe_op op;
	uint8_t out[SPE_MAX_APDU];
	size_t out_len = 0;
	uint16_t sw = spe_parse(s, len, modify, READER_MIN, READER_MAX, &op);

	return sw ? sw : spe_build(&op, entries, n, out, &out_len);
}

START_TEST(verify_ascii_as_long_as_the_pin)
{
	/* AKIS 2.x: ASCII digits, no padding, no length: a block of size 0,
	 * Lc recomputed. */
	static const char *const pin[] = {"123456"};
	uint8_t s[400];
	size_t n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81 00");

	expect_apdu(s, n, false, pin, 1, "00 20 00 81 06 31 32 33 34 35 36");
}
END_TEST

START_TEST(verify_fixed_block_keeps_the_filler)
{
	/* A PIN padded with FF to its stored length: the template holds the
	 * filler, the reader writes the digits over its start. */
	static const char *const pin[] = {"1234"};
	uint8_t s[400];
	size_t n = verify_struct(s, 0x82, 0x08, 0x00, 4, 8, 0x02,
				 "00 20 00 81 08 FF FF FF FF FF FF FF FF");

	expect_apdu(s, n, false, pin, 1, "00 20 00 81 08 31 32 33 34 FF FF FF FF");
}
END_TEST

START_TEST(verify_iso9564_format2)
{
	/* ISO 9564 format 2 (the "GLP" block): control nibble 2 from the
	 * template, the length in the next 4 bits (length position 4 bits),
	 * BCD digits from byte 1, F filler. */
	static const char *const pin[] = {"12345"};
	uint8_t s[400];
	size_t n = verify_struct(s, 0x89, 0x48, 0x04, 4, 12, 0x02,
				 "00 20 00 01 08 20 FF FF FF FF FF FF FF");

	expect_apdu(s, n, false, pin, 1, "00 20 00 01 08 25 12 34 5F FF FF FF FF");
}
END_TEST

START_TEST(verify_right_justified_binary)
{
	static const char *const pin[] = {"9876"};
	uint8_t s[400];
	size_t n = verify_struct(s, 0x84, 0x06, 0x00, 4, 6, 0x02,
				 "00 20 00 02 06 00 00 00 00 00 00");

	expect_apdu(s, n, false, pin, 1, "00 20 00 02 06 00 00 09 08 07 06");
}
END_TEST

START_TEST(verify_length_byte_before_the_pin)
{
	/* A length byte (8 bits at byte 0), the frame from byte 1, ASCII, a
	 * block as long as the PIN. */
	static const char *const pin[] = {"1234567"};
	uint8_t s[400];
	size_t n = verify_struct(s, 0x8A, 0x80, 0x10, 4, 8, 0x02, "00 20 00 81 01 00");

	expect_apdu(s, n, false, pin, 1, "00 20 00 81 08 07 31 32 33 34 35 36 37");
}
END_TEST

START_TEST(modify_two_blocks_as_long_as_the_pins)
{
	/* AKIS 2.x CHANGE REFERENCE DATA: old || new, no length bytes. Both
	 * blocks at offset 0 of the template: the new PIN follows the current
	 * one, whatever their lengths. */
	static const char *const e[] = {"123456", "7654321", "7654321"};
	uint8_t s[400];
	size_t n = modify_struct(s, 0x82, 0x00, 0x00, 0, 0, 6, 8, 0x03, "00 24 00 81 00");

	expect_apdu(s, n, true, e, 3, "00 24 00 81 0D 31 32 33 34 35 36 37 36 35 34 33 32 31");
}
END_TEST

START_TEST(modify_length_prefixed)
{
	/* AKIS 1.x CHANGE: len old len new. The template holds the two length
	 * bytes; each block is its length byte and the digits after it. */
	static const char *const e[] = {"1234", "654321", "654321"};
	uint8_t s[400];
	size_t n = modify_struct(s, 0x8A, 0x80, 0x10, 0, 1, 4, 16, 0x03, "00 24 00 81 02 00 00");

	expect_apdu(s, n, true, e, 3, "00 24 00 81 0C 04 31 32 33 34 06 36 35 34 33 32 31");
}
END_TEST

START_TEST(modify_new_pin_only)
{
	/* RESET RETRY COUNTER with a new PIN (no current PIN asked): the new
	 * PIN and its confirmation. */
	static const char *const e[] = {"24680135", "24680135"};
	uint8_t s[400];
	size_t n = modify_struct(s, 0x82, 0x00, 0x00, 0, 0, 6, 8, 0x01, "00 2C 02 81 00");

	expect_apdu(s, n, true, e, 2, "00 2C 02 81 08 32 34 36 38 30 31 33 35");
}
END_TEST

START_TEST(modify_fixed_blocks)
{
	/* Two fixed 8-byte blocks of ASCII digits padded with FF (a card
	 * whose PIN has a stored length), the new one at offset 8. */
	static const char *const e[] = {"1111", "222222", "222222"};
	uint8_t s[400];
	size_t n = modify_struct(s, 0x82, 0x08, 0x00, 0, 8, 4, 8, 0x03,
				 "00 24 00 01 10 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF");

	expect_apdu(s, n, true, e, 3,
		    "00 24 00 01 10 31 31 31 31 FF FF FF FF 32 32 32 32 32 32 FF FF");
}
END_TEST

START_TEST(reader_answers)
{
	static const char *const same[] = {"123456", "654321", "654321"};
	static const char *const differ[] = {"123456", "654321", "654322"};
	static const char *const shorter[] = {"12345"};
	static const char *const longer[] = {"123456789"};
	static const char *const letters[] = {"12a456"};
	static const char *const one[] = {"123456"};
	uint8_t s[400];
	size_t n;

	n = modify_struct(s, 0x82, 0x00, 0x00, 0, 0, 6, 8, 0x03, "00 24 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, true, same, 3), 0);
	ck_assert_uint_eq(build_sw(s, n, true, differ, 3), SPE_SW_MISMATCH);
	ck_assert_uint_eq(build_sw(s, n, true, one, 1), SPE_SW_BAD_PARAM); /* entries missing */
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, shorter, 1), SPE_SW_LENGTH);
	ck_assert_uint_eq(build_sw(s, n, false, longer, 1), SPE_SW_LENGTH);
	ck_assert_uint_eq(build_sw(s, n, false, letters, 1), SPE_SW_LENGTH);
	/* The reader's own minimum holds even when the structure asks less. */
	static const char *const three[] = {"123"};
	n = verify_struct(s, 0x82, 0x00, 0x00, 1, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, three, 1), SPE_SW_LENGTH);
}
END_TEST

START_TEST(structures_refused)
{
	static const char *const pin[] = {"123456"};
	struct spe_op op;
	uint8_t s[400];
	size_t n;

	/* ulDataLength that does not match what came */
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81 00");
	s[15]++;
	ck_assert_uint_eq(spe_parse(s, n, false, READER_MIN, READER_MAX, &op), SPE_SW_BAD_PARAM);
	/* shorter than its header, an APDU without Lc */
	ck_assert_uint_eq(spe_parse(s, 10, false, READER_MIN, READER_MAX, &op), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81");
	ck_assert_uint_eq(spe_parse(s, n, false, READER_MIN, READER_MAX, &op), SPE_SW_BAD_PARAM);
	/* PIN coding 3 (RFU), no way to end an entry, min above max, a max
	 * beyond the reader's keypad */
	n = verify_struct(s, 0x83, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x04, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x00, 0x00, 9, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 17, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	/* a fixed block past the template, or too small for max digits */
	n = verify_struct(s, 0x82, 0x08, 0x00, 6, 8, 0x02, "00 20 00 81 04 FF FF FF FF");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x04, 0x00, 4, 8, 0x02, "00 20 00 81 04 FF FF FF FF");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	/* a block as long as the PIN in bit units; its length field past the
	 * fixed part before the frame */
	n = verify_struct(s, 0x0A, 0x80, 0x10, 4, 8, 0x02, "00 20 00 81 01 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	n = verify_struct(s, 0x82, 0x80, 0x10, 4, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	/* bConfirmPIN bits beyond 0 and 1; a current-PIN block out of range */
	n = modify_struct(s, 0x82, 0x00, 0x00, 0, 0, 6, 8, 0x07, "00 24 00 81 00");
	ck_assert_uint_eq(spe_parse(s, n, true, READER_MIN, READER_MAX, &op), SPE_SW_BAD_PARAM);
	n = modify_struct(s, 0x82, 0x00, 0x00, 9, 0, 6, 8, 0x03, "00 24 00 81 00");
	ck_assert_uint_eq(spe_parse(s, n, true, READER_MIN, READER_MAX, &op), SPE_SW_BAD_PARAM);
	/* an APDU that would pass 255 data bytes once the PIN is in */
	{
		char hex[3 * 260 + 1], *h = hex;
		h += sprintf(h, "00 20 00 81 FA");
		for (int i = 0; i < 250; i++)
			h += sprintf(h, " AA");
		n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, hex);
		ck_assert_uint_eq(build_sw(s, n, false, pin, 1), SPE_SW_BAD_PARAM);
	}
	/* every truncation of a good structure is refused, none crashes */
	n = modify_struct(s, 0x8A, 0x80, 0x10, 0, 1, 4, 16, 0x03, "00 24 00 81 02 00 00");
	for (size_t k = 0; k < n; k++)
		ck_assert_uint_eq(spe_parse(s, k, true, READER_MIN, READER_MAX, &op),
				  SPE_SW_BAD_PARAM);
}
END_TEST

START_TEST(entry_ends)
{
	struct spe_op op;
	uint8_t s[400];
	size_t n;

	/* With the OK key any count ends an entry; with "maximum size
	 * reached" only, exactly max digits. */
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x02, "00 20 00 81 00");
	ck_assert_uint_eq(spe_parse(s, n, false, READER_MIN, READER_MAX, &op), 0);
	ck_assert(spe_entry_complete(&op, 6));
	n = verify_struct(s, 0x82, 0x00, 0x00, 6, 8, 0x01, "00 20 00 81 00");
	ck_assert_uint_eq(spe_parse(s, n, false, READER_MIN, READER_MAX, &op), 0);
	ck_assert(!spe_entry_complete(&op, 6));
	ck_assert(spe_entry_complete(&op, 8));
}
END_TEST

int main(void)
{
	Suite *su = suite_create("pinpad-spe");
	TCase *t = tcase_create("spe");
	SRunner *r;
	int failed;

	tcase_add_test(t, verify_ascii_as_long_as_the_pin);
	tcase_add_test(t, verify_fixed_block_keeps_the_filler);
	tcase_add_test(t, verify_iso9564_format2);
	tcase_add_test(t, verify_right_justified_binary);
	tcase_add_test(t, verify_length_byte_before_the_pin);
	tcase_add_test(t, modify_two_blocks_as_long_as_the_pins);
	tcase_add_test(t, modify_length_prefixed);
	tcase_add_test(t, modify_new_pin_only);
	tcase_add_test(t, modify_fixed_blocks);
	tcase_add_test(t, reader_answers);
	tcase_add_test(t, structures_refused);
	tcase_add_test(t, entry_ends);
	suite_add_tcase(su, t);
	r = srunner_create(su);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
