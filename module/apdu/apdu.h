/*
 * apdu.h: short APDUs over a connection (ISO/IEC 7816-4): encoding,
 * command chaining for data longer than the card takes in one command,
 * 61 XX (GET RESPONSE) and 6C XX (resend with the right Le), and the one
 * table from status words to ez_err. Knows no card: how much one command
 * carries comes from the caller (the card layer's dialect).
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
	bool has_le;       /* Le is sent: le_byte (00 = up to 256 bytes) */
	uint8_t le_byte;
	size_t chain;      /* data bytes per command; longer data is chained (CLA bit 10) */
	bool le_each;      /* Le 00 on every chained block too, not only the last */
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
