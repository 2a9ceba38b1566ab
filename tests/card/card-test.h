/*
 * card-test.h: helpers for the card side's unit tests. The card layer runs
 * against the scripted transport (module/transport/replay.h): every APDU
 * it sends is compared with the one the evidence says it must send, and
 * answered as the evidence says the card answers.
 */
#ifndef EIMZA_CARD_TEST_H
#define EIMZA_CARD_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "module/transport/replay.h"

/* A scratch folder for this run, made and removed by main(). */
const char *card_test_dir(void);

/* Hex text to bytes (blanks allowed); aborts the test on bad hex. */
size_t unhex(const char *s, uint8_t *out, size_t cap);
/* Bytes to upper-case hex without blanks; malloc'ed. */
char *tohex(const uint8_t *b, size_t n);

/* A key pair and a certificate for it, as a card would hold them. */
struct test_key {
	EVP_PKEY *pk;
	X509 *x;
	uint8_t *der;
	size_t der_len;
	bool ec;
	unsigned bits;
};
/* RSA of `bits`, or EC (bits 256 or 384); a certificate with CN `cn`
 * (keyUsage nonRepudiation when `nonrep`, else digitalSignature). Keys are
 * made once per process and shared by name. */
const struct test_key *test_key(const char *name, bool ec, unsigned bits, const char *cn,
				bool nonrep);

/* Queue an expected command and its answer: `data` and the status word.
 * Answers longer than 256 bytes come as the card sends them, 61 XX and
 * GET RESPONSE steps. */
void expect_data(ez_conn *c, const char *cmd_hex, const uint8_t *data, size_t len, uint16_t sw);
#define expect(c, cmd, rsp) ez_replay_expect((c), (cmd), (rsp))
/* Every expected command was sent, and nothing else. */
#define ck_script_done(c)                                                                    \
	do {                                                                                 \
		ck_assert_msg(ez_replay_error(c) == NULL, "%s", ez_replay_error(c));         \
		ck_assert_msg(ez_replay_pending(c) == 0, "%zu expected commands not sent",   \
			      ez_replay_pending(c));                                         \
	} while (0)

/* Signature checks with OpenSSL against the certificate's key. */
bool verify_pkcs1(const struct test_key *k, const uint8_t *digest_info, size_t dlen,
		  const uint8_t *sig, size_t slen);
bool verify_ecdsa_rs(const struct test_key *k, const uint8_t *hash, size_t hlen,
		     const uint8_t *sig, size_t slen);

/* Scripts of a card's answers, shared by the dialect tests and the cache
 * tests. AKIS 2.x (test-card-v2.c): */
struct v2_key {
	const struct test_key *k;
	uint8_t id;
	bool nonrep;
	const char *name;
};

struct v2_card {
	const struct test_key *certs[4]; /* in 2F10, 2F11, ... */
	size_t ncerts;
	struct v2_key keys[4];
	size_t nkeys;
	bool pub_protected;
	int pin_tries, puk_tries;
	size_t ef_size; /* what each certificate EF's FCI says; 0: the certificate's length */
};
/* GET DATA of the serial 11 22 .. 88, as ez_card_open sends it. */
void v2_script_open(ez_conn *c);
/* Everything ez_card_load sends to `card` and its answers. */
void v2_script_load(ez_conn *c, const struct v2_card *card);
/* SELECT 2F1i with its FCI (`ef_size`, 0: the certificate's length), as the
 * load and ez_card_revalidate send it. */
void v2_script_select_cert(ez_conn *c, unsigned i, const struct test_key *k, size_t ef_size);
/* AKIS 1.2 (test-card-v1.c): GET DATA 06 with the serial 51 .. 58, and
 * the PKCS#15 application with one RSA key (userConsent when `consent`),
 * its certificate rsa-a in 2F10 and the counters (3 tries each). */
void v1_script_open(ez_conn *c);
void v1_script_load(ez_conn *c, bool consent);

void card_apdu_tests(Suite *s);
void card_token_objects_tests(Suite *s);
void card_pkcs15_tests(Suite *s);
void card_atr_tests(Suite *s);
void card_v2_tests(Suite *s);
void card_v1_tests(Suite *s);
void card_p15_opensc_tests(Suite *s);
void card_cache_tests(Suite *s);
void card_pad_tests(Suite *s);

#endif
