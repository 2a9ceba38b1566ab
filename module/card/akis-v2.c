/*
 * akis-v2.c: the AKIS 2.x command dialect (the "TC" cards Kamu SM issues
 * since about 2020; also spoken to V3 cards until a trace says otherwise).
 * Forms from what TÜBİTAK's AkisCIF command library and ESYA API send
 * (docs/akis-profile.md, column "2.x"):
 *
 *   application  00 A4 04 00 07 "PKCS-15" 00  (SELECT MF is 00 A4 00 00 00)
 *   VERIFY       00 20 00 81|82 PIN, ASCII, no padding; no status query
 *   CHANGE       00 24 00 81|82 old || new  (no length bytes)
 *   UNBLOCK      VERIFY of the PUK (82), then 00 2C 02 81 newPIN
 *   MSE          00 22 41 B6 06 80 01 AL 84 01 (80|id)
 *   PSO CDS      00 2A 9E 9A Lc data 00, chained in 196-byte blocks, Le on each
 *   logout       SELECT MF, then the application again: the PIN status is
 *                DF-local and ends when the DF is left
 *   serial       GET DATA 00 CA 01 0B 08
 *   tries        the PIN object BF 81 0n (tag 9B); blocked 69 83
 */
#include "config.h"

#include "akis-v2.h"

#include <string.h>


#define CLA 0x00
#define INS_SELECT 0xA4
#define INS_VERIFY 0x20
#define INS_CHANGE 0x24
#define INS_UNBLOCK 0x2C
#define INS_GET_DATA 0xCA
#define UNBLOCK_SET_NEW 0x02 /* 00 2C 02 ref newPIN: new value, counter reset */
#define MSE_SET_COMPUTE 0x41
#define MSE_DST 0xB6
#define SERIAL_MODE 0x0B
#define SERIAL_LEN 8

/* AL = 80 | hash << 3 | scheme (AkisCIF CommandsV20/V25). */
#define AL_SCHEME_PSS 1
#define AL_PKCS1 0x82
#define AL_SCHEME_ECDSA 3

static const uint8_t app_name[] = {'P', 'K', 'C', 'S', '-', '1', '5'};

static ez_err v2_read_serial(ez_card *c)
{
	uint8_t data[256];
	size_t len = sizeof(data);
	ez_err e = ez_card_cmd(c, CLA, INS_GET_DATA, 0x01, SERIAL_MODE, NULL, 0, SERIAL_LEN, data,
			       &len);

	if (e != EZ_OK)
		return e;
	if (len != SERIAL_LEN)
		return EZ_ERR_MALFORMED;
	memcpy(c->info.serial, data, SERIAL_LEN);
	c->info.serial_len = SERIAL_LEN;
	return EZ_OK;
}

static ez_err select_mf(ez_card *c)
{
	uint8_t fci[256];
	size_t n = sizeof(fci);

	c->cur_df_known = false;
	return ez_card_cmd(c, CLA, INS_SELECT, 0x00, 0x00, NULL, 0, EZ_LE_ANY, fci, &n);
}

/*
 * The application by its name. Not after a SELECT MF: leaving the DF ends
 * its PIN status, and this process is not the only one using the card (a
 * browser opening the module would log out the word processor that is
 * signing). Selecting the DF from inside it keeps the status. Only when the
 * name is not found from where the card stands is the MF selected first.
 */
ez_err v2_select_app(ez_card *c)
{
	uint8_t fci[256];
	size_t n = sizeof(fci);
	uint16_t sw;
	ez_err e;

	if (c->cur_df_known)
		return EZ_OK;
	e = ez_card_send(c, CLA, INS_SELECT, 0x04, 0x00, app_name, sizeof(app_name), EZ_LE_ANY, fci,
			 &n, &sw);
	if (e == EZ_OK && sw == 0x6A82) {
		e = select_mf(c);
		n = sizeof(fci);
		if (e == EZ_OK)
			e = ez_card_send(c, CLA, INS_SELECT, 0x04, 0x00, app_name, sizeof(app_name),
					 EZ_LE_ANY, fci, &n, &sw);
	}
	if (e != EZ_OK)
		return e;
	if (sw != 0x9000) {
		e = ez_sw_err(sw, NULL);
		return e == EZ_OK ? EZ_ERR_CARD : e;
	}
	c->cur_df_known = true;
	return EZ_OK;
}

static ez_err v2_pin_state(ez_card *c, const struct ez_pin_format *f, enum ez_pin_state *st,
			   int *tries)
{
	int left, max;
	uint16_t sw;
	ez_err e = v2_select_app(c);

	if (e == EZ_OK)
		e = v2_pin_counters(c, f->ref, false, &left, &max, &sw);
	if (e != EZ_OK)
		return e;
	if (sw != 0x9000 || left < 0)
		return EZ_OK; /* unknown */
	*tries = left;
	*st = left == 0 ? EZ_PIN_BLOCKED : EZ_PIN_TRIES;
	return EZ_OK;
}

static ez_err v2_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin, size_t len,
			int *tries_left)
{
	uint8_t buf[EZ_PIN_MAX];
	size_t n = 0;
	ez_err e = ez_pin_encode(f, pin, len, buf, &n);

	/* The PIN objects are local to the application DF: it is selected
	 * before every PIN command, as the vendor's library does, so a VERIFY
	 * never reaches another application's object with the same number. */
	if (e == EZ_OK)
		e = v2_select_app(c);
	return ez_pin_send(c, e, CLA, INS_VERIFY, 0x00, f->ref, buf, n, sizeof(buf), tries_left);
}

static ez_err v2_change(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 * EZ_PIN_MAX];
	size_t n1 = 0, n2 = 0;
	ez_err e = ez_pin_encode(f, old_pin, old_len, buf, &n1);

	if (e == EZ_OK)
		e = ez_pin_encode(f, new_pin, new_len, buf + n1, &n2);
	if (e == EZ_OK)
		e = v2_select_app(c);
	return ez_pin_send(c, e, CLA, INS_CHANGE, 0x00, f->ref, buf, n1 + n2, sizeof(buf),
			   tries_left);
}

/* The PUK was verified by the SO login (VERIFY 82): RESET RETRY COUNTER
 * carries only the new PIN. No selection first: if another program left
 * the DF meanwhile, the PUK status is gone and the card says so (69 82). */
static ez_err v2_unblock(ez_card *c, const struct ez_pin_format *puk, const uint8_t *puk_value,
			 size_t puk_len, const struct ez_pin_format *pin, const uint8_t *new_pin,
			 size_t new_len, int *tries_left)
{
	uint8_t buf[EZ_PIN_MAX];
	size_t n = 0;
	ez_err e = ez_pin_encode(pin, new_pin, new_len, buf, &n);

	(void)puk;
	(void)puk_value;
	(void)puk_len;
	return ez_pin_send(c, e, CLA, INS_UNBLOCK, UNBLOCK_SET_NEW, pin->ref, buf, n, sizeof(buf),
			   tries_left);
}

/* PIN entry on the reader's keypad: the forms above, each PIN in ASCII
 * digits without padding, so a block as long as the digits typed.
 * VERIFY: one block. CHANGE: the current PIN, then the new one right after
 * it (both blocks at offset 0 of the data: the reader puts the second
 * after the first, and the card splits at the current PIN's length).
 * RESET RETRY COUNTER: the new PIN alone, twice on the keypad (the PUK
 * was verified by the SO login). The selections are those of the typed
 * commands. */
static ez_err v2_pad(ez_card *c, enum ez_pad_op op, const struct ez_pin_format *a,
		     const struct ez_pin_format *b, int *tries_left)
{
	struct ez_pad_cmd cmd;
	ez_err e = EZ_OK;

	memset(&cmd, 0, sizeof(cmd));
	switch (op) {
	case EZ_PAD_OP_VERIFY:
		ez_pad_template(&cmd, CLA, INS_VERIFY, 0x00, a->ref, NULL, 0);
		ez_pad_block(&cmd, a);
		e = v2_select_app(c);
		break;
	case EZ_PAD_OP_CHANGE:
		ez_pad_template(&cmd, CLA, INS_CHANGE, 0x00, a->ref, NULL, 0);
		ez_pad_block(&cmd, a);
		cmd.modify = cmd.old_pin = cmd.confirm = true;
		e = v2_select_app(c);
		break;
	case EZ_PAD_OP_UNBLOCK:
		ez_pad_template(&cmd, CLA, INS_UNBLOCK, UNBLOCK_SET_NEW, b->ref, NULL, 0);
		ez_pad_block(&cmd, b);
		cmd.modify = cmd.confirm = true;
		break;
	}
	if (e == EZ_OK && cmd.block_size)
		e = EZ_ERR_UNSUPPORTED; /* 2.x takes no padding */
	return e == EZ_OK ? ez_pad_send(c, &cmd, tries_left) : e;
}

/* 2.x has no LOGOUT (AkisCIF: "unsupported version"); the vendor's
 * library re-selects the MF and the application. */
static ez_err v2_logout(ez_card *c)
{
	ez_err e = select_mf(c);

	return e == EZ_OK ? v2_select_app(c) : e;
}

/* Versions 2.0 to 2.2 (AkisCIF CommandsV20) have no EC and PSS with SHA-1
 * and SHA-256 only; 2.5 and later (CommandsV25) add ECDSA and PSS with
 * SHA-384 and SHA-512. A card of unknown version (V3, a new TC layout) is
 * taken for the newer set. No 2.x version signs raw RSA. */
static bool newer(const ez_card *c)
{
	const struct ez_card_info *i = &c->info;

	return !i->version_known || i->version[0] > 2 || (i->version[0] == 2 && i->version[1] >= 5);
}

static void v2_sign_caps(const ez_card *c, struct ez_sign_caps *caps)
{
	caps->pkcs1 = true;
	caps->raw_rsa = false;
	caps->pss_hashes = EZ_HASH_BIT(EZ_HASH_SHA1) | EZ_HASH_BIT(EZ_HASH_SHA256);
	caps->rsa_min_bits = 1024;
	caps->rsa_max_bits = 4096;
	if (newer(c)) {
		caps->pss_hashes |= EZ_HASH_BIT(EZ_HASH_SHA384) | EZ_HASH_BIT(EZ_HASH_SHA512);
		caps->ecdsa = true;
		/* No SHA-224: AkisCIF has no code for it and ESYA's tests record
		 * that the card refuses it. */
		caps->ecdsa_hashes = EZ_HASH_BIT(EZ_HASH_SHA1) | EZ_HASH_BIT(EZ_HASH_SHA256) |
				     EZ_HASH_BIT(EZ_HASH_SHA384) | EZ_HASH_BIT(EZ_HASH_SHA512);
	}
}

static unsigned hash_code(enum ez_hash h)
{
	switch (h) {
	case EZ_HASH_SHA1: return 1;
	case EZ_HASH_SHA256: return 2;
	case EZ_HASH_SHA384: return 3;
	case EZ_HASH_SHA512: return 4;
	default: return 0;
	}
}

static enum ez_hash hash_of_len(size_t n)
{
	switch (n) {
	case 20: return EZ_HASH_SHA1;
	case 32: return EZ_HASH_SHA256;
	case 48: return EZ_HASH_SHA384;
	case 64: return EZ_HASH_SHA512;
	default: return EZ_HASH_NONE;
	}
}

static ez_err v2_sign(ez_card *c, uint8_t key_ref, enum ez_sig_scheme scheme, enum ez_hash hash,
		      const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	struct ez_sign_caps caps = {0};
	uint8_t mse[8] = {0x80, 0x01, 0x00, 0x84, 0x01, key_ref};
	unsigned code, allowed;

	v2_sign_caps(c, &caps);
	switch (scheme) {
	case EZ_SIG_PKCS1:
		mse[2] = AL_PKCS1;
		break;
	case EZ_SIG_PSS:
	case EZ_SIG_ECDSA:
		if (hash == EZ_HASH_NONE && scheme == EZ_SIG_ECDSA)
			hash = hash_of_len(in_len); /* CKM_ECDSA: the caller hashed */
		code = hash_code(hash);
		allowed = scheme == EZ_SIG_PSS ? caps.pss_hashes : caps.ecdsa_hashes;
		if (!code || !(allowed & EZ_HASH_BIT(hash)))
			return EZ_ERR_UNSUPPORTED;
		if (in_len != ez_hash_len(hash))
			return EZ_ERR_DATA_LEN;
		mse[2] = (uint8_t)(0x80 | code << 3 |
				   (scheme == EZ_SIG_PSS ? AL_SCHEME_PSS : AL_SCHEME_ECDSA));
		break;
	case EZ_SIG_RAW:
		return EZ_ERR_UNSUPPORTED;
	}
	/* The 2.x form: MSE SET for computation (41 B6) with the algorithm
	 * byte and the key reference in its data. */
	return ez_card_mse_sign(c, v2_select_app, MSE_SET_COMPUTE, MSE_DST, mse, 6, in, in_len, out,
				out_len);
}

const struct ez_dialect ez_dialect_v2 = {
	.name = "2.x",
	.chain_block = 196,
	.le_on_every_block = true,
	.read_chunk = 208,
	.unblock_needs_puk = false,
	.sw_blocked = 0x6983,
	.read_serial = v2_read_serial,
	.load = v2_load,
	.pin_state = v2_pin_state,
	.verify = v2_verify,
	.change = v2_change,
	.unblock = v2_unblock,
	.logout = v2_logout,
	.sign_caps = v2_sign_caps,
	.sign = v2_sign,
	.unchanged = v2_unchanged,
	.pad = v2_pad,
};
