/*
 * cache.h: the persistent cache of cards' public data. What ez_card_load
 * described of a card (its PKCS#15-shaped structure: certificates, key
 * descriptions, labels, PIN formats) is kept per user in
 * $XDG_CACHE_HOME/eimza/ (~/.cache/eimza/), one file per card, keyed by
 * the card's ATR and serial number, so that the next process that meets
 * the card checks it cheaply (ez_card_revalidate) instead of reading it
 * all. Never a PIN, never a PIN counter: the counters are not written.
 *
 * Two halves: the file format (cache-format.c, pure: encode and a decoder
 * that takes every file as hostile input, for unit tests and fuzzers) and
 * the store (cache-store.c: where, the folder's owner and mode, atomic
 * replacement, the on/off setting). No global state but the setting, which
 * is atomic: tokens are opened in parallel, one thread per card, and other
 * processes may write the same file at the same moment (the last complete
 * file wins; a reader sees one complete file or none).
 *
 * Knows nothing of PKCS#11 or of AKIS.
 */
#ifndef EIMZA_MODULE_CACHE_H
#define EIMZA_MODULE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../card/card.h"
#include "../ez-error.h"
#include "../pkcs15/pkcs15.h"

/* The file format's version: a file of another version is ignored and
 * rewritten. */
#define EZ_CACHE_FORMAT 1
/* The largest cache file read (a card's certificates are a few KiB). */
#define EZ_CACHE_FILE_MAX (512 * 1024)

/* Which card an entry belongs to. */
struct ez_cache_key {
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len;
	uint8_t serial[EZ_SERIAL_MAX];
	size_t serial_len;
};

/* ---- format (cache-format.c) ---------------------------------------------- */

/* The file for `key` holding `app` (tries_left is not written). *out
 * malloc'ed. EZ_ERR_ARGS for a description the format cannot hold (more
 * objects or longer fields than it takes). */
ez_err ez_cache_encode(const struct ez_cache_key *key, const struct ez_p15_app *app,
		       uint8_t **out, size_t *out_len);
/* Parse a file as hostile input: every length and count bounded, every
 * field in the range the card layer gives, the digest over the content
 * right, the version EZ_CACHE_FORMAT and the ATR and serial `key`'s.
 * EZ_OK with `app` filled (every tries_left -1; free with
 * ez_p15_app_free); EZ_ERR_MALFORMED for a file of another version, of
 * another card, truncated, corrupt or hostile (app then zeroed). */
ez_err ez_cache_decode(const struct ez_cache_key *key, const uint8_t *buf, size_t len,
		       struct ez_p15_app *app);

/* ---- store (cache-store.c) ----------------------------------------------- */

/* The setting of the configuration file (`cache = yes|no`, eimza-pkcs11(8)):
 * 1, 0, or -1 when the file says nothing (the default: on). */
void ez_cache_configure(int on);
/* Is the cache used? EIMZA_CACHE=0|1 overrides the configuration file. */
bool ez_cache_enabled(void);

/* The cache folder: $XDG_CACHE_HOME/eimza when XDG_CACHE_HOME is an
 * absolute path, else $HOME/.cache/eimza. EZ_ERR_NOT_FOUND when neither
 * is known or the path does not fit. */
ez_err ez_cache_dir(char *out, size_t cap);
/* The file name of `key`'s entry inside the folder ("<serial>-<atr>.der",
 * the ATR as the first 8 bytes of its SHA-256, in hex). */
void ez_cache_file_name(const struct ez_cache_key *key, char *out, size_t cap);

/* The entry of `key`: EZ_OK with `app` filled; EZ_ERR_NOT_FOUND when there
 * is none or it cannot be used (a folder owned by another user or writable
 * by others, a file that is not a regular file of this user, a file that
 * does not decode): the caller reads the card and stores a new entry. */
ez_err ez_cache_load(const struct ez_cache_key *key, struct ez_p15_app *app);
/* Write `key`'s entry (temporary file, fsync, rename over the old one).
 * The folder is made (mode 0700) when missing. Errors are for tests and
 * logs; the module works without the cache. */
ez_err ez_cache_store(const struct ez_cache_key *key, const struct ez_p15_app *app);
/* Remove `key`'s entry (a card that no longer reads as its entry says). */
void ez_cache_forget(const struct ez_cache_key *key);

#endif
