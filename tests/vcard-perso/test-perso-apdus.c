/*
 * test-perso-apdus.c: the personalization writer on its own, against a
 * recording stand-in for the card engine (fake-vcard.c).
 *   AKIS 1.2: well-formed APDUs in the right order (PINs, keys and serial
 *   first, CREATE before UPDATE, chunks of at most 244 bytes, SET LIFE
 *   CYCLE last), the files exactly as docs/pkcs15-layout.md, the PIN and
 *   PUK objects.
 *   AKIS 2.x: no APDU at all; PIN and PUK objects with their policies, each
 *   key under its profile id with its label and non-repudiation flag, the
 *   certificates in 2F10.. in profile order, the serials.
 * Also the PIN and PUK sources, option errors, --generation and --atr,
 * --force.
 */
#include "config.h"

#include "fake-vcard.h"
#include "perso-test.h"
#include "tools/vcard/perso/perso-card.h"
#include "tools/vcard/perso/perso-pkcs15.h"
#include "tools/vcard/perso/perso.h"

#include <eimza/der.h>
#include <eimza/hex.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/perso-apdus-XXXXXX";

static void path_in_tmp(char *out, size_t cap, const char *name)
{
	static bool made;

	if (!made) {
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
		made = true;
	}
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* Read always, update never, in the engine's access encoding. */
#define ACCESS_PUBLIC 0x0F

static void expect_file(const vcard *c, uint16_t df, uint16_t fid, const der_buf *want)
{
	const struct fake_file *f = fake_vcard_file(c, df, fid);

	ck_assert_msg(f != NULL, "file %04X missing", fid);
	ck_assert(!f->is_df);
	if (!f->by_call)
		ck_assert_uint_eq(f->access, ACCESS_PUBLIC);
	ck_assert_uint_eq(f->len, want->len);
	ck_assert_mem_eq(f->data, want->data, want->len);
}

/* Build a card of `gen` for profile `name` with the writer alone. */
static vcard *build(enum vcard_generation gen, const char *name, bool protect,
                    struct perso_pki *pki, struct perso_card_input *in)
{
	const struct perso_profile *prof = perso_profile_by_name(name);
	const struct perso_holder holder = {prof->seal, "ÇİĞDEM TEST", "10000000146"};
	struct perso_rng rng;
	vcard *c = NULL;
	char err[512] = "";

	perso_rng_init(&rng, true, 1);
	ck_assert_int_eq(
	    perso_pki_generate(prof, &holder, time(NULL), 30, &rng, pki, err, sizeof(err)), 0);
	memset(in, 0, sizeof(*in));
	in->gen = perso_gen_get(gen);
	memcpy(in->serial, "ABCDEFGH", 8);
	memcpy(in->serial2, "abcdefgh", 8);
	in->label = holder.name;
	in->pin = "246810";
	in->pin_len = 6;
	in->puk = "13579135";
	in->puk_len = 8;
	in->pki = pki;
	in->protect_public_keys = protect;
	ck_assert_msg(perso_card_build(in, &c, err, sizeof(err)) == 0, "%s: %s", name, err);
	ck_assert_msg(fake_vcard_problem(c)[0] == '\0', "%s: %s", name, fake_vcard_problem(c));
	ck_assert_uint_eq(vcard_life_cycle(c), VCARD_LIFE_OPERATIONAL);
	ck_assert_int_eq(fake_vcard_generation(c), gen);
	ck_assert_mem_eq(fake_vcard_serial(c), "ABCDEFGH", 8);
	return c;
}

/* PIN and PUK objects with the generation's policy. */
static void check_pins(const vcard *c, enum vcard_generation gen)
{
	const struct perso_gen *g = perso_gen_get(gen);
	const struct fake_pin *pin = fake_vcard_pin(c, 0x81), *puk = fake_vcard_pin(c, 0x82);

	ck_assert_ptr_nonnull(pin);
	ck_assert_ptr_nonnull(puk);
	ck_assert_uint_eq(pin->len, 6);
	ck_assert_mem_eq(pin->value, "246810", 6);
	ck_assert_uint_eq(pin->max_tries, 3);
	ck_assert_uint_eq(pin->min_len, g->pin_min);
	ck_assert_uint_eq(pin->max_len, g->pin_max);
	ck_assert_uint_eq(pin->unblock_ref, 0x82);
	ck_assert_str_eq(pin->name, "PIN");
	ck_assert_mem_eq(puk->value, "13579135", 8);
	ck_assert_uint_eq(puk->max_tries, 3);
	ck_assert_uint_eq(puk->min_len, g->puk_min);
	ck_assert_uint_eq(puk->max_len, g->puk_max);
	ck_assert_uint_eq(puk->unblock_ref, 0);
	/* Kamu SM: three wrong PINs lock it, three wrong PUKs the card. */
	if (gen == VCARD_GEN_2) {
		ck_assert_uint_eq(pin->min_len, 6);
		ck_assert_uint_eq(pin->max_len, 8);
		ck_assert_uint_eq(puk->min_len, 8);
		ck_assert_uint_eq(puk->max_len, 16);
	}
}

static void check_profile12(const char *name)
{
	const struct perso_gen *g = perso_gen_get(VCARD_GEN_1_2);
	const struct p15_pin_lengths lengths = {g->pin_min, g->pin_max, g->puk_min, g->puk_max};
	struct perso_pki pki;
	struct perso_card_input in;
	struct key_seen k[8];
	const struct fake_file *f;
	vcard *c = build(VCARD_GEN_1_2, name, false, &pki, &in);
	der_buf b;
	size_t i, n;

	check_pins(c, VCARD_GEN_1_2);
	/* EF(DIR) in the MF; the application DF 3D00 named by the AID. */
	der_buf_init(&b);
	p15_ef_dir(&b, "AKIS e-imza");
	expect_file(c, 0, 0x2F00, &b);
	der_buf_free(&b);
	f = fake_vcard_file(c, 0, 0x3D00);
	ck_assert_ptr_nonnull(f);
	ck_assert(f->is_df);
	ck_assert_uint_eq(f->aid_len, 12);
	ck_assert_mem_eq(f->aid, "\xA0\x00\x00\x00\x63PKCS-15", 12);

	der_buf_init(&b);
	p15_odf(&b);
	expect_file(c, 0x3D00, 0x5031, &b);
	der_buf_free(&b);
	der_buf_init(&b);
	p15_tokeninfo(&b, in.serial, in.label);
	expect_file(c, 0x3D00, 0x5032, &b);
	der_buf_free(&b);
	der_buf_init(&b);
	p15_aodf(&b, &lengths);
	expect_file(c, 0x3D00, 0x2F08, &b);
	der_buf_free(&b);

	/* Directory files at AkisCIF's file ids: one entry per key. */
	f = fake_vcard_file(c, 0x3D00, 0x2F01);
	ck_assert_ptr_nonnull(f);
	parse_prkdf(f->data, f->len, k, &n);
	ck_assert_uint_eq(n, pki.n);
	f = fake_vcard_file(c, 0x3D00, 0x2F02);
	ck_assert_ptr_nonnull(f);
	parse_refs(f->data, f->len, k, n, false);
	f = fake_vcard_file(c, 0x3D00, 0x2F04);
	ck_assert_ptr_nonnull(f);
	parse_refs(f->data, f->len, k, n, true);

	for (i = 0; i < n; i++) {
		const struct perso_entity *e = &pki.ent[i];
		const struct fake_key *fk = fake_vcard_key(c, (uint8_t)k[i].key_ref);
		unsigned char *der = NULL;
		int dlen;
		der_buf want;

		ck_assert_mem_eq(k[i].id, e->id, 20);
		ck_assert_int_eq(k[i].user_consent, e->spec->user_consent);
		ck_assert(!k[i].ec);
		ck_assert_uint_eq(k[i].key_ref, e->spec->sdo_id);
		/* The key under that reference is this one, with the same policy. */
		ck_assert_ptr_nonnull(fk);
		ck_assert_int_eq(EVP_PKEY_eq(fk->key, e->key), 1);
		ck_assert_uint_eq(fk->pin_ref, 0x81);
		ck_assert_int_eq(fk->per_signature_pin, e->spec->user_consent);

		dlen = i2d_X509(e->cert, &der);
		want.data = der;
		want.len = (size_t)dlen;
		expect_file(c, 0x3D00, k[i].cert_fid, &want);
		OPENSSL_free(der);
		der = NULL;
		dlen = i2d_PUBKEY(e->key, &der);
		want.data = der;
		want.len = (size_t)dlen;
		expect_file(c, 0x3D00, k[i].pubkey_fid, &want);
		OPENSSL_free(der);
	}
	/* Nothing else: EF(DIR), the DF, 6 PKCS#15 files, 2 per key. */
	ck_assert_uint_eq(fake_vcard_nfiles(c), 2 + 6 + 2 * n);
	vcard_free(c);
	perso_pki_free(&pki);
}

static void check_profile2(const char *name, bool protect)
{
	struct perso_pki pki;
	struct perso_card_input in;
	vcard *c;
	size_t i;

	c = build(VCARD_GEN_2, name, protect, &pki, &in);
	ck_assert_str_eq(fake_vcard_problem(c), "");
	ck_assert_uint_eq(fake_vcard_napdus(c), 0); /* no 2.x personalization APDU is public */
	ck_assert_int_eq(fake_vcard_public_keys_protected(c), protect);
	ck_assert_mem_eq(fake_vcard_second_serial(c), "abcdefgh", 8);
	check_pins(c, VCARD_GEN_2);
	for (i = 0; i < pki.n; i++) {
		const struct perso_entity *e = &pki.ent[i];
		const struct fake_key *fk = fake_vcard_key(c, (uint8_t)e->spec->sdo_id);
		unsigned char *der = NULL;
		int dlen;
		der_buf want;

		ck_assert_msg(fk != NULL, "%s: key %zu not at id %u", name, i, e->spec->sdo_id);
		ck_assert_int_eq(EVP_PKEY_eq(fk->key, e->key), 1);
		ck_assert_uint_eq(fk->pin_ref, 0x81);
		ck_assert_int_eq(fk->per_signature_pin, e->spec->user_consent);
		ck_assert_str_eq(fk->label, e->spec->label);
		/* Certificate i in 2F10 + i, in profile order. */
		dlen = i2d_X509(e->cert, &der);
		want.data = der;
		want.len = (size_t)dlen;
		expect_file(c, FAKE_APP_DF, (uint16_t)(0x2F10 + i), &want);
		OPENSSL_free(der);
	}
	/* The certificates and nothing else: no PKCS#15 files on 2.x. */
	ck_assert_uint_eq(fake_vcard_nfiles(c), pki.n);
	vcard_free(c);
	perso_pki_free(&pki);
}

START_TEST(profiles)
{
	check_profile12("nes-rsa");
	check_profile12("seal-rsa");
	check_profile2("nes-rsa", false);
	check_profile2("nes-ec", true);
	check_profile2("seal", false);
	check_profile2("seal-rsa", true);
	check_profile2("multi", false);
}
END_TEST

/* The multi profile's keys are at ids 1, 5, 3 for certificates 2F10,
 * 2F11, 2F12: neither position nor ESYA's 2n-1 guess finds them. */
START_TEST(multi_ids)
{
	const struct perso_profile *p = perso_profile_by_name("multi");

	ck_assert_uint_eq(p->nkeys, 3);
	ck_assert_uint_eq(p->keys[0].sdo_id, 1);
	ck_assert_uint_eq(p->keys[1].sdo_id, 5);
	ck_assert_uint_eq(p->keys[2].sdo_id, 3);
	ck_assert(p->keys[0].user_consent);
	ck_assert(!p->keys[1].user_consent);
	ck_assert(!p->keys[2].user_consent);
	ck_assert(perso_profile_has_ec(p));
	ck_assert(!perso_profile_has_ec(perso_profile_by_name("seal-rsa")));
}
END_TEST

START_TEST(pin_sources)
{
	char img[256], file[256], src[300];
	int fds[2];
	FILE *f;

	/* Defaults. */
	path_in_tmp(img, sizeof(img), "default.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", NULL), 0);
	ck_assert_uint_eq(fake_last_saved.life, VCARD_LIFE_OPERATIONAL);
	ck_assert_int_eq(fake_last_saved.gen, VCARD_GEN_2);
	ck_assert_mem_eq(fake_last_saved.pins[0].value, "12345678", 8); /* PUK first */
	ck_assert_mem_eq(fake_last_saved.pins[1].value, "123456", 6);

	/* env: */
	setenv("PERSO_TEST_PIN", "654321", 1);
	setenv("PERSO_TEST_PUK", "87654321", 1);
	path_in_tmp(img, sizeof(img), "env.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source",
	                                "env:PERSO_TEST_PIN", "--puk-source", "env:PERSO_TEST_PUK",
	                                NULL),
	                 0);
	ck_assert_mem_eq(fake_last_saved.pins[0].value, "87654321", 8);
	ck_assert_mem_eq(fake_last_saved.pins[1].value, "654321", 6);

	/* fd: PIN and PUK as two lines of one pipe */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "111111\n22222222\n", 16), 16);
	close(fds[1]);
	snprintf(src, sizeof(src), "fd:%d", fds[0]);
	path_in_tmp(img, sizeof(img), "fd.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source", src,
	                                "--puk-source", src, NULL),
	                 0);
	close(fds[0]);
	ck_assert_mem_eq(fake_last_saved.pins[0].value, "22222222", 8);
	ck_assert_mem_eq(fake_last_saved.pins[1].value, "111111", 6);

	/* file: with a CRLF ending */
	path_in_tmp(file, sizeof(file), "pin.txt");
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs("999999\r\nignored\n", f);
	fclose(f);
	snprintf(src, sizeof(src), "file:%s", file);
	path_in_tmp(img, sizeof(img), "file.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--pin-source", src, NULL), 0);
	ck_assert_uint_eq(fake_last_saved.pins[1].len, 6);
	ck_assert_mem_eq(fake_last_saved.pins[1].value, "999999", 6);
}
END_TEST

START_TEST(bad_pin_sources)
{
	static const char *bad[] = {"fd:x",
	                            "fd:",
	                            "fd:987",
	                            "env:",
	                            "env:PERSO_NOT_SET_EVER",
	                            "file:/nonexistent/pin",
	                            "file:/",
	                            "123456",
	                            "pin:123456",
	                            "env:PERSO_SHORT",
	                            "env:PERSO_LETTERS",
	                            "env:PERSO_LONG"};
	char img[256];
	size_t i;

	setenv("PERSO_SHORT", "12345", 1);
	setenv("PERSO_LETTERS", "12345a", 1);
	setenv("PERSO_LONG",
	       "1234567890123456789012345678901234567890123456789012345678901234567890", 1);
	unsetenv("PERSO_NOT_SET_EVER");
	path_in_tmp(img, sizeof(img), "bad.img");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(
		    perso_run_init(img, "--profile", "nes-ec", "--pin-source", bad[i], NULL) == 1,
		    "PIN source %s accepted", bad[i]);
		ck_assert_msg(
		    perso_run_init(img, "--profile", "nes-ec", "--puk-source", bad[i], NULL) == 1,
		    "PUK source %s accepted", bad[i]);
		ck_assert_int_eq(access(img, F_OK), -1);
	}
	/* A PUK of PIN length is refused too. */
	setenv("PERSO_SIX", "123456", 1);
	ck_assert_int_eq(perso_run_init(img, "--puk-source", "env:PERSO_SIX", NULL), 1);
	ck_assert_int_eq(access(img, F_OK), -1);
}
END_TEST

START_TEST(bad_options)
{
	char img[256];

	path_in_tmp(img, sizeof(img), "opts.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nope", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--tckn", "12345678901", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--tckn", "1000000014", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--name", "X", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--tckn", "10000000146", NULL),
	                 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-rsa", "--org", "X", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--vkn", "12345", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", "seal", "--vkn", "12345678ab", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "v9", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "v1.2.2", NULL), 2); /* the old IDs */
	ck_assert_int_eq(perso_run_init(img, "--atr", "3B", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "3B9F978131FE458065544312210731C073F62180810595",
	                                NULL),
	                 2); /* wrong TCK */
	ck_assert_int_eq(perso_run_init(img, "--generation", "3", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.0", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--atr", "tc-2.5.2-nxp", NULL),
	                 2);
	ck_assert_int_eq(perso_run_init(img, "--generation", "2", "--atr", "uekae-1292", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--profile", "nes-ec", NULL),
	                 2);
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--profile", "multi", NULL),
	                 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "uekae-1293", "--profile", "seal", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "tc-2.2.8-nxp", "--profile", "seal", NULL),
	                 2);
	ck_assert_int_eq(perso_run_init(img, "--atr", "3B9F978131FE4580655443D2210831C073F6218081055B",
	                                "--profile", "multi", NULL),
	                 2);
	ck_assert_int_eq(
	    perso_run_init(img, "--generation", "1.2", "--protect-public-keys", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--days", "0", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--days", "36501", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--serial", "0102", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--serial", "0102030405060708090A0B0C", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--not-before", "yesterday", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--seed", "-1", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--name", "", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--bogus", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--profile", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "123456", NULL), 2); /* a stray PIN-looking operand */
	ck_assert_int_eq(perso_run_init("", NULL), 2);
	ck_assert_int_eq(access(img, F_OK), -1);
	/* And the good forms of the same options. */
	ck_assert_int_eq(
	    perso_run_init(img, "--profile", "seal", "--org", "X", "--vkn", "0123456789", "--atr",
	                   "tc-2.6.2-nxp", "--days", "36500", "--not-before", "2030-01-02T03:04:05Z",
	                   "--serial", "01 02 03 04 05 06 07 08", "--seed", "99",
	                   "--protect-public-keys", NULL),
	    0);
	ck_assert_int_eq(fake_last_saved.gen, VCARD_GEN_2);
	ck_assert_mem_eq(fake_last_saved.serial, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	ck_assert(fake_last_saved.protect_public_keys);
	ck_assert_uint_eq(fake_last_saved.atr_len, 23);
	ck_assert_mem_eq(fake_last_saved.atr, "\x3B\x9F\x97\x81\x31\xFE\x45\x80\x65\x54\x43\xD3\x23\x02", 14);
	/* An ID of the UEKAE family alone makes a 1.2 card. */
	ck_assert_int_eq(perso_run_init(img, "--atr", "uekae-1293", "--force", NULL), 0);
	ck_assert_int_eq(fake_last_saved.gen, VCARD_GEN_1_2);
	ck_assert_uint_eq(fake_last_saved.atr[15], 0x93);
	/* Any well-formed ATR in hex, for either generation: the v1.0 one. */
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--atr",
	                                "3B:BA:11:00:81:31:FE:4D:55:45:4B:41:45:20:56:31:2E:30:AE",
	                                "--profile", "seal-rsa", "--force", NULL),
	                 0);
	ck_assert_int_eq(fake_last_saved.gen, VCARD_GEN_1_2);
	ck_assert_uint_eq(fake_last_saved.atr_len, 19);
	ck_assert_int_eq(perso_run_init(img, "--atr", "3B021450", "--profile", "nes-ec", "--force",
	                                NULL),
	                 0);
	ck_assert_int_eq(fake_last_saved.gen, VCARD_GEN_2);
	/* The 1.2 policy: a 4-digit PIN; 2.x wants 6. */
	setenv("PERSO_FOUR", "1234", 1);
	ck_assert_int_eq(perso_run_init(img, "--generation", "1.2", "--pin-source", "env:PERSO_FOUR",
	                                "--force", NULL),
	                 0);
	ck_assert_uint_eq(fake_last_saved.pins[1].len, 4);
	ck_assert_int_eq(perso_run_init(img, "--pin-source", "env:PERSO_FOUR", "--force", NULL), 1);
	/* And a 14-digit PUK, as ESYA's 2.0 test uses (fact 37). */
	setenv("PERSO_PUK14", "12345678127634", 1);
	ck_assert_int_eq(perso_run_init(img, "--puk-source", "env:PERSO_PUK14", "--force", NULL), 0);
	ck_assert_uint_eq(fake_last_saved.pins[0].len, 14);
}
END_TEST

START_TEST(force)
{
	char img[256];
	struct stat st;

	path_in_tmp(img, sizeof(img), "force.img");
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--seed", "3", NULL), 0);
	/* Made stale so a replacement shows as a new file. */
	ck_assert_int_eq(truncate(img, 0), 0);
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", NULL), 1);
	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(perso_run_init(img, "--profile", "nes-ec", "--force", NULL), 0);
	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_int_gt(st.st_size, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perso-apdus");
	TCase *tc = tcase_create("writer");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, profiles);
	tcase_add_test(tc, multi_ids);
	tcase_add_test(tc, pin_sources);
	tcase_add_test(tc, bad_pin_sources);
	tcase_add_test(tc, bad_options);
	tcase_add_test(tc, force);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One process: tests share the temporary folder (removed below) and
	 * read what the fake saw last. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed) {
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return failed ? 1 : 0;
}
