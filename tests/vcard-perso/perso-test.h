/*
 * perso-test.h: what the tests of `eimza-vcard init` share: running the
 * command in-process, and parsing the PKCS#15 directory files a
 * personalization of a 1.2 card wrote against docs/pkcs15-layout.md
 * (Check assertions inside).
 */
#ifndef EIMZA_PERSO_TEST_H
#define EIMZA_PERSO_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* vcard_perso_main("init", image, the arguments up to a NULL). */
int perso_run_init(const char *image, ...);

/* One key as the PrKDF, PuKDF and CDF describe it. */
struct key_seen {
	uint8_t id[20];
	bool ec, user_consent;
	unsigned long key_ref, bits;
	uint32_t usage;
	uint16_t cert_fid, pubkey_fid;
	X509 *cert;
	EVP_PKEY *pub;
};

/* Parse the PrKDF into k[0..*n) (at most 8 entries). */
void parse_prkdf(const uint8_t *d, size_t len, struct key_seen *k, size_t *n);
/* Parse the PuKDF (cdf false) or CDF (cdf true): every entry's iD is one of
 * k's, and its Path gives that key's pubkey_fid or cert_fid. */
void parse_refs(const uint8_t *d, size_t len, struct key_seen *k, size_t n, bool cdf);

#endif
