/*
 * apdu-trace.h: one line of text per APDU for traces, with secrets masked.
 *
 * The one masking rule of the project, used by the virtual card's trace and
 * the module's APDU trace alike: the data field of VERIFY (INS 20), CHANGE
 * REFERENCE DATA (24) and RESET RETRY COUNTER (2C) is replaced by "**" per
 * byte, whatever the class byte, so no PIN or PUK byte reaches a trace.
 */
#ifndef EIMZA_APDU_TRACE_H
#define EIMZA_APDU_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True for the instructions whose data field is always masked. */
bool ez_apdu_is_secret_ins(uint8_t ins);

/* "> 00 20 00 81 06 ** ** ** ** ** **" for a command, "< 90 00" style for a
 * response (responses are shown as they are: a card never returns a PIN).
 * The line is cut with " ..." when it does not fit `cap`. */
void ez_apdu_trace_line(const uint8_t *apdu, size_t len, bool command, char *out, size_t cap);

#endif
