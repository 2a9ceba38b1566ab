/*
 * der.c: bounds-checked DER reading and a growable DER writer.
 *
 * The reader accepts long-form lengths that are not minimal (some cards
 * write them) but refuses indefinite lengths, lengths over four octets and
 * anything that would run past the buffer: PKCS#15 files come from a card
 * and are untrusted input.
 */
#include "config.h"

#include <eimza/der.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void der_reader_init(der_reader *r, const void *buf, size_t len)
{
	r->p = buf;
	r->end = r->p ? r->p + len : NULL;
}

bool der_at_end(const der_reader *r)
{
	return r->p == r->end;
}

/* Decode tag and length at r->p without consuming; fills `out`. */
static int decode(const der_reader *r, der_tlv *out)
{
	const uint8_t *p = r->p, *end = r->end;
	unsigned tag;
	size_t len;

	if (!p || p >= end)
		return -1;
	tag = *p++;
	if ((tag & 0x1Fu) == 0x1Fu) {
		/* High tag number: at most two more octets, enough for any tag we meet. */
		int n = 0;
		do {
			if (p >= end || ++n > 2)
				return -1;
			tag = (tag << 8) | *p;
		} while (*p++ & 0x80u);
	}
	if (p >= end)
		return -1;
	len = *p++;
	if (len & 0x80u) {
		size_t n = len & 0x7Fu;
		if (n == 0 || n > 4 || (size_t)(end - p) < n)
			return -1; /* indefinite or oversized */
		len = 0;
		while (n--)
			len = (len << 8) | *p++;
	}
	if (len > (size_t)(end - p))
		return -1;
	out->tag = tag;
	out->val = p;
	out->len = len;
	out->raw = r->p;
	out->rawlen = (size_t)(p - r->p) + len;
	return 0;
}

int der_next(der_reader *r, der_tlv *out)
{
	der_tlv t;

	if (decode(r, &t) < 0)
		return -1;
	r->p = t.val + t.len;
	*out = t;
	return 0;
}

int der_peek(const der_reader *r, unsigned *tag)
{
	der_tlv t;

	if (decode(r, &t) < 0)
		return -1;
	*tag = t.tag;
	return 0;
}

int der_expect(der_reader *r, unsigned tag, der_tlv *out)
{
	der_tlv t;

	if (decode(r, &t) < 0 || t.tag != tag)
		return -1;
	return der_next(r, out);
}

int der_optional(der_reader *r, unsigned tag, der_tlv *out)
{
	der_tlv t;

	if (der_at_end(r))
		return 0;
	if (decode(r, &t) < 0)
		return -1;
	if (t.tag != tag)
		return 0;
	return der_next(r, out) < 0 ? -1 : 1;
}

void der_enter(const der_tlv *t, der_reader *inner)
{
	der_reader_init(inner, t->val, t->len);
}

int der_get_uint(const der_tlv *t, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (t->len == 0 || (t->val[0] & 0x80u))
		return -1; /* empty or negative */
	for (i = 0; i < t->len; i++) {
		if (v > (~0UL >> 8))
			return -1;
		v = (v << 8) | t->val[i];
	}
	*out = v;
	return 0;
}

int der_get_bool(const der_tlv *t, bool *out)
{
	if (t->len != 1)
		return -1;
	*out = t->val[0] != 0;
	return 0;
}

int der_get_bits(const der_tlv *t, uint32_t *out)
{
	uint32_t bits = 0;
	size_t i, nbits;
	unsigned unused;

	if (t->len == 0)
		return -1;
	unused = t->val[0];
	if (unused > 7 || (t->len == 1 && unused != 0))
		return -1;
	nbits = (t->len - 1) * 8 - unused;
	for (i = 0; i < nbits && i < 32; i++)
		if (t->val[1 + i / 8] & (0x80u >> (i % 8)))
			bits |= 1u << i;
	*out = bits;
	return 0;
}

int der_oid_to_text(const der_tlv *t, char *buf, size_t cap)
{
	size_t i, used = 0;
	unsigned long arc = 0;
	bool first = true;
	int n;

	if (t->len == 0 || cap == 0 || (t->val[t->len - 1] & 0x80u))
		return -1;
	for (i = 0; i < t->len; i++) {
		if (arc > (~0UL >> 7))
			return -1;
		arc = (arc << 7) | (t->val[i] & 0x7Fu);
		if (t->val[i] & 0x80u)
			continue;
		if (first) {
			unsigned long a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			n = snprintf(buf + used, cap - used, "%lu.%lu", a, arc - a * 40);
			first = false;
		} else {
			n = snprintf(buf + used, cap - used, ".%lu", arc);
		}
		if (n < 0 || (size_t)n >= cap - used)
			return -1;
		used += (size_t)n;
		arc = 0;
	}
	return 0;
}

bool der_oid_equals(const der_tlv *t, const uint8_t *oid, size_t oidlen)
{
	return t->tag == DER_OID && t->len == oidlen && memcmp(t->val, oid, oidlen) == 0;
}

/* ---- writer ------------------------------------------------------------ */

void der_buf_init(der_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void der_buf_free(der_buf *b)
{
	free(b->data);
	der_buf_init(b);
}

int der_buf_finish(const der_buf *b)
{
	return b->failed ? -1 : 0;
}

static bool reserve(der_buf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return false;
	if (more <= b->cap - b->len)
		return true;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap ? b->cap : 64;
	while (cap - b->len < more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void der_put_raw(der_buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void put_tag(der_buf *b, unsigned tag)
{
	uint8_t t[3];
	size_t n = 0;

	if (tag > 0xFFFFu)
		t[n++] = (uint8_t)(tag >> 16);
	if (tag > 0xFFu)
		t[n++] = (uint8_t)(tag >> 8);
	t[n++] = (uint8_t)tag;
	der_put_raw(b, t, n);
}

static size_t len_octets(size_t len)
{
	size_t n = 1;

	if (len < 0x80)
		return 1;
	while (len) {
		n++;
		len >>= 8;
	}
	return n;
}

static void encode_len(uint8_t *out, size_t len, size_t n)
{
	size_t i;

	if (n == 1) {
		out[0] = (uint8_t)len;
		return;
	}
	out[0] = (uint8_t)(0x80u | (n - 1));
	for (i = n - 1; i >= 1; i--) {
		out[i] = (uint8_t)len;
		len >>= 8;
	}
}

void der_put(der_buf *b, unsigned tag, const void *val, size_t len)
{
	uint8_t l[9];
	size_t n = len_octets(len);

	put_tag(b, tag);
	encode_len(l, len, n);
	der_put_raw(b, l, n);
	der_put_raw(b, val, len);
}

void der_put_uint(der_buf *b, unsigned tag, unsigned long v)
{
	uint8_t tmp[sizeof(v) + 1];
	size_t n = 0, i;

	do {
		tmp[n++] = (uint8_t)v;
		v >>= 8;
	} while (v);
	if (tmp[n - 1] & 0x80u)
		tmp[n++] = 0; /* keep it non-negative */
	for (i = 0; i < n / 2; i++) {
		uint8_t x = tmp[i];
		tmp[i] = tmp[n - 1 - i];
		tmp[n - 1 - i] = x;
	}
	der_put(b, tag, tmp, n);
}

void der_put_bool(der_buf *b, unsigned tag, bool v)
{
	uint8_t x = v ? 0xFF : 0x00;

	der_put(b, tag, &x, 1);
}

void der_put_bits(der_buf *b, unsigned tag, uint32_t bits)
{
	uint8_t v[5] = {0};
	int last = -1, i;
	size_t nbytes;

	for (i = 0; i < 32; i++)
		if (bits & (1u << i)) {
			v[1 + i / 8] |= (uint8_t)(0x80u >> (i % 8));
			last = i;
		}
	if (last < 0) {
		der_put(b, tag, v, 1);
		return;
	}
	nbytes = (size_t)last / 8 + 1;
	v[0] = (uint8_t)(7 - last % 8);
	der_put(b, tag, v, 1 + nbytes);
}

void der_put_oid_text(der_buf *b, const char *dotted)
{
	uint8_t out[64];
	size_t n = 0;
	unsigned long arcs[32];
	size_t narcs = 0, i;
	const char *s = dotted;

	while (*s && narcs < 32) {
		char *e;
		if (*s < '0' || *s > '9')
			break;
		arcs[narcs++] = strtoul(s, &e, 10);
		s = e;
		if (*s == '.')
			s++;
		else if (*s)
			break;
	}
	if (*s || narcs < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39)) {
		b->failed = true;
		return;
	}
	arcs[1] += arcs[0] * 40;
	for (i = 1; i < narcs; i++) {
		uint8_t tmp[10];
		size_t k = 0;
		unsigned long a = arcs[i];
		do {
			tmp[k++] = (uint8_t)(a & 0x7Fu);
			a >>= 7;
		} while (a);
		if (n + k > sizeof(out)) {
			b->failed = true;
			return;
		}
		while (k--)
			out[n++] = (uint8_t)(tmp[k] | (k ? 0x80u : 0));
	}
	der_put(b, DER_OID, out, n);
}

void der_put_str(der_buf *b, unsigned tag, const char *s)
{
	der_put(b, tag, s, strlen(s));
}

size_t der_open(der_buf *b, unsigned tag)
{
	uint8_t zero = 0;

	put_tag(b, tag);
	der_put_raw(b, &zero, 1); /* short length placeholder, fixed by der_close */
	return b->len;
}

void der_close(der_buf *b, size_t mark)
{
	size_t len, n;

	if (b->failed || mark == 0 || mark > b->len)
		return;
	len = b->len - mark;
	n = len_octets(len);
	if (n > 1) {
		if (!reserve(b, n - 1))
			return;
		memmove(b->data + mark + n - 1, b->data + mark, len);
		b->len += n - 1;
	}
	encode_len(b->data + mark - 1, len, n);
}
