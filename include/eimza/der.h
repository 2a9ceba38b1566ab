/*
 * der.h: a small bounds-checked DER reader and a growable DER writer.
 *
 * Shared by the module (parsing PKCS#15 files that come from a card, so
 * from an untrusted source), the virtual card (writing them) and the tools.
 * The reader never reads outside the buffer it was given and never
 * allocates; every function that can meet malformed input returns -1 for
 * it. Tags are kept as their identifier octets, big-endian, so 0x30 is a
 * SEQUENCE, 0xA1 is [1] constructed and 0x9F1F a two-octet tag.
 */
#ifndef EIMZA_DER_H
#define EIMZA_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DER_BOOLEAN 0x01u
#define DER_INTEGER 0x02u
#define DER_BIT_STRING 0x03u
#define DER_OCTET_STRING 0x04u
#define DER_NULL 0x05u
#define DER_OID 0x06u
#define DER_ENUMERATED 0x0Au
#define DER_UTF8_STRING 0x0Cu
#define DER_PRINTABLE_STRING 0x13u
#define DER_IA5_STRING 0x16u
#define DER_UTC_TIME 0x17u
#define DER_GENERALIZED_TIME 0x18u
#define DER_SEQUENCE 0x30u
#define DER_SET 0x31u
/* Context-specific tags: [n] primitive and [n] constructed, n < 31. */
#define DER_CTX(n) (0x80u | (unsigned)(n))
#define DER_CTX_CONS(n) (0xA0u | (unsigned)(n))
/* Application tags (EF(DIR) uses them): [APPLICATION n]. */
#define DER_APP(n) (0x40u | (unsigned)(n))
#define DER_APP_CONS(n) (0x60u | (unsigned)(n))

/* Reader state: the bytes not yet consumed. */
typedef struct {
	const uint8_t *p;
	const uint8_t *end;
} der_reader;

/* One tag-length-value element. `val` points into the reader's buffer. */
typedef struct {
	unsigned tag;
	const uint8_t *val;
	size_t len;
	const uint8_t *raw; /* the whole element, tag and length included */
	size_t rawlen;
} der_tlv;

void der_reader_init(der_reader *r, const void *buf, size_t len);
bool der_at_end(const der_reader *r);

/* Read the next element. 0 on success, -1 at the end or on malformed data
 * (bad tag, indefinite or oversized length, length past the buffer). */
int der_next(der_reader *r, der_tlv *out);
/* The tag of the next element without consuming it; -1 when none. */
int der_peek(const der_reader *r, unsigned *tag);
/* Read the next element and require `tag`. */
int der_expect(der_reader *r, unsigned tag, der_tlv *out);
/* 1 and consumed when the next element has `tag`; 0 and untouched when it
 * has another tag or there is none; -1 on malformed data. */
int der_optional(der_reader *r, unsigned tag, der_tlv *out);
/* A reader over the contents of a constructed element. */
void der_enter(const der_tlv *t, der_reader *inner);

/* Value decoders. Each checks the element's length and form and returns -1
 * on anything it does not accept. */
int der_get_uint(const der_tlv *t, unsigned long *out); /* non-negative INTEGER/ENUMERATED that fits */
int der_get_bool(const der_tlv *t, bool *out);
/* Named-bit BIT STRING: bit n of the ASN.1 value (n = 0 the first, most
 * significant bit) becomes bit n of *out. Bits past 31 are ignored. */
int der_get_bits(const der_tlv *t, uint32_t *out);
/* OID to dotted text ("1.2.840.113549"). -1 when it does not fit. */
int der_oid_to_text(const der_tlv *t, char *buf, size_t cap);
/* Compare an OID element's value with DER content octets. */
bool der_oid_equals(const der_tlv *t, const uint8_t *oid, size_t oidlen);

/* Writer: a growable buffer. On allocation failure `failed` is set, later
 * calls do nothing, and der_buf_finish() reports the failure once. */
typedef struct {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed;
} der_buf;

void der_buf_init(der_buf *b);
void der_buf_free(der_buf *b);
/* 0 when every write succeeded, -1 otherwise. */
int der_buf_finish(const der_buf *b);
void der_put_raw(der_buf *b, const void *data, size_t len);
void der_put(der_buf *b, unsigned tag, const void *val, size_t len);
void der_put_uint(der_buf *b, unsigned tag, unsigned long v);
void der_put_bool(der_buf *b, unsigned tag, bool v);
/* Named-bit BIT STRING in DER form (trailing zero bits dropped). */
void der_put_bits(der_buf *b, unsigned tag, uint32_t bits);
/* OID from dotted text; sets `failed` when the text is not an OID. */
void der_put_oid_text(der_buf *b, const char *dotted);
void der_put_str(der_buf *b, unsigned tag, const char *s);
/* Constructed elements: der_open() returns a mark, der_close() writes the
 * length in front of everything written since. Marks nest. */
size_t der_open(der_buf *b, unsigned tag);
void der_close(der_buf *b, size_t mark);

#endif
