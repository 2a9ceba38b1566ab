/*
 * test-card-v2.c: the AKIS 2.x dialect, APDU by APDU, against the forms
 * of the public evidence (docs/akis-profile.md): application selection by
 * name, certificate EFs 2F10.., security data objects for keys and PINs,
 * pairing by public key, VERIFY / CHANGE / unblock / MSE 41 B6 / PSO with
 * 196-byte chaining, logout by re-selection, and no 1.x form anywhere.
 */
#include "config.h"

#include "card-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/sha.h>

#include <eimza/der.h>

#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"

#define ATR_252 "3B9F978131FE458065544353228231C073F62180810553"
#define ATR_228 "3B9F978131FE4580655443D2210831C073F6218081055B"
#define SELECT_APP "00A4040007504B43532D313500"
#define APP_FCI "6F09 8407504B43532D3135 9000"

static const struct test_key *rsa_a(void)
{
	return test_key("rsa-a", false, 2048, "AHMET YILMAZ", true);
}

static const struct test_key *rsa_b(void)
{
	return test_key("rsa-b", false, 2048, "AHMET YILMAZ İMZA", false);
}

static const struct test_key *ec_a(void)
{
	return test_key("ec-a", true, 256, "AHMET YILMAZ KİMLİK", false);
}

static void expect_der(ez_conn *c, const char *cmd, der_buf *b, uint16_t sw)
{
	ck_assert_int_eq(der_buf_finish(b), 0);
	expect_data(c, cmd, b->data, b->len, sw);
	der_buf_free(b);
}

void v2_script_open(ez_conn *c)
{
	expect(c, "00CA010B08", "1122334455667788 9000");
}

static void script_pin(ez_conn *c, uint8_t n, int tries, unsigned min, unsigned max)
{
	char cmd[64];
	der_buf b;
	size_t m, t;

	snprintf(cmd, sizeof(cmd), "00CB3FFF084D06BF81%02X02A08000", n);
	der_buf_init(&b);
	m = der_open(&b, 0xBF8100u | n);
	t = der_open(&b, 0xA0);
	der_put_uint(&b, 0x9A, 3);
	der_put_uint(&b, 0x9B, (unsigned long)tries);
	der_close(&b, t);
	der_close(&b, m);
	expect_der(c, cmd, &b, 0x9000);
	snprintf(cmd, sizeof(cmd), "00CB3FFF0D4D0BBF81%02X077F41048080818000", n);
	der_buf_init(&b);
	m = der_open(&b, 0xBF8100u | n);
	t = der_open(&b, 0x7F41);
	der_put_uint(&b, 0x80, max);
	der_put_uint(&b, 0x81, min);
	der_close(&b, t);
	der_close(&b, m);
	expect_der(c, cmd, &b, 0x9000);
}

void v2_script_select_cert(ez_conn *c, unsigned i, const struct test_key *k, size_t ef_size)
{
	char cmd[64], rsp[64];

	snprintf(cmd, sizeof(cmd), "00A40200022F%02X00", 0x10 + i);
	snprintf(rsp, sizeof(rsp), "62048002%04zX9000", ef_size ? ef_size : k->der_len);
	expect(c, cmd, rsp);
}

/* SELECT 2F1x and READ BINARY in 208-byte pieces up to the DER length, also
 * when the EF is larger. */
static void script_cert(ez_conn *c, unsigned i, const struct test_key *k, size_t ef_size)
{
	char cmd[64];
	size_t off = 0;

	v2_script_select_cert(c, i, k, ef_size);
	while (off < k->der_len) {
		size_t n = k->der_len - off < 208 ? k->der_len - off : 208;
		snprintf(cmd, sizeof(cmd), "00B0%04zX%02zX", off, n);
		expect_data(c, cmd, k->der + off, n, 0x9000);
		off += n;
	}
}

static const struct v2_key *key_with(const struct v2_card *card, uint8_t tt, uint8_t id)
{
	for (size_t i = 0; i < card->nkeys; i++)
		if (card->keys[i].id == id && (card->keys[i].k->ec ? 0x91 : 0x90) == tt)
			return &card->keys[i];
	return NULL;
}

static void script_header(ez_conn *c, uint8_t tt, uint8_t id, const struct v2_key *k)
{
	char cmd[64];
	der_buf b;
	size_t m, t;

	snprintf(cmd, sizeof(cmd), "00CB3FFF084D06BF%02X%02X02A08000", tt, id);
	if (!k) {
		expect(c, cmd, "6A88");
		return;
	}
	der_buf_init(&b);
	m = der_open(&b, 0xBF0000u | (unsigned)tt << 8 | id);
	t = der_open(&b, 0xA0);
	der_put_uint(&b, 0x80, k->k->bits);
	der_put(&b, 0x84, k->name, strlen(k->name));
	der_put_uint(&b, 0x9E, k->nonrep ? 1 : 0);
	der_close(&b, t);
	der_close(&b, m);
	expect_der(c, cmd, &b, 0x9000);
}

static void script_public(ez_conn *c, const struct v2_card *card, const struct v2_key *k)
{
	uint8_t tt = k->k->ec ? 0xA1 : 0xA0, v[512];
	char cmd[64];
	der_buf b;
	size_t m, t, n = 0;
	BIGNUM *bn = NULL;

	snprintf(cmd, sizeof(cmd), "00CB3FFF0B4D09BF%02X%02X057F4902%02X8000", tt, k->id,
		 k->k->ec ? 0x86 : 0x81);
	if (card->pub_protected) {
		expect(c, cmd, "6982");
		return;
	}
	if (k->k->ec) {
		ck_assert(EVP_PKEY_get_octet_string_param(k->k->pk, OSSL_PKEY_PARAM_PUB_KEY, v,
							  sizeof(v), &n));
	} else {
		ck_assert(EVP_PKEY_get_bn_param(k->k->pk, OSSL_PKEY_PARAM_RSA_N, &bn));
		n = (size_t)BN_bn2bin(bn, v);
		BN_free(bn);
	}
	der_buf_init(&b);
	m = der_open(&b, 0xBF0000u | (unsigned)tt << 8 | k->id);
	t = der_open(&b, 0x7F49);
	der_put(&b, k->k->ec ? 0x86 : 0x81, v, n);
	der_close(&b, t);
	der_close(&b, m);
	expect_der(c, cmd, &b, 0x9000);
}

/* What the module asks to pair certificate `rank` (1-based): ESYA's first
 * guess 2n-1, then 1..10, then 81..8A, header then public key, until the
 * public key is the certificate's. Returns the id it pairs with, 0 none. */
static uint8_t script_pairing(ez_conn *c, const struct v2_card *card, const struct test_key *cert,
			      unsigned rank, bool *taken)
{
	uint8_t tt = cert->ec ? 0x91 : 0x90, order[21], blind = 0;
	size_t n = 0, nblind = 0;

	if (2 * rank - 1 <= 10)
		order[n++] = (uint8_t)(2 * rank - 1);
	for (unsigned high = 0; high <= 0x80; high += 0x80)
		for (unsigned id = 1; id <= 10; id++)
			if (high || id != 2 * rank - 1)
				order[n++] = (uint8_t)(high | id);
	for (size_t i = 0; i < n; i++) {
		const struct v2_key *k;
		if (taken[order[i]])
			continue;
		k = key_with(card, tt, order[i]);
		script_header(c, tt, order[i], k);
		if (!k)
			continue;
		script_public(c, card, k);
		if (!card->pub_protected && k->k == cert)
			return k->id;
		if (card->pub_protected && k->k->bits == cert->bits) {
			blind = k->id;
			nblind++;
		}
	}
	return nblind == 1 ? blind : 0;
}

void v2_script_load(ez_conn *c, const struct v2_card *card)
{
	bool taken[256] = {false};

	expect(c, SELECT_APP, APP_FCI);
	script_pin(c, 1, card->pin_tries, 6, 8);
	script_pin(c, 2, card->puk_tries, 8, 16);
	for (size_t i = 0; i < card->ncerts; i++)
		script_cert(c, (unsigned)i, card->certs[i], card->ef_size);
	for (size_t i = card->ncerts; i < card->ncerts + 3; i++) {
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "00A40200022F%02zX00", 0x10 + i);
		expect(c, cmd, "6A82");
	}
	for (size_t i = 0; i < card->ncerts; i++) {
		uint8_t id = script_pairing(c, card, card->certs[i], (unsigned)i + 1, taken);
		if (id)
			taken[id] = true;
	}
}

static ez_card *open_card(ez_conn *conn)
{
	struct ez_card_info info;
	ez_card *card = NULL;

	ck_assert_int_eq(ez_card_open(conn, &card, &info), EZ_OK);
	ck_assert_ptr_nonnull(card);
	ck_assert_str_eq(info.dialect, "2.x");
	return card;
}

static const struct ez_p15_prkey *key_of(const struct ez_p15_app *app, const struct test_key *k)
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(k->x);
	uint8_t h[SHA_DIGEST_LENGTH];

	SHA1(bits->data, (size_t)bits->length, h);
	for (size_t i = 0; i < app->n_prkeys; i++)
		if (app->prkeys[i].id.len == sizeof(h) && memcmp(app->prkeys[i].id.value, h, 20) == 0)
			return &app->prkeys[i];
	return NULL;
}

/* ---- open and load ---------------------------------------------------------------- */

START_TEST(serial_is_get_data_0b)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_card_info(card)->serial_len, 8);
	ck_assert_mem_eq(ez_card_info(card)->serial, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	ck_assert_str_eq(ez_card_info(card)->model, "AKIS 2.5.2 (NXP)");
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* A card that does not give its serial still opens (the token is then
 * named after its certificate); the refusal is not retried in another form. */
START_TEST(serial_refused_is_not_fatal)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card;

	expect(conn, "00CA010B08", "6A88");
	card = open_card(conn);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_card_info(card)->serial_len, 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(nes_card_loads)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct v2_card model = {.certs = {rsa_a()}, .ncerts = 1,
				.keys = {{rsa_a(), 1, true, "12345678902NES0"}}, .nkeys = 1,
				.pin_tries = 3, .puk_tries = 3};
	struct ez_p15_app app;
	const struct ez_p15_prkey *k;
	const struct ez_p15_pin *pin, *puk;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	v2_script_load(conn, &model);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_certs, 1);
	ck_assert_uint_eq(app.n_prkeys, 1);
	ck_assert_uint_eq(app.n_pubkeys, 0);
	k = key_of(&app, rsa_a());
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->key_ref, 0x81);
	ck_assert(k->user_consent); /* 9E = 01: one PIN per signature */
	ck_assert(k->usage & EZ_P15_USAGE_NON_REPUDIATION);
	ck_assert_str_eq(k->label, "12345678902NES0");
	ck_assert_str_eq(app.certs[0].label, "12345678902NES0");
	ck_assert_mem_eq(app.certs[0].der, rsa_a()->der, rsa_a()->der_len);
	pin = ez_p15_user_pin(&app);
	puk = ez_p15_so_pin(&app);
	ck_assert_ptr_nonnull(pin);
	ck_assert_ptr_nonnull(puk);
	ck_assert_uint_eq(pin->fmt.ref, 0x81);
	ck_assert_uint_eq(pin->fmt.min_len, 6);
	ck_assert_uint_eq(pin->fmt.max_len, 8);
	ck_assert_uint_eq(pin->fmt.max_tries, 3);
	ck_assert_int_eq(pin->tries_left, 3);
	ck_assert_uint_eq(puk->fmt.ref, 0x82);
	ck_assert_uint_eq(puk->fmt.min_len, 8);
	ck_assert_uint_eq(puk->fmt.max_len, 16);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	/* No 1.x form: no path SELECT, no LIST FILES, no GET DATA 06, no
	 * PKCS#15 directory file, no VERIFY status query. */
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 A4 08"), 0);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 80"), 0);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 CA 01 06"), 0);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 A4 02 00 02 50 31"), 0);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 20"), 0);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* A certificate EF larger than its certificate (the FCI says 2 KiB): the
 * first READ BINARY tells the DER length, and the reads stop there: not a
 * byte of the EF's rest is asked for (the script would not answer it). */
START_TEST(reads_stop_at_der_length)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct v2_card model = {.certs = {rsa_a()}, .ncerts = 1,
				.keys = {{rsa_a(), 1, true, "NES"}}, .nkeys = 1,
				.pin_tries = 3, .puk_tries = 3, .ef_size = 0x800};
	struct ez_card_stats st;
	struct ez_p15_app app;
	ez_card *card;

	ck_assert_uint_gt(model.ef_size, rsa_a()->der_len + 208);
	v2_script_open(conn);
	card = open_card(conn);
	v2_script_load(conn, &model);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.certs[0].der_len, rsa_a()->der_len);
	ez_card_stats(card, &st);
	ck_assert_uint_eq(st.bytes_read, rsa_a()->der_len);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* Keys in ids 1, 5, 3 for the certificates in 2F10, 2F11, 2F12: neither
 * position nor ESYA's 2n-1 guess pairs them; the public keys do. */
START_TEST(pairs_by_public_key)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct v2_card model = {.certs = {rsa_a(), ec_a(), rsa_b()}, .ncerts = 3,
				.keys = {{rsa_a(), 1, true, "NES"}, {ec_a(), 5, false, "AUTH"},
					 {rsa_b(), 3, false, "SIGN"}},
				.nkeys = 3, .pin_tries = 2, .puk_tries = 3};
	struct ez_p15_app app;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	v2_script_load(conn, &model);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_prkeys, 3);
	ck_assert_uint_eq(key_of(&app, rsa_a())->key_ref, 0x81);
	ck_assert_uint_eq(key_of(&app, ec_a())->key_ref, 0x85);
	ck_assert_uint_eq(key_of(&app, ec_a())->type, EZ_P15_KEY_EC);
	ck_assert_uint_eq(key_of(&app, rsa_b())->key_ref, 0x83);
	ck_assert(!key_of(&app, rsa_b())->user_consent);
	ck_assert_int_eq(ez_p15_user_pin(&app)->tries_left, 2);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* Public keys the card will not show: a key pairs only when it is the one
 * candidate of the certificate's size; two of that size pair nothing. */
START_TEST(protected_public_keys)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct v2_card one = {.certs = {rsa_a()}, .ncerts = 1,
			      .keys = {{rsa_a(), 1, true, "NES"}}, .nkeys = 1,
			      .pub_protected = true, .pin_tries = 3, .puk_tries = 3};
	struct v2_card two = {.certs = {rsa_a()}, .ncerts = 1,
			      .keys = {{rsa_a(), 1, true, "NES"}, {rsa_b(), 2, false, "X"}},
			      .nkeys = 2, .pub_protected = true, .pin_tries = 3, .puk_tries = 3};
	struct ez_p15_app app;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	v2_script_load(conn, &one);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_prkeys, 1);
	ck_assert_uint_eq(app.prkeys[0].key_ref, 0x81);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);

	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	card = open_card(conn);
	v2_script_load(conn, &two);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_prkeys, 0); /* the certificate stays, alone */
	ck_assert_uint_eq(app.n_certs, 1);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* The application is looked for from where the card stands; only when it
 * is not found there is the MF selected (leaving the DF would end another
 * program's PIN status). */
START_TEST(application_from_the_mf)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct ez_p15_app app;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	expect(conn, SELECT_APP, "6A82");
	expect(conn, "00A4000000", "6F00 9000");
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "00CB3FFF084D06BF810102A08000", "6A88");
	expect(conn, "00CB3FFF084D06BF810202A08000", "6A88");
	expect(conn, "00A40200022F1000", "6A82");
	expect(conn, "00A40200022F1100", "6A82");
	expect(conn, "00A40200022F1200", "6A82");
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(app.n_certs, 0);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* ---- PINs ----------------------------------------------------------------------- */

static const struct ez_pin_format pin_fmt = {.ref = 0x81, .min_len = 6, .max_len = 8,
					     .numeric = true, .max_tries = 3};
static const struct ez_pin_format puk_fmt = {.ref = 0x82, .min_len = 8, .max_len = 16,
					     .numeric = true, .max_tries = 3};

START_TEST(verify_forms)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card;
	int tries;

	v2_script_open(conn);
	card = open_card(conn);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "0020008106313233343536", "9000");
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"123456", 6, &tries), EZ_OK);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "0020008106303030303030", "63C2");
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"000000", 6, &tries),
			 EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 2);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "0020008106303030303030", "6983");
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"000000", 6, &tries),
			 EZ_ERR_PIN_LOCKED);
	ck_assert_int_eq(tries, 0);
	/* The PUK: reference 82, its own lengths. */
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "00200082083132333435363738", "9000");
	ck_assert_int_eq(ez_card_verify(card, &puk_fmt, (const uint8_t *)"12345678", 8, &tries),
			 EZ_OK);
	/* An answer that says nothing happened is not retried in another form. */
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "0020008106313233343536", "6A88");
	ck_assert_int_ne(ez_card_verify(card, &pin_fmt, (const uint8_t *)"123456", 6, &tries), EZ_OK);
	ck_script_done(conn);
	/* Outside the object's lengths or not digits: refused before the card. */
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"12345", 5, &tries),
			 EZ_ERR_PIN_LEN);
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"123456789", 9, &tries),
			 EZ_ERR_PIN_LEN);
	ck_assert_int_eq(ez_card_verify(card, &pin_fmt, (const uint8_t *)"12a456", 6, &tries),
			 EZ_ERR_PIN_INVALID);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 20 00 81 06 ** ** ** ** ** **"), 4);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(pin_state_from_the_object)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	enum ez_pin_state st;
	ez_card *card;
	int tries;

	v2_script_open(conn);
	card = open_card(conn);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "00CB3FFF0A4D08BF810104A0029B8000", "BF810105A0039B0102 9000");
	ck_assert_int_eq(ez_card_pin_state(card, &pin_fmt, &st, &tries), EZ_OK);
	ck_assert_int_eq(st, EZ_PIN_TRIES);
	ck_assert_int_eq(tries, 2);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "00CB3FFF0A4D08BF810204A0029B8000", "BF810205A0039B0100 9000");
	ck_assert_int_eq(ez_card_pin_state(card, &puk_fmt, &st, &tries), EZ_OK);
	ck_assert_int_eq(st, EZ_PIN_BLOCKED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(change_and_unblock_forms)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card;
	int tries;

	v2_script_open(conn);
	card = open_card(conn);
	/* CHANGE: old || new, no length bytes. */
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "002400810E3132333435363635343332313039", "9000");
	ck_assert_int_eq(ez_card_change_pin(card, &pin_fmt, (const uint8_t *)"123456", 6,
					    (const uint8_t *)"65432109", 8, &tries),
			 EZ_OK);
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "002400810C303030303030363534333231", "63C1");
	ck_assert_int_eq(ez_card_change_pin(card, &pin_fmt, (const uint8_t *)"000000", 6,
					    (const uint8_t *)"654321", 6, &tries),
			 EZ_ERR_PIN_INCORRECT);
	ck_assert_int_eq(tries, 1);
	/* Unblock: the PUK was verified by the SO login; 2C 02 81 carries the new
	 * PIN only. */
	ck_assert(!ez_card_unblock_needs_puk(card));
	expect(conn, "002C028106393837363534", "9000");
	ck_assert_int_eq(ez_card_unblock_pin(card, &puk_fmt, NULL, 0, &pin_fmt,
					     (const uint8_t *)"987654", 6, &tries),
			 EZ_OK);
	expect(conn, "002C028106393837363534", "6982");
	ck_assert_int_eq(ez_card_unblock_pin(card, &puk_fmt, NULL, 0, &pin_fmt,
					     (const uint8_t *)"987654", 6, &tries),
			 EZ_ERR_SECURITY);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 2C 00"), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(logout_reselects)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	expect(conn, "00A4000000", "6F00 9000");
	expect(conn, SELECT_APP, APP_FCI);
	ck_assert_int_eq(ez_card_logout(card), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 80 1A"), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* ---- signatures ------------------------------------------------------------------ */

static void raw_sign(const struct test_key *k, const uint8_t *in, size_t len, uint8_t *sig,
		     size_t *slen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pk, NULL);

	ck_assert(ctx && EVP_PKEY_sign_init(ctx) > 0);
	if (!k->ec)
		ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 0);
	ck_assert_int_gt(EVP_PKEY_sign(ctx, sig, slen, in, len), 0);
	EVP_PKEY_CTX_free(ctx);
}

START_TEST(sign_pkcs1_and_pss)
{
	static const uint8_t di[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
				     1,    2,    3,    4,    5,    6,    7,    8,    9,    10,
				     11,   12,   13,   14,   15,   16,   17,   18,   19,   20,
				     21,   22,   23,   24,   25,   26,   27,   28,   29,   30,
				     31,   32};
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	uint8_t sig[512], out[512];
	size_t slen = sizeof(sig), olen = sizeof(out);
	char cmd[256], *h;
	struct ez_sign_caps caps;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	ez_card_sign_caps(card, &caps);
	ck_assert(caps.pkcs1 && !caps.raw_rsa && caps.ecdsa);
	raw_sign(rsa_a(), di, sizeof(di), sig, &slen);
	expect(conn, "002241B606800182840181", "9000");
	h = tohex(di, sizeof(di));
	snprintf(cmd, sizeof(cmd), "002A9E9A%02zX%s00", sizeof(di), h);
	free(h);
	expect_data(conn, cmd, sig, slen, 0x9000);
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_PKCS1, EZ_HASH_NONE, di, sizeof(di), out,
				      &olen),
			 EZ_OK);
	ck_assert_uint_eq(olen, 256);
	ck_assert(verify_pkcs1(rsa_a(), di, sizeof(di), out, olen));
	/* PSS with SHA-256: AL 91, the bare hash (the card encodes PSS). */
	expect(conn, "002241B606800191840183", "9000");
	h = tohex(di + 19, 32);
	snprintf(cmd, sizeof(cmd), "002A9E9A20%s00", h);
	free(h);
	expect_data(conn, cmd, sig, slen, 0x9000);
	olen = sizeof(out);
	ck_assert_int_eq(ez_card_sign(card, 0x83, EZ_SIG_PSS, EZ_HASH_SHA256, di + 19, 32, out,
				      &olen),
			 EZ_OK);
	/* PSS-SHA-512: A1 on 2.5; raw RSA: never on 2.x, nothing is sent. */
	expect(conn, "002241B6068001A1840181", "9000");
	expect(conn, "002A9E9A40*", "6A80");
	olen = sizeof(out);
	{
		uint8_t h64[64] = {0};
		ck_assert_int_ne(ez_card_sign(card, 0x81, EZ_SIG_PSS, EZ_HASH_SHA512, h64, 64, out,
					      &olen),
				 EZ_OK);
	}
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_RAW, EZ_HASH_NONE, sig, 256, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_trace_count(conn, "> 00 22 C3"), 0);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* Data longer than one command: 196-byte blocks with CLA 10 and Le 00 on
 * every block, as AkisCIF chains PSO. */
START_TEST(pso_chains_in_196_byte_blocks)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	uint8_t in[245], sig[512], out[512];
	size_t slen = sizeof(sig), olen = sizeof(out);
	char cmd[600], *h;
	ez_card *card;

	memset(in, 0x5A, sizeof(in));
	v2_script_open(conn);
	card = open_card(conn);
	raw_sign(rsa_a(), in, sizeof(in), sig, &slen);
	expect(conn, "002241B606800182840181", "9000");
	h = tohex(in, 196);
	snprintf(cmd, sizeof(cmd), "102A9E9AC4%s00", h);
	free(h);
	expect(conn, cmd, "9000");
	h = tohex(in + 196, 49);
	snprintf(cmd, sizeof(cmd), "002A9E9A31%s00", h);
	free(h);
	expect_data(conn, cmd, sig, slen, 0x9000);
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_PKCS1, EZ_HASH_NONE, in, sizeof(in), out,
				      &olen),
			 EZ_OK);
	ck_assert_mem_eq(out, sig, 256);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* MSE costs no try: when another program left another DF current, the
 * key is not found, the application is selected and MSE sent once more. */
START_TEST(mse_after_another_program)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	uint8_t h[32] = {1}, out[512];
	size_t olen = sizeof(out);
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	expect(conn, "002241B606800193840181", "6A88");
	expect(conn, SELECT_APP, APP_FCI);
	expect(conn, "002241B606800193840181", "9000");
	expect(conn, "002A9E9A20*", "0102 9000");
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_ECDSA, EZ_HASH_SHA256, h, 32, out, &olen),
			 EZ_OK);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

START_TEST(ecdsa_algorithm_bytes)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	uint8_t h[64], sig[160], out[160];
	size_t slen = sizeof(sig), olen;
	char cmd[300], *hx;
	ez_card *card;

	memset(h, 0x33, sizeof(h));
	v2_script_open(conn);
	card = open_card(conn);
	/* CKM_ECDSA: the hash length names the hash: 48 bytes, SHA-384, AL 9B. */
	raw_sign(ec_a(), h, 48, sig, &slen);
	expect(conn, "002241B60680019B840185", "9000");
	hx = tohex(h, 48);
	snprintf(cmd, sizeof(cmd), "002A9E9A30%s00", hx);
	free(hx);
	expect(conn, cmd, "0102030405060708 9000");
	olen = sizeof(out);
	ck_assert_int_eq(ez_card_sign(card, 0x85, EZ_SIG_ECDSA, EZ_HASH_NONE, h, 48, out, &olen),
			 EZ_OK);
	ck_assert_uint_eq(olen, 8);
	/* SHA-224 has no algorithm byte: refused before anything is sent. */
	olen = sizeof(out);
	ck_assert_int_eq(ez_card_sign(card, 0x85, EZ_SIG_ECDSA, EZ_HASH_NONE, h, 28, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	ck_assert_int_eq(ez_card_sign(card, 0x85, EZ_SIG_ECDSA, EZ_HASH_SHA224, h, 28, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	/* A hash of the wrong length for the mechanism's hash. */
	ck_assert_int_eq(ez_card_sign(card, 0x85, EZ_SIG_ECDSA, EZ_HASH_SHA256, h, 48, out, &olen),
			 EZ_ERR_DATA_LEN);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* AKIS 2.0-2.2 (AkisCIF CommandsV20): no EC, PSS with SHA-1/256 only. */
START_TEST(version_2_2_capabilities)
{
	ez_conn *conn = ez_replay_open_hex(ATR_228);
	uint8_t h[48] = {0}, out[64];
	size_t olen = sizeof(out);
	struct ez_sign_caps caps;
	ez_card *card;

	v2_script_open(conn);
	card = open_card(conn);
	ez_card_sign_caps(card, &caps);
	ck_assert(caps.pkcs1);
	ck_assert(!caps.ecdsa);
	ck_assert(!caps.raw_rsa);
	ck_assert_uint_eq(caps.pss_hashes, EZ_HASH_BIT(EZ_HASH_SHA1) | EZ_HASH_BIT(EZ_HASH_SHA256));
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_PSS, EZ_HASH_SHA384, h, 48, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	ck_assert_int_eq(ez_card_sign(card, 0x81, EZ_SIG_ECDSA, EZ_HASH_SHA256, h, 32, out, &olen),
			 EZ_ERR_UNSUPPORTED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* A hostile card: random answers to every command of a load never crash
 * or overread (run under ASan/valgrind in CI). */
static void hostile(void *arg, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rlen)
{
	unsigned *seed = arg;
	size_t n;

	(void)cmd;
	(void)len;
	*seed = *seed * 1103515245u + 12345u;
	n = (*seed >> 16) % 40;
	if (n > 30)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		rsp[i] = (uint8_t)(*seed >> 16);
	}
	*seed = *seed * 1103515245u + 12345u;
	rsp[n] = (*seed >> 16) & 1 ? 0x90 : (uint8_t)(*seed >> 8);
	rsp[n + 1] = (*seed >> 16) & 1 ? 0x00 : (uint8_t)(*seed >> 20);
	*rlen = n + 2;
}

START_TEST(hostile_answers)
{
	for (unsigned round = 0; round < 300; round++) {
		unsigned seed = round * 7919u + 1;
		ez_conn *conn = ez_replay_open_hex(round % 2 ? ATR_252 : ATR_228);
		struct ez_p15_app app;
		ez_card *card = NULL;
		ez_replay_set_responder(conn, hostile, &seed);
		if (ez_card_open(conn, &card, NULL) == EZ_OK) {
			if (ez_card_load(card, &app) == EZ_OK)
				ez_p15_app_free(&app);
			ez_card_free(card);
		}
		ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
		ez_replay_close(conn);
	}
}
END_TEST

void card_v2_tests(Suite *s)
{
	TCase *tc = tcase_create("v2");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, serial_is_get_data_0b);
	tcase_add_test(tc, serial_refused_is_not_fatal);
	tcase_add_test(tc, nes_card_loads);
	tcase_add_test(tc, reads_stop_at_der_length);
	tcase_add_test(tc, pairs_by_public_key);
	tcase_add_test(tc, protected_public_keys);
	tcase_add_test(tc, application_from_the_mf);
	tcase_add_test(tc, verify_forms);
	tcase_add_test(tc, pin_state_from_the_object);
	tcase_add_test(tc, change_and_unblock_forms);
	tcase_add_test(tc, logout_reselects);
	tcase_add_test(tc, sign_pkcs1_and_pss);
	tcase_add_test(tc, pso_chains_in_196_byte_blocks);
	tcase_add_test(tc, mse_after_another_program);
	tcase_add_test(tc, ecdsa_algorithm_bytes);
	tcase_add_test(tc, version_2_2_capabilities);
	tcase_add_test(tc, hostile_answers);
	suite_add_tcase(s, tc);
}
