/*
 * vcard-apdu.c: one command APDU in, one response out. Parsing (short
 * cases 1 to 4), the class and instruction table, command chaining, and
 * the response rules:
 *   - response data and no Le (case 1/3): kept, answered 61 XX, fetched
 *     with GET RESPONSE (the T=0 way; works on T=1 readers too);
 *   - Le 00: up to 256 bytes, the rest kept with 61 XX;
 *   - Le shorter than the data: Le bytes and 61 XX for the rest, except
 *     for fixed-size objects (GET DATA), which answer 6C XX;
 *   - READ BINARY past the end: the bytes there are and 62 82.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include <eimza/apdu-trace.h>

static int parse(const uint8_t *b, size_t n, struct vc_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (n < 4)
		return -1;
	a->cla = b[0];
	a->ins = b[1];
	a->p1 = b[2];
	a->p2 = b[3];
	if (n == 4)
		return 0;
	if (n == 5) {
		a->has_le = true;
		a->le = b[4] ? b[4] : 256;
		return 0;
	}
	if (b[4] == 0)
		return -1; /* extended length: not an AKIS form */
	a->lc = b[4];
	a->data = b + 5;
	if (n == 5 + a->lc)
		return 0;
	if (n == 6 + a->lc) {
		a->has_le = true;
		a->le = b[n - 1] ? b[n - 1] : 256;
		return 0;
	}
	return -1;
}

static uint16_t get_data(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	if (a->p1 != AKIS_GET_DATA_P1)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	r->exact_le = true;
	if (a->p2 == AKIS_DATA_SYSTEM) {
		size_t i;
		/* The bytes around the serial are opaque system data on a real card;
		 * a fixed pattern stands in for them. */
		for (i = 0; i < AKIS_DATA_SYSTEM_LEN; i++)
			r->data[i] = (uint8_t)(0xA0 + i);
		memcpy(r->data + AKIS_DATA_SERIAL_OFFSET, c->serial, AKIS_DATA_SERIAL_LEN);
		r->len = AKIS_DATA_SYSTEM_LEN;
		return SW_OK;
	}
	if (a->p2 == AKIS_DATA_MEMORY) {
		memset(r->data, 0, AKIS_DATA_MEMORY_LEN);
		r->data[0] = 0x01;
		r->data[AKIS_DATA_LIFE_CYCLE_OFFSET] = c->life;
		r->len = AKIS_DATA_MEMORY_LEN;
		return SW_OK;
	}
	return SW_REF_NOT_FOUND;
}

static uint16_t set_life_cycle(vcard *c, const struct vc_apdu *a)
{
	uint8_t before = c->life;

	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p2 == AKIS_STAGE_USER)
		c->life = AKIS_LIFE_USER;
	else if (a->p2 == AKIS_STAGE_ADMINISTRATION)
		/* A card in use never goes back to personalization. */
		return before == AKIS_LIFE_ADMINISTRATION ? SW_OK : SW_CONDITIONS;
	else
		return SW_WRONG_P1P2;
	if (before != c->life && vc_persist(c) < 0) {
		c->life = before;
		return SW_MEMORY;
	}
	return SW_OK;
}

static uint16_t get_challenge(const struct vc_apdu *a, struct vc_rsp *r)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc || !a->has_le)
		return SW_WRONG_LENGTH;
	if (RAND_bytes(r->data, (int)a->le) != 1)
		return SW_NO_DIAGNOSIS;
	r->len = a->le;
	return SW_OK;
}

static uint16_t logout(vcard *c, const struct vc_apdu *a)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	vc_sec_clear(c);
	return SW_OK;
}

/* The instruction table: class, instruction, handler kind. */
enum { ISO = 0, PROP = 1 };
static uint16_t dispatch(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	bool prop = (a->cla & ~AKIS_CLA_CHAIN) == AKIS_CLA_PROPRIETARY;
	static const struct {
		uint8_t ins;
		int cls;
	} table[] = {
		{AKIS_INS_SELECT, ISO},       {AKIS_INS_READ_BINARY, ISO},
		{AKIS_INS_UPDATE_BINARY, ISO}, {AKIS_INS_VERIFY, ISO},
		{AKIS_INS_CHANGE_REF_DATA, ISO}, {AKIS_INS_RESET_RETRY_COUNTER, ISO},
		{AKIS_INS_GET_DATA, ISO},     {AKIS_INS_MSE, ISO},
		{AKIS_INS_PSO, ISO},          {AKIS_INS_GET_CHALLENGE, ISO},
		{AKIS_INS_LIST_FILES, PROP},  {AKIS_INS_CREATE_EF, PROP},
		{AKIS_INS_CREATE_DF, PROP},   {AKIS_INS_DELETE, PROP},
		{AKIS_INS_SET_LIFE_CYCLE, PROP}, {AKIS_INS_LOGOUT, PROP},
	};
	size_t i;
	bool known = false;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].ins != a->ins)
			continue;
		known = true;
		if (table[i].cls != (prop ? PROP : ISO))
			return SW_CLA_UNKNOWN;
	}
	if (!known)
		return SW_INS_UNKNOWN;

	switch (a->ins) {
	case AKIS_INS_SELECT:
		return vc_fs_sw_select(c, a, r);
	case AKIS_INS_READ_BINARY:
		r->eof_short = false;
		return vc_fs_read(c, a, r);
	case AKIS_INS_UPDATE_BINARY:
		return vc_fs_update(c, a);
	case AKIS_INS_LIST_FILES:
		return vc_fs_list(c, a, r);
	case AKIS_INS_CREATE_EF:
	case AKIS_INS_CREATE_DF:
		return vc_fs_create(c, a);
	case AKIS_INS_DELETE:
		return vc_fs_delete(c, a);
	case AKIS_INS_VERIFY:
		return vc_sec_verify(c, a);
	case AKIS_INS_CHANGE_REF_DATA:
		return vc_sec_change(c, a);
	case AKIS_INS_RESET_RETRY_COUNTER:
		return vc_sec_reset_retry(c, a);
	case AKIS_INS_LOGOUT:
		return logout(c, a);
	case AKIS_INS_GET_DATA:
		return get_data(c, a, r);
	case AKIS_INS_SET_LIFE_CYCLE:
		return set_life_cycle(c, a);
	case AKIS_INS_MSE:
		return vc_sign_mse(c, a);
	case AKIS_INS_PSO:
		return vc_sign_pso(c, a, r);
	case AKIS_INS_GET_CHALLENGE:
		return get_challenge(a, r);
	}
	return SW_INS_UNKNOWN;
}

static size_t put_sw(uint8_t *rsp, size_t n, uint16_t sw)
{
	rsp[n] = (uint8_t)(sw >> 8);
	rsp[n + 1] = (uint8_t)sw;
	return n + 2;
}

/* Hand out up to `want` pending bytes; 61 XX while more remain. */
static size_t give_pending(vcard *c, size_t want, uint8_t *rsp, size_t cap, uint16_t final_sw)
{
	size_t left = c->pending_len - c->pending_off, n = want < left ? want : left;

	if (n > cap - 2)
		n = cap - 2;
	memcpy(rsp, c->pending + c->pending_off, n);
	c->pending_off += n;
	left -= n;
	if (left == 0) {
		c->pending_len = c->pending_off = 0;
		return put_sw(rsp, n, final_sw);
	}
	return put_sw(rsp, n, (uint16_t)(0x6100 | (left > 255 ? 0 : left)));
}

static size_t respond(vcard *c, const struct vc_apdu *a, struct vc_rsp *r, uint16_t sw,
		      uint8_t *rsp, size_t cap)
{
	uint16_t final_sw = SW_OK;

	if (sw != SW_OK || r->len == 0) {
		if (sw == SW_OK && r->eof_short && a->has_le)
			sw = SW_EOF;
		return put_sw(rsp, 0, sw);
	}
	if (r->exact_le && a->has_le && a->le != r->len && !(a->le == 256 && r->len < 256))
		return put_sw(rsp, 0, (uint16_t)(0x6C00 | (r->len & 0xFF)));
	if (r->eof_short)
		final_sw = SW_EOF;
	memcpy(c->pending, r->data, r->len);
	c->pending_len = r->len;
	c->pending_off = 0;
	if (!a->has_le)
		return put_sw(rsp, 0, (uint16_t)(0x6100 | (r->len > 255 ? 0 : r->len)));
	return give_pending(c, a->le, rsp, cap, final_sw);
}

static size_t get_response(vcard *c, const struct vc_apdu *a, uint8_t *rsp, size_t cap)
{
	size_t left = c->pending_len - c->pending_off;

	if (a->p1 || a->p2)
		return put_sw(rsp, 0, SW_WRONG_P1P2);
	if (a->lc)
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	if (left == 0)
		return put_sw(rsp, 0, SW_CONDITIONS);
	if (a->has_le && a->le < 256 && a->le > left)
		return put_sw(rsp, 0, (uint16_t)(0x6C00 | (left > 255 ? 0 : left)));
	return give_pending(c, a->has_le ? a->le : 256, rsp, cap, SW_OK);
}

/* Command chaining: CLA bit 10 marks "more follows". Only PSO takes
 * chained data (raw RSA blocks longer than one short APDU). */
static size_t chain(vcard *c, struct vc_apdu *a, uint8_t *rsp, bool *done)
{
	bool more = a->cla & AKIS_CLA_CHAIN;

	*done = false;
	if (c->chaining && a->ins != c->chain_ins) {
		c->chaining = false;
		c->chain_len = 0;
		return put_sw(rsp, 0, SW_CHAIN_LAST_EXPECTED);
	}
	if (!more && !c->chaining) {
		*done = true; /* an ordinary command */
		return 0;
	}
	if (a->ins != AKIS_INS_PSO) {
		c->chaining = false;
		c->chain_len = 0;
		return put_sw(rsp, 0, SW_CHAIN_UNSUPPORTED);
	}
	if (c->chain_len + a->lc > sizeof(c->chain)) {
		c->chaining = false;
		c->chain_len = 0;
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	}
	if (a->lc)
		memcpy(c->chain + c->chain_len, a->data, a->lc);
	c->chain_len += a->lc;
	if (more) {
		c->chaining = true;
		c->chain_ins = a->ins;
		return put_sw(rsp, 0, SW_OK);
	}
	/* The last link: run the command on the whole data. */
	a->data = c->chain;
	a->lc = c->chain_len;
	a->cla &= (uint8_t)~AKIS_CLA_CHAIN;
	c->chaining = false;
	c->chain_len = 0;
	*done = true;
	return 0;
}

static void trace(vcard *c, const uint8_t *apdu, size_t len, bool command)
{
	char line[1200];

	if (!c->trace)
		return;
	ez_apdu_trace_line(apdu, len, command, line, sizeof(line));
	c->trace(c->trace_arg, line);
}

static size_t transmit(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t cap)
{
	struct vc_rsp *rr = &c->rsp;
	struct vc_apdu a;
	uint8_t cls;
	bool done;
	size_t n;
	uint16_t sw;

	c->last_op = VCARD_OP_PLAIN;
	if (!c->powered)
		return put_sw(rsp, 0, SW_NO_DIAGNOSIS);
	if (parse(cmd, len, &a) < 0)
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	cls = a.cla & (uint8_t)~AKIS_CLA_CHAIN;
	if (cls != AKIS_CLA_ISO && cls != AKIS_CLA_PROPRIETARY)
		return put_sw(rsp, 0, SW_CLA_UNKNOWN);
	if (a.ins == AKIS_INS_GET_RESPONSE && cls == AKIS_CLA_ISO && !(a.cla & AKIS_CLA_CHAIN))
		return get_response(c, &a, rsp, cap);
	/* Any other command drops a response nobody fetched. */
	c->pending_len = c->pending_off = 0;
	n = chain(c, &a, rsp, &done);
	if (!done)
		return n;
	memset(rr, 0, sizeof(*rr));
	sw = dispatch(c, &a, rr);
	return respond(c, &a, rr, sw, rsp, cap);
}

size_t vcard_transmit(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t cap)
{
	size_t n;

	if (!rsp || cap < 2)
		return 0;
	if (!c || (!cmd && len)) {
		rsp[0] = 0x6F;
		rsp[1] = 0x00;
		return 2;
	}
	trace(c, cmd, len, true);
	n = transmit(c, cmd, len, rsp, cap);
	trace(c, rsp, n, false);
	return n;
}
