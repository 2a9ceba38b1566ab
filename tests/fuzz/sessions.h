/*
 * sessions.h: what the fuzz targets do with a card. The same session runs
 * against the hostile card of a fuzz input and, when the seed corpora are
 * made (fuzz-seeds), against the virtual card, whose answers become a
 * seed: a seed replayed through its target follows the real session all
 * the way (a login, signatures, a PIN change, an unblock).
 *
 * The PIN and PUK are the virtual card's defaults (eimza-vcard init).
 */
#ifndef EIMZA_FUZZ_SESSIONS_H
#define EIMZA_FUZZ_SESSIONS_H

#include <stdbool.h>

#include "module/transport/replay.h"

#define FZ_PIN "123456"
#define FZ_PUK "12345678"

/* The card layer (module/card): open, load, PIN state, VERIFY, every key's
 * signatures in the schemes the card offers, CHANGE, unblock, logout,
 * GET CHALLENGE, the same-card check. True when it got as far as a
 * signature the card made. */
bool fz_card_session(ez_conn *conn);

/* The whole module through its PKCS#11 functions, with `card` in the
 * scripted reader: C_Initialize to C_Finalize, every slot, token, object
 * and attribute, a user login, every key's signature, C_SetPIN, an SO
 * login and C_InitPIN, C_GenerateRandom. True when a C_Sign succeeded. */
bool fz_module_session(ez_conn *card);

#endif
