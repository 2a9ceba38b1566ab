/*
 * tool-cert.c: what a card holder wants to know about a certificate
 * (holder, T.C. Kimlik No, issuer, key, validity, renewal window), and the
 * certificates of a token.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eimza/tckn.h"
#include "tools/common/tool.h"

void ez_name_entry_text(const X509_NAME *n, int nid, char *out, size_t cap)
{
	out[0] = 0;
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	if (i < 0)
		return;
	const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	unsigned char *u = NULL;
	int len = ASN1_STRING_to_UTF8(&u, d);
	if (len < 0)
		return;
	ez_terminal_text(out, cap, (const char *)u, (size_t)len);
	OPENSSL_free(u);
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return (time_t)0;
	return timegm(&tm);
}

/* The certificate policies of Kamu SM's certificates, as integrators list
 * them: the regulator's arc (2.16.792.1.61.0.1.5070, "5070" the e-signature
 * law) for NES, Kamu SM's own arc for Mali Mühür. */
const char *ez_policy_name(const char *oid)
{
	static const struct {
		const char *oid, *name;
	} known[] = {
	    {"2.16.792.1.61.0.1.5070.1.1", N_("NES (qualified certificate), individual")},
	    {"2.16.792.1.61.0.1.5070.1.2", N_("NES (qualified certificate), corporate")},
	    {"2.16.792.1.2.1.1.5.7.50.1", N_("Mali Mühür (financial seal), signing")},
	    {"2.16.792.1.2.1.1.5.7.50.2", N_("Mali Mühür (financial seal), encryption")},
	};
	for (size_t i = 0; oid && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(oid, known[i].oid) == 0)
			return _(known[i].name);
	return NULL;
}

void ez_policies_text(const struct ez_cert_info *ci, char *out, size_t cap)
{
	size_t n = 0;

	if (cap)
		out[0] = 0;
	for (int i = 0; i < ci->npolicies && n < cap; i++) {
		const char *name = ez_policy_name(ci->policy[i]);
		if (name)
			n += (size_t)snprintf(out + n, cap - n, "%s%s (%s)", i ? "; " : "", name,
			                      ci->policy[i]);
		else
			n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "; " : "", ci->policy[i]);
	}
}

void ez_cert_holder(const struct ez_cert_info *ci, char *out, size_t cap)
{
	const char *name = ci->subject_cn[0] ? ci->subject_cn : ci->organization;
	if (ci->tckn[0])
		snprintf(out, cap, _("%s (T.C. Kimlik No %s)"), name, ci->tckn);
	else if (ci->serial_number[0])
		snprintf(out, cap, _("%s (serialNumber %s)"), name, ci->serial_number);
	else
		snprintf(out, cap, "%s", name);
}

bool ez_tckn_from_serial(const char *s, char out[12])
{
	if (!s)
		return false;
	if (strncmp(s, "IDCTR-", 6) == 0)
		s += 6;
	else if (strncmp(s, "TCKN", 4) == 0) {
		s += 4;
		if (*s == ':' || *s == '-')
			s++;
	}
	if (strlen(s) != 11)
		return false;
	for (int i = 0; i < 11; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	memcpy(out, s, 11);
	out[11] = 0;
	return true;
}

int ez_cert_parse(const unsigned char *der, size_t len, struct ez_cert_info *ci)
{
	memset(ci, 0, sizeof *ci);
	const unsigned char *p = der;
	if (!der || len == 0 || len > 1L << 20)
		return -1;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (!x)
		return -1;
	const X509_NAME *sub = X509_get_subject_name(x), *iss = X509_get_issuer_name(x);
	ez_name_entry_text(sub, NID_commonName, ci->subject_cn, sizeof ci->subject_cn);
	ez_name_entry_text(sub, NID_serialNumber, ci->serial_number, sizeof ci->serial_number);
	ez_name_entry_text(sub, NID_organizationName, ci->organization, sizeof ci->organization);
	ez_name_entry_text(iss, NID_commonName, ci->issuer_cn, sizeof ci->issuer_cn);
	if (!ci->issuer_cn[0])
		ez_name_entry_text(iss, NID_organizationName, ci->issuer_cn, sizeof ci->issuer_cn);
	if (ez_tckn_from_serial(ci->serial_number, ci->tckn))
		ci->tckn_valid = tckn_valid(ci->tckn);

	ci->not_before = asn1_time(X509_get0_notBefore(x));
	ci->not_after = asn1_time(X509_get0_notAfter(x));

	snprintf(ci->key_type, sizeof ci->key_type, "?");
	EVP_PKEY *k = X509_get0_pubkey(x);
	if (k) {
		int id = EVP_PKEY_get_base_id(k);
		ci->key_bits = EVP_PKEY_get_bits(k);
		if (id == EVP_PKEY_RSA)
			snprintf(ci->key_type, sizeof ci->key_type, "RSA");
		else if (id == EVP_PKEY_EC) {
			snprintf(ci->key_type, sizeof ci->key_type, "EC");
			size_t gl = 0;
			if (!EVP_PKEY_get_group_name(k, ci->curve, sizeof ci->curve, &gl))
				ci->curve[0] = 0;
		}
	}
	CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	for (int i = 0; cp && i < sk_POLICYINFO_num(cp) && ci->npolicies < EZ_POLICIES_MAX; i++) {
		char *o = ci->policy[ci->npolicies];
		int n = OBJ_obj2txt(o, sizeof ci->policy[0], sk_POLICYINFO_value(cp, i)->policyid, 1);
		if (n > 0 && (size_t)n < sizeof ci->policy[0])
			ci->npolicies++;
	}
	CERTIFICATEPOLICIES_free(cp);
	ERR_clear_error();
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	BIGNUM *bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex)
		snprintf(ci->cert_serial, sizeof ci->cert_serial, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_free(x);
	return 0;
}

enum ez_expiry ez_expiry_classify(time_t nb, time_t na, time_t now, long *days_left)
{
	double diff = difftime(na, now);
	long days = (long)(diff / 86400.0);
	if (diff < 0 && diff != days * 86400.0)
		days--; /* floor: one second past expiry is day -1 */
	if (days_left)
		*days_left = days;
	if (now > na)
		return EZ_EXPIRY_EXPIRED;
	if (now < nb)
		return EZ_EXPIRY_NOT_YET;
	struct tm tm;
	if (!gmtime_r(&na, &tm))
		return EZ_EXPIRY_VALID;
	tm.tm_mon -= 3;
	time_t window = timegm(&tm);
	return now >= window ? EZ_EXPIRY_RENEW : EZ_EXPIRY_VALID;
}

static CK_RV get_attr(struct ez_module *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                      CK_ATTRIBUTE_TYPE t, unsigned char **val, size_t *len)
{
	CK_ATTRIBUTE a = {t, NULL, 0};
	*val = NULL;
	*len = 0;
	CK_RV rv = m->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > (1UL << 20))
		return CKR_ATTRIBUTE_TYPE_INVALID;
	a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
	if (!a.pValue)
		return CKR_HOST_MEMORY;
	rv = m->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

CK_RV ez_token_certs(struct ez_module *m, CK_SESSION_HANDLE s, struct ez_token_cert **certs,
                     size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tmpl = {CKA_CLASS, &cls, sizeof cls};
	CK_OBJECT_HANDLE objs[64];
	CK_ULONG found = 0;
	*certs = NULL;
	*n = 0;
	CK_RV rv = m->f->C_FindObjectsInit(s, &tmpl, 1);
	if (rv != CKR_OK)
		return rv;
	rv = m->f->C_FindObjects(s, objs, 64, &found);
	m->f->C_FindObjectsFinal(s);
	if (rv != CKR_OK)
		return rv;
	struct ez_token_cert *c = calloc(found ? found : 1, sizeof *c);
	if (!c)
		return CKR_HOST_MEMORY;
	size_t k = 0;
	for (CK_ULONG i = 0; i < found; i++) {
		unsigned char *v;
		size_t l;
		if (get_attr(m, s, objs[i], CKA_VALUE, &c[k].der, &c[k].der_len) != CKR_OK)
			continue;
		if (get_attr(m, s, objs[i], CKA_LABEL, &v, &l) == CKR_OK) {
			ez_terminal_text(c[k].label, sizeof c[k].label, (const char *)v, l);
			free(v);
		}
		if (get_attr(m, s, objs[i], CKA_ID, &v, &l) == CKR_OK) {
			if (l > sizeof c[k].id)
				l = sizeof c[k].id;
			memcpy(c[k].id, v, l);
			c[k].id_len = l;
			free(v);
		}
		c[k].parsed = ez_cert_parse(c[k].der, c[k].der_len, &c[k].info) == 0;
		k++;
	}
	*certs = c;
	*n = k;
	return CKR_OK;
}

void ez_token_certs_free(struct ez_token_cert *certs, size_t n)
{
	for (size_t i = 0; certs && i < n; i++)
		free(certs[i].der);
	free(certs);
}
