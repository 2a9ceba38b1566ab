/*
 * vcard-apdu.c: one command APDU in, one response out, for either
 * generation. Parsing (short cases 1 to 4: every Lc AkisCIF builds is one
 * byte, fact 42), the generation's instruction table, command chaining,
 * and the response rules:
 *   - response data and no Le (case 1/3): kept, answered 61 XX, fetched
 *     with GET RESPONSE (the T=0 way; CIF fetches 61 XX itself on T=0 and
 *     T=1, fact 42);
 *   - Le 00: up to 256 bytes, the rest kept with 61 XX;
 *   - Le shorter than the data: Le bytes and 61 XX for the rest, except
 *     for fixed-size objects (GET DATA 00 CA), which answer 6C XX;
 *   - READ BINARY past the end: the bytes there are and 62 82.
 */
#include "config.h"

#include "vcard-internal.h"

#include <string.h>

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
		return -1; /* extended length: never built by AkisCIF (fact 42) */
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

/* The generation's table: an instruction it does not know answers 6D 00,
 * one it knows under another class 6E 00. */
static uint16_t dispatch(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	const struct vc_dialect *d = c->dialect;
	uint8_t cls = a->cla & (uint8_t)~VC_CLA_CHAIN;
	bool known = false;
	size_t i;

	for (i = 0; i < d->ncommands; i++) {
		if (d->commands[i].ins != a->ins)
			continue;
		known = true;
		if (d->commands[i].cla == cls)
			return d->commands[i].run(c, a, r);
	}
	return known ? SW_CLA_UNKNOWN : SW_INS_UNKNOWN;
}

static size_t put_sw(uint8_t *rsp, size_t n, uint16_t sw)
{
	rsp[n] = (uint8_t)(sw >> 8);
	rsp[n + 1] = (uint8_t)sw;
	return n + 2;
}

static uint16_t more_sw(size_t left)
{
	return (uint16_t)(0x6100 | (left > 255 ? 0 : left));
}

/* Hand out up to `want` pending bytes; 61 XX while more remain. */
static size_t give_pending(vcard *c, size_t want, uint8_t *rsp, size_t cap, uint16_t final_sw)
{
	size_t left = c->pending_len - c->pending_off, n = want < left ? want : left;

	if (n > cap - 2)
		n = cap - 2;
	if (n)
		memcpy(rsp, c->pending + c->pending_off, n);
	c->pending_off += n;
	left -= n;
	if (left == 0) {
		c->pending_len = c->pending_off = 0;
		return put_sw(rsp, n, final_sw);
	}
	return put_sw(rsp, n, more_sw(left));
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
		return put_sw(rsp, 0, more_sw(r->len));
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

static void chain_abort(vcard *c)
{
	c->chaining = false;
	c->chain_len = 0;
}

/* Command chaining: CLA bit 10 marks "more follows". Only PSO takes
 * chained data, in blocks no longer than the generation allows (2.x: 196
 * bytes, fact 25). Returns with *done set when the command (whole) is to
 * run now; otherwise the answer is in rsp. */
static size_t chain(vcard *c, struct vc_apdu *a, uint8_t *rsp, bool *done)
{
	bool more = a->cla & VC_CLA_CHAIN;
	bool pso = a->ins == VC_INS_PSO && (a->cla & ~VC_CLA_CHAIN) == VC_CLA_ISO;

	*done = false;
	if (c->chaining && a->ins != c->chain_ins) {
		chain_abort(c);
		return put_sw(rsp, 0, SW_CHAIN_LAST_EXPECTED);
	}
	if (pso && a->lc > c->dialect->pso_block_max) {
		chain_abort(c);
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	}
	if (!more && !c->chaining) {
		*done = true; /* an ordinary command */
		return 0;
	}
	if (!pso) {
		chain_abort(c);
		return put_sw(rsp, 0, SW_CHAIN_UNSUPPORTED);
	}
	if (c->chain_len + a->lc > sizeof(c->chain)) {
		chain_abort(c);
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
	a->cla &= (uint8_t)~VC_CLA_CHAIN;
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
	cls = a.cla & (uint8_t)~VC_CLA_CHAIN;
	/* No secure messaging on either generation (fact 7). */
	if (cls != VC_CLA_ISO && cls != VC_CLA_PROPRIETARY)
		return put_sw(rsp, 0, SW_CLA_UNKNOWN);
	if (a.ins == VC_INS_GET_RESPONSE && a.cla == VC_CLA_ISO)
		return get_response(c, &a, rsp, cap);
	/* Any other command drops a response nobody fetched. */
	c->pending_len = c->pending_off = 0;
	n = chain(c, &a, rsp, &done);
	if (!done)
		return n;
	memset(rr, 0, sizeof(*rr));
	sw = dispatch(c, &a, rr);
	n = respond(c, &a, rr, sw, rsp, cap);
	/* Signatures and SDO answers are public, but nothing stays around
	 * longer than it must. */
	memset(rr->data, 0, rr->len);
	return n;
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

void vc_dialect_reset_none(vcard *c)
{
	(void)c;
}
