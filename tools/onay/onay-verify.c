/*
 * onay-verify.c: the checks of `eimza-onay verify`, with OpenSSL's CMS.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h> /* before cms.h: it declares PEM_read_bio_CMS */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "eimza/der.h"
#include "eimza/tckn.h"
#include "tools/common/tool-trust.h"
#include "tools/onay/onay-verify.h"

static const char *const check_names[ONAY_CHK_N] = {
    "format", "signature", "chain", "certificate", "text", "code", "tckn", "window",
};
static const int check_exits[ONAY_CHK_N] = {
    ONAY_EXIT_FORMAT, EZ_EXIT_VERIFY, ONAY_EXIT_UNTRUSTED, ONAY_EXIT_CERT,
    ONAY_EXIT_TEXT,   ONAY_EXIT_CODE, ONAY_EXIT_TCKN,      ONAY_EXIT_WINDOW,
};

const char *onay_check_name(enum onay_check c)
{
	return (unsigned)c < ONAY_CHK_N ? check_names[c] : "?";
}

int onay_check_exit(enum onay_check c)
{
	return (unsigned)c < ONAY_CHK_N ? check_exits[c] : EZ_EXIT_FAILURE;
}

static void set(struct onay_verify_result *r, enum onay_check c, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set(struct onay_verify_result *r, enum onay_check c, bool ok, const char *fmt, ...)
{
	va_list ap;
	r->chk[c].run = true;
	r->chk[c].ok = ok;
	va_start(ap, fmt);
	vsnprintf(r->chk[c].msg, sizeof r->chk[c].msg, fmt, ap);
	va_end(ap);
}

static void skip(struct onay_verify_result *r, enum onay_check c, const char *why)
{
	r->chk[c].run = false;
	r->chk[c].ok = false;
	snprintf(r->chk[c].msg, sizeof r->chk[c].msg, "%s", why);
}

/* ---- input --------------------------------------------------------------- */
int onay_input_to_der(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
	if (len == 0 || len > 1 << 20)
		return -1;
	if (in[0] == 0x30) {
		*out = malloc(len);
		if (!*out)
			return -1;
		memcpy(*out, in, len);
		*outlen = len;
		return 0;
	}
	if (len > 10 && memmem(in, len, "-----BEGIN", 10)) {
		BIO *b = BIO_new_mem_buf(in, (int)len);
		CMS_ContentInfo *cms = b ? PEM_read_bio_CMS(b, NULL, NULL, NULL) : NULL;
		unsigned char *d = NULL;
		int dl = cms ? i2d_CMS_ContentInfo(cms, &d) : -1;
		CMS_ContentInfo_free(cms);
		BIO_free(b);
		if (dl <= 0)
			return -1;
		*out = malloc((size_t)dl);
		if (*out)
			memcpy(*out, d, (size_t)dl);
		OPENSSL_free(d);
		*outlen = (size_t)dl;
		return *out ? 0 : -1;
	}
	/* base64 as --base64 prints it, with any line breaks a paste adds */
	char *t = malloc(len + 1);
	size_t n = 0, pad = 0;
	if (!t)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (isspace(c))
			continue;
		if (!(isalnum(c) || c == '+' || c == '/' || c == '=') || (pad && c != '=')) {
			free(t);
			return -1;
		}
		if (c == '=')
			pad++;
		t[n++] = (char)c;
	}
	*out = malloc(n / 4 * 3 + 1);
	int dl = (*out && n && n % 4 == 0 && pad <= 2)
	             ? EVP_DecodeBlock(*out, (unsigned char *)t, (int)n)
	             : -1;
	free(t);
	if (dl < 0 || (size_t)dl < pad) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*outlen = (size_t)dl - pad;
	return 0;
}

/* ---- attributes ---------------------------------------------------------- */
/* The single value of the signed attribute nid; NULL when it is missing,
 * repeated or has another number of values than one. */
static ASN1_TYPE *attr_value(CMS_SignerInfo *si, int nid)
{
	int i = CMS_signed_get_attr_by_NID(si, nid, -1);
	if (i < 0 || CMS_signed_get_attr_by_NID(si, nid, i) >= 0)
		return NULL;
	X509_ATTRIBUTE *a = CMS_signed_get_attr(si, i);
	if (!a || X509_ATTRIBUTE_count(a) != 1)
		return NULL;
	return X509_ATTRIBUTE_get0_type(a, 0);
}

static bool asn1_time_to_time_t(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

/*
 * The SignerInfo's signatureAlgorithm is covered by no signature (RFC 5652
 * 5.3) and OpenSSL's CMS_verify takes only the key type from it: a file
 * whose rsaEncryption was rewritten to md4WithRSAEncryption still verifies.
 * Only the forms a SHA-256 CAdES signer writes for the signer's own key are
 * accepted: rsaEncryption or sha256WithRSAEncryption with NULL or absent
 * parameters for an RSA key, ecdsa-with-SHA256 without parameters for an
 * EC key.
 */
static bool sigalg_fits(const X509_ALGOR *alg, X509 *signer)
{
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	int ptype = V_ASN1_UNDEF;
	EVP_PKEY *pk = X509_get0_pubkey(signer);

	if (!alg || !pk)
		return false;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		return (OBJ_obj2nid(obj) == NID_rsaEncryption ||
		        OBJ_obj2nid(obj) == NID_sha256WithRSAEncryption) &&
		       (ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL);
	case EVP_PKEY_EC:
		return OBJ_obj2nid(obj) == NID_ecdsa_with_SHA256 && ptype == V_ASN1_UNDEF;
	default:
		return false;
	}
}

/* ESS signing-certificate-v2: the first ESSCertIDv2 must name the signer
 * (hash over the whole certificate, and issuer serial when present). */
static bool signing_cert_matches(const ASN1_TYPE *t, X509 *signer, char *why, size_t cap)
{
	der_reader r, certs, id, alg;
	der_tlv scv2, seq, cid, hash, a, oid, is;
	unsigned char *cd = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdl = 0;
	const EVP_MD *h = EVP_sha256();
	bool ok = false;

	if (!t || t->type != V_ASN1_SEQUENCE) {
		snprintf(why, cap, "%s", _("the signing-certificate-v2 attribute is missing"));
		return false;
	}
	der_reader_init(&r, t->value.sequence->data, (size_t)t->value.sequence->length);
	if (der_expect(&r, DER_SEQUENCE, &scv2) < 0)
		goto malformed;
	der_enter(&scv2, &certs);
	if (der_expect(&certs, DER_SEQUENCE, &seq) < 0)
		goto malformed;
	der_enter(&seq, &id);
	if (der_expect(&id, DER_SEQUENCE, &cid) < 0)
		goto malformed;
	der_enter(&cid, &id);
	if (der_optional(&id, DER_SEQUENCE, &a) == 1) {
		char txt[64];
		der_enter(&a, &alg);
		if (der_expect(&alg, DER_OID, &oid) < 0 ||
		    der_oid_to_text(&oid, txt, sizeof txt) < 0)
			goto malformed;
		ASN1_OBJECT *o = OBJ_txt2obj(txt, 1);
		h = o ? EVP_get_digestbyobj(o) : NULL;
		ASN1_OBJECT_free(o);
		if (!h) {
			snprintf(why, cap, "%s",
			         _("the signing-certificate-v2 attribute uses an unknown hash"));
			return false;
		}
	}
	if (der_expect(&id, DER_OCTET_STRING, &hash) < 0)
		goto malformed;
	int cl = i2d_X509(signer, &cd);
	if (cl <= 0 || !EVP_Digest(cd, (size_t)cl, md, &mdl, h, NULL)) {
		snprintf(why, cap, "%s", _("the signer's certificate cannot be hashed"));
		goto out;
	}
	if (hash.len != mdl || memcmp(hash.val, md, mdl) != 0) {
		snprintf(why, cap, "%s",
		         _("the signing-certificate-v2 attribute names another certificate than "
		           "the one included"));
		goto out;
	}
	if (der_optional(&id, DER_SEQUENCE, &is) == 1) {
		/* IssuerSerial { GeneralNames, serialNumber }: compare the serial */
		der_reader isr;
		der_tlv gn, serial;
		unsigned char *sd = NULL;
		der_enter(&is, &isr);
		int sl = i2d_ASN1_INTEGER(X509_get0_serialNumber(signer), &sd);
		bool same = der_expect(&isr, DER_SEQUENCE, &gn) == 0 &&
		            der_expect(&isr, DER_INTEGER, &serial) == 0 && sl > 0 &&
		            serial.rawlen == (size_t)sl && memcmp(serial.raw, sd, (size_t)sl) == 0;
		OPENSSL_free(sd);
		if (!same) {
			snprintf(why, cap, "%s",
			         _("the signing-certificate-v2 attribute names another serial number"));
			goto out;
		}
	}
	ok = true;
	goto out;
malformed:
	snprintf(why, cap, "%s", _("the signing-certificate-v2 attribute is malformed"));
out:
	OPENSSL_free(cd);
	return ok;
}

/* ---- the certificate's profile ------------------------------------------ */
static const uint8_t oid_qc_compliance[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x01};
static const uint8_t oid_qc_sscd[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x04};
static const uint8_t oid_qc_type[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x06};
static const uint8_t oid_qct_esign[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x01};
static const uint8_t oid_qct_eseal[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x02};
static const uint8_t oid_qct_eweb[] = {0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x03};

/* qcStatements (RFC 3739): SEQUENCE OF { statementId, statementInfo OPTIONAL }.
 * Returns true with QcCompliance among them; notes QcSSCD and QcType. */
static bool qc_statements(X509 *x, struct onay_verify_result *r)
{
	ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.1.3", 1);
	int i = o ? X509_get_ext_by_OBJ(x, o, -1) : -1;
	ASN1_OBJECT_free(o);
	if (i < 0)
		return false;
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(x, i));
	der_reader rd, all, st, types;
	der_tlv seq, one, id, info, ty;
	bool compliance = false;
	der_reader_init(&rd, v->data, (size_t)v->length);
	if (der_expect(&rd, DER_SEQUENCE, &seq) < 0)
		return false;
	der_enter(&seq, &all);
	while (!der_at_end(&all)) {
		if (der_expect(&all, DER_SEQUENCE, &one) < 0)
			return false;
		der_enter(&one, &st);
		if (der_expect(&st, DER_OID, &id) < 0)
			return false;
		if (der_oid_equals(&id, oid_qc_compliance, sizeof oid_qc_compliance))
			compliance = true;
		else if (der_oid_equals(&id, oid_qc_sscd, sizeof oid_qc_sscd))
			r->qc_sscd = true;
		else if (der_oid_equals(&id, oid_qc_type, sizeof oid_qc_type) &&
		         der_expect(&st, DER_SEQUENCE, &info) == 0) {
			der_enter(&info, &types);
			while (der_expect(&types, DER_OID, &ty) == 0) {
				if (der_oid_equals(&ty, oid_qct_esign, sizeof oid_qct_esign))
					snprintf(r->qc_type, sizeof r->qc_type, "esign");
				else if (der_oid_equals(&ty, oid_qct_eseal, sizeof oid_qct_eseal))
					snprintf(r->qc_type, sizeof r->qc_type, "eseal");
				else if (der_oid_equals(&ty, oid_qct_eweb, sizeof oid_qct_eweb))
					snprintf(r->qc_type, sizeof r->qc_type, "eweb");
			}
		}
	}
	return compliance;
}

static void check_cert(X509 *x, struct onay_verify_result *r)
{
	uint32_t ku = X509_get_key_usage(x);
	bool have_ku = X509_get_extension_flags(x) & EXFLAG_KUSAGE;
	if (!have_ku || !(ku & KU_NON_REPUDIATION)) {
		set(r, ONAY_CHK_CERT, false, "%s",
		    _("the certificate's key usage lacks nonRepudiation: it is not a "
		      "qualified signature certificate"));
		return;
	}
	if (!qc_statements(x, r)) {
		set(r, ONAY_CHK_CERT, false, "%s",
		    _("the certificate has no qualified-certificate statement (QcCompliance)"));
		return;
	}
	if (r->have_signing_time &&
	    (X509_cmp_time(X509_get0_notBefore(x), &r->signing_time) > 0 ||
	     X509_cmp_time(X509_get0_notAfter(x), &r->signing_time) < 0)) {
		set(r, ONAY_CHK_CERT, false, "%s",
		    _("the certificate was not valid at the signing time"));
		return;
	}
	set(r, ONAY_CHK_CERT, true, _("qualified certificate (nonRepudiation, QcCompliance%s%s%s)"),
	    r->qc_sscd ? ", QcSSCD" : "", r->qc_type[0] ? ", QcType " : "", r->qc_type);
}

static void check_chain(X509 *signer, CMS_ContentInfo *cms, const struct onay_verify_opts *o,
                        struct onay_verify_result *r)
{
	STACK_OF(X509) *chain = CMS_get1_certs(cms);
	if (!chain)
		chain = sk_X509_new_null();
	for (int i = 0; o->untrusted && i < sk_X509_num(o->untrusted); i++)
		if (X509_add_cert(chain, sk_X509_value(o->untrusted, i), X509_ADD_FLAG_UP_REF) != 1)
			break;
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !chain || !o->roots || !X509_STORE_CTX_init(ctx, o->roots, signer, chain)) {
		set(r, ONAY_CHK_CHAIN, false, "%s", _("no trusted roots to check the chain with"));
		goto out;
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), o->at);
	if (X509_verify_cert(ctx) == 1) {
		X509 *root = sk_X509_value(X509_STORE_CTX_get0_chain(ctx),
		                           sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) - 1);
		char cn[256];
		ez_name_entry_text(X509_get_subject_name(root), NID_commonName, cn, sizeof cn);
		if (ez_is_kamusm_root(root))
			set(r, ONAY_CHK_CHAIN, true,
			    _("chains to Kamu SM's root \"%s\" (one of the roots eimza ships)"), cn);
		else
			set(r, ONAY_CHK_CHAIN, true, _("chains to the trusted root \"%s\" (from --ca)"),
			    cn);
	} else {
		int e = X509_STORE_CTX_get_error(ctx);
		set(r, ONAY_CHK_CHAIN, false,
		    _("the certificate does not chain to a trusted root (Kamu SM's roots that eimza "
		      "ships, and --ca): %s"),
		    X509_verify_cert_error_string(e));
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
}

/* ---- the statement ------------------------------------------------------- */
static void check_statement(const struct onay_verify_opts *o, struct onay_verify_result *r)
{
	const struct onay_statement *st = &r->st;
	if (o->text) {
		set(r, ONAY_CHK_TEXT, strcmp(o->text, st->text) == 0,
		    strcmp(o->text, st->text) == 0 ? _("the text is the expected one: \"%s\"")
		                                    : _("another text was signed: \"%s\""),
		    st->text);
	} else if (o->kind >= 0) {
		bool same = (int)st->kind == o->kind;
		set(r, ONAY_CHK_TEXT, same,
		    same ? _("the text is the expected one: \"%s\"") : _("another text was signed: \"%s\""),
		    st->text);
	} else if (st->kind == ONAY_TEXT) {
		set(r, ONAY_CHK_TEXT, false,
		    _("a free text was signed: \"%s\"; give --text to accept it"), st->text);
	} else {
		set(r, ONAY_CHK_TEXT, true, _("text (%s): \"%s\""), onay_kind_name(st->kind),
		    st->text);
	}

	if (o->code && strcmp(o->code, st->code) == 0)
		set(r, ONAY_CHK_CODE, true, _("the verification code matches: %s"), st->code);
	else if (o->code)
		set(r, ONAY_CHK_CODE, false,
		    _("the signature was made for another verification code: %s (expected %s)"),
		    st->code, o->code);
	else
		skip(r, ONAY_CHK_CODE, _("the verification code was not checked (no --code given)"));

	if (o->tckn) {
		bool same = r->have_signer && strcmp(r->signer.tckn, o->tckn) == 0;
		if (same)
			set(r, ONAY_CHK_TCKN, true, _("the holder's T.C. Kimlik No matches: %s"),
			    o->tckn);
		else if (r->have_signer && r->signer.tckn[0])
			set(r, ONAY_CHK_TCKN, false,
			    _("the certificate belongs to another T.C. Kimlik No: %s"), r->signer.tckn);
		else
			set(r, ONAY_CHK_TCKN, false, "%s",
			    _("the certificate holds no T.C. Kimlik No"));
	} else {
		skip(r, ONAY_CHK_TCKN, _("the T.C. Kimlik No was not checked (no --tckn given)"));
	}

	if (!r->have_signing_time)
		return;
	char c[EZ_TIME_TEXT], s[EZ_TIME_TEXT];
	void (*fmt)(time_t, char *, size_t) = o->local_times ? ez_format_local_time
	                                                     : ez_format_utc_time;
	fmt(st->created, c, sizeof c);
	fmt(r->signing_time, s, sizeof s);
	double d = difftime(r->signing_time, st->created);
	if (d < 0)
		set(r, ONAY_CHK_WINDOW, false,
		    _("the signing time %s lies before the statement's creation time %s"), s, c);
	else if (d > (double)o->window)
		set(r, ONAY_CHK_WINDOW, false,
		    _("signed at %s, %.0f s after the code's window opened at %s; the window is %ld "
		      "s"),
		    s, d, c, o->window);
	else
		set(r, ONAY_CHK_WINDOW, true, _("signed at %s, %.0f s into the %ld s window"), s, d,
		    o->window);
}

/* ---- all of it ----------------------------------------------------------- */
int onay_verify(const unsigned char *der, size_t len, const struct onay_verify_opts *o,
                struct onay_verify_result *r)
{
	char why[256];
	memset(r, 0, sizeof *r);
	for (int c = 0; c < ONAY_CHK_N; c++)
		skip(r, (enum onay_check)c, _("not checked: the file is not readable"));

	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	X509 *signer = NULL;
	if (!cms || p != der + len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		set(r, ONAY_CHK_FORMAT, false, "%s", _("the file is not a CMS SignedData signature"));
		goto done;
	}
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	ASN1_OCTET_STRING **content = CMS_get0_content(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		set(r, ONAY_CHK_FORMAT, false, "%s", _("the signature must have exactly one signer"));
		goto done;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data || !content || !*content) {
		set(r, ONAY_CHK_FORMAT, false, "%s",
		    _("the signed statement is not inside the file (a detached signature)"));
		goto done;
	}
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_set1_signers_certs(cms, o->untrusted, 0);
	X509_ALGOR *dig = NULL, *sigalg = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, &signer, &dig, &sigalg);
	const ASN1_OBJECT *dobj = NULL;
	if (dig)
		X509_ALGOR_get0(&dobj, NULL, NULL, dig);
	if (!signer) {
		set(r, ONAY_CHK_FORMAT, false, "%s",
		    _("the signer's certificate is not in the file"));
		goto done;
	}
	X509_up_ref(signer);
	unsigned char *cd = NULL;
	int cl = i2d_X509(signer, &cd);
	r->have_signer = cl > 0 && ez_cert_parse(cd, (size_t)cl, &r->signer) == 0;
	OPENSSL_free(cd);

	/* statement, then the CAdES-BES attributes */
	enum onay_problem sp =
	    onay_statement_decode((*content)->data, (size_t)(*content)->length, &r->st);
	r->have_statement = sp == ONAY_OK;
	ASN1_TYPE *ct = attr_value(si, NID_pkcs9_contentType);
	ASN1_TYPE *st = attr_value(si, NID_pkcs9_signingTime);
	if (st && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME))
		r->have_signing_time = asn1_time_to_time_t(st->value.utctime, &r->signing_time);
	if (OBJ_obj2nid(dobj) != NID_sha256)
		set(r, ONAY_CHK_FORMAT, false, "%s", _("the digest algorithm is not SHA-256"));
	else if (!sigalg_fits(sigalg, signer))
		set(r, ONAY_CHK_FORMAT, false, "%s",
		    _("the signature algorithm is not SHA-256 with the signer's key type "
		      "(sha256WithRSAEncryption, rsaEncryption or ecdsa-with-SHA256)"));
	else if (!ct || ct->type != V_ASN1_OBJECT || OBJ_obj2nid(ct->value.object) != NID_pkcs7_data)
		set(r, ONAY_CHK_FORMAT, false, "%s",
		    _("the content-type attribute is missing or wrong"));
	else if (!attr_value(si, NID_pkcs9_messageDigest))
		set(r, ONAY_CHK_FORMAT, false, "%s", _("the message-digest attribute is missing"));
	else if (!r->have_signing_time)
		set(r, ONAY_CHK_FORMAT, false, "%s", _("the signing-time attribute is missing"));
	else if (!signing_cert_matches(attr_value(si, NID_id_smime_aa_signingCertificateV2),
	                               signer, why, sizeof why))
		set(r, ONAY_CHK_FORMAT, false, "%s", why);
	else if (!r->have_statement)
		set(r, ONAY_CHK_FORMAT, false, "%s", onay_problem_text(sp));
	else
		set(r, ONAY_CHK_FORMAT, true, "%s",
		    _("CAdES-BES: content-type, message-digest, signing-time, "
		      "signing-certificate-v2; SHA-256"));

	/* the signature over the attributes and the content's digest */
	BIO *sink = BIO_new(BIO_s_null());
	ERR_clear_error();
	if (sink && CMS_verify(cms, NULL, NULL, NULL, sink, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1)
		set(r, ONAY_CHK_SIGNATURE, true, "%s",
		    _("the signature is intact and was made with the included certificate's key"));
	else
		set(r, ONAY_CHK_SIGNATURE, false, "%s",
		    _("the signature does not verify: the file was changed after signing, or "
		      "signed with another key"));
	BIO_free(sink);
	ERR_clear_error();

	check_chain(signer, cms, o, r);
	check_cert(signer, r);
	if (r->have_statement)
		check_statement(o, r);
	else
		for (int c = ONAY_CHK_TEXT; c <= ONAY_CHK_WINDOW; c++)
			skip(r, (enum onay_check)c, _("not checked: the statement cannot be read"));
done:
	X509_free(signer);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	for (int c = 0; c < ONAY_CHK_N; c++)
		if (r->chk[c].run && !r->chk[c].ok)
			return onay_check_exit((enum onay_check)c);
	if (!r->chk[ONAY_CHK_FORMAT].ok)
		return ONAY_EXIT_FORMAT;
	return EZ_EXIT_OK;
}
