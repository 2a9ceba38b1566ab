/*
 * onay-cms.c: write the CAdES-BES SignedData (see onay-cms.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "eimza/der.h"
#include "tools/common/tool.h"
#include "tools/onay/onay-cms.h"

#define OID_DATA "1.2.840.113549.1.7.1"
#define OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_ECDSA_SHA256 "1.2.840.10045.4.3.2"
#define OID_CONTENT_TYPE "1.2.840.113549.1.9.3"
#define OID_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define OID_SIGNING_TIME "1.2.840.113549.1.9.5"
#define OID_SIGNING_CERT_V2 "1.2.840.113549.1.9.16.2.47"

/* What the SignedData needs from the signer certificate. */
struct signer {
	unsigned char *issuer; /* Name, DER */
	int issuer_len;
	unsigned char *serial; /* INTEGER, DER */
	int serial_len;
	unsigned char cert_hash[32];
	int key_type; /* EVP_PKEY_RSA or EVP_PKEY_EC */
};

static void signer_free(struct signer *s)
{
	OPENSSL_free(s->issuer);
	OPENSSL_free(s->serial);
}

static int signer_load(const unsigned char *cert, size_t len, struct signer *s)
{
	memset(s, 0, sizeof *s);
	const unsigned char *p = cert;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int ret = -1;
	if (!x || p != cert + len)
		goto out;
	s->issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &s->issuer);
	s->serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &s->serial);
	EVP_PKEY *pk = X509_get0_pubkey(x);
	s->key_type = pk ? EVP_PKEY_get_base_id(pk) : 0;
	unsigned hl = 0;
	if (s->issuer_len > 0 && s->serial_len > 0 &&
	    (s->key_type == EVP_PKEY_RSA || s->key_type == EVP_PKEY_EC) &&
	    EVP_Digest(cert, len, s->cert_hash, &hl, EVP_sha256(), NULL) && hl == 32)
		ret = 0;
out:
	X509_free(x);
	if (ret < 0)
		signer_free(s);
	return ret;
}

static void put_sha256_alg(der_buf *b)
{
	size_t m = der_open(b, DER_SEQUENCE);
	der_put_oid_text(b, OID_SHA256);
	der_close(b, m);
}

/* signingTime: UTCTime for 1950..2049 as RFC 5652 asks, else GeneralizedTime. */
static void put_time(der_buf *b, time_t t)
{
	struct tm tm;
	char s[80];
	if (!gmtime_r(&t, &tm)) {
		b->failed = true;
		return;
	}
	if (tm.tm_year >= 50 && tm.tm_year < 150) {
		snprintf(s, sizeof s, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1,
		         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		der_put_str(b, DER_UTC_TIME, s);
	} else {
		strftime(s, sizeof s, "%Y%m%d%H%M%SZ", &tm);
		der_put_str(b, DER_GENERALIZED_TIME, s);
	}
}

/* One Attribute ::= SEQUENCE { type, SET { value } } into its own buffer;
 * the value is written by the caller between attr_begin and attr_end. */
static size_t attr_begin(der_buf *b, const char *oid, size_t *set)
{
	der_buf_init(b);
	size_t m = der_open(b, DER_SEQUENCE);
	der_put_oid_text(b, oid);
	*set = der_open(b, DER_SET);
	return m;
}

static void attr_end(der_buf *b, size_t m, size_t set)
{
	der_close(b, set);
	der_close(b, m);
}

/* DER orders the elements of a SET OF by their encodings (X.690 11.6),
 * the shorter one padded with zero octets. */
static int cmp_enc(const void *a, const void *b)
{
	const der_buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->data, y->data, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int onay_cms_signed_attrs(const unsigned char *content, size_t clen, const unsigned char *cert,
                          size_t certlen, time_t signing_time, unsigned char **out,
                          size_t *outlen)
{
	struct signer s;
	unsigned char md[32];
	unsigned mdl = 0;
	der_buf a[4], set;
	size_t m, v, q;
	int ret = -1;

	if (signer_load(cert, certlen, &s) < 0)
		return -1;
	if (!EVP_Digest(content, clen, md, &mdl, EVP_sha256(), NULL) || mdl != 32) {
		signer_free(&s);
		return -1;
	}
	m = attr_begin(&a[0], OID_CONTENT_TYPE, &v);
	der_put_oid_text(&a[0], OID_DATA);
	attr_end(&a[0], m, v);

	m = attr_begin(&a[1], OID_SIGNING_TIME, &v);
	put_time(&a[1], signing_time);
	attr_end(&a[1], m, v);

	m = attr_begin(&a[2], OID_MESSAGE_DIGEST, &v);
	der_put(&a[2], DER_OCTET_STRING, md, sizeof md);
	attr_end(&a[2], m, v);

	/* SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash,
	 * issuerSerial { issuer GeneralNames { [4] Name }, serial } } };
	 * hashAlgorithm is left out: SHA-256 is its DEFAULT, and DER omits it. */
	m = attr_begin(&a[3], OID_SIGNING_CERT_V2, &v);
	q = der_open(&a[3], DER_SEQUENCE);
	size_t certs = der_open(&a[3], DER_SEQUENCE);
	size_t id = der_open(&a[3], DER_SEQUENCE);
	der_put(&a[3], DER_OCTET_STRING, s.cert_hash, sizeof s.cert_hash);
	size_t is = der_open(&a[3], DER_SEQUENCE);
	size_t gn = der_open(&a[3], DER_SEQUENCE);
	size_t dn = der_open(&a[3], DER_CTX_CONS(4));
	der_put_raw(&a[3], s.issuer, (size_t)s.issuer_len);
	der_close(&a[3], dn);
	der_close(&a[3], gn);
	der_put_raw(&a[3], s.serial, (size_t)s.serial_len);
	der_close(&a[3], is);
	der_close(&a[3], id);
	der_close(&a[3], certs);
	der_close(&a[3], q);
	attr_end(&a[3], m, v);

	bool ok = true;
	for (int i = 0; i < 4; i++)
		ok = ok && der_buf_finish(&a[i]) == 0;
	if (ok) {
		qsort(a, 4, sizeof a[0], cmp_enc);
		der_buf_init(&set);
		size_t sm = der_open(&set, DER_SET);
		for (int i = 0; i < 4; i++)
			der_put_raw(&set, a[i].data, a[i].len);
		der_close(&set, sm);
		if (der_buf_finish(&set) == 0) {
			*out = set.data;
			*outlen = set.len;
			ret = 0;
		} else {
			der_buf_free(&set);
		}
	}
	for (int i = 0; i < 4; i++)
		der_buf_free(&a[i]);
	signer_free(&s);
	return ret;
}

/* DER orders a SET OF by the encodings of its elements (X.690 11.6). */
static int der_order(const void *a, const void *b)
{
	const struct onay_der *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->der, y->der, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* certificates [0] IMPLICIT CertificateSet: the signer's and the chain. */
static void put_certificates(der_buf *b, const unsigned char *cert, size_t certlen,
                             const struct onay_der *chain, size_t nchain)
{
	struct onay_der *all = calloc(nchain + 1, sizeof *all);
	size_t n = 0;

	if (!all) {
		b->failed = true;
		return;
	}
	all[n++] = (struct onay_der){cert, certlen};
	for (size_t i = 0; i < nchain; i++)
		if (chain[i].der && chain[i].len && !(chain[i].len == certlen &&
		                                      memcmp(chain[i].der, cert, certlen) == 0))
			all[n++] = chain[i];
	qsort(all, n, sizeof *all, der_order);
	size_t certs = der_open(b, DER_CTX_CONS(0));
	for (size_t i = 0; i < n; i++)
		der_put_raw(b, all[i].der, all[i].len);
	der_close(b, certs);
	free(all);
}

int onay_cms_sign(const unsigned char *content, size_t clen, const unsigned char *cert,
                  size_t certlen, time_t signing_time, onay_sign_fn sign, void *ctx,
                  unsigned char **out, size_t *outlen, char *err, size_t errcap)
{
	return onay_cms_sign_chain(content, clen, cert, certlen, NULL, 0, signing_time, sign, ctx,
	                           out, outlen, err, errcap);
}

int onay_cms_sign_chain(const unsigned char *content, size_t clen, const unsigned char *cert,
                        size_t certlen, const struct onay_der *chain, size_t nchain,
                        time_t signing_time, onay_sign_fn sign, void *ctx, unsigned char **out,
                        size_t *outlen, char *err, size_t errcap)
{
	struct signer s;
	unsigned char *attrs = NULL, dig[32], sig[1024];
	size_t attrs_len = 0, siglen = sizeof sig;
	unsigned dl = 0;
	der_buf b;
	int ret;

	if (signer_load(cert, certlen, &s) < 0) {
		snprintf(err, errcap, "%s",
		         _("the certificate cannot be read, or its key is neither RSA nor EC"));
		return EZ_EXIT_FAILURE;
	}
	if (onay_cms_signed_attrs(content, clen, cert, certlen, signing_time, &attrs,
	                          &attrs_len) < 0 ||
	    !EVP_Digest(attrs, attrs_len, dig, &dl, EVP_sha256(), NULL)) {
		snprintf(err, errcap, "%s", _("out of memory while building the signature"));
		ret = EZ_EXIT_FAILURE;
		goto out;
	}
	ret = sign(ctx, dig, sig, &siglen);
	if (ret != 0)
		goto out;

	der_buf_init(&b);
	size_t ci = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, OID_SIGNED_DATA);
	size_t ex = der_open(&b, DER_CTX_CONS(0));
	size_t sd = der_open(&b, DER_SEQUENCE);
	der_put_uint(&b, DER_INTEGER, 1);
	size_t algs = der_open(&b, DER_SET);
	put_sha256_alg(&b);
	der_close(&b, algs);
	size_t eci = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, OID_DATA);
	size_t ec = der_open(&b, DER_CTX_CONS(0));
	der_put(&b, DER_OCTET_STRING, content, clen);
	der_close(&b, ec);
	der_close(&b, eci);
	put_certificates(&b, cert, certlen, chain, nchain);
	size_t sis = der_open(&b, DER_SET);
	size_t si = der_open(&b, DER_SEQUENCE);
	der_put_uint(&b, DER_INTEGER, 1);
	size_t ias = der_open(&b, DER_SEQUENCE);
	der_put_raw(&b, s.issuer, (size_t)s.issuer_len);
	der_put_raw(&b, s.serial, (size_t)s.serial_len);
	der_close(&b, ias);
	put_sha256_alg(&b);
	/* signedAttrs [0] IMPLICIT: the SET signed above with its tag replaced */
	size_t sa = der_open(&b, DER_CTX_CONS(0));
	der_reader r;
	der_tlv set;
	der_reader_init(&r, attrs, attrs_len);
	if (der_expect(&r, DER_SET, &set) == 0)
		der_put_raw(&b, set.val, set.len);
	else
		b.failed = true;
	der_close(&b, sa);
	size_t alg = der_open(&b, DER_SEQUENCE);
	if (s.key_type == EVP_PKEY_RSA) {
		der_put_oid_text(&b, OID_RSA);
		der_put(&b, DER_NULL, NULL, 0);
	} else {
		der_put_oid_text(&b, OID_ECDSA_SHA256);
	}
	der_close(&b, alg);
	der_put(&b, DER_OCTET_STRING, sig, siglen);
	der_close(&b, si);
	der_close(&b, sis);
	der_close(&b, sd);
	der_close(&b, ex);
	der_close(&b, ci);
	if (der_buf_finish(&b) < 0) {
		der_buf_free(&b);
		snprintf(err, errcap, "%s", _("out of memory while building the signature"));
		ret = EZ_EXIT_FAILURE;
		goto out;
	}
	*out = b.data;
	*outlen = b.len;
out:
	free(attrs);
	signer_free(&s);
	return ret;
}
