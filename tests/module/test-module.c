/*
 * test-module.c: the module's behaviour tests (Check), run inside the test
 * bed by test-module.sh with the cards nes-rsa, nes-ec, seal, multi and
 * seal-rsa.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *general_suite(void);
Suite *interfaces_suite(void);
Suite *threads_suite(void);
Suite *trace_suite(void);
Suite *roundtrips_suite(void);
Suite *close_race_suite(void);
Suite *objects_suite(void);
Suite *sign_suite(void);
Suite *pin_suite(void);
Suite *hotplug_suite(void);
Suite *cache_suite(void);
Suite *removal_suite(const char *round);
Suite *pinpad_suite(void);

/* test-module.sh runs this program in rounds: round "full", with a card of
 * each profile, runs every suite (objects and signatures on every card);
 * the removal rounds pull slow cards out (test-p11-removal.c). Any other
 * round runs the suites that depend on the card's profile: objects and
 * signatures, for a quick look at one profile. */
int main(void)
{
	const char *round = getenv("EIMZA_TEST_ROUND");
	bool full = round && strcmp(round, "full") == 0;
	SRunner *r;
	int failed;

	/* Removals: slow cards (--latency) for pulls in the middle of an
	 * operation, and pulls pcscd does not see (test-p11-removal.c). */
	if (round && (strcmp(round, "removal") == 0 || strcmp(round, "removal-consent") == 0 ||
		      strcmp(round, "fast-swap") == 0)) {
		r = srunner_create(removal_suite(round));
		srunner_run_all(r, CK_NORMAL);
		failed = srunner_ntests_failed(r);
		srunner_free(r);
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	/* PINs typed on a PIN-pad reader's keypad (test-p11-pinpad.c). */
	if (round && strcmp(round, "pinpad") == 0) {
		r = srunner_create(pinpad_suite());
		srunner_run_all(r, CK_NORMAL);
		failed = srunner_ntests_failed(r);
		srunner_free(r);
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	/* pcscd round trips, with the pcsc-count.so shim preloaded; the
	 * close-during-signature race alone, under helgrind. */
	if (round && (strcmp(round, "roundtrips") == 0 || strcmp(round, "close-race") == 0)) {
		r = srunner_create(strcmp(round, "roundtrips") == 0 ? roundtrips_suite()
								    : close_race_suite());
		srunner_run_all(r, CK_NORMAL);
		failed = srunner_ntests_failed(r);
		srunner_free(r);
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	r = srunner_create(objects_suite());

	if (!getenv("EIMZA_TB_CARDS")) {
		fprintf(stderr, "run me inside eimza-testbed (see test-module.sh)\n");
		return 99;
	}
	srunner_add_suite(r, sign_suite());
	if (full) {
		/* Before hotplug, which swaps cards for others. */
		srunner_add_suite(r, cache_suite());
		srunner_add_suite(r, general_suite());
		srunner_add_suite(r, interfaces_suite());
		srunner_add_suite(r, threads_suite());
		srunner_add_suite(r, trace_suite());
		srunner_add_suite(r, pin_suite());
		srunner_add_suite(r, hotplug_suite());
	}
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
