/*
 * apdu.h: short APDUs over a connection: encoding, command chaining for
 * data longer than AKIS_MAX_DATA, 61 XX (GET RESPONSE) and 6C XX (resend
 * with the right Le), and the one table from status words to ez_err.
 */
#ifndef EIMZA_MODULE_APDU_H
#define EIMZA_MODULE_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ez-error.h"
#include "../transport/pcsc.h"

struct ez_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	bool has_le; /* Le 00 is sent; the card answers up to 256 bytes */
};

/* Send `a` and collect the whole answer (following 61 XX) into out (at
 * most *out_len bytes; in: capacity, out: length). *sw gets the final
 * status word. The return value is a transport error only; status words
 * are for the caller (or ez_sw_err). */
ez_err ez_apdu_send(ez_conn *c, const struct ez_apdu *a, uint8_t *out, size_t *out_len,
		    uint16_t *sw, unsigned long *count);

/* The meaning of a status word. For 63 CX, *tries = X (else -1). */
ez_err ez_sw_err(uint16_t sw, int *tries);

#endif
