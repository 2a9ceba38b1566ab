/*
 * akis-card.h: the AKIS card driver. Speaks the command forms of
 * ../shared/docs/akis-card.md section A (through module/apdu/), takes
 * every assumption from <eimza/akis-profile.h>, and offers the token layer
 * card operations in card terms. Nothing here knows PKCS#11.
 *
 * Every function that sends more than one APDU runs them inside one PC/SC
 * transaction (ez_conn_begin/end). No function sends a VERIFY unless its
 * name says so: a wrong try burns a counter on a real card.
 */
#ifndef EIMZA_MODULE_AKIS_CARD_H
#define EIMZA_MODULE_AKIS_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eimza/akis-profile.h>

#include "../ez-error.h"
#include "../transport/pcsc.h"

typedef struct ez_card ez_card;

/* Open the card in a connection: match the ATR with the family mask,
 * read the serial (GET DATA 06). EZ_ERR_NOT_AKIS for other cards. The
 * card does not own the connection. */
ez_err ez_card_open(ez_conn *conn, ez_card **out);
void ez_card_free(ez_card *c);
/* Is the card in the connection still the one ez_card_open() read? After
 * ez_conn_recover(): the ATR family and the serial (GET DATA 06) are read
 * again. EZ_OK the same card, EZ_ERR_CARD_CHANGED another one (or one that
 * is no AKIS card), else the exchange's error. */
ez_err ez_card_same(ez_card *c);

/* "AKIS v1.2.2 (Infineon)" or "AKIS (unknown version 0x9A)". */
const char *ez_card_model(const ez_card *c);
/* The 12-byte serial from GET DATA 06. */
const uint8_t *ez_card_serial(const ez_card *c);

/* Read a whole transparent EF by path (FID pairs from the MF, 3F00
 * first, or relative to the current application DF when it does not start
 * with 3F00), with index/length as a PKCS#15 Path allows (len 0 = to the
 * end). Reads in AKIS_MAX_DATA pieces; stops at end of file (62 82 / 6B 00).
 * *out is malloc'ed. At most `max` bytes. */
ez_err ez_card_read_file(ez_card *c, const uint8_t *path, size_t path_len, size_t index,
			 size_t len, size_t max, uint8_t **out, size_t *out_len);
/* SELECT by AID (for EF(DIR) applications without a path). */
ez_err ez_card_select_aid(ez_card *c, const uint8_t *aid, size_t aid_len);

/* PIN state without a try: VERIFY with no data. */
enum ez_pin_state {
	EZ_PIN_VERIFIED,   /* 90 00 */
	EZ_PIN_TRIES,      /* 63 CX: *tries = X */
	EZ_PIN_BLOCKED,    /* 69 83 or 63 C0 */
	EZ_PIN_UNKNOWN,    /* the card does not tell (6A 86, 6D 00, ...) */
};
ez_err ez_card_pin_state(ez_card *c, uint8_t ref, enum ez_pin_state *state, int *tries);

/* How a PIN is encoded for the card: from the AODF (PKCS#15 layer). */
struct ez_pin_format {
	uint8_t ref;
	unsigned min_len, max_len, stored_len;
	bool numeric;
	bool needs_padding;
	uint8_t pad_char;
};

/* VERIFY. On EZ_ERR_PIN_INCORRECT *tries_left is set (-1 when unknown).
 * The PIN buffer built for the APDU is wiped before return. */
ez_err ez_card_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin,
		      size_t len, int *tries_left);
/* CHANGE REFERENCE DATA in the AKIS form. */
ez_err ez_card_change_pin(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			  size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left);
/* RESET RETRY COUNTER with the PUK (profile form): unblocks and sets a new
 * PIN for `pin`, checked with `puk`. */
ez_err ez_card_unblock_pin(ez_card *c, const struct ez_pin_format *puk,
			   const uint8_t *puk_value, size_t puk_len, const struct ez_pin_format *pin,
			   const uint8_t *new_pin, size_t new_len, int *tries_left);
/* LOGOUT 80 1A. */
ez_err ez_card_logout(ez_card *c);

/* MSE C3 keyref + PSO CDS. `in` is a DigestInfo (RSA, card pads PKCS#1
 * v1.5), a modulus-length block for raw RSA (chained), or a hash (EC,
 * answer r||s). *out_len in: capacity, out: length. */
ez_err ez_card_sign(ez_card *c, uint8_t key_ref, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t *out_len);

/* GET CHALLENGE, in pieces as needed. */
ez_err ez_card_random(ez_card *c, uint8_t *out, size_t len);

/* Counters for benchmarks and the "files read once" tests. */
struct ez_card_stats {
	unsigned long apdus;       /* every exchange, GET RESPONSE included */
	unsigned long bytes_read;  /* READ BINARY data */
	unsigned long files_read;  /* ez_card_read_file calls */
};
void ez_card_stats(const ez_card *c, struct ez_card_stats *out);

#endif
