/*
 * fuzz-seeds.c: the seed corpora of the fuzz targets, made from virtual
 * cards (eimza-vcard init images):
 *
 *   fuzz-seeds OUTDIR IMAGE...
 *
 * For each image the sessions of sessions.h run against the card engine
 * in-process, and what the card answered is written in the targets' input
 * format (fuzz-input.h):
 *
 *   OUTDIR/card/NAME      the card layer's session (fuzz-card)
 *   OUTDIR/module/NAME    the whole module's session (fuzz-module)
 *   OUTDIR/p15/NAME-*     the files the card session read, one seed per
 *                         PKCS#15 file with its parser's mode byte, one
 *                         seed of the whole application (mode 9), and the
 *                         certificates and 2.x security data objects for
 *                         the DER reader (mode 8) (fuzz-p15)
 *   OUTDIR/onay/NAME.*    an eimza-onay login statement signed by the
 *                         card's first key, as DER, PEM and base64
 *                         (fuzz-onay)
 *
 * Each seed is checked before it is written: the session against the
 * virtual card must have made a signature, and the same session fed the
 * recorded answers must send exactly the commands it sent to the card and
 * use up every answer. A seed that strays from the real session would
 * leave the fuzzer at the door; this fails instead. Exit 0, or 1 with the
 * reason on stderr.
 */
#include "config.h"

#include "fuzz-input.h"
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h> /* before cms.h: it declares PEM_write_bio_CMS */
#include <openssl/cms.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <eimza/vcard.h>

#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"
#include "tools/onay/onay-cms.h"
#include "tools/onay/onay-statement.h"

#define MAX_FILES 64
#define MODE_DER 8
#define MODE_LOAD 9

struct file {
	uint16_t fid;
	uint8_t *data;
	size_t len;
};

/* The card engine behind a scripted connection, every answer recorded. */
struct recorder {
	vcard *card;
	struct fz_out out;
	uint16_t fid; /* the EF last selected */
	struct file files[MAX_FILES];
	size_t nfiles;
	struct fz_out sdo[MAX_FILES]; /* 2.x security data objects, one seed each */
	size_t nsdo;
};

static const char *outdir;

static void fail(const char *name, const char *what)
{
	fprintf(stderr, "fuzz-seeds: %s: %s\n", name, what);
	exit(1);
}

static struct file *file_of(struct recorder *r, uint16_t fid)
{
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].fid == fid)
			return &r->files[i];
	if (r->nfiles == MAX_FILES)
		return NULL;
	r->files[r->nfiles].fid = fid;
	return &r->files[r->nfiles++];
}

/* What the card session read: the EF of a SELECT (P1 02) and the data of
 * each READ BINARY at its offset; the 2.x objects GET DATA gave. */
static void observe(struct recorder *r, const uint8_t *cmd, size_t len, const uint8_t *rsp,
                    size_t n)
{
	uint16_t sw = n >= 2 ? (uint16_t)(rsp[n - 2] << 8 | rsp[n - 1]) : 0;
	size_t data = n >= 2 ? n - 2 : 0;

	if (len >= 7 && cmd[1] == 0xA4 && cmd[2] == 0x02 && cmd[4] == 2)
		r->fid = (uint16_t)(cmd[5] << 8 | cmd[6]);
	if (len >= 4 && cmd[1] == 0xB0 && (sw == 0x9000 || sw == 0x6282) && data) {
		size_t off = (size_t)(cmd[2] & 0x7F) << 8 | cmd[3];
		struct file *f = file_of(r, r->fid);
		if (f && off + data > f->len) {
			uint8_t *d = realloc(f->data, off + data);
			if (!d)
				abort();
			memset(d + f->len, 0, off + data - f->len);
			f->data = d;
			f->len = off + data;
		}
		if (f)
			memcpy(f->data + off, rsp, data);
	}
	if (len >= 2 && cmd[1] == 0xCB && sw == 0x9000 && data && r->nsdo < MAX_FILES) {
		uint8_t mode = MODE_DER;
		struct fz_out *o = &r->sdo[r->nsdo++];
		/* The mode byte, then the object as it came (the DER mode reads it raw). */
		fz_put_raw(o, &mode, 1);
		fz_put_raw(o, rsp, data);
	}
}

static void record(void *arg, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct recorder *r = arg;
	size_t n = vcard_transmit(r->card, cmd, len, rsp, *rsp_len);

	*rsp_len = n;
	fz_put_chunk(&r->out, rsp, n);
	observe(r, cmd, len, rsp, n);
}

static void plain(void *arg, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	*rsp_len = vcard_transmit(arg, cmd, len, rsp, *rsp_len);
}

static vcard *load(const char *image)
{
	char err[256];
	vcard *card = NULL;

	if (vcard_load(image, &card, err, sizeof(err)) != 0)
		fail(image, err);
	vcard_power_on(card);
	return card;
}

static void recorder_free(struct recorder *r)
{
	fz_out_free(&r->out);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].data);
	for (size_t i = 0; i < r->nsdo; i++)
		fz_out_free(&r->sdo[i]);
	vcard_free(r->card);
	memset(r, 0, sizeof(*r));
}

/* A scripted connection to the engine, recording; its ATR is the first
 * chunk. */
static ez_conn *open_recorded(struct recorder *r, const char *image)
{
	uint8_t atr[VCARD_MAX_ATR];
	size_t n;
	ez_conn *c;

	r->card = load(image);
	n = vcard_atr(r->card, atr, sizeof(atr));
	c = ez_replay_open(atr, n);
	if (!c)
		fail(image, "the card's ATR does not fit a connection");
	fz_put_chunk(&r->out, atr, n);
	ez_replay_set_responder(c, record, r);
	return c;
}

/* Trace lines of the same command. A signature's data (PSO, INS 2A) may
 * differ in its bytes: PSS encoded on the host (AKIS 1.2) has a random
 * salt. Its header (CLA INS P1 P2 Lc) may not. */
static bool same_command(const char *a, const char *b)
{
	if (strncmp(a, "> ", 2) == 0 && strlen(a) > 16 && strncmp(a + 5, "2A", 2) == 0)
		return strlen(a) == strlen(b) && strncmp(a, b, 16) == 0;
	return strcmp(a, b) == 0;
}

/* The recorded answers, fed to the same session, must lead it along the
 * same commands and be used up. */
static void check_replay(const char *name, const ez_conn *real, const struct fz_out *seed,
                         bool module)
{
	struct fz_in in = {seed->data, seed->len};
	ez_conn *c = fz_card(&in);
	size_t i, n = ez_replay_trace_len(real);

	if (!c)
		fail(name, "the seed has no ATR");
	if (!(module ? fz_module_session(c) : fz_card_session(c)))
		fail(name, module ? "the module session fed the seed made no signature"
		                  : "the card session fed the seed made no signature");
	if (ez_replay_trace_len(c) != n)
		fail(name, "the session fed the seed sent another number of commands");
	for (i = 0; i < n; i++)
		if (!same_command(ez_replay_trace_line(c, i), ez_replay_trace_line(real, i))) {
			for (size_t j = i > 6 ? i - 6 : 0; j < i; j++)
				fprintf(stderr, "  %.100s\n", ez_replay_trace_line(real, j));
			fprintf(stderr, "fuzz-seeds: %s: exchange %zu: '%s', the card had '%s'\n",
			        name, i, ez_replay_trace_line(c, i), ez_replay_trace_line(real, i));
			fail(name, module
			               ? "the module session fed the seed strayed from the card's"
			               : "the card session fed the seed strayed from the card's");
		}
	if (in.n != 0)
		fail(name, "the session fed the seed left answers unused");
	ez_replay_close(c);
}

static void write_seed(const char *sub, const char *name, const struct fz_out *o)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", outdir, sub);
	mkdir(dir, 0755);
	if (fz_out_write(o, dir, name) < 0)
		fail(name, "cannot write the seed");
}

/* ---- p15: the files the card session read --------------------------------- */

struct odf_map {
	uint16_t fid[16];
	unsigned tag[16];
	size_t n;
};

static ez_err odf_entry(void *arg, unsigned tag, const struct ez_p15_path *path)
{
	struct odf_map *m = arg;

	if (m->n < 16) {
		m->fid[m->n] =
		    (uint16_t)(path->value[path->len - 2] << 8 | path->value[path->len - 1]);
		m->tag[m->n++] = tag;
	}
	return EZ_OK;
}

static int mode_of(const struct odf_map *m, uint16_t fid)
{
	if (fid == EZ_P15_EF_DIR)
		return 0;
	if (fid == EZ_P15_EF_ODF)
		return 1;
	if (fid == EZ_P15_EF_TOKENINFO)
		return 2;
	for (size_t i = 0; i < m->n; i++)
		if (m->fid[i] == fid)
			switch (m->tag[i]) {
			case 0xA8:
				return 3;
			case 0xA0:
				return 4;
			case 0xA1:
			case 0xA2:
				return 5;
			case 0xA4:
			case 0xA5:
			case 0xA6:
				return 6;
			default:
				return -1;
			}
	return MODE_DER; /* certificates and other files: DER */
}

struct served {
	struct recorder *r;
	struct fz_out out;
};

/* ez_p15_io.read for the whole-application seed: the recorded file of the
 * path's last FID, written down in the order the loader asks. */
static ez_err serve(void *arg, const uint8_t *path, size_t path_len, size_t index, size_t len,
                    size_t max, bool der_object, uint8_t **out, size_t *out_len)
{
	struct served *s = arg;
	uint16_t fid = (uint16_t)(path[path_len - 2] << 8 | path[path_len - 1]);
	struct file *f = NULL;

	(void)index;
	(void)len;
	(void)der_object;
	for (size_t i = 0; i < s->r->nfiles; i++)
		if (s->r->files[i].fid == fid)
			f = &s->r->files[i];
	if (!f)
		return EZ_ERR_NOT_FOUND;
	*out_len = f->len < max ? f->len : max;
	*out = malloc(*out_len ? *out_len : 1);
	if (!*out)
		return EZ_ERR_NO_MEMORY;
	memcpy(*out, f->data, *out_len);
	fz_put_chunk(&s->out, f->data, *out_len);
	return EZ_OK;
}

static void p15_seeds(const char *name, struct recorder *r)
{
	struct odf_map m = {0};
	char file[512];
	size_t written = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].fid == EZ_P15_EF_ODF)
			ez_p15_parse_odf(r->files[i].data, r->files[i].len, odf_entry, &m);
	for (size_t i = 0; i < r->nfiles; i++) {
		struct fz_out o = {0};
		int mode = mode_of(&m, r->files[i].fid);
		uint8_t m8 = (uint8_t)mode;
		if (mode < 0 || !r->files[i].len)
			continue;
		fz_put_raw(&o, &m8, 1); /* the mode byte, then the file as it is */
		fz_put_raw(&o, r->files[i].data, r->files[i].len);
		snprintf(file, sizeof(file), "%s-%04X", name, r->files[i].fid);
		write_seed("p15", file, &o);
		fz_out_free(&o);
		written++;
	}
	for (size_t i = 0; i < r->nsdo; i++) {
		snprintf(file, sizeof(file), "%s-sdo%02zu", name, i);
		write_seed("p15", file, &r->sdo[i]);
		written++;
	}
	if (m.n) {
		struct served s = {r, {0}};
		struct ez_p15_io io = {serve, &s};
		struct ez_p15_app app = {0};
		uint8_t mode = MODE_LOAD;
		fz_put_raw(&s.out, &mode, 1);
		if (ez_p15_load(&io, &app) != EZ_OK || app.n_certs == 0 || app.n_prkeys == 0)
			fail(name, "the card's PKCS#15 files do not load as an application");
		ez_p15_app_free(&app);
		snprintf(file, sizeof(file), "%s-load", name);
		write_seed("p15", file, &s.out);
		fz_out_free(&s.out);
	}
	if (!written)
		fail(name, "the card session read no file");
}

/* ---- onay: a statement signed by the card ---------------------------------------- */

struct signer {
	ez_card *card;
	const struct ez_p15_prkey *key;
	const struct ez_p15_pin *pin;
};

static int card_sign(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *len)
{
	static const uint8_t prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	                                 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	struct signer *s = ctx;
	uint8_t in[sizeof(prefix) + 32], out[1024];
	size_t olen = sizeof(out);
	int tries;

	if (s->pin && ez_card_verify(s->card, &s->pin->fmt, (const uint8_t *)FZ_PIN, strlen(FZ_PIN),
	                             &tries) != EZ_OK)
		return 1;
	if (s->key->type == EZ_P15_KEY_RSA) {
		memcpy(in, prefix, sizeof(prefix));
		memcpy(in + sizeof(prefix), digest, 32);
		if (ez_card_sign(s->card, s->key->key_ref, EZ_SIG_PKCS1, EZ_HASH_NONE, in,
		                 sizeof(in), out, &olen) != EZ_OK ||
		    olen > *len)
			return 1;
		memcpy(sig, out, olen);
		*len = olen;
		return 0;
	}
	if (ez_card_sign(s->card, s->key->key_ref, EZ_SIG_ECDSA, EZ_HASH_SHA256, digest, 32, out,
	                 &olen) != EZ_OK ||
	    olen % 2)
		return 1;
	{
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *der = NULL;
		int n;
		if (!es || !ECDSA_SIG_set0(es, BN_bin2bn(out, (int)olen / 2, NULL),
		                           BN_bin2bn(out + olen / 2, (int)olen / 2, NULL))) {
			ECDSA_SIG_free(es);
			return 1;
		}
		n = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		if (n <= 0 || (size_t)n > *len) {
			OPENSSL_free(der);
			return 1;
		}
		memcpy(sig, der, (size_t)n);
		*len = (size_t)n;
		OPENSSL_free(der);
	}
	return 0;
}

static void write_bytes(const char *name, const char *ext, const void *data, size_t len)
{
	struct fz_out o = {(uint8_t *)data, len, len};
	char file[512];

	snprintf(file, sizeof(file), "%s.%s", name, ext);
	write_seed("onay", file, &o);
}

static void onay_seeds(const char *name, const char *image)
{
	vcard *v = load(image);
	uint8_t atr[VCARD_MAX_ATR];
	ez_conn *conn = ez_replay_open(atr, vcard_atr(v, atr, sizeof(atr)));
	struct onay_statement st;
	struct ez_p15_app app;
	struct signer s = {0};
	unsigned char *content = NULL, *der = NULL;
	size_t clen = 0, dlen = 0;
	time_t now = time(NULL);
	char err[256];

	ez_replay_set_responder(conn, plain, v);
	if (ez_card_open(conn, &s.card, NULL) != EZ_OK || ez_card_load(s.card, &app) != EZ_OK)
		fail(name, "the card does not load");
	s.pin = ez_p15_user_pin(&app);
	for (size_t i = 0; i < app.n_prkeys && !s.key; i++)
		for (size_t j = 0; j < app.n_certs; j++)
			if (app.certs[j].der && app.certs[j].id.len == app.prkeys[i].id.len &&
			    memcmp(app.certs[j].id.value, app.prkeys[i].id.value,
			           app.prkeys[i].id.len) == 0) {
				s.key = &app.prkeys[i];
				if (onay_statement_init(&st, ONAY_LOGIN, NULL, "123456789012345",
				                        now) != ONAY_OK ||
				    onay_statement_encode(&st, &content, &clen) < 0 ||
				    onay_cms_sign(content, clen, app.certs[j].der,
				                  app.certs[j].der_len, now, card_sign, &s, &der,
				                  &dlen, err, sizeof(err)) != 0)
					fail(name, "the card did not sign a statement");
				break;
			}
	if (!der)
		fail(name, "no key with a certificate on the card");
	write_bytes(name, "der", der, dlen);
	{
		const unsigned char *p = der;
		CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)dlen);
		BIO *b = BIO_new(BIO_s_mem());
		char *pem;
		long n;
		if (!cms || !b || !PEM_write_bio_CMS(b, cms))
			fail(name, "the signed statement does not write as PEM");
		n = BIO_get_mem_data(b, &pem);
		write_bytes(name, "pem", pem, (size_t)n);
		BIO_free(b);
		CMS_ContentInfo_free(cms);
	}
	{
		unsigned char *b64 = malloc(4 * ((dlen + 2) / 3) + 1);
		int n = b64 ? EVP_EncodeBlock(b64, der, (int)dlen) : -1;
		if (n < 0)
			fail(name, "no memory");
		write_bytes(name, "b64", b64, (size_t)n);
		free(b64);
	}
	free(content);
	free(der);
	ez_p15_app_free(&app);
	ez_card_free(s.card);
	ez_replay_close(conn);
	vcard_free(v);
}

/* ---- one image -------------------------------------------------------------------- */

static void seeds_of(const char *image)
{
	const char *base = strrchr(image, '/');
	char name[256];
	struct recorder r = {0};
	ez_conn *c;
	char *dot;

	snprintf(name, sizeof(name), "%s", base ? base + 1 : image);
	if ((dot = strrchr(name, '.')))
		*dot = '\0';

	c = open_recorded(&r, image);
	if (!fz_card_session(c))
		fail(name, "the card session against the virtual card made no signature");
	check_replay(name, c, &r.out, false);
	write_seed("card", name, &r.out);
	p15_seeds(name, &r);
	ez_replay_close(c);
	recorder_free(&r);

	c = open_recorded(&r, image);
	if (!fz_module_session(c))
		fail(name, "the module session against the virtual card made no signature");
	check_replay(name, c, &r.out, true);
	write_seed("module", name, &r.out);
	ez_replay_close(c);
	recorder_free(&r);

	onay_seeds(name, image);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: fuzz-seeds OUTDIR IMAGE...\n");
		return 2;
	}
	setenv("EIMZA_CONF", "/dev/null", 1);
	setenv("EIMZA_CACHE", "0", 1); /* the seeds are cold starts (fuzz-module reads every card) */
	outdir = argv[1];
	mkdir(outdir, 0755);
	for (int i = 2; i < argc; i++)
		seeds_of(argv[i]);
	return 0;
}
