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
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/* Keys per profile (docs/vcard-init.md). */
static CK_ULONG expected(const char *profile)
{
	return strcmp(profile, "multi") == 0 ? 3 : 1;
}

/* The certificate object's value, parsed by OpenSSL. */
static X509 *cert_of(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE cert)
{
	CK_ULONG len;
	unsigned char *der = attr(s, cert, CKA_VALUE, &len);
	const unsigned char *p = der;
	X509 *x;

	ck_assert_ptr_nonnull(der);
	x = d2i_X509(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(x);
	ck_assert(p == der + len); /* the certificate and nothing after it */
	free(der);
	return x;
}

/* The attribute is exactly these bytes. */
static void expect_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
			const void *want, size_t len, const char *what)
{
	CK_ULONG got_len = 0;
	unsigned char *got = attr(s, o, t, &got_len);

	ck_assert_msg(got != NULL, "%s: not readable", what);
	ck_assert_msg(got_len == len, "%s: %lu bytes, the certificate says %zu", what,
		      (unsigned long)got_len, len);
	ck_assert_msg(len == 0 || memcmp(got, want, len) == 0, "%s differs from the certificate",
		      what);
	free(got);
}

/* A CK_DATE attribute is the certificate's time, as YYYYMMDD. */
static void expect_date(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
			const ASN1_TIME *when, const char *what)
{
	struct tm tm;
	char want[48];

	ck_assert(ASN1_TIME_to_tm(when, &tm) == 1);
	snprintf(want, sizeof(want), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	expect_attr(s, o, t, want, 8, what);
}

/* A big number of a key as PKCS#11 gives it: unsigned, big-endian, no
 * leading zero. */
static void expect_bn(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
		      const EVP_PKEY *pk, const char *param, const char *what)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	ck_assert(EVP_PKEY_get_bn_param(pk, param, &bn) == 1);
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	expect_attr(s, o, t, buf, (size_t)n, what);
}

/* The key object (private or public) carries the certificate's public key:
 * modulus and exponent, or curve and (public key) point; its CKA_SUBJECT is
 * the certificate's subject. */
static void key_matches_cert(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, X509 *x, bool is_public)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	unsigned char *der = NULL, pt[256], octet[260];
	char curve[64];
	size_t ptlen = 0, n = 0;
	int len;

	ck_assert_ptr_nonnull(pk);
	len = i2d_X509_NAME(X509_get_subject_name(x), &der);
	expect_attr(s, key, CKA_SUBJECT, der, (size_t)len, "key CKA_SUBJECT");
	OPENSSL_free(der);
	der = NULL;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		expect_bn(s, key, CKA_MODULUS, pk, OSSL_PKEY_PARAM_RSA_N, "CKA_MODULUS");
		expect_bn(s, key, CKA_PUBLIC_EXPONENT, pk, OSSL_PKEY_PARAM_RSA_E,
			  "CKA_PUBLIC_EXPONENT");
		return;
	}
	ck_assert_int_eq(EVP_PKEY_get_base_id(pk), EVP_PKEY_EC);
	/* The named curve's OID, never explicit parameters. */
	ck_assert(EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, curve,
						 sizeof(curve), NULL) == 1);
	len = i2d_ASN1_OBJECT(OBJ_nid2obj(OBJ_txt2nid(curve)), &der);
	ck_assert_int_gt(len, 0);
	expect_attr(s, key, CKA_EC_PARAMS, der, (size_t)len, "CKA_EC_PARAMS");
	OPENSSL_free(der);
	if (!is_public)
		return;
	/* CKA_EC_POINT: the uncompressed point in a DER OCTET STRING. */
	ck_assert(EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
						  &ptlen) == 1);
	octet[n++] = 0x04;
	if (ptlen > 127)
		octet[n++] = 0x81;
	octet[n++] = (unsigned char)ptlen;
	memcpy(octet + n, pt, ptlen);
	expect_attr(s, key, CKA_EC_POINT, octet, n + ptlen, "CKA_EC_POINT");
}

START_TEST(objects_of_profile)
{
	int c = _i;
	char env[40];
	const char *profile;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE keys[16], certs[16], pubs[16], o[4];
	CK_ULONG nk, nc, np, i, j, len;
	X509 *x;

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
		ck_assert(*kt == CKK_EC || *kt == CKK_RSA);
		/* The key's public numbers, as OpenSSL reads them from the
		 * certificate with the same CKA_ID. */
		ck_assert_int_eq(find(s, CKO_CERTIFICATE, id, idlen, o, 4), 1);
		x = cert_of(s, o[0]);
		ck_assert_int_eq(find(s, CKO_PUBLIC_KEY, id, idlen, o, 4), 1);
		key_matches_cert(s, keys[i], x, false);
		key_matches_cert(s, o[0], x, true);
		X509_free(x);
		free(kt);
		free(id);
	}
	/* Certificate attributes agree with the certificate as OpenSSL reads it. */
	for (i = 0; i < nc; i++) {
		unsigned char *der = NULL, sha1[20];
		int n;
		x = cert_of(s, certs[i]);
		n = i2d_X509_NAME(X509_get_subject_name(x), &der);
		expect_attr(s, certs[i], CKA_SUBJECT, der, (size_t)n, "CKA_SUBJECT");
		OPENSSL_free(der);
		der = NULL;
		n = i2d_X509_NAME(X509_get_issuer_name(x), &der);
		expect_attr(s, certs[i], CKA_ISSUER, der, (size_t)n, "CKA_ISSUER");
		OPENSSL_free(der);
		der = NULL;
		n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &der);
		expect_attr(s, certs[i], CKA_SERIAL_NUMBER, der, (size_t)n, "CKA_SERIAL_NUMBER");
		OPENSSL_free(der);
		der = NULL;
		expect_date(s, certs[i], CKA_START_DATE, X509_get0_notBefore(x), "CKA_START_DATE");
		expect_date(s, certs[i], CKA_END_DATE, X509_get0_notAfter(x), "CKA_END_DATE");
		n = i2d_X509(x, &der);
		SHA1(der, (size_t)n, sha1);
		expect_attr(s, certs[i], CKA_CHECK_VALUE, sha1, 3, "CKA_CHECK_VALUE");
		OPENSSL_free(der);
		/* The test PKI's certificates are issued by a CA: a CKA_ISSUER
		 * that repeated the subject would not pass the comparison. */
		ck_assert(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) != 0);
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
	CK_KEY_TYPE kt;
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
	/* A secret stays on the card; the attributes after it are still
	 * filled in (b starts false: only the module can make it true). */
	b = CK_FALSE;
	kt = CKK_EC;
	t[0] = (CK_ATTRIBUTE){CKA_PRIVATE_EXPONENT, big, sizeof(big)};
	t[1] = (CK_ATTRIBUTE){CKA_SIGN, &b, sizeof(b)};
	t[2] = (CK_ATTRIBUTE){CKA_KEY_TYPE, &kt, sizeof(kt)};
	ck_assert_rv(p11->C_GetAttributeValue(s, k, t, 3), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_int_eq(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_int_eq(t[1].ulValueLen, sizeof(b));
	ck_assert_int_eq(b, CK_TRUE);
	ck_assert_int_eq(t[2].ulValueLen, sizeof(kt));
	ck_assert_int_eq(kt, CKK_RSA);
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
