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

#define EZ_VENDOR_INTERFACE "Vendor eimza"
#define EZ_VENDOR_VERSION_MAJOR 1
#define EZ_VENDOR_VERSION_MINOR 1

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
} EZ_VENDOR_FUNCTIONS;

#endif
