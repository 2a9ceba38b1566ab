/*
 * test-gen12.c: the AKIS 1.2 command set of the engine, in-process: every
 * form with its exact answer, the refusal of the 1.0 driver's forms that
 * 1.2 does not share and of the 2.x forms, signatures checked with
 * OpenSSL, and no EC.
 */
#include "config.h"

#include "engine-test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include <eimza/hex.h>

#define VERIFY_RIGHT "0020008106313233343536"
#define VERIFY_WRONG "0020008106303030303030"
#define STATE "0020008100"

START_TEST(select_forms)
{
	vcard *c = card12();

	/* The MF as 1.x selects it: 3F00 by file id (fact 8). */
	ck_assert_str_eq(tx_hex(c, "00A40000023F0000"), "6F078201388302" "3F00" "9000");
	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL), 0x6109);
	ck_assert_str_eq(tx_hex(c, "00C0000009"), "6F078201388302" "3F00" "9000");
	/* The empty form is 2.x's. */
	ck_assert_uint_eq(tx(c, "00A4000000", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00A40000", NULL, NULL), 0x6700);
	/* P1 08, the 1.0 driver's path from the MF, is not a 1.2 form. */
	ck_assert_uint_eq(tx(c, "00A4080C043D005031", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A4090C023D00", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A40004023F00", NULL, NULL), 0x6A86);
	/* P1 01: a child DF; P1 02: an EF under the current DF. */
	ck_assert_uint_eq(tx(c, "00A4020C023D00", NULL, NULL), 0x6A82);
	ck_assert_str_eq(tx_hex(c, "00A40100023D0000"),
	                 "6F1582013883023D00840CA000000063504B43532D3135" "9000");
	ck_assert_uint_eq(tx(c, "00A4010C025031", NULL, NULL), 0x6A82);
	ck_assert_str_eq(tx_hex(c, "00A40200025031" "00"), "6F0B80020005820101830250319000");
	/* P1 00: ISO search from the current DF: its parent, its siblings. */
	ck_assert_uint_eq(tx(c, "00A4000C023D00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4000C025031", NULL, NULL), 0x6A82);
	/* P1 04: by DF name, exactly. */
	ck_assert_uint_eq(tx(c, "00A4040C0CA000000063504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4040C07504B43532D3135", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00A4040C0BA000000063504B43532D31", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00A4000C024444", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A40000053F00", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00A4", NULL, NULL), 0x6700);
	vcard_free(c);
}
END_TEST

START_TEST(files)
{
	vcard *c = card12();
	uint8_t d[300];
	size_t n;

	ck_assert_uint_eq(tx(c, "00A4000C023D00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000001", NULL, NULL), 0x6986); /* a DF is selected */
	ck_assert_uint_eq(tx(c, "00A4020C025031", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000005", d, &n), 0x9000);
	ck_assert_mem_eq(d, "hello", 5);
	ck_assert_uint_eq(tx(c, "00B0000010", d, &n), 0x6282); /* fewer than Le */
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(tx(c, "00B0000201", d, &n), 0x9000);
	ck_assert_uint_eq(d[0], 'l');
	ck_assert_uint_eq(tx(c, "00B0000501", NULL, NULL), 0x6B00);
	ck_assert_uint_eq(tx(c, "00B0800001", NULL, NULL), 0x6A86);
	/* An empty EF: no data and 62 82, never a NULL to memcpy. */
	ck_assert_uint_eq(tx(c, "00A4020C024444", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x6282);
	ck_assert_uint_eq(n, 0);
	/* In use: UPDATE only during personalization; CREATE, DELETE and a way
	 * back to personalization are gone. */
	ck_assert_uint_eq(tx(c, "00D6000001FF", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "8015800F025032", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "801602000244 44", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "80090002", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "80090001", NULL, NULL), 0x9000);
	/* LIST FILES 80 18: 20-byte entries in the current DF. */
	ck_assert_uint_eq(tx(c, "8018000000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 40);
	ck_assert_mem_eq(d, "\x2F\x50\x31\x00\x05", 5);
	ck_assert_mem_eq(d + 20, "\x2F\x44\x44\x00\x00", 5);
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8018000000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 20);
	ck_assert_mem_eq(d, "\x3D\x3D\x00", 3);
	ck_assert_uint_eq(tx(c, "8018010000", NULL, NULL), 0x6A86);
	/* GET CHALLENGE. */
	ck_assert_uint_eq(tx(c, "0084000010", d, &n), 0x9000);
	ck_assert_uint_eq(n, 16);
	vcard_free(c);
}
END_TEST

START_TEST(personalization_commands)
{
	vcard *c = vcard_new(VCARD_GEN_1_2, NULL, 0);
	uint8_t d[64];
	size_t n;

	vcard_power_on(c);
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F022F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F022F00", NULL, NULL), 0x6A89);
	ck_assert_uint_eq(tx(c, "8015810F022F01", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "8015410F03 2F02 10", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "8015800F023F00", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "8015800F012F", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00A4020C022F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D6000003414243", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D6000203444546", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00D6000901FF", NULL, NULL), 0x6B00);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x6282);
	ck_assert_mem_eq(d, "ABDEF", 5);
	/* DELETE by file id in the current DF; the 1.0 path form is not 1.2's. */
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "801608000 43F002F00", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "80160200022F02", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "80160200022F02", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "80090002", NULL, NULL), 0x9000); /* stays */
	ck_assert_int_eq(vcard_life_cycle(c), VCARD_LIFE_PERSONALIZATION);
	ck_assert_uint_eq(tx(c, "80090003", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "80090001", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_life_cycle(c), VCARD_LIFE_OPERATIONAL);
	/* The engine's personalization calls end with personalization, and
	 * 2.x-only calls are refused on 1.2. */
	ck_assert_int_eq(vcard_set_serial(c, (const uint8_t *)"12345678"), -1);
	vcard_free(c);
	c = vcard_new(VCARD_GEN_1_2, NULL, 0);
	ck_assert_int_eq(vcard_put_file(c, 0x2F10, (const uint8_t *)"x", 1), -1);
	ck_assert_int_eq(vcard_set_second_serial(c, (const uint8_t *)"12345678"), -1);
	ck_assert_int_eq(vcard_set_public_keys_protected(c, true), -1);
	vcard_free(c);
}
END_TEST

START_TEST(verify)
{
	vcard *c = card12();

	/* VERIFY with no data reports the state, counting no try. */
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, "00200081", NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* The status is card-wide on 1.2: SELECT keeps it, LOGOUT clears it. */
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "801A0000", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, "801A0100", NULL, NULL), 0x6A86);
	/* A length outside 4..8: 6A 80, no try. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "123", -1), NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "123456789", -1), NULL, NULL), 0x6A80);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_uint_eq(tx(c, "0020018106313233343536", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "0020008906313233343536", NULL, NULL), 0x6A88);
	/* Blocked: 69 84 on 1.x (fact 30), in the state query too. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x6984);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x6984);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 0);
	vcard_free(c);
}
END_TEST

START_TEST(change_and_unblock)
{
	vcard *c = card12();

	/* CHANGE: 00 24 00 ref, len old old len new new. */
	ck_assert_uint_eq(tx(c, "002400810E0631323334353606363534333231", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "0020008106363534333231", NULL, NULL), 0x9000);
	/* The 1.0 driver's P1 01 and 02 are not 1.2 forms. */
	ck_assert_uint_eq(tx(c, "002401810E0636353433323106313233343536", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002402010E0636353433323106313233343536", NULL, NULL), 0x6A86);
	/* Inner lengths that disagree with Lc; a new value outside 4..8. */
	ck_assert_uint_eq(tx(c, "002400810E0636353433323107313233343536", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002400810D06363534333231053132333435", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002400810A05313233343503313233", NULL, NULL), 0x6A80);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* The 2.x form old || new has no length bytes: wrong data. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "12345" "654321", -1), NULL, NULL), 0x6A80);
	/* RESET RETRY COUNTER: 00 2C 00 ref, len PUK PUK len new new. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "00000", -1), NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "00000", -1), NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "00000", -1), NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, "002C00811008303030303030303006313233343536", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "002C00811008313233343536373806313233343536", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_int_eq(vcard_pin_tries(c, 0x82), 3);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	/* The 2.x forms: P1 02 / 03 refused. */
	ck_assert_uint_eq(tx(c, apdu_ascii("002C0281", "111111", -1), NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002C0381", NULL, NULL), 0x6A86);
	/* Nothing unblocks the PUK; three wrong PUKs block it (69 84). */
	ck_assert_uint_eq(tx(c, "002C00821008313233343536373806313233343536", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "002C00811008303030303030303006313233343536", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "002C00811008303030303030303006313233343536", NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, "002C00811008303030303030303006313233343536", NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, "002C00811008313233343536373806313233343536", NULL, NULL), 0x6984);
	ck_assert_uint_eq(tx(c, "0020008208" "3132333435363738", NULL, NULL), 0x6984);
	vcard_free(c);
}
END_TEST

START_TEST(signatures)
{
	vcard *c = card12();
	static const char di[] = "3031300d060960864801650304020105000420"
	                         "1111111111111111111111111111111111111111111111111111111111111111";
	uint8_t dib[51], d[600], block[256];
	char cmd[1300], hex[600];
	size_t n;

	ez_hex_decode(di, dib, sizeof(dib));
	snprintf(cmd, sizeof(cmd), "002A9E9A33%s00", di);
	/* No MSE yet; then the 2.x template form. */
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "0022C309", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "0022C3010101", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6982); /* no PIN */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	/* A DigestInfo, padded PKCS#1 v1.5 by the card. */
	ck_assert_uint_eq(tx_all(c, cmd, d, &n), 0x9000);
	ck_assert_uint_eq(n, 256);
	ck_assert_int_eq(rsa_recovers(rsa2048, d, n, dib, 51, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(vcard_last_op(c), VCARD_OP_SIGN_RSA);
	/* Key 01 wants a VERIFY per signature (userConsent). */
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx_all(c, cmd, d, &n), 0x9000);
	/* Key 03 (RSA-3072) does not: 384 bytes, 256 + 61 80. */
	ck_assert_uint_eq(tx(c, "0022C303", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, d, &n), 0x6180);
	ck_assert_uint_eq(n, 256);
	ck_assert_uint_eq(tx_all(c, cmd, d, &n), 0x9000);
	ck_assert_uint_eq(n, 384);
	ck_assert_int_eq(rsa_recovers(rsa3072, d, n, dib, 51, RSA_PKCS1_PADDING), 1);
	/* Raw RSA: a modulus-length block, chained with CLA 10. */
	memset(block, 0x11, sizeof(block));
	block[0] = 0x00;
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x9000);
	ez_hex_encode(block, 200, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC8%s", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 200, 56, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A38%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, d, &n), 0x9000);
	ck_assert_uint_eq(n, 256);
	ck_assert_int_eq(rsa_recovers(rsa2048, d, n, block, 256, RSA_NO_PADDING), 1);
	/* Raw RSA of a value not below the modulus: wrong data. */
	memset(block, 0xFF, sizeof(block));
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ez_hex_encode(block, 200, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC8%s", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 200, 56, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A38%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6A80);
	/* Between k - 11 and k bytes: neither form. */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ez_hex_encode(block, 200, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC8%s", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 200, 50, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A32%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6700);
	/* LOGOUT clears the PIN, not the key MSE chose. */
	ck_assert_uint_eq(tx(c, "0022C303", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "801A0000", NULL, NULL), 0x9000);
	snprintf(cmd, sizeof(cmd), "002A9E9A33%s00", di);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx_all(c, cmd, d, &n), 0x9000);
	ck_assert_int_eq(rsa_recovers(rsa3072, d, n, dib, 51, RSA_PKCS1_PADDING), 1);
	/* Reset clears the PIN and the environment. */
	vcard_reset(c);
	ck_assert_uint_eq(tx(c, STATE, NULL, NULL), 0x63C3);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6985);
	vcard_free(c);
}
END_TEST

START_TEST(no_ec)
{
	vcard *c = vcard_new(VCARD_GEN_1_2, NULL, 0);
	struct vcard_pin_spec p = {0x81, (const uint8_t *)"123456", 6, 3, 4, 8, 0, NULL};
	struct vcard_key_spec k = {1, ec256, 0x81, false, NULL};

	ck_assert(!vcard_has_ec(c));
	ck_assert_int_eq(vcard_add_pin(c, &p), 0);
	ck_assert_int_eq(vcard_add_key(c, &k), -1);
	k.key = ec384;
	ck_assert_int_eq(vcard_add_key(c, &k), -1);
	k.key = rsa2048;
	k.pin_ref = 0x85; /* no such PIN object */
	ck_assert_int_eq(vcard_add_key(c, &k), -1);
	k.pin_ref = 0x81;
	ck_assert_int_eq(vcard_add_key(c, &k), 0);
	ck_assert_int_eq(vcard_add_key(c, &k), -1); /* one reference, one key */
	vcard_free(c);
}
END_TEST

START_TEST(get_data)
{
	vcard *c = card12();
	uint8_t d[300];
	size_t n, i;

	/* 81 bytes of system data, the serial at bytes 57..64 (fact 40). */
	ck_assert_uint_eq(tx(c, "00CA010651", d, &n), 0x9000);
	ck_assert_uint_eq(n, 81);
	ck_assert_mem_eq(d + 57, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	for (i = 0; i < 57; i++)
		ck_assert_uint_eq(d[i], (0xA0 + i) & 0xFF);
	ck_assert_uint_eq(tx(c, "00CA010600", d, &n), 0x9000);
	ck_assert_uint_eq(n, 81);
	ck_assert_uint_eq(tx(c, "00CA010610", NULL, NULL), 0x6C51);
	ck_assert_uint_eq(tx(c, "00CA01064D", NULL, NULL), 0x6C51);
	/* The 2.x modes are not 1.2's. */
	ck_assert_uint_eq(tx(c, "00CA010B08", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CA010407", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CA020651", NULL, NULL), 0x6A86);
	vcard_free(c);
}
END_TEST

/* A module that speaks 2.x to a 1.2 card must fail. */
START_TEST(refuses_2x_forms)
{
	vcard *c = card12();

	ck_assert_uint_eq(tx(c, "00A4000000", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00A4040007504B43532D313500", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00CB3FFF0A4D08BF810104A0029B8000", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002C028106313131313131", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "801D000000", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "0C20008106313233343536", NULL, NULL), 0x6E00);
	ck_assert_uint_eq(tx(c, "80A4000C023F00", NULL, NULL), 0x6E00); /* ISO INS, CLA 80 */
	ck_assert_uint_eq(tx(c, "0018000000", NULL, NULL), 0x6E00);    /* CLA 00, INS of 80 18 */
	ck_assert_uint_eq(tx(c, "00EE0000", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "00C0000000", NULL, NULL), 0x6985); /* nothing pending */
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	vcard_power_off(c);
	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL), 0x6F00);
	vcard_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcard-gen12");
	TCase *t = tcase_create("gen12");
	SRunner *r;
	int failed;

	keys_init();
	tcase_set_timeout(t, 120);
	tcase_add_test(t, select_forms);
	tcase_add_test(t, files);
	tcase_add_test(t, personalization_commands);
	tcase_add_test(t, verify);
	tcase_add_test(t, change_and_unblock);
	tcase_add_test(t, signatures);
	tcase_add_test(t, no_ec);
	tcase_add_test(t, get_data);
	tcase_add_test(t, refuses_2x_forms);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	keys_free();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
