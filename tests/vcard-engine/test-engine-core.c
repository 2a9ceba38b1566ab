/*
 * test-engine-core.c: what both generations share: ATR checks and the
 * evidence's ATR table, images (round trip, every truncation, damage,
 * hostile contents, the old format), the PIN try rule for every counted
 * try of both generations (a try is counted and saved before the
 * comparison; at the comparison the image already holds it, the same for
 * a right and a wrong value; a SIGKILL there or at any other moment keeps
 * it), save failures, traces without PINs, empty objects (every command
 * without data in every state where something is empty), and floods of
 * random APDUs.
 */
#include "config.h"

#include "engine-test.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/sha.h>

#include <eimza/hex.h>

static size_t atr_of(const char *hex, uint8_t *out)
{
	long n = ez_hex_decode(hex, out, VCARD_MAX_ATR);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

START_TEST(atr_table)
{
	const struct vcard_named_atr *a;
	struct vcard_atr_info i;
	uint8_t atr[VCARD_MAX_ATR];
	char err[160];
	size_t n, count = 0;

	for (a = vcard_atrs; a->id; a++, count++) {
		n = atr_of(a->hex, atr);
		ck_assert_msg(vcard_atr_check(atr, n, err, sizeof(err)) == 0, "%s: %s", a->id, err);
		vcard_atr_describe(atr, n, &i);
		ck_assert_int_eq(i.family, a->gen == VCARD_GEN_1_2 ? VCARD_ATR_UEKAE : VCARD_ATR_TC);
		ck_assert_ptr_eq(vcard_atr_by_id(a->id), a);
	}
	ck_assert_uint_ge(count, 29);
	ck_assert_str_eq(vcard_atr_default(VCARD_GEN_1_2)->hex,
	                 "3B9F968131FE45806755454B41451292318073B3A1806A");
	ck_assert_str_eq(vcard_atr_default(VCARD_GEN_2)->hex,
	                 "3B9F978131FE458065544353228231C073F62180810553");
	ck_assert_ptr_null(vcard_atr_by_id("v1.2.2"));
	ck_assert_ptr_null(vcard_atr_by_id(NULL));
}
END_TEST

START_TEST(atr_versions)
{
	static const struct {
		const char *hex;
		unsigned major, minor, patch, chip;
		bool ec;
	} tc[] = {
	    {"3B9F978131FE458065544353228231C073F62180810553", 2, 5, 2, 0x13, true},
	    {"3B9F978131FE4580655443D3230231C073F62180810552", 2, 6, 2, 0x13, true},
	    {"3B9F978131FE4580655443D2210831C073F6218081055B", 2, 2, 8, 0x12, false},
	    {"3B9F978131FE4580655443E4210831C073F6218081056D", 2, 2, 8, 0x24, false},
	    {"3B9F978131FE458065544312210031C073F62180810593", 2, 2, 0, 0x12, false},
	    {"3B9F968131FE458065544320201231C073F621808105B3", 2, 0, 0, 0x12, false},
	};
	struct vcard_atr_info i;
	uint8_t atr[VCARD_MAX_ATR];
	char err[160];
	size_t k, n;

	for (k = 0; k < sizeof(tc) / sizeof(tc[0]); k++) {
		n = atr_of(tc[k].hex, atr);
		vcard_atr_describe(atr, n, &i);
		ck_assert(i.tc_version_known);
		ck_assert_uint_eq(i.major, tc[k].major);
		ck_assert_uint_eq(i.minor, tc[k].minor);
		ck_assert_uint_eq(i.patch, tc[k].patch);
		ck_assert_uint_eq(i.chip, tc[k].chip);
		ck_assert_int_eq(vcard_atr_gen2_has_ec(atr, n), tc[k].ec);
	}
	/* UEKAE and other ATRs give a 2.x card the newer command set. */
	n = atr_of("3B9F968131FE45806755454B41451292318073B3A1806A", atr);
	vcard_atr_describe(atr, n, &i);
	ck_assert_int_eq(i.family, VCARD_ATR_UEKAE);
	ck_assert_mem_eq(i.uekae_version, "\x12\x92", 2);
	ck_assert(vcard_atr_gen2_has_ec(atr, n));
	n = atr_of("3BBA11008131FE4D55454B41452056312E30AE", atr); /* AKIS v1.0 */
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), 0);
	vcard_atr_describe(atr, n, &i);
	ck_assert_int_eq(i.family, VCARD_ATR_OTHER);
	ck_assert(vcard_atr_gen2_has_ec(atr, n));
	/* A TC ATR whose version field is not 2.x: unreadable, newer set. */
	n = atr_of("3B9F978131FE458065544353328231C073F62180810543", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), 0);
	vcard_atr_describe(atr, n, &i);
	ck_assert_int_eq(i.family, VCARD_ATR_TC);
	ck_assert(!i.tc_version_known);
	ck_assert(vcard_atr_gen2_has_ec(atr, n));
	/* T=0 only: no TCK. */
	n = atr_of("3B021450", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), 0);
	n = atr_of("3F00", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), 0);
}
END_TEST

START_TEST(atr_refused)
{
	uint8_t atr[40];
	char err[160];
	size_t n;

	/* ESYA lists this one, but its TCK is wrong (a typo, surely). */
	n = atr_of("3B9F978131FE458065544312210731C073F62180810595", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "TCK"));
	ck_assert_ptr_null(vcard_new(VCARD_GEN_2, atr, n));
	n = atr_of("3C021450", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "TS"));
	n = atr_of("3B03145055", atr); /* one historical byte short */
	ck_assert_int_eq(vcard_atr_check(atr, n - 1, err, sizeof(err)), -1);
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), 0);
	n = atr_of("3B8080", atr); /* TD1 announces TD2 that is not there */
	ck_assert_int_eq(vcard_atr_check(atr, n, err, sizeof(err)), -1);
	n = atr_of("3B9F968131FE45806755454B41451292318073B3A1806A", atr);
	ck_assert_int_eq(vcard_atr_check(atr, n - 1, err, sizeof(err)), -1);
	ck_assert_int_eq(vcard_atr_check(atr, 1, err, sizeof(err)), -1);
	memset(atr, 0, sizeof(atr));
	atr[0] = 0x3B;
	atr[1] = 0x0F;
	ck_assert_int_eq(vcard_atr_check(atr, 34, err, sizeof(err)), -1);
	ck_assert_int_eq(vcard_atr_check(NULL, 0, err, sizeof(err)), -1);
	ck_assert_ptr_null(vcard_new(3, NULL, 0));
}
END_TEST

/* ---- images --------------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Write `buf` with a fresh checksum, so only the loader's own checks of
 * the contents stand between it and the card. */
static void spill_resealed(const char *path, unsigned char *buf, size_t len)
{
	SHA256(buf, len - 32, buf + len - 32);
	spill(path, buf, len);
}

START_TEST(image_round_trip)
{
	vcard *c2 = card2(NULL), *c12 = card12(), *back;
	char path[64], err[200];
	uint8_t d[2048];
	size_t n;

	temp_path(path, sizeof(path));
	/* A 2.x card: files, SDOs, counters, serials and the flag come back. */
	ck_assert_uint_eq(tx(c2, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c2, "0020008106303030303030", NULL, NULL), 0x63C2);
	ck_assert_int_eq(vcard_save(c2, path), 0);
	ck_assert_int_eq(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(vcard_generation(back), VCARD_GEN_2);
	ck_assert(vcard_has_ec(back));
	ck_assert_int_eq(vcard_pin_tries(back, 0x81), 2);
	ck_assert_int_eq(vcard_life_cycle(back), VCARD_LIFE_OPERATIONAL);
	vcard_power_on(back);
	ck_assert_str_eq(tx_hex(back, "00CA010F08"), "1112131415161718" "9000");
	ck_assert_uint_eq(tx(back, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_str_eq(tx_hex(back, "00CB3FFF084D06BF900302A08000"),
	                 "BF900317A015" "80020C00" "84045349474E" "9C02FFFF" "9D02FFFF" "9E0100"
	                 "9000");
	ck_assert_uint_eq(tx(back, "00A4020C022F11", NULL, NULL), 0x9000);
	ck_assert_str_eq(tx_hex(back, "00B0000000"), "68656C6C6F" "6282");
	ck_assert_uint_eq(tx(back, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(back, "002241B606800193840185", NULL, NULL), 0x9000);
	memset(d, 0x11, 32);
	ck_assert_uint_eq(tx_all(back, "002A9E9A20" "1111111111111111111111111111111111111111111111111111111111111111" "00", d, &n), 0x9000);
	ck_assert_uint_eq(n, 64);
	vcard_free(back);
	/* A 1.2 card. */
	ck_assert_int_eq(vcard_save(c12, path), 0);
	ck_assert_int_eq(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(vcard_generation(back), VCARD_GEN_1_2);
	vcard_power_on(back);
	ck_assert_uint_eq(tx(back, "00A4000C023D00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(back, "00A4020C025031", NULL, NULL), 0x9000);
	ck_assert_str_eq(tx_hex(back, "00B0000005"), "68656C6C6F" "9000");
	ck_assert_uint_eq(tx(back, "0020008100", NULL, NULL), 0x63C3);
	vcard_free(back);
	vcard_free(c2);
	vcard_free(c12);
	unlink(path);
}
END_TEST

START_TEST(image_damage)
{
	vcard *c = card2(NULL), *back;
	char path[64], err[200];
	unsigned char *buf;
	size_t len, i;

	temp_path(path, sizeof(path));
	ck_assert_int_eq(vcard_save(c, path), 0);
	vcard_free(c);
	buf = slurp(path, &len);
	/* Every truncation and a flipped bit anywhere: refused, never a crash. */
	for (i = 0; i < len; i += (i < 200 ? 1 : 97)) {
		spill(path, buf, i);
		ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
		ck_assert(err[0] != '\0');
		ck_assert_ptr_null(back);
		buf[i] ^= 0x40;
		spill(path, buf, len);
		ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
		buf[i] ^= 0x40;
	}
	/* The first image format is refused with a word on what to do. */
	buf[11] = 1;
	spill_resealed(path, buf, len);
	ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "eimza-vcard init"));
	buf[11] = 2;
	free(buf);
	ck_assert_int_ne(vcard_load("/nonexistent/eimza.img", &back, err, sizeof(err)), 0);
	ck_assert_int_ne(vcard_load(path, NULL, err, sizeof(err)), 0);
	unlink(path);
}
END_TEST

/* Contents the loader must refuse even with a right checksum: every byte
 * of the body's first part (generation, ATR, serials, life cycle, flags,
 * PIN objects) set to a few values. Whatever the loader accepts must work
 * as a card (a quick APDU round), whatever it refuses must say why. */
START_TEST(image_hostile)
{
	vcard *c = card2(NULL), *back;
	char path[64], err[200];
	unsigned char *buf;
	size_t len, i, v;
	static const uint8_t values[] = {0x00, 0x01, 0x02, 0x10, 0x7F, 0x80, 0x81, 0xFF};
	unsigned accepted = 0, refused = 0;

	temp_path(path, sizeof(path));
	ck_assert_int_eq(vcard_save(c, path), 0);
	vcard_free(c);
	buf = slurp(path, &len);
	/* The generation: 2 -> 1 makes EC keys and BF 81 PIN refs wrong for
	 * the card; 3 is no generation at all. */
	buf[16] = 1;
	spill_resealed(path, buf, len);
	ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
	buf[16] = 3;
	spill_resealed(path, buf, len);
	ck_assert_int_ne(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "generation"));
	buf[16] = 2;
	for (i = 16; i < 16 + 110 && i < len - 32; i++) {
		uint8_t keep = buf[i];
		for (v = 0; v < sizeof(values); v++) {
			if (values[v] == keep)
				continue;
			buf[i] = values[v];
			spill_resealed(path, buf, len);
			if (vcard_load(path, &back, err, sizeof(err)) == 0) {
				uint8_t rsp[VCARD_MAX_RESPONSE];
				vcard_power_on(back);
				vcard_transmit(back, (const uint8_t *)"\x00\xA4\x04\x0C\x07PKCS-15", 12,
				               rsp, sizeof(rsp));
				vcard_transmit(back, (const uint8_t *)"\x00\x20\x00\x81\x06" "123456", 11,
				               rsp, sizeof(rsp));
				vcard_free(back);
				accepted++;
			} else {
				ck_assert(err[0] != '\0');
				refused++;
			}
		}
		buf[i] = keep;
	}
	ck_assert_uint_gt(refused, 100);
	ck_assert_uint_gt(accepted, 10); /* serial bytes, counters: legitimate values */
	free(buf);
	unlink(path);
}
END_TEST

/* ---- the PIN try rule ------------------------------------------------------- */

struct hook {
	const char *path;
	unsigned fail_at;   /* make this save fail (0: none) */
	unsigned exit_at;   /* end the process before this save (0: never) */
	unsigned copy_at;   /* copy the image as it is before this save */
	unsigned char *copy;
	size_t copy_len;
};

static int save_hook(void *arg, unsigned count)
{
	struct hook *h = arg;

	if (h->exit_at == count)
		_exit(0);
	if (h->copy_at == count) {
		free(h->copy);
		h->copy = slurp(h->path, &h->copy_len);
	}
	return h->fail_at == count ? -1 : 0;
}

/* A card saved at `path`, loaded again with the hook set. */
static vcard *hooked(vcard *(*make)(const char *), const char *path, struct hook *h)
{
	vcard *c = make(NULL), *back;
	char err[200];

	ck_assert_int_eq(vcard_save(c, path), 0);
	vcard_free(c);
	ck_assert_int_eq(vcard_load(path, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(vcard_set_image_path(back, path), 0);
	vcard_set_save_hook(back, save_hook, h);
	vcard_power_on(back);
	return back;
}

static vcard *make2(const char *unused)
{
	(void)unused;
	return card2(NULL);
}

static vcard *make12(const char *unused)
{
	(void)unused;
	return card12();
}

static int tries_in_image(const char *path, uint8_t ref)
{
	vcard *c;
	char err[200];
	int t;

	ck_assert_msg(vcard_load(path, &c, err, sizeof(err)) == 0, "%s", err);
	t = vcard_pin_tries(c, ref);
	vcard_free(c);
	return t;
}

/* Run `setup`, then the PIN command `apdu` in a child that dies before
 * save number `exit_at` (so before its answer); the tries the image it
 * leaves holds. */
static int tries_after_kill(vcard *(*make)(const char *), const char *path, const char *setup,
                            const char *apdu, unsigned exit_at, uint8_t ref)
{
	struct hook h = {path, 0, 0, 0, NULL, 0};
	pid_t pid;
	int status;
	vcard *c = hooked(make, path, &h);

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setup)
			tx(c, setup, NULL, NULL);
		h.exit_at = exit_at;
		vcard_set_save_hook(c, save_hook, &h);
		tx(c, apdu, NULL, NULL);
		_exit(3); /* the answer left: the kill came too late */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	vcard_free(c);
	return tries_in_image(path, ref);
}

/* At the comparison (the compare hook): what the image on disk holds. */
struct at_compare {
	const char *path;
	uint8_t ref;
	unsigned calls;
	int tries;
	unsigned char *image;
	size_t image_len;
	bool kill; /* SIGKILL the process there instead */
};

static void compare_hook(void *arg)
{
	struct at_compare *a = arg;

	if (a->kill)
		raise(SIGKILL);
	a->calls++;
	a->tries = tries_in_image(a->path, a->ref);
	free(a->image);
	a->image = slurp(a->path, &a->image_len);
}

/* Run `setup`, then the PIN command `apdu` in a child that is killed with
 * SIGKILL right after the comparison, before the card acts on it; the
 * tries the image it leaves holds. */
static int tries_after_kill_at_compare(vcard *(*make)(const char *), const char *path,
                                       const char *setup, const char *apdu, uint8_t ref)
{
	struct hook h = {path, 0, 0, 0, NULL, 0};
	struct at_compare a = {.path = path, .ref = ref, .kill = true};
	pid_t pid;
	int status;
	vcard *c = hooked(make, path, &h);

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setup)
			tx(c, setup, NULL, NULL);
		vcard_set_compare_hook(c, compare_hook, &a);
		tx(c, apdu, NULL, NULL);
		_exit(3); /* no comparison happened */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	              "the command compared nothing");
	vcard_free(c);
	return tries_in_image(path, ref);
}

/* Every counted try on both generations: VERIFY of the PIN and of the PUK,
 * CHANGE REFERENCE DATA of each, and 1.2's RESET RETRY COUNTER (whose PUK
 * is compared; 2.x's compares nothing: it needs the PUK verified). */
START_TEST(try_saved_before_compare)
{
	char path[64];
	struct hook h;
	vcard *c;
	unsigned char *after_wrong;
	size_t wrong_len;
	static const struct {
		vcard *(*make)(const char *);
		const char *setup, *right, *wrong;
		uint8_t ref;
	} cases[] = {
	    /* 2.x VERIFY PIN, VERIFY PUK, CHANGE PIN, CHANGE PUK */
	    {make2, "00A4040C07504B43532D3135", "0020008106313233343536", "0020008106303030303030",
	     0x81},
	    {make2, "00A4040C07504B43532D3135", "00200082083132333435363738",
	     "00200082083030303030303030", 0x82},
	    {make2, "00A4040C07504B43532D3135", "002400810C313233343536363534333231",
	     "002400810C303030303030363534333231", 0x81},
	    {make2, "00A4040C07504B43532D3135", "002400821031323334353637383837363534333231",
	     "002400821030303030303030303837363534333231", 0x82},
	    /* 1.2 VERIFY PIN, VERIFY PUK, CHANGE PIN, CHANGE PUK, RESET RETRY
	     * COUNTER with the PUK */
	    {make12, NULL, "0020008106313233343536", "0020008106303030303030", 0x81},
	    {make12, NULL, "00200082083132333435363738", "00200082083030303030303030", 0x82},
	    {make12, NULL, "002400810E0631323334353606363534333231",
	     "002400810E0630303030303006363534333231", 0x81},
	    {make12, NULL, "0024008212083132333435363738083837363534333231",
	     "0024008212083030303030303030083837363534333231", 0x82},
	    {make12, NULL, "002C00811008313233343536373806313233343536",
	     "002C00811008303030303030303006313233343536", 0x82},
	};
	size_t k;

	temp_path(path, sizeof(path));
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct at_compare wrong_at = {.path = path, .ref = cases[k].ref};
		struct at_compare right_at = {.path = path, .ref = cases[k].ref};

		/* A wrong value: one save, counted, before the comparison. */
		memset(&h, 0, sizeof(h));
		h.path = path;
		c = hooked(cases[k].make, path, &h);
		vcard_set_compare_hook(c, compare_hook, &wrong_at);
		if (cases[k].setup)
			ck_assert_uint_eq(tx(c, cases[k].setup, NULL, NULL), 0x9000);
		ck_assert_uint_eq(tx(c, cases[k].wrong, NULL, NULL), 0x63C2);
		ck_assert_uint_eq(wrong_at.calls, 1);
		ck_assert_msg(
		    wrong_at.tries == 2,
		    "case %zu: at the comparison of a wrong value the image holds %d tries", k,
		    wrong_at.tries);
		ck_assert_int_eq(tries_in_image(path, cases[k].ref), 2);
		after_wrong = slurp(path, &wrong_len);
		vcard_free(c);
		/* A right value from the same state: the first save writes the very
		 * same image before the comparison (no oracle), the second gives
		 * the try back. */
		memset(&h, 0, sizeof(h));
		h.path = path;
		h.copy_at = 2;
		c = hooked(cases[k].make, path, &h);
		vcard_set_compare_hook(c, compare_hook, &right_at);
		if (cases[k].setup)
			ck_assert_uint_eq(tx(c, cases[k].setup, NULL, NULL), 0x9000);
		ck_assert_uint_eq(tx(c, cases[k].right, NULL, NULL), 0x9000);
		ck_assert_uint_eq(right_at.calls, 1);
		ck_assert_msg(
		    right_at.tries == 2,
		    "case %zu: at the comparison of a right value the image holds %d tries", k,
		    right_at.tries);
		ck_assert_uint_eq(right_at.image_len, wrong_at.image_len);
		ck_assert_msg(
		    memcmp(right_at.image, wrong_at.image, wrong_at.image_len) == 0,
		    "case %zu: at the comparison the image told a right try from a wrong one", k);
		ck_assert_msg(h.copy != NULL, "case %zu: a right try saved nothing", k);
		ck_assert_uint_eq(h.copy_len, wrong_len);
		ck_assert_msg(memcmp(h.copy, after_wrong, wrong_len) == 0,
		              "case %zu: the image told a right try from a wrong one", k);
		ck_assert_int_eq(tries_in_image(path, cases[k].ref), 3);
		free(h.copy);
		free(after_wrong);
		free(wrong_at.image);
		free(right_at.image);
		vcard_free(c);
		/* Killed with SIGKILL at the comparison: the try is counted in the
		 * image, whatever the value (a right one costs the try a card
		 * pulled at that moment costs). */
		ck_assert_int_eq(tries_after_kill_at_compare(cases[k].make, path, cases[k].setup,
		                                             cases[k].wrong, cases[k].ref),
		                 2);
		ck_assert_int_eq(tries_after_kill_at_compare(cases[k].make, path, cases[k].setup,
		                                             cases[k].right, cases[k].ref),
		                 2);
		/* Killed after the first save of a right try: the try stays
		 * counted; killed before it (nothing compared yet): nothing
		 * happened at all. */
		ck_assert_int_eq(tries_after_kill(cases[k].make, path, cases[k].setup,
		                                  cases[k].right, 2, cases[k].ref),
		                 2);
		ck_assert_int_eq(tries_after_kill(cases[k].make, path, cases[k].setup,
		                                  cases[k].wrong, 1, cases[k].ref),
		                 3);
		ck_assert_int_eq(tries_after_kill(cases[k].make, path, cases[k].setup,
		                                  cases[k].right, 1, cases[k].ref),
		                 3);
	}
	unlink(path);
}
END_TEST

START_TEST(save_failures)
{
	char path[64];
	struct hook h;
	vcard *c;

	temp_path(path, sizeof(path));
	/* The counting save fails: 65 81, nothing compared, nothing counted. */
	memset(&h, 0, sizeof(h));
	h.path = path;
	h.fail_at = 1;
	c = hooked(make2, path, &h);
	ck_assert_uint_eq(tx(c, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x6581);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	ck_assert(!vcard_pin_verified(c, 0x81));
	ck_assert_int_eq(tries_in_image(path, 0x81), 3);
	vcard_free(c);
	/* The restoring save fails: 65 81, the try stays counted in memory as
	 * in the image, and the right PIN is not honoured. */
	memset(&h, 0, sizeof(h));
	h.path = path;
	h.fail_at = 2;
	c = hooked(make2, path, &h);
	ck_assert_uint_eq(tx(c, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x6581);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 2);
	ck_assert(!vcard_pin_verified(c, 0x81));
	ck_assert_int_eq(tries_in_image(path, 0x81), 2);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	ck_assert_int_eq(tries_in_image(path, 0x81), 3);
	vcard_free(c);
	/* A new PIN that cannot be saved is not taken. */
	memset(&h, 0, sizeof(h));
	h.path = path;
	h.fail_at = 3;
	c = hooked(make2, path, &h);
	ck_assert_uint_eq(tx(c, "00A4040C07504B43532D3135", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "002400810C313233343536363534333231", NULL, NULL), 0x6581);
	ck_assert_uint_eq(tx(c, "0020008106313233343536", NULL, NULL), 0x9000);
	vcard_free(c);
	/* No image directory at all (1.2). */
	c = card12();
	ck_assert_int_eq(vcard_set_image_path(c, "/nonexistent/dir/card.img"), 0);
	ck_assert_uint_eq(tx(c, "0020008106303030303030", NULL, NULL), 0x6581);
	ck_assert_int_eq(vcard_pin_tries(c, 0x81), 3);
	vcard_free(c);
	unlink(path);
}
END_TEST

/* ---- traces and robustness ---------------------------------------------- */

static int traced_secret;
static void trace(void *arg, const char *line)
{
	(void)arg;
	if (strstr(line, "31 32 33 34") || strstr(line, "30 30 30 30") ||
	    strstr(line, "36 35 34 33"))
		traced_secret = 1;
}

START_TEST(trace_masks_pins)
{
	vcard *c = card2(NULL);

	vcard_set_trace(c, trace, NULL);
	enter_app(c);
	tx(c, "0020008106303030303030", NULL, NULL);
	tx(c, "00200082083132333435363738", NULL, NULL);
	tx(c, "002400810C313233343536363534333231", NULL, NULL);
	tx(c, "002C028106363534333231", NULL, NULL);
	vcard_free(c);
	c = card12();
	vcard_set_trace(c, trace, NULL);
	tx(c, "0020008106303030303030", NULL, NULL);
	tx(c, "002400810E06313233343536063132333435FF", NULL, NULL);
	tx(c, "002C00811008313233343536373806313233343536", NULL, NULL);
	ck_assert_int_eq(traced_secret, 0);
	vcard_free(c);
}
END_TEST

static void flood(vcard *c, unsigned seed, const uint8_t *ins, size_t nins)
{
	uint8_t cmd[300], rsp[VCARD_MAX_RESPONSE];
	int i;

	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 301), k, r;
		for (k = 0; k < len; k++)
			cmd[k] = (uint8_t)rand_r(&seed);
		if (len >= 2 && i % 2) { /* half of them look like real commands */
			static const uint8_t cla[] = {0x00, 0x80, 0x10, 0x00};
			cmd[0] = cla[i % 4];
			cmd[1] = ins[rand_r(&seed) % nins];
			if (len > 5)
				cmd[4] = (uint8_t)(len - 5 - (rand_r(&seed) % 2));
			if (i % 8 == 1 && len > 12) { /* an SDO query with random templates */
				cmd[1] = 0xCB;
				cmd[2] = 0x3F;
				cmd[3] = 0xFF;
				cmd[5] = 0x4D;
				cmd[6] = (uint8_t)(len - 7 - (rand_r(&seed) % 2));
				cmd[7] = 0xBF;
			}
		}
		r = vcard_transmit(c, cmd, len, rsp, sizeof(rsp));
		ck_assert_uint_ge(r, 2);
		ck_assert_uint_le(r, VCARD_MAX_RESPONSE);
		if (i % 1000 == 0)
			vcard_reset(c);
		if (i % 97 == 0)
			vcard_transmit(c, (const uint8_t *)"\x00\xA4\x04\x0C\x07PKCS-15", 12, rsp,
			               sizeof(rsp));
	}
}

START_TEST(random_apdus)
{
	static const uint8_t ins[] = {0xA4, 0xB0, 0xD6, 0x20, 0x24, 0x2C, 0xCA, 0xCB, 0x22,
	                              0x2A, 0x84, 0xC0, 0x18, 0x15, 0x16, 0x10, 0x09, 0x1A, 0x1D};
	vcard *c = card2(NULL);

	flood(c, 20261125, ins, sizeof(ins));
	vcard_free(c);
	c = card12();
	flood(c, 20261126, ins, sizeof(ins));
	vcard_free(c);
	/* And a card still in personalization (CREATE and UPDATE allowed). */
	c = vcard_new(VCARD_GEN_1_2, NULL, 0);
	vcard_power_on(c);
	flood(c, 20261127, ins, sizeof(ins));
	vcard_free(c);
}
END_TEST

/* Every command with no data and the shortest answers, in every state where
 * something may be empty (an empty EF, an empty DF, nothing pending, no
 * security environment): an empty object must never hand a NULL to memcpy
 * (the ASan + UBSan build aborts on it) and every answer is a status word. */
/* One command on a card brought into a state by `setup` (from reset), then
 * a GET RESPONSE for whatever it left: each answer at least a status word. */
static void sweep_one(vcard *c, const char *const *setup, const uint8_t *cmd, size_t n)
{
	static const uint8_t get_response[] = {0x00, 0xC0, 0x00, 0x00, 0x00};
	uint8_t rsp[VCARD_MAX_RESPONSE];
	size_t k;

	vcard_reset(c);
	for (k = 0; setup[k]; k++)
		tx(c, setup[k], NULL, NULL);
	ck_assert_uint_ge(vcard_transmit(c, cmd, n, rsp, sizeof(rsp)), 2);
	ck_assert_uint_ge(vcard_transmit(c, get_response, sizeof(get_response), rsp, sizeof(rsp)),
	                  2);
}

static void sweep(vcard *(*make)(void), const char *const *setup)
{
	static const uint8_t ins[] = {0xA4, 0xB0, 0xB1, 0xD6, 0x20, 0x24, 0x2C,
	                              0xCA, 0xCB, 0x22, 0x2A, 0x84, 0xC0, 0x18,
	                              0x15, 0x16, 0x10, 0x09, 0x1A, 0x1B, 0x1D};
	static const uint8_t cla[] = {0x00, 0x80, 0x10};
	static const uint16_t p1p2[] = {0x0000, 0x0001, 0x000C, 0x0100, 0x0106, 0x0104, 0x010B,
	                                0x0200, 0x020C, 0x0281, 0x0300, 0x0381, 0x0400, 0x0800,
	                                0x0081, 0x0082, 0x3FFF, 0x9E9A, 0x41B6, 0xC301, 0x0011};
	/* The tails after the header: none (case 1), Le 00 and 01 (case 2),
	 * and 00 00 (an empty Lc, malformed). */
	static const struct {
		uint8_t b[2];
		size_t n;
	} tails[] = {{{0}, 0}, {{0x00}, 1}, {{0x01}, 1}, {{0x00, 0x00}, 2}};
	uint8_t cmd[6];
	size_t a, b, d, e;
	vcard *c = make();

	for (a = 0; a < sizeof(cla); a++)
		for (b = 0; b < sizeof(ins); b++)
			for (d = 0; d < sizeof(p1p2) / sizeof(p1p2[0]); d++)
				for (e = 0; e < sizeof(tails) / sizeof(tails[0]); e++) {
					cmd[0] = cla[a];
					cmd[1] = ins[b];
					cmd[2] = (uint8_t)(p1p2[d] >> 8);
					cmd[3] = (uint8_t)p1p2[d];
					memcpy(cmd + 4, tails[e].b, tails[e].n);
					sweep_one(c, setup, cmd, 4 + tails[e].n);
				}
	vcard_free(c);
}

static vcard *card2_default(void)
{
	return card2(NULL);
}

/* Cards still in personalization: nothing but the MF (1.2), the MF and an
 * empty PKCS-15 DF (2.x). */
static vcard *blank12(void)
{
	vcard *c = vcard_new(VCARD_GEN_1_2, NULL, 0);

	vcard_power_on(c);
	return c;
}

static vcard *blank2(void)
{
	vcard *c = vcard_new(VCARD_GEN_2, NULL, 0);

	vcard_power_on(c);
	return c;
}

START_TEST(empty_objects)
{
	static const char *const none[] = {NULL};
	static const char *const app2[] = {"00A4040C07504B43532D3135", NULL};
	static const char *const empty_ef2[] = {"00A4040C07504B43532D3135", "00A4020C022F12", NULL};
	static const char *const signing2[] = {"00A4040C07504B43532D3135", "0020008106313233343536",
	                                       "002241B606800182840181", NULL};
	static const char *const df12[] = {"00A4000C023D00", NULL};
	static const char *const empty_ef12[] = {"00A4000C023D00", "00A4020C024444", NULL};
	static const char *const signing12[] = {"0020008106313233343536", "0022C301", NULL};
	static const char *const app_blank2[] = {"00A4040C07504B43532D3135", NULL};
	uint8_t d[VCARD_MAX_RESPONSE];
	size_t n;
	vcard *c;

	/* The empty EFs answer what an ISO card answers: no data, 62 82
	 * (fewer bytes than Le), and 6B 00 past their end. */
	c = card2(NULL);
	enter_app(c);
	ck_assert_uint_eq(tx(c, "00A4020C022F12", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x6282);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tx(c, "00B0000001", d, &n), 0x6282);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tx(c, "00B00000", d, &n), 0x9000); /* no Le: no data, no 62 82 */
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tx(c, "00B0000100", NULL, NULL), 0x6B00);
	vcard_free(c);
	c = card12();
	ck_assert_uint_eq(tx(c, "00A4000C023D00", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00A4020C024444", NULL, NULL), 0x9000);
	ck_assert_uint_eq(tx(c, "00B0000000", d, &n), 0x6282);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(tx(c, "00B0000100", NULL, NULL), 0x6B00);
	vcard_free(c);
	/* An empty DF lists nothing: 2.x counts 0 files and has no first one. */
	c = blank2();
	enter_app(c);
	ck_assert_str_eq(tx_hex(c, "801D000000"), "009000");
	ck_assert_uint_eq(tx(c, "801D000100", NULL, NULL), 0x6A82);
	vcard_free(c);
	/* 1.2: LIST FILES of an empty DF (the MF of a blank card): no entry. */
	c = blank12();
	ck_assert_str_eq(tx_hex(c, "8018000000"), "9000");
	vcard_free(c);

	sweep(card2_default, none);
	sweep(card2_default, app2);
	sweep(card2_default, empty_ef2);
	sweep(card2_default, signing2);
	sweep(card12, none);
	sweep(card12, df12);
	sweep(card12, empty_ef12);
	sweep(card12, signing12);
	sweep(blank12, none);
	sweep(blank2, app_blank2);
}
END_TEST

START_TEST(bad_arguments)
{
	uint8_t rsp[4];
	vcard *c = card2(NULL);

	ck_assert_uint_eq(vcard_transmit(c, (const uint8_t *)"\x00", 1, rsp, 1), 0);
	ck_assert_uint_eq(vcard_transmit(NULL, (const uint8_t *)"\x00", 1, rsp, sizeof(rsp)), 2);
	ck_assert_mem_eq(rsp, "\x6F\x00", 2);
	ck_assert_uint_eq(vcard_transmit(c, NULL, 4, rsp, sizeof(rsp)), 2);
	ck_assert_mem_eq(rsp, "\x6F\x00", 2);
	/* A response that does not fit the caller's buffer is never written
	 * past it. */
	ck_assert_uint_eq(vcard_transmit(c, (const uint8_t *)"\x00\x84\x00\x00\x10", 5, rsp, 4), 4);
	ck_assert_mem_eq(rsp + 2, "\x61\x0E", 2);
	ck_assert_int_eq(vcard_add_pin(c, NULL), -1);
	ck_assert_int_eq(vcard_add_key(c, NULL), -1);
	ck_assert_uint_eq(vcard_atr(c, rsp, sizeof(rsp)), 0);
	vcard_free(NULL);
	vcard_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vcard-engine-core");
	TCase *t = tcase_create("core");
	SRunner *r;
	int failed;

	keys_init();
	tcase_set_timeout(t, 300);
	tcase_add_test(t, atr_table);
	tcase_add_test(t, atr_versions);
	tcase_add_test(t, atr_refused);
	tcase_add_test(t, image_round_trip);
	tcase_add_test(t, image_damage);
	tcase_add_test(t, image_hostile);
	tcase_add_test(t, try_saved_before_compare);
	tcase_add_test(t, save_failures);
	tcase_add_test(t, trace_masks_pins);
	tcase_add_test(t, random_apdus);
	tcase_add_test(t, empty_objects);
	tcase_add_test(t, bad_arguments);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	keys_free();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
