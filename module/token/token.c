/*
 * token.c: open a token from a card (read once per insertion), its PIN
 * formats and counters, and the login state shared by its sessions.
 */
#include "config.h"

#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <eimza/hex.h>
#include <eimza/secmem.h>

#include "objects.h"

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

static void fmt_from(struct ez_pin_format *f, const struct ez_p15_pin *p, uint8_t def_ref,
		     unsigned def_min, unsigned def_max)
{
	if (p) {
		*f = p->fmt;
		if (!f->max_len)
			f->max_len = def_max;
		return;
	}
	memset(f, 0, sizeof(*f));
	f->ref = def_ref;
	f->min_len = def_min;
	f->max_len = def_max;
	f->stored_len = def_max;
	f->numeric = akis_profile.pins_numeric;
	f->pad_char = 0xFF;
}

static void names(struct ez_token *t)
{
	const uint8_t *serial = ez_card_serial(t->card);
	char hex[2 * AKIS_DATA_SERIAL_LEN + 1], model[64];
	const char *m = ez_card_model(t->card);
	char *paren;

	ez_hex_encode(serial, AKIS_DATA_SERIAL_LEN, hex);
	/* CK_TOKEN_INFO has 16 characters: the last 16 of the 24 hex digits. */
	pad_utf8(t->serial, 16, hex + sizeof(hex) - 1 - 16);
	snprintf(model, sizeof(model), "%s", m);
	paren = strchr(model, '(');
	if (paren && paren > model)
		paren[-1] = '\0'; /* "AKIS v1.2.2 (Infineon)" -> "AKIS v1.2.2" */
	pad_utf8(t->model, 16, model);
	pad_utf8(t->manufacturer, 32,
		 t->app.manufacturer[0] ? t->app.manufacturer : "TUBITAK BILGEM");
	if (t->app.label[0]) {
		pad_utf8(t->label, 32, t->app.label);
	} else {
		char l[64];
		snprintf(l, sizeof(l), "AKIS %s", hex + sizeof(hex) - 1 - 8);
		pad_utf8(t->label, 32, l);
	}
}

static void read_counters(struct ez_token *t)
{
	enum ez_pin_state st;
	int tries;

	t->user_tries = t->so_tries = -1;
	/* VERIFY without data only reads the state: no try is counted. */
	if (t->has_user && ez_card_pin_state(t->card, t->user_fmt.ref, &st, &tries) == EZ_OK &&
	    st != EZ_PIN_UNKNOWN)
		t->user_tries = st == EZ_PIN_VERIFIED ? (int)akis_profile.pin_max_tries : tries;
	if (t->has_so && ez_card_pin_state(t->card, t->so_fmt.ref, &st, &tries) == EZ_OK &&
	    st != EZ_PIN_UNKNOWN)
		t->so_tries = st == EZ_PIN_VERIFIED ? (int)akis_profile.puk_max_tries : tries;
}

ez_err ez_token_open(ez_conn *conn, CK_OBJECT_HANDLE *next_handle, struct ez_token **out)
{
	static unsigned long generation;
	struct ez_token *t = calloc(1, sizeof(*t));
	const struct ez_p15_pin *up, *sp;
	ez_err e;

	*out = NULL;
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
	e = ez_card_open(conn, &t->card);
	if (e == EZ_OK)
		e = ez_p15_load(t->card, &t->app);
	if (e == EZ_OK) {
		up = ez_p15_user_pin(&t->app);
		sp = ez_p15_so_pin(&t->app);
		t->has_user = up != NULL || t->app.n_prkeys > 0;
		t->has_so = sp != NULL;
		fmt_from(&t->user_fmt, up, akis_profile.pin_ref, akis_profile.pin_min_len,
			 akis_profile.pin_max_len);
		fmt_from(&t->so_fmt, sp, akis_profile.puk_ref, akis_profile.puk_min_len,
			 akis_profile.puk_max_len);
		names(t);
		read_counters(t);
		e = ez_objects_build(t, next_handle);
	}
	ez_conn_end(conn);
	if (e != EZ_OK) {
		t->conn = NULL; /* the caller keeps the connection on failure */
		ez_token_free(t);
		return e;
	}
	t->pinpad = ez_conn_has_pinpad(conn);
	t->generation = ++generation;
	*out = t;
	return EZ_OK;
}

void ez_token_forget_login(struct ez_token *t)
{
	t->login = EZ_NOT_LOGGED;
	if (t->so_secret) {
		ez_wipe(t->so_secret, t->so_secret_len);
		munlock(t->so_secret, t->so_secret_len);
		free(t->so_secret);
		t->so_secret = NULL;
		t->so_secret_len = 0;
	}
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
		read_counters(t);
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
	if (t->user_tries >= 0 && (unsigned)t->user_tries < akis_profile.pin_max_tries)
		f |= CKF_USER_PIN_COUNT_LOW;
	if (t->so_tries == 0)
		f |= CKF_SO_PIN_LOCKED;
	else if (t->so_tries == 1)
		f |= CKF_SO_PIN_FINAL_TRY;
	if (t->so_tries >= 0 && (unsigned)t->so_tries < akis_profile.puk_max_tries)
		f |= CKF_SO_PIN_COUNT_LOW;
	return f;
}
