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

/* The object `oh` of the entered session's token, if visible. */
static CK_RV object_of(struct ez_call *c, CK_OBJECT_HANDLE oh, struct ez_obj **obj)
{
	*obj = ez_token_object(c->slot->token, oh);
	if (!*obj || !visible(c->slot->token, *obj))
		return CKR_OBJECT_HANDLE_INVALID;
	return CKR_OK;
}

static CK_RV find_init(struct ez_call *c, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	struct ez_session *s = c->s;
	struct ez_token *t = c->slot->token;
	size_t i;

	if (!tmpl && n)
		return CKR_ARGUMENTS_BAD;
	if (s->op != EZ_OP_NONE)
		return CKR_OPERATION_ACTIVE;
	s->found = calloc(t->nobjs ? t->nobjs : 1, sizeof(*s->found));
	if (!s->found)
		return CKR_HOST_MEMORY;
	for (i = 0; i < t->nobjs; i++)
		if (visible(t, &t->objs[i]) && ez_obj_match(&t->objs[i], tmpl, n))
			s->found[s->nfound++] = t->objs[i].handle;
	s->pos = 0;
	s->op = EZ_OP_FIND;
	return CKR_OK;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu attributes=%lu", h, n), h, 0);

	if (rv == CKR_OK)
		rv = find_init(&c, tmpl, n);
	return ez_leave(&c, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
		    CK_ULONG_PTR count)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu max=%lu", h, max), h, 0);

	if (rv == CKR_OK && (!out || !count))
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK && c.s->op != EZ_OP_FIND)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK) {
		CK_ULONG n = 0;
		while (n < max && c.s->pos < c.s->nfound)
			out[n++] = c.s->found[c.s->pos++];
		*count = n;
	}
	return ez_leave(&c, rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	struct ez_call c;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu", h), h, 0);

	if (rv == CKR_OK && c.s->op != EZ_OP_FIND)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	if (rv == CKR_OK)
		ez_session_reset_op(c.s);
	return ez_leave(&c, rv);
}

/* Every attribute is processed; the answer is the error met, with
 * SENSITIVE and TYPE_INVALID before BUFFER_TOO_SMALL (5.7, C_GetAttributeValue). */
static CK_RV get_attributes(const struct ez_obj *o, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	CK_RV worst = CKR_OK;
	CK_ULONG i;

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
	return worst;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl,
			  CK_ULONG n)
{
	struct ez_call c;
	struct ez_obj *o = NULL;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu object=%lu attributes=%lu",
					    h, oh, n),
				    h, 0);

	if (rv == CKR_OK)
		rv = object_of(&c, oh, &o);
	if (rv == CKR_OK && !tmpl && n)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK)
		rv = get_attributes(o, tmpl, n);
	return ez_leave(&c, rv);
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ULONG_PTR size)
{
	struct ez_call c;
	struct ez_obj *o = NULL;
	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "session=%lu object=%lu", h, oh), h, 0);

	if (rv == CKR_OK)
		rv = object_of(&c, oh, &o);
	if (rv == CKR_OK && !size)
		rv = CKR_ARGUMENTS_BAD;
	if (rv == CKR_OK) {
		*size = 0;
		for (size_t i = 0; i < o->nattrs; i++)
			*size += o->attrs[i].len;
	}
	return ez_leave(&c, rv);
}

/* Objects cannot be made or changed: the token is write-protected, and
 * session objects are not supported. */
static CK_RV write_refused(const char *fn, CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n,
			   bool need_obj, CK_OBJECT_HANDLE oh, bool out_given)
{
	struct ez_call c;
	struct ez_obj *o;
	CK_ULONG i;
	bool token_obj = true;
	CK_RV rv = ez_enter(ez_call(&c, fn, "session=%lu object=%lu", h, oh));

	if (rv == CKR_OK && !out_given)
		rv = CKR_ARGUMENTS_BAD; /* before the session, as before any lookup */
	if (rv == CKR_OK)
		rv = ez_enter_session(&c, h, 0);
	if (rv == CKR_OK && need_obj)
		rv = object_of(&c, oh, &o);
	if (rv == CKR_OK && !tmpl && n)
		rv = CKR_ARGUMENTS_BAD;
	for (i = 0; rv == CKR_OK && i < n; i++)
		if (tmpl[i].type == CKA_TOKEN && tmpl[i].pValue &&
		    tmpl[i].ulValueLen == sizeof(CK_BBOOL))
			token_obj = *(CK_BBOOL *)tmpl[i].pValue != CK_FALSE;
	if (rv == CKR_OK)
		rv = need_obj || token_obj ? CKR_TOKEN_WRITE_PROTECTED : CKR_FUNCTION_NOT_SUPPORTED;
	return ez_leave(&c, rv);
}

CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n,
		     CK_OBJECT_HANDLE_PTR out)
{
	return write_refused(__func__, h, tmpl, n, false, 0, out != NULL);
}

CK_RV C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n,
		   CK_OBJECT_HANDLE_PTR out)
{
	(void)out;
	return write_refused(__func__, h, tmpl, n, true, oh, true);
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh)
{
	return write_refused(__func__, h, NULL, 0, true, oh, true);
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE_PTR tmpl,
			  CK_ULONG n)
{
	return write_refused(__func__, h, tmpl, n, true, oh, true);
}
