/*
 * akis-v1.c: the AKIS 1.x command dialect (versions 1.1 to 1.3; spoken as
 * 1.2). Forms from TÜBİTAK's ESYA API and AkisCIF command library as the
 * public evidence describes them (docs/akis-profile.md, column "1.2"):
 *
 *   SELECT       00 A4 P1 00 Le=00: P1 00 the MF (3F00), 01 a child DF,
 *                02 an EF under the current DF, 04 a DF by name
 *   VERIFY       00 20 00 ref, ASCII digits; without data: the PIN state
 *   CHANGE       00 24 00 ref, len(old) old len(new) new
 *   UNBLOCK      00 2C 00 ref, len(PUK) PUK len(new) new
 *   MSE          00 22 C3 keyref (no data);  PSO CDS 00 2A 9E 9A
 *   LOGOUT       80 1A 00 00
 *   serial       GET DATA 00 CA 01 06 Le=51: bytes 57..64 of the system data
 *   blocked      69 84
 *
 * The card holds a PKCS#15 application: EF(DIR) names it, else it is found
 * by its DF name, else in DF 3D00 (AkisCIF's PKCS#15 DF) or 5015.
 */
#include "config.h"

#include "card-internal.h"

#include <stdlib.h>
#include <string.h>


#define CLA 0x00
#define CLA_PROPRIETARY 0x80
#define INS_SELECT 0xA4
#define INS_VERIFY 0x20
#define INS_CHANGE 0x24
#define INS_UNBLOCK 0x2C
#define INS_GET_DATA 0xCA
#define INS_LOGOUT 0x1A
#define SEL_MF 0x00
#define SEL_CHILD_DF 0x01
#define SEL_EF 0x02
#define SEL_NAME 0x04
#define MSE_SELECT_KEY 0xC3

#define SYSTEM_DATA 0x06
#define SYSTEM_DATA_LEN 0x51
#define SERIAL_OFFSET 57
#define SERIAL_LEN 8

#define PIN_REF 0x81
#define PUK_REF 0x82
/* ISO/IEC 7816-15 has no field for a retry limit; Kamu SM tells its users
 * that three wrong entries lock the PIN, and three wrong PUKs the card. */
#define MAX_TRIES 3
#define DEFAULT_MIN_LEN 4

#define MAX_FILE (16 * 1024)

static const uint8_t mf[2] = {0x3F, 0x00};
static const uint8_t pkcs15_aid[] = {EZ_P15_AID_BYTES};

static ez_err v1_read_serial(ez_card *c)
{
	uint8_t data[256];
	size_t len = sizeof(data);
	ez_err e;

	e = ez_card_cmd(c, CLA, INS_GET_DATA, 0x01, SYSTEM_DATA, NULL, 0, SYSTEM_DATA_LEN, data,
			&len);
	if (e != EZ_OK)
		return e;
	if (len < SERIAL_OFFSET + SERIAL_LEN)
		return EZ_ERR_MALFORMED;
	memcpy(c->info.serial, data + SERIAL_OFFSET, SERIAL_LEN);
	c->info.serial_len = SERIAL_LEN;
	return EZ_OK;
}

/* SELECT with P2 00 and Le 00: the FCI comes back (its size is used). */
static ez_err select_file(ez_card *c, uint8_t p1, const uint8_t *data, size_t len, size_t *size)
{
	uint8_t fci[256];
	size_t n = sizeof(fci);
	ez_err e = ez_card_cmd(c, CLA, INS_SELECT, p1, 0x00, data, len, EZ_LE_ANY, fci, &n);

	if (e == EZ_OK && size)
		*size = ez_fci_file_size(fci, n);
	return e;
}

/* Make the DF at `path` (FIDs from the MF, 3F00 first) the current DF. */
static ez_err select_df_path(ez_card *c, const uint8_t *path, size_t len)
{
	ez_err e;

	if (len < 2 || len % 2 || len > sizeof(c->cur_df) || memcmp(path, mf, 2) != 0)
		return EZ_ERR_MALFORMED;
	if (c->cur_df_known && c->cur_df_len == len && memcmp(c->cur_df, path, len) == 0)
		return EZ_OK;
	c->cur_df_known = false;
	e = select_file(c, SEL_MF, mf, 2, NULL);
	for (size_t i = 2; e == EZ_OK && i < len; i += 2)
		e = select_file(c, SEL_CHILD_DF, path + i, 2, NULL);
	if (e == EZ_OK) {
		memcpy(c->cur_df, path, len);
		c->cur_df_len = len;
		c->cur_df_known = true;
	}
	return e;
}

/* The application DF: by name when it has one, else by path. After a
 * selection by name cur_df holds the application's path when EF(DIR) gave
 * it (files named by absolute paths under it need no more SELECTs), else
 * the marker "application" (length 0). */
static ez_err select_app(ez_card *c)
{
	ez_err e;

	if (c->app.aid_len) {
		if (c->cur_df_known &&
		    (c->cur_df_len == 0 || (c->cur_df_len == c->app.path_len &&
					    memcmp(c->cur_df, c->app.path, c->app.path_len) == 0)))
			return EZ_OK;
		c->cur_df_known = false;
		e = select_file(c, SEL_NAME, c->app.aid, c->app.aid_len, NULL);
		if (e == EZ_OK) {
			memcpy(c->cur_df, c->app.path, c->app.path_len);
			c->cur_df_len = c->app.path_len;
			c->cur_df_known = true;
		}
		return e;
	}
	return select_df_path(c, c->app.path, c->app.path_len);
}

/* Select the EF at a PKCS#15 path: absolute (3F00 first), else relative
 * to the application DF. The FCI's file size goes to *size (may be NULL). */
static ez_err select_ef(ez_card *c, const uint8_t *path, size_t path_len, size_t *size)
{
	ez_err e;

	if (path_len < 2 || path_len % 2 || path_len > 16)
		return EZ_ERR_MALFORMED;
	if (memcmp(path, mf, 2) == 0) {
		e = path_len == 2 ? EZ_ERR_MALFORMED : select_df_path(c, path, path_len - 2);
	} else {
		e = select_app(c);
		for (size_t i = 0; e == EZ_OK && i + 2 < path_len; i += 2) {
			c->cur_df_known = false; /* a DF below the application */
			e = select_file(c, SEL_CHILD_DF, path + i, 2, NULL);
		}
	}
	if (e == EZ_OK)
		e = select_file(c, SEL_EF, path + path_len - 2, 2, size);
	return e;
}

/* ez_p15_io.read: a file by PKCS#15 path. */
static ez_err v1_read(void *arg, const uint8_t *path, size_t path_len, size_t index, size_t len,
		      size_t max, bool der_object, uint8_t **out, size_t *out_len)
{
	ez_card *c = arg;
	size_t size = 0, got = 0;
	ez_err e;

	*out = NULL;
	*out_len = 0;
	e = select_ef(c, path, path_len, &size);
	if (e != EZ_OK)
		return e;
	if (index == 0 && len == 0)
		return ez_card_read_ef(c, size, max, der_object, out, out_len);
	/* A part of a file (PKCS#15 Path index/length). */
	if (len == 0)
		len = size > index ? size - index : 0;
	if (len == 0 || len > max)
		return EZ_ERR_MALFORMED;
	*out = malloc(len);
	if (!*out)
		return EZ_ERR_NO_MEMORY;
	e = ez_card_read_selected(c, index, *out, len, &got);
	if (e != EZ_OK) {
		free(*out);
		*out = NULL;
		return e;
	}
	c->stats.files_read++;
	*out_len = got;
	return EZ_OK;
}

/* Where the application is: EF(DIR), then the PKCS#15 DF name, then the
 * DFs 1.x cards are known to use. */
static ez_err find_app(ez_card *c, struct ez_p15_app *app)
{
	static const uint8_t dir_path[] = {0x3F, 0x00, EZ_P15_EF_DIR >> 8, EZ_P15_EF_DIR & 0xFF};
	static const uint8_t df_3d00[] = {0x3F, 0x00, 0x3D, 0x00};
	static const uint8_t df_5015[] = {0x3F, 0x00, 0x50, 0x15};
	uint8_t *buf = NULL;
	size_t len = 0;
	ez_err e;

	e = v1_read(c, dir_path, sizeof(dir_path), 0, 0, MAX_FILE, false, &buf, &len);
	if (ez_card_gone(e))
		return e;
	if (e == EZ_OK)
		e = ez_p15_parse_dir(app, buf, len);
	free(buf);
	if (e == EZ_ERR_NO_MEMORY)
		return e;
	memset(&c->app, 0, sizeof(c->app));
	if (e == EZ_OK && app->app_path.len >= 2 && app->app_path.len <= sizeof(c->app.path) &&
	    memcmp(app->app_path.value, mf, 2) == 0) {
		memcpy(c->app.path, app->app_path.value, app->app_path.len);
		c->app.path_len = app->app_path.len;
	}
	/* By name first (one APDU), whether EF(DIR) said so or not. */
	memcpy(c->app.aid, pkcs15_aid, sizeof(pkcs15_aid));
	c->app.aid_len = sizeof(pkcs15_aid);
	e = select_app(c);
	if (e == EZ_OK || ez_card_gone(e))
		return e;
	c->app.aid_len = 0;
	if (c->app.path_len)
		return select_app(c);
	memcpy(c->app.path, df_3d00, sizeof(df_3d00));
	c->app.path_len = sizeof(df_3d00);
	e = select_app(c);
	if (e == EZ_OK || ez_card_gone(e))
		return e;
	memcpy(c->app.path, df_5015, sizeof(df_5015));
	return select_app(c);
}

static void default_pin(struct ez_p15_pin *p, uint8_t ref, bool so)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->label, so ? "PUK" : "PIN");
	p->auth_id.value[0] = so ? 0x02 : 0x01;
	p->auth_id.len = 1;
	if (!so) {
		p->unblock_id.value[0] = 0x02;
		p->unblock_id.len = 1;
	}
	p->flags = EZ_P15_PIN_INITIALIZED | EZ_P15_PIN_LOCAL |
		   (so ? EZ_P15_PIN_UNBLOCKING | EZ_P15_PIN_SO : 0);
	p->type = 1;
	p->tries_left = -1;
	p->fmt.ref = ref;
	p->fmt.min_len = DEFAULT_MIN_LEN;
	p->fmt.max_len = EZ_PIN_MAX;
	p->fmt.numeric = true;
	p->fmt.pad_char = 0xFF;
}

/* Every PIN gets the limits ISO/IEC 7816-15 has no field for; a card
 * whose AODF names no PIN or PUK gets the references 1.x cards use. */
static ez_err complete_pins(struct ez_p15_app *app)
{
	const struct ez_p15_pin *user = ez_p15_user_pin(app), *so = ez_p15_so_pin(app);
	size_t i, add = (user ? 0 : 1) + (so ? 0 : 1);

	if (add) {
		struct ez_p15_pin *p = realloc(app->pins, (app->n_pins + add) * sizeof(*p));
		if (!p)
			return EZ_ERR_NO_MEMORY;
		app->pins = p;
		if (!user)
			default_pin(&app->pins[app->n_pins++], PIN_REF, false);
		if (!so)
			default_pin(&app->pins[app->n_pins++], PUK_REF, true);
	}
	for (i = 0; i < app->n_pins; i++) {
		struct ez_pin_format *f = &app->pins[i].fmt;
		if (!f->max_tries)
			f->max_tries = MAX_TRIES;
		if (!f->max_len || f->max_len > EZ_PIN_MAX)
			f->max_len = EZ_PIN_MAX;
	}
	return EZ_OK;
}

/* The description says where the application was found (by name, else by
 * path), so that ez_card_revalidate selects it as the load did. */
static void record_location(const ez_card *c, struct ez_p15_app *app)
{
	memset(&app->app_path, 0, sizeof(app->app_path));
	memcpy(app->app_path.value, c->app.path, c->app.path_len);
	app->app_path.len = c->app.path_len;
	memcpy(app->app_aid, c->app.aid, c->app.aid_len);
	app->app_aid_len = c->app.aid_len;
}

static ez_err v1_load(ez_card *c, struct ez_p15_app *app)
{
	struct ez_p15_io io = {v1_read, c};
	ez_err e = find_app(c, app);

	if (e == EZ_ERR_NOT_FOUND)
		return EZ_ERR_MALFORMED; /* an AKIS 1.x card without a PKCS#15 application */
	if (e == EZ_OK)
		e = ez_p15_load(&io, app);
	if (e == EZ_OK)
		e = complete_pins(app);
	if (e == EZ_OK)
		record_location(c, app);
	/* The counters now, while the application is still selected: each
	 * VERIFY without data costs no try and no SELECT. */
	if (e == EZ_OK)
		e = ez_card_read_counters(c, app);
	return e;
}

/* Select the application where the load found it, then compare the head
 * of every certificate EF the CDF named. */
static ez_err v1_unchanged(ez_card *c, const struct ez_p15_app *app)
{
	const struct ez_p15_path *loc = &app->app_path;
	ez_err e;

	if (app->app_aid_len > sizeof(c->app.aid) || loc->len > sizeof(c->app.path) ||
	    (loc->len && (loc->len < 2 || loc->len % 2 || memcmp(loc->value, mf, 2) != 0)) ||
	    (!app->app_aid_len && !loc->len))
		return EZ_ERR_CARD_CHANGED; /* not a description this dialect made */
	memset(&c->app, 0, sizeof(c->app));
	memcpy(c->app.path, loc->value, loc->len);
	c->app.path_len = loc->len;
	memcpy(c->app.aid, app->app_aid, app->app_aid_len);
	c->app.aid_len = app->app_aid_len;
	c->cur_df_known = false;
	e = select_app(c);
	for (size_t i = 0; e == EZ_OK && i < app->n_certs; i++) {
		const struct ez_p15_cert *ct = &app->certs[i];
		e = select_ef(c, ct->path.value, ct->path.len, NULL);
		if (e == EZ_OK)
			e = ez_card_compare_head(c, ct->path.index, ct->der, ct->der_len);
	}
	return e;
}

static ez_err v1_pin_state(ez_card *c, const struct ez_pin_format *f, enum ez_pin_state *st,
			   int *tries)
{
	uint16_t sw;
	ez_err e = select_app(c);

	if (e == EZ_OK)
		e = ez_card_send(c, CLA, INS_VERIFY, 0x00, f->ref, NULL, 0, EZ_LE_NONE, NULL, NULL,
				 &sw);
	if (e != EZ_OK)
		return e;
	if (sw == 0x9000) {
		*st = EZ_PIN_VERIFIED;
	} else if (sw == 0x63C0 || sw == 0x6983 || sw == 0x6984) {
		*st = EZ_PIN_BLOCKED;
		*tries = 0;
	} else if ((sw & 0xFFF0) == 0x63C0) {
		*st = EZ_PIN_TRIES;
		*tries = sw & 0x0F;
	}
	return EZ_OK;
}

static ez_err v1_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin, size_t len,
			int *tries_left)
{
	uint8_t buf[EZ_PIN_MAX];
	size_t n = 0;
	ez_err e = ez_pin_encode(f, pin, len, buf, &n);

	if (e == EZ_OK)
		e = select_app(c);
	return ez_pin_send(c, e, CLA, INS_VERIFY, 0x00, f->ref, buf, n, sizeof(buf), tries_left);
}

/* data = len(a) a len(b) b */
static ez_err two_values(const struct ez_pin_format *fa, const uint8_t *a, size_t al,
			 const struct ez_pin_format *fb, const uint8_t *b, size_t bl, uint8_t *out,
			 size_t *out_len)
{
	size_t n1, n2;
	ez_err e = ez_pin_encode(fa, a, al, out + 1, &n1);

	if (e != EZ_OK)
		return e;
	out[0] = (uint8_t)n1;
	e = ez_pin_encode(fb, b, bl, out + 2 + n1, &n2);
	if (e != EZ_OK)
		return e;
	out[1 + n1] = (uint8_t)n2;
	*out_len = 2 + n1 + n2;
	return EZ_OK;
}

static ez_err v1_change(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 + 2 * EZ_PIN_MAX];
	size_t n = 0;
	ez_err e = two_values(f, old_pin, old_len, f, new_pin, new_len, buf, &n);

	if (e == EZ_OK)
		e = select_app(c);
	return ez_pin_send(c, e, CLA, INS_CHANGE, 0x00, f->ref, buf, n, sizeof(buf), tries_left);
}

static ez_err v1_unblock(ez_card *c, const struct ez_pin_format *puk, const uint8_t *puk_value,
			 size_t puk_len, const struct ez_pin_format *pin, const uint8_t *new_pin,
			 size_t new_len, int *tries_left)
{
	uint8_t buf[2 + 2 * EZ_PIN_MAX];
	size_t n = 0;
	ez_err e = two_values(puk, puk_value, puk_len, pin, new_pin, new_len, buf, &n);

	if (e == EZ_OK)
		e = select_app(c);
	return ez_pin_send(c, e, CLA, INS_UNBLOCK, 0x00, pin->ref, buf, n, sizeof(buf), tries_left);
}

/* PIN entry on the reader's keypad, in the forms above: ASCII digits, a
 * block as long as the digits, or of the stored length filled with the
 * pad character when the AODF says the PIN needs padding. CHANGE and
 * UNBLOCK carry "len a a len b b": each value is a block of its length
 * byte and its digits, the reader writing the length (a length field of 8
 * bits at the block's start) and moving the second block behind the
 * first; with padding the lengths are the stored length, constant bytes
 * of the template. UNBLOCK types the PUK (the command carries it), then
 * the new PIN twice. */
static ez_err v1_pad(ez_card *c, enum ez_pad_op op, const struct ez_pin_format *a,
		     const struct ez_pin_format *b, int *tries_left)
{
	const struct ez_pin_format *second = op == EZ_PAD_OP_UNBLOCK ? b : a;
	uint8_t data[2 + 2 * EZ_PIN_MAX];
	struct ez_pad_cmd cmd;
	unsigned s;
	ez_err e;

	memset(&cmd, 0, sizeof(cmd));
	ez_pad_block(&cmd, a);
	s = (unsigned)cmd.block_size; /* the stored length when padded, else 0 */
	if (op == EZ_PAD_OP_VERIFY) {
		memset(data, a->pad_char, s);
		ez_pad_template(&cmd, CLA, INS_VERIFY, 0x00, a->ref, data, s);
	} else {
		struct ez_pad_cmd other;
		/* One block format for both values: their padding must agree. */
		ez_pad_block(&other, second);
		if (other.block_size != s || (s && a->pad_char != second->pad_char) || s + 1 > 15)
			return EZ_ERR_UNSUPPORTED;
		if (other.min_len < cmd.min_len)
			cmd.min_len = other.min_len;
		if (other.max_len > cmd.max_len)
			cmd.max_len = other.max_len;
		data[0] = (uint8_t)s;
		memset(data + 1, a->pad_char, s);
		data[1 + s] = (uint8_t)s;
		memset(data + 2 + s, a->pad_char, s);
		ez_pad_template(&cmd, CLA, op == EZ_PAD_OP_CHANGE ? INS_CHANGE : INS_UNBLOCK, 0x00,
				second->ref, data, 2 + 2 * s);
		cmd.modify = cmd.confirm = cmd.old_pin = true;
		cmd.frame_offset = 1;
		cmd.length_bits = s ? 0 : 8;
		cmd.block_size = s ? 1 + s : 0;
		cmd.off_old = 0;
		cmd.off_new = 1 + s;
	}
	e = select_app(c);
	return e == EZ_OK ? ez_pad_send(c, &cmd, tries_left) : e;
}

static ez_err v1_logout(ez_card *c)
{
	return ez_card_cmd(c, CLA_PROPRIETARY, INS_LOGOUT, 0x00, 0x00, NULL, 0, EZ_LE_NONE, NULL,
			   NULL);
}

/* No public source shows a 1.x card computing PSS or ECDSA itself; PSS is
 * encoded on the host and signed as raw RSA, as the first profile did. */
static void v1_sign_caps(const ez_card *c, struct ez_sign_caps *caps)
{
	(void)c;
	caps->pkcs1 = true;
	caps->raw_rsa = true;
	caps->ecdsa = true;
	caps->ecdsa_hashes = EZ_HASH_BIT(EZ_HASH_NONE);
	caps->rsa_min_bits = 1024;
	caps->rsa_max_bits = 4096;
}

static ez_err v1_sign(ez_card *c, uint8_t key_ref, enum ez_sig_scheme scheme, enum ez_hash hash,
		      const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	(void)hash;
	if (scheme == EZ_SIG_PSS)
		return EZ_ERR_UNSUPPORTED;
	/* The 1.x form: MSE "select key" (P1 C3) with the key reference in P2
	 * and no data. */
	return ez_card_mse_sign(c, select_app, MSE_SELECT_KEY, key_ref, NULL, 0, in, in_len, out,
				out_len);
}

const struct ez_dialect ez_dialect_v12 = {
	.name = "1.2",
	/* AkisCIF chains PSO data in 196-byte blocks and reads at most 208
	 * bytes per READ BINARY, for every generation. */
	.chain_block = 196,
	.le_on_every_block = false,
	.read_chunk = 208,
	.unblock_needs_puk = true,
	.sw_blocked = 0x6984,
	.read_serial = v1_read_serial,
	.load = v1_load,
	.pin_state = v1_pin_state,
	.verify = v1_verify,
	.change = v1_change,
	.unblock = v1_unblock,
	.logout = v1_logout,
	.sign_caps = v1_sign_caps,
	.sign = v1_sign,
	.unchanged = v1_unchanged,
	.pad = v1_pad,
};
