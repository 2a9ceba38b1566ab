/*
 * test-card-apdu.c: the APDU layer (module/apdu) over the scripted
 * transport: 61 XX and GET RESPONSE (the card's limit on rounds, an answer
 * longer than the caller's buffer), 6C XX and the resend with the right
 * Le, command chaining (CLA 10, Le on every block or only the last, a
 * refusal in the middle ends the chain), 6F 00 losing the connection, and
 * the status word table.
 */
#include "config.h"

#include "card-test.h"

#include <string.h>

#include "module/apdu/apdu.h"

#define ATR "3B9F978131FE458065544353228231C073F62180810553"

static ez_conn *conn(void)
{
	ez_conn *c = ez_replay_open_hex(ATR);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* GET DATA 00 CA 01 0B with Le 00: the shape of most reads. */
static const struct ez_apdu get_data = {.cla = 0x00,
                                        .ins = 0xCA,
                                        .p1 = 0x01,
                                        .p2 = 0x0B,
                                        .has_le = true,
                                        .le_byte = 0x00,
                                        .chain = 255};

START_TEST(get_response_after_61xx)
{
	ez_conn *c = conn();
	uint8_t out[64];
	size_t n = sizeof(out);
	unsigned long count = 0;
	uint16_t sw;

	expect(c, "00CA010B00", "0102030405 6105");
	expect(c, "00C0000005", "060708090A 9000");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, &count), EZ_OK);
	ck_script_done(c);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(out, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A", 10);
	ck_assert_uint_eq(count, 2); /* GET RESPONSE counts as an APDU */
	ez_replay_close(c);
}
END_TEST

/* 61 00: 256 more bytes, asked for with Le 00. */
START_TEST(get_response_61_00_asks_256)
{
	ez_conn *c = conn();
	uint8_t data[300], out[400];
	size_t n = sizeof(out);
	uint16_t sw;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	expect(c, "00CA010B00", "AA 6100");
	expect_data(c, "00C0000000", data, 256, 0x9000);
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_OK);
	ck_script_done(c);
	ck_assert_uint_eq(n, 257);
	ck_assert_uint_eq(out[0], 0xAA);
	ck_assert_mem_eq(out + 1, data, 256);
	ez_replay_close(c);
}
END_TEST

/* A card that keeps answering 61 XX is not followed forever: 16 GET
 * RESPONSE rounds, then the answer so far with the last status word. */
START_TEST(endless_61xx_ends)
{
	ez_conn *c = conn();
	uint8_t out[64];
	size_t n = sizeof(out);
	uint16_t sw;

	expect(c, "00CA010B00", "6101");
	for (int i = 0; i < 16; i++)
		expect(c, "00C0000001", "6101");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_OK);
	ck_script_done(c);
	ck_assert_uint_eq(sw, 0x6101);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(ez_replay_exchanges(c), 17);
	ez_replay_close(c);
}
END_TEST

/* More answer than the caller's buffer: cut at the buffer, never past it. */
START_TEST(answer_longer_than_buffer)
{
	ez_conn *c = conn();
	uint8_t out[8 + 4];
	size_t n = 8;
	uint16_t sw;

	memset(out, 0xEE, sizeof(out));
	expect(c, "00CA010B00", "0102030405 6105");
	expect(c, "00C0000005", "060708090A 9000");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_OK);
	ck_script_done(c);
	ck_assert_uint_eq(n, 8);
	ck_assert_mem_eq(out, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	ck_assert_mem_eq(out + 8, "\xEE\xEE\xEE\xEE", 4);
	ck_assert_uint_eq(sw, 0x9000);
	ez_replay_close(c);
}
END_TEST

/* 6C XX: the same command once more with Le = XX, sent in place of the
 * Le given, or added to a command that had none. */
START_TEST(wrong_length_6cxx_resends)
{
	static const struct ez_apdu no_le = {
	    .cla = 0x00, .ins = 0xCA, .p1 = 0x01, .p2 = 0x06, .chain = 255};
	ez_conn *c = conn();
	uint8_t out[64];
	size_t n = sizeof(out);
	unsigned long count = 0;
	uint16_t sw;

	expect(c, "00CA010B00", "6C08");
	expect(c, "00CA010B08", "1122334455667788 9000");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, &count), EZ_OK);
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(count, 2);
	n = sizeof(out);
	expect(c, "00CA0106", "6C03");
	expect(c, "00CA010603", "0A0B0C 9000");
	ck_assert_int_eq(ez_apdu_send(c, &no_le, out, &n, &sw, NULL), EZ_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(out, "\x0A\x0B\x0C", 3);
	/* Only once: a second 6C XX is the answer. */
	n = sizeof(out);
	expect(c, "00CA010B00", "6C08");
	expect(c, "00CA010B08", "6C10");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_OK);
	ck_assert_uint_eq(sw, 0x6C10);
	ck_assert_uint_eq(n, 0);
	/* The resent command may be answered 61 XX in turn. */
	n = sizeof(out);
	expect(c, "00CA010B00", "6C04");
	expect(c, "00CA010B04", "0102 6102");
	expect(c, "00C0000002", "0304 9000");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(out, "\x01\x02\x03\x04", 4);
	ck_script_done(c);
	ez_replay_close(c);
}
END_TEST

static void pso(struct ez_apdu *a, const uint8_t *data, size_t lc, bool le_each)
{
	memset(a, 0, sizeof(*a));
	a->cla = 0x00;
	a->ins = 0x2A;
	a->p1 = 0x9E;
	a->p2 = 0x9A;
	a->data = data;
	a->lc = lc;
	a->has_le = true;
	a->chain = 196;
	a->le_each = le_each;
}

/* 400 bytes in 196-byte blocks: CLA 10 on all but the last, Le on every
 * block (2.x) or on the last only (1.2). */
START_TEST(chaining_blocks)
{
	uint8_t data[400], out[300];
	char cmd[1000], *h;
	struct ez_apdu a;
	size_t n = sizeof(out);
	uint16_t sw;
	ez_conn *c = conn();

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (int each = 0; each < 2; each++) {
		pso(&a, data, sizeof(data), each);
		h = tohex(data, 196);
		snprintf(cmd, sizeof(cmd), "102A9E9AC4%s%s", h, each ? "00" : "");
		free(h);
		expect(c, cmd, "9000");
		h = tohex(data + 196, 196);
		snprintf(cmd, sizeof(cmd), "102A9E9AC4%s%s", h, each ? "00" : "");
		free(h);
		expect(c, cmd, "9000");
		h = tohex(data + 392, 8);
		snprintf(cmd, sizeof(cmd), "002A9E9A08%s00", h);
		free(h);
		expect(c, cmd, "CAFE 9000");
		n = sizeof(out);
		ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_OK);
		ck_script_done(c);
		ck_assert_uint_eq(sw, 0x9000);
		ck_assert_uint_eq(n, 2);
		ck_assert_mem_eq(out, "\xCA\xFE", 2);
	}
	/* Exactly one block's worth: no chaining at all. */
	pso(&a, data, 196, true);
	h = tohex(data, 196);
	snprintf(cmd, sizeof(cmd), "002A9E9AC4%s00", h);
	free(h);
	expect(c, cmd, "9000");
	n = sizeof(out);
	ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_OK);
	ck_script_done(c);
	ez_replay_close(c);
}
END_TEST

/* A block refused in the middle ends the chain: nothing more is sent and
 * the refusal is the answer. */
START_TEST(chaining_refused_midway)
{
	uint8_t data[400], out[16];
	struct ez_apdu a;
	size_t n = sizeof(out);
	uint16_t sw;
	ez_conn *c = conn();

	memset(data, 0x42, sizeof(data));
	pso(&a, data, sizeof(data), false);
	expect(c, "102A9E9AC4*", "9000");
	expect(c, "102A9E9AC4*", "6A80");
	ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_OK);
	ck_script_done(c);
	ck_assert_uint_eq(sw, 0x6A80);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(ez_replay_exchanges(c), 2);
	/* A block size the APDU cannot carry is the caller's bug: nothing sent. */
	a.chain = 0;
	ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_ERR_ARGS);
	a.chain = 256;
	ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_ERR_ARGS);
	ck_assert_uint_eq(ez_replay_exchanges(c), 2);
	ez_replay_close(c);
}
END_TEST

/* 6F 00: the card lost its state. The connection is lost from then on:
 * nothing more goes to the card (a VERIFY least of all) until it is
 * recovered. The same after a chained block and after GET RESPONSE. */
START_TEST(sw_6f00_loses_the_connection)
{
	static const uint8_t pin[] = "123456";
	struct ez_apdu verify = {
	    .cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x81, .data = pin, .lc = 6, .chain = 255};
	uint8_t out[64], data[300];
	struct ez_apdu a;
	size_t n = sizeof(out);
	uint16_t sw;
	ez_conn *c = conn();

	expect(c, "00CA010B00", "6F00");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_ERR_CARD_UNREADY);
	ck_assert(ez_conn_lost(c));
	ck_assert_uint_eq(sw, 0x6F00);
	n = sizeof(out);
	ck_assert_int_eq(ez_apdu_send(c, &verify, out, &n, &sw, NULL), EZ_ERR_CARD_REMOVED);
	ck_assert_uint_eq(ez_replay_exchanges(c), 1);
	ck_assert_int_eq(ez_conn_recover(c), EZ_OK);
	ck_assert(!ez_conn_lost(c));
	/* After data and 61 XX. */
	n = sizeof(out);
	expect(c, "00CA010B00", "0102 6102");
	expect(c, "00C0000002", "6F00");
	ck_assert_int_eq(ez_apdu_send(c, &get_data, out, &n, &sw, NULL), EZ_ERR_CARD_UNREADY);
	ck_assert(ez_conn_lost(c));
	ez_conn_recover(c);
	/* In the middle of a chain: the rest is not sent. */
	memset(data, 0x11, sizeof(data));
	pso(&a, data, sizeof(data), true);
	n = sizeof(out);
	expect(c, "102A9E9AC4*", "6F00");
	ck_assert_int_eq(ez_apdu_send(c, &a, out, &n, &sw, NULL), EZ_ERR_CARD_UNREADY);
	ck_script_done(c);
	ck_assert(ez_conn_lost(c));
	ck_assert_uint_eq(ez_replay_exchanges(c), 4);
	ez_replay_close(c);
}
END_TEST

START_TEST(status_words)
{
	int tries;

	ck_assert_int_eq(ez_sw_err(0x9000, &tries), EZ_OK);
	ck_assert_int_eq(tries, -1);
	ck_assert_int_eq(ez_sw_err(0x6282, NULL), EZ_OK); /* end of file reached */
	ck_assert_int_eq(ez_sw_err(0x63C2, &tries), EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 2);
	ck_assert_int_eq(ez_sw_err(0x63C0, &tries), EZ_ERR_PIN_LOCKED);
	ck_assert_int_eq(tries, 0);
	ck_assert_int_eq(ez_sw_err(0x6983, NULL), EZ_ERR_PIN_LOCKED);
	ck_assert_int_eq(ez_sw_err(0x6982, NULL), EZ_ERR_SECURITY);
	ck_assert_int_eq(ez_sw_err(0x6A82, NULL), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_sw_err(0x6A88, NULL), EZ_ERR_NOT_FOUND);
	ck_assert_int_eq(ez_sw_err(0x6700, NULL), EZ_ERR_DATA_LEN);
	ck_assert_int_eq(ez_sw_err(0x6D00, &tries), EZ_ERR_CARD);
	ck_assert_int_eq(tries, -1);
	ck_assert_int_eq(ez_sw_err(0x6300, NULL), EZ_ERR_CARD); /* 63 00 is not a counter */
}
END_TEST

void card_apdu_tests(Suite *s)
{
	TCase *tc = tcase_create("apdu");

	tcase_add_test(tc, get_response_after_61xx);
	tcase_add_test(tc, get_response_61_00_asks_256);
	tcase_add_test(tc, endless_61xx_ends);
	tcase_add_test(tc, answer_longer_than_buffer);
	tcase_add_test(tc, wrong_length_6cxx_resends);
	tcase_add_test(tc, chaining_blocks);
	tcase_add_test(tc, chaining_refused_midway);
	tcase_add_test(tc, sw_6f00_loses_the_connection);
	tcase_add_test(tc, status_words);
	suite_add_tcase(s, tc);
}
