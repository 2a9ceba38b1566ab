/*
 * apdu.c: see apdu.h.
 */
#include "config.h"

#include "apdu.h"

#include <string.h>

#include <eimza/secmem.h>

#define MAX_RESPONSE_CHAIN 16 /* GET RESPONSE rounds before giving up */
#define ISO_CLA_CHAIN 0x10       /* ISO 7816-4 5.1.1: more commands of this chain follow */
#define ISO_INS_GET_RESPONSE 0xC0

static ez_err raw(ez_conn *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rlen,
		  unsigned long *count)
{
	*rlen = 258;
	if (count)
		(*count)++;
	return ez_conn_transmit(c, cmd, len, rsp, rlen);
}

/* One short APDU (no chaining) with the 61 XX / 6C XX handling. */
static ez_err one(ez_conn *c, uint8_t cla, const struct ez_apdu *a, const uint8_t *data,
		  size_t lc, bool le, uint8_t le_byte, uint8_t *out, size_t *out_len, uint16_t *sw,
		  unsigned long *count)
{
	uint8_t cmd[5 + 255 + 1], rsp[258];
	size_t n = 0, rlen, cap = *out_len, got = 0, rounds = 0;
	ez_err e;

	cmd[n++] = cla;
	cmd[n++] = a->ins;
	cmd[n++] = a->p1;
	cmd[n++] = a->p2;
	if (lc) {
		cmd[n++] = (uint8_t)lc;
		memcpy(cmd + n, data, lc);
		n += lc;
	}
	if (le)
		cmd[n++] = le_byte;
	e = raw(c, cmd, n, rsp, &rlen, count);
	/* 6C XX: the card wants exactly XX as Le. */
	if (e == EZ_OK && rlen == 2 && rsp[0] == 0x6C) {
		if (le)
			cmd[n - 1] = rsp[1];
		else
			cmd[n++] = rsp[1];
		e = raw(c, cmd, n, rsp, &rlen, count);
	}
	ez_wipe(cmd, sizeof(cmd)); /* may hold a PIN */
	while (e == EZ_OK) {
		size_t d = rlen - 2;
		if (got + d > cap)
			d = cap - got;
		memcpy(out + got, rsp, d);
		got += d;
		*sw = (uint16_t)(rsp[rlen - 2] << 8 | rsp[rlen - 1]);
		if (rsp[rlen - 2] != 0x61 || ++rounds > MAX_RESPONSE_CHAIN)
			break;
		{
			uint8_t gr[5] = {0x00, ISO_INS_GET_RESPONSE, 0x00, 0x00, rsp[rlen - 1]};
			e = raw(c, gr, sizeof(gr), rsp, &rlen, count);
		}
	}
	ez_wipe(rsp, sizeof(rsp));
	*out_len = got;
	/* 6F 00, "no precise diagnosis": the card has lost its state. A card
	 * pushed back between two of pcscd's polls answers so (it was never
	 * powered up; a real reader fails the transmit instead), as does one
	 * after an internal fault. Either way nothing it holds (a login, a
	 * selected key) can be trusted: the connection is handled as after a
	 * broken exchange, and the slot resets the card and checks its serial
	 * before the next command. */
	if (e == EZ_OK && *sw == 0x6F00) {
		ez_conn_mark_lost(c);
		e = EZ_ERR_CARD_UNREADY;
	}
	return e;
}

ez_err ez_apdu_send(ez_conn *c, const struct ez_apdu *a, uint8_t *out, size_t *out_len,
		    uint16_t *sw, unsigned long *count)
{
	size_t off = 0, cap = *out_len;
	ez_err e;

	*sw = 0;
	if (a->chain == 0 || a->chain > 255)
		return EZ_ERR_ARGS;
	/* Chaining: every part but the last has CLA bit 10 (and Le only when
	 * the dialect sends it on every block). */
	while (a->lc - off > a->chain) {
		size_t none = 0;
		uint8_t dummy[1];
		e = one(c, (uint8_t)(a->cla | ISO_CLA_CHAIN), a, a->data + off, a->chain,
			a->le_each, 0x00, dummy, &none, sw, count);
		if (e != EZ_OK)
			return e;
		if (*sw != 0x9000) {
			*out_len = 0;
			return EZ_OK;
		}
		off += a->chain;
	}
	*out_len = cap;
	/* A command without data has no data pointer: NULL + 0 is undefined
	 * in C (clang's UBSan reports it). */
	return one(c, a->cla, a, a->data ? a->data + off : NULL, a->lc - off, a->has_le,
		   a->le_byte, out, out_len, sw, count);
}

ez_err ez_sw_err(uint16_t sw, int *tries)
{
	if (tries)
		*tries = -1;
	if (sw == 0x9000 || sw == 0x6282)
		return EZ_OK;
	if ((sw & 0xFFF0) == 0x63C0) {
		if (tries)
			*tries = sw & 0x0F;
		return (sw & 0x0F) ? EZ_ERR_PIN_INCORRECT : EZ_ERR_PIN_LOCKED;
	}
	switch (sw) {
	case 0x6983:
		return EZ_ERR_PIN_LOCKED;
	case 0x6982:
		return EZ_ERR_SECURITY;
	case 0x6A82:
	case 0x6A88:
		return EZ_ERR_NOT_FOUND;
	case 0x6700:
		return EZ_ERR_DATA_LEN;
	default:
		return EZ_ERR_CARD;
	}
}
