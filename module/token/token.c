/*
 * token.c: open a token from a card (read once per insertion), its PIN
 * formats and counters, and the login state shared by its sessions.
 */
#include "config.h"

#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>
#include <openssl/x509.h>

#include <eimza/hex.h>
#include <eimza/secmem.h>

#include "../cache/cache.h"
#include "objects.h"
#include "../ez-ossl.h"

/* Copy UTF-8 text into a blank-padded PKCS#11 field of `cap` bytes without
 * cutting a character in two. `out` has cap + 1 bytes (NUL for logs). */
static void pad_utf8(char *out, size_t cap, const char *in)
{
	size_t n = strlen(in);

	if (n > cap) {
		n = cap;
		while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80)
			n--;
	}
	memset(out, ' ', cap);
	memcpy(out, in, n);
	out[cap] = '\0';
}

/* The token's serial number (16 characters): the card's own serial, else
 * TokenInfo's, else a hash of the first certificate, so that a card that
 * does not tell its serial is still named the same at every insertion. */
static void serial_of(struct ez_token *t, char *out16)
{
	char hex[2 * 64 + 1];
	uint8_t h[EVP_MAX_MD_SIZE];
	size_t i;

	if (t->info.serial_len) {
		ez_hex_encode(t->info.serial, t->info.serial_len, hex);
	} else if (t->app.serial_len) {
		ez_hex_encode(t->app.serial, t->app.serial_len, hex);
	} else {
		for (i = 0; i < t->app.n_certs && !t->app.certs[i].der; i++)
			;
		if (i == t->app.n_certs ||
		    ez_hash("SHA256", t->app.certs[i].der, t->app.certs[i].der_len, h) < 0)
			memset(h, 0, sizeof(h));
		ez_hex_encode(h, 8, hex);
	}
	/* CK_TOKEN_INFO has 16 characters: the last 16 of a longer serial. */
	i = strlen(hex);
	pad_utf8(out16, 16, i > 16 ? hex + i - 16 : hex);
}

/* The holder's name from the first certificate with a private key. */
static bool holder_name(const struct ez_token *t, char *out, size_t cap)
{
	size_t i, j;

	for (i = 0; i < t->app.n_prkeys; i++)
		for (j = 0; j < t->app.n_certs; j++) {
			const struct ez_p15_cert *c = &t->app.certs[j];
			X509 *x;
			int k, n;
			unsigned char *utf8 = NULL;
			if (!c->der || c->id.len != t->app.prkeys[i].id.len ||
			    memcmp(c->id.value, t->app.prkeys[i].id.value, c->id.len) != 0)
				continue;
			x = ez_x509_from_der(c->der, c->der_len, NULL);
			k = x ? X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1)
			      : -1;
			n = k >= 0 ? ASN1_STRING_to_UTF8(
					     &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(
							    X509_get_subject_name(x), k)))
				   : -1;
			if (n > 0)
				snprintf(out, cap, "%.*s", n, (const char *)utf8);
			OPENSSL_free(utf8);
			X509_free(x);
			if (n > 0)
				return true;
		}
	return false;
}

static void names(struct ez_token *t)
{
	char model[64], label[EZ_P15_LABEL_MAX];
	char *paren;

	serial_of(t, t->serial);
	snprintf(model, sizeof(model), "%s", t->info.model);
	paren = strchr(model, '(');
	if (paren && paren > model)
		paren[-1] = '\0'; /* "AKIS 2.5.2 (NXP)" -> "AKIS 2.5.2" */
	pad_utf8(t->model, 16, model);
	pad_utf8(t->manufacturer, 32,
		 t->app.manufacturer[0] ? t->app.manufacturer : "TÜBİTAK BİLGEM");
	if (t->app.label[0]) {
		pad_utf8(t->label, 32, t->app.label);
	} else if (holder_name(t, label, sizeof(label))) {
		for (char *p = label; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7F)
				*p = '?';
		pad_utf8(t->label, 32, label);
	} else {
		snprintf(label, sizeof(label), "AKIS %.8s", t->serial + 8);
		pad_utf8(t->label, 32, label);
	}
}

/* The counters as the card said while it was read, else asked with a
 * command that costs no try. */
static int counter(struct ez_token *t, const struct ez_p15_pin *p)
{
	enum ez_pin_state st;
	int tries;

	if (!p)
		return -1;
	if (p->tries_left >= 0)
		return p->tries_left;
	if (ez_card_pin_state(t->card, &p->fmt, &st, &tries) != EZ_OK || st == EZ_PIN_UNKNOWN)
		return -1;
	return st == EZ_PIN_VERIFIED ? (int)p->fmt.max_tries : tries;
}

static void read_counters(struct ez_token *t, bool fresh)
{
	const struct ez_p15_pin *up = ez_p15_user_pin(&t->app), *sp = ez_p15_so_pin(&t->app);
	struct ez_p15_pin u, so;

	/* After a reconnect the counters read with the objects are old. */
	if (fresh) {
		if (up) {
			u = *up;
			u.tries_left = -1;
			up = &u;
		}
		if (sp) {
			so = *sp;
			so.tries_left = -1;
			sp = &so;
		}
	}
	t->user_tries = counter(t, up);
	t->so_tries = counter(t, sp);
}

void ez_token_cache_setting(int on)
{
	ez_cache_configure(on);
}

/*
 * The card's description: from the cache when the card still holds what
 * its entry says (ez_card_revalidate: a few APDUs, the PIN counters
 * included), else read in full and, when the card can be checked next
 * time, written to the cache. A card without a serial number is never
 * cached: nothing would tell it from another card.
 */
static ez_err describe(struct ez_token *t)
{
	struct ez_cache_key key = {0};
	bool cached = ez_cache_enabled() && t->info.serial_len > 0;
	ez_err e;

	t->source = EZ_SOURCE_CARD;
	if (cached) {
		key.atr_len = ez_conn_atr(t->conn, key.atr, sizeof(key.atr));
		memcpy(key.serial, t->info.serial, t->info.serial_len);
		key.serial_len = t->info.serial_len;
		t->source = EZ_SOURCE_CACHE_NEW;
		if (ez_cache_load(&key, &t->app) == EZ_OK) {
			e = ez_card_revalidate(t->card, &t->app);
			if (e == EZ_OK) {
				t->source = EZ_SOURCE_CACHE;
				return EZ_OK;
			}
			ez_p15_app_free(&t->app);
			if (e != EZ_ERR_CARD_CHANGED)
				return e; /* the card or the reader went away */
			t->source = EZ_SOURCE_CACHE_OLD;
		}
	}
	e = ez_card_load(t->card, &t->app);
	if (!cached)
		return e;
	if (e == EZ_OK && ez_card_checkable(&t->app))
		(void)ez_cache_store(&key, &t->app);
	else if (t->source == EZ_SOURCE_CACHE_OLD)
		ez_cache_forget(&key); /* an entry the card no longer matches */
	return e;
}

ez_err ez_token_open(ez_conn *conn, CK_OBJECT_HANDLE first_handle, struct ez_token **out,
		     struct ez_card_info *info)
{
	static _Atomic unsigned long generation;
	CK_OBJECT_HANDLE next_handle = first_handle;
	struct ez_token *t = calloc(1, sizeof(*t));
	const struct ez_p15_pin *up, *sp;
	ez_err e;

	*out = NULL;
	if (info)
		memset(info, 0, sizeof(*info));
	if (!t)
		return EZ_ERR_NO_MEMORY;
	t->conn = conn;
	t->login = EZ_NOT_LOGGED;
	e = ez_conn_begin(conn);
	if (e == EZ_ERR_CARD_RESET)
		e = ez_conn_begin(conn);
	if (e != EZ_OK) {
		free(t);
		return e;
	}
	e = ez_card_open(conn, &t->card, info);
	if (e == EZ_OK) {
		t->info = *ez_card_info(t->card);
		ez_card_sign_caps(t->card, &t->caps);
		e = describe(t);
	}
	if (e == EZ_OK) {
		up = ez_p15_user_pin(&t->app);
		sp = ez_p15_so_pin(&t->app);
		t->has_user = up != NULL;
		t->has_so = sp != NULL;
		if (up)
			t->user_fmt = up->fmt;
		if (sp)
			t->so_fmt = sp->fmt;
		names(t);
		read_counters(t, false);
		e = ez_objects_build(t, &next_handle);
	}
	if (e == EZ_OK && t->nobjs > EZ_TOKEN_MAX_HANDLES)
		e = EZ_ERR_MALFORMED;
	ez_conn_end(conn);
	if (e != EZ_OK) {
		t->conn = NULL; /* the caller keeps the connection on failure */
		ez_token_free(t);
		return e;
	}
	t->pinpad = ez_conn_pinpad(conn);
	t->generation = ++generation;
	*out = t;
	return EZ_OK;
}

static unsigned long card_apdus(const struct ez_token *t)
{
	struct ez_card_stats st;

	ez_card_stats(t->card, &st);
	return st.apdus;
}

void ez_token_note_user_login(struct ez_token *t)
{
	t->login_consent = true;
	t->login_apdus = card_apdus(t);
}

bool ez_token_take_login_consent(struct ez_token *t)
{
	bool ok = t->login_consent && t->login == CKU_USER && card_apdus(t) == t->login_apdus;

	t->login_consent = false;
	return ok;
}

void ez_token_forget_login(struct ez_token *t)
{
	t->login_consent = false;
	t->login = EZ_NOT_LOGGED;
	t->so_authorized = false;
	ez_secret_free(t->so_secret, t->so_secret_len);
	t->so_secret = NULL;
	t->so_secret_len = 0;
}

ez_err ez_token_recover(struct ez_token *t)
{
	ez_err e;

	ez_token_forget_login(t);
	e = ez_conn_recover(t->conn);
	if (e != EZ_OK)
		return e;
	e = ez_conn_begin(t->conn);
	if (e == EZ_ERR_CARD_RESET) /* another program reset it meanwhile */
		e = ez_conn_begin(t->conn);
	if (e != EZ_OK)
		return e;
	e = ez_card_same(t->card);
	if (e == EZ_OK)
		read_counters(t, true);
	ez_conn_end(t->conn);
	return e;
}

void ez_token_free(struct ez_token *t)
{
	if (!t)
		return;
	ez_token_forget_login(t);
	ez_objects_free(t);
	ez_p15_app_free(&t->app);
	ez_card_free(t->card);
	if (t->conn)
		ez_conn_close(t->conn);
	free(t);
}

CK_FLAGS ez_token_pin_flags(const struct ez_token *t)
{
	CK_FLAGS f = 0;

	if (t->user_tries == 0)
		f |= CKF_USER_PIN_LOCKED;
	else if (t->user_tries == 1)
		f |= CKF_USER_PIN_FINAL_TRY;
	if (t->user_tries >= 0 && (unsigned)t->user_tries < t->user_fmt.max_tries)
		f |= CKF_USER_PIN_COUNT_LOW;
	if (t->so_tries == 0)
		f |= CKF_SO_PIN_LOCKED;
	else if (t->so_tries == 1)
		f |= CKF_SO_PIN_FINAL_TRY;
	if (t->so_tries >= 0 && (unsigned)t->so_tries < t->so_fmt.max_tries)
		f |= CKF_SO_PIN_COUNT_LOW;
	return f;
}

bool ez_token_mech_usable(const struct ez_token *t, const struct ez_mech *m)
{
	size_t i;

	for (i = 0; i < t->nobjs; i++)
		if (t->objs[i].cls == CKO_PRIVATE_KEY && t->objs[i].key_type == m->key_type)
			return ez_token_card_can(t, m);
	return false;
}

bool ez_token_card_can(const struct ez_token *t, const struct ez_mech *m)
{
	const struct ez_sign_caps *c = &t->caps;

	switch (m->pad) {
	case EZ_PAD_PKCS1:
		return c->pkcs1; /* the host makes the DigestInfo of any hash */
	case EZ_PAD_PSS:
		if (c->raw_rsa)
			return true; /* encoded on the host */
		return m->hash_id == EZ_HASH_NONE ? c->pss_hashes != 0
						  : (c->pss_hashes & EZ_HASH_BIT(m->hash_id)) != 0;
	case EZ_PAD_ECDSA:
		if (!c->ecdsa)
			return false;
		return m->hash_id == EZ_HASH_NONE ||
		       (c->ecdsa_hashes & (EZ_HASH_BIT(m->hash_id) | EZ_HASH_BIT(EZ_HASH_NONE))) != 0;
	}
	return false;
}

bool ez_token_pss_params_ok(const struct ez_token *t, const CK_RSA_PKCS_PSS_PARAMS *p)
{
	enum ez_hash h = ez_mech_hash_of(p->hashAlg);

	if (t->caps.raw_rsa)
		return true;
	return h != EZ_HASH_NONE && (t->caps.pss_hashes & EZ_HASH_BIT(h)) &&
	       p->sLen == ez_hash_len(h) && ez_mech_mgf_hash(p->mgf) == h;
}
