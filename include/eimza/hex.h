/*
 * hex.h: hex text for traces, logs and test fixtures.
 */
#ifndef EIMZA_HEX_H
#define EIMZA_HEX_H

#include <stddef.h>
#include <stdint.h>

/* "3B9F96..." (upper case, no separators); `out` holds 2*len+1 bytes. */
void ez_hex_encode(const uint8_t *in, size_t len, char *out);
/* Spaced form for traces: "3B 9F 96"; `out` holds 3*len+1 bytes. */
void ez_hex_encode_spaced(const uint8_t *in, size_t len, char *out);
/* Parse hex text, ignoring spaces and colons. Returns the byte count, or
 * -1 when the text has an odd digit count, a non-hex character or more
 * bytes than `cap`. */
long ez_hex_decode(const char *text, uint8_t *out, size_t cap);

#endif
