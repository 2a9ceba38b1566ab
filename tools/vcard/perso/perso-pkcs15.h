/*
 * perso-pkcs15.h: the PKCS#15 files of a personalized AKIS 1.2 card, in
 * DER (AKIS 2.x cards have no PKCS#15 directory files: evidence fact 12).
 *
 * Exactly the encodings of docs/pkcs15-layout.md (IMPLICIT tags). Pure
 * functions over plain data, so tests can check them without a card. Each
 * writes into a der_buf the caller initialized; der_buf_finish() says if
 * memory ran out.
 */
#ifndef EIMZA_PERSO_PKCS15_H
#define EIMZA_PERSO_PKCS15_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eimza/der.h>
#include <eimza/vcard.h>

/* The 1.2 layout. EF(DIR) and the PKCS#15 AID are the standard ones; the
 * application DF 3D00 and PrKDF 2F01, PuKDF 2F02, CDF 2F04 are AkisCIF's
 * constants (fact 12; 1.x tests use DF 3D00); ODF and TokenInfo are
 * PKCS#15's defaults. The AODF, certificate and public-key file ids are
 * our choice (a module follows the ODF, never these). */
#define P15_FID_EF_DIR 0x2F00
#define P15_FID_APP_DF 0x3D00
#define P15_FID_ODF 0x5031
#define P15_FID_TOKENINFO 0x5032
#define P15_FID_PRKDF 0x2F01
#define P15_FID_PUKDF 0x2F02
#define P15_FID_CDF 0x2F04
#define P15_FID_AODF 0x2F08
#define P15_FID_CERT_BASE 0x4301   /* key i's certificate: 4301 + i */
#define P15_FID_PUBKEY_BASE 0x4501 /* key i's SubjectPublicKeyInfo: 4501 + i */
#define P15_AID_LEN 12
extern const uint8_t p15_aid[P15_AID_LEN]; /* A0 00 00 00 63 "PKCS-15" */

/* VERIFY references of the PIN and the PUK. */
#define P15_PIN_REF 0x81
#define P15_PUK_REF 0x82

/* AODF authIds. */
#define P15_AUTH_ID_PIN 0x01
#define P15_AUTH_ID_PUK 0x02

/* KeyUsageFlags bits. */
#define P15_USAGE_SIGN (1u << 2)
#define P15_USAGE_VERIFY (1u << 6)
#define P15_USAGE_NON_REPUDIATION (1u << 9)

/* One key with its certificate and public-key file. */
struct p15_key {
	const char *label;
	uint8_t id[20];
	bool ec;
	unsigned bits;         /* RSA modulus length (EC: unused) */
	const char *curve_oid; /* EC named curve, dotted */
	uint32_t usage;        /* KeyUsageFlags of the private key */
	bool user_consent;
	uint8_t key_ref; /* MSE C3 key reference */
	uint16_t cert_fid, pubkey_fid;
	const uint8_t *subject; /* DER Name of the certificate's subject */
	size_t subject_len;
};

void p15_ef_dir(der_buf *b, const char *label);
void p15_odf(der_buf *b);
/* The PIN and PUK length policies the AODF states. */
struct p15_pin_lengths {
	unsigned pin_min, pin_max, puk_min, puk_max;
};

void p15_tokeninfo(der_buf *b, const uint8_t serial[VCARD_SERIAL_LEN], const char *label);
void p15_aodf(der_buf *b, const struct p15_pin_lengths *l);
void p15_prkdf(der_buf *b, const struct p15_key *keys, size_t n);
void p15_pukdf(der_buf *b, const struct p15_key *keys, size_t n);
void p15_cdf(der_buf *b, const struct p15_key *keys, size_t n);

/* The path 3F00 <app DF> [fid] as the bytes of a PKCS#15 Path's OCTET
 * STRING; fid 0 for the DF itself. Returns the length (4 or 6). */
size_t p15_path(uint8_t out[6], uint16_t fid);

#endif
