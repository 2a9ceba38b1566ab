/*
 * pkcs15.h: the PKCS#15 (ISO/IEC 7816-15) reader. Parses what the card
 * holds (docs/pkcs15-layout.md) into plain structs for the token layer.
 *
 * Two halves: pure parsers over bytes (ez_p15_parse_*), which unit tests
 * and fuzzers drive, and ez_p15_load(), which follows the ODF of an
 * application through a file-reading callback and reads every file once.
 * Every byte is untrusted: malformed input gives EZ_ERR_MALFORMED (or the
 * object is skipped, see below), never a crash or an overread.
 *
 * The structs are also the card layer's way of describing what any card
 * holds: a card without PKCS#15 files (AKIS 2.x) is described in the same
 * terms by its dialect (module/card/).
 */
#ifndef EIMZA_MODULE_PKCS15_H
#define EIMZA_MODULE_PKCS15_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../card/card.h"
#include "../ez-error.h"

#define EZ_P15_LABEL_MAX 128   /* UTF-8 bytes, NUL-terminated */
#define EZ_P15_ID_MAX 64
#define EZ_P15_PATH_MAX 16
#define EZ_P15_OID_MAX 32      /* DER contents of an OID */

struct ez_p15_path {
	uint8_t value[EZ_P15_PATH_MAX];
	size_t len;
	size_t index;   /* 0 when absent */
	size_t length;  /* 0 when absent: to the end */
};

struct ez_p15_id {
	uint8_t value[EZ_P15_ID_MAX];
	size_t len;
};

/* KeyUsageFlags bits. */
#define EZ_P15_USAGE_ENCRYPT (1u << 0)
#define EZ_P15_USAGE_DECRYPT (1u << 1)
#define EZ_P15_USAGE_SIGN (1u << 2)
#define EZ_P15_USAGE_SIGN_RECOVER (1u << 3)
#define EZ_P15_USAGE_WRAP (1u << 4)
#define EZ_P15_USAGE_UNWRAP (1u << 5)
#define EZ_P15_USAGE_VERIFY (1u << 6)
#define EZ_P15_USAGE_VERIFY_RECOVER (1u << 7)
#define EZ_P15_USAGE_DERIVE (1u << 8)
#define EZ_P15_USAGE_NON_REPUDIATION (1u << 9)

/* pinFlags bits. */
#define EZ_P15_PIN_CASE_SENSITIVE (1u << 0)
#define EZ_P15_PIN_LOCAL (1u << 1)
#define EZ_P15_PIN_CHANGE_DISABLED (1u << 2)
#define EZ_P15_PIN_UNBLOCK_DISABLED (1u << 3)
#define EZ_P15_PIN_INITIALIZED (1u << 4)
#define EZ_P15_PIN_NEEDS_PADDING (1u << 5)
#define EZ_P15_PIN_UNBLOCKING (1u << 6)
#define EZ_P15_PIN_SO (1u << 7)

struct ez_p15_pin {
	char label[EZ_P15_LABEL_MAX];
	struct ez_p15_id auth_id;      /* this object's authId */
	struct ez_p15_id unblock_id;   /* CommonObjectAttributes.authId: who unblocks it (len 0: none) */
	uint32_t flags;                /* EZ_P15_PIN_* */
	unsigned type;                 /* 0 bcd, 1 ascii-numeric, 2 utf8, ... */
	struct ez_pin_format fmt;      /* ref, lengths, padding, numeric, retry limit */
	int tries_left;                /* as the card said while it was read; -1 unknown */
};

enum ez_p15_key_type { EZ_P15_KEY_RSA, EZ_P15_KEY_EC };

struct ez_p15_prkey {
	char label[EZ_P15_LABEL_MAX];
	struct ez_p15_id id;
	struct ez_p15_id auth_id;
	enum ez_p15_key_type type;
	uint32_t usage;                /* EZ_P15_USAGE_* */
	uint32_t access_flags;
	bool user_consent;             /* CommonObjectAttributes.userConsent present and > 0 */
	uint8_t key_ref;               /* keyReference, or the path's last byte */
	struct ez_p15_path path;
	unsigned modulus_bits;         /* RSA; 0 when unknown */
	uint8_t curve_oid[EZ_P15_OID_MAX]; /* EC namedCurve contents; len 0 when absent */
	size_t curve_oid_len;
	uint8_t *subject;              /* DER Name, malloc'ed, or NULL */
	size_t subject_len;
};

struct ez_p15_pubkey {
	char label[EZ_P15_LABEL_MAX];
	struct ez_p15_id id;
	enum ez_p15_key_type type;
	uint32_t usage;
	struct ez_p15_path path;
	unsigned modulus_bits;
	uint8_t *spki;                 /* DER SubjectPublicKeyInfo (a bare RSAPublicKey is
	                                  converted), malloc'ed, filled by ez_p15_load */
	size_t spki_len;
};

struct ez_p15_cert {
	char label[EZ_P15_LABEL_MAX];
	struct ez_p15_id id;
	bool authority;                /* a CA certificate */
	bool trusted;                  /* from trustedCertificates (A5) */
	struct ez_p15_path path;
	uint8_t *der;                  /* the certificate, trimmed to its outer SEQUENCE,
	                                  malloc'ed, filled by ez_p15_load */
	size_t der_len;
};

/* The PKCS#15 application identifier (ISO/IEC 7816-15; RID A000000063). */
#define EZ_P15_AID_BYTES 0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35
#define EZ_P15_AID_LEN 12
/* Files of a PKCS#15 application (ISO/IEC 7816-15 / PKCS#15 v1.1). */
#define EZ_P15_EF_DIR 0x2F00
#define EZ_P15_EF_ODF 0x5031
#define EZ_P15_EF_TOKENINFO 0x5032

struct ez_p15_app {
	/* EF(DIR) */
	char app_label[EZ_P15_LABEL_MAX];
	struct ez_p15_path app_path;   /* the application DF (len 0: selected by name) */
	uint8_t app_aid[EZ_P15_ID_MAX]; /* its DF name from EF(DIR) (len 0: none given) */
	size_t app_aid_len;
	/* TokenInfo */
	unsigned version;
	uint8_t serial[64];
	size_t serial_len;
	char manufacturer[EZ_P15_LABEL_MAX];
	char label[EZ_P15_LABEL_MAX];
	uint32_t token_flags;          /* bit 0 readonly, 1 loginRequired, ... */
	/* Objects */
	struct ez_p15_pin *pins;
	size_t n_pins;
	struct ez_p15_prkey *prkeys;
	size_t n_prkeys;
	struct ez_p15_pubkey *pubkeys;
	size_t n_pubkeys;
	struct ez_p15_cert *certs;
	size_t n_certs;
};

/* How ez_p15_load reads a file: `path` is absolute when it starts with
 * 3F00, else relative to the application DF (which the reader knows how to
 * select); index/len as a PKCS#15 Path gives them (len 0: to the end); at
 * most `max` bytes; with `der_object` the read stops at the end of the
 * first DER object. *out is malloc'ed. EZ_ERR_NOT_FOUND for a missing file. */
struct ez_p15_io {
	ez_err (*read)(void *arg, const uint8_t *path, size_t path_len, size_t index, size_t len,
		       size_t max, bool der_object, uint8_t **out, size_t *out_len);
	void *arg;
};

/* Read the application the card layer has located (app->app_path or
 * app_aid set by it): ODF, TokenInfo, every directory file the ODF names
 * but the public-key directories, every certificate (up to its DER
 * length); then, only when a private key has no certificate with its iD,
 * the public-key directories and the public-key files of keys without a
 * certificate (a key's public key is otherwise its certificate's, and
 * app->pubkeys stays empty). Each file is read once. A
 * malformed object inside a directory file is skipped so one bad entry
 * does not hide the rest; a malformed ODF or TokenInfo fails the load with
 * EZ_ERR_MALFORMED. */
ez_err ez_p15_load(const struct ez_p15_io *io, struct ez_p15_app *app);
void ez_p15_app_free(struct ez_p15_app *app);

/* Pure parsers, for tests and fuzzing. Each appends to `app`. EF(DIR):
 * the PKCS#15 application's path, DF name and label; EZ_ERR_NOT_FOUND
 * when EF(DIR) names no PKCS#15 application. */
ez_err ez_p15_parse_dir(struct ez_p15_app *app, const uint8_t *buf, size_t len);
/* ODF: callback per entry (tag A0..A8 and path). */
typedef ez_err (*ez_p15_odf_fn)(void *arg, unsigned tag, const struct ez_p15_path *path);
ez_err ez_p15_parse_odf(const uint8_t *buf, size_t len, ez_p15_odf_fn fn, void *arg);
ez_err ez_p15_parse_tokeninfo(struct ez_p15_app *app, const uint8_t *buf, size_t len);
ez_err ez_p15_parse_aodf(struct ez_p15_app *app, const uint8_t *buf, size_t len);
ez_err ez_p15_parse_prkdf(struct ez_p15_app *app, const uint8_t *buf, size_t len);
ez_err ez_p15_parse_pukdf(struct ez_p15_app *app, const uint8_t *buf, size_t len);
ez_err ez_p15_parse_cdf(struct ez_p15_app *app, const uint8_t *buf, size_t len, bool trusted);

/* The user PIN and the SO PIN (PUK) by the rules of docs/pkcs15-layout.md;
 * NULL when absent. */
const struct ez_p15_pin *ez_p15_user_pin(const struct ez_p15_app *app);
const struct ez_p15_pin *ez_p15_so_pin(const struct ez_p15_app *app);

#endif
