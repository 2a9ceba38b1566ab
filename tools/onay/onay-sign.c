/*
 * onay-sign.c: `eimza-onay login | approve`, the signing half.
 *
 * Everything that can be checked without the card is checked before the
 * module is loaded (code, T.C. Kimlik No, text, window), the user sees the
 * exact statement, the certificate and the time left before the PIN is
 * asked, and the window is checked again after the PIN: a signature made
 * after the code expired would only be refused by the portal.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "eimza/atomic-file.h"
#include "eimza/hex.h"
#include "eimza/secmem.h"
#include "eimza/tckn.h"
#include "tools/common/tool-trust.h"
#include "tools/common/tool.h"
#include "tools/onay/onay-cms.h"
#include "tools/onay/onay-verify.h"
#include "tools/onay/onay.h"

/* What the picker knows about one certificate on the card. */
struct cand {
	struct ez_token_cert *c;
	bool qualified; /* keyUsage nonRepudiation */
};

/* true for an end-entity certificate; *qualified: keyUsage nonRepudiation */
static bool cert_flags(const struct ez_token_cert *c, bool *qualified)
{
	const unsigned char *p = c->der;
	X509 *x = d2i_X509(NULL, &p, (long)c->der_len);
	*qualified = false;
	if (!x)
		return false;
	bool ca = X509_check_ca(x) != 0;
	*qualified = (X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	             (X509_get_key_usage(x) & KU_NON_REPUDIATION);
	X509_free(x);
	return !ca;
}

static void id_hex(const struct ez_token_cert *c, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < c->id_len && n + 3 <= cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%02x", c->id[i]);
}

static void describe(FILE *f, const struct ez_token_cert *c)
{
	char until[EZ_TIME_TEXT], id[130], holder[512];
	ez_format_local_time(c->info.not_after, until, sizeof until);
	id_hex(c, id, sizeof id);
	ez_cert_holder(&c->info, holder, sizeof holder);
	fprintf(f, _("%s, %s %d, valid until %s (label \"%s\", id %s)"), holder,
	        c->info.key_type, c->info.key_bits, until, c->label, id);
}

/* Ask which of n candidates to use, on the terminal. -1 when there is no
 * terminal or the answer is not a number in range. */
static int ask_choice(size_t n)
{
	FILE *tty = fopen("/dev/tty", "r+");
	char line[32];
	if (!tty)
		return -1;
	fprintf(tty, _("Which certificate [1-%zu]? "), n);
	fflush(tty);
	int ret = -1;
	if (fgets(line, sizeof line, tty)) {
		char *end;
		long v = strtol(line, &end, 10);
		if (end != line && (*end == '\n' || *end == 0) && v >= 1 && (size_t)v <= n)
			ret = (int)v - 1;
	}
	fclose(tty);
	return ret;
}

/* Pick the certificate: --cert, --tckn, qualified ones, then the user. */
static int pick(const struct onay_opts *o, struct ez_token_cert *certs, size_t n,
                struct ez_token_cert **out)
{
	struct cand *cs = calloc(n ? n : 1, sizeof *cs);
	size_t k = 0, tckn_others = 0;
	int ret = EZ_EXIT_OK;
	if (!cs)
		return EZ_EXIT_FAILURE;
	for (size_t i = 0; i < n; i++) {
		bool q, end_entity;
		if (!certs[i].parsed)
			continue;
		end_entity = cert_flags(&certs[i], &q);
		if (o->cert) {
			/* named by the user: taken even when it is a CA certificate */
			char id[130];
			id_hex(&certs[i], id, sizeof id);
			if (strcmp(certs[i].label, o->cert) != 0 && strcasecmp(id, o->cert) != 0)
				continue;
		} else if (!q || !end_entity) {
			continue; /* only qualified signature certificates unless named */
		}
		if (o->tckn && strcmp(certs[i].info.tckn, o->tckn) != 0) {
			tckn_others++;
			continue;
		}
		cs[k].c = &certs[i];
		cs[k++].qualified = q;
	}
	if (k == 0) {
		if (tckn_others)
			fprintf(stderr,
			        _("%s: no certificate on the card belongs to T.C. Kimlik No %s; "
			          "nothing was signed\n"),
			        ONAY_PROG, o->tckn);
		else if (o->cert)
			fprintf(stderr, _("%s: no certificate with label or id \"%s\" on the card\n"),
			        ONAY_PROG, ez_arg_shown(o->cert));
		else
			fprintf(stderr, "%s: %s\n", ONAY_PROG,
			        _("the card holds no qualified signature certificate (keyUsage "
			          "nonRepudiation); name one with --cert"));
		ret = tckn_others ? ONAY_EXIT_TCKN : EZ_EXIT_NO_CARD;
		goto out;
	}
	size_t choice = 0;
	if (k > 1) {
		fprintf(stderr, "%s\n", _("The card holds several certificates that can sign:"));
		for (size_t i = 0; i < k; i++) {
			fprintf(stderr, "  %zu) ", i + 1);
			describe(stderr, cs[i].c);
			fputc('\n', stderr);
		}
		int a = ask_choice(k);
		if (a < 0) {
			fprintf(stderr, "%s: %s\n", ONAY_PROG,
			        _("no certificate chosen; give --cert LABEL|ID or --tckn N"));
			ret = EZ_EXIT_USAGE;
			goto out;
		}
		choice = (size_t)a;
	}
	*out = cs[choice].c;
out:
	free(cs);
	return ret;
}

#define CHAIN_MAX 4

/* The issuing CAs above the signer's certificate that eimza knows (CA
 * certificates on the card, and the Kamu SM issuing CAs it ships), up to the
 * root and without it: they go into the signature, so a verifier needs only
 * the root. DER copies in chain[] (the caller frees them); their count. */
static size_t known_chain(const struct ez_token_cert *signer, const struct ez_token_cert *certs,
                          size_t n, struct onay_der chain[CHAIN_MAX])
{
	STACK_OF(X509) *cand = sk_X509_new_null();
	const unsigned char *p = signer->der;
	X509 *x = d2i_X509(NULL, &p, (long)signer->der_len);
	size_t k = 0;

	if (!cand || !x || ez_kamusm_load(NULL, cand) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		p = certs[i].der;
		X509 *y = d2i_X509(NULL, &p, (long)certs[i].der_len);
		if (y && X509_check_ca(y) && sk_X509_push(cand, y))
			continue;
		X509_free(y);
	}
	for (X509 *at = x; k < CHAIN_MAX;) {
		X509 *ca = ez_issuer_in(at, cand);
		unsigned char *d = NULL;
		int dl;
		if (!ca || X509_check_issued(ca, ca) == X509_V_OK)
			break; /* unknown, or the root: the verifier has that one */
		if ((dl = i2d_X509(ca, &d)) <= 0)
			break;
		chain[k++] = (struct onay_der){d, (size_t)dl};
		at = ca;
	}
out:
	X509_free(x);
	sk_X509_pop_free(cand, X509_free);
	return k;
}

struct sign_ctx {
	struct ez_module *m;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	const CK_TOKEN_INFO *ti;
	const struct ez_token_cert *c;
	const char *pin;
};

static int card_sign(void *vctx, const unsigned char dig[32], unsigned char *sig, size_t *len)
{
	struct sign_ctx *x = vctx;
	CK_RV rv = ez_sign_digest(x->m, x->s, x->ti, x->c, x->pin, dig, sig, len);
	if (rv == CKR_OK)
		return 0;
	CK_TOKEN_INFO ti;
	CK_FLAGS fl = x->m->f->C_GetTokenInfo(x->slot, &ti) == CKR_OK ? ti.flags : 0;
	char msg[256];
	if (rv == CKR_KEY_HANDLE_INVALID)
		snprintf(msg, sizeof msg, "%s", _("the certificate's private key was not found on the card"));
	else
		ez_rv_message(rv, fl, EZ_PIN, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", ONAY_PROG, msg);
	if (rv == CKR_PIN_INCORRECT && ez_secret_locked(fl, EZ_PIN))
		return EZ_EXIT_BLOCKED;
	return rv == CKR_KEY_HANDLE_INVALID ? EZ_EXIT_NO_CARD : ez_rv_exit(rv);
}

static long left(const struct onay_opts *o, time_t created)
{
	return (long)difftime(created + o->window, time(NULL));
}

static int window_closed(long l)
{
	fprintf(stderr,
	        _("%s: the verification code's window closed %ld s ago; nothing was signed. "
	          "Get a new code from the page and try again.\n"),
	        ONAY_PROG, -l);
	return ONAY_EXIT_WINDOW;
}

/* --output, or KIND-CODE.p7s in the current folder. */
static const char *output_path(const struct onay_opts *o, const struct onay_statement *st,
                               char def[64])
{
	if (o->output)
		return o->output;
	snprintf(def, 64, "%s-%s.p7s", onay_kind_name(st->kind), st->code);
	return def;
}

static int write_out(const struct onay_opts *o, const struct onay_statement *st,
                     const unsigned char *der, size_t len, FILE *ui)
{
	char def[64], shown[4096];
	const char *path = output_path(o, st, def);
	if (ez_atomic_write(path, der, len, 0644) < 0) {
		fprintf(stderr, _("%s: cannot write %s: %m\n"), ONAY_PROG, ez_arg_shown(path));
		return EZ_EXIT_FAILURE;
	}
	fprintf(ui, _("The signature was written to %s.\n"),
	        ez_terminal_text(shown, sizeof shown, path, strlen(path)));
	if (o->base64) {
		char *b = malloc(4 * ((len + 2) / 3) + 1);
		if (!b)
			return EZ_EXIT_FAILURE;
		EVP_EncodeBlock((unsigned char *)b, der, (int)len);
		printf("%s\n", b);
		free(b);
	}
	return EZ_EXIT_OK;
}

static int sign_with(struct ez_module *m, CK_SLOT_ID slot, const struct onay_opts *o,
                     const struct onay_statement *st, FILE *ui)
{
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	struct ez_token_cert *certs = NULL, *c = NULL;
	size_t n = 0;
	char pin[EZ_SECRET_MAX + 2] = "", msg[256], when[EZ_TIME_TEXT], until[EZ_TIME_TEXT];
	unsigned char *content = NULL, *der = NULL;
	size_t clen = 0, dlen = 0, nchain = 0;
	struct onay_der chain[CHAIN_MAX];
	int ret;

	CK_RV rv = m->f->C_GetTokenInfo(slot, &ti);
	if (rv == CKR_OK)
		rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		ez_rv_message(rv, 0, EZ_PIN, msg, sizeof msg);
		fprintf(stderr, "%s: %s\n", ONAY_PROG, msg);
		return ez_rv_exit(rv);
	}
	rv = ez_token_certs(m, s, &certs, &n);
	if (rv != CKR_OK) {
		ez_rv_message(rv, 0, EZ_PIN, msg, sizeof msg);
		fprintf(stderr, "%s: %s\n", ONAY_PROG, msg);
		ret = ez_rv_exit(rv);
		goto out;
	}
	if ((ret = pick(o, certs, n, &c)) != EZ_EXIT_OK)
		goto out;
	nchain = known_chain(c, certs, n, chain);
	long dl;
	enum ez_expiry e = ez_expiry_classify(c->info.not_before, c->info.not_after, time(NULL), &dl);
	if (e == EZ_EXPIRY_EXPIRED || e == EZ_EXPIRY_NOT_YET) {
		ez_format_local_time(e == EZ_EXPIRY_EXPIRED ? c->info.not_after : c->info.not_before,
		                     until, sizeof until);
		fprintf(stderr,
		        e == EZ_EXPIRY_EXPIRED
		            ? _("%s: the certificate expired on %s; a signature with it is not valid. "
		                "Apply to your certificate provider for a new one.\n")
		            : _("%s: the certificate is not valid yet (until %s it cannot sign)\n"),
		        ONAY_PROG, until);
		ret = ONAY_EXIT_CERT;
		goto out;
	}

	/* what the user agrees to, before the PIN (the statement itself says
	 * the time in UTC; the user reads it in local time) */
	ez_format_local_time(st->created, when, sizeof when);
	fprintf(ui, _("Text to sign:        %s\n"), st->text);
	fprintf(ui, _("Verification code:   %s\n"), st->code);
	fprintf(ui, "%s", _("Certificate:         "));
	describe(ui, c);
	fputc('\n', ui);
	fprintf(ui, _("Issuer:              %s\n"), c->info.issuer_cn);
	fprintf(ui, _("Created:             %s\n"), when);
	long l = left(o, st->created);
	if (l < 0) {
		ret = window_closed(l);
		goto out;
	}
	fprintf(ui, _("Time left:           %ld s\n"), l);
	fflush(ui);

	ret = ez_login_keep(m, s, slot, CKU_USER, o->pin_src, ONAY_PROG, pin, sizeof pin);
	if (ret != EZ_EXIT_OK)
		goto out;
	if ((l = left(o, st->created)) < 0) {
		ret = window_closed(l);
		goto logout;
	}
	if (onay_statement_encode(st, &content, &clen) < 0) {
		ret = EZ_EXIT_FAILURE;
		goto logout;
	}
	struct sign_ctx x = {m, s, slot, &ti, c, pin};
	char err[256] = ""; /* stays empty when the card's failure was printed already */
	ret = onay_cms_sign_chain(content, clen, c->der, c->der_len, chain, nchain, time(NULL),
	                          card_sign, &x, &der, &dlen, err, sizeof err);
	ez_wipe(pin, sizeof pin);
	if (ret == EZ_EXIT_FAILURE && err[0])
		fprintf(stderr, "%s: %s\n", ONAY_PROG, err);
	if (ret == EZ_EXIT_OK)
		ret = write_out(o, st, der, dlen, ui);
logout:
	ez_wipe(pin, sizeof pin);
	m->f->C_Logout(s);
out:
	for (size_t i = 0; i < nchain; i++)
		OPENSSL_free((void *)chain[i].der);
	free(content);
	free(der);
	ez_token_certs_free(certs, n);
	m->f->C_CloseSession(s);
	return ret;
}

int onay_cmd_sign(const struct onay_opts *o)
{
	struct onay_statement st;
	enum onay_kind kind = o->kind;
	const char *text = o->text;

	/* a --text that is one of the fixed texts is that kind of statement */
	if (text)
		for (int k = ONAY_LOGIN; k < ONAY_TEXT; k++)
			if (strcmp(text, onay_kind_text((enum onay_kind)k)) == 0)
				kind = (enum onay_kind)k, text = NULL;
	if (text)
		kind = ONAY_TEXT;
	enum onay_problem p = onay_statement_init(&st, kind, text, o->code,
	                                          o->created_set ? o->created : time(NULL));
	if (p != ONAY_OK) {
		fprintf(stderr, _("%s: %s; nothing was signed\n"), ONAY_PROG, onay_problem_text(p));
		return EZ_EXIT_USAGE;
	}
	long l = left(o, st.created);
	if (l < 0)
		return window_closed(l);
	/* the file must be writable before the card signs: a signature that
	 * cannot be saved has spent the code and a PIN entry for nothing */
	char def[64];
	const char *path = output_path(o, &st, def);
	if (ez_atomic_writable(path) < 0) {
		fprintf(stderr, _("%s: cannot write %s: %m; nothing was signed\n"), ONAY_PROG,
		        ez_arg_shown(path));
		return EZ_EXIT_USAGE;
	}

	FILE *ui = o->base64 ? stderr : stdout;
	struct ez_module m;
	char err[512];
	int ret = ez_module_load(o->module, &m, err, sizeof err);
	if (ret != EZ_EXIT_OK) {
		fprintf(stderr, "%s: %s\n", ONAY_PROG, err);
		return ret;
	}
	CK_SLOT_ID slot;
	ret = ez_token_pick(&m, o->slot, o->token, &slot, err, sizeof err);
	if (ret != EZ_EXIT_OK)
		fprintf(stderr, "%s: %s\n", ONAY_PROG, err);
	else
		ret = sign_with(&m, slot, o, &st, ui);
	ez_module_unload(&m);
	return ret;
}
