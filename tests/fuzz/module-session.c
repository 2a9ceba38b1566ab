/*
 * module-session.c: the whole module's session of the fuzz targets
 * (sessions.h), through the PKCS#11 functions as an application calls
 * them, with the scripted reader of module/transport/replay.h.
 */
#include "config.h"

#include "sessions.h"

#include <stdlib.h>
#include <string.h>

#include "module/p11/pkcs11-types.h"

#define MAX_SLOTS 4
#define MAX_OBJECTS 32
#define READER "eimza fuzz reader 00 00"

/* Every attribute an application asks of certificates and keys: the
 * lengths first, then the values, as PKCS#11 callers do. */
static void read_attributes(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o)
{
	static const CK_ATTRIBUTE_TYPE types[] = {
	    CKA_CLASS,
	    CKA_TOKEN,
	    CKA_PRIVATE,
	    CKA_LABEL,
	    CKA_ID,
	    CKA_VALUE,
	    CKA_CERTIFICATE_TYPE,
	    CKA_SUBJECT,
	    CKA_ISSUER,
	    CKA_SERIAL_NUMBER,
	    CKA_TRUSTED,
	    CKA_CERTIFICATE_CATEGORY,
	    CKA_KEY_TYPE,
	    CKA_SIGN,
	    CKA_SIGN_RECOVER,
	    CKA_DECRYPT,
	    CKA_MODULUS,
	    CKA_MODULUS_BITS,
	    CKA_PUBLIC_EXPONENT,
	    CKA_EC_PARAMS,
	    CKA_EC_POINT,
	    CKA_ALWAYS_AUTHENTICATE,
	    CKA_ALLOWED_MECHANISMS,
	    CKA_SENSITIVE,
	    CKA_EXTRACTABLE,
	    CKA_PUBLIC_KEY_INFO,
	    CKA_START_DATE,
	    CKA_END_DATE,
	    CKA_VENDOR_DEFINED,
	};
	CK_ATTRIBUTE t[sizeof(types) / sizeof(types[0])];
	size_t n = sizeof(types) / sizeof(types[0]), i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		t[i].type = types[i];
	C_GetAttributeValue(s, o, t, n);
	for (i = 0; i < n; i++) {
		if (t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION || t[i].ulValueLen > 65536)
			t[i].ulValueLen = 0;
		t[i].pValue = t[i].ulValueLen ? malloc(t[i].ulValueLen) : NULL;
	}
	C_GetAttributeValue(s, o, t, n);
	for (i = 0; i < n; i++)
		free(t[i].pValue);
}

static CK_ULONG attr_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = (CK_ULONG)-1;
	CK_ATTRIBUTE a = {type, &v, sizeof(v)};

	return C_GetAttributeValue(s, o, &a, 1) == CKR_OK ? v : (CK_ULONG)-1;
}

static bool attr_true(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = {type, &v, sizeof(v)};

	return C_GetAttributeValue(s, o, &a, 1) == CKR_OK && v == CK_TRUE;
}

static bool sign_with(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM *m, bool always_auth,
                      const CK_BYTE *data, CK_ULONG len)
{
	CK_BYTE sig[1024];
	CK_ULONG slen = 0;
	CK_RV rv;

	if (C_SignInit(s, m, key) != CKR_OK)
		return false;
	if (always_auth)
		C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)FZ_PIN, strlen(FZ_PIN));
	/* The length first, then the signature, as most callers do. */
	rv = C_Sign(s, (CK_BYTE *)data, len, NULL, &slen);
	if (rv != CKR_OK)
		return false;
	if (slen > sizeof(sig))
		slen = sizeof(sig);
	return C_Sign(s, (CK_BYTE *)data, len, sig, &slen) == CKR_OK;
}

static bool sign_all(CK_SESSION_HANDLE s, const CK_OBJECT_HANDLE *objs, CK_ULONG n)
{
	static const CK_BYTE data[] = "eimza fuzz: the data to sign";
	static const CK_BYTE hash[32] = {0x5A};
	CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM rsa = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_MECHANISM rsa_pss = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss)};
	CK_MECHANISM ec = {CKM_ECDSA_SHA256, NULL, 0};
	CK_MECHANISM ec_raw = {CKM_ECDSA, NULL, 0};
	bool signed_one = false;

	for (CK_ULONG i = 0; i < n; i++) {
		bool always;
		if (attr_ulong(s, objs[i], CKA_CLASS) != CKO_PRIVATE_KEY)
			continue;
		always = attr_true(s, objs[i], CKA_ALWAYS_AUTHENTICATE);
		if (attr_ulong(s, objs[i], CKA_KEY_TYPE) == CKK_EC) {
			signed_one |= sign_with(s, objs[i], &ec, always, data, sizeof(data));
			signed_one |= sign_with(s, objs[i], &ec_raw, always, hash, sizeof(hash));
		} else {
			signed_one |= sign_with(s, objs[i], &rsa, always, data, sizeof(data));
			signed_one |= sign_with(s, objs[i], &rsa_pss, always, data, sizeof(data));
		}
	}
	return signed_one;
}

static bool use_token(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE objs[MAX_OBJECTS];
	CK_ULONG n = 0;
	CK_BYTE rnd[40];
	bool signed_one;

	if (C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		return false;
	C_GetSessionInfo(s, &si);
	if (C_FindObjectsInit(s, NULL, 0) == CKR_OK) {
		C_FindObjects(s, objs, MAX_OBJECTS, &n);
		C_FindObjectsFinal(s);
	}
	for (CK_ULONG i = 0; i < n; i++)
		read_attributes(s, objs[i]);
	C_Login(s, CKU_USER, (CK_UTF8CHAR *)FZ_PIN, strlen(FZ_PIN));
	/* Private objects show after the login. */
	if (C_FindObjectsInit(s, NULL, 0) == CKR_OK) {
		C_FindObjects(s, objs, MAX_OBJECTS, &n);
		C_FindObjectsFinal(s);
	}
	signed_one = sign_all(s, objs, n);
	C_SetPIN(s, (CK_UTF8CHAR *)FZ_PIN, strlen(FZ_PIN), (CK_UTF8CHAR *)FZ_PIN, strlen(FZ_PIN));
	C_Logout(s);
	if (C_Login(s, CKU_SO, (CK_UTF8CHAR *)FZ_PUK, strlen(FZ_PUK)) == CKR_OK) {
		C_InitPIN(s, (CK_UTF8CHAR *)FZ_PIN, strlen(FZ_PIN));
		C_Logout(s);
	}
	C_GenerateRandom(s, rnd, sizeof(rnd));
	C_CloseSession(s);
	return signed_one;
}

bool fz_module_session(ez_conn *card)
{
	CK_SLOT_ID slots[MAX_SLOTS];
	CK_ULONG n = MAX_SLOTS;
	bool signed_one = false;

	ez_replay_reader(READER, card);
	if (C_Initialize(NULL) != CKR_OK)
		return false;
	if (C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK) {
		for (CK_ULONG i = 0; i < n && i < MAX_SLOTS; i++) {
			CK_SLOT_INFO si;
			CK_TOKEN_INFO ti;
			CK_MECHANISM_TYPE mechs[64];
			CK_ULONG nm = 64;
			C_GetSlotInfo(slots[i], &si);
			if (C_GetTokenInfo(slots[i], &ti) != CKR_OK)
				continue;
			if (C_GetMechanismList(slots[i], mechs, &nm) == CKR_OK)
				for (CK_ULONG j = 0; j < nm && j < 64; j++) {
					CK_MECHANISM_INFO mi;
					C_GetMechanismInfo(slots[i], mechs[j], &mi);
				}
			signed_one |= use_token(slots[i]);
		}
	}
	C_Finalize(NULL);
	ez_replay_reader(NULL, NULL);
	return signed_one;
}
