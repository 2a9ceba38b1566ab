/*
 * fake-vcard.c: a recording stand-in for the card engine (<eimza/vcard.h>)
 * so the personalization writer can be tested on its own: it keeps the
 * files CREATE and UPDATE BINARY make, checks every APDU's form and the
 * order of the work, and lets the test look at the result. It is not a
 * card: no PINs are checked, nothing signs. The real engine's behaviour is
 * tested by test-perso-card against tools/vcard/engine.
 */
#include "config.h"

#include "fake-vcard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct vcard {
	uint8_t life;
	bool powered;
	uint8_t serial[AKIS_DATA_SERIAL_LEN];
	bool serial_set;
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

vcard *vcard_new(const struct akis_atr *atr)
{
	vcard *c = calloc(1, sizeof(*c));

	if (c) {
		c->life = AKIS_LIFE_ADMINISTRATION;
		c->cur_df = c->cur_ef = -1;
	}
	(void)atr;
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
	memcpy(fake_last_saved.pins, c->pins, sizeof(c->pins));
	fake_last_saved.npins = c->npins;
	fake_last_saved.life = c->life;
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

uint8_t vcard_life_cycle(const vcard *c)
{
	return c->life;
}

int vcard_add_pin(vcard *c, uint8_t ref, const uint8_t *value, size_t len, unsigned max_tries,
                  unsigned min_len, unsigned max_len, uint8_t unblock_ref)
{
	struct fake_pin *p;

	if (c->life != AKIS_LIFE_ADMINISTRATION || c->npins >= 4 || len > sizeof(p->value))
		return -1;
	p = &c->pins[c->npins++];
	p->ref = ref;
	memcpy(p->value, value, len);
	p->len = len;
	p->max_tries = max_tries;
	p->min_len = min_len;
	p->max_len = max_len;
	p->unblock_ref = unblock_ref;
	return 0;
}

int vcard_add_key(vcard *c, uint8_t ref, EVP_PKEY *key, uint8_t pin_ref, bool user_consent)
{
	struct fake_key *k;

	if (c->life != AKIS_LIFE_ADMINISTRATION || c->nkeys >= 8 || !key)
		return -1;
	k = &c->keys[c->nkeys++];
	k->ref = ref;
	EVP_PKEY_up_ref(key);
	k->key = key;
	k->pin_ref = pin_ref;
	k->user_consent = user_consent;
	return 0;
}

int vcard_set_serial(vcard *c, const uint8_t serial[AKIS_DATA_SERIAL_LEN])
{
	if (c->life != AKIS_LIFE_ADMINISTRATION)
		return -1;
	memcpy(c->serial, serial, AKIS_DATA_SERIAL_LEN);
	c->serial_set = true;
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
	if (!c->powered)
		return problem(c, "card not powered"), sw(rsp, 0x6F00);
	/* Only cases 1 and 3 are expected from a personalization. */
	if (len < 4 || len == 5 || (len > 5 && (size_t)cmd[4] + 5 != len))
		return problem(c, "malformed APDU"), sw(rsp, 0x6700);
	lc = len > 5 ? cmd[4] : 0;
	data = cmd + 5;
	if (lc > AKIS_MAX_DATA)
		return problem(c, "data longer than AKIS_MAX_DATA"), sw(rsp, 0x6700);
	fid = lc >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;

	if (cmd[0] == AKIS_CLA_ISO && cmd[1] == AKIS_INS_SELECT) {
		if (lc != 2)
			return problem(c, "SELECT without a file id"), sw(rsp, 0x6700);
		if (cmd[2] == AKIS_SELECT_BY_FID && fid == 0x3F00) {
			c->cur_df = c->cur_ef = -1;
			return sw(rsp, 0x9000);
		}
		i = find(c, c->cur_df, fid);
		if (i < 0 || (cmd[2] == AKIS_SELECT_EF_UNDER_DF && c->files[i].is_df))
			return sw(rsp, 0x6A82);
		if (c->files[i].is_df) {
			c->cur_df = i;
			c->cur_ef = -1;
		} else {
			c->cur_ef = i;
		}
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == AKIS_CLA_PROPRIETARY &&
	    (cmd[1] == AKIS_INS_CREATE_EF || cmd[1] == AKIS_INS_CREATE_DF)) {
		struct fake_file *f;
		if (c->life != AKIS_LIFE_ADMINISTRATION)
			return problem(c, "CREATE in the user life cycle"), sw(rsp, 0x6985);
		if (lc < 2 || c->nfiles >= FAKE_MAX_FILES)
			return problem(c, "CREATE without a file id"), sw(rsp, 0x6700);
		if (find(c, c->cur_df, fid) >= 0)
			return problem(c, "CREATE of an existing file"), sw(rsp, 0x6A89);
		if (cmd[1] == AKIS_INS_CREATE_EF && (cmd[2] != AKIS_EF_TRANSPARENT || lc != 2))
			return problem(c, "CREATE EF not transparent"), sw(rsp, 0x6A86);
		if (cmd[1] == AKIS_INS_CREATE_DF && (cmd[2] != 0 || lc - 2 > sizeof(f->aid)))
			return problem(c, "CREATE DF form"), sw(rsp, 0x6A86);
		f = &c->files[c->nfiles++];
		memset(f, 0, sizeof(*f));
		f->parent = c->cur_df;
		f->fid = fid;
		f->is_df = cmd[1] == AKIS_INS_CREATE_DF;
		f->access = cmd[3];
		if (f->is_df) {
			memcpy(f->aid, data + 2, lc - 2);
			f->aid_len = lc - 2;
		}
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == AKIS_CLA_ISO && cmd[1] == AKIS_INS_UPDATE_BINARY) {
		size_t off = (size_t)cmd[2] << 8 | cmd[3];
		struct fake_file *f;
		if (c->cur_ef < 0)
			return problem(c, "UPDATE BINARY with no EF selected"), sw(rsp, 0x6986);
		f = &c->files[c->cur_ef];
		if (c->life != AKIS_LIFE_ADMINISTRATION)
			return problem(c, "UPDATE in the user life cycle"), sw(rsp, 0x6982);
		if (cmd[2] & 0x80 || off != f->len || lc == 0 || off + lc > sizeof(f->data))
			return problem(c, "UPDATE BINARY not appending in order"), sw(rsp, 0x6B00);
		memcpy(f->data + off, data, lc);
		f->len += lc;
		return sw(rsp, 0x9000);
	}
	if (cmd[0] == AKIS_CLA_PROPRIETARY && cmd[1] == AKIS_INS_SET_LIFE_CYCLE && len == 4 &&
	    cmd[2] == 0 && cmd[3] == AKIS_STAGE_USER) {
		if (!c->serial_set || !c->npins || !c->nkeys)
			problem(c, "user life cycle before serial, PINs and keys");
		c->life = AKIS_LIFE_USER;
		return sw(rsp, 0x9000);
	}
	problem(c, "unexpected command");
	return sw(rsp, 0x6D00);
}

/* ---- for the tests --------------------------------------------------------- */

const struct fake_file *fake_vcard_file(const vcard *c, uint16_t df, uint16_t fid)
{
	int parent = -1, i;

	if (df) {
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

size_t fake_vcard_nfiles(const vcard *c)
{
	return c->nfiles;
}
