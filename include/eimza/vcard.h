/*
 * vcard.h: the virtual AKIS card engine.
 *
 * APDU in, APDU out, card state in memory. The engine knows nothing of
 * sockets or PC/SC: `eimza-vcard run` wraps it in a vpcd client, unit tests
 * drive it in-process, `eimza-vcard init` personalizes it.
 *
 * A card belongs to one of two generations, each with its own command set
 * (docs/vcard.md has a table per generation, with the public evidence
 * behind every row):
 *   - AKIS 1.2: "UEKAE" ATRs, a PKCS#15 file system, MSE 00 22 C3,
 *     VERIFY with no data as a status query, blocked = 69 84;
 *   - AKIS 2.x: "TC" ATRs, certificates in EFs 2F10.. of the DF named
 *     "PKCS-15", keys and PINs as security data objects (GET DATA 00 CB),
 *     MSE 00 22 41 B6, blocked = 69 83. Within 2.x the ATR's version
 *     decides: 2.0-2.2 have no EC and PSS with SHA-1/SHA-256 only; 2.5 and
 *     later (and any ATR that is not a parsable TC ATR) add ECDSA and PSS
 *     with SHA-384/SHA-512.
 * The engine's constants are its own (the headers in tools/vcard/engine/): it shares no
 * code or table with the PKCS#11 module it examines.
 *
 * Persistence: when an image path is set, every change that must last (a
 * PIN try counter, a blocked or unblocked PIN, a changed PIN, a file
 * written, the life cycle) is saved with an atomic write *before* the
 * response leaves vcard_transmit(). A PIN try is counted and saved before
 * the PIN is compared, as real cards do: a kill at any moment never loses
 * a try, and the image does not tell a right try from a wrong one before
 * the answer. If a save fails the change is undone in memory and the
 * command answers 65 81 (memory failure).
 *
 * Thread safety: a vcard is used by one thread at a time.
 */
#ifndef EIMZA_VCARD_H
#define EIMZA_VCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vcard vcard;
typedef struct evp_pkey_st EVP_PKEY; /* OpenSSL's; avoids pulling its headers in */

/* A short APDU response is at most 256 data bytes and SW1 SW2. */
#define VCARD_MAX_RESPONSE 258
/* Largest image file the loader accepts. */
#define VCARD_MAX_IMAGE (4u * 1024 * 1024)
/* The card serial: 8 bytes on both generations (GET DATA 06 bytes 57..64
 * on 1.2, GET DATA 0B on 2.x). */
#define VCARD_SERIAL_LEN 8
/* Longest PIN or PUK value the engine stores. */
#define VCARD_MAX_PIN_LEN 16
/* Longest key or PIN name (2.x SDO header tag 84). */
#define VCARD_MAX_LABEL 64
/* An ATR is at most 33 bytes (ISO/IEC 7816-3). */
#define VCARD_MAX_ATR 33

enum vcard_generation {
	VCARD_GEN_1_2 = 1, /* AKIS 1.2 */
	VCARD_GEN_2 = 2,   /* AKIS 2.x */
};

enum vcard_life {
	VCARD_LIFE_PERSONALIZATION, /* engine calls and CREATE/UPDATE allowed */
	VCARD_LIFE_OPERATIONAL,     /* in use: 1.2 "user", 2.x phase A5 */
};

/* ---- ATRs ------------------------------------------------------------------ */

enum vcard_atr_family {
	VCARD_ATR_OTHER, /* none of the AKIS families below */
	VCARD_ATR_UEKAE, /* historical bytes 80 67 "UEKAE" vv vv 31 80 73 B3 A1 80: AKIS 1.x */
	VCARD_ATR_TC,    /* historical bytes 80 65 "TC" CC V1 V2 31 C0 73 F6 21 80 81 LL: 2.x */
};

struct vcard_atr_info {
	enum vcard_atr_family family;
	/* TC family with a version this engine can read (evidence fact 1):
	 * version major.minor.patch and the chip code CC & 3F. */
	bool tc_version_known;
	unsigned major, minor, patch;
	uint8_t chip;
	/* UEKAE family: the two version bytes after "UEKAE". */
	uint8_t uekae_version[2];
};

/* Check that `atr` is a well-formed ATR: TS 3B or 3F, 2 to 33 bytes, the
 * interface bytes T0 and TDi announce, the historical bytes, and TCK
 * (present and right whenever a protocol other than T=0 is announced).
 * 0 when it is; -1 with the reason in `err`. */
int vcard_atr_check(const uint8_t *atr, size_t len, char *err, size_t errlen);
/* Family and version of a well-formed ATR (family OTHER otherwise). */
void vcard_atr_describe(const uint8_t *atr, size_t len, struct vcard_atr_info *out);
/* True when a 2.x card with this ATR speaks the 2.5 command set (ECDSA,
 * PSS with SHA-384/512): every ATR but a TC ATR of version 2.0 to 2.2. */
bool vcard_atr_gen2_has_ec(const uint8_t *atr, size_t len);

/* The ATRs of the public evidence, by short name (`eimza-vcard init --atr`). */
struct vcard_named_atr {
	const char *id;            /* "tc-2.5.2-nxp" */
	enum vcard_generation gen; /* the generation whose family it is */
	const char *hex;           /* the exact ATR */
	const char *note;          /* where the evidence has it */
};
/* The table, ending with an entry whose id is NULL. */
extern const struct vcard_named_atr vcard_atrs[];
const struct vcard_named_atr *vcard_atr_by_id(const char *id);
/* The default ATR of a generation (1.2: UEKAE 12 92; 2.x: 2.5.2 NXP). */
const struct vcard_named_atr *vcard_atr_default(enum vcard_generation gen);

/* ---- life ---------------------------------------------------------------- */

/* A blank card of `gen` in the personalization life cycle, powered off.
 * 1.2: the MF (3F00) only; files are made with CREATE and UPDATE BINARY
 * APDUs, as on a real card. 2.x: the MF and the DF named "PKCS-15" (its
 * file id is the engine's choice; only selection by name is promised).
 * `atr` NULL for the generation's default; otherwise it must pass
 * vcard_atr_check(). NULL on a bad argument or no memory. */
vcard *vcard_new(enum vcard_generation gen, const uint8_t *atr, size_t atr_len);
void vcard_free(vcard *c);

/* Load an image. Any malformed, truncated, oversized or inconsistent image
 * (or one of an older format) is refused with a message in `err`, never a
 * crash. 0 on success. */
int vcard_load(const char *path, vcard **out, char *err, size_t errlen);
/* Save the whole card to `path` with an atomic write. 0 on success. */
int vcard_save(const vcard *c, const char *path);
/* Save automatically to `path` on every lasting change (NULL: never). */
int vcard_set_image_path(vcard *c, const char *path);

/* ---- power --------------------------------------------------------------- */

/* The ATR into buf; returns its length (0 when cap is too small). */
size_t vcard_atr(const vcard *c, uint8_t *buf, size_t cap);
/* Power off and on and warm reset clear the volatile state: security
 * status, current DF (back to the MF), security environment, pending
 * chained command, pending response data. Lasting state stays. */
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

/* These work only in the personalization life cycle (-1 otherwise, and on
 * any value the generation does not allow). */

/* A PIN or PUK. 1.2: `ref` is VERIFY's P2 (81 PIN, 82 PUK). 2.x: `ref` 8n
 * makes the security data object BF 81 0n (81 PIN, 82 PUK). `unblock_ref`
 * names the object that unblocks this one (the PUK's ref for the PIN; 0
 * for none). Lengths are digits: min_len..max_len bound both the value and
 * every later change. */
struct vcard_pin_spec {
	uint8_t ref;
	const uint8_t *value;
	size_t len;
	unsigned max_tries; /* 1..15 */
	unsigned min_len, max_len;
	uint8_t unblock_ref;
	const char *name; /* 2.x header tag 84 ("PIN", "PUK"); NULL for none */
};
int vcard_add_pin(vcard *c, const struct vcard_pin_spec *spec);

/* A private key, usable after VERIFY of `pin_ref` (a PIN object added
 * before). 1.2: RSA-2048/3072
 * only, `ref` is MSE C3's key reference. 2.x: RSA-2048/3072, and EC
 * P-256/P-384 when the ATR gives the 2.5 command set; `ref` is the object
 * id 1..127 (BF 90/91 id for the private key, BF A0/A1 id for its public
 * key; MSE names it 80|id). With `per_signature_pin` a VERIFY is needed
 * since the key's last signature (1.2: the PrKDF's userConsent; 2.x: the
 * header's non-repudiation flag 9E = 01). The engine keeps its own
 * reference to the key (EVP_PKEY_up_ref). */
struct vcard_key_spec {
	uint8_t ref;
	EVP_PKEY *key;
	uint8_t pin_ref;
	bool per_signature_pin;
	const char *label; /* 2.x header tag 84; NULL for none */
};
int vcard_add_key(vcard *c, const struct vcard_key_spec *spec);

/* 2.x only: a transparent EF `fid` holding `data` directly under the
 * PKCS-15 DF (certificates go to 2F10, 2F11, ...). 1.2 cards get their
 * files through CREATE and UPDATE BINARY APDUs instead. */
int vcard_put_file(vcard *c, uint16_t fid, const uint8_t *data, size_t len);

/* The card serial (1.2: GET DATA 06 bytes 57..64; 2.x: GET DATA 0B). */
int vcard_set_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN]);
/* 2.x only: the second serial GET DATA 0F answers. */
int vcard_set_second_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN]);
/* 2.x only: public-key objects (BF A0/A1) answer 69 82 to every GET DATA
 * instead of their header and key. */
int vcard_set_public_keys_protected(vcard *c, bool on);
/* Leave personalization for good (1.2 does it with SET LIFE CYCLE too). */
int vcard_end_personalization(vcard *c);

/* ---- observation: tests, traces, `eimza-vcard info` ---------------------- */

enum vcard_generation vcard_generation(const vcard *c);
/* 2.x: true when the card speaks the 2.5 command set (see the top). */
bool vcard_has_ec(const vcard *c);
/* Tries left / the retry limit of a PIN object by reference; -1 when
 * there is no such object. */
int vcard_pin_tries(const vcard *c, uint8_t ref);
int vcard_pin_max_tries(const vcard *c, uint8_t ref);
/* The length policy of a PIN object (0 and -1 when there is none). */
int vcard_pin_lengths(const vcard *c, uint8_t ref, unsigned *min_len, unsigned *max_len);
/* Whether the security status holds a VERIFY of `ref` right now. */
bool vcard_pin_verified(const vcard *c, uint8_t ref);
enum vcard_life vcard_life_cycle(const vcard *c);
void vcard_serial(const vcard *c, uint8_t out[VCARD_SERIAL_LEN]);
/* Number of private keys. */
size_t vcard_key_count(const vcard *c);
bool vcard_public_keys_protected(const vcard *c);

/* Trace: called once per command and once per response with a line of
 * text ("> 00 20 00 81 06 ** ** ** ** ** **" / "< 90 00"). The data of
 * VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER is always masked:
 * no PIN or PUK byte ever reaches a trace. NULL turns tracing off. Lines
 * are formatted by ez_apdu_trace_line() (<eimza/apdu-trace.h>). */
typedef void (*vcard_trace_fn)(void *arg, const char *line);
void vcard_set_trace(vcard *c, vcard_trace_fn fn, void *arg);

/* For tests of persistence: called before every save of the image with
 * the number of saves so far (1 for the first). Returning -1 makes that
 * save fail without writing (a full disk); the hook may also end the
 * process to imitate a kill between two saves. NULL removes it. */
typedef int (*vcard_save_hook_fn)(void *arg, unsigned count);
void vcard_set_save_hook(vcard *c, vcard_save_hook_fn fn, void *arg);

/* For tests of the try rule: called right after a PIN or PUK value was
 * compared with the card's (VERIFY, CHANGE REFERENCE DATA, 1.2's RESET
 * RETRY COUNTER), before the engine acts on the result; for a right value
 * and a wrong one alike, and without saying which. A test looks at the
 * image there, or ends the process to imitate a card pulled at that
 * moment. NULL removes it. */
typedef void (*vcard_compare_hook_fn)(void *arg);
void vcard_set_compare_hook(vcard *c, vcard_compare_hook_fn fn, void *arg);

#endif
