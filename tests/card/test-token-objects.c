/*
 * test-token-objects.c: the token's objects built from a card's keys and
 * certificates (module/token/objects.c), with keys the module cannot
 * describe among them. One unusual key must leave the others usable: it
 * once failed the whole token (C_OpenSession answered CKR_DEVICE_ERROR).
 * The certificates are made here with OpenSSL, not taken from the module.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "card-test.h"
#include "module/token/objects.h"
#include "module/token/token.h"

/* A self-signed certificate of `pk` (signed with `signer`), DER. */
static uint8_t *cert_of(EVP_PKEY *pk, EVP_PKEY *signer, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	int l;

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"ODD KEY", -1, -1,
				   0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	ck_assert_int_eq(X509_set_pubkey(x, pk), 1);
	ck_assert_int_gt(X509_sign(x, signer, EVP_sha256()), 0);
	l = i2d_X509(x, &der);
	ck_assert_int_gt(l, 0);
	*len = (size_t)l;
	X509_NAME_free(n);
	X509_free(x);
	return der;
}

static EVP_PKEY *ec_key(const char *curve)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM p[] = {OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
			  OSSL_PARAM_END};
	EVP_PKEY *k = NULL;

	ck_assert_int_eq(EVP_PKEY_keygen_init(c), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_params(c, p), 1);
	ck_assert_int_eq(EVP_PKEY_generate(c, &k), 1);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* Key i and its certificate, with iD i. */
static void add_key(struct ez_token *t, size_t i, EVP_PKEY *pk, EVP_PKEY *signer,
		    enum ez_p15_key_type type)
{
	struct ez_p15_prkey *k = &t->app.prkeys[i];
	struct ez_p15_cert *c = &t->app.certs[i];

	k->id.value[0] = (uint8_t)(i + 1);
	k->id.len = 1;
	k->type = type;
	k->usage = EZ_P15_USAGE_SIGN;
	k->key_ref = (uint8_t)(0x81 + i);
	c->id = k->id;
	c->der = cert_of(pk, signer, &c->der_len);
	t->app.n_prkeys = t->app.n_certs = i + 1;
}

static size_t count(const struct ez_token *t, CK_OBJECT_CLASS cls)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nobjs; i++)
		n += t->objs[i].cls == cls;
	return n;
}

START_TEST(unusual_keys_leave_the_others)
{
	struct ez_token t;
	EVP_PKEY *rsa = EVP_RSA_gen(2048), *p256 = ec_key("P-256"), *p521 = ec_key("P-521");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	CK_OBJECT_HANDLE next = 100;
	size_t kept = 0;

	memset(&t, 0, sizeof(t));
	t.app.prkeys = calloc(5, sizeof(*t.app.prkeys));
	t.app.certs = calloc(5, sizeof(*t.app.certs));
	/* Kept: an RSA key, an EC key on P-256, one on P-521 (its point is
	 * over 127 bytes: a long-form length). Left out: a key of a type no
	 * mechanism uses (Ed25519, typed EC by the card), and a key whose
	 * certificate is missing (no public key anywhere). */
	add_key(&t, 0, rsa, rsa, EZ_P15_KEY_RSA);
	add_key(&t, 1, ed, rsa, EZ_P15_KEY_EC);
	add_key(&t, 2, p256, rsa, EZ_P15_KEY_EC);
	add_key(&t, 3, p521, rsa, EZ_P15_KEY_EC);
	add_key(&t, 4, p256, rsa, EZ_P15_KEY_EC);
	OPENSSL_free(t.app.certs[4].der);
	t.app.certs[4].der = NULL;
	t.app.certs[4].der_len = 0;

	ck_assert_int_eq(ez_objects_build(&t, &next), EZ_OK);
	ck_assert_int_eq(count(&t, CKO_PRIVATE_KEY), 3);
	ck_assert_int_eq(count(&t, CKO_PUBLIC_KEY), 3);
	ck_assert_int_eq(count(&t, CKO_CERTIFICATE), 4); /* a certificate needs no mechanism */
	for (size_t i = 0; i < t.nobjs; i++) {
		const struct ez_obj *o = &t.objs[i];
		const struct ez_attr *id = ez_obj_attr(o, CKA_ID);
		ck_assert_ptr_nonnull(id);
		if (o->cls == CKO_PRIVATE_KEY) {
			uint8_t k = ((uint8_t *)id->val)[0];
			ck_assert_msg(k == 1 || k == 3 || k == 4, "key %u was kept", k);
			kept++;
		}
		if (o->cls == CKO_PUBLIC_KEY && ((uint8_t *)id->val)[0] == 4) {
			const struct ez_attr *pt = ez_obj_attr(o, CKA_EC_POINT);
			ck_assert_ptr_nonnull(pt);
			ck_assert_int_eq(pt->len, 3 + 133); /* 04 81 85, then the point */
		}
		/* Handles from the range the token was given, all different. */
		ck_assert_int_ge(o->handle, 100);
		for (size_t j = 0; j < i; j++)
			ck_assert_int_ne(o->handle, t.objs[j].handle);
	}
	ck_assert_int_eq(kept, 3);
	ez_objects_free(&t);
	ez_p15_app_free(&t.app);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p521);
	EVP_PKEY_free(ed);
}
END_TEST

void card_token_objects_tests(Suite *s)
{
	TCase *tc = tcase_create("token-objects");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, unusual_keys_leave_the_others);
	suite_add_tcase(s, tc);
}
