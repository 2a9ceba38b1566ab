/*
 * token.h: the token model. A token is the card in one slot as PKCS#11
 * sees it: its objects with their attributes (built once per insertion
 * from the PKCS#15 application and the certificates), its PIN formats and
 * cached counters, and the login state all sessions share.
 *
 * Knows PKCS#11 types, nothing of sessions or handles' lifetimes.
 */
#ifndef EIMZA_MODULE_TOKEN_H
#define EIMZA_MODULE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "../p11/pkcs11-types.h"
#include "../pkcs15/pkcs15.h"
#include "mech.h"

struct ez_attr {
	CK_ATTRIBUTE_TYPE type;
	void *val;
	CK_ULONG len;
	bool sensitive; /* exists, but its value never leaves the card */
};

struct ez_obj {
	CK_OBJECT_HANDLE handle;
	CK_OBJECT_CLASS cls;
	bool priv; /* CKA_PRIVATE: visible after login only */
	struct ez_attr *attrs;
	size_t nattrs;
	/* private and public keys */
	CK_KEY_TYPE key_type;
	unsigned bits;          /* modulus bits or curve bits */
	EVP_PKEY *pub;          /* public key, for software verify and PSS */
	uint8_t key_ref;        /* private key: the card's key reference */
	bool always_auth;       /* private key: userConsent */
};

/* Where a token's description came from (for logs and benchmarks). */
enum ez_token_source {
	EZ_SOURCE_CARD,      /* read in full; the cache is off or the card has no serial */
	EZ_SOURCE_CACHE,     /* the cache entry, checked against the card */
	EZ_SOURCE_CACHE_NEW, /* read in full (no usable entry), entry written */
	EZ_SOURCE_CACHE_OLD, /* read in full: the card no longer holds what its entry said;
	                        entry rewritten */
};

struct ez_token {
	ez_conn *conn;
	ez_card *card;
	struct ez_p15_app app;
	struct ez_obj *objs;
	size_t nobjs;

	struct ez_card_info info; /* family, model, version, dialect */
	struct ez_sign_caps caps; /* what the card can compute */
	char label[33], model[17], serial[17], manufacturer[33];
	struct ez_pin_format user_fmt, so_fmt;
	bool has_user, has_so;
	unsigned pinpad; /* the reader's keypad, as it says (EZ_PAD_*; 0: none) */
	int user_tries, so_tries; /* cached, -1 unknown */

	CK_USER_TYPE login;     /* CKU_USER, CKU_SO, or (CK_USER_TYPE)-1 when none */
	uint8_t *so_secret;     /* the PUK, kept locked only while logged in as SO and
	                           only on cards whose unblock command carries it
	                           (ez_card_unblock_needs_puk; see docs/module.md) */
	size_t so_secret_len;
	bool so_authorized;     /* the SO login's PUK may still unblock: cleared by the
	                           first C_InitPIN, which spends it */
	unsigned long generation; /* distinguishes successive tokens in one slot */
	enum ez_token_source source;
	/* The user's C_Login as the consent for one always-authenticate
	 * signature: the card's APDU count right after that login's VERIFY. */
	bool login_consent;
	unsigned long login_apdus;
};

#define EZ_NOT_LOGGED ((CK_USER_TYPE)-1)

/* The most objects one token has: a token's object handles are
 * first_handle .. first_handle + EZ_TOKEN_MAX_HANDLES - 1. */
#define EZ_TOKEN_MAX_HANDLES 4096

/* Read the card in `conn` and build the token. Takes ownership of conn on
 * success. Its objects get handles from `first_handle` on (a range no
 * other token uses; a card with more objects than the range is refused as
 * malformed). `info` (may be NULL) gets what the card is, also when it is
 * not read (a card of no known family: EZ_ERR_NOT_AKIS). Several tokens
 * may be opened at once in different threads. With the cache on
 * (ez_token_cache_setting, EIMZA_CACHE) a card with a serial number whose
 * entry the card still matches is not read again (module/cache/cache.h,
 * docs/module.md); the objects, their handles and attributes are the same
 * either way. */
ez_err ez_token_open(ez_conn *conn, CK_OBJECT_HANDLE first_handle, struct ez_token **out,
		     struct ez_card_info *info);
void ez_token_free(struct ez_token *t);

/* The configuration file's `cache = yes|no`: 1, 0, or -1 when it says
 * nothing (on). EIMZA_CACHE=0|1 in the environment overrides it. */
void ez_token_cache_setting(int on);

/* Objects and attributes. */
struct ez_obj *ez_token_object(struct ez_token *t, CK_OBJECT_HANDLE h);
const struct ez_attr *ez_obj_attr(const struct ez_obj *o, CK_ATTRIBUTE_TYPE type);
/* Does the object match every attribute of the template? */
bool ez_obj_match(const struct ez_obj *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n);

/* Forget the login (LOGOUT sent by the caller, or the card was reset). */
void ez_token_forget_login(struct ez_token *t);

/* A user login succeeded: its VERIFY is the last command the card had. */
void ez_token_note_user_login(struct ez_token *t);
/* May a signature with an always-authenticate key use the user login's
 * VERIFY as its consent? Once per login, and only while no other command
 * went to the card since that VERIFY (for the card, the PIN was then typed
 * for exactly this signature). Spends it. */
bool ez_token_take_login_consent(struct ez_token *t);

/* The token's connection is lost (ez_conn_lost: an exchange broke, also
 * when pcscd never saw the card go): reconnect and check that the card in
 * the reader is still this token's card (serial). EZ_OK: the same card;
 * the token stays, its login forgotten (never replayed: the card was
 * reset), its PIN counters read again. EZ_ERR_CARD_CHANGED: another card,
 * the caller drops the token. Other errors: no card answers yet; the
 * connection stays lost and the caller tries again later. Slot lock held. */
ez_err ez_token_recover(struct ez_token *t);

/* Token flags from the PIN counters. */
CK_FLAGS ez_token_pin_flags(const struct ez_token *t);

/* Can this token sign with mechanism `m` at all: a key of the mechanism's
 * type is on the card and the card computes what the mechanism needs. */
bool ez_token_mech_usable(const struct ez_token *t, const struct ez_mech *m);
/* The card part of it alone: does the card compute what `m` needs. */
bool ez_token_card_can(const struct ez_token *t, const struct ez_mech *m);
/* PSS parameters the card can honour (a card that computes PSS itself
 * uses salt = hash length and MGF1 with the same hash). */
bool ez_token_pss_params_ok(const struct ez_token *t, const CK_RSA_PKCS_PSS_PARAMS *p);

#endif
