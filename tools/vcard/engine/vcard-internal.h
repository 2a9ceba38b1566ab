/*
 * vcard-internal.h: the engine's state and the interfaces between its
 * files. Not installed, not used outside tools/vcard/engine/.
 *
 * The engine is one generic core (vcard-apdu.c: parsing, responses,
 * 61 XX / GET RESPONSE, 6C XX, command chaining; vcard-fs.c: the file
 * tree; vcard-pin.c: PIN objects and the try rule; vcard-crypto.c:
 * signatures; vcard-image.c: persistence) and one command set per
 * generation (gen12-*.c, gen2-*.c), each a table of instructions
 * (struct vc_dialect).
 */
#ifndef EIMZA_VCARD_INTERNAL_H
#define EIMZA_VCARD_INTERNAL_H

#include <eimza/vcard.h>

#include <openssl/evp.h>

#include "vcard-iso.h"

#define VC_MAX_FILES 128
#define VC_MAX_FILE_SIZE 0x7FFF /* READ/UPDATE BINARY offsets are 15 bits */
#define VC_MAX_NAME 16          /* DF name (AID) */
#define VC_MAX_DEPTH 8
#define VC_MAX_PINS 8
#define VC_MAX_KEYS 16
#define VC_MAX_CHAIN 4096   /* largest chained command data */
#define VC_MAX_PENDING 1024 /* largest response kept for GET RESPONSE */
#define VC_NO_FILE 0xFFFF

/* File descriptor byte (ISO 7816-4 tag 82) of the EF structures. */
#define VC_FDB_DF 0x38
#define VC_FDB_TRANSPARENT 0x01
#define VC_FDB_LINEAR_FIXED 0x02
#define VC_FDB_LINEAR_TLV 0x05 /* the 1.0 driver's "linear TLV" (our encoding) */
#define VC_FDB_CYCLIC 0x06

/* Access byte of a file (our encoding, no public source gives one): high
 * nibble read, low nibble update; 0 always, 1 after VERIFY of the PIN,
 * 2 after VERIFY of the PUK, F never. The personalization life cycle
 * allows everything. */
#define VC_AC_ALWAYS 0x0
#define VC_AC_PIN 0x1
#define VC_AC_PUK 0x2
#define VC_AC_NEVER 0xF
#define VC_ACCESS(read, update) ((uint8_t)((read) << 4 | (update)))
#define VC_AC_READ(access) ((uint8_t)((access) >> 4))
#define VC_AC_UPDATE(access) ((uint8_t)((access)&0x0F))
/* The PIN and PUK references the access nibbles name. */
#define VC_REF_PIN 0x81
#define VC_REF_PUK 0x82

struct vc_file {
	uint16_t fid;
	uint16_t parent; /* index, VC_NO_FILE for the MF */
	bool is_df;
	uint8_t fdb;    /* VC_FDB_* */
	uint8_t access; /* VC_ACCESS() */
	uint8_t name[VC_MAX_NAME];
	size_t name_len;
	uint8_t *data;
	size_t size;
};

struct vc_pin {
	uint8_t ref;
	uint8_t value[VCARD_MAX_PIN_LEN];
	size_t len;
	unsigned max_tries, tries;
	unsigned min_len, max_len;
	uint8_t unblock_ref;
	char name[VCARD_MAX_LABEL + 1];
	bool verified; /* volatile */
};

struct vc_key {
	uint8_t ref;
	EVP_PKEY *pkey;
	bool ec;
	unsigned bits; /* RSA modulus, EC field */
	uint8_t pin_ref;
	bool per_signature;
	char label[VCARD_MAX_LABEL + 1];
	bool fresh_verify; /* volatile: a VERIFY of its PIN since its last signature */
};

/* One parsed command APDU. */
struct vc_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	bool has_le;
	size_t le; /* 1..256 when has_le (00 means 256) */
};

/* A response being built: data and how Le applies to it. */
struct vc_rsp {
	uint8_t data[VC_MAX_PENDING];
	size_t len;
	bool exact_le;  /* 6C XX when Le differs from the length (fixed-size objects) */
	bool eof_short; /* 62 82 when fewer bytes than Le (READ BINARY) */
};

typedef uint16_t (*vc_handler)(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);

struct vc_command {
	uint8_t cla; /* VC_CLA_ISO or VC_CLA_PROPRIETARY, chaining bit clear */
	uint8_t ins;
	vc_handler run;
};

/* A generation's command set. */
struct vc_dialect {
	enum vcard_generation gen;
	const struct vc_command *commands;
	size_t ncommands;
	/* Largest data field of one PSO block, chained or not. */
	size_t pso_block_max;
	/* The status word of a blocked PIN. */
	uint16_t sw_blocked;
	/* Called by vcard_power_on/off/reset after the common volatile state
	 * is cleared. */
	void (*reset)(vcard *c);
};

extern const struct vc_dialect vc_dialect_12;
extern const struct vc_dialect vc_dialect_2;

struct vcard {
	enum vcard_generation gen;
	const struct vc_dialect *dialect;
	uint8_t atr[VCARD_MAX_ATR];
	size_t atr_len;
	bool ec_commands; /* 2.x: the 2.5 command set (derived from the ATR) */
	uint8_t serial[VCARD_SERIAL_LEN];
	uint8_t serial2[VCARD_SERIAL_LEN];
	enum vcard_life life;
	bool protect_public_keys;

	struct vc_file files[VC_MAX_FILES];
	size_t nfiles;
	uint16_t app_df; /* 2.x: index of the DF named "PKCS-15" */
	struct vc_pin pins[VC_MAX_PINS];
	size_t npins;
	struct vc_key keys[VC_MAX_KEYS];
	size_t nkeys;

	/* volatile */
	bool powered;
	uint16_t cur; /* current file index */
	int se_key;   /* security environment: index in keys, -1 none */
	uint8_t se_alg;
	uint8_t chain[VC_MAX_CHAIN];
	size_t chain_len;
	uint8_t chain_ins;
	bool chaining;
	uint8_t pending[VC_MAX_PENDING];
	size_t pending_len, pending_off;
	enum vcard_op_kind last_op;
	struct vc_rsp rsp; /* the response being built (large: kept off the stack) */

	char *image_path;
	vcard_trace_fn trace;
	void *trace_arg;
	vcard_save_hook_fn save_hook;
	void *save_hook_arg;
	unsigned saves;
	vcard_compare_hook_fn compare_hook;
	void *compare_hook_arg;
};

/* vcard-engine.c */
bool vc_personalizing(const vcard *c);
/* Persistence of a lasting change: 0 when saved (or no image path), -1
 * when the save failed; the caller then undoes its change and answers
 * 65 81. */
int vc_persist(vcard *c);
/* Clear the security status: every PIN's verification, every key's fresh
 * VERIFY. */
void vc_security_clear(vcard *c);
/* Forget the security environment (the key and algorithm MSE set). */
void vc_se_clear(vcard *c);

/* vcard-fs.c: the file tree. */
int vc_fs_add(vcard *c, uint16_t parent, uint16_t fid, bool is_df, uint8_t fdb, uint8_t access,
              const uint8_t *name, size_t name_len);
void vc_fs_free(vcard *c);
uint16_t vc_fs_cur_df(const vcard *c);
int vc_fs_child(const vcard *c, uint16_t df, uint16_t fid);
/* ISO search by file id from the current DF: the MF, the DF itself, its
 * children, its parent, its siblings. -1 when not found. */
int vc_fs_find_fid(const vcard *c, uint16_t fid);
/* A DF by its full name (exact match). -1 when none. */
int vc_fs_find_name(const vcard *c, const uint8_t *name, size_t len);
/* The file a SELECT names, in the forms both generations know: P1 00 by
 * file id, 01 a child DF, 02 an EF under the current DF (each with a
 * 2-byte file id), 04 a DF name; P2 00 or 0C. `empty_is_mf`: P1 00 with no
 * data is the MF (2.x, fact 8). Any other P1 (08, the path form, among
 * them) is 6A 86. SW_OK with *idx set, or the status word to answer; the
 * current file is not changed here. */
uint16_t vc_fs_select_target(const vcard *c, const struct vc_apdu *a, bool empty_is_mf,
                             int *idx);
unsigned vc_fs_depth(const vcard *c, uint16_t idx);
/* Whether an access nibble is met now. */
bool vc_fs_allowed(const vcard *c, uint8_t cond);
/* The FCI of file `idx` under `template_tag` (6F or 62):
 * { 80 size (EFs), 82 descriptor, 83 file id, 84 name (named DFs) }. */
void vc_fs_fci(const vcard *c, uint16_t idx, uint8_t template_tag, struct vc_rsp *r);
/* READ BINARY of the current EF from `off`, up to `want` bytes: 62 82
 * when fewer remain, 6B 00 at or past the end of a non-empty EF. */
uint16_t vc_fs_read_current(vcard *c, size_t off, size_t want, struct vc_rsp *r);
/* UPDATE BINARY of the current EF (grows a transparent EF), saved. */
uint16_t vc_fs_update_current(vcard *c, size_t off, const uint8_t *data, size_t len);

/* vcard-pin.c: PIN objects and the try rule. */
struct vc_pin *vc_pin_find(vcard *c, uint8_t ref);
bool vc_pin_length_ok(const struct vc_pin *p, size_t len);
/* Count a try (decrement and save), then compare in constant time (the
 * compare hook runs right after); a right value restores the counter (and
 * saves). Returns SW_OK, 63 CX,
 * the dialect's blocked word, or 65 81 when a save failed. Does not set
 * the security status. */
uint16_t vc_pin_try(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len);
/* 63 CX for the tries left. */
uint16_t vc_pin_tries_sw(const struct vc_pin *p);
/* A successful VERIFY: the status holds it, keys of this PIN get a fresh
 * VERIFY. */
void vc_pin_set_verified(vcard *c, struct vc_pin *p);
/* A new value with a full counter, saved; 65 81 when the save failed
 * (then nothing changed). */
uint16_t vc_pin_set_value(vcard *c, struct vc_pin *p, const uint8_t *v, size_t len);
/* The counter back to the limit, saved. */
uint16_t vc_pin_reset_counter(vcard *c, struct vc_pin *p);

/* vcard-crypto.c: signatures. Each writes into r and returns a status
 * word: SW_OK, 67 00 for input that does not fit, 6A 80 for raw RSA of a
 * value not below the modulus, 6F 00 when OpenSSL fails. */
uint16_t vc_sign_rsa_pkcs1(const struct vc_key *k, const uint8_t *in, size_t len, struct vc_rsp *r);
uint16_t vc_sign_rsa_raw(const struct vc_key *k, const uint8_t *in, size_t len, struct vc_rsp *r);
/* `md` names the hash ("SHA256"); salt = hash length, MGF1 with it. */
uint16_t vc_sign_rsa_pss(const struct vc_key *k, const char *md, const uint8_t *hash, size_t len,
                         struct vc_rsp *r);
/* r || s, each the curve's byte length. */
uint16_t vc_sign_ecdsa(const struct vc_key *k, const uint8_t *hash, size_t len, struct vc_rsp *r);
/* Whether the engine holds keys of this kind. */
bool vc_key_supported(const vcard *c, EVP_PKEY *key, bool *ec, unsigned *bits);

/* vcard-iso-cmds.c: the handlers both generations share. */
uint16_t vc_cmd_get_challenge(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_cmd_read_binary(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);

/* vcard-apdu.c */
void vc_dialect_reset_none(vcard *c);

#endif
