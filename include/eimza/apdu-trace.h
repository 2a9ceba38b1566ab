/*
 * apdu-trace.h: one line of text per APDU for traces, with secrets and
 * personal data masked.
 *
 * The one masking rule of the project, used by the virtual card's trace, the
 * module's APDU trace (EIMZA_DEBUG) and `eimza-info probe` alike:
 *   - the data field of VERIFY (INS 20), CHANGE REFERENCE DATA (24) and
 *     RESET RETRY COUNTER (2C) is replaced by "**" per byte, whatever the
 *     class byte, so no PIN or PUK byte reaches a trace;
 *   - in a response, every run of four or more text characters (printable
 *     ASCII or UTF-8) is replaced by "..", one per byte: names, the T.C.
 *     Kimlik No and tax numbers in certificates and key labels are text, so
 *     a trace a user attaches to a bug report shows the structure of the
 *     card's answers (tags, lengths, status words) but not who the card
 *     belongs to.
 */
#ifndef EIMZA_APDU_TRACE_H
#define EIMZA_APDU_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True for the instructions whose data field is always masked. */
bool ez_apdu_is_secret_ins(uint8_t ins);

/* "> 00 20 00 81 06 ** ** ** ** ** **" for a command, "< 30 82 .. .. 90 00"
 * style for a response. The line is cut with " ..." when it does not fit
 * `cap`. */
void ez_apdu_trace_line(const uint8_t *apdu, size_t len, bool command, char *out, size_t cap);

#endif
