/*
 * replay.h: a scripted stand-in for the PC/SC transport, for unit tests and
 * fuzzers of the card side (apdu, card, pkcs15). It defines the ez_conn_*
 * functions the card side calls (pcsc.h) and is linked instead of pcsc.c,
 * never into the module: the card layer runs unchanged against answers
 * recorded from a card, written from the public evidence, or hostile.
 *
 * Two ways to answer:
 *   - a script: every command the card layer sends must equal the next
 *     expected one (hex; ".." matches any byte, a trailing "*" any rest),
 *     and gets its scripted answer; the first difference is recorded and
 *     answered 6F 00, so a test sees both the error and where it happened;
 *   - a responder callback, which answers anything (fuzzers).
 * Every command and answer is also kept as a trace line (ez_apdu_trace_line,
 * PINs masked), for tests that count or print them.
 *
 * The PKCS#11 front needs a PC/SC context as well (readers, their state):
 * ez_replay_reader() below makes the ez_pcsc_* functions show one reader
 * holding one scripted card (replay-reader.c), so the whole module runs
 * against a script or a hostile card (tests/fuzz).
 */
#ifndef EIMZA_MODULE_REPLAY_H
#define EIMZA_MODULE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsc.h"

ez_conn *ez_replay_open(const uint8_t *atr, size_t atr_len);
/* From hex text ("3B 9F ..." or "3B9F..."); NULL when not hex. */
ez_conn *ez_replay_open_hex(const char *atr_hex);
void ez_replay_close(ez_conn *c);
/* ez_conn_close() (what the module calls) leaves this connection to its
 * owner, who closes it with ez_replay_close(); without it ez_conn_close()
 * closes it, as a token closes its own. */
void ez_replay_keep(ez_conn *c);

/* Queue one expected command and its answer (data and status word, hex). */
void ez_replay_expect(ez_conn *c, const char *cmd_hex, const char *rsp_hex);
/* Expected commands not sent yet. */
size_t ez_replay_pending(const ez_conn *c);
/* The first mismatch ("step 3: sent 00 A4 ..., expected 00 A4 ..."), or
 * NULL when every command matched. */
const char *ez_replay_error(const ez_conn *c);

/* Answer with a callback instead of a script: rsp gets data + SW1 SW2,
 * *rsp_len in: capacity (>= 258), out: length. */
typedef void (*ez_replay_fn)(void *arg, const uint8_t *cmd, size_t len, uint8_t *rsp,
			     size_t *rsp_len);
void ez_replay_set_responder(ez_conn *c, ez_replay_fn fn, void *arg);

/* The trace: lines "> 00 A4 ..." and "< 90 00", in order. */
size_t ez_replay_trace_count(const ez_conn *c, const char *prefix);
const char *ez_replay_trace_line(const ez_conn *c, size_t i); /* NULL past the end */
size_t ez_replay_trace_len(const ez_conn *c);
/* Exchanges so far, and transactions still open (begin minus end). */
size_t ez_replay_exchanges(const ez_conn *c);
int ez_replay_open_transactions(const ez_conn *c);
/* How often the card was reset by ez_conn_recover() (a lost connection
 * taken up again: the card answers the next command as a reset card would,
 * with whatever the script or the responder gives). */
size_t ez_replay_recoveries(const ez_conn *c);

/* A PIN-pad reader: ez_conn_pinpad() answers `caps` (EZ_PAD_*), and the
 * keypad's limits `min` and `max`. A PIN command the card layer hands the
 * reader (ez_conn_pinpad_run) is scripted like an APDU: the expected
 * command is "PAD " and the template APDU (the command without the PINs),
 * the answer the status word the reader returns; a responder gets the
 * template. ez_replay_last_pad() is the whole description of the last
 * one (where each PIN goes, how it is coded), NULL before the first. */
void ez_replay_pinpad(ez_conn *c, unsigned caps, unsigned min, unsigned max);
const struct ez_pad_cmd *ez_replay_last_pad(const ez_conn *c);

/* ---- one reader with one card, for the ez_pcsc_* functions ---------------- */

/* The process's one reader: named `name` (NULL: no reader at all), holding
 * `card` (NULL: empty). ez_conn_open() on it gives `card` itself, and the
 * module's ez_conn_close() leaves it open: the card stays the caller's, who
 * reads its trace and frees it with ez_replay_close() after C_Finalize. */
void ez_replay_reader(const char *name, ez_conn *card);
/* A card taken out or put in: the reader's event counter moves, as pcscd's
 * does, so the front drops its token and reads the new card. */
void ez_replay_reader_insert(ez_conn *card);
void ez_replay_reader_remove(void);

#endif
