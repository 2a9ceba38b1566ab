/*
 * perso-card.h: personalize a blank engine card the way a real
 * personalization would: PIN objects and keys through the engine's
 * personalization calls (what no APDU of the command set does), every
 * file through CREATE and UPDATE BINARY APDUs, then SET LIFE CYCLE to user.
 */
#ifndef EIMZA_PERSO_CARD_H
#define EIMZA_PERSO_CARD_H

#include <stddef.h>
#include <stdint.h>

#include <eimza/akis-profile.h>
#include <eimza/vcard.h>

#include "perso-pki.h"

struct perso_card_input {
	const struct akis_atr *atr; /* NULL: the default */
	uint8_t serial[AKIS_DATA_SERIAL_LEN];
	const char *label;     /* TokenInfo label: the holder's name */
	const char *pin, *puk; /* digits, lengths checked by the caller */
	size_t pin_len, puk_len;
	const struct perso_pki *pki;
};

/* A card in the user life cycle on success (*out, 0); -1 with a message
 * in `err` naming the step and the status word that failed. */
int perso_card_build(const struct perso_card_input *in, vcard **out, char *err, size_t errlen);

/* Send one APDU; the response data, if any, goes to rsp (cap
 * VCARD_MAX_RESPONSE) and its length to *rsplen (both may be NULL).
 * Returns the status word (0 when the response was too short to hold
 * one). */
unsigned perso_apdu(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsplen);

#endif
