/*
 * vcard-iso.h: ISO/IEC 7816-4 numbers both generations use: classes,
 * instructions, status words. The virtual card's own copy: nothing here
 * comes from the PKCS#11 module's headers.
 */
#ifndef EIMZA_VCARD_ISO_H
#define EIMZA_VCARD_ISO_H

/* Classes: 00 interindustry, 80 proprietary; bit 10 = "more follows"
 * (command chaining). */
#define VC_CLA_ISO 0x00
#define VC_CLA_PROPRIETARY 0x80
#define VC_CLA_CHAIN 0x10

/* Interindustry instructions. */
#define VC_INS_VERIFY 0x20
#define VC_INS_MSE 0x22
#define VC_INS_CHANGE_REF_DATA 0x24
#define VC_INS_PSO 0x2A
#define VC_INS_RESET_RETRY_COUNTER 0x2C
#define VC_INS_GET_CHALLENGE 0x84
#define VC_INS_SELECT 0xA4
#define VC_INS_READ_BINARY 0xB0
#define VC_INS_GET_RESPONSE 0xC0
#define VC_INS_GET_DATA 0xCA
#define VC_INS_GET_DATA_ODD 0xCB
#define VC_INS_UPDATE_BINARY 0xD6

/* PSO COMPUTE DIGITAL SIGNATURE. */
#define VC_PSO_P1_CDS 0x9E
#define VC_PSO_P2_CDS 0x9A

/* SELECT P1. */
#define VC_SELECT_BY_FID 0x00
#define VC_SELECT_CHILD_DF 0x01
#define VC_SELECT_EF_UNDER_DF 0x02
#define VC_SELECT_BY_NAME 0x04
/* SELECT P2: 00 return the FCI, 0C return nothing. */
#define VC_SELECT_P2_FCI 0x00
#define VC_SELECT_P2_NONE 0x0C

#define VC_FID_MF 0x3F00

/* Status words. */
#define SW_OK 0x9000
#define SW_EOF 0x6282
#define SW_MEMORY 0x6581
#define SW_WRONG_LENGTH 0x6700
#define SW_CHAIN_LAST_EXPECTED 0x6883
#define SW_CHAIN_UNSUPPORTED 0x6884
#define SW_INCOMPATIBLE_FILE 0x6981
#define SW_SECURITY 0x6982
#define SW_BLOCKED_2 0x6983    /* authentication method blocked (2.x, fact 30) */
#define SW_REF_UNUSABLE 0x6984 /* reference data unusable: blocked on 1.x (fact 30) */
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

#endif
