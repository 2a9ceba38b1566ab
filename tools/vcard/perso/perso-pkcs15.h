/*
 * perso-pkcs15.h: the PKCS#15 files of a personalized card, in DER.
 *
 * Exactly the encodings of docs/pkcs15-layout.md (IMPLICIT tags; file ids,
 * the AID and PIN parameters from akis_profile). Pure functions over
 * plain data, so tests can check them without a card. Each writes into a
 * der_buf the caller initialized; der_buf_finish() says if memory ran out.
 */
#ifndef EIMZA_PERSO_PKCS15_H
#define EIMZA_PERSO_PKCS15_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eimza/akis-profile.h>
#include <eimza/der.h>

/* File ids the writer chooses (the module follows the ODF, never these). */
#define P15_FID_AODF 0x4401
#define P15_FID_PRKDF 0x4402
#define P15_FID_PUKDF 0x4403
#define P15_FID_CDF 0x4404
#define P15_FID_CERT_BASE 0x4301   /* key i's certificate: 4301 + i */
#define P15_FID_PUBKEY_BASE 0x4501 /* key i's SubjectPublicKeyInfo: 4501 + i */

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
void p15_tokeninfo(der_buf *b, const uint8_t serial[AKIS_DATA_SERIAL_LEN], const char *label);
void p15_aodf(der_buf *b);
void p15_prkdf(der_buf *b, const struct p15_key *keys, size_t n);
void p15_pukdf(der_buf *b, const struct p15_key *keys, size_t n);
void p15_cdf(der_buf *b, const struct p15_key *keys, size_t n);

/* The path 3F00 <app DF> [fid] as the bytes of a PKCS#15 Path's OCTET
 * STRING; fid 0 for the DF itself. Returns the length (4 or 6). */
size_t p15_path(uint8_t out[6], uint16_t fid);

#endif
