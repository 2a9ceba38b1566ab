/*
 * fake-vcard.h: what the recording stand-in for the card engine lets a
 * test see (see fake-vcard.c). It implements the <eimza/vcard.h> calls the
 * personalization uses, and only those.
 */
#ifndef EIMZA_FAKE_VCARD_H
#define EIMZA_FAKE_VCARD_H

#include <eimza/vcard.h>

#define FAKE_MAX_FILES 32

struct fake_file {
	int parent; /* index of the DF holding it; -1 the MF */
	uint16_t fid;
	bool is_df;
	uint8_t access;
	uint8_t aid[16];
	size_t aid_len;
	uint8_t data[8192];
	size_t len;
};

struct fake_pin {
	uint8_t ref, unblock_ref;
	uint8_t value[AKIS_MAX_PIN_LEN];
	size_t len;
	unsigned max_tries, min_len, max_len;
};

struct fake_key {
	uint8_t ref, pin_ref;
	bool user_consent;
	EVP_PKEY *key;
};

/* What the last vcard_save() saw (the init command frees its card). */
struct fake_saved {
	struct fake_pin pins[4];
	size_t npins;
	uint8_t life;
};
extern struct fake_saved fake_last_saved;

/* A file by its DF (0: in the MF) and id; NULL when not created. */
const struct fake_file *fake_vcard_file(const vcard *c, uint16_t df, uint16_t fid);
const struct fake_key *fake_vcard_key(const vcard *c, uint8_t ref);
const struct fake_pin *fake_vcard_pin(const vcard *c, uint8_t ref);
/* "" when every APDU was well formed and in order; else the first problem. */
const char *fake_vcard_problem(const vcard *c);
const uint8_t *fake_vcard_serial(const vcard *c);
size_t fake_vcard_nfiles(const vcard *c);

#endif
