/*
 * fuzz-cache.c: a card cache entry (module/cache/cache-format.c) is input
 * like a card's answer: a file anyone with the user's rights may have
 * written. Each input is tried twice: as a whole file, and as the part the
 * entry's SHA-256 covers, wrapped with the right digest so the fuzzer gets
 * past that check to the fields. Whatever decodes must encode and decode
 * again to the very same bytes: the decoder accepts nothing the encoder
 * would not write.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include <eimza/der.h>

#include "cache-key.h"
#include "fuzz.h"

static void round_trip(const struct ez_p15_app *app)
{
	struct ez_p15_app again = {0};
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	FZ_REQUIRE(ez_cache_encode(&fz_cache_key, app, &a, &alen) == EZ_OK,
		   "a decoded entry does not encode");
	FZ_REQUIRE(ez_cache_decode(&fz_cache_key, a, alen, &again) == EZ_OK,
		   "an encoded entry does not decode");
	FZ_REQUIRE(ez_cache_encode(&fz_cache_key, &again, &b, &blen) == EZ_OK,
		   "a re-decoded entry does not encode");
	FZ_REQUIRE(alen == blen && memcmp(a, b, alen) == 0,
		   "decode and encode do not give the same entry back");
	ez_p15_app_free(&again);
	free(a);
	free(b);
}

static void try_entry(const uint8_t *data, size_t size)
{
	struct ez_p15_app app = {0};

	if (ez_cache_decode(&fz_cache_key, data, size, &app) == EZ_OK)
		round_trip(&app);
	ez_p15_app_free(&app);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	der_buf b;
	size_t m;

	try_entry(data, size);
	/* Entry ::= SEQUENCE { header, app, digest }: the input as header
	 * and app, the digest made right. */
	SHA256(data, size, digest);
	der_buf_init(&b);
	m = der_open(&b, DER_SEQUENCE);
	der_put_raw(&b, data, size);
	der_put(&b, DER_OCTET_STRING, digest, sizeof(digest));
	der_close(&b, m);
	if (der_buf_finish(&b) == 0)
		try_entry(b.data, b.len);
	der_buf_free(&b);
	return 0;
}
