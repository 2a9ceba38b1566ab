/*
 * test-gen2.c: the AKIS 2.x command set of the engine, in-process: every
 * form with its exact answer, the security data objects byte for byte for
 * the evidence's example commands, signatures per algorithm byte checked
 * with OpenSSL, chaining limits, one signature per VERIFY for keys with
 * the non-repudiation flag, the DF-local security status, the 2.0-2.2
 * command set without EC, and the refusal of every 1.x form.
 */
#include "config.h"

#include "engine-test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <eimza/hex.h>

#define ATR_228_NXP "3B9F968131FE4580655443D3210831C073F6218081055B"
#define ATR_228_INFINEON "3B9F978131FE4580655443D2210831C073F6218081055B"
#define VERIFY_RIGHT "0020008106313233343536"
#define VERIFY_WRONG "0020008106303030303030"
#define TRIES_QUERY "00CB3FFF0A4D08BF810104A0029B8000"

START_TEST(select_forms)
{
	vcard *c = card2(NULL);

	/* SELECT MF as AkisCIF sends it: no data, Le 00 (fact 8). */
	ck_assert_str_eq(tx_hex(c, "00A4000000"), "62078201388302" "3F00" "9000");
	ck_assert_str_eq(tx_hex(c, "00A40000023F0000"), "62078201388302" "3F00" "9000");
	ck_assert_uint_eq(tx(c, "00A40000023F00", NULL, NULL), 0x6109); /* no Le: it waits */
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	/* The 1.0 driver's path form is not a 2.x form. */
	ck_assert_uint_eq(tx(c, "00A4080C043F002F10", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A408000400000000", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A4030C022F10", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A40004023F00", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00A40000013F", NULL, NULL), 0x6700);
	/* Certificates are not under the MF. */
	ck_assert_uint_eq(tx(c, "00A40200022F1000", NULL, NULL), 0x6A82);
	/* The DF by name, with its FCI (fact 9). */
	ck_assert_str_eq(tx_hex(c, "00A4040007504B43532D313500"),
	                 "6210820138830" "24C7E" "8407504B43532D3135" "9000");
	/* Only the exact name: not the PKCS#15 AID, not a prefix. */
	ck_assert_uint_eq(tx(c, "00A4040C0CA000000063504B43532D3135", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00A4040C06504B43532D31", NULL, NULL), 0x6A82);
	/* Certificate EFs with their size in tag 80 (fact 10). */
	enter_app(c);
	ck_assert_str_eq(tx_hex(c, "00A40200022F1000"), "620B8002012C820101830" "22F10" "9000");
	ck_assert_str_eq(tx_hex(c, "00A40200022F1100"), "620B80020005820101830" "22F11" "9000");
	ck_assert_uint_eq(tx(c, "00A40200022F1900", NULL, NULL), 0x6A82);
	ck_assert_uint_eq(tx(c, "00A40200022F1F00", NULL, NULL), 0x6A82);
	/* P1 01 is for DFs only. */
	ck_assert_uint_eq(tx(c, "00A4010C022F10", NULL, NULL), 0x6A82);
	vcard_free(c);
}
END_TEST

START_TEST(read_binary)
{
	vcard *c = card2(NULL);
	uint8_t d[2048];
	size_t n, i;

	enter_app(c);
	ck_assert_uint_eq(tx(c, "00B0000000", NULL, NULL), 0x6986); /* a DF is selected */
	ck_assert_uint_eq(tx(c, "00A4020C022F10", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 256);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(d[i], i & 0xFF);
	ck_assert_uint_eq(tx(c, "00B00000D0", d, &n), 0x9000); /* CIF's 208-byte chunks */
	ck_assert_uint_eq(n, 208);
	ck_assert_uint_eq(tx(c, "00B000D0D0", d, &n), 0x6282); /* a short read at the end */
	ck_assert_uint_eq(n, 300 - 208);
	ck_assert_uint_eq(d[0], 208);
	ck_assert_uint_eq(tx(c, "00B001002C", d, &n), 0x9000);
	ck_assert_uint_eq(n, 44);
	ck_assert_uint_eq(tx(c, "00B0012C01", NULL, NULL), 0x6B00); /* past the end */
	ck_assert_uint_eq(tx(c, "00B0100001", NULL, NULL), 0x6B00);
	ck_assert_uint_eq(tx(c, "00B0800001", NULL, NULL), 0x6A86); /* short EF id form */
	ck_assert_uint_eq(tx(c, "00B000000100", NULL, NULL), 0x6700);
	/* An empty EF: no data, 62 82 (and no NULL reaches memcpy). */
	ck_assert_uint_eq(tx(c, "00A4020C022F12", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x6282);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tx(c, "00B0000100", NULL, NULL), 0x6B00);
	/* Certificates are readable without a PIN (fact 10a): nothing above
	 * verified one. */
	ck_assert(!vcard_pin_verified(c, 0x81));
	/* No UPDATE BINARY on 2.x. */
	ck_assert_uint_eq(tx(c, "00D6000001FF", NULL, NULL), 0x6D00);
	vcard_free(c);
}
END_TEST

/* The evidence's example commands, answered byte for byte. */
START_TEST(sdo_examples)
{
	vcard *c = card2(NULL);
	uint8_t d[2048], mod[384];
	size_t n;
	BIGNUM *bn = NULL;

	/* From the MF the objects are out of reach. */
	ck_assert_uint_eq(tx(c, TRIES_QUERY, NULL, NULL), 0x6A88);
	enter_app(c);
	/* Tries (fact 31) and the PIN lengths, 80 = max, 81 = min (fact 32).
	 * The outer length of the lengths answer is 09: 7F 41 is a two-byte
	 * tag (the brief's example says 08, one short of its own bytes). */
	ck_assert_str_eq(tx_hex(c, TRIES_QUERY), "BF810105A0039B0103" "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0D4D0BBF8101077F410480808180" "00"),
	                 "BF8101097F4106800108810106" "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0D4D0BBF8102077F410480808180" "00"),
	                 "BF8102097F4106800110810108" "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0A4D08BF810204A0029B8000"), "BF810205A0039B0103" "9000");
	/* The wanted tags come in the order asked for. */
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0D4D0BBF8101077F410481808080" "00"),
	                 "BF8101097F4106810106800108" "9000");
	/* A whole PIN header. */
	ck_assert_str_eq(tx_hex(c, "00CB3FFF084D06BF810102A08000"),
	                 "BF810115A013" "840350494E" "9A0103" "9B0103" "9C02FFFF" "9D02FFFF" "9000");
	/* A key's header: existence query of ESYA's sign sequence (fact 28). */
	ck_assert_str_eq(tx_hex(c, "00CB3FFF084D06BF900102A08000"),
	                 "BF900116A014" "80020800" "84034E4553" "9C02FFFF" "9D02FFFF" "9E0101"
	                 "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF084D06BF900302A08000"),
	                 "BF900317A015" "80020C00" "84045349474E" "9C02FFFF" "9D02FFFF" "9E0100"
	                 "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0A4D08BF900104A0029E8000"), "BF900105A0039E0101" "9000");
	/* The public key with the same id (fact 18): the modulus is longer
	 * than 256 bytes with its tags, so it comes through 61 XX. */
	ck_assert_uint_eq(tx(c, "00CB3FFF0B4D09BFA001057F4902818000", d, &n), 0x610F);
	ck_assert_uint_eq(n, 256);
	ck_assert_uint_eq(tx_all(c, "00CB3FFF0B4D09BFA001057F4902818000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 271);
	ck_assert_int_eq(EVP_PKEY_get_bn_param(rsa2048, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
	ck_assert_int_eq(BN_bn2binpad(bn, mod, 256), 256);
	BN_free(bn);
	ck_assert_mem_eq(d, "\xBF\xA0\x01\x82\x01\x09\x7F\x49\x82\x01\x04\x81\x82\x01\x00", 15);
	ck_assert_mem_eq(d + 15, mod, 256);
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0B4D09BFA001057F4902828000"),
	                 "BFA001087F4905820301" "0001" "9000");
	ck_assert_str_eq(tx_hex(c, "00CB3FFF084D06BFA00102A08000"),
	                 "BFA0010BA009" "80020800" "84034E4553" "9000");
	/* A whole 7F49 of an RSA key: modulus then exponent. */
	ck_assert_uint_eq(tx_all(c, "00CB3FFF094D07BFA003037F498000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 6 + 5 + 4 + 384 + 5);
	ck_assert_mem_eq(d, "\xBF\xA0\x03\x82\x01\x8E\x7F\x49\x82\x01\x89\x81\x82\x01\x80", 15);
	ck_assert_mem_eq(d + 15 + 384, "\x82\x03\x01\x00\x01", 5);
	/* EC: BF 91 private, BF A1 public with the point in 86. */
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0A4D08BF910504A0028080" "00"),
	                 "BF910506A004" "80020100" "9000");
	ck_assert_uint_eq(tx_all(c, "00CB3FFF0B4D09BFA105057F4902868000", d, &n), 0x9000);
	ck_assert_uint_eq(n, 3 + 1 + 2 + 1 + 2 + 65);
	ck_assert_mem_eq(d, "\xBF\xA1\x05\x46\x7F\x49\x43\x86\x41\x04", 10);
	{
		uint8_t pt[65];
		size_t pl = 0;
		ck_assert_int_eq(EVP_PKEY_get_octet_string_param(
		                     ec256, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &pl),
		                 1);
		ck_assert_mem_eq(d + 9, pt, 65);
	}
	/* Two templates in one query. */
	ck_assert_str_eq(tx_hex(c, "00CB3FFF0F4D0DBF810109A0029B807F41028080" "00"),
	                 "BF81010BA0039B01037F4103800108" "9000");
	/* Absent objects, or a template the object does not carry: 6A 88. */
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF900902A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF908102A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF910102A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF920102A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF810302A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF094D07BF9001037F418000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "00CB3FFF094D07BF9001037F498000", NULL, NULL), 0x6A88);
	/* Malformed queries. */
	ck_assert_uint_eq(tx(c, "00CB3FFF084D07BF900102A08000", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFF084E06BF900102A08000", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF900103A08000", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFF094D07BF900103A0019B00", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFF054D03BF900100", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFE084D06BF900102A08000", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00CB3FFF00", NULL, NULL), 0x6700);
	/* A wrong PIN shows in 9B. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_str_eq(tx_hex(c, TRIES_QUERY), "BF810105A0039B0102" "9000");
	vcard_free(c);
}
END_TEST

START_TEST(protected_public_keys)
{
	vcard *c = vcard_new(VCARD_GEN_2, NULL, 0);
	struct vcard_key_spec k = {1, rsa2048, 0x81, true, "NES"};
	struct vcard_pin_spec p = {0x81, (const uint8_t *)"123456", 6, 3, 6, 8, 0, "PIN"};

	ck_assert_int_eq(vcard_add_pin(c, &p), 0);
	ck_assert_int_eq(vcard_add_key(c, &k), 0);
	ck_assert_int_eq(vcard_set_public_keys_protected(c, true), 0);
	ck_assert_int_eq(vcard_end_personalization(c), 0);
	ck_assert(vcard_public_keys_protected(c));
	/* Too late now. */
	ck_assert_int_eq(vcard_set_public_keys_protected(c, false), -1);
	vcard_power_on(c);
	verify_pin2(c);
	ck_assert_uint_eq(tx(c, "00CB3FFF0B4D09BFA001057F4902818000", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BFA00102A08000", NULL, NULL), 0x6982);
	/* The private key's header stays readable. */
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF900102A08000", NULL, NULL), 0x9000);
	vcard_free(c);
}
END_TEST

START_TEST(verify)
{
	vcard *c = card2(NULL);
	unsigned lo, hi;

	/* The PIN objects are the PKCS-15 DF's (fact 29). */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x6A88);
	enter_app(c);
	/* No data is no status query on 2.x. */
	ck_assert_uint_eq(tx(c, "00200081", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x6700);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* A length outside 6..8 counts no try. */
	ck_assert_uint_eq(tx(c, "00200081053132333435", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "0020008109313233343536373839", NULL, NULL), 0x6A80);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_int_eq(vcard_pin_lengths(c, 0x81, &lo, &hi), 0);
	ck_assert_uint_eq(lo, 6);
	ck_assert_uint_eq(hi, 8);
	ck_assert_uint_eq(tx(c, "0020018106313233343536", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "0020000106313233343536", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "0020008306313233343536", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert(vcard_pin_verified(c, 0x81));
	/* A wrong try clears the verification. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert(!vcard_pin_verified(c, 0x81));
	/* Blocked: 69 83 (fact 30), also for the right PIN. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x6983);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x6983);
	ck_assert_str_eq(tx_hex(c, TRIES_QUERY), "BF810105A0039B0100" "9000");
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 0);
	/* The PUK, P2 82. */
	ck_assert_uint_eq(tx(c, "00200082083132333435363738", NULL, NULL), 0x9000);
	ck_assert(vcard_pin_verified(c, 0x82));
	ck_assert_uint_eq(tx(c, "002000820731323334353637", NULL, NULL), 0x6A80);
	vcard_free(c);
}
END_TEST

START_TEST(security_status_is_df_local)
{
	vcard *c = card2(NULL);

	verify_pin2(c);
	ck_assert(vcard_pin_verified(c, 0x81));
	/* Selecting the DF by name again, or an EF in it, keeps it. */
	enter_app(c);
	ck_assert(vcard_pin_verified(c, 0x81));
	ck_assert_uint_eq(tx(c, "00A4020C022F10", NULL, NULL), 0x9000);
	ck_assert(vcard_pin_verified(c, 0x81));
	/* A failed SELECT leaves everything as it was. */
	ck_assert_uint_eq(tx(c, "00A4020C022F1E", NULL, NULL), 0x6A82);
	ck_assert(vcard_pin_verified(c, 0x81));
	/* Leaving the DF clears it: ESYA's "logout" (fact 41). */
	ck_assert_uint_eq(tx(c, "00A4000000", NULL, NULL), 0x9000);
	ck_assert(!vcard_pin_verified(c, 0x81));
	enter_app(c);
	ck_assert(!vcard_pin_verified(c, 0x81));
	verify_pin2(c);
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4000C023F00", NULL, NULL), 0x9000);
	ck_assert(!vcard_pin_verified(c, 0x81));
	/* The security environment went with it. */
	enter_app(c);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9A0401020304" "00", NULL, NULL), 0x6985);
	/* Reset and power-off clear it too. */
	vcard_reset(c);
	ck_assert(!vcard_pin_verified(c, 0x81));
	verify_pin2(c);
	vcard_power_off(c);
	vcard_power_on(c);
	ck_assert(!vcard_pin_verified(c, 0x81));
	vcard_free(c);
}
END_TEST

START_TEST(change_reference_data)
{
	vcard *c = card2(NULL);

	enter_app(c);
	/* old || new, no length bytes (fact 34). */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "123456" "654321", -1), NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "654321", -1), NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* A change does not log in. */
	vcard_reset(c);
	enter_app(c);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "654321" "12345678", -1), NULL, NULL),
	                  0x9000);
	ck_assert(!vcard_pin_verified(c, 0x81));
	ck_assert_uint_eq(tx(c, apdu_ascii("00200081", "12345678", -1), NULL, NULL), 0x9000);
	/* The split is at the stored length (now 8): a new value of 5 or 9
	 * digits, or none, is refused without a try. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "12345678" "12345", -1), NULL, NULL),
	                  0x6A80);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "12345678" "123456789", -1), NULL, NULL),
	                  0x6A80);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "12345678", -1), NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "123456", -1), NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00240081", NULL, NULL), 0x6700);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	/* A wrong old value counts a try; a Le is accepted. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "00000000" "123456", -1), NULL, NULL),
	                  0x63C2);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240081", "12345678" "123456", 0), NULL, NULL),
	                  0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	/* The 1.x forms: P1 01/02 refused; 1.2's length bytes are read as part
	 * of old || new, so the old value is wrong and a try is spent. */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240181", "123456" "654321", -1), NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240201", "123456" "654321", -1), NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002400810E0631323334353606363534333231", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240083", "123456" "654321", -1), NULL, NULL), 0x6A88);
	/* The PUK: 00 24 00 82 oldPUK || newPUK (fact 35). */
	ck_assert_uint_eq(tx(c, apdu_ascii("00240082", "12345678" "8765432109", -1), NULL, NULL),
	                  0x9000);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200082", "12345678", -1), NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, apdu_ascii("00200082", "8765432109", -1), NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, apdu_ascii("00240082", "8765432109" "1234567", -1), NULL, NULL),
	                  0x6A80);
	vcard_free(c);
}
END_TEST

START_TEST(unblock)
{
	vcard *c = card2(NULL);

	enter_app(c);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C0);
	/* Without the PUK verified: 69 82. */
	ck_assert_uint_eq(tx(c, "002C028106313131313131", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "002C0381", NULL, NULL), 0x6982);
	/* The 1.x form: 6A 86. */
	ck_assert_uint_eq(tx(c, "002C0081100831323334353637380631313131313131", NULL, NULL),
	                  0x6A86);
	ck_assert_uint_eq(tx(c, "002C0181083132333435363738", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "00200082083837363534333231", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "002C028106313131313131", NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, "00200082083132333435363738", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x82), 3);
	/* A new PIN outside 6..8: refused. */
	ck_assert_uint_eq(tx(c, apdu_ascii("002C0281", "11111", -1), NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, apdu_ascii("002C0281", "111111111", -1), NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002C0281", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "002C03810131", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "002C0282083132333435363738", NULL, NULL), 0x6985);
	ck_assert_uint_eq(tx(c, "002C028106313131313131", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert(!vcard_pin_verified(c, 0x81));
	ck_assert_uint_eq(tx(c, "0020008106313131313131", NULL, NULL), 0x9000);
	/* The counter alone: 00 2C 03 81. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "002C0381", NULL, NULL), 0x9000);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert_uint_eq(tx(c, "0020008106313131313131", NULL, NULL), 0x9000);
	/* Leaving the DF forgets the PUK too. */
	ck_assert_uint_eq(tx(c, "00A4000000", NULL, NULL), 0x9000);
	enter_app(c);
	ck_assert_uint_eq(tx(c, "002C0381", NULL, NULL), 0x6982);
	/* Three wrong PUKs block it for good. */
	ck_assert_uint_eq(tx(c, "00200082083837363534333231", NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, "00200082083837363534333231", NULL, NULL), 0x63C1);
	ck_assert_uint_eq(tx(c, "00200082083837363534333231", NULL, NULL), 0x63C0);
	ck_assert_uint_eq(tx(c, "00200082083132333435363738", NULL, NULL), 0x6983);
	vcard_free(c);
}
END_TEST

START_TEST(mse_forms)
{
	vcard *c = card2(NULL);

	enter_app(c);
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x6A86); /* the 1.x form (fact 26) */
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606840181800182", NULL, NULL), 0x9000); /* any order */
	ck_assert_uint_eq(tx(c, "002241B606800189840181", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606800191840183", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606800199840181", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0022 41B6 06 8001A1 840181", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B60680018B840185", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606800193840185", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B60680019B840186", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B6068001A3840186", NULL, NULL), 0x9000);
	/* An AL that does not fit the key, or no AL the card has: 6A 80. */
	ck_assert_uint_eq(tx(c, "002241B606800182840185", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800193840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800189840185", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800192840181", NULL, NULL), 0x6A80); /* PKCS#1 + hash */
	ck_assert_uint_eq(tx(c, "002241B606800183840185", NULL, NULL), 0x6A80); /* ECDSA no hash */
	ck_assert_uint_eq(tx(c, "002241B6068001AB840185", NULL, NULL), 0x6A80); /* hash 5 */
	ck_assert_uint_eq(tx(c, "002241B606800181840181", NULL, NULL), 0x6A80); /* PSS no hash */
	ck_assert_uint_eq(tx(c, "002241B606800102840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800184840181", NULL, NULL), 0x6A80);
	/* Unknown keys: 6A 88 (KR is 80 | id, fact 19). */
	ck_assert_uint_eq(tx(c, "002241B606800182840189", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(tx(c, "002241B606800182840101", NULL, NULL), 0x6A88);
	/* Malformed templates. */
	ck_assert_uint_eq(tx(c, "002241B6038001 82", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B607800182840181", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "002241B60780018284018100", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800282840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800182800182", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606830182840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B6", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "002241B806800182840181", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "0022F3B606800182840181", NULL, NULL), 0x6A86);
	/* A refused MSE leaves no environment: PSO has nothing to use. */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9A0401020304" "00", NULL, NULL), 0x6985);
	/* From the MF the keys are out of reach. */
	ck_assert_uint_eq(tx(c, "00A4000000", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x6A88);
	vcard_free(c);
}
END_TEST

static const char sha256_prefix[] = "3031300D060960864801650304020105000420";

/* MSE for key `id` with `al`, then PSO over `data`; the signature into
 * sig. The PIN is verified first. */
static unsigned sign(vcard *c, unsigned id, unsigned al, const uint8_t *data, size_t len,
                     uint8_t *sig, size_t *siglen)
{
	char cmd[1200], hex[800];

	snprintf(cmd, sizeof(cmd), "002241B6068001%02X8401%02X", al, 0x80 | id);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(data, len, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A%02zX%s00", len, hex);
	return tx_all(c, cmd, sig, siglen);
}

START_TEST(signatures_per_al)
{
	vcard *c = card2(NULL);
	uint8_t di[51], hash[72], sig[600]; /* hash: room for the longest hash + 1 */
	size_t n;
	static const struct {
		unsigned al;
		const char *md;
		size_t len;
	} pss[] = {{0x89, "SHA1", 20}, {0x91, "SHA256", 32}, {0x99, "SHA384", 48},
	           {0xA1, "SHA512", 64}},
	  ecdsa[] = {{0x8B, "SHA1", 20}, {0x93, "SHA256", 32}, {0x9B, "SHA384", 48},
	             {0xA3, "SHA512", 64}};
	size_t i;

	memset(hash, 0x5A, sizeof(hash));
	ez_hex_decode(sha256_prefix, di, sizeof(di));
	memcpy(di + 19, hash, 32);
	enter_app(c);
	/* PKCS#1 v1.5: the card pads a DigestInfo (fact 22). */
	ck_assert_uint_eq(sign(c, 1, 0x82, di, 51, sig, &n), 0x9000);
	ck_assert_uint_eq(n, 256);
	ck_assert_int_eq(rsa_recovers(rsa2048, sig, n, di, 51, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(vcard_last_op(c), VCARD_OP_SIGN_RSA);
	/* RSA-3072: 384 bytes, 256 + 61 80 + GET RESPONSE. */
	ck_assert_uint_eq(sign(c, 3, 0x82, di, 51, sig, &n), 0x9000);
	ck_assert_uint_eq(n, 384);
	ck_assert_int_eq(rsa_recovers(rsa3072, sig, n, di, 51, RSA_PKCS1_PADDING), 1);
	/* Any block, not only a DigestInfo (the chaining test goes up to
	 * k - 11 bytes). */
	memset(sig, 0x33, 196);
	ck_assert_uint_eq(sign(c, 1, 0x82, sig, 196, sig + 256, &n), 0x9000);
	ck_assert_int_eq(rsa_recovers(rsa2048, sig + 256, n, sig, 196, RSA_PKCS1_PADDING), 1);
	/* PSS: the bare hash, salt = hash length. */
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(sign(c, 1, pss[i].al, hash, pss[i].len, sig, &n), 0x9000);
		ck_assert_uint_eq(n, 256);
		ck_assert_msg(rsa_pss_ok(rsa2048, pss[i].md, sig, n, hash, pss[i].len),
		              "PSS %s", pss[i].md);
		/* Data of another length than the AL's hash: 67 00. */
		ck_assert_uint_eq(sign(c, 1, pss[i].al, hash, pss[i].len - 1, sig, &n), 0x6700);
	}
	/* ECDSA: the bare hash, answer r || s (fact 22). */
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(sign(c, 5, ecdsa[i].al, hash, ecdsa[i].len, sig, &n), 0x9000);
		ck_assert_uint_eq(n, 64);
		/* A hash longer than the curve is truncated, as ECDSA does. */
		ck_assert_msg(ecdsa_rs_ok(ec256, sig, n, hash, ecdsa[i].len), "ECDSA %s",
		              ecdsa[i].md);
		ck_assert_int_eq(vcard_last_op(c), VCARD_OP_SIGN_EC);
		ck_assert_uint_eq(sign(c, 6, ecdsa[i].al, hash, ecdsa[i].len, sig, &n), 0x9000);
		ck_assert_uint_eq(n, 96);
		ck_assert_int_eq(ecdsa_rs_ok(ec384, sig, n, hash, ecdsa[i].len), 1);
		ck_assert_uint_eq(sign(c, 5, ecdsa[i].al, hash, ecdsa[i].len + 1, sig, &n), 0x6700);
	}
	/* SHA-224 has no AL (fact 22): a 28-byte hash fits none. */
	ck_assert_uint_eq(sign(c, 5, 0x93, hash, 28, sig, &n), 0x6700);
	vcard_free(c);
}
END_TEST

START_TEST(no_raw_rsa)
{
	vcard *c = card2(NULL);
	uint8_t block[256], sig[600];
	char hex[600], cmd[700];
	size_t n;

	memset(block, 0x11, sizeof(block));
	block[0] = 0;
	verify_pin2(c);
	ck_assert_uint_eq(tx(c, "002241B606800182840181", NULL, NULL), 0x9000);
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 196, 60, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A3C%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, sig, &n), 0x6700);
	ck_assert_uint_eq(n, 0);
	/* k - 10 bytes: too long for PKCS#1 v1.5 padding. */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 196, 50, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A32%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6700);
	/* k - 11 bytes: the largest block. */
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 196, 49, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A31%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, sig, &n), 0x9000);
	ck_assert_int_eq(rsa_recovers(rsa2048, sig, n, block, 245, RSA_PKCS1_PADDING), 1);
	vcard_free(c);
}
END_TEST

START_TEST(sign_conditions)
{
	vcard *c = card2(NULL);
	uint8_t hash[32], hash48[48], sig[600];
	size_t n;
	char pso[200];

	memset(hash, 0x22, sizeof(hash));
	memset(hash48, 0x22, sizeof(hash48));
	snprintf(pso, sizeof(pso), "002A9E9A20%s00",
	         "2222222222222222222222222222222222222222222222222222222222222222");
	enter_app(c);
	ck_assert_uint_eq(tx(c, pso, NULL, NULL), 0x6985); /* no MSE since power-on */
	ck_assert_uint_eq(tx(c, "002241B606800193840185", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, pso, NULL, NULL), 0x6982); /* no PIN */
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002A9E9B20", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002A9E9A", NULL, NULL), 0x6700);
	/* Key 5 (9E = 00) signs again and again on one VERIFY. */
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_int_eq(ecdsa_rs_ok(ec256, sig, n, hash, 32), 1);
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	/* Key 6 (9E = 01): one signature per VERIFY, and that VERIFY may
	 * come before the MSE or after another key's signature. */
	snprintf(pso, sizeof(pso), "002A9E9A30%s00",
	         "222222222222222222222222222222222222222222222222222222222222222222222222222222222222"
	         "222222222222");
	ck_assert_uint_eq(tx(c, "002241B60680019B840186", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_uint_eq(tx(c, pso, NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_uint_eq(tx(c, pso, NULL, NULL), 0x6982);
	/* A failed VERIFY in between spoils the next one's signature. */
	ck_assert_uint_eq(tx(c, VERIFY_WRONG, NULL, NULL), 0x63C2);
	ck_assert_uint_eq(tx(c, pso, NULL, NULL), 0x6982);
	ck_assert_uint_eq(tx(c, VERIFY_RIGHT, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B606800193840185", NULL, NULL), 0x9000);
	snprintf(pso, sizeof(pso), "002A9E9A20%s00",
	         "2222222222222222222222222222222222222222222222222222222222222222");
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_uint_eq(tx(c, "002241B60680019B840186", NULL, NULL), 0x9000);
	snprintf(pso, sizeof(pso), "002A9E9A30%s00",
	         "222222222222222222222222222222222222222222222222222222222222222222222222222222222222"
	         "222222222222");
	ck_assert_uint_eq(tx_all(c, pso, sig, &n), 0x9000);
	ck_assert_int_eq(ecdsa_rs_ok(ec384, sig, n, hash48, 48), 1);
	vcard_free(c);
}
END_TEST

START_TEST(chaining)
{
	vcard *c = card2(NULL);
	uint8_t block[373], sig[600];
	char hex[800], cmd[900];
	size_t n;

	memset(block, 0x44, sizeof(block));
	verify_pin2(c);
	ck_assert_uint_eq(tx(c, "002241B606800182840183", NULL, NULL), 0x9000);
	/* 300 bytes for RSA-3072 PKCS#1 in 196-byte blocks, Le 00 on every
	 * block (fact 25). */
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 196, 104, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A68%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, sig, &n), 0x9000);
	ck_assert_uint_eq(n, 384);
	ck_assert_int_eq(rsa_recovers(rsa3072, sig, n, block, 300, RSA_PKCS1_PADDING), 1);
	/* The largest: k - 11 = 373 bytes in two blocks, no Le. */
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block + 196, 177, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9AB1%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, sig, &n), 0x9000);
	ck_assert_int_eq(rsa_recovers(rsa3072, sig, n, block, 373, RSA_PKCS1_PADDING), 1);
	/* A block longer than 196 bytes, chained or not: 67 00. */
	ez_hex_encode(block, 197, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC5%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6700);
	snprintf(cmd, sizeof(cmd), "002A9E9AC5%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6700);
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ez_hex_encode(block, 197, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9AC5%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x6700);
	/* Another instruction inside a chain: 68 83; and the chain is gone. */
	ez_hex_encode(block, 196, hex);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", hex);
	ck_assert_uint_eq(tx(c, cmd, NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000001", NULL, NULL), 0x6883);
	ez_hex_encode(block, 51, hex);
	snprintf(cmd, sizeof(cmd), "002A9E9A33%s00", hex);
	ck_assert_uint_eq(tx_all(c, cmd, sig, &n), 0x9000);
	ck_assert_int_eq(rsa_recovers(rsa3072, sig, n, block, 51, RSA_PKCS1_PADDING), 1);
	/* Only PSO chains. */
	ck_assert_uint_eq(tx(c, "10A4000C023F00", NULL, NULL), 0x6884);
	ck_assert_uint_eq(tx(c, "1020008106313233343536", NULL, NULL), 0x6884);
	vcard_free(c);
}
END_TEST

START_TEST(version_20_22_has_no_ec)
{
	struct vcard_key_spec k = {7, ec256, 0x81, false, NULL};
	uint8_t hash[64], sig[600], atr[VCARD_MAX_ATR];
	long len = ez_hex_decode(ATR_228_NXP, atr, sizeof(atr));
	size_t n;
	vcard *c;

	ck_assert(!vcard_atr_gen2_has_ec(atr, (size_t)len));
	/* Personalization refuses EC keys on these cards... */
	c = vcard_new(VCARD_GEN_2, atr, (size_t)len);
	ck_assert(!vcard_has_ec(c));
	{
		struct vcard_pin_spec p = {0x81, (const uint8_t *)"123456", 6, 3, 6, 8, 0, "PIN"};
		ck_assert_int_eq(vcard_add_pin(c, &p), 0);
	}
	ck_assert_int_eq(vcard_add_key(c, &k), -1);
	k.key = ec384;
	ck_assert_int_eq(vcard_add_key(c, &k), -1);
	k.key = rsa2048;
	ck_assert_int_eq(vcard_add_key(c, &k), 0);
	vcard_free(c);
	/* ...and MSE knows no ECDSA and no PSS with SHA-384/512 (facts 22, 23). */
	c = card2(ATR_228_NXP);
	memset(hash, 0x77, sizeof(hash));
	enter_app(c);
	ck_assert_uint_eq(tx(c, "002241B606800199840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B6068001A1840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "002241B606800193840181", NULL, NULL), 0x6A80);
	ck_assert_uint_eq(tx(c, "00CB3FFF084D06BF910502A08000", NULL, NULL), 0x6A88);
	ck_assert_uint_eq(sign(c, 1, 0x91, hash, 32, sig, &n), 0x9000);
	ck_assert_int_eq(rsa_pss_ok(rsa2048, "SHA256", sig, n, hash, 32), 1);
	ck_assert_uint_eq(sign(c, 1, 0x89, hash, 20, sig, &n), 0x9000);
	ck_assert_int_eq(rsa_pss_ok(rsa2048, "SHA1", sig, n, hash, 20), 1);
	/* GET DATA 0A: the NXP chip's 24 bytes. */
	ck_assert_uint_eq(tx(c, "00CA010A00", sig, &n), 0x9000);
	ck_assert_uint_eq(n, 24);
	vcard_free(c);
	c = card2(ATR_228_INFINEON);
	ck_assert_uint_eq(tx(c, "00CA010A1F", sig, &n), 0x9000);
	ck_assert_uint_eq(n, 31);
	vcard_free(c);
}
END_TEST

START_TEST(get_data)
{
	vcard *c = card2(NULL);

	/* The serial: the whole 8 bytes of mode 0B (fact 38). */
	ck_assert_str_eq(tx_hex(c, "00CA010B08"), "0102030405060708" "9000");
	ck_assert_str_eq(tx_hex(c, "00CA010B00"), "0102030405060708" "9000");
	ck_assert_str_eq(tx_hex(c, "00CA010B10"), "6C08");
	ck_assert_str_eq(tx_hex(c, "00CA010F08"), "1112131415161718" "9000");
	/* Life cycle: byte 3 = A5, the operation phase (facts 34, 39). */
	ck_assert_str_eq(tx_hex(c, "00CA010407"), "000000A5004000" "9000");
	ck_assert_str_eq(tx_hex(c, "00CA010408"), "6C07");
	ck_assert_str_eq(tx_hex(c, "00CA010610"), "45494D5A41205643415244" "20322E7820" "9000");
	ck_assert_str_eq(tx_hex(c, "00CA010A18") + 48, "9000");
	/* The 1.2 system data form gets the 2.x label's length. */
	ck_assert_str_eq(tx_hex(c, "00CA010651"), "6C10");
	ck_assert_str_eq(tx_hex(c, "00CA010500"), "6A88");
	ck_assert_str_eq(tx_hex(c, "00CA010100"), "6A88");
	ck_assert_str_eq(tx_hex(c, "00CA020B08"), "6A86");
	ck_assert_str_eq(tx_hex(c, "00CA010B0100"), "6700");
	vcard_free(c);
}
END_TEST

/* A module that speaks 1.x to a 2.x card must fail. */
START_TEST(refuses_1x_forms)
{
	vcard *c = card2(NULL);

	enter_app(c);
	ck_assert_uint_eq(tx(c, "801A0000", NULL, NULL), 0x6D00); /* LOGOUT (fact 41) */
	ck_assert_uint_eq(tx(c, "8018000000", NULL, NULL), 0x6D00); /* LIST FILES (fact 13) */
	ck_assert_uint_eq(tx(c, "0022C301", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "002C0081100831323334353637380631313131313131", NULL, NULL),
	                  0x6A86);
	ck_assert_uint_eq(tx(c, "00A4080C043F002F10", NULL, NULL), 0x6A86);
	ck_assert_uint_eq(tx(c, "0020008100", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "00200081", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "80090001", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "8015800F025031", NULL, NULL), 0x6D00);
	ck_assert_uint_eq(tx(c, "0C20008106313233343536", NULL, NULL), 0x6E00); /* no SM (fact 7) */
	ck_assert_uint_eq(tx(c, "80A4000000", NULL, NULL), 0x6E00);
	ck_assert_uint_eq(tx(c, "001A0000", NULL, NULL), 0x6D00);
	/* Extended length is never built by CIF (fact 42). */
	ck_assert_uint_eq(tx(c, "00B00000000100", NULL, NULL), 0x6700);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	vcard_free(c);
}
END_TEST

START_TEST(list_and_challenge)
{
	vcard *c = card2(NULL);
	uint8_t a[256], b[256];
	size_t n, m;

	/* The proprietary listing 80 1D (fact 13). */
	ck_assert_str_eq(tx_hex(c, "801D000000"), "01" "9000");
	enter_app(c);
	ck_assert_str_eq(tx_hex(c, "801D000000"), "03" "9000");
	ck_assert_str_eq(tx_hex(c, "801D000200"), "620B80020005820101830" "22F11" "9000");
	ck_assert_str_eq(tx_hex(c, "801D000400"), "6A82");
	ck_assert_str_eq(tx_hex(c, "801D010000"), "6A86");
	/* GET CHALLENGE 00 84 00 00 Le. */
	ck_assert_uint_eq(tx(c, "0084000008", a, &n), 0x9000);
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(tx(c, "0084000008", b, &m), 0x9000);
	ck_assert(memcmp(a, b, 8) != 0);
	ck_assert_uint_eq(tx(c, "00840000C4", a, &n), 0x9000);
	ck_assert_uint_eq(n, 196);
	ck_assert_uint_eq(tx(c, "00840000", NULL, NULL), 0x6700);
	ck_assert_uint_eq(tx(c, "0084010008", NULL, NULL), 0x6A86);
	vcard_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcard-gen2");
	TCase *t = tcase_create("gen2");
	SRunner *r;
	int failed;

	keys_init();
	tcase_set_timeout(t, 120);
	tcase_add_test(t, select_forms);
	tcase_add_test(t, read_binary);
	tcase_add_test(t, sdo_examples);
	tcase_add_test(t, protected_public_keys);
	tcase_add_test(t, verify);
	tcase_add_test(t, security_status_is_df_local);
	tcase_add_test(t, change_reference_data);
	tcase_add_test(t, unblock);
	tcase_add_test(t, mse_forms);
	tcase_add_test(t, signatures_per_al);
	tcase_add_test(t, no_raw_rsa);
	tcase_add_test(t, sign_conditions);
	tcase_add_test(t, chaining);
	tcase_add_test(t, version_20_22_has_no_ec);
	tcase_add_test(t, get_data);
	tcase_add_test(t, refuses_1x_forms);
	tcase_add_test(t, list_and_challenge);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	keys_free();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
