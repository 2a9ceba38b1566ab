/*
 * test-card-pad.c: PIN commands completed on a PIN-pad reader's keypad
 * (ez_card_pad_*), for both dialects, against the scripted transport: the
 * selection the typed command makes first, the APDU the reader gets as a
 * template (the command without PIN), where each PIN goes and how (the
 * fields of part 10's structures, from the card's PIN format), and the
 * reader's own answers. The virtual reader that builds APDUs from these is
 * tested in tests/testbed; the whole way in tests/module.
 */
#include "config.h"

#include "card-test.h"

#include <string.h>

#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"

#define ATR_252 "3B9F978131FE458065544353228231C073F62180810553"
#define ATR_122 "3B9F968131FE45806755454B41451292318073B3A1806A"
#define SELECT_APP_V2 "00A4040007504B43532D313500"
#define APP_FCI_V2 "6F09 8407504B43532D3135 9000"
#define SELECT_APP_V1 "00A404000CA000000063504B43532D313500"

static const struct ez_pin_format pin2 = {.ref = 0x81, .min_len = 6, .max_len = 8,
					  .stored_len = 8, .numeric = true, .pad_char = 0xFF,
					  .max_tries = 3};
static const struct ez_pin_format puk2 = {.ref = 0x82, .min_len = 8, .max_len = 16,
					  .stored_len = 16, .numeric = true, .pad_char = 0xFF,
					  .max_tries = 3};
static const struct ez_pin_format pin1 = {.ref = 0x81, .min_len = 4, .max_len = 8,
					  .numeric = true, .max_tries = 3};
static const struct ez_pin_format puk1 = {.ref = 0x82, .min_len = 4, .max_len = 16,
					  .numeric = true, .max_tries = 3};
/* A 1.x PIN whose AODF says needs-padding: stored in 8 bytes, FF filled. */
static const struct ez_pin_format padded1 = {.ref = 0x81, .min_len = 4, .max_len = 8,
					     .stored_len = 8, .numeric = true,
					     .needs_padding = true, .pad_char = 0xFF,
					     .max_tries = 3};

static ez_card *open_v2(ez_conn *conn)
{
	ez_card *card = NULL;

	v2_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, NULL), EZ_OK);
	return card;
}

static ez_card *open_v1(ez_conn *conn)
{
	struct ez_p15_app app;
	ez_card *card = NULL;

	v1_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, NULL), EZ_OK);
	v1_script_load(conn, false);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ez_p15_app_free(&app);
	ck_script_done(conn);
	return card;
}

START_TEST(v2_verify_on_the_keypad)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	const struct ez_pad_cmd *pad;
	ez_card *card = open_v2(conn);
	int tries;

	ez_replay_pinpad(conn, EZ_PAD_VERIFY | EZ_PAD_MODIFY, 4, 16);
	/* The typed VERIFY's selection, then 00 20 00 81 with no data: the
	 * reader puts the digits in, ASCII, as many bytes as typed. */
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "9000");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_OK);
	pad = ez_replay_last_pad(conn);
	ck_assert_ptr_nonnull(pad);
	ck_assert(!pad->modify);
	ck_assert_int_eq(pad->coding, EZ_PAD_ASCII);
	ck_assert_uint_eq(pad->block_size, 0);
	ck_assert_uint_eq(pad->frame_offset, 0);
	ck_assert_uint_eq(pad->length_bits, 0);
	ck_assert_uint_eq(pad->min_len, 6);
	ck_assert_uint_eq(pad->max_len, 8);
	/* A wrong PIN typed counts like a typed one. */
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "63C2");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 2);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6983");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_PIN_LOCKED);
	/* The PUK: its reference and lengths. */
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 82 00", "9000");
	ck_assert_int_eq(ez_card_pad_verify(card, &puk2, &tries), EZ_OK);
	ck_assert_uint_eq(ez_replay_last_pad(conn)->max_len, 16);
	ck_script_done(conn);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(v2_change_and_unblock_on_the_keypad)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	const struct ez_pad_cmd *pad;
	ez_card *card = open_v2(conn);
	int tries;

	ez_replay_pinpad(conn, EZ_PAD_VERIFY | EZ_PAD_MODIFY, 4, 16);
	/* CHANGE: old || new, both blocks at offset 0 (the new one after the
	 * current one), the new PIN twice. */
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 24 00 81 00", "9000");
	ck_assert_int_eq(ez_card_pad_change(card, &pin2, &tries), EZ_OK);
	pad = ez_replay_last_pad(conn);
	ck_assert(pad->modify && pad->old_pin && pad->confirm);
	ck_assert_uint_eq(pad->off_old, 0);
	ck_assert_uint_eq(pad->off_new, 0);
	ck_assert_uint_eq(pad->block_size, 0);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 24 00 81 00", "63C1");
	ck_assert_int_eq(ez_card_pad_change(card, &pin2, &tries), EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 1);
	/* Unblock: 2C 02 81 with the new PIN only (typed twice), no
	 * selection that could end the PUK's status. */
	expect(conn, "PAD 00 2C 02 81 00", "9000");
	ck_assert_int_eq(ez_card_pad_unblock(card, &puk2, &pin2, &tries), EZ_OK);
	pad = ez_replay_last_pad(conn);
	ck_assert(pad->modify && !pad->old_pin && pad->confirm);
	ck_assert_uint_eq(pad->min_len, 6);
	ck_assert_uint_eq(pad->max_len, 8);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 2C 00"), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(reader_answers)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card = open_v2(conn);
	int tries;

	ez_replay_pinpad(conn, EZ_PAD_VERIFY | EZ_PAD_MODIFY, 4, 16);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6400");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_PAD_TIMEOUT);
	ck_assert_int_eq(tries, -1);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6401");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_PAD_CANCELLED);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 24 00 81 00", "6402");
	ck_assert_int_eq(ez_card_pad_change(card, &pin2, &tries), EZ_ERR_PAD_MISMATCH);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6403");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_PIN_LEN);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6B80");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_UNSUPPORTED);
	/* The card lost its state: as after any command, the connection is lost. */
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "6F00");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_CARD_UNREADY);
	ck_assert(ez_conn_lost(conn));
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(a_reader_that_only_verifies)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card = open_v2(conn);
	size_t sent;
	int tries;

	/* Without a keypad nothing is sent at all; with one that only
	 * verifies, a change or an unblock is not either. */
	sent = ez_replay_exchanges(conn);
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_ERR_UNSUPPORTED);
	ez_replay_pinpad(conn, EZ_PAD_VERIFY, 0, 0);
	ck_assert_int_eq(ez_card_pad_change(card, &pin2, &tries), EZ_ERR_UNSUPPORTED);
	ck_assert_int_eq(ez_card_pad_unblock(card, &puk2, &pin2, &tries), EZ_ERR_UNSUPPORTED);
	ck_assert_uint_eq(ez_replay_exchanges(conn), sent);
	expect(conn, SELECT_APP_V2, APP_FCI_V2);
	expect(conn, "PAD 00 20 00 81 00", "9000");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin2, &tries), EZ_OK);
	ck_script_done(conn);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(v1_forms_on_the_keypad)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	const struct ez_pad_cmd *pad;
	ez_card *card = open_v1(conn);
	int tries;

	ez_replay_pinpad(conn, EZ_PAD_VERIFY | EZ_PAD_MODIFY, 4, 16);
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 20 00 81 00", "9000");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin1, &tries), EZ_OK);
	ck_assert_uint_eq(ez_replay_last_pad(conn)->block_size, 0);
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 20 00 81 00", "6984");
	ck_assert_int_eq(ez_card_pad_verify(card, &pin1, &tries), EZ_ERR_PIN_LOCKED);
	/* CHANGE "len old old len new new": the template holds the two length
	 * bytes; each block is a length byte (8 bits the reader fills) and
	 * the digits after it; the new PIN's block follows the current one's. */
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 24 00 81 02 00 00", "9000");
	ck_assert_int_eq(ez_card_pad_change(card, &pin1, &tries), EZ_OK);
	pad = ez_replay_last_pad(conn);
	ck_assert(pad->modify && pad->old_pin && pad->confirm);
	ck_assert_uint_eq(pad->length_bits, 8);
	ck_assert_uint_eq(pad->frame_offset, 1);
	ck_assert_uint_eq(pad->block_size, 0);
	ck_assert_uint_eq(pad->off_old, 0);
	ck_assert_uint_eq(pad->off_new, 1);
	/* Unblock: the command carries the PUK, so the PUK is typed first,
	 * then the new PIN twice; the lengths cover both. */
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 2C 00 81 02 00 00", "63C1");
	ck_assert_int_eq(ez_card_pad_unblock(card, &puk1, &pin1, &tries), EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 1);
	pad = ez_replay_last_pad(conn);
	ck_assert(pad->old_pin);
	ck_assert_uint_eq(pad->min_len, 4);
	ck_assert_uint_eq(pad->max_len, 16);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(v1_padded_pin_on_the_keypad)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	const struct ez_pad_cmd *pad;
	ez_card *card = open_v1(conn);
	int tries;

	ez_replay_pinpad(conn, EZ_PAD_VERIFY | EZ_PAD_MODIFY, 4, 16);
	/* needs-padding: a fixed block of the stored length, the filler in
	 * the template, as a typed VERIFY pads it. */
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 20 00 81 08 FFFFFFFFFFFFFFFF", "9000");
	ck_assert_int_eq(ez_card_pad_verify(card, &padded1, &tries), EZ_OK);
	ck_assert_uint_eq(ez_replay_last_pad(conn)->block_size, 8);
	/* The length bytes say the stored length (as the typed CHANGE sends
	 * them): constants of the template, no length field. */
	expect(conn, SELECT_APP_V1, "9000");
	expect(conn, "PAD 00 24 00 81 12 08 FFFFFFFFFFFFFFFF 08 FFFFFFFFFFFFFFFF", "9000");
	ck_assert_int_eq(ez_card_pad_change(card, &padded1, &tries), EZ_OK);
	pad = ez_replay_last_pad(conn);
	ck_assert_uint_eq(pad->block_size, 9);
	ck_assert_uint_eq(pad->frame_offset, 1);
	ck_assert_uint_eq(pad->length_bits, 0);
	ck_assert_uint_eq(pad->off_new, 9);
	/* A padded PIN and an unpadded PUK cannot share one block format:
	 * refused before anything is sent. */
	ck_assert_int_eq(ez_card_pad_unblock(card, &puk1, &padded1, &tries), EZ_ERR_UNSUPPORTED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

void card_pad_tests(Suite *s)
{
	TCase *tc = tcase_create("pinpad");

	tcase_add_test(tc, v2_verify_on_the_keypad);
	tcase_add_test(tc, v2_change_and_unblock_on_the_keypad);
	tcase_add_test(tc, reader_answers);
	tcase_add_test(tc, a_reader_that_only_verifies);
	tcase_add_test(tc, v1_forms_on_the_keypad);
	tcase_add_test(tc, v1_padded_pin_on_the_keypad);
	suite_add_tcase(s, tc);
}
