/*
 * objects.c: the token's objects. For each PKCS#15 private key: the
 * private key object, its public key (from the PuKDF, else from the
 * certificate) and its certificate, all with the key's own PKCS#15 iD as
 * CKA_ID. CA certificates on the card become certificate objects of the
 * authority category. Attribute values are built once, here.
 */
#include "config.h"

#include "objects.h"
#include "../ez-ossl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <eimza/der.h>

struct builder {
	struct ez_obj *o;
	bool failed;      /* out of memory: the token cannot be built */
	bool unsupported; /* a key this module cannot describe: only it is left out */
};

static void add(struct builder *b, CK_ATTRIBUTE_TYPE type, const void *val, size_t len)
{
	struct ez_attr *a;
	void *copy = NULL;

	if (b->failed)
		return;
	a = realloc(b->o->attrs, (b->o->nattrs + 1) * sizeof(*a));
	if (!a) {
		b->failed = true;
		return;
	}
	b->o->attrs = a;
	if (len && !(copy = malloc(len))) {
		b->failed = true;
		return;
	}
	if (len)
		memcpy(copy, val, len);
	a[b->o->nattrs].type = type;
	a[b->o->nattrs].val = copy;
	a[b->o->nattrs].len = (CK_ULONG)len;
	a[b->o->nattrs].sensitive = false;
	b->o->nattrs++;
}

static void add_bool(struct builder *b, CK_ATTRIBUTE_TYPE type, bool v)
{
	CK_BBOOL x = v ? CK_TRUE : CK_FALSE;
	add(b, type, &x, sizeof(x));
}

static void add_ulong(struct builder *b, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	add(b, type, &v, sizeof(v));
}

static void add_sensitive(struct builder *b, CK_ATTRIBUTE_TYPE type)
{
	add(b, type, NULL, 0);
	if (!b->failed)
		b->o->attrs[b->o->nattrs - 1].sensitive = true;
}

static void add_bn(struct builder *b, CK_ATTRIBUTE_TYPE type, const EVP_PKEY *pk,
		   const char *name)
{
	BIGNUM *bn = NULL;
	uint8_t *buf;
	int n;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn) || (n = BN_num_bytes(bn)) > 2048) {
		BN_free(bn);
		b->unsupported = true; /* not an RSA number of any size a card holds */
		return;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf) {
		BN_free(bn);
		b->failed = true;
		return;
	}
	BN_bn2bin(bn, buf);
	add(b, type, buf, (size_t)n);
	free(buf);
	BN_free(bn);
}

static void add_date(struct builder *b, CK_ATTRIBUTE_TYPE type, const ASN1_TIME *t)
{
	struct tm tm;
	char s[32];
	CK_DATE d;

	if (!t || !ASN1_TIME_to_tm(t, &tm) || tm.tm_year < 0 || tm.tm_year + 1900 > 9999 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) {
		add(b, type, NULL, 0);
		return;
	}
	snprintf(s, sizeof(s), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	memcpy(d.year, s, 4);
	memcpy(d.month, s + 4, 2);
	memcpy(d.day, s + 6, 2);
	add(b, type, &d, sizeof(d));
}

static struct ez_obj *new_obj(struct ez_token *t, CK_OBJECT_HANDLE *next, CK_OBJECT_CLASS cls)
{
	struct ez_obj *o = realloc(t->objs, (t->nobjs + 1) * sizeof(*o));

	if (!o)
		return NULL;
	t->objs = o;
	o = &t->objs[t->nobjs++];
	memset(o, 0, sizeof(*o));
	o->handle = (*next)++;
	o->cls = cls;
	return o;
}

static void common(struct builder *b, CK_OBJECT_CLASS cls, bool priv, const char *label,
		   const struct ez_p15_id *id)
{
	b->o->priv = priv;
	add_ulong(b, CKA_CLASS, cls);
	add_bool(b, CKA_TOKEN, true);
	add_bool(b, CKA_PRIVATE, priv);
	add_bool(b, CKA_MODIFIABLE, false);
	add_bool(b, CKA_COPYABLE, false);
	add_bool(b, CKA_DESTROYABLE, false);
	add(b, CKA_LABEL, label, strlen(label));
	if (id)
		add(b, CKA_ID, id->value, id->len);
}

/* CKA_EC_PARAMS is the named-curve OID (never explicit parameters: they
 * break Java's SunEC), CKA_EC_POINT the DER OCTET STRING of the point. */
static void ec_attrs(struct builder *b, const EVP_PKEY *pk, bool with_point)
{
	char curve[64];
	uint8_t pt[160], der[170], oid[32];
	size_t ptlen = 0, n = 0, oidlen;
	int nid;
	ASN1_OBJECT *obj;
	unsigned char *p = oid;

	/* A key without a named curve (explicit parameters) cannot be given a
	 * CKA_EC_PARAMS Java and NSS accept: it is left out, not the token. */
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
					    NULL) ||
	    (nid = OBJ_txt2nid(curve)) == NID_undef || !(obj = OBJ_nid2obj(nid)) ||
	    i2d_ASN1_OBJECT(obj, NULL) > (int)sizeof(oid)) {
		b->unsupported = true;
		return;
	}
	oidlen = (size_t)i2d_ASN1_OBJECT(obj, &p);
	add(b, CKA_EC_PARAMS, oid, oidlen);
	if (!with_point)
		return;
	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen) ||
	    ptlen > 255) {
		b->unsupported = true;
		return;
	}
	der[n++] = 0x04;
	if (ptlen > 127)
		der[n++] = 0x81; /* P-521's point is 133 bytes: a long-form length */
	der[n++] = (uint8_t)ptlen;
	memcpy(der + n, pt, ptlen);
	add(b, CKA_EC_POINT, der, n + ptlen);
}

static void key_common(struct builder *b, const struct ez_token *t, const struct ez_obj *o,
		       const uint8_t *subject, size_t subject_len, const EVP_PKEY *pk)
{
	CK_MECHANISM_TYPE all[32], allowed[32];
	size_t nall = ez_mech_list(all, sizeof(all) / sizeof(all[0])), nallowed = 0, i;
	unsigned char *spki = NULL;
	int n;

	add_ulong(b, CKA_KEY_TYPE, o->key_type);
	add(b, CKA_SUBJECT, subject, subject ? subject_len : 0);
	add(b, CKA_START_DATE, NULL, 0);
	add(b, CKA_END_DATE, NULL, 0);
	add_bool(b, CKA_DERIVE, false);
	add_bool(b, CKA_LOCAL, false);
	add_ulong(b, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
	/* The mechanisms this card computes for a key of this type. */
	for (i = 0; i < nall && i < sizeof(all) / sizeof(all[0]); i++) {
		const struct ez_mech *m = ez_mech_find(all[i]);
		if (m && m->key_type == o->key_type && ez_token_card_can(t, m))
			allowed[nallowed++] = all[i];
	}
	add(b, CKA_ALLOWED_MECHANISMS, allowed, nallowed * sizeof(allowed[0]));
	n = i2d_PUBKEY((EVP_PKEY *)pk, &spki);
	if (n > 0)
		add(b, CKA_PUBLIC_KEY_INFO, spki, (size_t)n);
	OPENSSL_free(spki);
	if (o->key_type == CKK_RSA) {
		add_bn(b, CKA_MODULUS, pk, OSSL_PKEY_PARAM_RSA_N);
		add_bn(b, CKA_PUBLIC_EXPONENT, pk, OSSL_PKEY_PARAM_RSA_E);
		add_ulong(b, CKA_MODULUS_BITS, o->bits);
	}
}

static const struct ez_p15_cert *cert_for(const struct ez_token *t, const struct ez_p15_id *id)
{
	size_t i;

	for (i = 0; i < t->app.n_certs; i++)
		if (t->app.certs[i].der && t->app.certs[i].id.len == id->len &&
		    memcmp(t->app.certs[i].id.value, id->value, id->len) == 0)
			return &t->app.certs[i];
	return NULL;
}

static const struct ez_p15_pubkey *pub_for(const struct ez_token *t, const struct ez_p15_id *id)
{
	size_t i;

	for (i = 0; i < t->app.n_pubkeys; i++)
		if (t->app.pubkeys[i].spki && t->app.pubkeys[i].id.len == id->len &&
		    memcmp(t->app.pubkeys[i].id.value, id->value, id->len) == 0)
			return &t->app.pubkeys[i];
	return NULL;
}

static X509 *parse_cert(const struct ez_p15_cert *c)
{
	return c ? ez_x509_from_der(c->der, c->der_len, NULL) : NULL;
}

static EVP_PKEY *key_of(const struct ez_p15_pubkey *pub, X509 *x)
{
	if (pub)
		return ez_pubkey_from_der(pub->spki, pub->spki_len);
	return x ? X509_get_pubkey(x) : NULL;
}

static void set_key_info(struct ez_obj *o, EVP_PKEY *pk)
{
	o->pub = pk;
	o->key_type = EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? CKK_RSA : CKK_EC;
	o->bits = (unsigned)EVP_PKEY_get_bits(pk);
}

static ez_err build_cert(struct ez_token *t, CK_OBJECT_HANDLE *next, const struct ez_p15_cert *c)
{
	struct ez_obj *o = new_obj(t, next, CKO_CERTIFICATE);
	struct builder b = {o, false, false};
	X509 *x = parse_cert(c);
	unsigned char *der = NULL, hash[SHA_DIGEST_LENGTH];
	int n;

	if (!o)
		return EZ_ERR_NO_MEMORY;
	if (!x) {
		t->nobjs--; /* a certificate OpenSSL cannot read is not shown */
		return EZ_OK;
	}
	common(&b, CKO_CERTIFICATE, false, c->label, &c->id);
	add_ulong(&b, CKA_CERTIFICATE_TYPE, CKC_X_509);
	add_bool(&b, CKA_TRUSTED, c->trusted);
	add_ulong(&b, CKA_CERTIFICATE_CATEGORY, c->authority ? 2 : 1);
	if (ez_hash("SHA1", c->der, c->der_len, hash) < 0)
		memset(hash, 0, sizeof(hash));
	add(&b, CKA_CHECK_VALUE, hash, 3);
	add_date(&b, CKA_START_DATE, X509_get0_notBefore(x));
	add_date(&b, CKA_END_DATE, X509_get0_notAfter(x));
	if ((n = i2d_X509_NAME(X509_get_subject_name(x), &der)) > 0)
		add(&b, CKA_SUBJECT, der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;
	if ((n = i2d_X509_NAME(X509_get_issuer_name(x), &der)) > 0)
		add(&b, CKA_ISSUER, der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;
	if ((n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &der)) > 0)
		add(&b, CKA_SERIAL_NUMBER, der, (size_t)n);
	OPENSSL_free(der);
	add(&b, CKA_VALUE, c->der, c->der_len);
	add(&b, CKA_URL, NULL, 0);
	{
		const ASN1_BIT_STRING *pkbits = X509_get0_pubkey_bitstr(x);
		if (pkbits && ez_hash("SHA1", pkbits->data, (size_t)pkbits->length, hash) == 0) {
			add(&b, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, hash, sizeof(hash));
		}
	}
	add(&b, CKA_HASH_OF_ISSUER_PUBLIC_KEY, NULL, 0);
	add_ulong(&b, CKA_JAVA_MIDP_SECURITY_DOMAIN, 0);
	add_ulong(&b, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
	X509_free(x);
	return b.failed ? EZ_ERR_NO_MEMORY : EZ_OK;
}

static void free_obj(struct ez_obj *o)
{
	for (size_t j = 0; j < o->nattrs; j++)
		free(o->attrs[j].val);
	free(o->attrs);
	EVP_PKEY_free(o->pub);
}

/* Take back the objects made since `first` (a key left out). */
static void drop_from(struct ez_token *t, size_t first)
{
	while (t->nobjs > first)
		free_obj(&t->objs[--t->nobjs]);
}

static ez_err build_keys(struct ez_token *t, CK_OBJECT_HANDLE *next, size_t i)
{
	const struct ez_p15_prkey *k = &t->app.prkeys[i];
	const struct ez_p15_cert *c = cert_for(t, &k->id);
	const struct ez_p15_pubkey *pub = pub_for(t, &k->id);
	X509 *x = c ? parse_cert(c) : NULL;
	EVP_PKEY *pk = key_of(pub, x), *pk2;
	unsigned char *subj = NULL;
	const uint8_t *subject = k->subject;
	size_t subject_len = k->subject_len;
	struct ez_obj *o;
	struct builder b;
	int n;

	size_t first = t->nobjs;

	if (!pk || (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA &&
		    EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC)) {
		/* No public key anywhere, or a key of a kind no mechanism here
		 * uses: this key cannot be described; the others stay usable. */
		EVP_PKEY_free(pk);
		X509_free(x);
		return EZ_OK;
	}
	if (!subject && x && (n = i2d_X509_NAME(X509_get_subject_name(x), &subj)) > 0) {
		subject = subj;
		subject_len = (size_t)n;
	}

	/* The private key. */
	o = new_obj(t, next, CKO_PRIVATE_KEY);
	if (!o)
		goto nomem;
	set_key_info(o, pk);
	o->key_ref = k->key_ref;
	o->always_auth = k->user_consent;
	b = (struct builder){o, false, false};
	common(&b, CKO_PRIVATE_KEY, true, k->label, &k->id);
	key_common(&b, t, o, subject, subject_len, pk);
	add_bool(&b, CKA_SENSITIVE, true);
	add_bool(&b, CKA_ALWAYS_SENSITIVE, true);
	add_bool(&b, CKA_EXTRACTABLE, false);
	add_bool(&b, CKA_NEVER_EXTRACTABLE, true);
	add_bool(&b, CKA_SIGN, (k->usage & (EZ_P15_USAGE_SIGN | EZ_P15_USAGE_NON_REPUDIATION)) != 0);
	add_bool(&b, CKA_SIGN_RECOVER, false);
	add_bool(&b, CKA_DECRYPT, false);
	add_bool(&b, CKA_UNWRAP, false);
	add_bool(&b, CKA_WRAP_WITH_TRUSTED, false);
	add_bool(&b, CKA_ALWAYS_AUTHENTICATE, k->user_consent);
	if (o->key_type == CKK_EC)
		ec_attrs(&b, pk, false);
	if (o->key_type == CKK_RSA) {
		add_sensitive(&b, CKA_PRIVATE_EXPONENT);
		add_sensitive(&b, CKA_PRIME_1);
		add_sensitive(&b, CKA_PRIME_2);
		add_sensitive(&b, CKA_EXPONENT_1);
		add_sensitive(&b, CKA_EXPONENT_2);
		add_sensitive(&b, CKA_COEFFICIENT);
	} else {
		add_sensitive(&b, CKA_VALUE);
	}
	if (b.failed)
		goto nomem;
	if (b.unsupported)
		goto leave_out;

	/* Its public key: from the PuKDF entry with this iD, else the certificate. */
	{
		if (!EVP_PKEY_up_ref(pk))
			goto nomem;
		pk2 = pk;
		o = new_obj(t, next, CKO_PUBLIC_KEY);
		if (!o) {
			EVP_PKEY_free(pk2);
			goto nomem;
		}
		set_key_info(o, pk2);
		b = (struct builder){o, false, false};
		common(&b, CKO_PUBLIC_KEY, false, pub ? pub->label : k->label, &k->id);
		key_common(&b, t, o, subject, subject_len, pk2);
		add_bool(&b, CKA_ENCRYPT, false);
		add_bool(&b, CKA_VERIFY, true);
		add_bool(&b, CKA_VERIFY_RECOVER, false);
		add_bool(&b, CKA_WRAP, false);
		add_bool(&b, CKA_TRUSTED, false);
		if (o->key_type == CKK_EC)
			ec_attrs(&b, pk2, true);
		if (b.failed)
			goto nomem;
		if (b.unsupported)
			goto leave_out;
	}
	X509_free(x);
	OPENSSL_free(subj);
	return EZ_OK;
leave_out:
	drop_from(t, first);
	X509_free(x);
	OPENSSL_free(subj);
	return EZ_OK;
nomem:
	X509_free(x);
	OPENSSL_free(subj);
	return EZ_ERR_NO_MEMORY;
}

ez_err ez_objects_build(struct ez_token *t, CK_OBJECT_HANDLE *next)
{
	size_t i;
	ez_err e;

	for (i = 0; i < t->app.n_prkeys; i++)
		if ((e = build_keys(t, next, i)) != EZ_OK)
			return e;
	for (i = 0; i < t->app.n_certs; i++)
		if (t->app.certs[i].der && (e = build_cert(t, next, &t->app.certs[i])) != EZ_OK)
			return e;
	return EZ_OK;
}

void ez_objects_free(struct ez_token *t)
{
	size_t i;

	for (i = 0; i < t->nobjs; i++)
		free_obj(&t->objs[i]);
	free(t->objs);
	t->objs = NULL;
	t->nobjs = 0;
}

struct ez_obj *ez_token_object(struct ez_token *t, CK_OBJECT_HANDLE h)
{
	size_t i;

	for (i = 0; t && i < t->nobjs; i++)
		if (t->objs[i].handle == h)
			return &t->objs[i];
	return NULL;
}

const struct ez_attr *ez_obj_attr(const struct ez_obj *o, CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < o->nattrs; i++)
		if (o->attrs[i].type == type)
			return &o->attrs[i];
	return NULL;
}

bool ez_obj_match(const struct ez_obj *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		const struct ez_attr *a = ez_obj_attr(o, tmpl[i].type);
		if (!a || a->sensitive || a->len != tmpl[i].ulValueLen)
			return false;
		if (a->len && (!tmpl[i].pValue || memcmp(a->val, tmpl[i].pValue, a->len) != 0))
			return false;
	}
	return true;
}
