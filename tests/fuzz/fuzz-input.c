/*
 * fuzz-input.c: the input format of the card-side fuzz targets
 * (fuzz-input.h).
 */
#include "config.h"

#include "fuzz-input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool fz_chunk(struct fz_in *in, const uint8_t **data, size_t *len)
{
	size_t n;

	if (in->n < 2)
		return false;
	n = (size_t)in->p[0] << 8 | in->p[1];
	in->p += 2;
	in->n -= 2;
	if (n > in->n)
		n = in->n;
	*data = in->p;
	*len = n;
	in->p += n;
	in->n -= n;
	return true;
}

/* The card: each command gets the next chunk as its answer. */
static void answer(void *arg, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp, size_t *rsp_len)
{
	struct fz_in *in = arg;
	const uint8_t *d;
	size_t n;

	(void)cmd;
	(void)cmd_len;
	if (!fz_chunk(in, &d, &n)) {
		rsp[0] = 0x6F; /* used up: the card lost its state */
		rsp[1] = 0x00;
		*rsp_len = 2;
		return;
	}
	if (n > *rsp_len)
		n = *rsp_len;
	memcpy(rsp, d, n);
	*rsp_len = n; /* fewer than 2 bytes: the transport answers 6F 00 */
}

ez_conn *fz_card(struct fz_in *in)
{
	const uint8_t *atr;
	size_t n;
	ez_conn *c;

	if (!fz_chunk(in, &atr, &n))
		return NULL;
	c = ez_replay_open(atr, n > EZ_ATR_MAX ? EZ_ATR_MAX : n);
	if (c)
		ez_replay_set_responder(c, answer, in);
	return c;
}

void fz_put_raw(struct fz_out *o, const void *data, size_t len)
{
	if (o->len + len > o->cap) {
		size_t cap = (o->cap ? o->cap * 2 : 4096) + len;
		uint8_t *d = realloc(o->data, cap);
		if (!d)
			abort(); /* a generator out of memory: nothing to save */
		o->data = d;
		o->cap = cap;
	}
	if (len)
		memcpy(o->data + o->len, data, len);
	o->len += len;
}

void fz_put_chunk(struct fz_out *o, const uint8_t *data, size_t len)
{
	uint8_t n[2] = {(uint8_t)(len >> 8), (uint8_t)len};

	if (len > 0xFFFF)
		abort(); /* a generator's bug: no card answer is this long */
	fz_put_raw(o, n, 2);
	fz_put_raw(o, data, len);
}

void fz_out_free(struct fz_out *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}

int fz_out_write(const struct fz_out *o, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ok = fwrite(o->data, 1, o->len, f) == o->len;
	return fclose(f) == 0 && ok ? 0 : -1;
}
