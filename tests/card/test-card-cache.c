/*
 * test-card-cache.c: the card cache from the card's side, APDU by APDU.
 * ez_card_revalidate on both dialects (the application, then per
 * certificate one SELECT and one READ BINARY of exactly the bytes up to
 * its serial number, then the PIN counters), and ez_token_open over the
 * scripted transport with the cache in a folder of the test's own: a cold
 * start reads the card and writes the entry, a warm start sends exactly
 * the check and builds the same objects with the same handles, a card
 * re-personalized with the same serial is read again and its entry
 * rewritten, a damaged entry is ignored and rewritten, the cache off or a
 * card without a serial reads everything and writes nothing.
 */
#include "config.h"

#include "card-test.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include <eimza/der.h>

#include "module/cache/cache.h"
#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"
#include "module/token/token.h"

#define ATR_252 "3B9F978131FE458065544353228231C073F62180810553"
#define ATR_122 "3B9F968131FE45806755454B41451292318073B3A1806A"
#define V2_SELECT_APP "00A4040007504B43532D313500"
#define V2_APP_FCI "6F09 8407504B43532D3135 9000"
#define V1_SELECT_APP "00A404000CA000000063504B43532D313500"
#define V1_APP_FCI "6F0E840CA000000063504B43532D3135 9000"

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

/* A one-key NES card (key object 1, its certificate in 2F10). */
static struct v2_card v2_model(const struct test_key *k, int pin, int puk)
{
	struct v2_card c = {.certs = {k}, .ncerts = 1, .keys = {{k, 1, true, "NES"}}, .nkeys = 1,
			    .pin_tries = pin, .puk_tries = puk};
	return c;
}

/* Bytes up to the end of a certificate's serialNumber, computed here
 * independently of the module. */
static size_t head_len(const struct test_key *k)
{
	const uint8_t *p = k->der;
	size_t hdr, tbs_hdr, ver = 0, serial;

	ck_assert_uint_eq(p[0], 0x30);
	hdr = p[1] & 0x80 ? 2 + (p[1] & 0x7F) : 2;
	ck_assert_uint_eq(p[hdr], 0x30);
	tbs_hdr = p[hdr + 1] & 0x80 ? 2 + (p[hdr + 1] & 0x7F) : 2;
	if (p[hdr + tbs_hdr] == 0xA0)
		ver = 2 + p[hdr + tbs_hdr + 1];
	serial = hdr + tbs_hdr + ver;
	ck_assert_uint_eq(p[serial], 0x02);
	return serial + 2 + p[serial + 1];
}

/* The head READ BINARY: Le is the cached certificate's head; the answer is
 * what the card's own certificate has there. */
static void script_head(ez_conn *c, const struct test_key *cached, const struct test_key *on_card)
{
	char cmd[32];
	size_t n = head_len(cached);

	snprintf(cmd, sizeof(cmd), "00B00000%02zX", n);
	expect_data(c, cmd, on_card->der, n, 0x9000);
}

static void script_v2_counter(ez_conn *c, uint8_t ref, int tries)
{
	char cmd[64], rsp[64];

	snprintf(cmd, sizeof(cmd), "00CB3FFF0A4D08BF81%02X04A0029B8000", ref);
	snprintf(rsp, sizeof(rsp), "BF81%02X05A0039B01%02X9000", ref, tries);
	expect(c, cmd, rsp);
}

/* ez_card_revalidate on the 2.x card whose entry holds `cached`, while the
 * card holds `on_card`. */
static void script_v2_check(ez_conn *c, const struct test_key *cached,
			    const struct test_key *on_card, int pin, int puk)
{
	expect(c, V2_SELECT_APP, V2_APP_FCI);
	v2_script_select_cert(c, 0, on_card, 0);
	script_head(c, cached, on_card);
	if (cached != on_card)
		return; /* the check stops at the first difference */
	script_v2_counter(c, 1, pin);
	script_v2_counter(c, 2, puk);
}

/* ---- a cache folder of the test's own ------------------------------------------ */

static char cache_home[128];

/* Under the folder main() makes and removes (card-test.c), so a failed test
 * leaves nothing behind. */
static void private_cache(void)
{
	snprintf(cache_home, sizeof(cache_home), "%s/cache.XXXXXX", card_test_dir());
	ck_assert_ptr_nonnull(mkdtemp(cache_home));
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", cache_home, 1), 0);
	unsetenv("EIMZA_CACHE");
	ez_cache_configure(-1);
}

/* Files in the cache folder (-1: no folder). */
static int entries(void)
{
	char path[256];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "%s/eimza", cache_home);
	if (!(dir = opendir(path)))
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void entry_path(const char *serial_hex, char *out, size_t cap)
{
	char path[256];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/eimza", cache_home);
	dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	out[0] = '\0';
	while ((d = readdir(dir)))
		if (strncmp(d->d_name, serial_hex, strlen(serial_hex)) == 0)
			snprintf(out, cap, "%s/%s", path, d->d_name);
	closedir(dir);
	ck_assert_msg(out[0], "no cache entry for %s", serial_hex);
}

static void remove_cache(void)
{
	char path[256], file[600];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/eimza", cache_home);
	if ((dir = opendir(path))) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
				snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
				unlink(file);
			}
		closedir(dir);
		rmdir(path);
	}
	rmdir(cache_home);
}

/* ---- tokens ------------------------------------------------------------------------ */

/* Open a token over a script; every scripted command sent, nothing else.
 * Handles count from 1, as in a new process. */
static struct ez_token *open_token(ez_conn *conn, enum ez_token_source source, size_t apdus)
{
	struct ez_token *t = NULL;

	ck_assert_int_eq(ez_token_open(conn, 1, &t, NULL), EZ_OK);
	ck_script_done(conn);
	ck_assert_int_eq(t->source, source);
	if (apdus)
		ck_assert_uint_eq(ez_replay_exchanges(conn), apdus);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	return t;
}

static void same_format(const struct ez_pin_format *a, const struct ez_pin_format *b)
{
	ck_assert_uint_eq(a->ref, b->ref);
	ck_assert_uint_eq(a->min_len, b->min_len);
	ck_assert_uint_eq(a->max_len, b->max_len);
	ck_assert_uint_eq(a->stored_len, b->stored_len);
	ck_assert_int_eq(a->numeric, b->numeric);
	ck_assert_int_eq(a->needs_padding, b->needs_padding);
	ck_assert_uint_eq(a->pad_char, b->pad_char);
	ck_assert_uint_eq(a->max_tries, b->max_tries);
}

/* Everything a token shows the PKCS#11 front, but the PIN counters. */
static void same_tokens(const struct ez_token *a, const struct ez_token *b)
{
	ck_assert_str_eq(a->label, b->label);
	ck_assert_str_eq(a->model, b->model);
	ck_assert_str_eq(a->serial, b->serial);
	ck_assert_str_eq(a->manufacturer, b->manufacturer);
	ck_assert_int_eq(a->has_user, b->has_user);
	ck_assert_int_eq(a->has_so, b->has_so);
	same_format(&a->user_fmt, &b->user_fmt);
	same_format(&a->so_fmt, &b->so_fmt);
	ck_assert_uint_eq(a->nobjs, b->nobjs);
	ck_assert_uint_gt(a->nobjs, 0);
	for (size_t i = 0; i < a->nobjs; i++) {
		const struct ez_obj *x = &a->objs[i], *y = &b->objs[i];
		ck_assert_uint_eq(x->handle, y->handle);
		ck_assert_uint_eq(x->cls, y->cls);
		ck_assert_int_eq(x->priv, y->priv);
		ck_assert_uint_eq(x->key_type, y->key_type);
		ck_assert_uint_eq(x->bits, y->bits);
		ck_assert_uint_eq(x->key_ref, y->key_ref);
		ck_assert_int_eq(x->always_auth, y->always_auth);
		ck_assert_int_eq(!x->pub, !y->pub);
		if (x->pub)
			ck_assert_int_eq(EVP_PKEY_eq(x->pub, y->pub), 1);
		ck_assert_uint_eq(x->nattrs, y->nattrs);
		for (size_t j = 0; j < x->nattrs; j++) {
			ck_assert_uint_eq(x->attrs[j].type, y->attrs[j].type);
			ck_assert_uint_eq(x->attrs[j].len, y->attrs[j].len);
			ck_assert_int_eq(x->attrs[j].sensitive, y->attrs[j].sensitive);
			if (x->attrs[j].len)
				ck_assert_mem_eq(x->attrs[j].val, y->attrs[j].val, x->attrs[j].len);
		}
	}
}

static const struct ez_attr *cert_value(const struct ez_token *t)
{
	for (size_t i = 0; i < t->nobjs; i++)
		if (t->objs[i].cls == CKO_CERTIFICATE)
			return ez_obj_attr(&t->objs[i], CKA_VALUE);
	return NULL;
}

static size_t v2_cold(const struct v2_card *model, struct ez_token **t)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	size_t n;

	v2_script_open(conn);
	v2_script_load(conn, model);
	*t = open_token(conn, EZ_SOURCE_CACHE_NEW, 0);
	n = ez_replay_exchanges(conn);
	return n;
}

/* ---- ez_card_revalidate ------------------------------------------------------------- */

static ez_card *v2_open(ez_conn *conn)
{
	ez_card *card = NULL;

	v2_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, NULL), EZ_OK);
	return card;
}

static void v2_description(struct ez_p15_app *app, const struct v2_card *model)
{
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	ez_card *card = v2_open(conn);

	v2_script_load(conn, model);
	ck_assert_int_eq(ez_card_load(card, app), EZ_OK);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
}

/* 2.x: the application by name, SELECT 2F10, one READ BINARY of the head
 * (Le = its length), then the two PIN objects' 9B: nothing more. */
START_TEST(v2_check_is_exact)
{
	struct v2_card model = v2_model(rsa_a(), 3, 3);
	ez_conn *conn = ez_replay_open_hex(ATR_252);
	struct ez_p15_app app;
	ez_card *card;

	v2_description(&app, &model);
	card = v2_open(conn);
	script_v2_check(conn, rsa_a(), rsa_a(), 1, 2);
	ck_assert(ez_card_checkable(&app));
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_exchanges(conn), 6);
	ck_assert_int_eq(ez_replay_open_transactions(conn), 0);
	/* The counters are the card's, now. */
	ck_assert_int_eq(ez_p15_user_pin(&app)->tries_left, 1);
	ck_assert_int_eq(ez_p15_so_pin(&app)->tries_left, 2);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* Another certificate in the EF (a new serial number), or no EF: the card
 * changed, and nothing more is sent (no counters). */
START_TEST(v2_check_sees_a_new_certificate)
{
	struct v2_card model = v2_model(rsa_a(), 3, 3);
	struct ez_p15_app app;
	ez_conn *conn;
	ez_card *card;

	v2_description(&app, &model);
	ck_assert_uint_eq(head_len(rsa_a()), head_len(rsa_b())); /* only the bytes differ */
	conn = ez_replay_open_hex(ATR_252);
	card = v2_open(conn);
	script_v2_check(conn, rsa_a(), rsa_b(), 3, 3);
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_CHANGED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);

	conn = ez_replay_open_hex(ATR_252);
	card = v2_open(conn);
	expect(conn, V2_SELECT_APP, V2_APP_FCI);
	expect(conn, "00A40200022F1000", "6A82");
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_CHANGED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);

	/* A shorter EF (the head not all there) is a change too. */
	conn = ez_replay_open_hex(ATR_252);
	card = v2_open(conn);
	expect(conn, V2_SELECT_APP, V2_APP_FCI);
	v2_script_select_cert(conn, 0, rsa_a(), 0);
	{
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "00B00000%02zX", head_len(rsa_a()));
		expect_data(conn, cmd, rsa_a()->der, 10, 0x6282);
	}
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_CHANGED);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);
	ez_p15_app_free(&app);
}
END_TEST

/* A card that leaves during the check is not "changed": the error stays
 * (the token is not read, its entry is not touched). A description the
 * check cannot cover costs no APDU. */
START_TEST(v2_check_errors)
{
	struct v2_card model = v2_model(rsa_a(), 3, 3);
	struct ez_p15_app app, none = {0};
	ez_conn *conn;
	ez_card *card;

	v2_description(&app, &model);
	conn = ez_replay_open_hex(ATR_252);
	card = v2_open(conn);
	expect(conn, V2_SELECT_APP, "6F00");
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_UNREADY);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);

	conn = ez_replay_open_hex(ATR_252);
	card = v2_open(conn);
	ck_assert(!ez_card_checkable(&none));
	ck_assert_int_eq(ez_card_revalidate(card, &none), EZ_ERR_CARD_CHANGED);
	free(app.certs[0].der);
	app.certs[0].der = NULL;
	ck_assert(!ez_card_checkable(&app));
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_CHANGED);
	ck_assert_uint_eq(ez_replay_exchanges(conn), 1); /* the serial only */
	ez_card_free(card);
	ez_replay_close(conn);
	ez_p15_app_free(&app);
}
END_TEST

/* 1.2: the application where the load found it (by name), SELECT of the
 * certificate EF, the head, and the two VERIFY without data. */
START_TEST(v1_check_is_exact)
{
	ez_conn *conn = ez_replay_open_hex(ATR_122);
	struct ez_p15_app app;
	ez_card *card = NULL;
	char cmd[32];

	v1_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, NULL), EZ_OK);
	v1_script_load(conn, true);
	ck_assert_int_eq(ez_card_load(card, &app), EZ_OK);
	ck_script_done(conn);
	ez_card_free(card);
	ez_replay_close(conn);

	conn = ez_replay_open_hex(ATR_122);
	v1_script_open(conn);
	ck_assert_int_eq(ez_card_open(conn, &card, NULL), EZ_OK);
	expect(conn, V1_SELECT_APP, V1_APP_FCI);
	expect(conn, "00A40200022F1000", "62048002040A9000");
	snprintf(cmd, sizeof(cmd), "00B00000%02zX", head_len(rsa_a()));
	expect_data(conn, cmd, rsa_a()->der, head_len(rsa_a()), 0x9000);
	expect(conn, "00200081", "63C1");
	expect(conn, "00200082", "9000"); /* verified: all tries left */
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_OK);
	ck_script_done(conn);
	ck_assert_uint_eq(ez_replay_exchanges(conn), 6);
	ck_assert_int_eq(ez_p15_user_pin(&app)->tries_left, 1);
	ck_assert_int_eq(ez_p15_so_pin(&app)->tries_left, 3);
	/* A description that does not say where the application is: no APDU. */
	app.app_aid_len = 0;
	app.app_path.len = 0;
	ck_assert_int_eq(ez_card_revalidate(card, &app), EZ_ERR_CARD_CHANGED);
	ck_assert_uint_eq(ez_replay_exchanges(conn), 6);
	ez_p15_app_free(&app);
	ez_card_free(card);
	ez_replay_close(conn);
}
END_TEST

/* ---- ez_token_open with the cache ------------------------------------------------- */

/* Cold: the card read in full and the entry written (folder 0700, file
 * 0600). Warm: exactly the six APDUs of the check, and the same token:
 * labels, formats, objects, handles, attributes. The counters are the
 * card's at every start. */
START_TEST(token_cold_then_warm_v2)
{
	struct v2_card model = v2_model(rsa_a(), 3, 3);
	struct ez_token *cold, *warm;
	char path[512];
	struct stat st;
	ez_conn *conn;
	size_t n;

	private_cache();
	n = v2_cold(&model, &cold);
	ck_assert_uint_gt(n, 15);
	ck_assert_int_eq(entries(), 1);
	snprintf(path, sizeof(path), "%s/eimza", cache_home);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	entry_path("1122334455667788-", path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);

	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_a(), rsa_a(), 3, 3);
	warm = open_token(conn, EZ_SOURCE_CACHE, 6);
	same_tokens(cold, warm);
	ck_assert_int_eq(warm->user_tries, cold->user_tries);
	ck_assert_int_eq(warm->so_tries, cold->so_tries);
	ez_token_free(warm);

	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_a(), rsa_a(), 1, 2);
	warm = open_token(conn, EZ_SOURCE_CACHE, 6);
	same_tokens(cold, warm);
	ck_assert_int_eq(warm->user_tries, 1);
	ck_assert_int_eq(warm->so_tries, 2);
	ck_assert(ez_token_pin_flags(warm) & CKF_USER_PIN_FINAL_TRY);
	ez_token_free(warm);
	ez_token_free(cold);
	remove_cache();
}
END_TEST

/* The card was re-personalized with the same serial: the check sees the
 * new certificate, the card is read again (its new key pairs with its new
 * certificate), and the entry is rewritten: the next start is warm with
 * the new certificate. */
START_TEST(token_repersonalized_v2)
{
	struct v2_card a = v2_model(rsa_a(), 3, 3), b = v2_model(rsa_b(), 3, 3);
	struct ez_token *old, *t;
	const struct ez_attr *v;
	ez_conn *conn;
	size_t cold_b;

	private_cache();
	(void)v2_cold(&a, &old);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_a(), rsa_b(), 3, 3);
	v2_script_load(conn, &b);
	t = open_token(conn, EZ_SOURCE_CACHE_OLD, 0);
	cold_b = ez_replay_exchanges(conn);
	v = cert_value(t);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->len, rsa_b()->der_len);
	ck_assert_mem_eq(v->val, rsa_b()->der, v->len);
	for (size_t i = 0; i < t->nobjs; i++)
		if (t->objs[i].cls == CKO_PRIVATE_KEY) {
			ck_assert_uint_eq(t->objs[i].key_ref, 0x81);
			ck_assert_int_eq(EVP_PKEY_eq(t->objs[i].pub, rsa_b()->pk), 1);
		}
	ez_token_free(t);
	ck_assert_int_eq(entries(), 1);

	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_b(), rsa_b(), 3, 3);
	t = open_token(conn, EZ_SOURCE_CACHE, 6);
	v = cert_value(t);
	ck_assert_mem_eq(v->val, rsa_b()->der, rsa_b()->der_len);
	ck_assert_uint_gt(cold_b, 6 + 3);
	ez_token_free(t);
	ez_token_free(old);
	remove_cache();
}
END_TEST

/* A damaged entry is never used: the card is read and a good entry
 * written in its place. */
START_TEST(token_damaged_entry_rewritten)
{
	struct v2_card a = v2_model(rsa_a(), 3, 3);
	struct ez_token *cold, *t;
	char path[512];
	struct stat st;
	ez_conn *conn;

	private_cache();
	(void)v2_cold(&a, &cold);
	entry_path("1122334455667788-", path, sizeof(path));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	v2_script_load(conn, &a);
	t = open_token(conn, EZ_SOURCE_CACHE_NEW, 0);
	same_tokens(cold, t);
	ez_token_free(t);
	ck_assert_int_eq(stat(path, &st), 0);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_a(), rsa_a(), 3, 3);
	t = open_token(conn, EZ_SOURCE_CACHE, 6);
	same_tokens(cold, t);
	ez_token_free(t);
	ez_token_free(cold);
	remove_cache();
}
END_TEST

/* A card that leaves during the check: the open fails with the card's
 * error, the card is not read in full and its entry stays. */
START_TEST(token_card_gone_during_check)
{
	struct v2_card a = v2_model(rsa_a(), 3, 3);
	struct ez_token *cold, *t = NULL;
	ez_conn *conn;

	private_cache();
	(void)v2_cold(&a, &cold);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	expect(conn, V2_SELECT_APP, "6F00");
	ck_assert_int_eq(ez_token_open(conn, 1, &t, NULL), EZ_ERR_CARD_UNREADY);
	ck_script_done(conn);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(entries(), 1);
	ez_replay_close(conn);
	ez_token_free(cold);
	remove_cache();
}
END_TEST

/* EIMZA_CACHE=0, or `cache = no` in the configuration file: every start
 * reads the card in full, and nothing is written. EIMZA_CACHE=1 overrides
 * the file. */
START_TEST(token_cache_off)
{
	struct v2_card a = v2_model(rsa_a(), 3, 3);
	struct ez_token *t;
	ez_conn *conn;

	private_cache();
	setenv("EIMZA_CACHE", "0", 1);
	for (int i = 0; i < 2; i++) {
		conn = ez_replay_open_hex(ATR_252);
		v2_script_open(conn);
		v2_script_load(conn, &a);
		t = open_token(conn, EZ_SOURCE_CARD, 0);
		ez_token_free(t);
	}
	ck_assert_int_eq(entries(), -1);
	unsetenv("EIMZA_CACHE");
	ez_token_cache_setting(0);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	v2_script_load(conn, &a);
	ez_token_free(open_token(conn, EZ_SOURCE_CARD, 0));
	ck_assert_int_eq(entries(), -1);
	/* With an entry there, the setting still decides. */
	setenv("EIMZA_CACHE", "1", 1);
	(void)v2_cold(&a, &t);
	ez_token_free(t);
	ck_assert_int_eq(entries(), 1);
	unsetenv("EIMZA_CACHE");
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	v2_script_load(conn, &a);
	ez_token_free(open_token(conn, EZ_SOURCE_CARD, 0));
	setenv("EIMZA_CACHE", "yes", 1);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	script_v2_check(conn, rsa_a(), rsa_a(), 3, 3);
	ez_token_free(open_token(conn, EZ_SOURCE_CACHE, 6));
	remove_cache();
}
END_TEST

/* A card that does not tell its serial is never cached: nothing would tell
 * it from another card of its model. */
START_TEST(token_without_serial_not_cached)
{
	struct v2_card a = v2_model(rsa_a(), 3, 3);
	ez_conn *conn;

	private_cache();
	for (int i = 0; i < 2; i++) {
		conn = ez_replay_open_hex(ATR_252);
		expect(conn, "00CA010B08", "6A88");
		v2_script_load(conn, &a);
		ez_token_free(open_token(conn, EZ_SOURCE_CARD, 0));
	}
	ck_assert_int_eq(entries(), -1);
	remove_cache();
}
END_TEST

/* 1.2: cold (the PKCS#15 files, the counters at the end) then warm (six
 * APDUs), the same token. */
START_TEST(token_cold_then_warm_v1)
{
	struct ez_token *cold, *warm;
	ez_conn *conn;
	char cmd[32];

	private_cache();
	conn = ez_replay_open_hex(ATR_122);
	v1_script_open(conn);
	v1_script_load(conn, true);
	cold = open_token(conn, EZ_SOURCE_CACHE_NEW, 0);
	ck_assert_int_eq(entries(), 1);
	conn = ez_replay_open_hex(ATR_122);
	v1_script_open(conn);
	expect(conn, V1_SELECT_APP, V1_APP_FCI);
	expect(conn, "00A40200022F1000", "62048002040A9000");
	snprintf(cmd, sizeof(cmd), "00B00000%02zX", head_len(rsa_a()));
	expect_data(conn, cmd, rsa_a()->der, head_len(rsa_a()), 0x9000);
	expect(conn, "00200081", "63C3");
	expect(conn, "00200082", "63C3");
	warm = open_token(conn, EZ_SOURCE_CACHE, 6);
	same_tokens(cold, warm);
	ck_assert_int_eq(warm->user_tries, 3);
	ez_token_free(warm);
	ez_token_free(cold);
	remove_cache();
}
END_TEST

/* Three certificates (the multi card of the 2.x tests): the check reads
 * each head, 2 + 2 x 3 + 2 APDUs. */
START_TEST(token_three_certificates_v2)
{
	struct v2_card m = {.certs = {rsa_a(), ec_a(), rsa_b()}, .ncerts = 3,
			    .keys = {{rsa_a(), 1, true, "NES"}, {ec_a(), 5, false, "AUTH"},
				     {rsa_b(), 3, false, "SIGN"}},
			    .nkeys = 3, .pin_tries = 3, .puk_tries = 3};
	struct ez_token *cold, *warm;
	ez_conn *conn;

	private_cache();
	(void)v2_cold(&m, &cold);
	conn = ez_replay_open_hex(ATR_252);
	v2_script_open(conn);
	expect(conn, V2_SELECT_APP, V2_APP_FCI);
	for (unsigned i = 0; i < 3; i++) {
		v2_script_select_cert(conn, i, m.certs[i], 0);
		script_head(conn, m.certs[i], m.certs[i]);
	}
	script_v2_counter(conn, 1, 3);
	script_v2_counter(conn, 2, 3);
	warm = open_token(conn, EZ_SOURCE_CACHE, 10);
	same_tokens(cold, warm);
	ez_token_free(warm);
	ez_token_free(cold);
	remove_cache();
}
END_TEST

void card_cache_tests(Suite *s)
{
	TCase *tc = tcase_create("cache");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, v2_check_is_exact);
	tcase_add_test(tc, v2_check_sees_a_new_certificate);
	tcase_add_test(tc, v2_check_errors);
	tcase_add_test(tc, v1_check_is_exact);
	tcase_add_test(tc, token_cold_then_warm_v2);
	tcase_add_test(tc, token_repersonalized_v2);
	tcase_add_test(tc, token_damaged_entry_rewritten);
	tcase_add_test(tc, token_card_gone_during_check);
	tcase_add_test(tc, token_cache_off);
	tcase_add_test(tc, token_without_serial_not_cached);
	tcase_add_test(tc, token_cold_then_warm_v1);
	tcase_add_test(tc, token_three_certificates_v2);
	suite_add_tcase(s, tc);
}
