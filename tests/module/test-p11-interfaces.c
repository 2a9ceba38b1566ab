/*
 * test-p11-interfaces.c: the PKCS#11 3.0 interfaces an application finds
 * with C_GetInterfaceList / C_GetInterface, and the 3.0 functions behind
 * them: an application written for 3.0 must log in, sign and cancel through
 * the 3.0 list exactly as through the 2.40 one.
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <eimza/eimza-pkcs11.h>

#ifndef CKF_FIND_OBJECTS
#define CKF_FIND_OBJECTS 0x00000040UL
#endif

static EZ_C_GetInterfaceList get_list;
static EZ_C_GetInterface get_iface;

static void load_entry_points(void)
{
	void *dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW | RTLD_LOCAL);

	ck_assert_ptr_nonnull(dl);
	get_list = (EZ_C_GetInterfaceList)dlsym(dl, "C_GetInterfaceList");
	get_iface = (EZ_C_GetInterface)dlsym(dl, "C_GetInterface");
	ck_assert_ptr_nonnull(get_list);
	ck_assert_ptr_nonnull(get_iface);
}

START_TEST(interface_list)
{
	CK_INTERFACE list[4];
	CK_ULONG n = 0;

	p11_load();
	load_entry_points();
	ck_assert_rv(get_list(NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_rv(get_list(NULL, &n), CKR_OK);
	ck_assert_int_eq(n, 3);
	n = 2;
	ck_assert_rv(get_list(list, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq(n, 3);
	n = 4;
	ck_assert_rv(get_list(list, &n), CKR_OK);
	ck_assert_int_eq(n, 3);
	/* The newest standard interface first, then 2.40, then ours. */
	ck_assert_str_eq((char *)list[0].pInterfaceName, "PKCS 11");
	ck_assert_int_eq(((CK_VERSION *)list[0].pFunctionList)->major, 3);
	ck_assert_int_eq(((CK_VERSION *)list[0].pFunctionList)->minor, 0);
	ck_assert_str_eq((char *)list[1].pInterfaceName, "PKCS 11");
	/* The 2.40 interface is the very list C_GetFunctionList gives. */
	ck_assert_ptr_eq(list[1].pFunctionList, p11);
	ck_assert_str_eq((char *)list[2].pInterfaceName, EZ_VENDOR_INTERFACE);
	ck_assert_int_eq(((CK_VERSION *)list[2].pFunctionList)->major, EZ_VENDOR_VERSION_MAJOR);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(list[i].flags, 0); /* not fork-safe: we say so */
}
END_TEST

START_TEST(interface_by_name_and_version)
{
	CK_INTERFACE_PTR i = NULL;
	CK_VERSION v240 = {2, 40}, v30 = {3, 0}, v31 = {3, 1}, vend = {EZ_VENDOR_VERSION_MAJOR,
								      EZ_VENDOR_VERSION_MINOR};

	p11_load();
	load_entry_points();
	ck_assert_rv(get_iface(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
	/* No name, no version: the default is 3.0. */
	ck_assert_rv(get_iface(NULL, NULL, &i, 0), CKR_OK);
	ck_assert_int_eq(((CK_VERSION *)i->pFunctionList)->major, 3);
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) "PKCS 11", &v240, &i, 0), CKR_OK);
	ck_assert_ptr_eq(i->pFunctionList, p11);
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &i, 0), CKR_OK);
	ck_assert_int_eq(((EZ_FUNCTION_LIST_3_0 *)i->pFunctionList)->version.minor, 0);
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) EZ_VENDOR_INTERFACE, &vend, &i, 0), CKR_OK);
	ck_assert_str_eq((char *)i->pInterfaceName, EZ_VENDOR_INTERFACE);
	/* What is not there is not made up. */
	i = NULL;
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) "PKCS 11", &v31, &i, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) "Vendor other", NULL, &i, 0), CKR_ARGUMENTS_BAD);
	ck_assert_rv(get_iface(NULL, NULL, &i, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
	ck_assert_ptr_null(i);
}
END_TEST

static EZ_FUNCTION_LIST_3_0 *list_3_0(void)
{
	CK_INTERFACE_PTR i = NULL;
	CK_VERSION v30 = {3, 0};

	load_entry_points();
	ck_assert_rv(get_iface((CK_UTF8CHAR_PTR) "PKCS 11", &v30, &i, 0), CKR_OK);
	return i->pFunctionList;
}

START_TEST(functions_of_3_0)
{
	int c = seal_card();
	EZ_FUNCTION_LIST_3_0 *f3;
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO info;
	CK_OBJECT_HANDLE key;
	CK_ULONG n = 0;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG sig_len = sizeof(sig);
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_KEY_TYPE key_type = 0;
	CK_ATTRIBUTE kt = {CKA_KEY_TYPE, &key_type, sizeof(key_type)};

	ck_assert_int_ge(c, 0);
	p11_load();
	f3 = list_3_0();
	/* Every 2.40 function of the 3.0 list is the module's own. */
	ck_assert_ptr_eq(f3->C_Login, p11->C_Login);
	ck_assert_ptr_eq(f3->C_Sign, p11->C_Sign);
	ck_assert_ptr_eq(f3->C_WaitForSlotEvent, p11->C_WaitForSlotEvent);
	ck_assert_rv(f3->C_SessionCancel(1, CKF_SIGN), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_rv(f3->C_Initialize(NULL), CKR_OK);
	ck_assert_rv(f3->C_OpenSession(card_slot(c), CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);

	/* C_LoginUser: a card has one user; the name selects nothing. */
	ck_assert_rv(f3->C_LoginUser(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen(PIN),
				     (CK_UTF8CHAR_PTR) "anyone", 6),
		     CKR_OK);
	ck_assert_rv(f3->C_GetSessionInfo(s, &info), CKR_OK);
	ck_assert_int_eq(info.state, CKS_RO_USER_FUNCTIONS);

	/* C_SessionCancel ends the operation its flags name, and only that. */
	ck_assert_rv(f3->C_FindObjectsInit(s, &t, 1), CKR_OK);
	ck_assert_rv(f3->C_SessionCancel(s, CKF_SIGN), CKR_OK);
	ck_assert_rv(f3->C_FindObjects(s, &key, 1, &n), CKR_OK); /* still active */
	ck_assert_int_eq(n, 1);
	ck_assert_rv(f3->C_SessionCancel(s, CKF_FIND_OBJECTS), CKR_OK);
	ck_assert_rv(f3->C_FindObjects(s, &key, 1, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* A cancelled signature leaves the session free for the next one. */
	ck_assert_rv(f3->C_GetAttributeValue(s, key, &kt, 1), CKR_OK);
	m.mechanism = key_type == CKK_EC ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS;
	ck_assert_rv(f3->C_SignInit(s, &m, key), CKR_OK);
	ck_assert_rv(f3->C_SessionCancel(s, CKF_SIGN), CKR_OK);
	ck_assert_rv(f3->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &sig_len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(f3->C_SignInit(s, &m, key), CKR_OK);
	ck_assert_rv(f3->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &sig_len), CKR_OK);

	/* The message-based functions: nothing a signature card offers. */
	ck_assert_rv(f3->C_MessageSignInit(s, &m, key), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(f3->C_MessageSignInit(s, NULL, key), CKR_ARGUMENTS_BAD);
	ck_assert_rv(f3->C_MessageEncryptInit(s, &m, key), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(f3->C_MessageDecryptInit(s, &m, key), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(f3->C_MessageVerifyInit(s, &m, key), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_rv(f3->C_SignMessage(s, NULL, 0, (CK_BYTE_PTR) "x", 1, sig, &sig_len),
		     CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(f3->C_MessageSignFinal(s), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(f3->C_MessageSignFinal(0xdead), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(f3->C_SessionCancel(0xdead, CKF_SIGN), CKR_SESSION_HANDLE_INVALID);

	ck_assert_rv(f3->C_CloseSession(s), CKR_OK);
	ck_assert_rv(f3->C_Finalize(NULL), CKR_OK);
}
END_TEST

Suite *interfaces_suite(void);
Suite *interfaces_suite(void)
{
	Suite *s = suite_create("interfaces");
	TCase *t = tcase_create("interfaces");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, interface_list);
	tcase_add_test(t, interface_by_name_and_version);
	tcase_add_test(t, functions_of_3_0);
	suite_add_tcase(s, t);
	return s;
}
