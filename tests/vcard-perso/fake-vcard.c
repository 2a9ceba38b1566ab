/*
 * fake-vcard.c: a recording stand-in for the card engine (<eimza/vcard.h>)
 * so the personalization writer can be tested on its own. For 1.2 it keeps
 * the files CREATE and UPDATE BINARY make and checks every APDU's form and
 * the order of the work; for 2.x it records the engine calls (no APDU is
 * expected at all). It is not a card: no PINs are checked, nothing signs.
 * The real engine's behaviour is tested by test-perso-card against
 * tools/vcard/engine.
 */
#include "config.h"

#include "fake-vcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* The 1.2 personalization's APDUs (the fake's own copy). */
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
#define MAX_DATA 244

struct vcard {
	enum vcard_generation gen;
	uint8_t atr[VCARD_MAX_ATR];
	size_t atr_len;
	enum vcard_life life;
	bool powered;
	uint8_t serial[VCARD_SERIAL_LEN], serial2[VCARD_SERIAL_LEN];
	bool serial_set, serial2_set, protect;
	struct fake_pin pins[4];
	size_t npins;
	struct fake_key keys[8];
	size_t nkeys;
	struct fake_file files[FAKE_MAX_FILES];
	size_t nfiles;
	int cur_df; /* index of the current DF; -1 the MF */
	int cur_ef; /* index of the selected EF; -1 none */
	unsigned napdus;
	char problem[256]; /* the first malformed APDU or out-of-order step */
};

struct fake_saved fake_last_saved;

static void problem(vcard *c, const char *what)
{
	if (!c->problem[0])
		snprintf(c->problem, sizeof(c->problem), "APDU %u: %s", c->napdus, what);
}

vcard *vcard_new(enum vcard_generation gen, const uint8_t *atr, size_t atr_len)
{
	vcard *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->gen = gen;
	c->life = VCARD_LIFE_PERSONALIZATION;
	c->cur_df = c->cur_ef = -1;
	if (atr) {
		if (atr_len > sizeof(c->atr) || vcard_atr_check(atr, atr_len, NULL, 0) < 0)
			problem(c, "vcard_new with a bad ATR");
		else
			memcpy(c->atr, atr, atr_len);
		c->atr_len = atr_len;
	}
	return c;
}

void vcard_free(vcard *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nkeys; i++)
		EVP_PKEY_free(c->keys[i].key);
	free(c);
}

int vcard_save(const vcard *c, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "fake card, %zu files\n", c->nfiles);
	fclose(f);
	memset(&fake_last_saved, 0, sizeof(fake_last_saved));
	fake_last_saved.gen = c->gen;
	memcpy(fake_last_saved.atr, c->atr, c->atr_len);
	fake_last_saved.atr_len = c->atr_len;
	memcpy(fake_last_saved.pins, c->pins, sizeof(c->pins));
	fake_last_saved.npins = c->npins;
	fake_last_saved.nkeys = c->nkeys;
	fake_last_saved.life = c->life;
	fake_last_saved.protect_public_keys = c->protect;
	memcpy(fake_last_saved.serial, c->serial, sizeof(c->serial));
	return 0;
}

void vcard_power_on(vcard *c)
{
	c->powered = true;
	c->cur_df = c->cur_ef = -1;
}

void vcard_power_off(vcard *c)
{
	c->powered = false;
}

enum vcard_life vcard_life_cycle(const vcard *c)
{
	return c->life;
}

static bool personalizing(vcard *c, const char *what)
{
	if (c->life == VCARD_LIFE_PERSONALIZATION)
		return true;
	problem(c, what);
	return false;
}

int vcard_add_pin(vcard *c, const struct vcard_pin_spec *s)
{
	struct fake_pin *p;

	if (!personalizing(c, "a PIN after personalization") || c->npins >= 4 ||
	    s->len > sizeof(p->value) || strlen(s->name ? s->name : "") > VCARD_MAX_LABEL)
		return -1;
	p = &c->pins[c->npins++];
	memset(p, 0, sizeof(*p));
	p->ref = s->ref;
	memcpy(p->value, s->value, s->len);
	p->len = s->len;
	p->max_tries = s->max_tries;
	p->min_len = s->min_len;
	p->max_len = s->max_len;
	p->unblock_ref = s->unblock_ref;
	snprintf(p->name, sizeof(p->name), "%s", s->name ? s->name : "");
	return 0;
}

int vcard_add_key(vcard *c, const struct vcard_key_spec *s)
{
	struct fake_key *k;

	if (!personalizing(c, "a key after personalization") || c->nkeys >= 8 || !s->key ||
	    strlen(s->label ? s->label : "") > VCARD_MAX_LABEL)
		return -1;
	if (!c->npins)
		problem(c, "a key before its PIN");
	k = &c->keys[c->nkeys++];
	k->ref = s->ref;
	EVP_PKEY_up_ref(s->key);
	k->key = s->key;
	k->pin_ref = s->pin_ref;
	k->per_signature_pin = s->per_signature_pin;
	snprintf(k->label, sizeof(k->label), "%s", s->label ? s->label : "");
	return 0;
}

int vcard_set_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN])
{
	if (!personalizing(c, "the serial after personalization"))
		return -1;
	memcpy(c->serial, serial, VCARD_SERIAL_LEN);
	c->serial_set = true;
	return 0;
}

int vcard_set_second_serial(vcard *c, const uint8_t serial[VCARD_SERIAL_LEN])
{
	if (c->gen != VCARD_GEN_2)
		problem(c, "a second serial on 1.2");
	if (!personalizing(c, "the second serial after personalization"))
		return -1;
	memcpy(c->serial2, serial, VCARD_SERIAL_LEN);
	c->serial2_set = true;
	return 0;
}

int vcard_set_public_keys_protected(vcard *c, bool on)
{
	if (c->gen != VCARD_GEN_2)
		problem(c, "public-key protection on 1.2");
	if (!personalizing(c, "protection after personalization"))
		return -1;
	c->protect = on;
	return 0;
}

int vcard_put_file(vcard *c, uint16_t fid, const uint8_t *data, size_t len)
{
	struct fake_file *f;

	if (c->gen != VCARD_GEN_2)
		problem(c, "vcard_put_file on 1.2 (files come by APDUs there)");
	if (!personalizing(c, "a file after personalization") || c->nfiles >= FAKE_MAX_FILES ||
	    len > sizeof(f->data))
		return -1;
	f = &c->files[c->nfiles++];
	memset(f, 0, sizeof(*f));
	f->parent = -2; /* the PKCS-15 DF */
	f->fid = fid;
	f->by_call = true;
	if (len)
		memcpy(f->data, data, len);
	f->len = len;
	return 0;
}

int vcard_end_personalization(vcard *c)
{
	if (c->gen == VCARD_GEN_2 &&
	    (!c->serial_set || !c->serial2_set || c->npins != 2 || !c->nkeys || !c->nfiles))
		problem(c, "personalization ended before serials, PINs, keys and files");
	c->life = VCARD_LIFE_OPERATIONAL;
	return 0;
}

static int find(const vcard *c, int parent, uint16_t fid)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].parent == parent && c->files[i].fid == fid)
			return (int)i;
	return -1;
}

static size_t sw(uint8_t *rsp, unsigned v)
{
	rsp[0] = (uint8_t)(v >> 8);
	rsp[1] = (uint8_t)v;
	return 2;
}

size_t vcard_transmit(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t cap)
{
	size_t lc;
	const uint8_t *data;
	uint16_t fid;
	int i;

	(void)cap;
	c->napdus++;
	if (c->gen == VCARD_GEN_2)
		return problem(c, "an APDU in a 2.x personalization"), sw(rsp, 0x6D00);
	if (!c->powered)
		return problem(c, "card not powered"), sw(rsp, 0x6F00);
	/* Only cases 1 and 3 are expected from a personalization. */
	if (len < 4 || len == 5 || (len > 5 && (size_t)cmd[4] + 5 != len))
		return problem(c, "malformed APDU"), sw(rsp, 0x6700);
	lc = len > 5 ? cmd[4] : 0;
	data = cmd + 5;
	if (lc > MAX_DATA)
		return problem(c, "data longer than MAX_DATA"), sw(rsp, 0x6700);
	fid = lc >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;

	if (cmd[0] == CLA_ISO && cmd[1] == INS_SELECT) {
		if (lc != 2)
			return problem(c, "SELECT without a file id"), sw(rsp, 0x6700);
		if (cmd[2] == SELECT_BY_FID && fid == 0x3F00) {
			c->cur_df = c->cur_ef = -1;
			return sw(rsp, 0x9000);
		}
		i = find(c, c->cur_df, fid);
		if (i < 0 || (cmd[2] == SELECT_EF && c->files[i].is_df))
			return sw(rsp, 0x6A82);
		if (c->files[i].is_df) {
			c->cur_df = i;
			c->cur_ef = -1;
		} else {
			c->cur_ef = i;
		}
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == CLA_PROP &&
	    (cmd[1] == INS_CREATE_EF || cmd[1] == INS_CREATE_DF)) {
		struct fake_file *f;
		if (c->life != VCARD_LIFE_PERSONALIZATION)
			return problem(c, "CREATE in the user life cycle"), sw(rsp, 0x6985);
		if (lc < 2 || c->nfiles >= FAKE_MAX_FILES)
			return problem(c, "CREATE without a file id"), sw(rsp, 0x6700);
		if (find(c, c->cur_df, fid) >= 0)
			return problem(c, "CREATE of an existing file"), sw(rsp, 0x6A89);
		if (cmd[1] == INS_CREATE_EF && (cmd[2] != EF_TRANSPARENT || lc != 2))
			return problem(c, "CREATE EF not transparent"), sw(rsp, 0x6A86);
		if (cmd[1] == INS_CREATE_DF && (cmd[2] != 0 || lc - 2 > sizeof(f->aid)))
			return problem(c, "CREATE DF form"), sw(rsp, 0x6A86);
		f = &c->files[c->nfiles++];
		memset(f, 0, sizeof(*f));
		f->parent = c->cur_df;
		f->fid = fid;
		f->is_df = cmd[1] == INS_CREATE_DF;
		f->access = cmd[3];
		if (f->is_df) {
			memcpy(f->aid, data + 2, lc - 2);
			f->aid_len = lc - 2;
		}
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == CLA_ISO && cmd[1] == INS_UPDATE_BINARY) {
		size_t off = (size_t)cmd[2] << 8 | cmd[3];
		struct fake_file *f;
		if (c->cur_ef < 0)
			return problem(c, "UPDATE BINARY with no EF selected"), sw(rsp, 0x6986);
		f = &c->files[c->cur_ef];
		if (c->life != VCARD_LIFE_PERSONALIZATION)
			return problem(c, "UPDATE in the user life cycle"), sw(rsp, 0x6982);
		if (cmd[2] & 0x80 || off != f->len || lc == 0 || off + lc > sizeof(f->data))
			return problem(c, "UPDATE BINARY not appending in order"), sw(rsp, 0x6B00);
		memcpy(f->data + off, data, lc);
		f->len += lc;
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == CLA_PROP && cmd[1] == INS_SET_LIFE_CYCLE && len == 4 &&
	    cmd[2] == 0 && cmd[3] == STAGE_USER) {
		if (!c->serial_set || !c->npins || !c->nkeys)
			problem(c, "user life cycle before serial, PINs and keys");
		c->life = VCARD_LIFE_OPERATIONAL;
		return sw(rsp, 0x9000);
	}
	problem(c, "unexpected command");
	return sw(rsp, 0x6D00);
}

/* ---- for the tests --------------------------------------------------------- */

enum vcard_generation fake_vcard_generation(const vcard *c)
{
	return c->gen;
}

const struct fake_file *fake_vcard_file(const vcard *c, uint16_t df, uint16_t fid)
{
	int parent = -1, i;

	if (df == FAKE_APP_DF) {
		parent = -2;
	} else if (df) {
		parent = find(c, -1, df);
		if (parent < 0)
			return NULL;
	}
	i = find(c, parent, fid);
	return i < 0 ? NULL : &c->files[i];
}

const struct fake_key *fake_vcard_key(const vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].ref == ref)
			return &c->keys[i];
	return NULL;
}

const struct fake_pin *fake_vcard_pin(const vcard *c, uint8_t ref)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return &c->pins[i];
	return NULL;
}

const char *fake_vcard_problem(const vcard *c)
{
	return c->problem;
}

const uint8_t *fake_vcard_serial(const vcard *c)
{
	return c->serial_set ? c->serial : NULL;
}

const uint8_t *fake_vcard_second_serial(const vcard *c)
{
	return c->serial2_set ? c->serial2 : NULL;
}

bool fake_vcard_public_keys_protected(const vcard *c)
{
	return c->protect;
}

size_t fake_vcard_napdus(const vcard *c)
{
	return c->napdus;
}

size_t fake_vcard_nfiles(const vcard *c)
{
	return c->nfiles;
}
