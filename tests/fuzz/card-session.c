/*
 * card-session.c: the card layer's session of the fuzz targets
 * (sessions.h).
 */
#include "config.h"

#include "sessions.h"

#include <string.h>

#include "module/card/card.h"
#include "module/pkcs15/pkcs15.h"

/* A SHA-256 DigestInfo of 32 bytes of 0x5A. */
static const uint8_t digest_info[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
    0x02, 0x01, 0x05, 0x00, 0x04, 0x20, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A,
    0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A,
    0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A};

static void verify(ez_card *card, const struct ez_p15_pin *pin)
{
	int tries;

	if (pin)
		ez_card_verify(card, &pin->fmt, (const uint8_t *)FZ_PIN, strlen(FZ_PIN), &tries);
}

static bool sign(ez_card *card, const struct ez_p15_prkey *k, const struct ez_p15_pin *pin,
                 enum ez_sig_scheme scheme, enum ez_hash hash, const uint8_t *in, size_t len)
{
	uint8_t out[1024];
	size_t olen = sizeof(out);

	/* A key of one PIN per signature wants its VERIFY right before. */
	if (k->user_consent)
		verify(card, pin);
	return ez_card_sign(card, k->key_ref, scheme, hash, in, len, out, &olen) == EZ_OK;
}

static bool sign_all(ez_card *card, const struct ez_p15_app *app, const struct ez_p15_pin *pin)
{
	struct ez_sign_caps caps;
	uint8_t block[512];
	bool signed_one = false;

	ez_card_sign_caps(card, &caps);
	memset(block, 0, sizeof(block));
	block[1] = 0x01; /* an EMSA-PSS-like block, for raw RSA */
	for (size_t i = 0; i < app->n_prkeys; i++) {
		const struct ez_p15_prkey *k = &app->prkeys[i];
		size_t mod = k->modulus_bits / 8;
		if (k->type == EZ_P15_KEY_EC) {
			signed_one |=
			    sign(card, k, pin, EZ_SIG_ECDSA, EZ_HASH_SHA256, digest_info + 19, 32);
			signed_one |= sign(card, k, pin, EZ_SIG_ECDSA, EZ_HASH_NONE, block, 48);
			continue;
		}
		signed_one |= sign(card, k, pin, EZ_SIG_PKCS1, EZ_HASH_NONE, digest_info,
		                   sizeof(digest_info));
		if (caps.pss_hashes & EZ_HASH_BIT(EZ_HASH_SHA256))
			signed_one |=
			    sign(card, k, pin, EZ_SIG_PSS, EZ_HASH_SHA256, digest_info + 19, 32);
		if (caps.raw_rsa && mod >= 64 && mod <= sizeof(block))
			signed_one |= sign(card, k, pin, EZ_SIG_RAW, EZ_HASH_NONE, block, mod);
	}
	return signed_one;
}

bool fz_card_session(ez_conn *conn)
{
	struct ez_card_info info;
	struct ez_p15_app app;
	ez_card *card = NULL;
	uint8_t rnd[40];
	bool signed_one = false;

	if (ez_card_open(conn, &card, &info) != EZ_OK)
		return false;
	if (ez_card_load(card, &app) == EZ_OK) {
		const struct ez_p15_pin *pin = ez_p15_user_pin(&app), *puk = ez_p15_so_pin(&app);
		enum ez_pin_state st;
		int tries;
		if (pin) {
			ez_card_pin_state(card, &pin->fmt, &st, &tries);
			verify(card, pin);
		}
		signed_one = sign_all(card, &app, pin);
		if (pin)
			ez_card_change_pin(card, &pin->fmt, (const uint8_t *)FZ_PIN, strlen(FZ_PIN),
			                   (const uint8_t *)FZ_PIN, strlen(FZ_PIN), &tries);
		if (pin && puk) {
			if (ez_card_unblock_needs_puk(card)) {
				ez_card_unblock_pin(
				    card, &puk->fmt, (const uint8_t *)FZ_PUK, strlen(FZ_PUK),
				    &pin->fmt, (const uint8_t *)FZ_PIN, strlen(FZ_PIN), &tries);
			} else if (ez_card_verify(card, &puk->fmt, (const uint8_t *)FZ_PUK,
			                          strlen(FZ_PUK), &tries) == EZ_OK) {
				ez_card_unblock_pin(card, &puk->fmt, NULL, 0, &pin->fmt,
				                    (const uint8_t *)FZ_PIN, strlen(FZ_PIN),
				                    &tries);
			}
			ez_card_pin_state(card, &puk->fmt, &st, &tries);
		}
		ez_card_logout(card);
		ez_p15_app_free(&app);
	}
	ez_card_random(card, rnd, sizeof(rnd));
	ez_card_same(card);
	ez_card_free(card);
	return signed_one;
}
