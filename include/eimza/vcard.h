/*
 * vcard.h: the virtual AKIS card engine.
 *
 * APDU in, APDU out, card state in memory. The engine knows nothing of
 * sockets or PC/SC: `eimza-vcard run` wraps it in a vpcd client, unit tests
 * drive it in-process, `eimza-vcard init` personalizes it. Everything the
 * engine assumes about AKIS beyond the public facts comes from
 * <eimza/akis-profile.h>.
 *
 * Persistence: when an image path is set, every change that must last (a
 * PIN try counter, a blocked or unblocked PIN, a changed PIN, a file
 * written, the life cycle) is saved with an atomic write *before* the
 * response leaves vcard_transmit(). If saving fails the change is undone
 * in memory too and the command answers 65 81 (memory failure).
 *
 * Thread safety: a vcard is used by one thread at a time.
 */
#ifndef EIMZA_VCARD_H
#define EIMZA_VCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eimza/akis-profile.h>

typedef struct vcard vcard;
typedef struct evp_pkey_st EVP_PKEY; /* OpenSSL's; avoids pulling its headers in */

/* A short APDU response is at most 256 data bytes and SW1 SW2. */
#define VCARD_MAX_RESPONSE 258
/* Largest image file the loader accepts. */
#define VCARD_MAX_IMAGE (4u * 1024 * 1024)

/* ---- life ---------------------------------------------------------------- */

/* A blank card: the MF (3F00) only, administration life cycle, no PINs, no
 * keys, the given ATR (NULL for the default, AKIS v1.2.2), powered off. */
vcard *vcard_new(const struct akis_atr *atr);
void vcard_free(vcard *c);

/* Load an image. Any malformed, truncated or oversized image is refused
 * with a message in `err`, never a crash. 0 on success. */
int vcard_load(const char *path, vcard **out, char *err, size_t errlen);
/* Save the whole card to `path` with an atomic write. 0 on success. */
int vcard_save(const vcard *c, const char *path);
/* Save automatically to `path` on every lasting change (NULL: never). */
int vcard_set_image_path(vcard *c, const char *path);

/* ---- power --------------------------------------------------------------- */

/* The ATR into buf; returns its length (0 when cap is too small). */
size_t vcard_atr(const vcard *c, uint8_t *buf, size_t cap);
/* Power off and on and warm reset clear the volatile state: security
 * status, current DF, selected key, pending chained command, pending
 * response data. Lasting state (counters, files) stays. */
void vcard_power_on(vcard *c);
void vcard_power_off(vcard *c);
void vcard_reset(vcard *c);
bool vcard_powered(const vcard *c);

/* ---- APDUs --------------------------------------------------------------- */

/* Process one command APDU (short form, ISO 7816-4 cases 1 to 4). Writes
 * the response (data, SW1, SW2) and returns its length, always >= 2 when
 * cap >= 2. Never fails on any input: malformed commands get an error
 * status word. A card that is powered off answers 6F 00. */
size_t vcard_transmit(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t cap);

/* What the last command was, for the runtime's latency model. */
enum vcard_op_kind {
	VCARD_OP_PLAIN,
	VCARD_OP_SIGN_RSA,
	VCARD_OP_SIGN_EC,
};
enum vcard_op_kind vcard_last_op(const vcard *c);

/* ---- personalization: what no APDU of the command set does ------------- */

/* These work only in the administration life cycle (-1 otherwise). Files
 * and DFs are made with CREATE/UPDATE BINARY APDUs, as on a real card. */

/* A PIN or PUK object: reference (81, 82 ...), value, retry limit, length
 * policy. `unblock_ref` is the reference whose RESET RETRY COUNTER resets
 * this one (the PUK's for the PIN; 0 for none). */
int vcard_add_pin(vcard *c, uint8_t ref, const uint8_t *value, size_t len, unsigned max_tries,
		  unsigned min_len, unsigned max_len, uint8_t unblock_ref);
/* A private key (RSA 2048/3072, EC P-256/P-384) under key reference `ref`,
 * usable after VERIFY of `pin_ref`; with `user_consent` a VERIFY is needed
 * right before every signature. The engine keeps its own reference to the
 * key (EVP_PKEY_up_ref). */
int vcard_add_key(vcard *c, uint8_t ref, EVP_PKEY *key, uint8_t pin_ref, bool user_consent);
/* The 12-byte serial number returned by GET DATA 06. */
int vcard_set_serial(vcard *c, const uint8_t serial[AKIS_DATA_SERIAL_LEN]);

/* ---- observation: tests, traces --------------------------------------- */

/* Tries left of a PIN object; -1 when there is no such reference. */
int vcard_pin_tries(const vcard *c, uint8_t ref);
/* The life cycle byte (AKIS_LIFE_ADMINISTRATION or AKIS_LIFE_USER). */
uint8_t vcard_life_cycle(const vcard *c);

/* Trace: called once per command and once per response with a line of
 * text ("> 00 20 00 81 06 ** ** ** ** ** **" / "< 90 00"). The data of
 * VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER is always masked:
 * no PIN or PUK byte ever reaches a trace. NULL turns tracing off. */
typedef void (*vcard_trace_fn)(void *arg, const char *line);
void vcard_set_trace(vcard *c, vcard_trace_fn fn, void *arg);

/* Lines are formatted by ez_apdu_trace_line() (<eimza/apdu-trace.h>), the
 * one masking rule the module's APDU trace uses too. */

#endif
