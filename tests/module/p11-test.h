/*
 * p11-test.h: helpers for the module's behaviour tests. The tests load the
 * built eimza-pkcs11.so with dlopen, exactly as an application does, and
 * run inside the PC/SC test bed with virtual cards.
 */
#ifndef EIMZA_P11_TEST_H
#define EIMZA_P11_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <p11-kit/pkcs11.h>

extern CK_FUNCTION_LIST_PTR p11;

/* dlopen $EIMZA_MODULE and C_GetFunctionList; fails the test on error. */
void p11_load(void);
/* C_Initialize(NULL) after p11_load. */
void p11_init(void);
/* The slot whose reader is EIMZA_TB_CARD<i>_READER. */
CK_SLOT_ID card_slot(int i);
/* The index of the test bed card with this profile, or -1. */
int card_of(const char *profile);
/* The AKIS generation of test bed card i: 2 (AKIS 2.x) or 1 (AKIS 1.2). */
int card_generation(int i);
/* A card with a seal key (no one-PIN-per-signature): "seal" (EC, 2.x), else
 * "seal-rsa" (the AKIS 1.2 round has no EC); -1 when neither is there. */
int seal_card(void);
/* Open a session on card i (rw or not). */
CK_SESSION_HANDLE open_session(int i, bool rw);
void login_user(CK_SESSION_HANDLE s);
/* Find objects of a class (and optionally an id); returns the count. */
CK_ULONG find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, size_t idlen,
	      CK_OBJECT_HANDLE *out, CK_ULONG max);
/* A whole attribute value, malloc'ed (NULL on failure). */
void *attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, CK_ULONG *len);
bool attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t);
/* Count lines of the card's APDU trace that start with `prefix`. */
int trace_count(int card, const char *prefix);
/* The card's trace so far, in lines (a mark for trace_commands). */
int trace_mark(int card);
/* The commands card received after `mark`, their first `bytes` bytes each
 * ("00 20 00 81" for 4), one per line, into out. */
void trace_commands(int card, int mark, int bytes, char *out, size_t cap);
/* The last command card received that starts with `prefix` ("00 22"), as
 * hex without spaces (for other_client); fails the test when there is none. */
void trace_last_command(int card, const char *prefix, char *hex, size_t cap);
/* Another PC/SC program: `tb-pcsc apdu` sends the APDUs (hex, separated by
 * spaces) to card i in one transaction of its own, killed after `secs`
 * seconds. Its output (one response per line) goes to out; the exit status
 * is returned (124: still waiting for the card when killed). */
int other_client(int card, int secs, const char *apdus, char *out, size_t cap);
/* The status word of the last response other_client printed ("9000"). */
const char *last_sw(const char *out);
/* Run a test-bed control command ($EIMZA_TB_CTL ...). */
int tb_ctl(const char *fmt, ...);
/* The commands card i has received so far (its trace's "> " lines). */
int card_commands(int card);
/* Send one command to card i's runtime ("hold", "release", "status"). */
void card_ctl(int card, const char *cmd);
/* Wait (10 s at most) until card i's runtime status has `word` in it
 * ("pending": a command arrived while it was held). */
void card_wait_status(int card, const char *word);

/* Card movements below the test bed's own commands, for races with pcscd.
 * ctl_send: one command to a card runtime's control socket; the reply line
 * (without newline) goes to `reply`. 0 on success. */
int ctl_send(const char *socket_path, const char *cmd, char *reply, size_t cap);
/* pcscd's insertion/removal counter of card i's reader (-1 on failure). */
long reader_events(int i);
/* Start another `eimza-vcard run IMAGE` on card i's vpcd port, with its own
 * control socket and trace, and wait until it has connected to vpcd (vpcd
 * takes it at its next poll once the reader's connection is free). */
pid_t runtime_start(int i, const char *image, const char *ctl, const char *trace);
/* Stop such a runtime and wait for it. */
void runtime_stop(pid_t pid);
/* Put card i's own runtime back after runtime_stop: wait until pcscd has
 * seen the reader empty, insert the card, wait until pcscd sees it. */
void card_restore(int i);
/* Count lines of an APDU trace file that start with `prefix`. */
int trace_file_count(const char *path, const char *prefix);
/* Verify a signature with the public key of a certificate (DER). */
bool sig_verifies(const void *cert, size_t cert_len, CK_MECHANISM_TYPE mech, const void *data,
		  size_t len, const void *sig, size_t sig_len);

#define PIN "123456"
#define PUK "12345678"

#define ck_assert_rv(call, want)                                                             \
	do {                                                                                 \
		CK_RV rv_ = (call);                                                          \
		ck_assert_msg(rv_ == (CK_RV)(want), "%s: got 0x%lx, want 0x%lx", #call,      \
			      (unsigned long)rv_, (unsigned long)(want));                    \
	} while (0)

#endif
