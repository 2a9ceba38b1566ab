/*
 * pkcs15-load.c: read a PKCS#15 application, every file once: ODF ->
 * TokenInfo and the directory files -> certificate EFs -> only when a
 * private key has no certificate, the public-key directories and the
 * public-key EFs of keys no certificate describes. Finding the application (EF(DIR),
 * its DF) is the card layer's: it knows how its card selects files.
 */
#include "config.h"

#include "pkcs15.h"
#include "../ez-ossl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <eimza/der.h>

#define MAX_DF_FILE (16 * 1024)
#define MAX_CERT_FILE (8 * 1024)

struct odf_entry {
	unsigned tag;
	struct ez_p15_path path;
};

struct odf_list {
	struct odf_entry e[16];
	size_t n;
};

static ez_err collect(void *arg, unsigned tag, const struct ez_p15_path *path)
{
	struct odf_list *l = arg;

	if (l->n < sizeof(l->e) / sizeof(l->e[0])) {
		l->e[l->n].tag = tag;
		l->e[l->n].path = *path;
		l->n++;
	}
	return EZ_OK;
}

static ez_err read_path(const struct ez_p15_io *io, const struct ez_p15_path *p, size_t max,
			bool der_object, uint8_t **buf, size_t *len)
{
	return io->read(io->arg, p->value, p->len, p->index, p->length, max, der_object, buf, len);
}

static ez_err read_fid(const struct ez_p15_io *io, uint16_t fid, uint8_t **buf, size_t *len)
{
	struct ez_p15_path p = {.len = 2};

	p.value[0] = (uint8_t)(fid >> 8);
	p.value[1] = (uint8_t)fid;
	return read_path(io, &p, MAX_DF_FILE, false, buf, len);
}

/* The outer SEQUENCE of a DER object (a file may be padded after it). */
static size_t der_object_len(const uint8_t *buf, size_t len)
{
	der_reader r;
	der_tlv t;

	der_reader_init(&r, buf, len);
	if (der_next(&r, &t) < 0 || t.tag != DER_SEQUENCE)
		return 0;
	return t.rawlen;
}

/* A bare RSAPublicKey becomes a SubjectPublicKeyInfo. */
static ez_err to_spki(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
	EVP_PKEY *pk = ez_pubkey_from_der(buf, len);
	unsigned char *der = NULL;
	int n;

	if (!pk)
		return EZ_ERR_MALFORMED;
	n = i2d_PUBKEY(pk, &der);
	EVP_PKEY_free(pk);
	if (n <= 0)
		return EZ_ERR_MALFORMED;
	*out = malloc((size_t)n);
	if (!*out) {
		OPENSSL_free(der);
		return EZ_ERR_NO_MEMORY;
	}
	memcpy(*out, der, (size_t)n);
	*out_len = (size_t)n;
	OPENSSL_free(der);
	return EZ_OK;
}

static bool fatal(ez_err e)
{
	return e == EZ_ERR_NO_MEMORY || e == EZ_ERR_CARD_REMOVED || e == EZ_ERR_NO_CARD ||
	       e == EZ_ERR_NO_READER || e == EZ_ERR_NO_SERVICE || e == EZ_ERR_CARD_RESET ||
	       e == EZ_ERR_TRANSPORT || e == EZ_ERR_CARD_UNREADY;
}

static bool has_cert(const struct ez_p15_app *app, const struct ez_p15_id *id)
{
	size_t i;

	for (i = 0; i < app->n_certs; i++)
		if (app->certs[i].der && app->certs[i].id.len == id->len &&
		    memcmp(app->certs[i].id.value, id->value, id->len) == 0)
			return true;
	return false;
}

/* Every private key has a certificate with its iD: its public key comes
 * from there, and no public-key directory or file needs reading. */
static bool every_key_has_cert(const struct ez_p15_app *app)
{
	for (size_t i = 0; i < app->n_prkeys; i++)
		if (!has_cert(app, &app->prkeys[i].id))
			return false;
	return true;
}

/* Read and parse the directory files of the ODF with these tags. */
static ez_err read_directories(const struct ez_p15_io *io, struct ez_p15_app *app,
			       const struct odf_list *odf, bool pukdf)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	ez_err e;

	for (size_t i = 0; i < odf->n; i++) {
		unsigned tag = odf->e[i].tag;
		bool is_pukdf = tag == 0xA1 || tag == 0xA2;
		if (tag != 0xA0 && !is_pukdf && tag != 0xA4 && tag != 0xA5 && tag != 0xA6 &&
		    tag != 0xA8)
			continue; /* secret keys, data objects: not shown */
		if (is_pukdf != pukdf)
			continue;
		e = read_path(io, &odf->e[i].path, MAX_DF_FILE, false, &buf, &len);
		if (fatal(e))
			return e;
		if (e != EZ_OK)
			continue;
		switch (tag) {
		case 0xA0:
			e = ez_p15_parse_prkdf(app, buf, len);
			break;
		case 0xA1:
		case 0xA2:
			e = ez_p15_parse_pukdf(app, buf, len);
			break;
		case 0xA4:
		case 0xA5:
		case 0xA6:
			e = ez_p15_parse_cdf(app, buf, len, tag == 0xA5);
			break;
		case 0xA8:
			e = ez_p15_parse_aodf(app, buf, len);
			break;
		}
		free(buf);
		buf = NULL;
		if (e == EZ_ERR_NO_MEMORY)
			return e;
	}
	return EZ_OK;
}

static ez_err load(const struct ez_p15_io *io, struct ez_p15_app *app)
{
	struct odf_list odf = {0};
	uint8_t *buf = NULL;
	size_t len = 0, i;
	ez_err e;

	e = read_fid(io, EZ_P15_EF_ODF, &buf, &len);
	if (e != EZ_OK)
		return e;
	e = ez_p15_parse_odf(buf, len, collect, &odf);
	free(buf);
	buf = NULL;
	if (e != EZ_OK)
		return e;
	e = read_fid(io, EZ_P15_EF_TOKENINFO, &buf, &len);
	if (e != EZ_OK)
		return e;
	e = ez_p15_parse_tokeninfo(app, buf, len);
	free(buf);
	buf = NULL;
	if (e != EZ_OK)
		return e;

	/* The public-key directories last, and only when a key has no
	 * certificate: a key's public key is taken from its certificate. */
	e = read_directories(io, app, &odf, false);
	if (e != EZ_OK)
		return e;
	for (i = 0; i < app->n_certs; i++) {
		struct ez_p15_cert *c = &app->certs[i];
		size_t n;
		e = read_path(io, &c->path, MAX_CERT_FILE, true, &buf, &len);
		if (fatal(e))
			return e;
		if (e != EZ_OK)
			continue;
		n = der_object_len(buf, len);
		if (n) {
			c->der = buf;
			c->der_len = n;
		} else {
			free(buf);
		}
		buf = NULL;
	}
	if (every_key_has_cert(app))
		return EZ_OK;
	e = read_directories(io, app, &odf, true);
	if (e != EZ_OK)
		return e;
	for (i = 0; i < app->n_pubkeys; i++) {
		struct ez_p15_pubkey *k = &app->pubkeys[i];
		size_t n;
		/* The certificate carries the same key: its file is not read. */
		if (has_cert(app, &k->id))
			continue;
		e = read_path(io, &k->path, MAX_CERT_FILE, true, &buf, &len);
		if (fatal(e))
			return e;
		if (e != EZ_OK)
			continue;
		n = der_object_len(buf, len);
		if (n)
			e = to_spki(buf, n, &k->spki, &k->spki_len);
		free(buf);
		buf = NULL;
		if (e == EZ_ERR_NO_MEMORY)
			return e;
	}
	return EZ_OK;
}

ez_err ez_p15_load(const struct ez_p15_io *io, struct ez_p15_app *app)
{
	ez_err e;

	e = load(io, app);
	if (e != EZ_OK)
		ez_p15_app_free(app);
	return e;
}
