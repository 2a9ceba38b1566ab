/*
 * p11-v3.c: the functions PKCS#11 3.0 adds, and the 3.0 function list.
 *
 * A signature card has one user and no message-based operations: C_LoginUser
 * is C_Login (a user name has nothing to select), C_SessionCancel ends the
 * session's operations named by its flags, and the message functions answer
 * CKR_FUNCTION_NOT_SUPPORTED after the usual checks.
 */
#include "config.h"

#include "p11-internal.h"

#include <string.h>

#include <eimza/eimza-pkcs11.h>

/* PKCS#11 3.0 session-cancel flag the 2.40 header lacks. */
#ifndef CKF_FIND_OBJECTS
#define CKF_FIND_OBJECTS 0x00000040UL
#endif

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR list, CK_ULONG_PTR count);
CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
		     CK_FLAGS flags);

static CK_RV C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
			 CK_ULONG len, CK_UTF8CHAR_PTR name, CK_ULONG name_len)
{
	(void)name;
	(void)name_len;
	return C_Login(h, user, pin, len);
}

static CK_RV C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu flags=0x%lx", h, flags), h, 0);
	enum ez_op op = rv == CKR_OK ? c.s->op : EZ_OP_NONE;

	if ((op == EZ_OP_SIGN && (flags & CKF_SIGN)) || (op == EZ_OP_VERIFY && (flags & CKF_VERIFY)) ||
	    (op == EZ_OP_DIGEST && (flags & CKF_DIGEST)) ||
	    (op == EZ_OP_FIND && (flags & CKF_FIND_OBJECTS)))
		ez_session_reset_op(c.s);
	return ez_leave(&c, rv);
}

static CK_RV msg_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return ez_session_then("C_Message*Init", h, m ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD);
}

static CK_RV msg_one(CK_SESSION_HANDLE h)
{
	return ez_session_then("C_*Message*", h, CKR_OPERATION_NOT_INITIALIZED);
}

static CK_RV crypt_msg(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al,
		       CK_BYTE_PTR i, CK_ULONG il, CK_BYTE_PTR o, CK_ULONG_PTR ol)
{
	(void)p, (void)pl, (void)a, (void)al, (void)i, (void)il, (void)o, (void)ol;
	return msg_one(h);
}

static CK_RV crypt_begin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
			 CK_ULONG al)
{
	(void)p, (void)pl, (void)a, (void)al;
	return msg_one(h);
}

static CK_RV crypt_next(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR i,
			CK_ULONG il, CK_BYTE_PTR o, CK_ULONG_PTR ol, CK_FLAGS f)
{
	(void)p, (void)pl, (void)i, (void)il, (void)o, (void)ol, (void)f;
	return msg_one(h);
}

static CK_RV sign_msg(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
		      CK_BYTE_PTR s, CK_ULONG_PTR sl)
{
	(void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
	return msg_one(h);
}

static CK_RV msg_begin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl)
{
	(void)p, (void)pl;
	return msg_one(h);
}

static CK_RV verify_msg(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
			CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl)
{
	(void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
	return msg_one(h);
}

#define EZ_V240_FUNCTIONS                                                                    \
	C_Initialize, C_Finalize, C_GetInfo, C_GetFunctionList, C_GetSlotList, C_GetSlotInfo,  \
	    C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo, C_InitToken, C_InitPIN,    \
	    C_SetPIN, C_OpenSession, C_CloseSession, C_CloseAllSessions, C_GetSessionInfo,     \
	    C_GetOperationState, C_SetOperationState, C_Login, C_Logout, C_CreateObject,       \
	    C_CopyObject, C_DestroyObject, C_GetObjectSize, C_GetAttributeValue,               \
	    C_SetAttributeValue, C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal,         \
	    C_EncryptInit, C_Encrypt, C_EncryptUpdate, C_EncryptFinal, C_DecryptInit,          \
	    C_Decrypt, C_DecryptUpdate, C_DecryptFinal, C_DigestInit, C_Digest,                \
	    C_DigestUpdate, C_DigestKey, C_DigestFinal, C_SignInit, C_Sign, C_SignUpdate,      \
	    C_SignFinal, C_SignRecoverInit, C_SignRecover, C_VerifyInit, C_Verify,             \
	    C_VerifyUpdate, C_VerifyFinal, C_VerifyRecoverInit, C_VerifyRecover,               \
	    C_DigestEncryptUpdate, C_DecryptDigestUpdate, C_SignEncryptUpdate,                 \
	    C_DecryptVerifyUpdate, C_GenerateKey, C_GenerateKeyPair, C_WrapKey, C_UnwrapKey,   \
	    C_DeriveKey, C_SeedRandom, C_GenerateRandom, C_GetFunctionStatus,                  \
	    C_CancelFunction, C_WaitForSlotEvent

CK_FUNCTION_LIST ez_function_list = {{2, 40}, EZ_V240_FUNCTIONS};

static EZ_FUNCTION_LIST_3_0 function_list_3_0 = {
	{3, 0},
	EZ_V240_FUNCTIONS,
	C_GetInterfaceList,
	C_GetInterface,
	C_LoginUser,
	C_SessionCancel,
	msg_init, crypt_msg, crypt_begin, crypt_next, msg_one, /* encrypt */
	msg_init, crypt_msg, crypt_begin, crypt_next, msg_one, /* decrypt */
	msg_init, sign_msg, msg_begin, sign_msg, msg_one,      /* sign */
	msg_init, verify_msg, msg_begin, verify_msg, msg_one,  /* verify */
};

/* PKCS#11 3.0 section 5.2: the interfaces, the newest standard one first. */
extern EZ_VENDOR_FUNCTIONS ez_vendor_functions;
static CK_INTERFACE interfaces[] = {
	{(CK_CHAR *)"PKCS 11", &function_list_3_0, 0},
	{(CK_CHAR *)"PKCS 11", &ez_function_list, 0},
	{(CK_CHAR *)EZ_VENDOR_INTERFACE, &ez_vendor_functions, 0},
};
#define N_INTERFACES (sizeof(interfaces) / sizeof(interfaces[0]))

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR list, CK_ULONG_PTR count)
{
	if (!count)
		return CKR_ARGUMENTS_BAD;
	if (!list) {
		*count = N_INTERFACES;
		return CKR_OK;
	}
	if (*count < N_INTERFACES) {
		*count = N_INTERFACES;
		return CKR_BUFFER_TOO_SMALL;
	}
	for (size_t i = 0; i < N_INTERFACES; i++)
		list[i] = interfaces[i];
	*count = N_INTERFACES;
	return CKR_OK;
}

CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
		     CK_FLAGS flags)
{
	size_t i;

	if (!iface)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < N_INTERFACES; i++) {
		/* Every function list starts with its version. */
		const CK_VERSION *v = interfaces[i].pFunctionList;
		if (name && strcmp((const char *)name, (const char *)interfaces[i].pInterfaceName) != 0)
			continue;
		if (version && (version->major != v->major || version->minor != v->minor))
			continue;
		if ((interfaces[i].flags & flags) != flags)
			continue;
		*iface = &interfaces[i];
		return CKR_OK;
	}
	return CKR_ARGUMENTS_BAD;
}
