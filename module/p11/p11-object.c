/*
 * p11-object.c: finding objects and reading their attributes, exactly as
 * PKCS#11 2.40 section 5.7 says; the token is write-protected, so the
 * functions that would change objects answer so.
 */
#include "config.h"

#include "p11-internal.h"

#include <stdlib.h>
#include <string.h>

static bool visible(const struct ez_token *t, const struct ez_obj *o)
{
	return !o->priv || t->login == CKU_USER;
}

/* With the module lock: session, slot, and the object if visible. */
static CK_RV object_of(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, struct ez_slot **slot,
		       struct ez_obj **obj)
{
	struct ez_session *s;
	CK_RV rv = ez_session_get(h, &s, slot);

	if (rv != CKR_OK)
		return rv;
	*obj = ez_token_object((*slot)->token, oh);
	if (!*obj || !visible((*slot)->token, *obj))
		return CKR_OBJECT_HANDLE_INVALID;
	return CKR_OK;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_token *t;
	CK_RV rv;
	size_t i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && !tmpl && n)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && s->op != EZ_OP_NONE)
		rv = CKR_OPERATION_ACTIVE;
	if (rv != CKR_OK)
		goto out;
	t = slot->token;
	s->found = calloc(t->nobjs ? t->nobjs : 1, sizeof(*s->found));
	if (!s->found) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	for (i = 0; i < t->nobjs; i++)
		if (visible(t, &t->objs[i]) && ez_obj_match(&t->objs[i], tmpl, n))
			s->found[s->nfound++] = t->objs[i].handle;
	s->pos = 0;
	s->op = EZ_OP_FIND;
out:
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
		    CK_ULONG_PTR count)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && (!out || !count))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && s->op != EZ_OP_FIND)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK) {
		CK_ULONG n = 0;
		while (n < max && s->pos < s->nfound)
			out[n++] = s->found[s->pos++];
		*count = n;
	}
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	struct ez_session *s;
	struct ez_slot *slot;
	CK_RV rv;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = ez_session_get(h, &s, &slot);
	if (rv == CKR_OK && s->op != EZ_OP_FIND)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK)
		ez_session_reset_op(s);
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl,
			  CK_ULONG n)
{
	struct ez_slot *slot;
	struct ez_obj *o;
	CK_RV rv, worst = CKR_OK;
	CK_ULONG i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = object_of(h, oh, &slot, &o);
	if (rv == CKR_OK && !tmpl && n)
		rv = CKR_ARGUMENTS_BAD;
	if (rv != CKR_OK) {
		ez_mutex_unlock(ez_mod.lock);
		return rv;
	}
	/* Every attribute is processed; the answer is the error met, with
	 * SENSITIVE and TYPE_INVALID before BUFFER_TOO_SMALL (5.7, C_GetAttributeValue). */
	for (i = 0; i < n; i++) {
		const struct ez_attr *a = ez_obj_attr(o, tmpl[i].type);
		if (!a) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			worst = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (a->sensitive) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (worst != CKR_ATTRIBUTE_TYPE_INVALID)
				worst = CKR_ATTRIBUTE_SENSITIVE;
		} else if (!tmpl[i].pValue) {
			tmpl[i].ulValueLen = a->len;
		} else if (tmpl[i].ulValueLen < a->len) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (worst == CKR_OK)
				worst = CKR_BUFFER_TOO_SMALL;
		} else {
			if (a->len)
				memcpy(tmpl[i].pValue, a->val, a->len);
			tmpl[i].ulValueLen = a->len;
		}
	}
	ez_mutex_unlock(ez_mod.lock);
	return worst;
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ULONG_PTR size)
{
	struct ez_slot *slot;
	struct ez_obj *o;
	CK_RV rv;
	size_t i;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = object_of(h, oh, &slot, &o);
	if (rv == CKR_OK && !size)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		*size = 0;
		for (i = 0; i < o->nattrs; i++)
			*size += o->attrs[i].len;
	}
	ez_mutex_unlock(ez_mod.lock);
	return rv;
}

/* Objects cannot be made or changed: the token is write-protected, and
 * session objects are not supported. */
static CK_RV write_refused(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n, bool need_obj,
			   CK_OBJECT_HANDLE oh)
{
	struct ez_session *s;
	struct ez_slot *slot;
	struct ez_obj *o;
	CK_RV rv;
	CK_ULONG i;
	bool token_obj = true;

	if (!ez_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	ez_mutex_lock(ez_mod.lock);
	rv = need_obj ? object_of(h, oh, &slot, &o) : ez_session_get(h, &s, &slot);
	ez_mutex_unlock(ez_mod.lock);
	if (rv != CKR_OK)
		return rv;
	if (!tmpl && n)
		return CKR_ARGUMENTS_BAD;
	for (i = 0; i < n; i++)
		if (tmpl[i].type == CKA_TOKEN && tmpl[i].pValue &&
		    tmpl[i].ulValueLen == sizeof(CK_BBOOL))
			token_obj = *(CK_BBOOL *)tmpl[i].pValue != CK_FALSE;
	if (need_obj)
		return CKR_TOKEN_WRITE_PROTECTED;
	return token_obj ? CKR_TOKEN_WRITE_PROTECTED : CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n,
		     CK_OBJECT_HANDLE_PTR out)
{
	if (!out && ez_ready())
		return CKR_ARGUMENTS_BAD;
	return write_refused(h, tmpl, n, false, 0);
}

CK_RV C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n,
		   CK_OBJECT_HANDLE_PTR out)
{
	(void)out;
	return write_refused(h, tmpl, n, true, oh);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh)
{
	return write_refused(h, NULL, 0, true, oh);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl,
			  CK_ULONG n)
{
	return write_refused(h, tmpl, n, true, oh);
}
