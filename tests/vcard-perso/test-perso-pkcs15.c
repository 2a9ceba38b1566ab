/*
 * test-perso-pkcs15.c: the PKCS#15 DER written by `eimza-vcard init` is
 * byte for byte what docs/pkcs15-layout.md shows.
 */
#include "config.h"

#include "tools/vcard/perso/perso-pkcs15.h"

#include <eimza/hex.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect_hex(der_buf *b, const char *hex)
{
	uint8_t want[1024];
	long n = ez_hex_decode(hex, want, sizeof(want));
	char got[2 * 1024 + 1];

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(der_buf_finish(b), 0);
	ez_hex_encode(b->data, b->len < 1024 ? b->len : 1024, got);
	ck_assert_msg(b->len == (size_t)n && memcmp(b->data, want, (size_t)n) == 0,
	              "got %s\nwant %s", got, hex);
	der_buf_free(b);
}

START_TEST(ef_dir)
{
	der_buf b;

	der_buf_init(&b);
	p15_ef_dir(&b, "AKIS e-imza");
	expect_hex(&b, "61 21 4F 0C A0 00 00 00 63 50 4B 43 53 2D 31 35"
	               " 50 0B 41 4B 49 53 20 65 2D 69 6D 7A 61"
	               " 51 04 3F 00 3D 00");
}
END_TEST

START_TEST(odf)
{
	der_buf b;

	der_buf_init(&b);
	p15_odf(&b);
	/* The AODF at our 2F08; PrKDF 2F01, PuKDF 2F02, CDF 2F04 are AkisCIF's
	 * constants (evidence fact 12). */
	expect_hex(&b, "A8 0A 30 08 04 06 3F 00 3D 00 2F 08"
	               "A0 0A 30 08 04 06 3F 00 3D 00 2F 01"
	               "A1 0A 30 08 04 06 3F 00 3D 00 2F 02"
	               "A4 0A 30 08 04 06 3F 00 3D 00 2F 04");
}
END_TEST

START_TEST(tokeninfo)
{
	static const uint8_t serial[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	der_buf b;

	der_buf_init(&b);
	p15_tokeninfo(&b, serial, "AB");
	/* "TÜBİTAK BİLGEM" in UTF-8 is 17 bytes. */
	expect_hex(&b, "30 28 02 01 00 04 08 01 02 03 04 05 06 07 08"
	               " 0C 11 54 C3 9C 42 C4 B0 54 41 4B 20 42 C4 B0 4C 47 45 4D"
	               " 80 02 41 42 03 02 06 40");
}
END_TEST

START_TEST(aodf)
{
	const struct p15_pin_lengths l = {4, 8, 4, 16};
	der_buf b;

	der_buf_init(&b);
	p15_aodf(&b, &l);
	expect_hex(&b,
	           /* PIN: authId 01, unblocked by 02, ref 81, local+initialized, 4..8 */
	           "30 36 30 0C 0C 03 50 49 4E 03 02 06 C0 04 01 02"
	           " 30 03 04 01 01"
	           " A1 21 30 1F 03 02 03 48 0A 01 01 02 01 04 02 01 08 02 01 08"
	           " 80 02 00 81 04 01 FF 30 06 04 04 3F 00 3D 00"
	           /* PUK: authId 02, ref 82, + unblockingPin + soPin, 4..16 */
	           "30 33 30 09 0C 03 50 55 4B 03 02 06 C0"
	           " 30 03 04 01 02"
	           " A1 21 30 1F 03 02 00 4B 0A 01 01 02 01 04 02 01 10 02 01 10"
	           " 80 02 00 82 04 01 FF 30 06 04 04 3F 00 3D 00");
}
END_TEST

static struct p15_key rsa_key(void)
{
	struct p15_key k;

	memset(&k, 0, sizeof(k));
	k.label = "K";
	memset(k.id, 0x11, sizeof(k.id));
	k.bits = 2048;
	k.usage = P15_USAGE_SIGN | P15_USAGE_NON_REPUDIATION;
	k.user_consent = true;
	k.key_ref = 1;
	k.cert_fid = 0x4301;
	k.pubkey_fid = 0x4501;
	return k;
}

START_TEST(prkdf_rsa)
{
	static const uint8_t name[] = {0x30, 0x00};
	struct p15_key k = rsa_key();
	der_buf b;

	k.subject = name;
	k.subject_len = sizeof(name);
	der_buf_init(&b);
	p15_prkdf(&b, &k, 1);
	expect_hex(&b, "30 4C"
	               " 30 0D 0C 01 4B 03 02 07 80 04 01 01 02 01 01"
	               " 30 25 04 14 1111111111111111111111111111111111111111"
	               " 03 03 06 20 40 01 01 FF 03 02 03 B8 02 01 01"
	               " A0 04 30 02 30 00"
	               " A1 0E 30 0C 30 06 04 04 3F 00 3D 00 02 02 08 00");
}
END_TEST

START_TEST(prkdf_ec_no_consent)
{
	struct p15_key k = rsa_key();
	der_buf b;

	k.ec = true;
	k.curve_oid = "1.3.132.0.34";
	k.user_consent = false;
	k.usage = P15_USAGE_SIGN;
	k.key_ref = 2;
	der_buf_init(&b);
	p15_prkdf(&b, &k, 1);
	expect_hex(&b, "A0 47"
	               " 30 0A 0C 01 4B 03 02 07 80 04 01 01"
	               " 30 24 04 14 1111111111111111111111111111111111111111"
	               " 03 02 05 20 01 01 FF 03 02 03 B8 02 01 02"
	               " A1 13 30 11 30 06 04 04 3F 00 3D 00 30 07 06 05 2B 81 04 00 22");
}
END_TEST

START_TEST(pukdf_and_cdf)
{
	struct p15_key k[2];
	der_buf b;

	k[0] = rsa_key();
	k[1] = rsa_key();
	k[1].ec = true;
	k[1].curve_oid = "1.2.840.10045.3.1.7";
	memset(k[1].id, 0x22, sizeof(k[1].id));
	k[1].cert_fid = 0x4302;
	k[1].pubkey_fid = 0x4502;
	der_buf_init(&b);
	p15_pukdf(&b, k, 2);
	expect_hex(&b, "30 33 30 03 0C 01 4B"
	               " 30 1A 04 14 1111111111111111111111111111111111111111 03 02 01 02"
	               " A1 10 30 0E 30 08 04 06 3F 00 3D 00 45 01 02 02 08 00"
	               "A0 2F 30 03 0C 01 4B"
	               " 30 1A 04 14 2222222222222222222222222222222222222222 03 02 01 02"
	               " A1 0C 30 0A 30 08 04 06 3F 00 3D 00 45 02");
	der_buf_init(&b);
	p15_cdf(&b, k, 2);
	expect_hex(&b, "30 2B 30 03 0C 01 4B"
	               " 30 16 04 14 1111111111111111111111111111111111111111"
	               " A1 0C 30 0A 30 08 04 06 3F 00 3D 00 43 01"
	               "30 2B 30 03 0C 01 4B"
	               " 30 16 04 14 2222222222222222222222222222222222222222"
	               " A1 0C 30 0A 30 08 04 06 3F 00 3D 00 43 02");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perso-pkcs15");
	TCase *tc = tcase_create("der");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, ef_dir);
	tcase_add_test(tc, odf);
	tcase_add_test(tc, tokeninfo);
	tcase_add_test(tc, aodf);
	tcase_add_test(tc, prkdf_rsa);
	tcase_add_test(tc, prkdf_ec_no_consent);
	tcase_add_test(tc, pukdf_and_cdf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
