/*
 * card.h: the card seam. Everything the layers above (PKCS#15 reader,
 * token, PKCS#11 front) may know about the card in a reader: a struct of
 * the card's facts and a small set of operations in card terms. Which
 * card family and which command dialect stand behind them is decided here,
 * from the ATR, and is nobody else's business: only module/card/ knows
 * AKIS (docs/akis-profile.md lists the dialects and the evidence behind
 * every form they send).
 *
 * Rules every operation keeps:
 *   - an operation that sends more than one APDU runs inside one PC/SC
 *     transaction (ez_conn_begin/end), so no other program slips in;
 *   - nothing sends a VERIFY, CHANGE REFERENCE DATA or unblock unless the
 *     function's name says so, and no such command is ever sent twice in
 *     two forms: a wrong try burns a counter on a real card, three wrong
 *     PUKs destroy it. Commands that cost no try (SELECT, GET DATA, MSE)
 *     may be repeated once after an answer that proves nothing happened;
 *   - buffers that held a PIN or PUK are wiped before return.
 *
 * Nothing here knows PKCS#11.
 */
#ifndef EIMZA_MODULE_CARD_H
#define EIMZA_MODULE_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ez-error.h"
#include "../transport/pcsc.h"

typedef struct ez_card ez_card;
struct ez_p15_app;

/* The longest PIN or PUK any supported card takes. */
#define EZ_PIN_MAX 16
/* The longest card serial number the card layer reports. */
#define EZ_SERIAL_MAX 16

/* What the card is, as far as its ATR and its first answers tell. */
struct ez_card_info {
	char family[32];   /* "AKIS 2.x (TC)", "AKIS 1.x (UEKAE)", ... */
	char model[48];    /* "AKIS 2.5.2 (NXP)"; the version bytes when unknown */
	char dialect[8];   /* the command dialect spoken: "2.x", "1.2" */
	unsigned version[3]; /* major, minor, patch; all 0 when unknown */
	bool version_known;
	uint8_t serial[EZ_SERIAL_MAX]; /* from the card; serial_len 0 when it did not say */
	size_t serial_len;
};

/* Open the card in a connection: recognize the ATR, pick the dialect, read
 * the serial number (best effort: a card that refuses it still opens).
 * EZ_ERR_NOT_AKIS for a card of no known family, EZ_ERR_UNSUPPORTED for a
 * known generation no dialect speaks (AKIS v1.0). `info` (may be NULL) is
 * filled in both cases. The card does not own the connection. */
ez_err ez_card_open(ez_conn *conn, ez_card **out, struct ez_card_info *info);
void ez_card_free(ez_card *c);
const struct ez_card_info *ez_card_info(const ez_card *c);

/* Recognize an ATR without a card: for reports about cards no token was
 * made of. Fills `info` (family, model, dialect) and answers EZ_OK,
 * EZ_ERR_NOT_AKIS or EZ_ERR_UNSUPPORTED like ez_card_open. */
ez_err ez_card_identify(const uint8_t *atr, size_t len, struct ez_card_info *info);

/* Is the card in the connection still the one ez_card_open() read? After
 * ez_conn_recover(): the ATR and the serial number are read again. EZ_OK
 * the same card; EZ_ERR_CARD_CHANGED another one (or one whose serial
 * cannot be read, so cannot be told apart); else the exchange's error. */
ez_err ez_card_same(ez_card *c);

/* Read the card's objects (certificates, keys, PINs) the way its dialect
 * finds them: the PKCS#15 structure on 1.x, certificate EFs and security
 * data objects on 2.x. The result is described in PKCS#15 terms
 * (../pkcs15/pkcs15.h); each PIN in it carries its complete format and its
 * counter as the card told it without spending a try. Certificates are
 * read up to their DER length, and no public-key file is read for a key
 * whose certificate holds it. */
ez_err ez_card_load(ez_card *c, struct ez_p15_app *app);

/* ---- a description kept from an earlier insertion ------------------------ */

/* Can ez_card_revalidate check this description? It needs a certificate
 * at least, every certificate's DER (its head is what is compared), and no
 * public key read from a file of its own (no certificate behind it). */
bool ez_card_checkable(const struct ez_p15_app *app);
/* Does the card still hold what `app` describes? `app` is what
 * ez_card_load gave for a card with this ATR and serial at an earlier
 * insertion (the token's persistent cache keeps it). A cheap check: the
 * application is selected as the load found it, and of every certificate
 * EF the description names the first bytes up to the end of the
 * certificate's serial number are read (one SELECT and one READ BINARY
 * each) and compared with the description's certificate. Then, in the
 * same transaction, every PIN's counter (tries_left) through the command
 * that costs no try. EZ_OK: the same certificates; EZ_ERR_CARD_CHANGED:
 * something differs (or the description is not one this card's dialect
 * can check): read the card with ez_card_load; other errors: the card or
 * the reader is gone. What the check does not see is in docs/module.md
 * ("Cache"). */
ez_err ez_card_revalidate(ez_card *c, struct ez_p15_app *app);

/* ---- PINs ------------------------------------------------------------- */

/* How a PIN is encoded for the card and what limits hold for it. Filled by
 * ez_card_load (from the AODF or the card's PIN object, with the dialect's
 * defaults where the card says nothing). */
struct ez_pin_format {
	uint8_t ref;
	unsigned min_len, max_len, stored_len;
	bool numeric;
	bool needs_padding;
	uint8_t pad_char;
	unsigned max_tries; /* the retry limit (for "count low" flags) */
};

enum ez_pin_state {
	EZ_PIN_VERIFIED, /* the card says so */
	EZ_PIN_TRIES,    /* *tries left */
	EZ_PIN_BLOCKED,
	EZ_PIN_UNKNOWN,  /* the card does not tell */
};
/* The PIN's state through a command that costs no try. */
ez_err ez_card_pin_state(ez_card *c, const struct ez_pin_format *f, enum ez_pin_state *state,
			 int *tries);
/* VERIFY. On EZ_ERR_PIN_INCORRECT *tries_left is set (-1 when unknown). */
ez_err ez_card_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin, size_t len,
		      int *tries_left);
/* CHANGE REFERENCE DATA of the object `f` (PIN or PUK). */
ez_err ez_card_change_pin(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			  size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left);
/* Does the unblock command carry the PUK itself (1.x), or does it rely on
 * a VERIFY of the PUK made before (2.x)? The caller keeps the PUK of an SO
 * login only when it must. */
bool ez_card_unblock_needs_puk(const ez_card *c);
/* Set a new PIN for `pin` and reset its counter, authorized by the PUK:
 * `puk_value` when ez_card_unblock_needs_puk(), else the PUK verified
 * before (puk_value may then be NULL). */
ez_err ez_card_unblock_pin(ez_card *c, const struct ez_pin_format *puk, const uint8_t *puk_value,
			   size_t puk_len, const struct ez_pin_format *pin, const uint8_t *new_pin,
			   size_t new_len, int *tries_left);
/* End the card's security state (the dialect's logout). */
ez_err ez_card_logout(ez_card *c);

/* ---- PIN entry on the reader's keypad ------------------------------------- */

/* The same commands as ez_card_verify, ez_card_change_pin and
 * ez_card_unblock_pin, with the PIN(s) typed on a PIN-pad reader's keypad
 * (ez_conn_pinpad): the dialect says which APDU it is and where and how
 * each PIN goes into it (the PIN format of the card's PIN object), the
 * reader asks, builds the APDU and sends it (ez_conn_pinpad_run). The
 * results are those of the typed commands, and besides:
 *   EZ_ERR_PAD_CANCELLED, EZ_ERR_PAD_TIMEOUT  the keypad's Cancel key or
 *                      its time ran out: nothing reached the card;
 *   EZ_ERR_PAD_MISMATCH  the two new PINs typed differ: nothing reached it;
 *   EZ_ERR_PIN_LEN     the reader refused a PIN of a length outside the
 *                      card's limits (nothing reached the card), or the card did;
 *   EZ_ERR_UNSUPPORTED the reader cannot (no such feature, a structure it
 *                      refuses, PIN lengths its keypad cannot take). */
ez_err ez_card_pad_verify(ez_card *c, const struct ez_pin_format *f, int *tries_left);
/* CHANGE REFERENCE DATA: the current value, then the new one twice. */
ez_err ez_card_pad_change(ez_card *c, const struct ez_pin_format *f, int *tries_left);
/* Unblock `pin` with the PUK: where the unblock command carries the PUK
 * (ez_card_unblock_needs_puk: 1.x) the PUK is typed, then the new PIN
 * twice; else (2.x) the new PIN twice, the PUK verified before. */
ez_err ez_card_pad_unblock(ez_card *c, const struct ez_pin_format *puk,
			   const struct ez_pin_format *pin, int *tries_left);

/* ---- signatures ---------------------------------------------------------- */

enum ez_hash { EZ_HASH_NONE, EZ_HASH_SHA1, EZ_HASH_SHA224, EZ_HASH_SHA256, EZ_HASH_SHA384,
	       EZ_HASH_SHA512 };
#define EZ_HASH_BIT(h) (1u << (h))
/* Bytes of a hash (0 for EZ_HASH_NONE). */
size_t ez_hash_len(enum ez_hash h);

enum ez_sig_scheme {
	EZ_SIG_PKCS1, /* input: a DigestInfo (or any block up to k-11); the card pads */
	EZ_SIG_PSS,   /* input: the bare hash; the card encodes PSS, salt = hash length,
	                 MGF1 with the same hash */
	EZ_SIG_RAW,   /* input: a modulus-length block; raw RSA (host-side PSS) */
	EZ_SIG_ECDSA, /* input: the bare hash; answer r || s */
};

/* What the card can do with its keys (depends on generation and version). */
struct ez_sign_caps {
	bool pkcs1;
	bool raw_rsa;
	unsigned pss_hashes;   /* EZ_HASH_BIT()s the card's own PSS takes */
	bool ecdsa;
	unsigned ecdsa_hashes; /* EZ_HASH_BIT()s of the hash lengths it takes;
	                          EZ_HASH_BIT(EZ_HASH_NONE): any length up to 64 */
	unsigned rsa_min_bits, rsa_max_bits;
};
void ez_card_sign_caps(const ez_card *c, struct ez_sign_caps *caps);

/* Select the key `key_ref` (as ez_card_load gave it) for `scheme`/`hash`
 * and compute the signature. *out_len in: capacity, out: length. */
ez_err ez_card_sign(ez_card *c, uint8_t key_ref, enum ez_sig_scheme scheme, enum ez_hash hash,
		    const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);

/* GET CHALLENGE, in pieces as needed. */
ez_err ez_card_random(ez_card *c, uint8_t *out, size_t len);

/* ---- observation --------------------------------------------------------- */

/* Counters for benchmarks and the "files read once" tests. */
struct ez_card_stats {
	unsigned long apdus;      /* every exchange, GET RESPONSE included */
	unsigned long bytes_read; /* READ BINARY data */
	unsigned long files_read; /* whole files or objects read */
};
void ez_card_stats(const ez_card *c, struct ez_card_stats *out);

#endif
