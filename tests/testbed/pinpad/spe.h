/*
 * spe.h: what a PIN-pad reader does with a PC/SC part 10 PIN_VERIFY or
 * PIN_MODIFY structure (FEATURE_VERIFY_PIN_DIRECT, _MODIFY_PIN_DIRECT):
 * check it, say how many entries the user types, and build the command
 * APDU from its template and the digits typed. Written from PC/SC part 10
 * (the structures and their return codes) and the CCID specification
 * (PC_to_RDR_Secure: how the PIN and its length are placed in a block),
 * never from the module, which builds the structures.
 *
 * Where the specifications leave the reader free, this reader does what
 * docs/pinpad.md says ("The virtual PIN-pad reader"): a PIN block size of
 * 0 makes a block as long as the digits typed, and what follows it in the
 * template moves right (Lc is recomputed).
 */
#ifndef EIMZA_TB_SPE_H
#define EIMZA_TB_SPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The reader's answers besides the card's status word (PC/SC part 10). */
#define SPE_SW_TIMEOUT 0x6400  /* no entry in time */
#define SPE_SW_CANCEL 0x6401   /* the Cancel key */
#define SPE_SW_MISMATCH 0x6402 /* the two new PINs differ */
#define SPE_SW_LENGTH 0x6403   /* a PIN shorter or longer than min/max */
#define SPE_SW_BAD_PARAM 0x6B80 /* the structure is not one this reader takes */

#define SPE_MAX_DIGITS 16
#define SPE_MAX_APDU (5 + 255)

struct spe_op {
	bool modify;
	uint8_t timeout;      /* bTimerOut, seconds; 0: the reader's default */
	uint8_t format;       /* bmFormatString */
	uint8_t block;        /* bmPINBlockString */
	uint8_t length_format; /* bmPINLengthFormat */
	uint8_t off_old, off_new; /* bInsertionOffsetOld/New (modify) */
	uint8_t confirm;      /* bConfirmPIN (modify) */
	uint8_t validation;   /* bEntryValidationCondition */
	unsigned min, max;    /* wPINMaxExtraDigit */
	uint8_t apdu[SPE_MAX_APDU]; /* abData: the APDU template */
	size_t apdu_len;
};

/* Read a structure of `len` bytes (the bytes SCardControl carried) and
 * check it against this reader (PIN digits from reader_min to reader_max).
 * 0, or SPE_SW_BAD_PARAM. */
uint16_t spe_parse(const uint8_t *in, size_t len, bool modify, unsigned reader_min,
		   unsigned reader_max, struct spe_op *op);

/* How many entries the user types: 1 for a verification; for a
 * modification the current PIN (bConfirmPIN bit 1), the new PIN, and the
 * new PIN again (bit 0). */
unsigned spe_entries(const struct spe_op *op);

/* May the digits typed so far end an entry? With the validation key
 * (bEntryValidationCondition 02) any count does (the length is checked
 * when the APDU is built); with only "maximum size reached" (01) the
 * entry ends at exactly op->max digits. */
bool spe_entry_complete(const struct spe_op *op, size_t digits);

/* Build the APDU from the entries typed (ASCII digits, NUL-terminated, in
 * the order spe_entries() counts them). 0 and the APDU in out/out_len, or
 * SPE_SW_LENGTH, SPE_SW_MISMATCH or SPE_SW_BAD_PARAM (nothing to send). */
uint16_t spe_build(const struct spe_op *op, const char *const *entries, size_t n, uint8_t *out,
		   size_t *out_len);

#endif
