/*
 * test-card-v1.c: the AKIS 1.x dialect (spoken as 1.2), APDU by APDU:
 * SELECT with P1 00/01/02/04 and the FCI, the PKCS#15 application found
 * through EF(DIR) and selected by name, its files read once, VERIFY with
 * the state query, CHANGE and RESET RETRY COUNTER with length bytes, MSE
 * C3, LOGOUT 80 1A, the serial at bytes 57..64 of GET DATA 06.
 */
#include "config.h"

#include "card-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eimza/der.h>

#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"

#define ATR_122 "3B9F968131FE45806755454B41451292318073B3A1806A"
#define SELECT_APP "00A404000CA000000063504B43532D313500"

static const struct test_key *rsa_a(void)
{
	return test_key("rsa-a", false, 2048, "AHMET YILMAZ", true);
}

static void finish(der_buf *b)
{
	ck_assert_int_eq(der_buf_finish(b), 0);
}

/* SELECT of an EF with its FCI (size), then READ BINARY in 208-byte pieces. */
static void script_ef(ez_conn *c, const char *fid, const uint8_t *data, size_t len)
{
	char cmd[64], rsp[64];
	size_t off = 0;

	snprintf(cmd, sizeof(cmd), "00A4020002%s00", fid);
	snprintf(rsp, sizeof(rsp), "62048002%04zX9000", len);
	expect(c, cmd, rsp);
	while (off < len) {
		size_t n = len - off < 208 ? len - off : 208;
		snprintf(cmd, sizeof(cmd), "00B0%04zX%02zX", off, n);
		expect_data(c, cmd, data + off, n, 0x9000);
		off += n;
	}
}

static void path(der_buf *b, uint16_t fid)
{
	size_t m = der_open(b, DER_SEQUENCE);
	uint8_t p[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};

	der_put(b, DER_OCTET_STRING, p, 2);
	der_close(b, m);
}

/* What the scripted 1.2 card holds besides its one RSA key (iD 45). */
struct v1_opts {
	bool consent;    /* the key's userConsent */
	bool pukdf;      /* the ODF names a PuKDF (2F02) describing the key's public key in 4401 */
	uint8_t cert_id; /* the certificate's iD in the CDF: 45 is the key's */
};

static void script_app(ez_conn *c, const struct v1_opts *o)
{
	static const uint8_t aid[] = {EZ_P15_AID_BYTES}, app_path[] = {0x3F, 0x00, 0x3D, 0x00};
	der_buf b;
	size_t m, n, k, a;

	/* EF(DIR) in the MF. */
	expect(c, "00A40000023F0000", "6F0483023F00 9000");
	der_buf_init(&b);
	m = der_open(&b, DER_APP_CONS(1));
	der_put(&b, DER_APP(15), aid, sizeof(aid));
	der_put_str(&b, DER_APP(16), "AKIS");
	der_put(&b, DER_APP(17), app_path, sizeof(app_path));
	der_close(&b, m);
	finish(&b);
	script_ef(c, "2F00", b.data, b.len);
	der_buf_free(&b);
	/* The application by its name. */
	expect(c, SELECT_APP, "6F0E840CA000000063504B43532D3135 9000");
	/* ODF: PrKDF 2F01, CDF 2F04, AODF 2F05 (relative paths). */
	der_buf_init(&b);
	m = der_open(&b, 0xA0);
	path(&b, 0x2F01);
	der_close(&b, m);
	if (o->pukdf) {
		m = der_open(&b, 0xA1);
		path(&b, 0x2F02);
		der_close(&b, m);
	}
	m = der_open(&b, 0xA4);
	path(&b, 0x2F04);
	der_close(&b, m);
	m = der_open(&b, 0xA8);
	path(&b, 0x2F05);
	der_close(&b, m);
	finish(&b);
	script_ef(c, "5031", b.data, b.len);
	der_buf_free(&b);
	/* TokenInfo. */
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	der_put_uint(&b, DER_INTEGER, 0);
	der_put(&b, DER_OCTET_STRING, "\x01\x02\x03\x04", 4);
	der_put_str(&b, DER_UTF8_STRING, "TUBITAK BILGEM");
	der_put_str(&b, DER_CTX(0), "AHMET YILMAZ");
	der_put_bits(&b, DER_BIT_STRING, 1u << 1);
	der_close(&b, m);
	finish(&b);
	script_ef(c, "5032", b.data, b.len);
	der_buf_free(&b);
	/* PrKDF: one RSA key, id 45, key reference 01, userConsent. */
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	n = der_open(&b, DER_SEQUENCE);
	der_put_str(&b, DER_UTF8_STRING, "NES");
	der_put(&b, DER_OCTET_STRING, "\x01", 1);
	if (o->consent)
		der_put_uint(&b, DER_INTEGER, 1);
	der_close(&b, n);
	n = der_open(&b, DER_SEQUENCE);
	der_put(&b, DER_OCTET_STRING, "\x45", 1);
	der_put_bits(&b, DER_BIT_STRING, (1u << 2) | (1u << 9));
	der_put_uint(&b, DER_INTEGER, 1);
	der_close(&b, n);
	n = der_open(&b, DER_CTX_CONS(1));
	k = der_open(&b, DER_SEQUENCE);
	path(&b, 0x4401);
	der_put_uint(&b, DER_INTEGER, 2048);
	der_close(&b, k);
	der_close(&b, n);
	der_close(&b, m);
	finish(&b);
	script_ef(c, "2F01", b.data, b.len);
	der_buf_free(&b);
	/* CDF: the certificate in 2F10. */
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	n = der_open(&b, DER_SEQUENCE);
	der_put_str(&b, DER_UTF8_STRING, "NES");
	der_close(&b, n);
	n = der_open(&b, DER_SEQUENCE);
	der_put(&b, DER_OCTET_STRING, &o->cert_id, 1);
	der_close(&b, n);
	n = der_open(&b, DER_CTX_CONS(1));
	k = der_open(&b, DER_SEQUENCE);
	path(&b, 0x2F10);
	der_close(&b, k);
	der_close(&b, n);
	der_close(&b, m);
	finish(&b);
	script_ef(c, "2F04", b.data, b.len);
	der_buf_free(&b);
	/* AODF: the PIN (6 to 8 digits, reference 81), unblocked by authId 02. */
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	n = der_open(&b, DER_SEQUENCE);
	der_put_str(&b, DER_UTF8_STRING, "PIN");
	der_put(&b, DER_OCTET_STRING, "\x02", 1);
	der_close(&b, n);
	n = der_open(&b, DER_SEQUENCE);
	der_put(&b, DER_OCTET_STRING, "\x01", 1);
	der_close(&b, n);
	n = der_open(&b, DER_CTX_CONS(1));
	k = der_open(&b, DER_SEQUENCE);
	der_put_bits(&b, DER_BIT_STRING, (1u << 1) | (1u << 4));
	der_put_uint(&b, DER_ENUMERATED, 1);
	der_put_uint(&b, DER_INTEGER, 6);
	der_put_uint(&b, DER_INTEGER, 8);
	der_put_uint(&b, DER_CTX(0), 0x81);
	der_close(&b, k);
	der_close(&b, n);
	der_close(&b, m);
	a = 0;
	(void)a;
	finish(&b);
	script_ef(c, "2F05", b.data, b.len);
	der_buf_free(&b);
	/* The certificate, read up to its DER length only. */
	script_ef(c, "2F10", rsa_a()->der, rsa_a()->der_len);
	/* A key without a certificate: only now the PuKDF, and the public
	 * key's own file. */
	if (o->pukdf && o->cert_id != 0x45) {
		uint8_t *spki = NULL;
		int len = i2d_PUBKEY(rsa_a()->pk, &spki);
		der_buf_init(&b);
		m = der_open(&b, DER_SEQUENCE);
		n = der_open(&b, DER_SEQUENCE);
		der_put_str(&b, DER_UTF8_STRING, "NES");
		der_close(&b, n);
		n = der_open(&b, DER_SEQUENCE);
		der_put(&b, DER_OCTET_STRING, "\x45", 1);
		der_put_bits(&b, DER_BIT_STRING, 1u << 6);
		der_close(&b, n);
		n = der_open(&b, DER_CTX_CONS(1));
		k = der_open(&b, DER_SEQUENCE);
		path(&b, 0x4401);
		der_put_uint(&b, DER_INTEGER, 2048);
		der_close(&b, k);
		der_close(&b, n);
		der_close(&b, m);
		finish(&b);
		script_ef(c, "2F02", b.data, b.len);
		der_buf_free(&b);
		ck_assert_int_gt(len, 0);
		script_ef(c, "4401", spki, (size_t)len);
		OPENSSL_free(spki);
	}
	/* The counters while the application is selected: VERIFY without data
	 * (costs no try) for the AODF's PIN and the default PUK. */
	expect(c, "00200081", "63C3");
	expect(c, "00200082", "63C3");
}

void v1_script_load(ez_conn *c, bool consent)
{
	struct v1_opts o = {.consent = consent, .cert_id = 0x45};

	script_app(c, &o);
}

void v1_script_open(ez_conn *c)
{
	uint8_t sys[81];
	char *h, rsp[200];

	/* GET DATA 06 with Le 51: the serial is bytes 57..64. */
	for (size_t i = 0; i < sizeof(sys); i++)
		sys[i] = (uint8_t)(0xA0 + i);
	memcpy(sys + 57, "\x51\x52\x53\x54\x55\x56\x57\x58", 8);
	h = tohex(sys, sizeof(sys));
	snprintf(rsp, sizeof(rsp), "%s9000", h);
	free(h);
	expect(c, "00CA010651", rsp);
}

static ez_card *open_card(ez_conn *conn)
{
	struct ez_card_info info;
	ez_card *card = NULL;

	v1_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, &info), EZ_OK);
	ck_assert_str_eq(info.dialect, "1.2");
	ck_assert_str_eq(info.model, "AKIS 1.2.2 (Infineon)");
	ck_assert_uint_eq(info.serial_len, 8);
	ck_assert_mem_eq(info.serial, "\x51\x52\x53\x54\x55\x56\x57\x58", 8);
	return card;
}

START_TEST(loads_pkcs15)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	struct ez_p15_app app;
	const struct ez_p15_pin *pin, *puk;
	ez_card *card = open_card(conn);

	v1_script_load(conn, true);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_prkeys, 1);
	ck_assert_uint_eq(app.prkeys[0].key_ref, 0x01);
	ck_assert(app.prkeys[0].user_consent);
	ck_assert_uint_eq(app.n_certs, 1);
	ck_assert_uint_eq(app.certs[0].der_len, rsa_a()->der_len);
	ck_assert_str_eq(app.label, "AHMET YILMAZ");
	pin = ez_p15_user_pin(&app);
	ck_assert_uint_eq(pin->fmt.ref, 0x81);
	ck_assert_uint_eq(pin->fmt.min_len, 6);
	ck_assert_uint_eq(pin->fmt.max_len, 8);
	ck_assert_uint_eq(pin->fmt.max_tries, 3);
	ck_assert_int_eq(pin->tries_left, 3); /* the counters come with the load */
	/* No PUK in the AODF: the 1.x reference 82, 3 tries. */
	puk = ez_p15_so_pin(&app);
	ck_assert_ptr_nonnull(puk);
	ck_assert_uint_eq(puk->fmt.ref, 0x82);
	ck_assert_uint_eq(puk->fmt.max_tries, 3);
	ck_assert_int_eq(puk->tries_left, 3);
	/* The application as the load found it: by the PKCS#15 name, at the
	 * path EF(DIR) gave (ez_card_revalidate selects it so again). */
	ck_assert_uint_eq(app.app_aid_len, 12);
	ck_assert_uint_eq(app.app_path.len, 4);
	ck_assert_mem_eq(app.app_path.value, "\x3F\x00\x3D\x00", 4);
	/* Only the 1.2 forms: no SELECT by path (P1 08), no 2.x GET DATA. */
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 A4 08"), 0);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 CB"), 0);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* A PuKDF describes the key's public key, but the key's certificate holds
 * it: neither the PuKDF nor the public-key file is read. Without a
 * certificate for the key (the CDF's certificate has another iD) both
 * are, after the certificates. */
START_TEST(pukdf_only_for_keys_without_certificate)
{
	struct v1_opts with = {.consent = true, .pukdf = true, .cert_id = 0x45};
	struct v1_opts without = {.consent = true, .pukdf = true, .cert_id = 0x46};
	const struct v1_opts *cases[] = {&with, &without};

	for (size_t i = 0; i < 2; i++) {
		ez_conn *conn = ez_replay_open_hex(ATR_122);
		struct ez_p15_app app;
		ez_card *card = open_card(conn);
		script_app(conn, cases[i]);
		ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
		ck_script_done(conn);
		ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 A4 02 00 02 2F 02"), i);
		ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 A4 02 00 02 44 01"), i);
		ck_assert_uint_eq(app.n_pubkeys, i);
		if (i) {
			ck_assert_ptr_nonnull(app.pubkeys[0].spki);
			ck_assert(!ez_card_checkable(&app)); /* a key from a file no check covers */
		} else {
			ck_assert(ez_card_checkable(&app));
		}
		ez_p15_app_free(&app);
		ez_card_free(card);
		ez_replay_close(conn);
	}
}
END_TEST

/* Without EF(DIR): the PKCS#15 name, then DF 3D00 from the MF. */
START_TEST(finds_3d00_without_dir)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	struct ez_p15_app app;
	ez_card *card = open_card(conn);

	expect(conn, "00A40000023F0000", "6F0483023F00 9000");
	expect(conn, "00A40200022F0000", "6A82");
	expect(conn, SELECT_APP, "6A82");
	expect(conn, "00A40000023F0000", "9000");
	expect(conn, "00A40100023D0000", "9000");
	expect(conn, "00A40200025031 00", "6A82");
	ck_assert_int_ne(ez_card_load(card, &app), EZ_OK); /* an empty DF: no ODF */
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

static const struct ez_pin_format pin_fmt = {.ref = 0x81, .min_len = 6, .max_len = 8,
					     .numeric = true, .max_tries = 3};
static const struct ez_pin_format puk_fmt = {.ref = 0x82, .min_len = 8, .max_len = 8,
					     .numeric = true, .max_tries = 3};

START_TEST(pin_forms)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	struct ez_p15_app app;
	enum ez_pin_state st;
	ez_card *card = open_card(conn);
	int tries;

	v1_script_load(conn, false);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	/* The state query: VERIFY without data (costs no try). */
	expect(conn, SELECT_APP, "9000");
	expect(conn, "00200081", "63C2");
	ck_assert_int_eq(ez_card_pin_state(card, &pin_fmt, &st, &tries), EZ_OK);
	ck_assert_int_eq(st, EZ_PIN_TRIES);
	ck_assert_int_eq(tries, 2);
	expect(conn, SELECT_APP, "9000");
	expect(conn, "0020008106313233343536", "6984");
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"123456", 6, &tries),
			 EZ_ERR_PIN_LOCKED); /* 1.x: 69 84 is "blocked" */
	/* CHANGE: 00 24 00 81, len old old len new new. */
	expect(conn, SELECT_APP, "9000");
	expect(conn, "002400810E0631323334353606363534333231", "9000");
	ck_assert_int_eq(ez_card_change_pin(card, &pin_fmt, (const uint8_t *)"123456", 6,
					    (const uint8_t *)"654321", 6, &tries),
			 EZ_OK);
	/* Unblock: 00 2C 00 81 with the PUK in the command. */
	ck_assert(ez_card_unblock_needs_puk(card));
	ck_assert_int_eq(ez_card_unblock_pin(card, &puk_fmt, NULL, 0, &pin_fmt,
					     (const uint8_t *)"111111", 6, &tries),
			 EZ_ERR_ARGS);
	expect(conn, SELECT_APP, "9000");
	expect(conn, "002C00811008313233343536373806313131313131", "9000");
	ck_assert_int_eq(ez_card_unblock_pin(card, &puk_fmt, (const uint8_t *)"12345678", 8,
					     &pin_fmt, (const uint8_t *)"111111", 6, &tries),
			 EZ_OK);
	expect(conn, "801A0000", "9000");
	ck_assert_int_eq(ez_card_logout(card), EZ_OK);
	ck_script_done(conn);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(sign_forms)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	uint8_t raw[256], out[512];
	size_t olen = sizeof(out);
	struct ez_sign_caps caps;
	char cmd[600], *h;
	ez_card *card = open_card(conn);

	ez_card_sign_caps(card, &caps);
	ck_assert(caps.pkcs1 && caps.raw_rsa && caps.pss_hashes == 0);
	/* Raw RSA (host-side PSS): MSE C3, then 196 + 60 bytes chained. */
	memset(raw, 0x11, sizeof(raw));
	expect(conn, "0022C301", "9000");
	h = tohex(raw, 196);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s", h);
	free(h);
	expect(conn, cmd, "9000");
	h = tohex(raw + 196, 60);
	snprintf(cmd, sizeof(cmd), "002A9E9A3C%s00", h);
	free(h);
	expect_data(conn, cmd, raw, 256, 0x9000);
	ck_assert_int_eq(ez_card_sign(card, 0x01, EZ_SIG_RAW, EZ_HASH_NONE, raw, 256, out, &olen),
			 EZ_OK);
	ck_assert_uint_eq(olen, 256);
	/* The card computes no PSS itself. */
	ck_assert_int_eq(ez_card_sign(card, 0x01, EZ_SIG_PSS, EZ_HASH_SHA256, raw, 32, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 22 41"), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

void card_v1_tests(Suite *s)
{
	TCase *tc = tcase_create("v1");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, loads_pkcs15);
	tcase_add_test(tc, pukdf_only_for_keys_without_certificate);
	tcase_add_test(tc, finds_3d00_without_dir);
	tcase_add_test(tc, pin_forms);
	tcase_add_test(tc, sign_forms);
	suite_add_tcase(s, tc);
}
