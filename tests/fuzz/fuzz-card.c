/*
 * fuzz-card.c: libFuzzer target for the card layer (module/card, apdu,
 * pkcs15 through a 1.x load): a hostile card, its ATR and every answer
 * taken from the input (fuzz-input.h), through the whole card session of
 * sessions.h: open, load, PIN state, VERIFY, signatures, CHANGE, unblock,
 * logout, GET CHALLENGE. The ATR picks the dialect (1.2 or 2.x), so one
 * target covers both.
 *
 * Besides the sanitizers it holds the card layer to two promises: every
 * transaction it begins it ends, and no PIN byte goes to the card outside
 * the PIN commands (whose data the trace masks).
 */
#include "config.h"

#include "fuzz-input.h"
#include "fuzz.h"
#include "sessions.h"

#include <string.h>

/* The PIN as the trace shows it when a command carries it unmasked. */
#define PIN_IN_TRACE " 31 32 33 34 35 36"

static void check_no_pin(const ez_conn *c)
{
	for (size_t i = 0; i < ez_replay_trace_len(c); i++) {
		const char *line = ez_replay_trace_line(c, i);
		if (line[0] == '>')
			FZ_REQUIRE(!strstr(line, PIN_IN_TRACE), "the PIN went out in a command");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	ez_conn *c = fz_card(&in);

	if (!c)
		return 0;
	fz_card_session(c);
	FZ_REQUIRE(ez_replay_open_transactions(c) == 0, "a transaction was left open");
	check_no_pin(c);
	ez_replay_close(c);
	return 0;
}
