/*
 * test-onay.c: eimza-onay without a card: the canonical statement, the
 * code and text rules, the CMS it writes (checked by OpenSSL), and every
 * class of verification failure, with a test PKI made here and keys in
 * software standing in for the card.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h> /* before cms.h */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "eimza/tckn.h"
#include "tools/common/tool-trust.h"
#include "tools/onay/onay-cms.h"
#include "tools/onay/onay-statement.h"
#include "tools/onay/onay-verify.h"

#define CODE "123456789012345"
#define T0 ((time_t)1795000000) /* 2026-11-18, inside every test certificate */

/* ---- statement ----------------------------------------------------------- */
static const char canonical_login[] =
    "eimza-onay/1\n"
    "İşlem: giris\n"
    "İmzalanacak Metin: " ONAY_TEXT_LOGIN "\n"
    "Doğrulama Kodu: " CODE "\n"
    "Oluşturma Tarihi: 2026-11-18T11:06:40Z\n";

START_TEST(statement_canonical_bytes)
{
	struct onay_statement st, back;
	unsigned char *b;
	size_t n;
	ck_assert_int_eq(onay_statement_init(&st, ONAY_LOGIN, NULL, "123 456 789 012 345", T0),
	                 ONAY_OK);
	ck_assert_int_eq(onay_statement_encode(&st, &b, &n), 0);
	ck_assert_uint_eq(n, strlen(canonical_login));
	ck_assert(memcmp(b, canonical_login, n) == 0);
	ck_assert_int_eq(onay_statement_decode(b, n, &back), ONAY_OK);
	ck_assert_int_eq(back.kind, ONAY_LOGIN);
	ck_assert_str_eq(back.code, CODE);
	ck_assert_str_eq(back.text, ONAY_TEXT_LOGIN);
	ck_assert(back.created == T0);
	free(b);

	ck_assert_int_eq(onay_statement_init(&st, ONAY_TEXT, "Başka bir beyan", CODE, T0), ONAY_OK);
	ck_assert_int_eq(onay_statement_encode(&st, &b, &n), 0);
	ck_assert_int_eq(onay_statement_decode(b, n, &back), ONAY_OK);
	ck_assert_int_eq(back.kind, ONAY_TEXT);
	ck_assert_str_eq(back.text, "Başka bir beyan");
	free(b);
	/* a fixed kind with another text is refused */
	ck_assert_int_ne(onay_statement_init(&st, ONAY_APPROVE, "KABUL", CODE, T0), ONAY_OK);
	ck_assert_int_eq(onay_statement_init(&st, ONAY_DECLINE, NULL, CODE, T0), ONAY_OK);
	ck_assert_str_eq(st.text, "KABUL ETMİYORUM");
}
END_TEST

/* Every variant that is not byte for byte the canonical form is refused. */
START_TEST(statement_not_canonical)
{
	static const char *const bad[] = {
	    "",
	    "eimza-onay/2\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* CRLF */
	    "eimza-onay/1\r\nİşlem: giris\r\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\r\nDoğrulama Kodu: " CODE "\r\nOluşturma Tarihi: 2026-11-18T11:06:40Z\r\n",
	    /* no final LF */
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z",
	    /* trailing line */
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\nx\n",
	    /* kind and text disagree */
	    "eimza-onay/1\nİşlem: onay\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* a fixed text written as a free one */
	    "eimza-onay/1\nİşlem: metin\nİmzalanacak Metin: KABUL EDİYORUM"
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* unknown kind */
	    "eimza-onay/1\nİşlem: kayit\nİmzalanacak Metin: x"
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* code grouped: only the normalized form is canonical */
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: 123 456 789 012 345\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* 14 digits */
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: 12345678901234\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* another time form, an impossible date */
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18 11:06:40\n",
	    "eimza-onay/1\nİşlem: giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-02-31T11:06:40Z\n",
	    /* lines in another order, a space too many */
	    "eimza-onay/1\nİmzalanacak Metin: " ONAY_TEXT_LOGIN "\nİşlem: giris"
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    "eimza-onay/1\nİşlem:  giris\nİmzalanacak Metin: " ONAY_TEXT_LOGIN
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	    /* a tab inside a free text */
	    "eimza-onay/1\nİşlem: metin\nİmzalanacak Metin: a\tb"
	    "\nDoğrulama Kodu: " CODE "\nOluşturma Tarihi: 2026-11-18T11:06:40Z\n",
	};
	struct onay_statement st;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(onay_statement_decode((const unsigned char *)bad[i], strlen(bad[i]),
		                                    &st) == ONAY_NOT_CANONICAL,
		              "variant %zu accepted", i);
	/* a NUL inside */
	char withnul[sizeof canonical_login];
	memcpy(withnul, canonical_login, sizeof withnul);
	withnul[20] = 0;
	ck_assert_int_eq(onay_statement_decode((unsigned char *)withnul, sizeof withnul - 1, &st),
	                 ONAY_NOT_CANONICAL);
	ck_assert_int_eq(onay_statement_decode((const unsigned char *)canonical_login,
	                                       strlen(canonical_login), &st),
	                 ONAY_OK);
}
END_TEST

START_TEST(code_shapes)
{
	char c[ONAY_CODE_DIGITS + 1];
	ck_assert_int_eq(onay_code_normalize(CODE, c), ONAY_OK);
	ck_assert_str_eq(c, CODE);
	ck_assert_int_eq(onay_code_normalize("123-456-789-012-345", c), ONAY_OK);
	ck_assert_str_eq(c, CODE);
	ck_assert_int_eq(onay_code_normalize("12345 67890 12345", c), ONAY_OK);
	ck_assert_int_eq(onay_code_normalize("12345678901234", c), ONAY_CODE_LENGTH);
	ck_assert_int_eq(onay_code_normalize("1234567890123456", c), ONAY_CODE_LENGTH);
	ck_assert_int_eq(onay_code_normalize("", c), ONAY_CODE_LENGTH);
	ck_assert_int_eq(onay_code_normalize("12345678901234a", c), ONAY_CODE_CHARS);
	/* a paste brings blanks around the code: they are dropped */
	ck_assert_int_eq(onay_code_normalize(" 123456789012345", c), ONAY_OK);
	ck_assert_int_eq(onay_code_normalize("123456789012345 ", c), ONAY_OK);
	ck_assert_int_eq(onay_code_normalize("\t123 456 789 012 345\r\n", c), ONAY_OK);
	ck_assert_str_eq(c, CODE);
	ck_assert_int_eq(onay_code_normalize("\xc2\xa0" "123456789012345\xe2\x80\xaf", c), ONAY_OK);
	ck_assert_str_eq(c, CODE);
	ck_assert_int_eq(onay_code_normalize("   ", c), ONAY_CODE_LENGTH);
	ck_assert_int_eq(onay_code_normalize("123456789012345 x", c), ONAY_CODE_CHARS);
	ck_assert_int_eq(onay_code_normalize("123 -456789012345", c), ONAY_CODE_CHARS);
	ck_assert_int_eq(onay_code_normalize("123  456789012345", c), ONAY_CODE_CHARS);
	ck_assert_int_eq(onay_code_normalize("١٢٣456789012345", c), ONAY_CODE_CHARS);
	ck_assert_str_eq(c, "");
}
END_TEST

START_TEST(tckn_shapes)
{
	char t[12];
	ck_assert_int_eq(onay_tckn_normalize("10000000146", t), TCKN_OK);
	ck_assert_str_eq(t, "10000000146");
	ck_assert_int_eq(onay_tckn_normalize(" 10000000146\n", t), TCKN_OK);
	ck_assert_str_eq(t, "10000000146");
	ck_assert_int_eq(onay_tckn_normalize("100000001 6", t), TCKN_NOT_DIGITS);
	ck_assert_int_eq(onay_tckn_normalize("12345678901", t), TCKN_BAD_CHECK10);
	ck_assert_int_eq(onay_tckn_normalize(" 100000001466 ", t), TCKN_BAD_LENGTH);
}
END_TEST

START_TEST(text_rules)
{
	ck_assert_int_eq(onay_text_check(ONAY_TEXT_LOGIN), ONAY_OK);
	ck_assert_int_eq(onay_text_check("Çağrı İşçi Öğün Ümit ĞÜŞİÖÇ €"), ONAY_OK);
	ck_assert_int_eq(onay_text_check(""), ONAY_TEXT_EMPTY);
	ck_assert_int_eq(onay_text_check("a\nb"), ONAY_TEXT_CONTROL);
	ck_assert_int_eq(onay_text_check("a\x7f"), ONAY_TEXT_CONTROL);
	ck_assert_int_eq(onay_text_check("a\xc2\x85"), ONAY_TEXT_CONTROL);     /* NEL */
	ck_assert_int_eq(onay_text_check("KABUL \xe2\x80\xae"), ONAY_TEXT_CONTROL); /* RLO */
	ck_assert_int_eq(onay_text_check("a\xe2\x81\xa6"), ONAY_TEXT_CONTROL);   /* LRI */
	ck_assert_int_eq(onay_text_check("a\xc0\xaf"), ONAY_TEXT_UTF8);          /* overlong */
	ck_assert_int_eq(onay_text_check("a\xed\xa0\x80"), ONAY_TEXT_UTF8);      /* surrogate */
	ck_assert_int_eq(onay_text_check("a\xc4"), ONAY_TEXT_UTF8);              /* cut */
	ck_assert_int_eq(onay_text_check("\xf4\x90\x80\x80"), ONAY_TEXT_UTF8);   /* > U+10FFFF */
	char big[ONAY_TEXT_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	ck_assert_int_eq(onay_text_check(big), ONAY_TEXT_LONG);
	big[ONAY_TEXT_MAX] = 0;
	ck_assert_int_eq(onay_text_check(big), ONAY_OK);
}
END_TEST

START_TEST(time_forms)
{
	time_t t;
	char s[21];
	ck_assert_int_eq(onay_time_parse("2026-11-18T11:06:40Z", &t), 0);
	ck_assert(t == T0);
	onay_time_format(t, s);
	ck_assert_str_eq(s, "2026-11-18T11:06:40Z");
	ck_assert_int_eq(onay_time_parse("2026-11-18 11:06:40", &t), 0);
	ck_assert(t == T0);
	ck_assert_int_eq(onay_time_parse("@1795000000", &t), 0);
	ck_assert(t == T0);
	ck_assert_int_eq(onay_time_parse("2026-11-18", &t), 0);
	ck_assert_int_eq(onay_time_parse("2026-02-29", &t), -1);
	ck_assert_int_eq(onay_time_parse("2028-02-29", &t), 0);
	ck_assert_int_eq(onay_time_parse("2026-13-01", &t), -1);
	ck_assert_int_eq(onay_time_parse("2026-11-18T24:00:00Z", &t), -1);
	ck_assert_int_eq(onay_time_parse("2026-11-18T08:53:20+03", &t), -1);
	ck_assert_int_eq(onay_time_parse("@", &t), -1);
	ck_assert_int_eq(onay_time_parse("@-5", &t), -1);
	ck_assert_int_eq(onay_time_parse("yesterday", &t), -1);
}
END_TEST

/* ---- a test PKI ---------------------------------------------------------- */
struct pki {
	EVP_PKEY *root_key, *other_root_key, *rsa, *ec;
	X509 *root, *other_root;
	X509_STORE *store, *other_store;
};
static struct pki P;

/* QCStatements: QcCompliance, QcSSCD, QcType esign */
static const unsigned char qc_der[] = {
    0x30, 0x29, 0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x01, 0x30, 0x08, 0x06,
    0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x04, 0x30, 0x13, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46,
    0x01, 0x06, 0x30, 0x09, 0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x01};

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key (subject CN, serialNumber tckn), signed by
 * issuer/ikey (self-signed when issuer is NULL). ku NULL: no keyUsage. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *tckn, X509 *issuer,
                       EVP_PKEY *ikey, const char *ku, bool qc, long from, long days)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0x7fffffff) + 1);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_UTF8, (const unsigned char *)"TR", -1, -1, 0);
	if (tckn)
		X509_NAME_add_entry_by_NID(n, NID_serialNumber, MBSTRING_ASC,
		                           (const unsigned char *)tckn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, from, &(time_t){T0});
	X509_time_adj_ex(X509_getm_notAfter(x), (int)days, from, &(time_t){T0});
	X509_set_pubkey(x, key);
	add_ext(x, issuer ? issuer : x, NID_basic_constraints, issuer ? "CA:FALSE" : "critical,CA:TRUE");
	if (!issuer)
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	else if (ku)
		add_ext(x, issuer, NID_key_usage, ku);
	add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	if (qc) {
		ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.1.3", 1);
		ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(v, qc_der, sizeof qc_der);
		X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, v);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(v);
		ASN1_OBJECT_free(o);
	}
	ck_assert_int_gt(X509_sign(x, ikey ? ikey : key, EVP_sha256()), 0);
	return x;
}

static X509_STORE *store_of(X509 *root)
{
	X509_STORE *s = X509_STORE_new();
	X509_STORE_add_cert(s, root);
	return s;
}

static void pki_setup(void)
{
	srandom(7);
	P.root_key = EVP_RSA_gen(2048);
	P.other_root_key = EVP_EC_gen("P-256");
	P.rsa = EVP_RSA_gen(2048);
	P.ec = EVP_EC_gen("P-384");
	ck_assert(P.root_key && P.other_root_key && P.rsa && P.ec);
	P.root = make_cert(P.root_key, "Test Kök", NULL, NULL, NULL, NULL, false, -86400, 3650);
	P.other_root = make_cert(P.other_root_key, "Başka Kök", NULL, NULL, NULL, NULL, false,
	                         -86400, 3650);
	P.store = store_of(P.root);
	P.other_store = store_of(P.other_root);
}

static void pki_teardown(void)
{
	X509_STORE_free(P.store);
	X509_STORE_free(P.other_store);
	X509_free(P.root);
	X509_free(P.other_root);
	EVP_PKEY_free(P.root_key);
	EVP_PKEY_free(P.other_root_key);
	EVP_PKEY_free(P.rsa);
	EVP_PKEY_free(P.ec);
}

/* The software key standing in for the card. */
static int soft_sign(void *ctx, const unsigned char dig[32], unsigned char *sig, size_t *len)
{
	EVP_PKEY *k = ctx;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
	int ok = c && EVP_PKEY_sign_init(c) > 0 &&
	         (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA ||
	          (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	           EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0)) &&
	         EVP_PKEY_sign(c, sig, len, dig, 32) > 0;
	EVP_PKEY_CTX_free(c);
	return ok ? 0 : 5;
}

static int refuse_sign(void *ctx, const unsigned char dig[32], unsigned char *sig, size_t *len)
{
	(void)ctx, (void)dig, (void)sig, (void)len;
	return 4; /* as a wrong PIN would */
}

/* A signature of statement st by key with cert x, at signing time t. */
static unsigned char *sign_statement(const struct onay_statement *st, X509 *x, EVP_PKEY *key,
                                     time_t t, size_t *len)
{
	unsigned char *content, *cert = NULL, *out = NULL;
	size_t clen;
	char err[256];
	ck_assert_int_eq(onay_statement_encode(st, &content, &clen), 0);
	int certlen = i2d_X509(x, &cert);
	ck_assert_int_gt(certlen, 0);
	ck_assert_int_eq(onay_cms_sign(content, clen, cert, (size_t)certlen, t, soft_sign, key, &out,
	                               len, err, sizeof err),
	                 0);
	free(content);
	OPENSSL_free(cert);
	return out;
}

static struct onay_verify_opts opts(void)
{
	struct onay_verify_opts o = {.roots = P.store, .kind = -1, .at = T0 + 60, .window = 300};
	return o;
}

static struct onay_statement login_at(time_t created)
{
	struct onay_statement st;
	ck_assert_int_eq(onay_statement_init(&st, ONAY_LOGIN, NULL, CODE, created), ONAY_OK);
	return st;
}

/* ---- Kamu SM's trust anchors ---------------------------------------------- */
/* The compiled-in anchors are the ones data/trust/kamusm-anchors.list names,
 * byte for byte (the build checked the PEM files; this checks what the
 * tools actually trust), and the NES issuing CA chains to root 6. */
START_TEST(anchors_shipped)
{
	char path[4096], line[512];
	const char *src = getenv("top_srcdir");
	size_t listed = 0, roots = 0;
	snprintf(path, sizeof path, "%s/data/trust/kamusm-anchors.list", src ? src : "..");
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	while (fgets(line, sizeof line, f)) {
		char role[16], fp[80], file[128];
		if (line[0] == '#' || sscanf(line, "%15s %79s %127s", role, fp, file) != 3)
			continue;
		bool found = false;
		for (size_t i = 0; i < ez_kamusm_anchor_count; i++) {
			const struct ez_anchor *a = &ez_kamusm_anchors[i];
			char name[140];
			snprintf(name, sizeof name, "%s.pem", a->name);
			if (strcmp(name, file) != 0)
				continue;
			found = true;
			ck_assert_str_eq(a->sha256, fp);
			ck_assert_int_eq(a->role, strcmp(role, "root") == 0 ? EZ_ANCHOR_ROOT
			                                                    : EZ_ANCHOR_ISSUING);
			X509 *x = ez_anchor_cert(a); /* parses, and its SHA-256 is fp */
			ck_assert_ptr_nonnull(x);
			ck_assert_int_eq(ez_is_kamusm_root(x), a->role == EZ_ANCHOR_ROOT);
			X509_free(x);
		}
		ck_assert_msg(found, "%s is listed but not compiled in", file);
		listed++;
		roots += strcmp(role, "root") == 0;
	}
	fclose(f);
	ck_assert_uint_eq(listed, ez_kamusm_anchor_count);
	ck_assert_uint_eq(listed, 3);
	ck_assert_uint_eq(roots, 2);
	/* the fingerprints the project's notes and two public copies agree on */
	ck_assert_str_eq(ez_kamusm_anchors[0].sha256,
	                 "AA466D3B528DC947C7E1DCA594C0DEB4A1D2B987C119125FCD7435DE92A23C60");
	ck_assert_str_eq(ez_kamusm_anchors[1].sha256,
	                 "23044F859844C23A2D082E518627FE8D69F5B21A7F7AF30CE204434C4055387D");
	ck_assert_str_eq(ez_kamusm_anchors[2].sha256,
	                 "062782A715B1B5FC794AEDF25396DD3D2FFBE2FAD202E5567273A0E13BFE16F9");

	/* the NES issuing CA chains to root 6, and carries its policy */
	X509 *nes = ez_anchor_cert(&ez_kamusm_anchors[2]);
	char root[256];
	ck_assert(ez_kamusm_chains(nes, NULL, root, sizeof root));
	ck_assert_str_eq(root, "Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6");
	unsigned char *d = NULL;
	int dl = i2d_X509(nes, &d);
	struct ez_cert_info ci;
	ck_assert_int_eq(ez_cert_parse(d, (size_t)dl, &ci), 0);
	ck_assert_int_eq(ci.npolicies, 1);
	ck_assert_str_eq(ci.policy[0], "2.16.792.1.2.1.1.5.7.1.1");
	OPENSSL_free(d);
	X509_free(nes);

	/* a byte changed: refused, not trusted */
	struct ez_anchor bad = ez_kamusm_anchors[0];
	char *pem = strdup(bad.pem);
	char *b64 = strstr(pem, "MIID");
	ck_assert_ptr_nonnull(b64);
	b64[40] = b64[40] == 'A' ? 'B' : 'A';
	bad.pem = pem;
	ck_assert_ptr_null(ez_anchor_cert(&bad));
	free(pem);
	bad = ez_kamusm_anchors[0];
	bad.sha256 = ez_kamusm_anchors[1].sha256; /* another fingerprint */
	ck_assert_ptr_null(ez_anchor_cert(&bad));
}
END_TEST

/* The policy OIDs Kamu SM's certificates carry are named. */
START_TEST(policy_names)
{
	ck_assert_str_eq(ez_policy_name("2.16.792.1.61.0.1.5070.1.1"),
	                 "NES (qualified certificate), individual");
	ck_assert_str_eq(ez_policy_name("2.16.792.1.61.0.1.5070.1.2"),
	                 "NES (qualified certificate), corporate");
	ck_assert_str_eq(ez_policy_name("2.16.792.1.2.1.1.5.7.50.1"),
	                 "Mali Mühür (financial seal), signing");
	ck_assert_ptr_null(ez_policy_name("2.16.792.1.61.0.1.5070.1.3"));
	ck_assert_ptr_null(ez_policy_name(NULL));
}
END_TEST

/* ---- CMS ----------------------------------------------------------------- */
/* OpenSSL accepts what is written, for RSA and EC keys, and finds the four
 * attributes of CAdES-BES. */
static void openssl_accepts(EVP_PKEY *key, const char *tckn)
{
	X509 *x = make_cert(key, "TEST KULLANICI", tckn, P.root, P.root_key,
	                    "critical,nonRepudiation", true, -3600, 365);
	struct onay_statement st = login_at(T0);
	size_t len;
	unsigned char *der = sign_statement(&st, x, key, T0 + 10, &len);
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(cms);
	ck_assert(p == der + len);
	BIO *out = BIO_new(BIO_s_mem());
	X509_VERIFY_PARAM *vp = X509_STORE_get0_param(P.store);
	X509_VERIFY_PARAM_set_time(vp, T0 + 60);
	/* CMS_CADES: OpenSSL's own CAdES check too (the ESS signing-certificate
	 * attribute names the signer's certificate). */
	ck_assert_int_eq(CMS_verify(cms, NULL, P.store, NULL, out, CMS_BINARY | CMS_CADES), 1);
	X509_VERIFY_PARAM_clear_flags(vp, X509_V_FLAG_USE_CHECK_TIME);
	char *data;
	long dl = BIO_get_mem_data(out, &data);
	unsigned char *expect;
	size_t el;
	ck_assert_int_eq(onay_statement_encode(&st, &expect, &el), 0);
	ck_assert_int_eq(dl, (long)el);
	ck_assert(memcmp(data, expect, el) == 0);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	ck_assert_int_eq(CMS_signed_get_attr_count(si), 4);
	ck_assert_int_ge(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1), 0);
	ck_assert_int_ge(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1), 0);
	free(expect);
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	free(der);
	X509_free(x);
}

START_TEST(cms_openssl_accepts_rsa)
{
	openssl_accepts(P.rsa, "10000000146");
}
END_TEST

START_TEST(cms_openssl_accepts_ec)
{
	openssl_accepts(P.ec, "10000000146");
}
END_TEST

/* The signed attributes are a DER SET OF: elements in ascending order of
 * their encodings. OpenSSL keeps the bytes it read, but verifiers that
 * decode and re-encode them (Java's, BouncyCastle's) would hash another
 * order and reject the signature. */
START_TEST(cms_signed_attrs_der_order)
{
	X509 *x = make_cert(P.rsa, "A", NULL, P.root, P.root_key, "nonRepudiation", true, 0, 10);
	unsigned char *cert = NULL, *set;
	size_t len;
	int cl = i2d_X509(x, &cert);
	ck_assert_int_eq(onay_cms_signed_attrs((const unsigned char *)"x", 1, cert, (size_t)cl, T0,
	                                       &set, &len),
	                 0);
	ck_assert_int_eq(set[0], 0x31);
	const unsigned char *p = set, *end;
	long l;
	int tag, cls;
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, (long)len) & 0x80, 0);
	end = p + l;
	ck_assert(end == set + len);
	const unsigned char *prev = NULL;
	size_t prevlen = 0;
	int count = 0;
	while (p < end) {
		const unsigned char *start = p;
		ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
		p += l;
		size_t el = (size_t)(p - start);
		if (prev) {
			size_t m = prevlen < el ? prevlen : el;
			int c = memcmp(prev, start, m);
			ck_assert(c < 0 || (c == 0 && prevlen <= el));
		}
		prev = start, prevlen = el, count++;
	}
	ck_assert_int_eq(count, 4);
	free(set);
	OPENSSL_free(cert);
	X509_free(x);
}
END_TEST

START_TEST(cms_signer_failure_passed_on)
{
	X509 *x = make_cert(P.rsa, "A", NULL, P.root, P.root_key, "nonRepudiation", true, 0, 10);
	unsigned char *cert = NULL, *out = NULL;
	size_t len = 0;
	char err[128] = "";
	int cl = i2d_X509(x, &cert);
	ck_assert_int_eq(onay_cms_sign((const unsigned char *)"x", 1, cert, (size_t)cl, T0,
	                               refuse_sign, NULL, &out, &len, err, sizeof err),
	                 4);
	ck_assert_ptr_null(out);
	/* a certificate that is not one */
	ck_assert_int_eq(onay_cms_sign((const unsigned char *)"x", 1, (const unsigned char *)"\x30\x00",
	                               2, T0, soft_sign, P.rsa, &out, &len, err, sizeof err),
	                 1);
	ck_assert(err[0]);
	OPENSSL_free(cert);
	X509_free(x);
}
END_TEST

/* ---- verification: success and each failure class ------------------------ */
struct signed_file {
	X509 *cert;
	unsigned char *der;
	size_t len;
};

static struct signed_file make_signed(EVP_PKEY *key, const char *ku, bool qc, const char *tckn,
                                      const struct onay_statement *st, time_t t)
{
	struct signed_file f;
	f.cert = make_cert(key, "TEST KULLANICI", tckn, P.root, P.root_key, ku, qc, -3600, 365);
	f.der = sign_statement(st, f.cert, key, t, &f.len);
	return f;
}

static void free_signed(struct signed_file *f)
{
	free(f->der);
	X509_free(f->cert);
}

static int verify(const struct signed_file *f, const struct onay_verify_opts *o,
                  struct onay_verify_result *r)
{
	return onay_verify(f->der, f->len, o, r);
}

static struct onay_verify_result R;

START_TEST(verify_good_rsa_and_ec)
{
	struct onay_statement st = login_at(T0);
	EVP_PKEY *keys[] = {P.rsa, P.ec};
	for (int i = 0; i < 2; i++) {
		struct signed_file f =
		    make_signed(keys[i], "critical,nonRepudiation", true, "10000000146", &st, T0 + 20);
		struct onay_verify_opts o = opts();
		o.code = CODE;
		o.tckn = "10000000146";
		o.kind = ONAY_LOGIN;
		ck_assert_int_eq(verify(&f, &o, &R), 0);
		for (int c = 0; c < ONAY_CHK_N; c++)
			ck_assert_msg(R.chk[c].run && R.chk[c].ok, "%s: %s",
			              onay_check_name((enum onay_check)c), R.chk[c].msg);
		ck_assert_str_eq(R.signer.tckn, "10000000146");
		ck_assert_str_eq(R.qc_type, "esign");
		ck_assert(R.qc_sscd);
		ck_assert(R.signing_time == T0 + 20);
		/* without code and T.C. Kimlik No those checks are reported as not run */
		o.code = o.tckn = NULL;
		ck_assert_int_eq(verify(&f, &o, &R), 0);
		ck_assert(!R.chk[ONAY_CHK_CODE].run && !R.chk[ONAY_CHK_TCKN].run);
		free_signed(&f);
	}
}
END_TEST

START_TEST(verify_format_failures)
{
	struct onay_verify_opts o = opts();
	ck_assert_int_eq(onay_verify((const unsigned char *)"\x30\x03\x02\x01\x01", 5, &o, &R),
	                 ONAY_EXIT_FORMAT);
	ck_assert_int_eq(onay_verify((const unsigned char *)"hello", 5, &o, &R), ONAY_EXIT_FORMAT);
	ck_assert(!R.chk[ONAY_CHK_SIGNATURE].run);

	/* every truncation of a good file */
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.ec, "nonRepudiation", true, NULL, &st, T0 + 1);
	for (size_t n = 0; n < f.len; n++)
		ck_assert_int_eq(onay_verify(f.der, n, &o, &R), ONAY_EXIT_FORMAT);
	free_signed(&f);

	/* OpenSSL's own CMS_sign: no signing-certificate-v2, so not CAdES-BES */
	X509 *x = make_cert(P.rsa, "A", NULL, P.root, P.root_key, "nonRepudiation", true, 0, 10);
	unsigned char *content;
	size_t clen;
	ck_assert_int_eq(onay_statement_encode(&st, &content, &clen), 0);
	BIO *in = BIO_new_mem_buf(content, (int)clen);
	CMS_ContentInfo *cms = CMS_sign(x, P.rsa, NULL, in, CMS_BINARY | CMS_NOSMIMECAP);
	ck_assert_ptr_nonnull(cms);
	unsigned char *der = NULL;
	int dl = i2d_CMS_ContentInfo(cms, &der);
	ck_assert_int_eq(onay_verify(der, (size_t)dl, &o, &R), ONAY_EXIT_FORMAT);
	ck_assert(strstr(R.chk[ONAY_CHK_FORMAT].msg, "signing-certificate-v2"));
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);

	/* a well-signed content that is not a canonical statement */
	unsigned char *cert = NULL, *out = NULL;
	size_t olen;
	char err[64];
	int cl = i2d_X509(x, &cert);
	ck_assert_int_eq(onay_cms_sign((const unsigned char *)"merhaba", 7, cert, (size_t)cl, T0,
	                               soft_sign, P.rsa, &out, &olen, err, sizeof err),
	                 0);
	ck_assert_int_eq(onay_verify(out, olen, &o, &R), ONAY_EXIT_FORMAT);
	ck_assert(R.chk[ONAY_CHK_SIGNATURE].ok); /* intact, just not a statement */
	ck_assert(!R.chk[ONAY_CHK_CODE].run);
	free(out);
	OPENSSL_free(cert);
	free(content);
	X509_free(x);
}
END_TEST

/* Offset of the first occurrence of needle in the DER. */
static size_t find(const struct signed_file *f, const char *needle)
{
	unsigned char *p = memmem(f->der, f->len, needle, strlen(needle));
	ck_assert_ptr_nonnull(p);
	return (size_t)(p - f->der);
}

/* The byte ranges of the signed file that no signature covers: the
 * SignedData version, its digestAlgorithms set, the SignerInfo's version
 * and signer identifier, its signatureAlgorithm (each the whole TLV). A
 * changed identifier that still finds the same certificate changes
 * nothing; OpenSSL takes only the key type from the signatureAlgorithm
 * (rsaEncryption flipped to md4WithRSAEncryption still verifies as
 * PKCS#1 v1.5 with the SHA-256 of digestAlgorithm), so eimza-onay checks
 * that one itself (verify_signature_algorithm). */
static void unsigned_regions(const struct signed_file *f, size_t from[4], size_t to[4])
{
	const unsigned char *p = f->der, *end = f->der + f->len, *q;
	long l;
	int tag, cls;
	/* ContentInfo SEQUENCE { contentType, [0] { SignedData SEQUENCE { */
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	p += l; /* contentType */
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	for (int i = 0; i < 2; i++) { /* version, digestAlgorithms */
		from[i] = (size_t)(p - f->der);
		ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
		p += l;
		to[i] = (size_t)(p - f->der);
	}
	/* encapContentInfo, certificates [0], then signerInfos SET { SignerInfo { version */
	for (;;) {
		q = p;
		ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
		if (tag == V_ASN1_SET && cls == V_ASN1_UNIVERSAL)
			break;
		p += l;
	}
	(void)q;
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	from[2] = (size_t)(p - f->der);
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	ck_assert_int_eq(tag, V_ASN1_INTEGER);
	p += l;
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	ck_assert_int_eq(tag, V_ASN1_SEQUENCE); /* issuerAndSerialNumber */
	p += l;
	to[2] = (size_t)(p - f->der);
	/* digestAlgorithm, signedAttrs [0], then signatureAlgorithm */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
		p += l;
	}
	from[3] = (size_t)(p - f->der);
	ck_assert_int_eq(ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80, 0);
	ck_assert_int_eq(tag, V_ASN1_SEQUENCE);
	p += l;
	to[3] = (size_t)(p - f->der);
}

START_TEST(verify_tampered)
{
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.rsa, "nonRepudiation", true, NULL, &st, T0 + 1);
	struct onay_verify_opts o = opts();
	/* the code inside the statement changed: still a canonical statement */
	size_t at = find(&f, CODE);
	f.der[at + 14] = '9';
	ck_assert_int_eq(verify(&f, &o, &R), EZ_EXIT_VERIFY);
	ck_assert(R.chk[ONAY_CHK_FORMAT].ok);
	ck_assert(!R.chk[ONAY_CHK_SIGNATURE].ok);
	f.der[at + 14] = '5';
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	/* the signature value's last byte */
	f.der[f.len - 1] ^= 1;
	ck_assert_int_eq(verify(&f, &o, &R), EZ_EXIT_VERIFY);
	f.der[f.len - 1] ^= 1;
	/* A flipped bit in any byte never crashes and never passes, but in
	 * the few bytes no signature covers (unsigned_regions, RFC 5652 5.1
	 * and 5.3) and eimza-onay does not check: the fourth region, the
	 * signatureAlgorithm, it checks. */
	size_t unsigned_from[4], unsigned_to[4];
	unsigned_regions(&f, unsigned_from, unsigned_to);
	for (size_t k = 0; k < f.len; k++) {
		unsigned char b = (unsigned char)(1u << (k % 8));
		bool covered = true;
		for (int j = 0; j < 3; j++)
			if (k >= unsigned_from[j] && k < unsigned_to[j])
				covered = false;
		f.der[k] ^= b;
		int r = verify(&f, &o, &R);
		f.der[k] ^= b;
		ck_assert_msg(r != 0 || !covered, "a flipped bit at byte %zu of %zu passed verification",
		              k, f.len);
	}
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	free_signed(&f);
}
END_TEST

/* The signatureAlgorithm, which no signature covers: rsaEncryption
 * rewritten to md4WithRSAEncryption (which OpenSSL alone accepts) or to an
 * EC algorithm for an RSA key is refused as a format fault; rewritten to
 * sha256WithRSAEncryption, the other name of what was made, it passes. */
START_TEST(verify_signature_algorithm)
{
	static const unsigned char rsa_oid[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
	                                        0x0D, 0x01, 0x01, 0x01};
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.rsa, "nonRepudiation", true, NULL, &st, T0 + 1);
	struct onay_verify_opts o = opts();
	size_t from[4], to[4];
	unsigned_regions(&f, from, to);
	unsigned char *oid = memmem(f.der + from[3], to[3] - from[3], rsa_oid, sizeof rsa_oid);
	ck_assert_ptr_nonnull(oid);
	unsigned char *last = oid + sizeof rsa_oid - 1;
	ck_assert_int_eq(verify(&f, &o, &R), 0);

	*last = 0x03; /* md4WithRSAEncryption */
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_FORMAT);
	ck_assert(!R.chk[ONAY_CHK_FORMAT].ok);
	ck_assert_ptr_nonnull(strstr(R.chk[ONAY_CHK_FORMAT].msg, "signature algorithm"));
	ck_assert(R.chk[ONAY_CHK_SIGNATURE].ok); /* what OpenSSL alone would say */

	*last = 0x05; /* sha1WithRSAEncryption */
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_FORMAT);

	*last = 0x0B; /* sha256WithRSAEncryption */
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	ck_assert(R.chk[ONAY_CHK_FORMAT].ok);
	*last = 0x01;
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	free_signed(&f);

	/* an EC signer's ecdsa-with-SHA256 passes; ecdsa-with-SHA384 does not */
	static const unsigned char ec_oid[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
	                                       0x3D, 0x04, 0x03, 0x02};
	f = make_signed(P.ec, "nonRepudiation", true, NULL, &st, T0 + 1);
	unsigned_regions(&f, from, to);
	oid = memmem(f.der + from[3], to[3] - from[3], ec_oid, sizeof ec_oid);
	ck_assert_ptr_nonnull(oid);
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	oid[sizeof ec_oid - 1] = 0x03; /* ecdsa-with-SHA384 */
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_FORMAT);
	free_signed(&f);
}
END_TEST

/* A signature that claims another certificate: the signing-certificate-v2
 * attribute names certificate A, the file carries certificate B of the
 * same key (so the signature itself verifies with B's key). eimza-onay
 * refuses it, and so does OpenSSL's own CAdES check; without that check
 * OpenSSL accepts it, which is why eimza-onay makes its own. */
START_TEST(verify_signing_cert_mismatch)
{
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.rsa, "nonRepudiation", true, "10000000146", &st, T0 + 1);
	struct onay_verify_opts o = opts();
	unsigned char *a = NULL, *b = NULL;
	int al = i2d_X509(f.cert, &a), bl = -1;
	X509 *other = NULL;
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	/* B: the same key, another holder name of the same length, so the DER
	 * can be swapped in place */
	other = make_cert(P.rsa, "TEST KULLANICJ", "10000000146", P.root, P.root_key,
	                  "nonRepudiation", true, -3600, 365);
	/* the same issuer and serial: the signer identifier finds B */
	ck_assert_int_eq(X509_set_serialNumber(other, X509_get_serialNumber(f.cert)), 1);
	ck_assert_int_gt(X509_sign(other, P.root_key, EVP_sha256()), 0);
	bl = i2d_X509(other, &b);
	ck_assert_int_eq(bl, al);
	unsigned char *at = memmem(f.der, f.len, a, (size_t)al);
	ck_assert_ptr_nonnull(at);
	memcpy(at, b, (size_t)bl);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_FORMAT);
	ck_assert_msg(strstr(R.chk[ONAY_CHK_FORMAT].msg, "names another certificate"), "%s",
	              R.chk[ONAY_CHK_FORMAT].msg);
	ck_assert(R.chk[ONAY_CHK_SIGNATURE].ok); /* the signature alone is intact */
	ck_assert(R.chk[ONAY_CHK_CHAIN].ok);     /* and B is a good certificate */
	/* OpenSSL: accepted as plain CMS, refused with its CAdES check */
	const unsigned char *p = f.der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)f.len);
	ck_assert_ptr_nonnull(cms);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(P.store), T0 + 60);
	ck_assert_int_eq(CMS_verify(cms, NULL, P.store, NULL, NULL, CMS_BINARY), 1);
	ck_assert_int_eq(CMS_verify(cms, NULL, P.store, NULL, NULL, CMS_BINARY | CMS_CADES), 0);
	X509_VERIFY_PARAM_clear_flags(X509_STORE_get0_param(P.store), X509_V_FLAG_USE_CHECK_TIME);
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	X509_free(other);
	OPENSSL_free(a);
	OPENSSL_free(b);
	free_signed(&f);
}
END_TEST

START_TEST(verify_chain_and_cert)
{
	struct onay_statement st = login_at(T0);
	struct onay_verify_opts o = opts();
	struct signed_file f = make_signed(P.ec, "critical,nonRepudiation", true, NULL, &st, T0 + 1);
	o.roots = P.other_store;
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_UNTRUSTED);
	o.roots = P.store;
	o.at = T0 + 400L * 86400; /* after the certificate expired */
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_UNTRUSTED);
	ck_assert(strstr(R.chk[ONAY_CHK_CHAIN].msg, "expired"));
	free_signed(&f);

	o = opts();
	f = make_signed(P.ec, "digitalSignature", true, NULL, &st, T0 + 1);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CERT);
	ck_assert(strstr(R.chk[ONAY_CHK_CERT].msg, "nonRepudiation"));
	free_signed(&f);
	f = make_signed(P.ec, NULL, true, NULL, &st, T0 + 1);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CERT);
	free_signed(&f);
	f = make_signed(P.ec, "nonRepudiation", false, NULL, &st, T0 + 1);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CERT);
	ck_assert(strstr(R.chk[ONAY_CHK_CERT].msg, "QcCompliance"));
	free_signed(&f);
	/* signed (as the signature claims) before the certificate's validity */
	struct onay_statement early = login_at(T0 - 7200);
	f = make_signed(P.ec, "nonRepudiation", true, NULL, &early, T0 - 7100);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CERT);
	free_signed(&f);
}
END_TEST

/* An issuing CA under P.root. */
static X509 *make_ca(EVP_PKEY *key, const char *cn)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0x7fffffff) + 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(P.root));
	X509_time_adj_ex(X509_getm_notBefore(x), 0, -86400, &(time_t){T0});
	X509_time_adj_ex(X509_getm_notAfter(x), 3000, 0, &(time_t){T0});
	X509_set_pubkey(x, key);
	add_ext(x, P.root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
	add_ext(x, P.root, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext(x, P.root, NID_subject_key_identifier, "hash");
	add_ext(x, P.root, NID_authority_key_identifier, "keyid");
	ck_assert_int_gt(X509_sign(x, P.root_key, EVP_sha256()), 0);
	return x;
}

/* Without --ca only Kamu SM's shipped roots are trusted: a signature of a
 * test PKI is refused (10) until its root is added, as --ca does. */
START_TEST(verify_default_roots)
{
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.ec, "critical,nonRepudiation", true, NULL, &st, T0 + 1);
	X509_STORE *kamusm = X509_STORE_new();
	ck_assert_int_eq(ez_kamusm_load(kamusm, NULL), 0);
	struct onay_verify_opts o = opts();
	o.roots = kamusm;
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_UNTRUSTED);
	ck_assert(strstr(R.chk[ONAY_CHK_CHAIN].msg, "does not chain to a trusted root"));
	X509_STORE_add_cert(kamusm, P.root); /* --ca ROOT.pem */
	ck_assert_int_eq(verify(&f, &o, &R), EZ_EXIT_OK);
	ck_assert(strstr(R.chk[ONAY_CHK_CHAIN].msg, "(from --ca)"));
	X509_STORE_free(kamusm);
	free_signed(&f);
}
END_TEST

/* The issuing CA goes into the signature: a verifier with only the root
 * builds the chain; without it, it cannot. */
START_TEST(cms_carries_issuing_ca)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256");
	X509 *ca = make_ca(cakey, "EIMZA TEST NES SM");
	X509 *leaf = make_cert(P.rsa, "TEST KULLANICI", NULL, ca, cakey, "critical,nonRepudiation",
	                       true, -3600, 365);
	STACK_OF(X509) *cand = sk_X509_new_null();
	sk_X509_push(cand, P.other_root);
	ck_assert_ptr_null(ez_issuer_in(leaf, cand));
	sk_X509_push(cand, ca);
	ck_assert_ptr_eq(ez_issuer_in(leaf, cand), ca);
	ck_assert_ptr_null(ez_issuer_in(P.root, cand)); /* self-signed: no issuer to add */
	sk_X509_free(cand);

	struct onay_statement st = login_at(T0);
	unsigned char *content, *cert = NULL, *cad = NULL, *out = NULL;
	size_t clen, len;
	char err[256];
	ck_assert_int_eq(onay_statement_encode(&st, &content, &clen), 0);
	int certlen = i2d_X509(leaf, &cert), calen = i2d_X509(ca, &cad);
	struct onay_der chain[2] = {{cad, (size_t)calen}, {cert, (size_t)certlen}}; /* signer twice */
	struct onay_verify_opts o = opts();
	/* without the CA in the file: no chain from the root alone */
	ck_assert_int_eq(onay_cms_sign(content, clen, cert, (size_t)certlen, T0 + 1, soft_sign, P.rsa,
	                               &out, &len, err, sizeof err),
	                 0);
	ck_assert_int_eq(onay_verify(out, len, &o, &R), ONAY_EXIT_UNTRUSTED);
	free(out);
	ck_assert_int_eq(onay_cms_sign_chain(content, clen, cert, (size_t)certlen, chain, 2, T0 + 1,
	                                     soft_sign, P.rsa, &out, &len, err, sizeof err),
	                 0);
	ck_assert_int_eq(onay_verify(out, len, &o, &R), EZ_EXIT_OK);
	const unsigned char *p = out;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	STACK_OF(X509) *in = CMS_get1_certs(cms);
	ck_assert_int_eq(sk_X509_num(in), 2); /* the signer once, and the CA */
	/* DER: the SET OF certificates is sorted by encoding */
	unsigned char *e0 = NULL, *e1 = NULL;
	int l0 = i2d_X509(sk_X509_value(in, 0), &e0), l1 = i2d_X509(sk_X509_value(in, 1), &e1);
	int c = memcmp(e0, e1, (size_t)(l0 < l1 ? l0 : l1));
	ck_assert(c < 0 || (c == 0 && l0 < l1));
	OPENSSL_free(e0);
	OPENSSL_free(e1);
	sk_X509_pop_free(in, X509_free);
	CMS_ContentInfo_free(cms);
	free(out);
	free(content);
	OPENSSL_free(cert);
	OPENSSL_free(cad);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(cakey);
}
END_TEST

/* The certificate's policies are read for eimza-info and verify. */
START_TEST(cert_policies)
{
	X509 *x = make_cert(P.ec, "TEST KULLANICI", "10000000146", P.root, P.root_key,
	                    "critical,nonRepudiation", true, -3600, 365);
	CERTIFICATEPOLICIES *cp = CERTIFICATEPOLICIES_new();
	static const char *const oids[] = {"2.16.792.1.61.0.1.5070.1.1", "2.16.792.1.2.1.1.5.7.1.1"};
	for (int i = 0; i < 2; i++) {
		POLICYINFO *pi = POLICYINFO_new();
		pi->policyid = OBJ_txt2obj(oids[i], 1);
		sk_POLICYINFO_push(cp, pi);
	}
	ck_assert_int_eq(X509_add1_ext_i2d(x, NID_certificate_policies, cp, 0, X509V3_ADD_DEFAULT),
	                 1);
	CERTIFICATEPOLICIES_free(cp);
	ck_assert_int_gt(X509_sign(x, P.root_key, EVP_sha256()), 0);
	unsigned char *d = NULL;
	int dl = i2d_X509(x, &d);
	struct ez_cert_info ci;
	char text[512];
	ck_assert_int_eq(ez_cert_parse(d, (size_t)dl, &ci), 0);
	ck_assert_int_eq(ci.npolicies, 2);
	ez_policies_text(&ci, text, sizeof text);
	ck_assert_str_eq(text, "NES (qualified certificate), individual "
	                       "(2.16.792.1.61.0.1.5070.1.1); 2.16.792.1.2.1.1.5.7.1.1");
	char root[64];
	ck_assert(!ez_kamusm_chains(x, NULL, root, sizeof root)); /* a test certificate */
	OPENSSL_free(d);
	X509_free(x);
}
END_TEST

START_TEST(verify_statement_failures)
{
	struct onay_statement st = login_at(T0);
	struct signed_file f =
	    make_signed(P.rsa, "nonRepudiation", true, "10000000146", &st, T0 + 100);
	struct onay_verify_opts o = opts();

	o.code = "123456789012346";
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CODE);
	o.code = NULL;
	o.kind = ONAY_APPROVE;
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_TEXT);
	o.kind = -1;
	o.text = "başka";
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_TEXT);
	o.text = NULL;
	o.tckn = "12345678950";
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_TCKN);
	o.tckn = NULL;
	o.window = 99;
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_WINDOW);
	o.window = 100;
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	/* several failures: the first in the documented order wins */
	o.code = "000000000000000";
	o.tckn = "12345678950";
	o.window = 1;
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_CODE);
	ck_assert(!R.chk[ONAY_CHK_TCKN].ok && !R.chk[ONAY_CHK_WINDOW].ok);
	free_signed(&f);

	/* signing time before the creation time */
	f = make_signed(P.rsa, "nonRepudiation", true, NULL, &st, T0 - 1);
	o = opts();
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_WINDOW);
	free_signed(&f);

	/* a free text needs --text; a certificate without a T.C. Kimlik No */
	struct onay_statement free_st;
	ck_assert_int_eq(onay_statement_init(&free_st, ONAY_TEXT, "Başka beyan", CODE, T0), ONAY_OK);
	f = make_signed(P.ec, "nonRepudiation", true, NULL, &free_st, T0 + 1);
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_TEXT);
	o.text = "Başka beyan";
	ck_assert_int_eq(verify(&f, &o, &R), 0);
	o.tckn = "10000000146";
	ck_assert_int_eq(verify(&f, &o, &R), ONAY_EXIT_TCKN);
	ck_assert(strstr(R.chk[ONAY_CHK_TCKN].msg, "no T.C. Kimlik No"));
	free_signed(&f);
}
END_TEST

START_TEST(input_forms)
{
	struct onay_statement st = login_at(T0);
	struct signed_file f = make_signed(P.ec, "nonRepudiation", true, NULL, &st, T0 + 1);
	unsigned char *der;
	size_t dl;
	/* base64 with line breaks, as pasted */
	char *b64 = malloc(f.len * 2 + 16);
	int n = EVP_EncodeBlock((unsigned char *)b64, f.der, (int)f.len);
	char *wrapped = malloc((size_t)n * 2 + 4);
	size_t w = 0;
	for (int i = 0; i < n; i++) {
		wrapped[w++] = b64[i];
		if (i % 60 == 59)
			wrapped[w++] = '\n';
	}
	wrapped[w++] = '\r';
	wrapped[w++] = '\n';
	ck_assert_int_eq(onay_input_to_der((unsigned char *)wrapped, w, &der, &dl), 0);
	ck_assert_uint_eq(dl, f.len);
	ck_assert(memcmp(der, f.der, dl) == 0);
	free(der);
	/* PEM */
	const unsigned char *p = f.der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)f.len);
	BIO *b = BIO_new(BIO_s_mem());
	ck_assert_int_eq(PEM_write_bio_CMS(b, cms), 1);
	char *pem;
	long pl = BIO_get_mem_data(b, &pem);
	ck_assert_int_eq(onay_input_to_der((unsigned char *)pem, (size_t)pl, &der, &dl), 0);
	ck_assert_uint_eq(dl, f.len);
	free(der);
	/* not base64 */
	ck_assert_int_eq(onay_input_to_der((const unsigned char *)"abc$", 4, &der, &dl), -1);
	ck_assert_int_eq(onay_input_to_der((const unsigned char *)"ab=c", 4, &der, &dl), -1);
	ck_assert_int_eq(onay_input_to_der((const unsigned char *)"", 0, &der, &dl), -1);
	BIO_free(b);
	CMS_ContentInfo_free(cms);
	free(wrapped);
	free(b64);
	free_signed(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("onay");
	TCase *t = tcase_create("statement");
	tcase_add_test(t, statement_canonical_bytes);
	tcase_add_test(t, statement_not_canonical);
	tcase_add_test(t, code_shapes);
	tcase_add_test(t, anchors_shipped);
	tcase_add_test(t, policy_names);
	tcase_add_test(t, tckn_shapes);
	tcase_add_test(t, text_rules);
	tcase_add_test(t, time_forms);
	suite_add_tcase(s, t);
	t = tcase_create("cms");
	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, pki_setup, pki_teardown);
	tcase_add_test(t, cms_openssl_accepts_rsa);
	tcase_add_test(t, cms_openssl_accepts_ec);
	tcase_add_test(t, cms_signed_attrs_der_order);
	tcase_add_test(t, cms_signer_failure_passed_on);
	tcase_add_test(t, verify_good_rsa_and_ec);
	tcase_add_test(t, verify_format_failures);
	tcase_add_test(t, verify_tampered);
	tcase_add_test(t, verify_signature_algorithm);
	tcase_add_test(t, verify_signing_cert_mismatch);
	tcase_add_test(t, verify_chain_and_cert);
	tcase_add_test(t, verify_statement_failures);
	tcase_add_test(t, input_forms);
	tcase_add_test(t, verify_default_roots);
	tcase_add_test(t, cms_carries_issuing_ca);
	tcase_add_test(t, cert_policies);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
