/*
 * akis-profile.h: everything eimza knows or assumes about AKIS cards.
 *
 * Three kinds of knowledge, kept apart (see ../shared/docs/akis-card.md
 * and docs/akis-profile.md):
 *
 *   A. Public facts: the ATR family and the command forms the AKIS v1.0
 *      driver used. Constants below, marked FACT.
 *   B. ISO/IEC 7816 defaults used where no AKIS form is known. Marked ISO.
 *   C. Profile choices: our assumptions until a trace from a real card says
 *      otherwise. They live only in `akis_profile` (common/akis-profile.c),
 *      so one edit there corrects both the module and the virtual card.
 *
 * The module's card driver and the virtual card both read this file; no
 * other file may hard-code an AKIS file id, key or PIN reference, length or
 * retry limit.
 */
#ifndef EIMZA_AKIS_PROFILE_H
#define EIMZA_AKIS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- A. Public facts ---------------------------------------------------- */

/* FACT: class bytes. */
#define AKIS_CLA_ISO 0x00
#define AKIS_CLA_PROPRIETARY 0x80
/* ISO: command chaining bit in CLA. */
#define AKIS_CLA_CHAIN 0x10

/* Instruction bytes. FACT unless marked. */
#define AKIS_INS_SELECT 0xA4
#define AKIS_INS_READ_BINARY 0xB0        /* ISO */
#define AKIS_INS_UPDATE_BINARY 0xD6      /* ISO */
#define AKIS_INS_GET_RESPONSE 0xC0       /* ISO */
#define AKIS_INS_LIST_FILES 0x18         /* CLA 80 */
#define AKIS_INS_CREATE_EF 0x15          /* CLA 80 */
#define AKIS_INS_CREATE_DF 0x10          /* CLA 80 */
#define AKIS_INS_DELETE 0x16             /* CLA 80 */
#define AKIS_INS_VERIFY 0x20
#define AKIS_INS_CHANGE_REF_DATA 0x24
#define AKIS_INS_RESET_RETRY_COUNTER 0x2C /* ISO INS; the data form is profile C */
#define AKIS_INS_GET_DATA 0xCA
#define AKIS_INS_SET_LIFE_CYCLE 0x09     /* CLA 80 */
#define AKIS_INS_MSE 0x22
#define AKIS_INS_PSO 0x2A
#define AKIS_INS_GET_CHALLENGE 0x84
#define AKIS_INS_LOGOUT 0x1A             /* CLA 80 */

/* FACT: SELECT P1 forms. */
#define AKIS_SELECT_BY_FID 0x00
#define AKIS_SELECT_EF_UNDER_DF 0x02
#define AKIS_SELECT_PATH_FROM_MF 0x08
/* ISO: SELECT by DF name (AID). */
#define AKIS_SELECT_BY_AID 0x04

/* FACT: FCI proprietary tag 90, one byte of flags. */
#define AKIS_FCI_TAG_FLAGS 0x90
#define AKIS_FCI_ENCRYPTED 0x01
#define AKIS_FCI_VALID 0x02
#define AKIS_FCI_PIN_NEEDED 0x04
#define AKIS_FCI_NEW_PIN 0x08
#define AKIS_FCI_READ 0x10
#define AKIS_FCI_WRITE 0x20
#define AKIS_FCI_ONE_WRONG_PIN 0x40
#define AKIS_FCI_LAST_PIN_TRY 0x80

/* FACT: LIST FILES entries. */
#define AKIS_LIST_ENTRY_LEN 20
#define AKIS_LIST_EF 0x2F
#define AKIS_LIST_DF 0x3D

/* FACT: CREATE EF structures (P1) and DELETE forms (P1). */
#define AKIS_EF_TRANSPARENT 0x80
#define AKIS_EF_LINEAR_FIXED 0x41
#define AKIS_EF_CYCLIC 0x43
#define AKIS_EF_LINEAR_TLV 0x45
#define AKIS_DELETE_BY_FID 0x02
#define AKIS_DELETE_BY_PATH 0x08

/* FACT: GET DATA 00 CA 01 id. */
#define AKIS_GET_DATA_P1 0x01
#define AKIS_DATA_SYSTEM 0x06
#define AKIS_DATA_SYSTEM_LEN 0x4D
#define AKIS_DATA_SERIAL_OFFSET 55
#define AKIS_DATA_SERIAL_LEN 12
#define AKIS_DATA_MEMORY 0x04
#define AKIS_DATA_MEMORY_LEN 10
#define AKIS_DATA_LIFE_CYCLE_OFFSET 6
#define AKIS_LIFE_ADMINISTRATION 0xA0
#define AKIS_LIFE_USER 0xA5

/* FACT: SET LIFE CYCLE 80 09 00 stage. */
#define AKIS_STAGE_ADMINISTRATION 0x02
#define AKIS_STAGE_USER 0x01

/* FACT: MSE 00 22 C3 keyref (no data); PSO CDS 00 2A 9E 9A. */
#define AKIS_MSE_P1_SELECT_KEY 0xC3
#define AKIS_PSO_P1_CDS 0x9E
#define AKIS_PSO_P2_CDS 0x9A

/* FACT: CHANGE REFERENCE DATA P1 forms. */
#define AKIS_CHANGE_P1_PLAIN 0x01
#define AKIS_CHANGE_P1_HIGH_REF 0x02 /* used when the reference has bit 80; P2 = ref & 7F */

/* FACT: short APDUs, data at most 244 bytes each way; PINs up to 16 bytes. */
#define AKIS_MAX_DATA 244
#define AKIS_MAX_PIN_LEN 16

/* ---- ATRs ---------------------------------------------------------------- */

/* FACT: the AKIS family's historical bytes, with `vv` (version/chip) at
 * index AKIS_HIST_VERSION_INDEX. Matched with a mask. */
#define AKIS_HIST_VERSION_INDEX 8

struct akis_atr {
	const char *id;      /* short name for --atr options: "v1.2.2" */
	const char *model;   /* "AKIS v1.2.2 (Infineon)" */
	const uint8_t *atr;
	size_t len;
};

/* The known ATRs (from the pcsc-tools list), in the order of the table in
 * akis-card.md. The array ends with an entry whose id is NULL. */
extern const struct akis_atr akis_atrs[];
/* The ATR the virtual card uses by default (AKIS v1.2.2). */
const struct akis_atr *akis_atr_default(void);
const struct akis_atr *akis_atr_by_id(const char *id);

/* Does this ATR belong to the AKIS family (the historical-byte mask, or
 * the AKIS v1.0 ATR)? When it does and `model` is not NULL, *model gets a
 * name: the table's when the ATR is known, "AKIS (unknown version vv)"
 * style text written into `buf` otherwise. */
bool akis_atr_match(const uint8_t *atr, size_t len, const char **model, char *buf, size_t cap);

/* ---- C. Profile choices (assumptions) ------------------------------------ */

struct akis_profile {
	/* Layout: a PKCS#15 application named in EF(DIR). */
	uint16_t ef_dir;          /* 2F00 */
	const uint8_t *pkcs15_aid; /* A0 00 00 00 63 50 4B 43 53 2D 31 35 */
	size_t pkcs15_aid_len;
	uint16_t app_df;          /* 5015 */
	uint16_t ef_odf;          /* 5031 */
	uint16_t ef_tokeninfo;    /* 5032 */

	/* PINs. Lengths, references and padding normally come from the AODF;
	 * these are the virtual card's defaults and the module's fallback. */
	uint8_t pin_ref;          /* 81 */
	uint8_t puk_ref;          /* 82 */
	unsigned pin_min_len, pin_max_len; /* 6, 6..16? see .c */
	unsigned puk_min_len, puk_max_len;
	/* Retry limits. ISO 7816-15 PasswordAttributes has no field for them,
	 * so the limit is taken from here and the live count from the card
	 * (VERIFY with no data answers 63 CX). */
	unsigned pin_max_tries;   /* 3 */
	unsigned puk_max_tries;   /* 10 */
	bool pins_numeric;        /* the Kamu SM dialog is a digit keypad */

	/* Unblock: RESET RETRY COUNTER 00 2C p1 ref, data len(PUK) PUK len(new) new. */
	uint8_t reset_retry_p1;   /* 00 */

	/* File access byte of CREATE EF (P2): high nibble read condition, low
	 * nibble update condition, each one of the AKIS_AC_* values. */
	uint8_t ac_shift_read, ac_shift_update;

	/* Signatures. */
	uint8_t first_key_ref;    /* key references start here: 01 */
	bool sign_drops_pin_with_user_consent; /* VERIFY needed before each signature */
};

/* Access conditions in the access byte (profile choice). */
#define AKIS_AC_ALWAYS 0x0
#define AKIS_AC_USER_PIN 0x1
#define AKIS_AC_SO_PIN 0x2
#define AKIS_AC_NEVER 0xF

extern const struct akis_profile akis_profile;

#endif
