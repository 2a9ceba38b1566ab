/*
 * perso-test.c: helpers of the tests of `eimza-vcard init` (see
 * perso-test.h).
 */
#include "config.h"

#include "perso-test.h"

#include "tools/vcard/perso/perso-pkcs15.h"
#include "tools/vcard/perso/perso.h"

#include <eimza/der.h>

#include <check.h>
#include <stdarg.h>
#include <string.h>

int perso_run_init(const char *image, ...)
{
	const char *argv[32];
	int argc = 0;
	va_list ap;
	const char *a;

	argv[argc++] = "init";
	argv[argc++] = image;
	va_start(ap, image);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return vcard_perso_main(argc, (char **)argv);
}

static uint16_t path_fid(const der_tlv *path_seq)
{
	der_reader r;
	der_tlv p;
	uint8_t want[6];

	der_enter(path_seq, &r);
	ck_assert_int_eq(der_expect(&r, DER_OCTET_STRING, &p), 0);
	ck_assert_uint_eq(p.len, 6);
	p15_path(want, 0);
	ck_assert_mem_eq(p.val, want, 4);
	return (uint16_t)(p.val[4] << 8 | p.val[5]);
}

void parse_prkdf(const uint8_t *d, size_t len, struct key_seen *k, size_t *n)
{
	der_reader r, obj, in, attrs;
	der_tlv t, u, v;

	*n = 0;
	der_reader_init(&r, d, len);
	while (!der_at_end(&r) && *n < 8) {
		struct key_seen *e = &k[*n];
		bool b;

		ck_assert_int_eq(der_next(&r, &t), 0);
		ck_assert(t.tag == DER_SEQUENCE || t.tag == DER_CTX_CONS(0));
		memset(e, 0, sizeof(*e));
		e->ec = t.tag == DER_CTX_CONS(0);
		der_enter(&t, &obj);
		/* CommonObjectAttributes: label, flags private, authId 01, userConsent */
		ck_assert_int_eq(der_expect(&obj, DER_SEQUENCE, &u), 0);
		der_enter(&u, &in);
		ck_assert_int_eq(der_expect(&in, DER_UTF8_STRING, &v), 0);
		ck_assert_int_eq(der_expect(&in, DER_BIT_STRING, &v), 0);
		ck_assert_int_eq(der_expect(&in, DER_OCTET_STRING, &v), 0);
		ck_assert_uint_eq(v.len, 1);
		ck_assert_uint_eq(v.val[0], P15_AUTH_ID_PIN);
		if (der_optional(&in, DER_INTEGER, &v) == 1) {
			unsigned long uc;
			ck_assert_int_eq(der_get_uint(&v, &uc), 0);
			e->user_consent = uc > 0;
		}
		/* CommonKeyAttributes */
		ck_assert_int_eq(der_expect(&obj, DER_SEQUENCE, &u), 0);
		der_enter(&u, &in);
		ck_assert_int_eq(der_expect(&in, DER_OCTET_STRING, &v), 0);
		ck_assert_uint_eq(v.len, 20);
		memcpy(e->id, v.val, 20);
		ck_assert_int_eq(der_expect(&in, DER_BIT_STRING, &v), 0);
		ck_assert_int_eq(der_get_bits(&v, &e->usage), 0);
		ck_assert_int_eq(der_expect(&in, DER_BOOLEAN, &v), 0);
		ck_assert_int_eq(der_get_bool(&v, &b), 0);
		ck_assert(b);
		ck_assert_int_eq(der_expect(&in, DER_BIT_STRING, &v), 0);
		ck_assert_int_eq(der_expect(&in, DER_INTEGER, &v), 0);
		ck_assert_int_eq(der_get_uint(&v, &e->key_ref), 0);
		/* [0] subjectName, then [1] type attributes */
		ck_assert_int_eq(der_optional(&obj, DER_CTX_CONS(0), &u), 1);
		ck_assert_int_eq(der_expect(&obj, DER_CTX_CONS(1), &u), 0);
		der_enter(&u, &in);
		ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &v), 0);
		der_enter(&v, &attrs);
		ck_assert_int_eq(der_expect(&attrs, DER_SEQUENCE, &u), 0); /* Path of the DF */
		if (e->ec) {
			ck_assert_int_eq(der_expect(&attrs, DER_SEQUENCE, &u), 0); /* keyInfo */
		} else {
			ck_assert_int_eq(der_expect(&attrs, DER_INTEGER, &u), 0);
			ck_assert_int_eq(der_get_uint(&u, &e->bits), 0);
		}
		ck_assert(der_at_end(&obj));
		(*n)++;
	}
	ck_assert(der_at_end(&r));
}

/* PuKDF or CDF: fill the matching entry's fid by iD. */
void parse_refs(const uint8_t *d, size_t len, struct key_seen *k, size_t n, bool cdf)
{
	der_reader r, obj, in;
	der_tlv t, u, v, id;
	size_t count = 0, i;

	der_reader_init(&r, d, len);
	while (!der_at_end(&r)) {
		ck_assert_int_eq(der_next(&r, &t), 0);
		der_enter(&t, &obj);
		ck_assert_int_eq(der_expect(&obj, DER_SEQUENCE, &u), 0);
		ck_assert_int_eq(der_expect(&obj, DER_SEQUENCE, &u), 0);
		der_enter(&u, &in);
		ck_assert_int_eq(der_expect(&in, DER_OCTET_STRING, &id), 0);
		ck_assert_int_eq(der_expect(&obj, DER_CTX_CONS(1), &u), 0);
		der_enter(&u, &in);
		ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &v), 0);
		der_enter(&v, &in);
		ck_assert_int_eq(der_expect(&in, DER_SEQUENCE, &u), 0);
		for (i = 0; i < n; i++)
			if (id.len == 20 && memcmp(id.val, k[i].id, 20) == 0)
				break;
		ck_assert_msg(i < n, "a %s entry with an unknown iD", cdf ? "CDF" : "PuKDF");
		if (cdf)
			k[i].cert_fid = path_fid(&u);
		else
			k[i].pubkey_fid = path_fid(&u);
		count++;
	}
	ck_assert_uint_eq(count, n);
}
