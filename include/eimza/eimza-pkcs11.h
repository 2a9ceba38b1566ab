/*
 * eimza-pkcs11.h: what eimza-pkcs11.so offers beyond PKCS#11 v2.40.
 *
 * The module exports C_GetInterfaceList and C_GetInterface (PKCS#11 3.0
 * section 5.2). Besides the standard "PKCS 11" interface it offers one
 * vendor interface, "Vendor eimza", whose function list is below: what
 * eimza's own tools need to tell a card holder more than a token can say
 * (which card generation is in the reader, the exact PIN and PUK counters,
 * the APDUs a read-only probe sends). Any program may use it; it never
 * sends a VERIFY, CHANGE or unblock, and its trace masks PINs, names and
 * identity numbers (<eimza/apdu-trace.h>).
 *
 * The PKCS#11 3.0 types the p11-kit 0.24 header lacks are defined here.
 */
#ifndef EIMZA_PKCS11_H
#define EIMZA_PKCS11_H

#include <p11-kit/pkcs11.h>

#ifndef CKF_INTERFACE_FORK_SAFE
typedef struct CK_INTERFACE {
	CK_CHAR *pInterfaceName;
	CK_VOID_PTR pFunctionList;
	CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;
#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#endif

typedef CK_RV (*EZ_C_GetInterfaceList)(CK_INTERFACE_PTR list, CK_ULONG_PTR count);
typedef CK_RV (*EZ_C_GetInterface)(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version,
				   CK_INTERFACE_PTR_PTR iface, CK_FLAGS flags);

/* The PKCS#11 3.0 function list: the v2.40 functions in their order, then
 * the 3.0 ones (OASIS pkcs11f.h 3.0). */
typedef struct EZ_FUNCTION_LIST_3_0 {
	CK_VERSION version;
	CK_C_Initialize C_Initialize;
	CK_C_Finalize C_Finalize;
	CK_C_GetInfo C_GetInfo;
	CK_C_GetFunctionList C_GetFunctionList;
	CK_C_GetSlotList C_GetSlotList;
	CK_C_GetSlotInfo C_GetSlotInfo;
	CK_C_GetTokenInfo C_GetTokenInfo;
	CK_C_GetMechanismList C_GetMechanismList;
	CK_C_GetMechanismInfo C_GetMechanismInfo;
	CK_C_InitToken C_InitToken;
	CK_C_InitPIN C_InitPIN;
	CK_C_SetPIN C_SetPIN;
	CK_C_OpenSession C_OpenSession;
	CK_C_CloseSession C_CloseSession;
	CK_C_CloseAllSessions C_CloseAllSessions;
	CK_C_GetSessionInfo C_GetSessionInfo;
	CK_C_GetOperationState C_GetOperationState;
	CK_C_SetOperationState C_SetOperationState;
	CK_C_Login C_Login;
	CK_C_Logout C_Logout;
	CK_C_CreateObject C_CreateObject;
	CK_C_CopyObject C_CopyObject;
	CK_C_DestroyObject C_DestroyObject;
	CK_C_GetObjectSize C_GetObjectSize;
	CK_C_GetAttributeValue C_GetAttributeValue;
	CK_C_SetAttributeValue C_SetAttributeValue;
	CK_C_FindObjectsInit C_FindObjectsInit;
	CK_C_FindObjects C_FindObjects;
	CK_C_FindObjectsFinal C_FindObjectsFinal;
	CK_C_EncryptInit C_EncryptInit;
	CK_C_Encrypt C_Encrypt;
	CK_C_EncryptUpdate C_EncryptUpdate;
	CK_C_EncryptFinal C_EncryptFinal;
	CK_C_DecryptInit C_DecryptInit;
	CK_C_Decrypt C_Decrypt;
	CK_C_DecryptUpdate C_DecryptUpdate;
	CK_C_DecryptFinal C_DecryptFinal;
	CK_C_DigestInit C_DigestInit;
	CK_C_Digest C_Digest;
	CK_C_DigestUpdate C_DigestUpdate;
	CK_C_DigestKey C_DigestKey;
	CK_C_DigestFinal C_DigestFinal;
	CK_C_SignInit C_SignInit;
	CK_C_Sign C_Sign;
	CK_C_SignUpdate C_SignUpdate;
	CK_C_SignFinal C_SignFinal;
	CK_C_SignRecoverInit C_SignRecoverInit;
	CK_C_SignRecover C_SignRecover;
	CK_C_VerifyInit C_VerifyInit;
	CK_C_Verify C_Verify;
	CK_C_VerifyUpdate C_VerifyUpdate;
	CK_C_VerifyFinal C_VerifyFinal;
	CK_C_VerifyRecoverInit C_VerifyRecoverInit;
	CK_C_VerifyRecover C_VerifyRecover;
	CK_C_DigestEncryptUpdate C_DigestEncryptUpdate;
	CK_C_DecryptDigestUpdate C_DecryptDigestUpdate;
	CK_C_SignEncryptUpdate C_SignEncryptUpdate;
	CK_C_DecryptVerifyUpdate C_DecryptVerifyUpdate;
	CK_C_GenerateKey C_GenerateKey;
	CK_C_GenerateKeyPair C_GenerateKeyPair;
	CK_C_WrapKey C_WrapKey;
	CK_C_UnwrapKey C_UnwrapKey;
	CK_C_DeriveKey C_DeriveKey;
	CK_C_SeedRandom C_SeedRandom;
	CK_C_GenerateRandom C_GenerateRandom;
	CK_C_GetFunctionStatus C_GetFunctionStatus;
	CK_C_CancelFunction C_CancelFunction;
	CK_C_WaitForSlotEvent C_WaitForSlotEvent;
	/* 3.0 */
	EZ_C_GetInterfaceList C_GetInterfaceList;
	EZ_C_GetInterface C_GetInterface;
	CK_RV (*C_LoginUser)(CK_SESSION_HANDLE, CK_USER_TYPE, CK_UTF8CHAR_PTR, CK_ULONG,
			     CK_UTF8CHAR_PTR, CK_ULONG);
	CK_RV (*C_SessionCancel)(CK_SESSION_HANDLE, CK_FLAGS);
	CK_RV (*C_MessageEncryptInit)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
	CK_RV (*C_EncryptMessage)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
				  CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
	CK_RV (*C_EncryptMessageBegin)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR,
				       CK_ULONG);
	CK_RV (*C_EncryptMessageNext)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR,
				      CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
	CK_RV (*C_MessageEncryptFinal)(CK_SESSION_HANDLE);
	CK_RV (*C_MessageDecryptInit)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
	CK_RV (*C_DecryptMessage)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
				  CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
	CK_RV (*C_DecryptMessageBegin)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR,
				       CK_ULONG);
	CK_RV (*C_DecryptMessageNext)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR,
				      CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
	CK_RV (*C_MessageDecryptFinal)(CK_SESSION_HANDLE);
	CK_RV (*C_MessageSignInit)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
	CK_RV (*C_SignMessage)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
			       CK_BYTE_PTR, CK_ULONG_PTR);
	CK_RV (*C_SignMessageBegin)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
	CK_RV (*C_SignMessageNext)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
				   CK_BYTE_PTR, CK_ULONG_PTR);
	CK_RV (*C_MessageSignFinal)(CK_SESSION_HANDLE);
	CK_RV (*C_MessageVerifyInit)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
	CK_RV (*C_VerifyMessage)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
				 CK_BYTE_PTR, CK_ULONG);
	CK_RV (*C_VerifyMessageBegin)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
	CK_RV (*C_VerifyMessageNext)(CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
				     CK_BYTE_PTR, CK_ULONG);
	CK_RV (*C_MessageVerifyFinal)(CK_SESSION_HANDLE);
} EZ_FUNCTION_LIST_3_0;

#define EZ_VENDOR_INTERFACE "Vendor eimza"
#define EZ_VENDOR_VERSION_MAJOR 1
#define EZ_VENDOR_VERSION_MINOR 2

/* What is in a slot's reader (EZ_CARD_INFO.state). */
#define EZ_CARD_NONE 0UL        /* no card */
#define EZ_CARD_TOKEN 1UL       /* an AKIS card, read: the slot has a token */
#define EZ_CARD_FOREIGN 2UL     /* a card of no AKIS family: not claimed */
#define EZ_CARD_UNSUPPORTED 3UL /* an AKIS generation no dialect speaks (AKIS v1.0) */
#define EZ_CARD_UNREADABLE 4UL  /* an AKIS card whose data could not be read */

typedef struct EZ_CARD_INFO {
	CK_ULONG state;
	CK_BYTE atr[33];
	CK_ULONG atr_len;
	char family[32];   /* "AKIS 2.x (TC)" */
	char model[48];    /* "AKIS 2.5.2 (NXP)" */
	char dialect[8];   /* the command dialect the module speaks to it: "2.x", "1.2" */
	CK_BBOOL version_known;
	CK_ULONG version[3];
	/* With a token: the counters and limits (-1 / 0 when the card does not say). */
	CK_LONG pin_tries, pin_max_tries, puk_tries, puk_max_tries;
	CK_ULONG pin_min_len, pin_max_len, puk_min_len, puk_max_len;
} EZ_CARD_INFO;

/* One line per APDU ("> 00 A4 04 00 ..." / "< 6F .. 90 00"), masked, with
 * the slot whose card it went to. */
typedef void (*EZ_TRACE_FN)(void *arg, CK_SLOT_ID slot, const char *line);

/* The PC/SC service (EZ_GetService). */
#define EZ_SERVICE_OK 0UL         /* pcscd answers and lists readers */
#define EZ_SERVICE_NO_READERS 1UL /* pcscd answers, no reader is connected */
#define EZ_SERVICE_DOWN 2UL       /* pcscd does not answer (not installed or not running) */

/* (1.2) The keypad of a slot's reader as the module uses it
 * (EZ_GetPinpad). A token with CKF_PROTECTED_AUTHENTICATION_PATH takes
 * its PINs there; this says whether changing and unblocking do too. */
#define EZ_PINPAD_VERIFY 0x1UL /* a NULL PIN to C_Login: typed on the keypad */
#define EZ_PINPAD_CHANGE 0x2UL /* the same for C_SetPIN and C_InitPIN */
typedef struct EZ_PINPAD_INFO {
	CK_FLAGS flags;   /* EZ_PINPAD_*; 0: no keypad, or the module does not use it
	                     (the configuration's pinpad = no) */
	CK_ULONG min_len; /* the digits the keypad takes; 0 when the reader does not say */
	CK_ULONG max_len;
} EZ_PINPAD_INFO;

typedef struct EZ_VENDOR_FUNCTIONS {
	CK_VERSION version;
	/* The card in a slot's reader, read if it was not yet (the module is
	 * initialized). CKR_SLOT_ID_INVALID for an unknown slot. */
	CK_RV (*EZ_GetCardInfo)(CK_SLOT_ID slot, EZ_CARD_INFO *info);
	/* Receive every APDU the module exchanges from now on, for every card
	 * (NULL stops it). May be called before C_Initialize, so that the
	 * first reading of a card is traced too. */
	CK_RV (*EZ_SetTrace)(EZ_TRACE_FN fn, void *arg);
	/* (1.1) Is the PC/SC service there, and does it see readers? Lets a
	 * tool tell "pcscd is not running" from "no card". */
	CK_RV (*EZ_GetService)(CK_ULONG *state);
	/* (1.2) The keypad of the reader of a slot with a token (else the
	 * slot's CKR, as C_GetTokenInfo answers it). */
	CK_RV (*EZ_GetPinpad)(CK_SLOT_ID slot, EZ_PINPAD_INFO *info);
} EZ_VENDOR_FUNCTIONS;

#endif
