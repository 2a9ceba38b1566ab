/*
 * perso-pki.c: generate the test PKI of a virtual card (see perso-pki.h).
 *
 * Certificate contents follow ../shared/docs/turkish-esign.md: the person's
 * T.C. Kimlik No in serialNumber, keyUsage nonRepudiation (critical), the
 * ETSI QC statements, a policy under 2.16.792.1.2.1.1.5.7, CRL and AIA
 * URLs, key identifiers. Extensions OpenSSL has no text form for (QC
 * statements, policies with a CPS pointer) are written with der.h.
 */
#include "config.h"

#include "perso-pki.h"

#include <eimza/atomic-file.h>
#include <eimza/der.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "perso-i18n.h"

#define DAY 86400

/* ---- random ------------------------------------------------------------- */

void perso_rng_init(struct perso_rng *r, bool seeded, uint64_t seed)
{
	r->seeded = seeded;
	r->state = seed;
}

/* splitmix64: a small, well-mixed sequence; only for reproducible test
 * numbers, never for keys. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int perso_rng_bytes(struct perso_rng *r, uint8_t *out, size_t n)
{
	size_t i;

	if (!r->seeded)
		return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
	for (i = 0; i < n; i++) {
		if (i % 8 == 0) {
			uint64_t v = splitmix64(&r->state);
			size_t k;
			for (k = 0; k < 8 && i + k < n; k++)
				out[i + k] = (uint8_t)(v >> (8 * k));
		}
	}
	return 0;
}

/* ---- small helpers ------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	unsigned long e = ERR_peek_last_error();

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (e) {
		size_t n = strlen(err);
		char buf[256];
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err + n, errlen - n, " (%s)", buf);
	}
	ERR_clear_error();
}

static EVP_PKEY *keygen(enum perso_alg alg)
{
	switch (alg) {
	case PERSO_RSA2048:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case PERSO_RSA3072:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	case PERSO_EC_P256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case PERSO_EC_P384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	}
	return NULL;
}

static int name_add(X509_NAME *n, const char *field, const char *value)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1,
	                                  -1, 0) == 1
	           ? 0
	           : -1;
}

/* A name with C=TR first and the given (field, value) pairs after it. */
static X509_NAME *make_name(const char *f1, const char *v1, const char *f2, const char *v2,
                            const char *f3, const char *v3)
{
	X509_NAME *n = X509_NAME_new();

	if (!n || name_add(n, "C", "TR") < 0 || (f1 && name_add(n, f1, v1) < 0) ||
	    (f2 && name_add(n, f2, v2) < 0) || (f3 && name_add(n, f3, v3) < 0)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static int add_conf_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int rc;

	if (!e)
		return -1;
	rc = X509_add_ext(x, e, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(e);
	return rc;
}

static int add_der_ext(X509 *x, const char *oid, bool critical, const der_buf *b)
{
	ASN1_OBJECT *o = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *e = NULL;
	int rc = -1;

	if (der_buf_finish(b) < 0)
		return -1;
	o = OBJ_txt2obj(oid, 1);
	os = ASN1_OCTET_STRING_new();
	if (!o || !os || ASN1_OCTET_STRING_set(os, b->data, (int)b->len) != 1)
		goto out;
	e = X509_EXTENSION_create_by_OBJ(NULL, o, critical ? 1 : 0, os);
	if (e && X509_add_ext(x, e, -1) == 1)
		rc = 0;
out:
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(o);
	return rc;
}

/* certificatePolicies: each OID, the first with a CPS pointer. */
static int add_policies(X509 *x, const char *oid1, const char *oid2)
{
	der_buf b;
	size_t all, pol, quals, q;
	int rc;

	der_buf_init(&b);
	all = der_open(&b, DER_SEQUENCE);
	pol = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, oid1);
	quals = der_open(&b, DER_SEQUENCE);
	q = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, "1.3.6.1.5.5.7.2.1"); /* id-qt-cps */
	der_put_str(&b, DER_IA5_STRING, PERSO_URL_BASE "/cps/");
	der_close(&b, q);
	der_close(&b, quals);
	der_close(&b, pol);
	if (oid2) {
		pol = der_open(&b, DER_SEQUENCE);
		der_put_oid_text(&b, oid2);
		der_close(&b, pol);
	}
	der_close(&b, all);
	rc = add_der_ext(x, "2.5.29.32", false, &b);
	der_buf_free(&b);
	return rc;
}

/* QCStatements: QcCompliance, QcSSCD, QcType (esign or eseal). */
static int add_qc_statements(X509 *x, const char *qc_type)
{
	der_buf b;
	size_t all, st, types;
	int rc;

	der_buf_init(&b);
	all = der_open(&b, DER_SEQUENCE);
	st = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, PERSO_OID_QC_COMPLIANCE);
	der_close(&b, st);
	st = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, PERSO_OID_QC_SSCD);
	der_close(&b, st);
	st = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, PERSO_OID_QC_TYPE);
	types = der_open(&b, DER_SEQUENCE);
	der_put_oid_text(&b, qc_type);
	der_close(&b, types);
	der_close(&b, st);
	der_close(&b, all);
	rc = add_der_ext(x, PERSO_OID_QC_STATEMENTS, false, &b);
	der_buf_free(&b);
	return rc;
}

static int set_serial(X509 *x, struct perso_rng *rng)
{
	uint8_t s[16];
	BIGNUM *bn;
	int rc = -1;

	if (perso_rng_bytes(rng, s, sizeof(s)) < 0)
		return -1;
	s[0] = (uint8_t)((s[0] & 0x7F) | 0x40); /* positive, full length, never zero */
	bn = BN_bin2bn(s, sizeof(s), NULL);
	if (bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		rc = 0;
	BN_free(bn);
	return rc;
}

/* A certificate without extensions yet: subject, issuer, key, validity.
 * The subject name is taken over by the certificate (copied). */
static X509 *cert_start(EVP_PKEY *key, X509_NAME *subject, X509 *issuer, time_t nb, time_t na,
                        struct perso_rng *rng)
{
	X509 *x = X509_new();

	if (!x || X509_set_version(x, 2) != 1 || set_serial(x, rng) < 0 ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), nb) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), na) || X509_set_pubkey(x, key) != 1) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int cert_sign(X509 *x, EVP_PKEY *issuer_key)
{
	const EVP_MD *md = EVP_PKEY_is_a(issuer_key, "EC") ? EVP_sha384() : EVP_sha256();

	return X509_sign(x, issuer_key, md) > 0 ? 0 : -1;
}

/* ---- the CAs ------------------------------------------------------------ */

static const char *chain_slug(int kind, bool seal, bool root)
{
	if (root)
		return kind == PERSO_CHAIN_EC ? "kok-ec" : "kok-rsa";
	if (seal)
		return kind == PERSO_CHAIN_EC ? "malimuhur-ec" : "malimuhur-rsa";
	return kind == PERSO_CHAIN_EC ? "nes-ec" : "nes-rsa";
}

static int make_chain(struct perso_chain *ch, int kind, bool seal, time_t nb, time_t na,
                      struct perso_rng *rng, char *err, size_t errlen)
{
	enum perso_alg alg = kind == PERSO_CHAIN_EC ? PERSO_EC_P384 : PERSO_RSA2048;
	const char *root_cn =
	    kind == PERSO_CHAIN_EC ? "EIMZA TEST Eliptik Eğrili Kök SM" : "EIMZA TEST Kök SM";
	const char *ca_cn =
	    seal ? (kind == PERSO_CHAIN_EC ? "EIMZA TEST Mali Mühür SM - EC"
	                                   : "EIMZA TEST Mali Mühür SM")
	         : (kind == PERSO_CHAIN_EC ? "EIMZA TEST NES SM - EC" : "EIMZA TEST NES SM");
	const char *org = "EIMZA TEST - gerçek bir sertifika değildir";
	X509_NAME *rn = NULL, *cn = NULL;
	X509V3_CTX ctx;
	char url[256];
	int rc = -1;

	ch->root_key = keygen(alg);
	ch->ca_key = keygen(alg);
	if (!ch->root_key || !ch->ca_key) {
		set_err(err, errlen, _("cannot generate a CA key"));
		return -1;
	}
	rn = make_name("O", org, "OU", "EIMZA TEST Sertifikasyon Merkezi", "CN", root_cn);
	cn = make_name("O", org, "OU", "EIMZA TEST Sertifikasyon Merkezi", "CN", ca_cn);
	if (!rn || !cn)
		goto fail;

	/* The root: self-signed, a long validity around the end entity's. */
	ch->root = cert_start(ch->root_key, rn, NULL, nb - 60 * DAY, na + 3650L * DAY, rng);
	if (!ch->root)
		goto fail;
	X509V3_set_ctx(&ctx, ch->root, ch->root, NULL, NULL, 0);
	if (add_conf_ext(ch->root, &ctx, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_conf_ext(ch->root, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    add_conf_ext(ch->root, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    cert_sign(ch->root, ch->root_key) < 0)
		goto fail;

	/* The issuing CA ("SM" = sertifika merkezi) under it. */
	ch->ca = cert_start(ch->ca_key, cn, ch->root, nb - 30 * DAY, na + 1825L * DAY, rng);
	if (!ch->ca)
		goto fail;
	X509V3_set_ctx(&ctx, ch->root, ch->ca, NULL, NULL, 0);
	if (add_conf_ext(ch->ca, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") < 0 ||
	    add_conf_ext(ch->ca, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    add_conf_ext(ch->ca, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_conf_ext(ch->ca, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
		goto fail;
	snprintf(url, sizeof(url), "URI:%s/crl/%s.crl", PERSO_URL_BASE,
	         chain_slug(kind, seal, true));
	if (add_conf_ext(ch->ca, &ctx, NID_crl_distribution_points, url) < 0)
		goto fail;
	snprintf(url, sizeof(url), "caIssuers;URI:%s/ca/%s.crt", PERSO_URL_BASE,
	         chain_slug(kind, seal, true));
	if (add_conf_ext(ch->ca, &ctx, NID_info_access, url) < 0 ||
	    add_policies(ch->ca, "2.5.29.32.0", NULL) < 0 || cert_sign(ch->ca, ch->root_key) < 0)
		goto fail;
	rc = 0;
fail:
	if (rc < 0)
		set_err(err, errlen, _("cannot make the test CA certificates"));
	X509_NAME_free(rn);
	X509_NAME_free(cn);
	return rc;
}

static void chain_free(struct perso_chain *ch)
{
	X509_free(ch->root);
	X509_free(ch->ca);
	EVP_PKEY_free(ch->root_key);
	EVP_PKEY_free(ch->ca_key);
	memset(ch, 0, sizeof(*ch));
}

/* ---- end entities ------------------------------------------------------- */

static X509_NAME *holder_name(const struct perso_holder *h)
{
	if (h->seal)
		return make_name("O", h->name, "serialNumber", h->id, "CN", h->name);
	return make_name("serialNumber", h->id, "CN", h->name, NULL, NULL);
}

static int make_entity(struct perso_entity *e, const struct perso_chain *ch, int kind,
                       const struct perso_holder *h, time_t nb, time_t na, struct perso_rng *rng)
{
	const struct perso_key_spec *s = e->spec;
	const char *ku, *policy, *etsi = NULL;
	X509_NAME *n = holder_name(h);
	X509V3_CTX ctx;
	char url[512];
	unsigned int idlen = 0;
	int rc = -1;

	e->key = keygen(s->alg);
	if (!n || !e->key)
		goto out;
	e->cert = cert_start(e->key, n, ch->ca, nb, na, rng);
	if (!e->cert)
		goto out;

	switch (s->role) {
	case PERSO_ROLE_NES:
		ku = "critical,nonRepudiation";
		policy = PERSO_POLICY_NES;
		etsi = PERSO_POLICY_ETSI_QCP_N_QSCD;
		break;
	case PERSO_ROLE_SEAL:
		ku = "critical,digitalSignature,nonRepudiation";
		policy = PERSO_POLICY_SEAL;
		etsi = PERSO_POLICY_ETSI_QCP_L_QSCD;
		break;
	case PERSO_ROLE_AUTH:
		ku = "critical,digitalSignature";
		policy = PERSO_POLICY_AUTH;
		break;
	default:
		ku = "critical,digitalSignature,nonRepudiation";
		policy = PERSO_POLICY_SIGN;
		break;
	}

	X509V3_set_ctx(&ctx, ch->ca, e->cert, NULL, NULL, 0);
	if (add_conf_ext(e->cert, &ctx, NID_basic_constraints, "CA:FALSE") < 0 ||
	    add_conf_ext(e->cert, &ctx, NID_key_usage, ku) < 0 ||
	    (s->role == PERSO_ROLE_AUTH &&
	     add_conf_ext(e->cert, &ctx, NID_ext_key_usage, "clientAuth") < 0) ||
	    add_conf_ext(e->cert, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_conf_ext(e->cert, &ctx, NID_authority_key_identifier, "keyid:always") < 0 ||
	    add_policies(e->cert, policy, etsi) < 0)
		goto out;
	if ((s->role == PERSO_ROLE_NES || s->role == PERSO_ROLE_SEAL) &&
	    add_qc_statements(e->cert, s->role == PERSO_ROLE_SEAL ? PERSO_OID_QC_TYPE_ESEAL
	                                                          : PERSO_OID_QC_TYPE_ESIGN) < 0)
		goto out;
	snprintf(url, sizeof(url), "URI:%s/crl/%s.crl", PERSO_URL_BASE,
	         chain_slug(kind, h->seal, false));
	if (add_conf_ext(e->cert, &ctx, NID_crl_distribution_points, url) < 0)
		goto out;
	snprintf(url, sizeof(url), "caIssuers;URI:%s/ca/%s.crt,OCSP;URI:%s", PERSO_URL_BASE,
	         chain_slug(kind, h->seal, false), PERSO_URL_OCSP);
	if (add_conf_ext(e->cert, &ctx, NID_info_access, url) < 0 ||
	    cert_sign(e->cert, ch->ca_key) < 0)
		goto out;

	/* iD: SHA-1 over the subjectPublicKey bits, the RFC 5280 key
	 * identifier, so it equals the certificate's subjectKeyIdentifier. */
	if (X509_pubkey_digest(e->cert, EVP_sha1(), e->id, &idlen) != 1 || idlen != sizeof(e->id))
		goto out;
	rc = 0;
out:
	X509_NAME_free(n);
	return rc;
}

int perso_pki_generate(const struct perso_profile *profile, const struct perso_holder *holder,
                       time_t not_before, unsigned days, struct perso_rng *rng,
                       struct perso_pki *out, char *err, size_t errlen)
{
	time_t na = not_before + (time_t)days * DAY;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < profile->nkeys; i++) {
		const struct perso_key_spec *s = &profile->keys[i];
		int kind = perso_alg_is_ec(s->alg) ? PERSO_CHAIN_EC : PERSO_CHAIN_RSA;
		struct perso_chain *ch = &out->chain[kind];

		if (!ch->ca &&
		    make_chain(ch, kind, holder->seal, not_before, na, rng, err, errlen) < 0)
			goto fail;
		out->ent[i].spec = s;
		out->n = i + 1;
		if (make_entity(&out->ent[i], ch, kind, holder, not_before, na, rng) < 0) {
			set_err(err, errlen, _("cannot make the certificate of key %u (%s)"),
			        (unsigned)(i + 1), s->label);
			goto fail;
		}
	}
	return 0;
fail:
	perso_pki_free(out);
	return -1;
}

void perso_pki_free(struct perso_pki *pki)
{
	size_t i;

	for (i = 0; i < PERSO_NCHAINS; i++)
		chain_free(&pki->chain[i]);
	for (i = 0; i < pki->n && i < PERSO_MAX_KEYS; i++) {
		X509_free(pki->ent[i].cert);
		EVP_PKEY_free(pki->ent[i].key);
	}
	memset(pki, 0, sizeof(*pki));
}

const struct perso_chain *perso_pki_chain_of(const struct perso_pki *pki, size_t i)
{
	if (i >= pki->n)
		return NULL;
	return &pki->chain[perso_alg_is_ec(pki->ent[i].spec->alg) ? PERSO_CHAIN_EC
	                                                          : PERSO_CHAIN_RSA];
}

/* ---- output ------------------------------------------------------------- */

int perso_pki_write_pem(const struct perso_pki *pki, enum perso_pem_kind kind, const char *path)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;
	size_t i;
	int rc = -1;

	if (!bio) {
		errno = ENOMEM;
		return -1;
	}
	if (kind == PERSO_PEM_CERTS) {
		for (i = 0; i < pki->n; i++)
			if (PEM_write_bio_X509(bio, pki->ent[i].cert) != 1)
				goto out;
	} else {
		for (i = 0; i < PERSO_NCHAINS; i++) {
			X509 *x = kind == PERSO_PEM_ROOTS ? pki->chain[i].root : pki->chain[i].ca;
			if (x && PEM_write_bio_X509(bio, x) != 1)
				goto out;
		}
	}
	len = BIO_get_mem_data(bio, &data);
	if (len < 0)
		goto out;
	rc = ez_atomic_write(path, data, (size_t)len, 0644);
	BIO_free(bio);
	return rc;
out:
	BIO_free(bio);
	errno = ENOMEM;
	return rc;
}

/* Move an OpenSSL-allocated DER encoding of n bytes (n <= 0: failed)
 * into malloc'd memory the caller frees with free(). */
static int take_der(unsigned char *p, int n, uint8_t **der, size_t *len)
{
	if (n <= 0)
		return -1;
	*der = malloc((size_t)n);
	if (*der) {
		memcpy(*der, p, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(p);
	return *der ? 0 : -1;
}

int perso_x509_subject_der(X509 *cert, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(cert), &p);

	return take_der(p, n, der, len);
}

int perso_spki_der(EVP_PKEY *key, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_PUBKEY(key, &p);

	return take_der(p, n, der, len);
}
