/*
 * test-card-p15-opensc.c: the module's PKCS#15 reader (module/pkcs15, what
 * AKIS 1.2 cards are read with) on PKCS#15 written by someone else: the
 * fixtures in tests/card/opensc/ come from OpenSC's test corpus (README
 * there): a CardOS card's whole application as its issuer personalized it,
 * and single directory entries of other cards. The values expected below
 * were read from the DER with `openssl asn1parse` and `openssl x509`, not
 * with this module.
 */
#include "config.h"

#include "card-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "module/pkcs15/pkcs15.h"

/* A fixture file, malloc'ed. */
static uint8_t *fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	uint8_t *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/card/opensc/%s", top ? top : "..", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (top_srcdir?)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void ck_id(const struct ez_p15_id *id, const char *hex)
{
	char *got = tohex(id->value, id->len);

	ck_assert_str_eq(got, hex);
	free(got);
}

static void ck_path(const struct ez_p15_path *p, const char *hex, size_t index, size_t length)
{
	char *got = tohex(p->value, p->len);

	ck_assert_str_eq(got, hex);
	ck_assert_uint_eq(p->index, index);
	ck_assert_uint_eq(p->length, length);
	free(got);
}

/* ---- single directory entries of other cards ------------------------------ */

START_TEST(aodf_entry_of_another_card)
{
	struct ez_p15_app app;
	size_t len;
	uint8_t *der = fixture("aodf-entry-pin.der", &len);

	memset(&app, 0, sizeof(app));
	ck_assert_int_eq(ez_p15_parse_aodf(&app, der, len), EZ_OK);
	ck_assert_uint_eq(app.n_pins, 1);
	ck_assert_str_eq(app.pins[0].label, "jjelen");
	ck_id(&app.pins[0].auth_id, "01");
	/* pinFlags 03 02 03 08: initialized only; ascii-numeric; 4 to 32
	 * characters, stored 32 (as OpenSC's pkcs15-init writes them), of which
	 * the module sends up to its own 16; reference 0, padded with FF */
	ck_assert_uint_eq(app.pins[0].flags, EZ_P15_PIN_INITIALIZED);
	ck_assert_uint_eq(app.pins[0].type, 1);
	ck_assert(app.pins[0].fmt.numeric);
	ck_assert_uint_eq(app.pins[0].fmt.min_len, 4);
	ck_assert_uint_eq(app.pins[0].fmt.stored_len, 32);
	ck_assert_uint_eq(app.pins[0].fmt.max_len, EZ_PIN_MAX);
	ck_assert_uint_eq(app.pins[0].fmt.ref, 0x00);
	ck_assert_uint_eq(app.pins[0].fmt.pad_char, 0xFF);
	ck_assert(!app.pins[0].fmt.needs_padding);
	ez_p15_app_free(&app);
	free(der);
}
END_TEST

START_TEST(prkdf_entry_of_another_card)
{
	struct ez_p15_app app;
	size_t len;
	uint8_t *der = fixture("prkdf-entry-rsa.der", &len);

	memset(&app, 0, sizeof(app));
	ck_assert_int_eq(ez_p15_parse_prkdf(&app, der, len), EZ_OK);
	ck_assert_uint_eq(app.n_prkeys, 1);
	ck_assert_str_eq(app.prkeys[0].label, "CAC Cert 16");
	ck_assert_int_eq(app.prkeys[0].type, EZ_P15_KEY_RSA);
	ck_id(&app.prkeys[0].id, "0010");
	ck_id(&app.prkeys[0].auth_id, "01");
	/* KeyUsageFlags 03 03 06 30 40: sign, signRecover, nonRepudiation */
	ck_assert_uint_eq(app.prkeys[0].usage, EZ_P15_USAGE_SIGN | EZ_P15_USAGE_SIGN_RECOVER |
						       EZ_P15_USAGE_NON_REPUDIATION);
	ck_assert_uint_eq(app.prkeys[0].key_ref, 0x10);
	ck_path(&app.prkeys[0].path, "3F000110", 0, 0x0FFF);
	ck_assert_uint_eq(app.prkeys[0].modulus_bits, 2048);
	ck_assert(!app.prkeys[0].user_consent);
	ez_p15_app_free(&app);
	free(der);
}
END_TEST

START_TEST(pukdf_entry_of_another_card)
{
	struct ez_p15_app app;
	size_t len;
	uint8_t *der = fixture("pukdf-entry-rsa.der", &len);

	memset(&app, 0, sizeof(app));
	/* A public key given by value, not by path: read or refused, never a
	 * crash; a key that is kept has its label and iD. */
	ck_assert_int_eq(ez_p15_parse_pukdf(&app, der, len), EZ_OK);
	for (size_t i = 0; i < app.n_pubkeys; i++) {
		ck_assert_str_eq(app.pubkeys[i].label, "CAC ID Certificate");
		ck_id(&app.pubkeys[i].id, "0001");
	}
	ez_p15_app_free(&app);
	free(der);
}
END_TEST

/* ---- a whole card ----------------------------------------------------------- */

struct files {
	unsigned reads;
};

/* The card as ez_p15_load sees it through the card layer: a file by its
 * path's last FID, index and length as the Path says. */
static ez_err read_fixture(void *arg, const uint8_t *path, size_t path_len, size_t index,
			   size_t len, size_t max, bool der_object, uint8_t **out, size_t *out_len)
{
	struct files *fs = arg;
	char name[32];
	uint8_t *all;
	size_t n;

	(void)der_object;
	fs->reads++;
	ck_assert_uint_ge(path_len, 2);
	snprintf(name, sizeof(name), "%02X%02X.bin", path[path_len - 2], path[path_len - 1]);
	all = fixture(name, &n);
	if (len == 0)
		len = n > index ? n - index : 0;
	ck_assert_msg(index + len <= n, "%s: %zu bytes at %zu, the file has %zu", name, len, index,
		      n);
	if (len > max)
		len = max;
	*out = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(*out);
	memcpy(*out, all + index, len);
	*out_len = len;
	free(all);
	return EZ_OK;
}

static const struct ez_p15_cert *cert_by_id(const struct ez_p15_app *app, const char *hex)
{
	for (size_t i = 0; i < app->n_certs; i++) {
		char *id = tohex(app->certs[i].id.value, app->certs[i].id.len);
		bool same = strcmp(id, hex) == 0;
		free(id);
		if (same)
			return &app->certs[i];
	}
	ck_abort_msg("no certificate with iD %s", hex);
	return NULL;
}

/* The certificate is whole (OpenSSL reads it to its last byte), has this
 * serial number, and (when bits) an RSA key of that size. */
static void ck_cert(const struct ez_p15_cert *c, const char *serial_hex, unsigned bits)
{
	const unsigned char *p = c->der;
	X509 *x;
	BIGNUM *bn;
	char *s;

	ck_assert_ptr_nonnull(c->der);
	x = d2i_X509(NULL, &p, (long)c->der_len);
	ck_assert_msg(x != NULL, "certificate %s does not parse", serial_hex);
	ck_assert(p == c->der + c->der_len);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	s = BN_bn2hex(bn);
	ck_assert_str_eq(s, serial_hex);
	if (bits)
		ck_assert_int_eq(EVP_PKEY_get_bits(X509_get0_pubkey(x)), (int)bits);
	OPENSSL_free(s);
	BN_free(bn);
	X509_free(x);
}

START_TEST(whole_card_of_another_issuer)
{
	static const struct {
		const char *id, *label;
		uint32_t usage;
		uint8_t ref;
		const char *auth;
		bool consent; /* userConsent 1: one PIN per signature */
	} keys[] = {
		{"11", "Digital Signature",
		 EZ_P15_USAGE_SIGN | EZ_P15_USAGE_SIGN_RECOVER | EZ_P15_USAGE_UNWRAP, 0x01, "01", false},
		{"33", "Non Repudiation", EZ_P15_USAGE_NON_REPUDIATION, 0x03, "02", true},
		{"61", "Encryption", EZ_P15_USAGE_DECRYPT | EZ_P15_USAGE_UNWRAP, 0x04, "01", false},
		{"62", "Encryption", EZ_P15_USAGE_DECRYPT | EZ_P15_USAGE_UNWRAP, 0x05, "01", false},
		{"63", "Encryption", EZ_P15_USAGE_DECRYPT | EZ_P15_USAGE_UNWRAP, 0x06, "01", false},
		{"64", "Encryption", EZ_P15_USAGE_DECRYPT | EZ_P15_USAGE_UNWRAP, 0x07, "01", false},
		{"65", "Encryption",
		 EZ_P15_USAGE_DECRYPT | EZ_P15_USAGE_SIGN | EZ_P15_USAGE_SIGN_RECOVER |
			 EZ_P15_USAGE_UNWRAP,
		 0x08, "01", false},
	};
	struct files fs = {0};
	struct ez_p15_io io = {read_fixture, &fs};
	struct ez_p15_app app;
	const struct ez_p15_pin *user;
	size_t i;

	memset(&app, 0, sizeof(app));
	/* The card layer found the application DF at 3F00 5015. */
	app.app_path.value[0] = 0x3F;
	app.app_path.value[1] = 0x00;
	app.app_path.value[2] = 0x50;
	app.app_path.value[3] = 0x15;
	app.app_path.len = 4;
	ck_assert_int_eq(ez_p15_load(&io, &app), EZ_OK);

	/* TokenInfo: version 0, serial 07 11 51 12 50, the issuer, the label
	 * (a file padded after its SEQUENCE) */
	ck_assert_uint_eq(app.version, 0);
	ck_assert_uint_eq(app.serial_len, 5);
	ck_assert_mem_eq(app.serial, "\x07\x11\x51\x12\x50", 5);
	ck_assert_str_eq(app.manufacturer, "Volkswagen AG");
	ck_assert_str_eq(app.label, "VW PKI Card");

	/* AODF: two PINs, then zero padding to the end of the file. The
	 * second ("Signature PIN", reference 82) is not well formed as the
	 * corpus holds it: its outer SEQUENCE says 58 bytes, its parts take
	 * 60 (openssl asn1parse stops there too). It is skipped; the first
	 * stays. */
	ck_assert_uint_eq(app.n_pins, 1);
	ck_assert_str_eq(app.pins[0].label, "Card PIN");
	ck_id(&app.pins[0].auth_id, "01");
	ck_id(&app.pins[0].unblock_id, "12");
	ck_assert_uint_eq(app.pins[0].fmt.ref, 0x01);
	ck_assert_uint_eq(app.pins[0].flags, EZ_P15_PIN_INITIALIZED | EZ_P15_PIN_NEEDS_PADDING);
	ck_assert_uint_eq(app.pins[0].type, 2); /* UTF-8 */
	ck_assert_uint_eq(app.pins[0].fmt.min_len, 6);
	ck_assert_uint_eq(app.pins[0].fmt.stored_len, 6);
	ck_assert_uint_eq(app.pins[0].fmt.pad_char, 0x00);
	/* The user PIN is the one the first key names; no PUK is described
	 * (the Card PIN's unblocking authId 12 names no object). */
	user = ez_p15_user_pin(&app);
	ck_assert_ptr_nonnull(user);
	ck_assert_str_eq(user->label, "Card PIN");
	ck_assert_ptr_null(ez_p15_so_pin(&app));

	/* PrKDF: seven RSA-2048 keys with their references and usages; the
	 * non-repudiation key wants one PIN per signature (userConsent 1) */
	ck_assert_uint_eq(app.n_prkeys, sizeof(keys) / sizeof(keys[0]));
	for (i = 0; i < app.n_prkeys; i++) {
		const struct ez_p15_prkey *k = &app.prkeys[i];
		ck_id(&k->id, keys[i].id);
		ck_assert_str_eq(k->label, keys[i].label);
		ck_assert_int_eq(k->type, EZ_P15_KEY_RSA);
		ck_assert_msg(k->usage == keys[i].usage, "key %s: usage 0x%x, want 0x%x", keys[i].id,
			      k->usage, keys[i].usage);
		ck_assert_uint_eq(k->key_ref, keys[i].ref);
		ck_id(&k->auth_id, keys[i].auth);
		ck_assert_uint_eq(k->modulus_bits, 2048);
		ck_assert_msg(k->user_consent == keys[i].consent, "key %s: userConsent %d", keys[i].id,
			      k->user_consent);
	}

	/* CDF and trusted CDF: every certificate read whole, five of them out
	 * of one file by index and length (the Path's own) */
	ck_assert_uint_eq(app.n_certs, 11);
	ck_cert(cert_by_id(&app, "11"), "4AF7", 2048);
	ck_cert(cert_by_id(&app, "33"), "4AF8", 2048);
	ck_cert(cert_by_id(&app, "61"), "4AF9", 2048);
	ck_cert(cert_by_id(&app, "62"), "499F", 2048);
	ck_cert(cert_by_id(&app, "63"), "492D", 2048);
	ck_cert(cert_by_id(&app, "64"), "4922", 2048);
	ck_cert(cert_by_id(&app, "65"), "47E0", 2048);
	ck_path(&cert_by_id(&app, "63")->path, "3F0050154574", 0x0BC8, 0x05E7);
	ck_assert_str_eq(cert_by_id(&app, "11")->label, "Digital Signature");
	ck_assert(!cert_by_id(&app, "11")->trusted);
	/* the trusted ones: iDs of 19 and 20 characters, no label */
	{
		static const char *const ca[][2] = {
			{"32323531313830333035363630353538313339", "4222"},
			{"34363831333532353935313133313637333735", "4227"},
			{"38313836373735373533343038363834383338", "4225"},
			{"2D31303337313437363538323637343032333039", "49D3"},
		};
		for (i = 0; i < 4; i++) {
			const struct ez_p15_cert *c = cert_by_id(&app, ca[i][0]);
			ck_cert(c, ca[i][1], 0);
			ck_assert(c->trusted);
			ck_assert_str_eq(c->label, "");
		}
	}
	ez_p15_app_free(&app);
}
END_TEST

void card_p15_opensc_tests(Suite *s)
{
	TCase *t = tcase_create("p15-opensc");

	tcase_add_test(t, aodf_entry_of_another_card);
	tcase_add_test(t, prkdf_entry_of_another_card);
	tcase_add_test(t, pukdf_entry_of_another_card);
	tcase_add_test(t, whole_card_of_another_issuer);
	suite_add_tcase(s, t);
}
