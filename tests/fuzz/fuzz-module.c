/*
 * fuzz-module.c: libFuzzer target for the whole module: the PKCS#11 front,
 * the token model and the card side, linked with the scripted reader of
 * module/transport/replay.h instead of PC/SC. One reader holds a hostile
 * card whose ATR and answers are the input (fuzz-input.h); an application
 * goes through the session of sessions.h: C_Initialize, slots, token info,
 * mechanisms, a session, every object and attribute, C_Login, C_Sign with
 * every key, C_SetPIN, an SO login and C_InitPIN, C_GenerateRandom,
 * C_Finalize.
 *
 * Besides the sanitizers (leaks included: C_Finalize must free what the
 * card made the module allocate) it holds the module to one promise: no
 * PIN byte goes to the card outside the PIN commands.
 */
#include "config.h"

#include "fuzz-input.h"
#include "fuzz.h"
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

#define PIN_IN_TRACE " 31 32 33 34 35 36"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The module reads no configuration of this machine's and logs
	 * nothing: the input alone decides what happens. EIMZA_FUZZ_LOG=1
	 * keeps the log (EIMZA_DEBUG=1, the APDU trace), to read what the
	 * module did with one input (docs/fuzzing.md). */
	setenv("EIMZA_CONF", "/dev/null", 1);
	/* Every run reads its card: a cache entry from an earlier input would
	 * make the module send other commands than the input answers. */
	setenv("EIMZA_CACHE", "0", 1);
	unsetenv("EIMZA_READERS_INCLUDE");
	unsetenv("EIMZA_READERS_EXCLUDE");
	if (!getenv("EIMZA_FUZZ_LOG")) {
		unsetenv("EIMZA_DEBUG");
		unsetenv("EIMZA_DEBUG_FILE");
		unsetenv("EIMZA_APDU_TRACE");
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = {data, size};
	ez_conn *c = fz_card(&in);

	if (!c)
		return 0;
	fz_module_session(c);
	for (size_t i = 0; i < ez_replay_trace_len(c); i++) {
		const char *line = ez_replay_trace_line(c, i);
		if (line[0] == '>')
			FZ_REQUIRE(!strstr(line, PIN_IN_TRACE), "the PIN went out in a command");
	}
	ez_replay_close(c);
	return 0;
}
