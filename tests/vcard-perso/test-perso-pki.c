/*
 * test-perso-pki.c: the test PKI of `eimza-vcard init` has what
 * turkish-esign.md asks of a Kamu SM-shaped certificate, and verifies.
 */
#include "config.h"

#include "tools/vcard/perso/perso-pki.h"

#include <eimza/der.h>
#include <eimza/tckn.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#define TCKN "10000000146"
#define VKN "1234567890"

static struct perso_pki make(const char *profile_name, const struct perso_holder *h)
{
	const struct perso_profile *p = perso_profile_by_name(profile_name);
	struct perso_pki pki;
	struct perso_rng rng;
	char err[512] = "";

	ck_assert_ptr_nonnull(p);
	perso_rng_init(&rng, false, 0);
	ck_assert_msg(
	    perso_pki_generate(p, h, time(NULL) - 3600, 365, &rng, &pki, err, sizeof(err)) == 0,
	    "generate %s: %s", profile_name, err);
	ck_assert_uint_eq(pki.n, p->nkeys);
	return pki;
}

static const struct perso_holder person = {false, "AYŞE TEST YILMAZ", TCKN};
static const struct perso_holder org = {true, "EIMZA TEST ANONİM ŞİRKETİ", VKN};

/* The DER value of extension `oid`, and whether it is critical. */
static const ASN1_OCTET_STRING *ext_data(X509 *x, const char *oid, int *critical)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	int i = X509_get_ext_by_OBJ(x, o, -1);
	X509_EXTENSION *e;

	ASN1_OBJECT_free(o);
	if (i < 0)
		return NULL;
	e = X509_get_ext(x, i);
	if (critical)
		*critical = X509_EXTENSION_get_critical(e);
	return X509_EXTENSION_get_data(e);
}

static bool ext_contains_oid(X509 *x, const char *ext_oid, const char *want)
{
	const ASN1_OCTET_STRING *d = ext_data(x, ext_oid, NULL);
	der_buf b;
	bool found;

	if (!d)
		return false;
	/* Look for the OID's full encoding anywhere in the extension. */
	der_buf_init(&b);
	der_put_oid_text(&b, want);
	ck_assert_int_eq(der_buf_finish(&b), 0);
	found =
	    memmem(ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d), b.data, b.len) != NULL;
	der_buf_free(&b);
	return found;
}

static bool ext_contains_text(X509 *x, const char *ext_oid, const char *text)
{
	const ASN1_OCTET_STRING *d = ext_data(x, ext_oid, NULL);

	return d && memmem(ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d), text,
	                   strlen(text)) != NULL;
}

static void name_entry(X509 *x, int nid, char *out, size_t cap)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	unsigned char *u = NULL;
	int len;

	out[0] = '\0';
	if (i < 0)
		return;
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	ck_assert_int_ge(len, 0);
	snprintf(out, cap, "%.*s", len, (const char *)u);
	OPENSSL_free(u);
}

/* iD recomputed from the certificate's DER with der.h: SHA-1 of the
 * subjectPublicKey BIT STRING's bits (the unused-bits octet left out). */
static void check_id(X509 *x, const uint8_t id[20])
{
	unsigned char *der = NULL, *p;
	int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	der_reader r, in;
	der_tlv spki, alg, bits;
	uint8_t md[20];

	ck_assert_int_gt(n, 0);
	p = der;
	der_reader_init(&r, p, (size_t)n);
	ck_assert_int_eq(der_expect(&r, DER_SEQUENCE, &spki), 0);
	der_enter(&spki, &in);
	ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &alg), 0);
	ck_assert_int_eq(der_expect(&in, DER_BIT_STRING, &bits), 0);
	ck_assert_uint_ge(bits.len, 2);
	ck_assert_uint_eq(bits.val[0], 0);
	SHA1(bits.val + 1, bits.len - 1, md);
	ck_assert_mem_eq(md, id, 20);
	OPENSSL_free(der);
}

static void check_chain(const struct perso_pki *pki, size_t i)
{
	const struct perso_chain *ch = perso_pki_chain_of(pki, i);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int ok;

	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(X509_STORE_add_cert(store, ch->root), 1);
	sk_X509_push(untrusted, ch->ca);
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, pki->ent[i].cert, untrusted), 1);
	ok = X509_verify_cert(ctx);
	ck_assert_msg(ok == 1, "chain of key %zu: %s", i,
	              X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
}

static void check_common(const struct perso_pki *pki, const struct perso_holder *h)
{
	size_t i, j;
	char buf[256];

	for (i = 0; i < pki->n; i++) {
		const struct perso_entity *e = &pki->ent[i];
		X509 *x = e->cert;
		uint32_t ku = X509_get_key_usage(x);
		int crit = 0;

		/* The key is of the kind and size the profile asks. */
		ck_assert_int_eq(X509_check_private_key(x, e->key), 1);
		ck_assert_int_eq(EVP_PKEY_is_a(e->key, "EC"), perso_alg_is_ec(e->spec->alg));
		ck_assert_int_eq(EVP_PKEY_get_bits(e->key), (int)perso_alg_bits(e->spec->alg));

		/* Subject. */
		name_entry(x, NID_countryName, buf, sizeof(buf));
		ck_assert_str_eq(buf, "TR");
		name_entry(x, NID_commonName, buf, sizeof(buf));
		ck_assert_str_eq(buf, h->name);
		name_entry(x, NID_serialNumber, buf, sizeof(buf));
		ck_assert_str_eq(buf, h->id);
		if (h->seal) {
			name_entry(x, NID_organizationName, buf, sizeof(buf));
			ck_assert_str_eq(buf, h->name);
		} else {
			ck_assert(tckn_valid(buf));
		}

		/* keyUsage: critical; nonRepudiation on qualified keys. */
		ck_assert_ptr_nonnull(ext_data(x, "2.5.29.15", &crit));
		ck_assert_int_eq(crit, 1);
		if (e->spec->role == PERSO_ROLE_NES || e->spec->role == PERSO_ROLE_SEAL) {
			ck_assert(ku & KU_NON_REPUDIATION);
			ck_assert(
			    ext_contains_oid(x, PERSO_OID_QC_STATEMENTS, PERSO_OID_QC_COMPLIANCE));
			ck_assert(ext_contains_oid(x, PERSO_OID_QC_STATEMENTS, PERSO_OID_QC_SSCD));
			ck_assert(ext_contains_oid(x, PERSO_OID_QC_STATEMENTS,
			                           e->spec->role == PERSO_ROLE_SEAL
			                               ? PERSO_OID_QC_TYPE_ESEAL
			                               : PERSO_OID_QC_TYPE_ESIGN));
		} else {
			ck_assert(ku & KU_DIGITAL_SIGNATURE);
			ck_assert_ptr_null(ext_data(x, PERSO_OID_QC_STATEMENTS, NULL));
		}
		if (e->spec->role == PERSO_ROLE_NES)
			ck_assert_uint_eq(ku, KU_NON_REPUDIATION);

		/* A policy under Kamu SM's arc 2.16.792.1.2.1.1.5.7. */
		ck_assert(ext_contains_oid(x, "2.5.29.32",
		                           e->spec->role == PERSO_ROLE_NES    ? PERSO_POLICY_NES
		                           : e->spec->role == PERSO_ROLE_SEAL ? PERSO_POLICY_SEAL
		                           : e->spec->role == PERSO_ROLE_AUTH ? PERSO_POLICY_AUTH
		                                                              : PERSO_POLICY_SIGN));
		ck_assert(strncmp(PERSO_POLICY_NES, "2.16.792.1.2.1.1.5.7.", 21) == 0);

		/* CRL and AIA URLs, test ones. */
		ck_assert(ext_contains_text(x, "2.5.29.31", "http://test.eimza.invalid/crl/"));
		ck_assert(ext_contains_oid(x, "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.48.2"));
		ck_assert(ext_contains_oid(x, "1.3.6.1.5.5.7.1.1", "1.3.6.1.5.5.7.48.1"));
		ck_assert(ext_contains_text(x, "1.3.6.1.5.5.7.1.1", PERSO_URL_OCSP));

		/* Key identifiers; iD = SKI = SHA-1 of the key bits. */
		ck_assert_ptr_nonnull(X509_get0_subject_key_id(x));
		ck_assert_ptr_nonnull(X509_get0_authority_key_id(x));
		ck_assert_int_eq(ASN1_STRING_length(X509_get0_subject_key_id(x)), 20);
		ck_assert_mem_eq(ASN1_STRING_get0_data(X509_get0_subject_key_id(x)), e->id, 20);
		check_id(x, e->id);
		for (j = 0; j < i; j++)
			ck_assert(memcmp(pki->ent[j].id, e->id, 20) != 0);

		check_chain(pki, i);
		/* The CA names say TEST. */
		name_entry(perso_pki_chain_of(pki, i)->root, NID_commonName, buf, sizeof(buf));
		ck_assert(strstr(buf, "EIMZA TEST") != NULL);
	}
}

START_TEST(nes_rsa)
{
	struct perso_pki pki = make("nes-rsa", &person);
	char buf[128];

	check_common(&pki, &person);
	ck_assert(EVP_PKEY_is_a(pki.chain[PERSO_CHAIN_RSA].root_key, "RSA"));
	ck_assert_ptr_null(pki.chain[PERSO_CHAIN_EC].root);
	name_entry(pki.chain[PERSO_CHAIN_RSA].ca, NID_commonName, buf, sizeof(buf));
	ck_assert_str_eq(buf, "EIMZA TEST NES SM");
	name_entry(pki.chain[PERSO_CHAIN_RSA].root, NID_commonName, buf, sizeof(buf));
	ck_assert_str_eq(buf, "EIMZA TEST Kök SM");
	perso_pki_free(&pki);
}
END_TEST

START_TEST(nes_ec)
{
	struct perso_pki pki = make("nes-ec", &person);

	check_common(&pki, &person);
	/* The elliptic-curve chain, like Kamu SM's "Eliptik Eğrili Kök". */
	ck_assert(EVP_PKEY_is_a(pki.chain[PERSO_CHAIN_EC].root_key, "EC"));
	ck_assert_ptr_null(pki.chain[PERSO_CHAIN_RSA].root);
	perso_pki_free(&pki);
}
END_TEST

START_TEST(seals)
{
	struct perso_pki pki = make("seal", &org);
	char buf[128];

	check_common(&pki, &org);
	ck_assert(!pki.ent[0].spec->user_consent);
	name_entry(pki.chain[PERSO_CHAIN_EC].ca, NID_commonName, buf, sizeof(buf));
	ck_assert(strstr(buf, "Mali Mühür") != NULL);
	perso_pki_free(&pki);

	pki = make("seal-rsa", &org);
	check_common(&pki, &org);
	ck_assert(EVP_PKEY_is_a(pki.ent[0].key, "RSA"));
	perso_pki_free(&pki);
}
END_TEST

START_TEST(multi)
{
	struct perso_pki pki = make("multi", &person);

	ck_assert_uint_ge(pki.n, 3);
	check_common(&pki, &person);
	/* RSA and EC keys, so both chains. */
	ck_assert_ptr_nonnull(pki.chain[PERSO_CHAIN_RSA].root);
	ck_assert_ptr_nonnull(pki.chain[PERSO_CHAIN_EC].root);
	perso_pki_free(&pki);
}
END_TEST

START_TEST(pem_files)
{
	struct perso_pki pki = make("nes-ec", &person);
	char dir[] = "/tmp/perso-pem-XXXXXX", path[256];
	FILE *f;
	X509 *x;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roots.pem", dir);
	ck_assert_int_eq(perso_pki_write_pem(&pki, PERSO_PEM_ROOTS, path), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_cmp(x, pki.chain[PERSO_CHAIN_EC].root), 0);
	X509_free(x);
	ck_assert_ptr_null(PEM_read_X509(f, NULL, NULL, NULL)); /* only one root here */
	fclose(f);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	ck_assert_int_eq(perso_pki_write_pem(&pki, PERSO_PEM_CAS, path), 0);
	f = fopen(path, "r");
	x = PEM_read_X509(f, NULL, NULL, NULL);
	ck_assert_int_eq(X509_cmp(x, pki.chain[PERSO_CHAIN_EC].ca), 0);
	X509_free(x);
	fclose(f);
	unlink(path);
	rmdir(dir);
	perso_pki_free(&pki);
}
END_TEST

START_TEST(seeded_numbers)
{
	struct perso_rng a, b, c;
	uint8_t x[13], y[13], z[13];

	perso_rng_init(&a, true, 42);
	perso_rng_init(&b, true, 42);
	perso_rng_init(&c, true, 43);
	perso_rng_bytes(&a, x, sizeof(x));
	perso_rng_bytes(&b, y, sizeof(y));
	perso_rng_bytes(&c, z, sizeof(z));
	ck_assert_mem_eq(x, y, sizeof(x));
	ck_assert(memcmp(x, z, sizeof(x)) != 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("perso-pki");
	TCase *tc = tcase_create("pki");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, nes_rsa);
	tcase_add_test(tc, nes_ec);
	tcase_add_test(tc, seals);
	tcase_add_test(tc, multi);
	tcase_add_test(tc, pem_files);
	tcase_add_test(tc, seeded_numbers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
