/*
 * p11-test.c: see p11-test.h.
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

CK_FUNCTION_LIST_PTR p11;

void p11_load(void)
{
	const char *path = getenv("EIMZA_MODULE");
	CK_C_GetFunctionList get;
	void *dl;

	ck_assert_msg(path != NULL, "EIMZA_MODULE is not set: run inside eimza-testbed");
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dl != NULL, "dlopen %s: %s", path, dlerror());
	get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	ck_assert_ptr_nonnull(get);
	ck_assert_rv(get(&p11), CKR_OK);
}

void p11_init(void)
{
	p11_load();
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
}

static const char *card_env(int i, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "EIMZA_TB_CARD%d_%s", i, what);
	return getenv(name);
}

int card_of(const char *profile)
{
	int i;

	for (i = 0; i < 16; i++) {
		const char *p = card_env(i, "PROFILE");
		if (p && strcmp(p, profile) == 0)
			return i;
	}
	return -1;
}

CK_SLOT_ID card_slot(int i)
{
	const char *reader = card_env(i, "READER");
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, k;

	ck_assert_ptr_nonnull(reader);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	for (k = 0; k < n; k++) {
		CK_SLOT_INFO si;
		char desc[65];
		size_t len;
		ck_assert_rv(p11->C_GetSlotInfo(slots[k], &si), CKR_OK);
		memcpy(desc, si.slotDescription, 64);
		desc[64] = '\0';
		for (len = 64; len > 0 && desc[len - 1] == ' '; len--)
			desc[len - 1] = '\0';
		if (strcmp(desc, reader) == 0)
			return slots[k];
	}
	ck_abort_msg("no slot for reader '%s'", reader);
	return 0;
}

CK_SESSION_HANDLE open_session(int i, bool rw)
{
	CK_SESSION_HANDLE s;

	ck_assert_rv(p11->C_OpenSession(card_slot(i), CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0),
					NULL, NULL, &s),
		     CKR_OK);
	return s;
}

void login_user(CK_SESSION_HANDLE s)
{
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
}

CK_ULONG find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, size_t idlen,
	      CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ATTRIBUTE t[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, (void *)id, idlen}};
	CK_ULONG n = 0;

	ck_assert_rv(p11->C_FindObjectsInit(s, t, id ? 2 : 1), CKR_OK);
	ck_assert_rv(p11->C_FindObjects(s, out, max, &n), CKR_OK);
	ck_assert_rv(p11->C_FindObjectsFinal(s), CKR_OK);
	return n;
}

void *attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	void *v;

	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK)
		return NULL;
	v = malloc(a.ulValueLen + 1);
	a.pValue = v;
	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	if (len)
		*len = a.ulValueLen;
	return v;
}

bool attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = {t, &b, sizeof(b)};

	ck_assert_rv(p11->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	return b == CK_TRUE;
}

int trace_count(int card, const char *prefix)
{
	const char *path = card_env(card, "TRACE");
	char line[2048];
	FILE *f;
	int n = 0;

	ck_assert_ptr_nonnull(path);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	fclose(f);
	return n;
}

int tb_ctl(const char *fmt, ...)
{
	char cmd[512], args[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null", getenv("EIMZA_TB_CTL"), args);
	return system(cmd);
}
