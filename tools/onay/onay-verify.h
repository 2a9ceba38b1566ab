/*
 * onay-verify.h: check an eimza-onay signature, every check on its own.
 *
 * Each check has its own exit status and message, so a portal or a script
 * can tell a tampered file from a wrong code or a closed window. All checks
 * that can run are run (a report lists them); the exit status is the one
 * of the first failing check in the order of enum onay_check.
 */
#ifndef EIMZA_ONAY_VERIFY_H
#define EIMZA_ONAY_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "tools/common/tool.h"
#include "tools/onay/onay-statement.h"

enum onay_check {
	ONAY_CHK_FORMAT,    /* CMS SignedData, one signer, content and CAdES-BES attributes */
	ONAY_CHK_SIGNATURE, /* the signature and the message digest (nothing was changed) */
	ONAY_CHK_CHAIN,     /* the signer certificate chains to the given roots */
	ONAY_CHK_CERT,      /* keyUsage nonRepudiation, QC statements, valid at signing time */
	ONAY_CHK_TEXT,      /* the statement's text is the expected one */
	ONAY_CHK_CODE,      /* the verification code */
	ONAY_CHK_TCKN,      /* the holder's T.C. Kimlik No */
	ONAY_CHK_WINDOW,    /* signing time within the code's window */
	ONAY_CHK_N
};

/* Exit statuses of eimza-onay beyond the common table (tool.h). */
enum {
	ONAY_EXIT_WINDOW = 8,     /* the code's window closed (sign and verify) */
	ONAY_EXIT_FORMAT = 9,     /* not an eimza-onay CAdES signature */
	ONAY_EXIT_UNTRUSTED = 10, /* no chain to the roots */
	ONAY_EXIT_CERT = 11,      /* certificate unfit for a qualified signature */
	ONAY_EXIT_CODE = 12,      /* another verification code */
	ONAY_EXIT_TEXT = 13,      /* another text */
	ONAY_EXIT_TCKN = 14,      /* another T.C. Kimlik No */
};

struct onay_check_result {
	bool run; /* false: not applicable or not asked for (msg says why) */
	bool ok;
	char msg[512];
};

struct onay_verify_opts {
	X509_STORE *roots;          /* trust anchors (--ca) */
	STACK_OF(X509) *untrusted;  /* extra intermediate certificates, or NULL */
	const char *code;           /* expected code (normalized), or NULL */
	const char *tckn;           /* expected T.C. Kimlik No, or NULL */
	const char *text;           /* expected text, or NULL */
	int kind;                   /* expected enum onay_kind, or -1 */
	time_t at;                  /* verification time */
	long window;                /* seconds */
	bool local_times;           /* times in messages: local with offset, or UTC */
};

struct onay_verify_result {
	struct onay_check_result chk[ONAY_CHK_N];
	bool have_statement;
	struct onay_statement st;
	bool have_signing_time;
	time_t signing_time;
	bool have_signer;
	struct ez_cert_info signer;
	char qc_type[16]; /* "esign", "eseal", "eweb" or "" */
	bool qc_sscd;
};

const char *onay_check_name(enum onay_check c);
int onay_check_exit(enum onay_check c);

/* The signature file as written (DER), PEM, or base64 as --base64 prints
 * it: into DER. *out malloc'd. 0 or -1. */
int onay_input_to_der(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen);

/* Run every check on a DER signature. Returns EZ_EXIT_OK or the status of
 * the first failing check. */
int onay_verify(const unsigned char *der, size_t len, const struct onay_verify_opts *o,
                struct onay_verify_result *r);

#endif
