/*
 * gen2.h: the AKIS 2.x command set ("TC" ATRs). Every number here comes
 * from ../../../docs/vcard.md's 2.x table, which names the evidence fact
 * behind it; "our choice" marks where no public source says.
 */
#ifndef EIMZA_VCARD_GEN2_H
#define EIMZA_VCARD_GEN2_H

#include "vcard-internal.h"

/* The application DF: selected by its name "PKCS-15" (fact 9). Its file
 * id is unknown (fact 12); ours is deliberately one nobody would guess,
 * and only selection by name is promised. */
#define VC2_APP_NAME "PKCS-15"
#define VC2_APP_NAME_LEN 7
#define VC2_APP_FID 0x4C7E

/* Certificates are transparent EFs 2F10..2F2F under the DF (fact 10); the
 * engine holds any EF personalization puts there. */

/* Security data objects: BF tt id (fact 14). */
#define VC2_SDO_TAG0 0xBF
#define VC2_SDO_PIN 0x81
#define VC2_SDO_RSA_PRIVATE 0x90
#define VC2_SDO_EC_PRIVATE 0x91
#define VC2_SDO_RSA_PUBLIC 0xA0
#define VC2_SDO_EC_PUBLIC 0xA1
/* GET DATA 00 CB 3F FF with an extended header list 4D (facts 14, 31). */
#define VC2_EHL_TAG 0x4D
#define VC2_EHL_WHOLE 0x80 /* a length of 80 after a tag: "all of it" */
#define VC2_TPL_HEADER 0xA0
#define VC2_TPL_PIN_LENGTHS 0x7F41
#define VC2_TPL_PUBLIC_KEY 0x7F49
/* Header tags (fact 15). */
#define VC2_HDR_KEY_BITS 0x80
#define VC2_HDR_NAME 0x84
#define VC2_HDR_MAX_TRIES 0x9A
#define VC2_HDR_TRIES_LEFT 0x9B
#define VC2_HDR_MAX_USES 0x9C
#define VC2_HDR_USES_LEFT 0x9D
#define VC2_HDR_NON_REPUDIATION 0x9E
/* 7F41: 80 = max length, 81 = min length (fact 32). */
#define VC2_PINLEN_MAX 0x80
#define VC2_PINLEN_MIN 0x81
/* 7F49: 81 modulus, 82 exponent (fact 18); 86 EC point (inferred). */
#define VC2_PUB_MODULUS 0x81
#define VC2_PUB_EXPONENT 0x82
#define VC2_PUB_EC_POINT 0x86

/* MSE SET for signing: 00 22 41 B6 06 80 01 AL 84 01 KR (fact 21). */
#define VC2_MSE_P1 0x41
#define VC2_MSE_P2 0xB6
#define VC2_MSE_TAG_ALG 0x80
#define VC2_MSE_TAG_KEY 0x84
#define VC2_KEY_REF_BIT 0x80 /* KR = 80 | id (fact 19) */
/* AL = 80 | hash << 3 | scheme (fact 22). */
#define VC2_AL_BASE 0x80
#define VC2_SCHEME_PSS 1
#define VC2_SCHEME_PKCS1 2
#define VC2_SCHEME_ECDSA 3
#define VC2_HASH_NONE 0
#define VC2_HASH_SHA1 1
#define VC2_HASH_SHA256 2
#define VC2_HASH_SHA384 3
#define VC2_HASH_SHA512 4
/* PSO data goes in blocks of at most 196 bytes (fact 25). */
#define VC2_PSO_BLOCK_MAX 196

/* RESET RETRY COUNTER P1 (fact 35). */
#define VC2_RRC_NEW_PIN 0x02
#define VC2_RRC_COUNTER_ONLY 0x03

/* GET DATA 00 CA 01 mode (fact 39). */
#define VC2_GET_DATA_P1 0x01
#define VC2_DATA_MEMORY 0x04
#define VC2_DATA_LABEL 0x06
#define VC2_DATA_VERSION 0x0A
#define VC2_DATA_SERIAL 0x0B
#define VC2_DATA_SERIAL2 0x0F
#define VC2_MEMORY_LEN 7
#define VC2_MEMORY_PHASE_OFFSET 3
#define VC2_LABEL_LEN 16 /* our choice: the length is unknown */
/* Life-cycle phases of GET DATA 04 byte 3 (fact 39). */
#define VC2_PHASE_PERSONALIZATION 0x5A
#define VC2_PHASE_OPERATION 0xA5

/* The proprietary directory listing 80 1D (fact 13). */
#define VC2_INS_LIST 0x1D

/* The PKCS-15 DF and its place in the tree. */
int vc_gen2_make_app_df(vcard *c);
bool vc_gen2_in_app_df(const vcard *c);
bool vc_gen2_pin_ref_ok(uint8_t ref);

/* gen2-fs.c */
uint16_t vc_gen2_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen2_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen2-data.c */
uint16_t vc_gen2_get_data(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen2-sdo.c */
uint16_t vc_gen2_get_sdo(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen2-pin.c */
uint16_t vc_gen2_verify(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen2_change(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen2_reset_retry(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen2-sign.c */
uint16_t vc_gen2_mse(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen2_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);

#endif
