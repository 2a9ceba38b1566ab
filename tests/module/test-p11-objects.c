/*
 * test-p11-objects.c: the objects of every profile and the attribute rules
 * of C_GetAttributeValue, including the lessons from the vendor's library
 * (named-curve EC params, one CKA_ID per key, certificates before login).
 */
#include "config.h"

#include "p11-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

/* Keys per profile (docs/vcard-init.md). */
static CK_ULONG expected(const char *profile)
{
	return strcmp(profile, "multi") == 0 ? 3 : 1;
}

START_TEST(objects_of_profile)
{
	int c = _i;
	char env[40];
	const char *profile;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE keys[16], certs[16], pubs[16], o[4];
	CK_ULONG nk, nc, np, i, j, len;

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_PROFILE", c);
	profile = getenv(env);
	ck_assert_ptr_nonnull(profile);
	p11_init();
	s = open_session(c, false);
	/* Before login: certificates and public keys, no private keys. */
	nc = find(s, CKO_CERTIFICATE, NULL, 0, certs, 16);
	np = find(s, CKO_PUBLIC_KEY, NULL, 0, pubs, 16);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, keys, 16), 0);
	ck_assert_int_eq(nc, expected(profile));
	ck_assert_int_eq(np, expected(profile));
	login_user(s);
	nk = find(s, CKO_PRIVATE_KEY, NULL, 0, keys, 16);
	ck_assert_int_eq(nk, expected(profile));

	for (i = 0; i < nk; i++) {
		CK_ULONG idlen;
		unsigned char *id = attr(s, keys[i], CKA_ID, &idlen);
		CK_KEY_TYPE *kt = attr(s, keys[i], CKA_KEY_TYPE, &len);
		ck_assert_ptr_nonnull(id);
		/* The certificate and the public key share the key's CKA_ID. */
		ck_assert_int_eq(find(s, CKO_CERTIFICATE, id, idlen, o, 4), 1);
		ck_assert_int_eq(find(s, CKO_PUBLIC_KEY, id, idlen, o, 4), 1);
		/* Every key has its own CKA_ID. */
		for (j = 0; j < nk; j++) {
			CK_ULONG l2;
			unsigned char *id2 = attr(s, keys[j], CKA_ID, &l2);
			if (j != i)
				ck_assert(l2 != idlen || memcmp(id, id2, idlen) != 0);
			free(id2);
		}
		ck_assert(attr_bool(s, keys[i], CKA_SIGN));
		ck_assert(attr_bool(s, keys[i], CKA_SENSITIVE));
		ck_assert(!attr_bool(s, keys[i], CKA_EXTRACTABLE));
		ck_assert(attr_bool(s, keys[i], CKA_PRIVATE));
		if (*kt == CKK_EC) {
			unsigned char *params = attr(s, keys[i], CKA_EC_PARAMS, &len);
			/* A named curve OID, never explicit parameters. */
			ck_assert_ptr_nonnull(params);
			ck_assert_int_eq(params[0], 0x06);
			ck_assert_int_eq(params[1] + 2, len);
			free(params);
			params = attr(s, o[0], CKA_EC_POINT, &len);
			ck_assert_ptr_nonnull(params);
			ck_assert_int_eq(params[0], 0x04); /* DER OCTET STRING */
			free(params);
		} else {
			ck_assert_int_eq(*kt, CKK_RSA);
			free(attr(s, keys[i], CKA_MODULUS, &len));
			ck_assert_int_ge(len, 256);
		}
		free(kt);
		free(id);
	}
	/* Certificate attributes agree with the certificate itself. */
	for (i = 0; i < nc; i++) {
		unsigned char *der = attr(s, certs[i], CKA_VALUE, &len), *subj;
		const unsigned char *p = der;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		unsigned char *mine = NULL;
		int n;
		CK_ULONG slen;
		ck_assert_ptr_nonnull(x);
		subj = attr(s, certs[i], CKA_SUBJECT, &slen);
		n = i2d_X509_NAME(X509_get_subject_name(x), &mine);
		ck_assert_int_eq(n, slen);
		ck_assert_mem_eq(mine, subj, slen);
		{
			void *issuer = attr(s, certs[i], CKA_ISSUER, &len);
			void *serial = attr(s, certs[i], CKA_SERIAL_NUMBER, &len);
			ck_assert_ptr_nonnull(issuer);
			ck_assert_ptr_nonnull(serial);
			free(issuer);
			free(serial);
		}
		free(attr(s, certs[i], CKA_START_DATE, &len));
		ck_assert_int_eq(len, 8);
		OPENSSL_free(mine);
		free(subj);
		free(der);
		X509_free(x);
	}
	/* Nobody reads a file twice while the card stays: a second session
	 * and search sends no READ BINARY. */
	{
		int before = trace_count(c, "> 00 B0");
		CK_SESSION_HANDLE s2 = open_session(c, false);
		find(s2, CKO_CERTIFICATE, NULL, 0, certs, 16);
		free(attr(s2, certs[0], CKA_VALUE, &len));
		ck_assert_int_eq(trace_count(c, "> 00 B0"), before);
	}
}
END_TEST

START_TEST(always_authenticate_flag)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;

	p11_init();
	s = open_session(card_of("nes-rsa"), false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert(attr_bool(s, k, CKA_ALWAYS_AUTHENTICATE));
	s = open_session(seal_card(), false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert(!attr_bool(s, k, CKA_ALWAYS_AUTHENTICATE));
}
END_TEST

START_TEST(attribute_rules)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k, cert;
	CK_BYTE small[4], big[4096];
	CK_BBOOL b;
	CK_ATTRIBUTE t[4];

	p11_init();
	s = open_session(card_of("nes-rsa"), false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert_int_eq(find(s, CKO_CERTIFICATE, NULL, 0, &cert, 1), 1);

	/* Size query. */
	t[0] = (CK_ATTRIBUTE){CKA_VALUE, NULL, 0};
	ck_assert_rv(p11->C_GetAttributeValue(s, cert, t, 1), CKR_OK);
	ck_assert_int_gt(t[0].ulValueLen, 500);
	/* Too small: the length becomes CK_UNAVAILABLE_INFORMATION. */
	t[0] = (CK_ATTRIBUTE){CKA_VALUE, small, sizeof(small)};
	ck_assert_rv(p11->C_GetAttributeValue(s, cert, t, 1), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	/* A type the object does not have, next to good ones: all processed. */
	t[0] = (CK_ATTRIBUTE){CKA_VALUE, big, sizeof(big)};
	t[1] = (CK_ATTRIBUTE){CKA_MODULUS, big, sizeof(big)};
	t[2] = (CK_ATTRIBUTE){CKA_TOKEN, &b, sizeof(b)};
	ck_assert_rv(p11->C_GetAttributeValue(s, cert, t, 3), CKR_ATTRIBUTE_TYPE_INVALID);
	ck_assert_int_gt(t[0].ulValueLen, 500);
	ck_assert_int_eq(t[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_int_eq(t[2].ulValueLen, sizeof(b));
	ck_assert_int_eq(b, CK_TRUE);
	/* A secret stays on the card. */
	t[0] = (CK_ATTRIBUTE){CKA_PRIVATE_EXPONENT, big, sizeof(big)};
	t[1] = (CK_ATTRIBUTE){CKA_SIGN, &b, sizeof(b)};
	ck_assert_rv(p11->C_GetAttributeValue(s, k, t, 2), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_int_eq(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_int_eq(b, CK_TRUE);
	/* Bad handles. */
	ck_assert_rv(p11->C_GetAttributeValue(s, 0xDEAD, t, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_rv(p11->C_GetAttributeValue(s + 99, k, t, 1), CKR_SESSION_HANDLE_INVALID);
}
END_TEST

START_TEST(find_any_attribute)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE o[8];
	CK_ULONG n = 0, len;
	CK_KEY_TYPE ec = CKK_EC;
	CK_ATTRIBUTE t[1] = {{CKA_KEY_TYPE, &ec, sizeof(ec)}};
	unsigned char *label;
	CK_ATTRIBUTE tl[1];

	p11_init();
	s = open_session(card_of("multi"), false);
	login_user(s);
	ck_assert_rv(p11->C_FindObjectsInit(s, t, 1), CKR_OK);
	ck_assert_rv(p11->C_FindObjectsInit(s, t, 1), CKR_OPERATION_ACTIVE);
	ck_assert_rv(p11->C_FindObjects(s, o, 8, &n), CKR_OK);
	ck_assert_rv(p11->C_FindObjectsFinal(s), CKR_OK);
	ck_assert_int_eq(n, 2); /* the EC key's private and public objects */
	label = attr(s, o[0], CKA_LABEL, &len);
	tl[0] = (CK_ATTRIBUTE){CKA_LABEL, label, len};
	ck_assert_rv(p11->C_FindObjectsInit(s, tl, 1), CKR_OK);
	ck_assert_rv(p11->C_FindObjects(s, o, 8, &n), CKR_OK);
	ck_assert_rv(p11->C_FindObjectsFinal(s), CKR_OK);
	ck_assert_int_ge(n, 2);
	free(label);
	ck_assert_rv(p11->C_FindObjects(s, o, 8, &n), CKR_OPERATION_NOT_INITIALIZED);
}
END_TEST

Suite *objects_suite(void);
Suite *objects_suite(void)
{
	Suite *s = suite_create("objects");
	TCase *t = tcase_create("objects");

	tcase_set_timeout(t, 60);
	tcase_add_loop_test(t, objects_of_profile, 0, atoi(getenv("EIMZA_TB_CARDS")));
	if (card_of("nes-rsa") >= 0 && seal_card() >= 0) {
		tcase_add_test(t, always_authenticate_flag);
		tcase_add_test(t, attribute_rules);
	}
	if (card_of("multi") >= 0)
		tcase_add_test(t, find_any_attribute);
	suite_add_tcase(s, t);
	return s;
}
