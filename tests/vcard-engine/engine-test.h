/*
 * engine-test.h: what the engine's tests share: APDUs in hex, test keys,
 * cards of each generation built through the engine's own calls, and
 * signature checks with OpenSSL.
 */
#ifndef EIMZA_ENGINE_TEST_H
#define EIMZA_ENGINE_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <eimza/vcard.h>

/* Generated once per test program by keys_init(). */
extern EVP_PKEY *rsa2048, *rsa3072, *ec256, *ec384;
void keys_init(void);
void keys_free(void);

/* Send hex (spaces allowed); the status word; response data into out
 * (cap VCARD_MAX_RESPONSE) when given. */
unsigned tx(vcard *c, const char *hex, uint8_t *out, size_t *outlen);
/* The same, following 61 XX with GET RESPONSE: all data into out (cap
 * 2048). */
unsigned tx_all(vcard *c, const char *hex, uint8_t *out, size_t *outlen);
/* Data and status word as one hex string ("BF8101...9000"), for exact
 * comparisons. */
const char *tx_hex(vcard *c, const char *hex);

/* A command as hex: the header (hex), Lc and `data` as ASCII bytes, and
 * Le when le >= 0 (256 as 00). The result stays valid for the next three
 * calls. */
const char *apdu_ascii(const char *hdr, const char *data, int le);

/* AKIS 1.2: PUK 82 "12345678" (4-16 digits), PIN 81 "123456" (4-8 digits,
 * unblocked by 82), 3 tries each; key 01 RSA-2048 with a VERIFY per
 * signature, key 03 RSA-3072; DF 3D00 named by the PKCS#15 AID holding
 * EF 5031 "hello" and an empty EF 4444; then the user life cycle.
 * Powered on. */
vcard *card12(void);
/* AKIS 2.x with `atr_hex` (NULL: the default 2.5.2): PIN BF 81 01
 * "123456" (6-8 digits, unblocked by the PUK), PUK BF 81 02 "12345678"
 * (8-16 digits), 3 tries each; key 1 RSA-2048 "NES" (9E = 01), key 3
 * RSA-3072 "SIGN"; when the ATR has EC: key 5 EC P-256 "AUTH", key 6 EC
 * P-384 "SEAL" (9E = 01); EF 2F10 of 300 bytes (i & FF), 2F11 "hello",
 * 2F12 empty; serial 01..08, second serial 11..18. Powered on, in the MF. */
vcard *card2(const char *atr_hex);
/* A 2.x card in the PKCS-15 DF with the PIN verified. */
void enter_app(vcard *c);
void verify_pin2(vcard *c);

/* Signature checks: 1 when the signature verifies. */
int rsa_recovers(EVP_PKEY *k, const uint8_t *sig, size_t n, const uint8_t *in, size_t inlen,
                 int pad);
int rsa_pss_ok(EVP_PKEY *k, const char *md, const uint8_t *sig, size_t n, const uint8_t *hash,
               size_t hl);
int ecdsa_rs_ok(EVP_PKEY *k, const uint8_t *rs, size_t n, const uint8_t *hash, size_t hl);

/* A temporary file name (unique per call); the file is removed. */
void temp_path(char *out, size_t cap);

#endif
