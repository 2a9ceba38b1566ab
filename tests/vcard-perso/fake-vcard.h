/*
 * fake-vcard.h: what the recording stand-in for the card engine lets a
 * test see (see fake-vcard.c). It implements the <eimza/vcard.h> calls the
 * personalization uses, and only those (the ATR helpers come from the real
 * libvcard-atr).
 */
#ifndef EIMZA_FAKE_VCARD_H
#define EIMZA_FAKE_VCARD_H

#include <eimza/vcard.h>

#define FAKE_MAX_FILES 32

struct fake_file {
	int parent; /* index of the DF holding it; -1 the MF */
	uint16_t fid;
	bool is_df;
	bool by_call; /* made by vcard_put_file (2.x), not by APDUs */
	uint8_t access;
	uint8_t aid[16];
	size_t aid_len;
	uint8_t data[8192];
	size_t len;
};

struct fake_pin {
	uint8_t ref, unblock_ref;
	uint8_t value[VCARD_MAX_PIN_LEN];
	size_t len;
	unsigned max_tries, min_len, max_len;
	char name[VCARD_MAX_LABEL + 1];
};

struct fake_key {
	uint8_t ref, pin_ref;
	bool per_signature_pin;
	char label[VCARD_MAX_LABEL + 1];
	EVP_PKEY *key;
};

/* What the last vcard_save() saw (the init command frees its card). */
struct fake_saved {
	enum vcard_generation gen;
	uint8_t atr[VCARD_MAX_ATR];
	size_t atr_len;
	struct fake_pin pins[4];
	size_t npins;
	size_t nkeys;
	enum vcard_life life;
	bool protect_public_keys;
	uint8_t serial[VCARD_SERIAL_LEN];
};
extern struct fake_saved fake_last_saved;

enum vcard_generation fake_vcard_generation(const vcard *c);
/* A file by its DF (0: in the MF) and id; NULL when not created. For 2.x,
 * `df` 0xFFFF names the PKCS-15 DF. */
#define FAKE_APP_DF 0xFFFF
const struct fake_file *fake_vcard_file(const vcard *c, uint16_t df, uint16_t fid);
const struct fake_key *fake_vcard_key(const vcard *c, uint8_t ref);
const struct fake_pin *fake_vcard_pin(const vcard *c, uint8_t ref);
/* "" when every APDU and call was well formed and in order; else the first
 * problem. */
const char *fake_vcard_problem(const vcard *c);
const uint8_t *fake_vcard_serial(const vcard *c);
const uint8_t *fake_vcard_second_serial(const vcard *c);
bool fake_vcard_public_keys_protected(const vcard *c);
size_t fake_vcard_nfiles(const vcard *c);
size_t fake_vcard_napdus(const vcard *c);

#endif
