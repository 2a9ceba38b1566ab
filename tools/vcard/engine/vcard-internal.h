/*
 * vcard-internal.h: the engine's state, shared by its files. Not installed,
 * not used outside tools/vcard/engine/.
 */
#ifndef EIMZA_VCARD_INTERNAL_H
#define EIMZA_VCARD_INTERNAL_H

#include <eimza/vcard.h>

#include <openssl/evp.h>

#define VC_MAX_FILES 128
#define VC_MAX_FILE_SIZE 0x7FFF /* READ/UPDATE BINARY offsets are 15 bits */
#define VC_MAX_AID 16
#define VC_MAX_DEPTH 8
#define VC_MAX_PINS 8
#define VC_MAX_KEYS 16
#define VC_MAX_CHAIN 4096   /* largest chained command data */
#define VC_MAX_PENDING 1024 /* largest response kept for GET RESPONSE */
#define VC_NO_FILE 0xFFFF

/* Status words. */
#define SW_OK 0x9000
#define SW_EOF 0x6282
#define SW_MEMORY 0x6581
#define SW_WRONG_LENGTH 0x6700
#define SW_CHAIN_LAST_EXPECTED 0x6883
#define SW_CHAIN_UNSUPPORTED 0x6884
#define SW_INCOMPATIBLE_FILE 0x6981
#define SW_SECURITY 0x6982
#define SW_BLOCKED 0x6983
#define SW_REF_UNUSABLE 0x6984
#define SW_CONDITIONS 0x6985
#define SW_NO_CURRENT_EF 0x6986
#define SW_WRONG_DATA 0x6A80
#define SW_NOT_FOUND 0x6A82
#define SW_NO_SPACE 0x6A84
#define SW_WRONG_P1P2 0x6A86
#define SW_REF_NOT_FOUND 0x6A88
#define SW_FILE_EXISTS 0x6A89
#define SW_WRONG_OFFSET 0x6B00
#define SW_INS_UNKNOWN 0x6D00
#define SW_CLA_UNKNOWN 0x6E00
#define SW_NO_DIAGNOSIS 0x6F00

struct vc_file {
	uint16_t fid;
	uint16_t parent; /* index, VC_NO_FILE for the MF */
	bool is_df;
	uint8_t structure; /* AKIS_EF_* for EFs */
	uint8_t access;    /* read/update nibbles, see akis_profile */
	uint8_t aid[VC_MAX_AID];
	size_t aid_len;
	uint8_t *data;
	size_t size;
};

struct vc_pin {
	uint8_t ref;
	uint8_t value[AKIS_MAX_PIN_LEN];
	size_t len;
	unsigned max_tries, tries;
	unsigned min_len, max_len;
	uint8_t unblock_ref;
	bool verified; /* volatile */
};

struct vc_key {
	uint8_t ref;
	EVP_PKEY *pkey;
	uint8_t pin_ref;
	bool user_consent;
	bool consent_ok; /* volatile: a VERIFY since the last signature */
};

/* One parsed command APDU. */
struct vc_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	bool has_le;
	size_t le; /* 1..256 when has_le (00 means 256) */
};

/* A response being built: data and a status word. */
struct vc_rsp {
	uint8_t data[VC_MAX_PENDING];
	size_t len;
	bool exact_le; /* 6C XX when Le differs from the length (GET DATA) */
	bool eof_short; /* 62 82 when fewer bytes than Le (READ BINARY) */
};

struct vcard {
	uint8_t atr[33];
	size_t atr_len;
	uint8_t serial[AKIS_DATA_SERIAL_LEN];
	uint8_t life;

	struct vc_file files[VC_MAX_FILES];
	size_t nfiles;
	struct vc_pin pins[VC_MAX_PINS];
	size_t npins;
	struct vc_key keys[VC_MAX_KEYS];
	size_t nkeys;

	/* volatile */
	bool powered;
	uint16_t cur; /* current file index */
	int sel_key;  /* index in keys, -1 none */
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
};

/* vcard-fs.c */
uint16_t vc_fs_sw_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_fs_read(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_fs_update(vcard *c, const struct vc_apdu *a);
uint16_t vc_fs_create(vcard *c, const struct vc_apdu *a);
uint16_t vc_fs_delete(vcard *c, const struct vc_apdu *a);
uint16_t vc_fs_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
int vc_fs_add(vcard *c, uint16_t parent, uint16_t fid, bool is_df, uint8_t structure,
	      uint8_t access, const uint8_t *aid, size_t aid_len);
void vc_fs_free(vcard *c);

/* vcard-security.c */
struct vc_pin *vc_pin_find(vcard *c, uint8_t ref);
bool vc_pin_verified(const vcard *c, uint8_t ref);
uint16_t vc_sec_verify(vcard *c, const struct vc_apdu *a);
uint16_t vc_sec_change(vcard *c, const struct vc_apdu *a);
uint16_t vc_sec_reset_retry(vcard *c, const struct vc_apdu *a);
void vc_sec_clear(vcard *c);

/* vcard-sign.c */
uint16_t vc_sign_mse(vcard *c, const struct vc_apdu *a);
uint16_t vc_sign_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);

/* vcard-image.c / vcard-engine.c: persistence of a lasting change. Returns
 * 0 when saved (or no image path), -1 when the save failed; the caller then
 * undoes its change and answers 65 81. */
int vc_persist(vcard *c);
bool vc_admin(const vcard *c);

#endif
