/*
 * test-perso-apdus.c: the personalization writer on its own, against a
 * recording stand-in for the card engine (fake-vcard.c): well-formed
 * APDUs in the right order (PINs, keys and serial first, CREATE before
 * UPDATE, chunks of at most AKIS_MAX_DATA, SET LIFE CYCLE last), the files
 * exactly as docs/pkcs15-layout.md, PIN/PUK objects from akis_profile,
 * PIN and PUK sources, option errors, --force.
 */
#include "config.h"

#include "fake-vcard.h"
#include "perso-test.h"
#include "tools/vcard/perso/perso-card.h"
#include "tools/vcard/perso/perso-pkcs15.h"
#include "tools/vcard/perso/perso.h"

#include <eimza/der.h>

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

static void expect_file(const vcard *c, uint16_t df, uint16_t fid, const der_buf *want)
{
	const struct fake_file *f = fake_vcard_file(c, df, fid);

	ck_assert_msg(f != NULL, "file %04X missing", fid);
	ck_assert(!f->is_df);
	ck_assert_uint_eq(f->access, (AKIS_AC_ALWAYS << akis_profile.ac_shift_read) |
	                                 (AKIS_AC_NEVER << akis_profile.ac_shift_update));
	ck_assert_uint_eq(f->len, want->len);
	ck_assert_mem_eq(f->data, want->data, want->len);
}

static void check_profile(const char *name)
{
	const struct akis_profile *p = &akis_profile;
	const struct perso_profile *prof = perso_profile_by_name(name);
	const struct perso_holder holder = {prof->seal, "ÇİĞDEM TEST", "10000000146"};
	struct perso_pki pki;
	struct perso_rng rng;
	struct perso_card_input in;
	struct key_seen k[8];
	const struct fake_file *f;
	const struct fake_pin *pin, *puk;
	vcard *c = NULL;
	char err[512] = "";
	der_buf b;
	size_t i, n;

	perso_rng_init(&rng, true, 1);
	ck_assert_int_eq(
	    perso_pki_generate(prof, &holder, time(NULL), 30, &rng, &pki, err, sizeof(err)), 0);
	memset(&in, 0, sizeof(in));
	memcpy(in.serial, "ABCDEFGHIJKL", 12);
	in.label = holder.name;
	in.pin = "246810";
	in.pin_len = 6;
	in.puk = "13579135";
	in.puk_len = 8;
	in.pki = &pki;
	ck_assert_msg(perso_card_build(&in, &c, err, sizeof(err)) == 0, "%s: %s", name, err);
	ck_assert_msg(fake_vcard_problem(c)[0] == '\0', "%s: %s", name, fake_vcard_problem(c));
	ck_assert_uint_eq(vcard_life_cycle(c), AKIS_LIFE_USER);
	ck_assert_mem_eq(fake_vcard_serial(c), "ABCDEFGHIJKL", 12);

	/* PIN and PUK objects as akis_profile and the AODF say. */
	pin = fake_vcard_pin(c, p->pin_ref);
	puk = fake_vcard_pin(c, p->puk_ref);
	ck_assert_ptr_nonnull(pin);
	ck_assert_ptr_nonnull(puk);
	ck_assert_uint_eq(pin->len, 6);
	ck_assert_mem_eq(pin->value, "246810", 6);
	ck_assert_uint_eq(pin->max_tries, p->pin_max_tries);
	ck_assert_uint_eq(pin->min_len, p->pin_min_len);
	ck_assert_uint_eq(pin->max_len, p->pin_max_len);
	ck_assert_uint_eq(pin->unblock_ref, p->puk_ref);
	ck_assert_mem_eq(puk->value, "13579135", 8);
	ck_assert_uint_eq(puk->max_tries, p->puk_max_tries);
	ck_assert_uint_eq(puk->unblock_ref, 0);

	/* EF(DIR) in the MF; the application DF named by the AID. */
	der_buf_init(&b);
	p15_ef_dir(&b, "AKIS e-imza");
	expect_file(c, 0, p->ef_dir, &b);
	der_buf_free(&b);
	f = fake_vcard_file(c, 0, p->app_df);
	ck_assert_ptr_nonnull(f);
	ck_assert(f->is_df);
	ck_assert_uint_eq(f->aid_len, p->pkcs15_aid_len);
	ck_assert_mem_eq(f->aid, p->pkcs15_aid, f->aid_len);

	der_buf_init(&b);
	p15_odf(&b);
	expect_file(c, p->app_df, p->ef_odf, &b);
	der_buf_free(&b);
	der_buf_init(&b);
	p15_tokeninfo(&b, in.serial, holder.name);
	expect_file(c, p->app_df, p->ef_tokeninfo, &b);
	der_buf_free(&b);
	der_buf_init(&b);
	p15_aodf(&b);
	expect_file(c, p->app_df, P15_FID_AODF, &b);
	der_buf_free(&b);

	/* Directory files: one entry per key, iD = the certificate's key id. */
	f = fake_vcard_file(c, p->app_df, P15_FID_PRKDF);
	ck_assert_ptr_nonnull(f);
	parse_prkdf(f->data, f->len, k, &n);
	ck_assert_uint_eq(n, pki.n);
	f = fake_vcard_file(c, p->app_df, P15_FID_PUKDF);
	ck_assert_ptr_nonnull(f);
	parse_refs(f->data, f->len, k, n, false);
	f = fake_vcard_file(c, p->app_df, P15_FID_CDF);
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
		ck_assert_int_eq(k[i].ec, perso_alg_is_ec(e->spec->alg));
		ck_assert_uint_eq(k[i].usage & P15_USAGE_NON_REPUDIATION ? 1 : 0,
		                  e->spec->role != PERSO_ROLE_AUTH);
		/* The key under that reference is this one, with the same policy. */
		ck_assert_ptr_nonnull(fk);
		ck_assert_int_eq(EVP_PKEY_eq(fk->key, e->key), 1);
		ck_assert_uint_eq(fk->pin_ref, p->pin_ref);
		ck_assert_int_eq(fk->user_consent, e->spec->user_consent);

		dlen = i2d_X509(e->cert, &der);
		want.data = der;
		want.len = (size_t)dlen;
		expect_file(c, p->app_df, k[i].cert_fid, &want);
		OPENSSL_free(der);
		der = NULL;
		dlen = i2d_PUBKEY(e->key, &der);
		want.data = der;
		want.len = (size_t)dlen;
		expect_file(c, p->app_df, k[i].pubkey_fid, &want);
		OPENSSL_free(der);
	}
	/* Nothing else: EF(DIR), the DF, 6 PKCS#15 files, 2 per key. */
	ck_assert_uint_eq(fake_vcard_nfiles(c), 2 + 6 + 2 * n);
	vcard_free(c);
	perso_pki_free(&pki);
}

START_TEST(profiles)
{
	check_profile("nes-rsa");
	check_profile("nes-ec");
	check_profile("seal");
	check_profile("seal-rsa");
	check_profile("multi");
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
	ck_assert_uint_eq(fake_last_saved.life, AKIS_LIFE_USER);
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
	ck_assert_int_eq(perso_run_init(img, "--days", "0", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--days", "36501", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--serial", "0102", NULL), 2);
	ck_assert_int_eq(perso_run_init(img, "--serial", "0102030405060708090A0B0C0D", NULL), 2);
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
	                   "v1.0", "--days", "36500", "--not-before", "2030-01-02T03:04:05Z",
	                   "--serial", "01 02 03 04 05 06 07 08 09 0A 0B 0C", "--seed", "99", NULL),
	    0);
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
