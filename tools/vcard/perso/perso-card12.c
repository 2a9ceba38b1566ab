/*
 * perso-card12.c: write the PKCS#15 structure of an AKIS 1.2 card with
 * APDUs (see perso-card.h and docs/pkcs15-layout.md).
 *
 * CREATE takes the form the 1.0 driver documents (1.2 keeps its
 * proprietary class 80 instructions): CREATE EF 80 15 P1=structure
 * P2=access with the file id as data (a transparent EF grows as UPDATE
 * BINARY writes it), CREATE DF 80 10 00 P2 with the file id and the DF
 * name (AID) as data. Each file is selected explicitly before it is
 * written, so nothing depends on CREATE leaving it selected. Keys are
 * loaded with engine calls under key references from the profile; the
 * PrKDF names them.
 */
#include "config.h"

#include "perso-card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perso-i18n.h"
#include "perso-pkcs15.h"

#define APP_LABEL "AKIS e-imza"

/* The 1.2 instructions personalization uses (CLA 80 unless said). */
#define CLA_ISO 0x00
#define CLA_PROP 0x80
#define INS_SELECT 0xA4
#define INS_UPDATE_BINARY 0xD6
#define INS_CREATE_EF 0x15
#define INS_CREATE_DF 0x10
#define INS_SET_LIFE_CYCLE 0x09
#define SELECT_BY_FID 0x00
#define SELECT_EF 0x02
#define EF_TRANSPARENT 0x80
#define STAGE_USER 0x01
/* Access byte (the engine's encoding): read always, update never. */
#define ACCESS_PUBLIC 0x0F
/* UPDATE BINARY chunk: what the 1.0 driver kept data fields to. */
#define CHUNK 244

struct writer {
	vcard *c;
	char *err;
	size_t errlen;
};

static int fail(struct writer *w, const char *step, unsigned fid, unsigned sw)
{
	snprintf(w->err, w->errlen, _("personalization failed: %s %04X answered %02X %02X"), step,
	         fid, sw >> 8, sw & 0xFF);
	return -1;
}

/* Send a case 1 or 3 command: header and data. */
static unsigned send(struct writer *w, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
                     const uint8_t *data, size_t len)
{
	uint8_t cmd[5 + 255];

	cmd[0] = cla;
	cmd[1] = ins;
	cmd[2] = p1;
	cmd[3] = p2;
	if (!len)
		return perso_apdu(w->c, cmd, 4, NULL, NULL);
	cmd[4] = (uint8_t)len;
	memcpy(cmd + 5, data, len);
	return perso_apdu(w->c, cmd, 5 + len, NULL, NULL);
}

static int select_fid(struct writer *w, uint8_t p1, uint16_t fid)
{
	uint8_t f[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};
	unsigned sw = send(w, CLA_ISO, INS_SELECT, p1, 0x00, f, 2);

	/* Without Le the FCI waits (61 XX): success either way. */
	if (sw != 0x9000 && (sw >> 8) != 0x61)
		return fail(w, "SELECT", fid, sw);
	return 0;
}

static int create_df(struct writer *w, uint16_t fid, const uint8_t *aid, size_t aid_len)
{
	uint8_t d[2 + 16] = {(uint8_t)(fid >> 8), (uint8_t)fid};
	unsigned sw;

	if (aid_len > 16)
		return -1;
	memcpy(d + 2, aid, aid_len);
	sw = send(w, CLA_PROP, INS_CREATE_DF, 0x00, ACCESS_PUBLIC, d, 2 + aid_len);
	if (sw != 0x9000)
		return fail(w, "CREATE DF", fid, sw);
	return select_fid(w, SELECT_BY_FID, fid);
}

/* Create a transparent EF in the current DF, select it, write `data` in
 * chunks. */
static int write_ef(struct writer *w, uint16_t fid, const uint8_t *data, size_t len)
{
	uint8_t f[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};
	unsigned sw;
	size_t off;

	sw = send(w, CLA_PROP, INS_CREATE_EF, EF_TRANSPARENT, ACCESS_PUBLIC, f, 2);
	if (sw != 0x9000)
		return fail(w, "CREATE EF", fid, sw);
	if (select_fid(w, SELECT_EF, fid) < 0)
		return -1;
	if (len > 0x7FFF) {
		snprintf(w->err, w->errlen, _("file %04X is too large for the card (%zu bytes)"),
		         fid, len);
		return -1;
	}
	for (off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		sw = send(w, CLA_ISO, INS_UPDATE_BINARY, (uint8_t)(off >> 8), (uint8_t)off,
		          data + off, n);
		if (sw != 0x9000)
			return fail(w, "UPDATE BINARY", fid, sw);
	}
	return 0;
}

/* Write a der_buf built by one of the p15_* encoders. */
static int write_der(struct writer *w, uint16_t fid, der_buf *b)
{
	int rc;

	if (der_buf_finish(b) < 0) {
		snprintf(w->err, w->errlen, _("out of memory"));
		rc = -1;
	} else {
		rc = write_ef(w, fid, b->data, b->len);
	}
	der_buf_free(b);
	return rc;
}

/* The PKCS#15 view of each key; subject and public-key DER are malloc'd
 * into subj[i] / spki[i]. */
static int describe_keys(const struct perso_pki *pki, struct p15_key *keys, uint8_t **subj,
                         uint8_t **spki, size_t *spki_len)
{
	size_t i;

	for (i = 0; i < pki->n; i++) {
		const struct perso_entity *e = &pki->ent[i];
		struct p15_key *k = &keys[i];

		memset(k, 0, sizeof(*k));
		k->label = e->spec->label;
		memcpy(k->id, e->id, sizeof(k->id));
		k->ec = perso_alg_is_ec(e->spec->alg);
		k->bits = perso_alg_bits(e->spec->alg);
		k->curve_oid = perso_alg_curve_oid(e->spec->alg);
		/* NES and seal keys sign documents (sign + nonRepudiation);
		 * an authentication key signs challenges only. */
		k->usage = P15_USAGE_SIGN;
		if (e->spec->role != PERSO_ROLE_AUTH)
			k->usage |= P15_USAGE_NON_REPUDIATION;
		k->user_consent = e->spec->user_consent;
		k->key_ref = (uint8_t)e->spec->sdo_id;
		k->cert_fid = (uint16_t)(P15_FID_CERT_BASE + i);
		k->pubkey_fid = (uint16_t)(P15_FID_PUBKEY_BASE + i);
		if (perso_x509_subject_der(e->cert, &subj[i], &k->subject_len) < 0 ||
		    perso_spki_der(e->key, &spki[i], &spki_len[i]) < 0)
			return -1;
		k->subject = subj[i];
	}
	return 0;
}

static int write_files(struct writer *w, const struct perso_card_input *in,
                       const struct p15_key *keys, uint8_t *const *spki, const size_t *spki_len)
{
	const struct perso_gen *g = in->gen;
	const struct p15_pin_lengths lengths = {g->pin_min, g->pin_max, g->puk_min, g->puk_max};
	const struct perso_pki *pki = in->pki;
	der_buf b;
	size_t i;

	/* EF(DIR) in the MF, then the application DF. */
	if (select_fid(w, SELECT_BY_FID, 0x3F00) < 0)
		return -1;
	der_buf_init(&b);
	p15_ef_dir(&b, APP_LABEL);
	if (write_der(w, P15_FID_EF_DIR, &b) < 0)
		return -1;
	if (create_df(w, P15_FID_APP_DF, p15_aid, P15_AID_LEN) < 0)
		return -1;

	der_buf_init(&b);
	p15_odf(&b);
	if (write_der(w, P15_FID_ODF, &b) < 0)
		return -1;
	der_buf_init(&b);
	p15_tokeninfo(&b, in->serial, in->label);
	if (write_der(w, P15_FID_TOKENINFO, &b) < 0)
		return -1;
	der_buf_init(&b);
	p15_aodf(&b, &lengths);
	if (write_der(w, P15_FID_AODF, &b) < 0)
		return -1;
	der_buf_init(&b);
	p15_prkdf(&b, keys, pki->n);
	if (write_der(w, P15_FID_PRKDF, &b) < 0)
		return -1;
	der_buf_init(&b);
	p15_pukdf(&b, keys, pki->n);
	if (write_der(w, P15_FID_PUKDF, &b) < 0)
		return -1;
	der_buf_init(&b);
	p15_cdf(&b, keys, pki->n);
	if (write_der(w, P15_FID_CDF, &b) < 0)
		return -1;

	for (i = 0; i < pki->n; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(pki->ent[i].cert, &der);
		int rc;

		if (n <= 0) {
			snprintf(w->err, w->errlen, _("cannot encode certificate %zu"), i + 1);
			return -1;
		}
		rc = write_ef(w, keys[i].cert_fid, der, (size_t)n);
		OPENSSL_free(der);
		if (rc < 0 || write_ef(w, keys[i].pubkey_fid, spki[i], spki_len[i]) < 0)
			return -1;
	}
	return 0;
}

int perso_card_fill12(vcard *c, const struct perso_card_input *in, char *err, size_t errlen)
{
	const struct perso_pki *pki = in->pki;
	struct p15_key keys[PERSO_MAX_KEYS];
	uint8_t *subj[PERSO_MAX_KEYS] = {NULL}, *spki[PERSO_MAX_KEYS] = {NULL};
	size_t spki_len[PERSO_MAX_KEYS] = {0};
	struct writer w = {c, err, errlen};
	unsigned sw;
	size_t i;
	int rc = -1;

	for (i = 0; i < pki->n; i++) {
		struct vcard_key_spec k = {
		    .ref = (uint8_t)pki->ent[i].spec->sdo_id,
		    .key = pki->ent[i].key,
		    .pin_ref = PERSO_PIN_REF,
		    .per_signature_pin = pki->ent[i].spec->user_consent,
		    .label = pki->ent[i].spec->label,
		};
		if (vcard_add_key(c, &k) < 0) {
			snprintf(err, errlen, _("the card refused key %zu (%s)"), i + 1,
			         pki->ent[i].spec->label);
			goto out;
		}
	}
	if (describe_keys(pki, keys, subj, spki, spki_len) < 0) {
		snprintf(err, errlen, _("cannot encode the keys' names and public keys"));
		goto out;
	}
	if (write_files(&w, in, keys, spki, spki_len) < 0)
		goto out;
	sw = send(&w, CLA_PROP, INS_SET_LIFE_CYCLE, 0x00, STAGE_USER, NULL, 0);
	if (sw != 0x9000) {
		fail(&w, "SET LIFE CYCLE", STAGE_USER, sw);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < PERSO_MAX_KEYS; i++) {
		free(subj[i]);
		free(spki[i]);
	}
	return rc;
}
