/*
 * spe.c: PIN_VERIFY / PIN_MODIFY structures to command APDUs (spe.h).
 *
 * The terms are PC/SC part 10's: the structure carries an APDU template
 * (abData: header, Lc, data field); a PIN block sits in the data field,
 * right after Lc for a verification, at bInsertionOffsetOld/New for a
 * modification. Inside a block the PIN frame starts at the offset of
 * bmFormatString bits 6-3 (bytes or bits, bit 7) and holds the digits,
 * binary, BCD or ASCII (bits 1-0), left or right justified (bit 2); the
 * rest of the block keeps the template's bytes (the filler). A length
 * field of bmPINBlockString bits 7-4 bits, at the position of
 * bmPINLengthFormat bits 3-0 (bytes or bits, bit 4), gets the number of
 * digits. The reader recomputes Lc.
 */
#include "config.h"

#include "spe.h"

#include <string.h>

#define VERIFY_HEADER 19 /* PIN_VERIFY_STRUCTURE without abData */
#define MODIFY_HEADER 24 /* PIN_MODIFY_STRUCTURE without abData */

#define FMT_BYTES 0x80
#define FMT_RIGHT 0x04
#define CODING_BINARY 0
#define CODING_BCD 1
#define CODING_ASCII 2
#define LENFMT_BYTES 0x10
#define CONFIRM_NEW 0x01
#define CONFIRM_OLD 0x02
#define VALID_MAX 0x01
#define VALID_KEY 0x02

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const uint8_t *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
	       (unsigned long)p[3] << 24;
}

static unsigned coding(const struct spe_op *op)
{
	return op->format & 0x03;
}

static unsigned digit_bits(const struct spe_op *op)
{
	return coding(op) == CODING_BCD ? 4 : 8;
}

/* Where the frame starts inside its block, in bits. */
static unsigned frame_bits(const struct spe_op *op)
{
	return ((op->format >> 3) & 0x0F) * (op->format & FMT_BYTES ? 8u : 1u);
}

static unsigned block_size(const struct spe_op *op)
{
	return op->block & 0x0F;
}

static unsigned length_bits(const struct spe_op *op)
{
	return op->block >> 4;
}

/* Where the length field starts inside its block, in bits. */
static unsigned length_pos(const struct spe_op *op)
{
	return (op->length_format & 0x0F) * (op->length_format & LENFMT_BYTES ? 8u : 1u);
}

/* Does a block at `off` fit the template, and the frame and the length
 * field the block? */
static bool block_fits(const struct spe_op *op, size_t off)
{
	size_t data = op->apdu_len - 5;
	unsigned lb = length_bits(op), end_len = length_pos(op) + lb;

	if (block_size(op) == 0) {
		/* As long as the digits: its fixed part (up to the frame) is in
		 * the template and holds the length field; only whole bytes. */
		if (!(op->format & FMT_BYTES))
			return false;
		return off + frame_bits(op) / 8 <= data && (lb == 0 || end_len <= frame_bits(op));
	}
	if (off + block_size(op) > data)
		return false;
	if (frame_bits(op) + op->max * digit_bits(op) > block_size(op) * 8u)
		return false;
	return lb == 0 || end_len <= block_size(op) * 8u;
}

uint16_t spe_parse(const uint8_t *in, size_t len, bool modify, unsigned reader_min,
		   unsigned reader_max, struct spe_op *op)
{
	size_t hdr = modify ? MODIFY_HEADER : VERIFY_HEADER;
	unsigned long data_len;

	memset(op, 0, sizeof(*op));
	if (!in || len < hdr)
		return SPE_SW_BAD_PARAM;
	data_len = le32(in + hdr - 4);
	if (data_len != len - hdr || data_len < 5 || data_len > SPE_MAX_APDU)
		return SPE_SW_BAD_PARAM;
	op->modify = modify;
	op->timeout = in[0];
	op->format = in[2];
	op->block = in[3];
	op->length_format = in[4];
	if (modify) {
		op->off_old = in[5];
		op->off_new = in[6];
		op->max = in[7];
		op->min = in[8];
		op->confirm = in[9];
		op->validation = in[10];
	} else {
		op->max = le16(in + 5) & 0xFF;
		op->min = le16(in + 5) >> 8;
		op->validation = in[7];
	}
	memcpy(op->apdu, in + hdr, data_len);
	op->apdu_len = data_len;
	if (coding(op) == 3 || length_bits(op) > 8 || !(op->validation & (VALID_MAX | VALID_KEY)))
		return SPE_SW_BAD_PARAM;
	if (op->max == 0 || op->min > op->max || op->max > reader_max || op->max < reader_min ||
	    op->max > SPE_MAX_DIGITS)
		return SPE_SW_BAD_PARAM;
	if (op->min < reader_min)
		op->min = reader_min;
	if (modify && (op->confirm & ~(CONFIRM_NEW | CONFIRM_OLD)))
		return SPE_SW_BAD_PARAM;
	if (!block_fits(op, modify ? op->off_new : 0) ||
	    (modify && (op->confirm & CONFIRM_OLD) && !block_fits(op, op->off_old)))
		return SPE_SW_BAD_PARAM;
	return 0;
}

unsigned spe_entries(const struct spe_op *op)
{
	if (!op->modify)
		return 1;
	return 1 + ((op->confirm & CONFIRM_OLD) ? 1 : 0) + ((op->confirm & CONFIRM_NEW) ? 1 : 0);
}

bool spe_entry_complete(const struct spe_op *op, size_t digits)
{
	return (op->validation & VALID_KEY) || digits == op->max;
}

/* Write `value` into `nbits` bits of buf from bit `pos` on, most
 * significant bit first. */
static void put_bits(uint8_t *buf, size_t pos, unsigned nbits, unsigned value)
{
	for (unsigned i = 0; i < nbits; i++) {
		size_t bit = pos + i;
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
		if (value >> (nbits - 1 - i) & 1u)
			buf[bit / 8] |= mask;
		else
			buf[bit / 8] &= (uint8_t)~mask;
	}
}

static unsigned digit_value(const struct spe_op *op, char d)
{
	unsigned v = (unsigned)(d - '0');
	return coding(op) == CODING_ASCII ? 0x30u + v : v;
}

/* One block into the data field buf (*len bytes now, room for 255) at
 * `off`. A block of fixed size is filled in place; one of size 0 takes
 * the digits' bytes, and everything after its frame moves right. */
static uint16_t place(const struct spe_op *op, uint8_t *buf, size_t *len, size_t off,
		      const char *pin)
{
	size_t n = strlen(pin), bit0 = off * 8, start;
	unsigned db = digit_bits(op);

	if (block_size(op) == 0) {
		size_t at = off + frame_bits(op) / 8;
		size_t bytes = (n * db + 7) / 8;
		if (*len + bytes > 255)
			return SPE_SW_BAD_PARAM;
		memmove(buf + at + bytes, buf + at, *len - at);
		memset(buf + at, 0xFF, bytes); /* an odd BCD count ends in an F nibble */
		*len += bytes;
		start = frame_bits(op);
	} else {
		start = op->format & FMT_RIGHT ? block_size(op) * 8u - n * db : frame_bits(op);
	}
	for (size_t i = 0; i < n; i++)
		put_bits(buf, bit0 + start + i * db, db, digit_value(op, pin[i]));
	if (length_bits(op))
		put_bits(buf, bit0 + length_pos(op), length_bits(op), (unsigned)n);
	return 0;
}

static uint16_t check_entry(const struct spe_op *op, const char *pin)
{
	size_t n = strlen(pin);

	if (n < op->min || n > op->max || n == 0)
		return SPE_SW_LENGTH;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return SPE_SW_LENGTH; /* a keypad has digits only */
	return 0;
}

uint16_t spe_build(const struct spe_op *op, const char *const *entries, size_t n, uint8_t *out,
		   size_t *out_len)
{
	const char *old_pin = NULL, *new_pin;
	uint8_t data[255];
	size_t len = op->apdu_len - 5;
	uint16_t sw;

	if (n != spe_entries(op))
		return SPE_SW_BAD_PARAM;
	for (size_t i = 0; i < n; i++)
		if ((sw = check_entry(op, entries[i])) != 0)
			return sw;
	if (op->modify && (op->confirm & CONFIRM_OLD))
		old_pin = entries[0];
	new_pin = entries[old_pin ? 1 : 0];
	if (op->modify && (op->confirm & CONFIRM_NEW) && strcmp(new_pin, entries[n - 1]) != 0)
		return SPE_SW_MISMATCH;
	memcpy(data, op->apdu + 5, len);
	if (!op->modify) {
		sw = place(op, data, &len, 0, new_pin);
	} else if (!old_pin) {
		sw = place(op, data, &len, op->off_new, new_pin);
	} else {
		/* The later block first, so that the earlier one's offset still
		 * counts in the template; with the same offset the current PIN
		 * comes first (it is typed first). */
		bool new_later = op->off_new >= op->off_old;
		sw = place(op, data, &len, new_later ? op->off_new : op->off_old,
			   new_later ? new_pin : old_pin);
		if (sw == 0)
			sw = place(op, data, &len, new_later ? op->off_old : op->off_new,
				   new_later ? old_pin : new_pin);
	}
	if (sw != 0) {
		memset(data, 0, sizeof(data));
		return sw;
	}
	memcpy(out, op->apdu, 4);
	out[4] = (uint8_t)len;
	memcpy(out + 5, data, len);
	*out_len = 5 + len;
	memset(data, 0, sizeof(data));
	return 0;
}
