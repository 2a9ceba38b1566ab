/*
 * gen12.h: the AKIS 1.2 command set ("UEKAE" ATRs). The numbers come from
 * ../../../docs/vcard.md's 1.2 table, which names the evidence behind each
 * (ESYA's 1.x command templates, AkisCIF's CommandsV11, the forms the
 * older 1.0 driver shares with 1.2); "our choice" marks the rest.
 */
#ifndef EIMZA_VCARD_GEN12_H
#define EIMZA_VCARD_GEN12_H

#include "vcard-internal.h"

/* Proprietary instructions (CLA 80). */
#define VC12_INS_SET_LIFE_CYCLE 0x09
#define VC12_INS_CREATE_DF 0x10
#define VC12_INS_CREATE_EF 0x15
#define VC12_INS_DELETE 0x16
#define VC12_INS_LIST_FILES 0x18
#define VC12_INS_LOGOUT 0x1A

/* MSE 00 22 C3 keyref, no data. */
#define VC12_MSE_P1 0xC3
/* CHANGE REFERENCE DATA and RESET RETRY COUNTER: P1 00, data
 * len old old len new new. */
#define VC12_PIN_P1 0x00

/* GET DATA 00 CA 01 06 51: 81 bytes of system data, the serial at bytes
 * 57..64 (fact 40). */
#define VC12_GET_DATA_P1 0x01
#define VC12_DATA_SYSTEM 0x06
#define VC12_SYSTEM_LEN 0x51
#define VC12_SERIAL_OFFSET 57

/* SET LIFE CYCLE 80 09 00 stage. */
#define VC12_STAGE_USER 0x01
#define VC12_STAGE_ADMINISTRATION 0x02

/* CREATE EF 80 15 P1=structure P2=access, data = file id [record len]. */
#define VC12_EF_TRANSPARENT 0x80
#define VC12_EF_LINEAR_FIXED 0x41
#define VC12_EF_CYCLIC 0x43
#define VC12_EF_LINEAR_TLV 0x45
/* DELETE 80 16 02 00, data = file id in the current DF. */
#define VC12_DELETE_BY_FID 0x02

/* LIST FILES 80 18 00 00 Le: 20-byte entries, 2F (EF) or 3D (DF), file id. */
#define VC12_LIST_ENTRY_LEN 20
#define VC12_LIST_EF 0x2F
#define VC12_LIST_DF 0x3D

/* gen12-fs.c */
uint16_t vc_gen12_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_update(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_create(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_delete(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen12-pin.c */
uint16_t vc_gen12_verify(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_change(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_reset_retry(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_logout(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
/* gen12-sign.c */
uint16_t vc_gen12_mse(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);
uint16_t vc_gen12_pso(vcard *c, const struct vc_apdu *a, struct vc_rsp *r);

#endif
