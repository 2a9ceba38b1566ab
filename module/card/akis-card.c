/*
 * akis-card.c: the AKIS card driver (see akis-card.h). Command forms from
 * akis-card.md section A; every assumption from <eimza/akis-profile.h>.
 */
#include "config.h"

#include "akis-card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eimza/secmem.h>

#include "../apdu/apdu.h"

struct ez_card {
	ez_conn *conn;
	const char *model;
	char model_buf[48];
	uint8_t serial[AKIS_DATA_SERIAL_LEN];
	struct ez_card_stats stats;
};

static ez_err send(ez_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		   const uint8_t *data, size_t lc, bool le, uint8_t *out, size_t *out_len,
		   uint16_t *sw)
{
	struct ez_apdu a = {cla, ins, p1, p2, data, lc, le};
	uint8_t dummy[1];
	size_t none = 0;

	if (!out) {
		out = dummy;
		out_len = &none;
	}
	return ez_apdu_send(c->conn, &a, out, out_len, sw, &c->stats.apdus);
}

/* GET DATA 06: the serial number. */
static ez_err read_serial(ez_card *c, uint8_t serial[AKIS_DATA_SERIAL_LEN])
{
	uint8_t data[256];
	size_t len = sizeof(data);
	uint16_t sw;
	ez_err e;

	e = send(c, AKIS_CLA_ISO, AKIS_INS_GET_DATA, AKIS_GET_DATA_P1, AKIS_DATA_SYSTEM, NULL, 0,
		 true, data, &len, &sw);
	if (e == EZ_OK && (sw != 0x9000 || len < AKIS_DATA_SERIAL_OFFSET + AKIS_DATA_SERIAL_LEN))
		e = EZ_ERR_CARD;
	if (e == EZ_OK)
		memcpy(serial, data + AKIS_DATA_SERIAL_OFFSET, AKIS_DATA_SERIAL_LEN);
	return e;
}

ez_err ez_card_same(ez_card *c)
{
	uint8_t atr[EZ_ATR_MAX], serial[AKIS_DATA_SERIAL_LEN];
	size_t atr_len = ez_conn_atr(c->conn, atr, sizeof(atr));
	char model[sizeof(c->model_buf)];
	const char *name;
	ez_err e;

	if (!akis_atr_match(atr, atr_len, &name, model, sizeof(model)))
		return EZ_ERR_CARD_CHANGED;
	e = read_serial(c, serial);
	if (e == EZ_ERR_CARD || e == EZ_ERR_CARD_UNREADY)
		return EZ_ERR_CARD_CHANGED; /* every AKIS card answers it */
	if (e != EZ_OK)
		return e;
	return memcmp(serial, c->serial, sizeof(serial)) == 0 ? EZ_OK : EZ_ERR_CARD_CHANGED;
}

ez_err ez_card_open(ez_conn *conn, ez_card **out)
{
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len = ez_conn_atr(conn, atr, sizeof(atr));
	ez_card *c;
	ez_err e;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return EZ_ERR_NO_MEMORY;
	c->conn = conn;
	if (!akis_atr_match(atr, atr_len, &c->model, c->model_buf, sizeof(c->model_buf))) {
		free(c);
		return EZ_ERR_NOT_AKIS;
	}
	e = read_serial(c, c->serial);
	if (e != EZ_OK) {
		free(c);
		return e;
	}
	*out = c;
	return EZ_OK;
}

void ez_card_free(ez_card *c)
{
	free(c);
}

const char *ez_card_model(const ez_card *c)
{
	return c->model;
}

const uint8_t *ez_card_serial(const ez_card *c)
{
	return c->serial;
}

void ez_card_stats(const ez_card *c, struct ez_card_stats *out)
{
	*out = c->stats;
}

/* SELECT a path: P1 08 from the MF for paths starting with 3F00, else
 * each file id in turn from the current DF (P1 00). No FCI wanted. */
static ez_err select_path(ez_card *c, const uint8_t *path, size_t len)
{
	uint16_t sw;
	ez_err e;

	if (len < 2 || len % 2 || len > 16)
		return EZ_ERR_MALFORMED;
	if (path[0] == 0x3F && path[1] == 0x00) {
		if (len == 2)
			e = send(c, AKIS_CLA_ISO, AKIS_INS_SELECT, AKIS_SELECT_BY_FID, 0x0C, path, 2,
				 false, NULL, NULL, &sw);
		else
			e = send(c, AKIS_CLA_ISO, AKIS_INS_SELECT, AKIS_SELECT_PATH_FROM_MF, 0x0C,
				 path + 2, len - 2, false, NULL, NULL, &sw);
		return e != EZ_OK ? e : ez_sw_err(sw, NULL);
	}
	for (size_t i = 0; i < len; i += 2) {
		e = send(c, AKIS_CLA_ISO, AKIS_INS_SELECT, AKIS_SELECT_BY_FID, 0x0C, path + i, 2,
			 false, NULL, NULL, &sw);
		if (e != EZ_OK)
			return e;
		if ((e = ez_sw_err(sw, NULL)) != EZ_OK)
			return e;
	}
	return EZ_OK;
}

ez_err ez_card_select_aid(ez_card *c, const uint8_t *aid, size_t aid_len)
{
	uint16_t sw;
	ez_err e = send(c, AKIS_CLA_ISO, AKIS_INS_SELECT, AKIS_SELECT_BY_AID, 0x0C, aid, aid_len,
			false, NULL, NULL, &sw);

	return e != EZ_OK ? e : ez_sw_err(sw, NULL);
}

ez_err ez_card_read_file(ez_card *c, const uint8_t *path, size_t path_len, size_t index,
			 size_t len, size_t max, uint8_t **out, size_t *out_len)
{
	uint8_t *buf = NULL;
	size_t got = 0, want = len ? len : max, cap;
	ez_err e;

	*out = NULL;
	*out_len = 0;
	if (want > max || index > 0x7FFF)
		return EZ_ERR_MALFORMED;
	e = ez_conn_begin(c->conn);
	if (e != EZ_OK)
		return e;
	e = select_path(c, path, path_len);
	cap = want;
	if (e == EZ_OK && !(buf = malloc(cap ? cap : 1)))
		e = EZ_ERR_NO_MEMORY;
	while (e == EZ_OK && got < want) {
		size_t off = index + got, n = 256;
		uint8_t chunk[256];
		uint16_t sw;
		size_t ask = want - got < AKIS_MAX_DATA ? want - got : AKIS_MAX_DATA;
		if (off > 0x7FFF)
			break;
		{
			struct ez_apdu a = {AKIS_CLA_ISO, AKIS_INS_READ_BINARY, (uint8_t)(off >> 8),
					    (uint8_t)off, NULL, 0, false};
			uint8_t cmd[5] = {a.cla, a.ins, a.p1, a.p2, (uint8_t)ask};
			uint8_t rsp[258];
			size_t rlen = sizeof(rsp);
			c->stats.apdus++;
			e = ez_conn_transmit(c->conn, cmd, sizeof(cmd), rsp, &rlen);
			if (e != EZ_OK)
				break;
			n = rlen - 2;
			sw = (uint16_t)(rsp[rlen - 2] << 8 | rsp[rlen - 1]);
			if (sw == 0x6B00 || (sw == 0x6282 && n == 0))
				break; /* end of file */
			if (sw != 0x9000 && sw != 0x6282) {
				e = ez_sw_err(sw, NULL);
				if (e == EZ_OK)
					e = EZ_ERR_CARD;
				break;
			}
			if (n > ask)
				n = ask;
			memcpy(chunk, rsp, n);
		}
		memcpy(buf + got, chunk, n);
		got += n;
		c->stats.bytes_read += n;
		if (n < ask)
			break; /* 62 82 or a short answer: the end */
	}
	ez_conn_end(c->conn);
	if (e != EZ_OK) {
		free(buf);
		return e;
	}
	c->stats.files_read++;
	*out = buf;
	*out_len = got;
	return EZ_OK;
}

ez_err ez_card_pin_state(ez_card *c, uint8_t ref, enum ez_pin_state *state, int *tries)
{
	uint16_t sw;
	ez_err e = send(c, AKIS_CLA_ISO, AKIS_INS_VERIFY, 0x00, ref, NULL, 0, false, NULL, NULL,
			&sw);

	*tries = -1;
	if (e != EZ_OK)
		return e;
	if (sw == 0x9000)
		*state = EZ_PIN_VERIFIED;
	else if (sw == 0x6983 || sw == 0x63C0)
		*state = EZ_PIN_BLOCKED, *tries = 0;
	else if ((sw & 0xFFF0) == 0x63C0)
		*state = EZ_PIN_TRIES, *tries = sw & 0x0F;
	else
		*state = EZ_PIN_UNKNOWN;
	return EZ_OK;
}

/* Check and encode a PIN as the AODF says: digits only when numeric,
 * length within min..max, padded to stored_len when needed. */
static ez_err encode_pin(const struct ez_pin_format *f, const uint8_t *pin, size_t len,
			 uint8_t *out, size_t *out_len)
{
	size_t i, n = len;

	if (!pin || len < (f->min_len ? f->min_len : 1) || len > AKIS_MAX_PIN_LEN ||
	    (f->max_len && len > f->max_len))
		return EZ_ERR_PIN_LEN;
	if (f->numeric)
		for (i = 0; i < len; i++)
			if (pin[i] < '0' || pin[i] > '9')
				return EZ_ERR_PIN_INVALID;
	memcpy(out, pin, len);
	if (f->needs_padding && f->stored_len > len && f->stored_len <= AKIS_MAX_PIN_LEN) {
		memset(out + len, f->pad_char, f->stored_len - len);
		n = f->stored_len;
	}
	*out_len = n;
	return EZ_OK;
}

static ez_err pin_result(ez_err e, uint16_t sw, int *tries_left)
{
	int t;

	if (e != EZ_OK)
		return e;
	if (sw == 0x6A80)
		return EZ_ERR_PIN_LEN; /* the card's policy refused it; no try counted */
	e = ez_sw_err(sw, &t);
	if (tries_left)
		*tries_left = t;
	return e;
}

ez_err ez_card_verify(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin,
		      size_t len, int *tries_left)
{
	uint8_t buf[AKIS_MAX_PIN_LEN];
	size_t n;
	uint16_t sw;
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	e = encode_pin(f, pin, len, buf, &n);
	if (e != EZ_OK)
		return e;
	e = send(c, AKIS_CLA_ISO, AKIS_INS_VERIFY, 0x00, f->ref, buf, n, false, NULL, NULL, &sw);
	ez_wipe(buf, sizeof(buf));
	return pin_result(e, sw, tries_left);
}

/* data = len(a) a len(b) b */
static ez_err two_values(const struct ez_pin_format *fa, const uint8_t *a, size_t al,
			 const struct ez_pin_format *fb, const uint8_t *b, size_t bl, uint8_t *out,
			 size_t *out_len)
{
	size_t n1, n2;
	ez_err e = encode_pin(fa, a, al, out + 1, &n1);

	if (e != EZ_OK)
		return e;
	out[0] = (uint8_t)n1;
	e = encode_pin(fb, b, bl, out + 2 + n1, &n2);
	if (e != EZ_OK)
		return e;
	out[1 + n1] = (uint8_t)n2;
	*out_len = 2 + n1 + n2;
	return EZ_OK;
}

ez_err ez_card_change_pin(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			  size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 + 2 * AKIS_MAX_PIN_LEN];
	size_t n;
	uint16_t sw;
	uint8_t p1 = AKIS_CHANGE_P1_PLAIN, p2 = f->ref;
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	e = two_values(f, old_pin, old_len, f, new_pin, new_len, buf, &n);
	if (e == EZ_OK) {
		if (f->ref & 0x80) {
			p1 = AKIS_CHANGE_P1_HIGH_REF;
			p2 = f->ref & 0x7F;
		}
		e = send(c, AKIS_CLA_ISO, AKIS_INS_CHANGE_REF_DATA, p1, p2, buf, n, false, NULL,
			 NULL, &sw);
		e = pin_result(e, sw, tries_left);
	}
	ez_wipe(buf, sizeof(buf));
	return e;
}

ez_err ez_card_unblock_pin(ez_card *c, const struct ez_pin_format *puk,
			   const uint8_t *puk_value, size_t puk_len, const struct ez_pin_format *pin,
			   const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 + 2 * AKIS_MAX_PIN_LEN];
	size_t n;
	uint16_t sw;
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	e = two_values(puk, puk_value, puk_len, pin, new_pin, new_len, buf, &n);
	if (e == EZ_OK) {
		e = send(c, AKIS_CLA_ISO, AKIS_INS_RESET_RETRY_COUNTER, akis_profile.reset_retry_p1,
			 pin->ref, buf, n, false, NULL, NULL, &sw);
		e = pin_result(e, sw, tries_left);
	}
	ez_wipe(buf, sizeof(buf));
	return e;
}

ez_err ez_card_logout(ez_card *c)
{
	uint16_t sw;
	ez_err e = send(c, AKIS_CLA_PROPRIETARY, AKIS_INS_LOGOUT, 0x00, 0x00, NULL, 0, false, NULL,
			NULL, &sw);

	return e != EZ_OK ? e : ez_sw_err(sw, NULL);
}

ez_err ez_card_sign(ez_card *c, uint8_t key_ref, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t *out_len)
{
	uint16_t sw;
	ez_err e;

	e = ez_conn_begin(c->conn);
	if (e != EZ_OK)
		return e;
	e = send(c, AKIS_CLA_ISO, AKIS_INS_MSE, AKIS_MSE_P1_SELECT_KEY, key_ref, NULL, 0, false,
		 NULL, NULL, &sw);
	if (e == EZ_OK)
		e = ez_sw_err(sw, NULL);
	if (e == EZ_OK) {
		e = send(c, AKIS_CLA_ISO, AKIS_INS_PSO, AKIS_PSO_P1_CDS, AKIS_PSO_P2_CDS, in, in_len,
			 true, out, out_len, &sw);
		if (e == EZ_OK)
			e = ez_sw_err(sw, NULL);
	}
	ez_conn_end(c->conn);
	return e;
}

ez_err ez_card_random(ez_card *c, uint8_t *out, size_t len)
{
	size_t got = 0;
	ez_err e = EZ_OK;

	while (e == EZ_OK && got < len) {
		size_t n = len - got > 128 ? 128 : len - got, rlen = n;
		uint8_t cmd[5] = {AKIS_CLA_ISO, AKIS_INS_GET_CHALLENGE, 0, 0, (uint8_t)n};
		uint8_t rsp[258];
		size_t r = sizeof(rsp);
		(void)rlen;
		c->stats.apdus++;
		e = ez_conn_transmit(c->conn, cmd, sizeof(cmd), rsp, &r);
		if (e != EZ_OK)
			break;
		if (r != n + 2 || rsp[r - 2] != 0x90 || rsp[r - 1] != 0x00) {
			e = EZ_ERR_CARD;
			break;
		}
		memcpy(out + got, rsp, n);
		got += n;
	}
	return e;
}
