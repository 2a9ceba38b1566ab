/*
 * card-io.c: the ISO/IEC 7816-4 pieces every dialect builds on: sending a
 * command with the dialect's chaining, reading a transparent EF, the FCI's
 * file size, PIN encoding and the meaning of a PIN command's answer, GET
 * CHALLENGE.
 */
#include "config.h"

#include "card-internal.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/der.h>
#include <eimza/secmem.h>

#define ISO_INS_READ_BINARY 0xB0
#define ISO_INS_GET_CHALLENGE 0x84
#define GET_CHALLENGE_PIECE 128

ez_err ez_card_begin(ez_card *c)
{
	ez_err e = ez_conn_begin(c->conn);

	if (e != EZ_OK)
		return e;
	if (c->txn_depth++ == 0)
		c->cur_df_known = false;
	return EZ_OK;
}

void ez_card_end(ez_card *c)
{
	if (c->txn_depth > 0 && --c->txn_depth == 0)
		c->cur_df_known = false;
	ez_conn_end(c->conn);
}

ez_err ez_card_send(ez_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		    const uint8_t *data, size_t lc, int le, uint8_t *out, size_t *out_len,
		    uint16_t *sw)
{
	struct ez_apdu a = {
		.cla = cla,
		.ins = ins,
		.p1 = p1,
		.p2 = p2,
		.data = data,
		.lc = lc,
		.has_le = le >= 0,
		.le_byte = (uint8_t)(le > 0 && le < 256 ? le : 0),
		.chain = c->d ? c->d->chain_block : 255,
		.le_each = c->d && c->d->le_on_every_block,
	};
	uint8_t dummy[1];
	size_t none = 0;

	if (!out) {
		out = dummy;
		out_len = &none;
	}
	return ez_apdu_send(c->conn, &a, out, out_len, sw, &c->stats.apdus);
}

ez_err ez_card_cmd(ez_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		   const uint8_t *data, size_t lc, int le, uint8_t *out, size_t *out_len)
{
	uint16_t sw;
	ez_err e = ez_card_send(c, cla, ins, p1, p2, data, lc, le, out, out_len, &sw);

	if (e != EZ_OK)
		return e;
	if (sw == 0x9000)
		return EZ_OK;
	e = ez_sw_err(sw, NULL);
	return e == EZ_OK ? EZ_ERR_CARD : e;
}

ez_err ez_card_read_selected(ez_card *c, size_t offset, uint8_t *buf, size_t want, size_t *got)
{
	size_t chunk = c->d->read_chunk;
	ez_err e = EZ_OK;

	*got = 0;
	while (*got < want) {
		size_t off = offset + *got, ask = want - *got < chunk ? want - *got : chunk;
		uint8_t rsp[256];
		size_t n = sizeof(rsp);
		uint16_t sw;
		if (off > 0x7FFF)
			break; /* READ BINARY with even INS has 15 offset bits */
		/* Le is the piece asked for (the vendor's library never asks a
		 * card for more than its chunk in one READ BINARY). */
		e = ez_card_send(c, 0x00, ISO_INS_READ_BINARY, (uint8_t)(off >> 8), (uint8_t)off, NULL,
				 0, (int)(ask == 256 ? 0 : ask), rsp, &n, &sw);
		if (e != EZ_OK)
			break;
		if (n > ask)
			n = ask;
		if (sw == 0x6B00 || (sw == 0x6282 && n == 0))
			break; /* at or past the end of the file */
		if (sw != 0x9000 && sw != 0x6282) {
			e = ez_sw_err(sw, NULL);
			if (e == EZ_OK)
				e = EZ_ERR_CARD;
			break;
		}
		memcpy(buf + *got, rsp, n);
		*got += n;
		c->stats.bytes_read += n;
		if (n < ask || sw == 0x6282)
			break; /* a short answer: the end */
	}
	return e;
}

/* Bytes a DER object takes from its first bytes: tag, length and contents;
 * 0 when the header is not complete or not a definite length. */
static size_t der_total(const uint8_t *p, size_t n)
{
	size_t len, hdr = 2, k;

	if (n < 2 || (p[0] & 0x1F) == 0x1F)
		return 0;
	len = p[1];
	if (len & 0x80) {
		k = len & 0x7F;
		if (k == 0 || k > 3 || n < 2 + k)
			return 0;
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		hdr += k;
	}
	return hdr + len;
}

ez_err ez_card_read_ef(ez_card *c, size_t fci_size, size_t max, bool der_object, uint8_t **out,
		       size_t *out_len)
{
	size_t want = fci_size && fci_size < max ? fci_size : max, got = 0, n;
	uint8_t *buf;
	ez_err e;

	*out = NULL;
	*out_len = 0;
	buf = malloc(want ? want : 1);
	if (!buf)
		return EZ_ERR_NO_MEMORY;
	if (der_object) {
		/* The first piece tells the object's length; read no further. */
		size_t first = want < c->d->read_chunk ? want : c->d->read_chunk, total;
		e = ez_card_read_selected(c, 0, buf, first, &got);
		if (e == EZ_OK && (total = der_total(buf, got)) != 0 && total < want)
			want = total;
	} else {
		e = EZ_OK;
	}
	if (e == EZ_OK && got < want) {
		e = ez_card_read_selected(c, got, buf + got, want - got, &n);
		got += n;
	}
	if (e != EZ_OK) {
		free(buf);
		return e;
	}
	c->stats.files_read++;
	*out = buf;
	*out_len = got;
	return EZ_OK;
}

/* Longer heads are not certificates a card holds (a serial number has at
 * most 20 bytes, RFC 5280 4.1.2.2); one READ BINARY takes it whole. */
#define CERT_HEAD_MAX 128

size_t ez_cert_head_len(const uint8_t *der, size_t len)
{
	der_reader r, cert, tbs;
	der_tlv t, f;
	size_t n;

	der_reader_init(&r, der, len);
	if (der_expect(&r, DER_SEQUENCE, &t) < 0)
		return 0;
	der_enter(&t, &cert);
	if (der_expect(&cert, DER_SEQUENCE, &t) < 0)
		return 0;
	der_enter(&t, &tbs);
	if (der_optional(&tbs, DER_CTX_CONS(0), &f) < 0 || der_expect(&tbs, DER_INTEGER, &f) < 0)
		return 0;
	n = (size_t)(f.raw + f.rawlen - der);
	return n <= CERT_HEAD_MAX ? n : 0;
}

ez_err ez_card_compare_head(ez_card *c, size_t offset, const uint8_t *der, size_t der_len)
{
	uint8_t buf[CERT_HEAD_MAX];
	size_t head = ez_cert_head_len(der, der_len), got = 0;
	ez_err e;

	if (!head)
		return EZ_ERR_CARD_CHANGED;
	e = ez_card_read_selected(c, offset, buf, head, &got);
	if (e != EZ_OK)
		return e;
	return got == head && memcmp(buf, der, head) == 0 ? EZ_OK : EZ_ERR_CARD_CHANGED;
}

bool ez_card_gone(ez_err e)
{
	return e == EZ_ERR_NO_MEMORY || e == EZ_ERR_CARD_REMOVED || e == EZ_ERR_NO_CARD ||
	       e == EZ_ERR_NO_READER || e == EZ_ERR_NO_SERVICE || e == EZ_ERR_CARD_RESET ||
	       e == EZ_ERR_TRANSPORT || e == EZ_ERR_CARD_UNREADY;
}

ez_err ez_card_read_counters(ez_card *c, struct ez_p15_app *app)
{
	for (size_t i = 0; i < app->n_pins; i++) {
		struct ez_p15_pin *p = &app->pins[i];
		enum ez_pin_state st = EZ_PIN_UNKNOWN;
		int tries = -1;
		ez_err e = c->d->pin_state(c, &p->fmt, &st, &tries);
		if (e != EZ_OK)
			return e;
		/* As the token reads a counter: verified means all tries left. */
		p->tries_left = st == EZ_PIN_VERIFIED ? (int)p->fmt.max_tries
				: st == EZ_PIN_UNKNOWN	 ? -1
							 : tries;
	}
	return EZ_OK;
}

size_t ez_fci_file_size(const uint8_t *fci, size_t len)
{
	der_reader r, in;
	der_tlv t, f;
	unsigned long v;

	der_reader_init(&r, fci, len);
	if (der_next(&r, &t) < 0 || (t.tag != 0x62 && t.tag != 0x6F))
		return 0;
	der_enter(&t, &in);
	while (!der_at_end(&in) && der_next(&in, &f) == 0)
		if ((f.tag == 0x80 || f.tag == 0x81) && f.len >= 1 && f.len <= 3) {
			v = 0;
			for (size_t i = 0; i < f.len; i++)
				v = v << 8 | f.val[i];
			return (size_t)v;
		}
	return 0;
}

ez_err ez_pin_encode(const struct ez_pin_format *f, const uint8_t *pin, size_t len,
		     uint8_t *out, size_t *out_len)
{
	size_t i, n = len;

	if (!pin || len < (f->min_len ? f->min_len : 1) || len > EZ_PIN_MAX ||
	    (f->max_len && len > f->max_len))
		return EZ_ERR_PIN_LEN;
	if (f->numeric)
		for (i = 0; i < len; i++)
			if (pin[i] < '0' || pin[i] > '9')
				return EZ_ERR_PIN_INVALID;
	memcpy(out, pin, len);
	if (f->needs_padding && f->stored_len > len && f->stored_len <= EZ_PIN_MAX) {
		memset(out + len, f->pad_char, f->stored_len - len);
		n = f->stored_len;
	}
	*out_len = n;
	return EZ_OK;
}

ez_err ez_pin_result(const ez_card *c, ez_err e, uint16_t sw, int *tries_left)
{
	int t = -1;

	if (tries_left)
		*tries_left = -1;
	if (e != EZ_OK)
		return e;
	/* 63 C0, 69 83 and 69 84 all say "blocked": 2.x cards answer 69 83,
	 * 1.x cards 69 84 (AkisCIF's error table), and the 63 C0 of ISO. */
	if (sw == 0x63C0 || sw == 0x6983 || sw == 0x6984 || sw == c->d->sw_blocked) {
		if (tries_left)
			*tries_left = 0;
		return EZ_ERR_PIN_LOCKED;
	}
	if (sw == 0x6A80)
		return EZ_ERR_PIN_LEN; /* the card's policy refused it; no try counted */
	e = ez_sw_err(sw, &t);
	if (tries_left)
		*tries_left = t;
	return e;
}

ez_err ez_pin_send(ez_card *c, ez_err e, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		   uint8_t *data, size_t len, size_t cap, int *tries_left)
{
	uint16_t sw = 0;

	if (e == EZ_OK)
		e = ez_card_send(c, cla, ins, p1, p2, data, len, EZ_LE_NONE, NULL, NULL, &sw);
	ez_wipe(data, cap);
	return e != EZ_OK ? e : ez_pin_result(c, e, sw, tries_left);
}

/* ISO 7816-4/-8: MANAGE SECURITY ENVIRONMENT, PERFORM SECURITY OPERATION
 * (9E 9A: compute digital signature). */
#define ISO_INS_MSE 0x22
#define ISO_INS_PSO 0x2A

ez_err ez_card_mse_sign(ez_card *c, ez_err (*select_app)(ez_card *), uint8_t mse_p1,
			uint8_t mse_p2, const uint8_t *mse, size_t mse_len, const uint8_t *in,
			size_t in_len, uint8_t *out, size_t *out_len)
{
	uint16_t sw;
	ez_err e = ez_card_send(c, 0x00, ISO_INS_MSE, mse_p1, mse_p2, mse, mse_len, EZ_LE_NONE, NULL,
				NULL, &sw);

	if (e == EZ_OK && (sw == 0x6A88 || sw == 0x6A82)) {
		c->cur_df_known = false;
		e = select_app(c);
		if (e == EZ_OK)
			e = ez_card_send(c, 0x00, ISO_INS_MSE, mse_p1, mse_p2, mse, mse_len, EZ_LE_NONE,
					 NULL, NULL, &sw);
	}
	if (e == EZ_OK && sw != 0x9000)
		e = ez_sw_err(sw, NULL) == EZ_OK ? EZ_ERR_CARD : ez_sw_err(sw, NULL);
	if (e == EZ_OK)
		e = ez_card_cmd(c, 0x00, ISO_INS_PSO, 0x9E, 0x9A, in, in_len, EZ_LE_ANY, out, out_len);
	return e;
}

ez_err ez_card_get_challenge(ez_card *c, uint8_t *out, size_t len)
{
	size_t got = 0;
	ez_err e = EZ_OK;

	while (e == EZ_OK && got < len) {
		size_t n = len - got > GET_CHALLENGE_PIECE ? GET_CHALLENGE_PIECE : len - got;
		uint8_t cmd[5] = {0x00, ISO_INS_GET_CHALLENGE, 0, 0, (uint8_t)n};
		uint8_t rsp[258];
		size_t r = sizeof(rsp);
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
