/*
 * perso-card.h: personalize a blank engine card of either generation the
 * way a real personalization would.
 *
 *   AKIS 1.2 (perso-card12.c): PIN objects and keys through the engine's
 *   personalization calls (what no APDU of the command set does), every
 *   PKCS#15 file through CREATE and UPDATE BINARY APDUs, then SET LIFE
 *   CYCLE to user.
 *   AKIS 2.x (perso-card2.c): the PIN and PUK objects, the key objects and
 *   the certificate EFs 2F10, 2F11, ... through engine calls alone (no
 *   public source shows 2.x personalization APDUs), then the end of
 *   personalization.
 */
#ifndef EIMZA_PERSO_CARD_H
#define EIMZA_PERSO_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eimza/vcard.h>

#include "perso-gen.h"
#include "perso-pki.h"

struct perso_card_input {
	const struct perso_gen *gen;
	const uint8_t *atr; /* NULL: the generation's default */
	size_t atr_len;
	uint8_t serial[VCARD_SERIAL_LEN];
	uint8_t serial2[VCARD_SERIAL_LEN]; /* 2.x: GET DATA 0F */
	bool protect_public_keys;          /* 2.x */
	const char *label;                 /* 1.2 TokenInfo label: the holder's name */
	const char *pin, *puk;             /* digits, lengths checked by the caller */
	size_t pin_len, puk_len;
	const struct perso_pki *pki;
};

/* A card out of personalization on success (*out, 0); -1 with a message
 * in `err` naming the step (and the status word) that failed. */
int perso_card_build(const struct perso_card_input *in, vcard **out, char *err, size_t errlen);

/* Send one APDU; the response data, if any, goes to rsp (cap
 * VCARD_MAX_RESPONSE) and its length to *rsplen (both may be NULL).
 * Returns the status word (0 when the response was too short to hold
 * one). */
unsigned perso_apdu(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsplen);

/* The two halves (perso-card12.c, perso-card2.c), on a blank powered card
 * of their generation that already holds the PIN and PUK objects. */
int perso_card_fill12(vcard *c, const struct perso_card_input *in, char *err, size_t errlen);
int perso_card_fill2(vcard *c, const struct perso_card_input *in, char *err, size_t errlen);

#endif
