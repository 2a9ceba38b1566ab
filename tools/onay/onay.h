/*
 * onay.h: the options of eimza-onay and its two halves: signing through a
 * PKCS#11 module (onay-sign.c) and checking a signature (onay-check.c).
 */
#ifndef EIMZA_ONAY_H
#define EIMZA_ONAY_H

#include <stdbool.h>
#include <time.h>

#include "tools/onay/onay-statement.h"

#define ONAY_PROG "eimza-onay"

struct onay_opts {
	/* the card */
	const char *module, *slot, *token, *pin_src, *cert;
	/* the statement */
	enum onay_kind kind;
	const char *text; /* --text */
	const char *code; /* as given */
	const char *tckn;
	long window;
	bool created_set;
	time_t created;
	/* output */
	const char *output;
	bool base64;
	bool json;
	/* verify */
	const char *file, *ca, *untrusted, *expect;
	bool no_default_ca; /* only --ca, not the Kamu SM roots eimza ships */
	bool at_set;
	time_t at;
};

/* login / approve: sign the statement with the card. An EZ_EXIT_* status
 * or ONAY_EXIT_*. */
int onay_cmd_sign(const struct onay_opts *o);
/* verify FILE: run the checks and report them. */
int onay_cmd_verify(const struct onay_opts *o);

#endif
