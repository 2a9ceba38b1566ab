/*
 * keypad.h: the keys of the virtual PIN-pad reader. A person types on a
 * real reader's keypad; here the test bed's control socket does
 * (`$EIMZA_TB_CTL pinpad-type I DIGITS...`, docs/testbed.md). The socket is
 * listened to only while the reader asks for a PIN, as a keypad is read
 * only then: a command sent earlier waits in the socket's queue until the
 * next PIN entry starts.
 *
 * One line per connection, one line back:
 *   type E1 [E2 [E3]]  entries (digits, each ended by the OK key), taken in
 *                      order by the prompts of the PIN entry: "ok" once
 *                      taken, "error ..." when the entry wants fewer
 *   cancel             the Cancel key: the reader answers 64 01
 *   timeout            the time runs out now: the reader answers 64 00
 *   wait               "ok waiting": a PIN entry is in progress
 */
#ifndef EIMZA_TB_KEYPAD_H
#define EIMZA_TB_KEYPAD_H

#include <stddef.h>

#include "spe.h"

enum kp_result {
	KP_DONE,      /* every entry typed */
	KP_CANCEL,    /* the Cancel key */
	KP_TIMEOUT,   /* no (complete) entry in time, or the timeout command */
	KP_CARD_GONE, /* the card left the reader while it waited */
};

/* Collect the entries `op` needs (spe_entries) into entries[], waiting at
 * most `timeout_s` seconds, and watching the card's connection `card_fd`
 * (its closing is the card pulled out). The entries hold PINs: the caller
 * wipes them. */
enum kp_result keypad_collect(int listen_fd, int card_fd, const struct spe_op *op,
			      unsigned timeout_s, char entries[3][SPE_MAX_DIGITS + 1]);

#endif
