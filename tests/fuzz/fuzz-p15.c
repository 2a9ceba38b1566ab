/*
 * fuzz-p15.c: libFuzzer target for the PKCS#15 parsers (module/pkcs15)
 * and the DER reader under them (common/der.c). The first byte picks what
 * reads the rest:
 *
 *   0 EF(DIR)  1 ODF  2 TokenInfo  3 AODF  4 PrKDF  5 PuKDF  6 CDF
 *   7 every parser above on the same bytes
 *   8 the DER reader alone: every element, nested, every value decoder
 *   9 ez_p15_load: a whole application, each file it reads the next chunk
 *     of the input (fuzz-input.h), paths and sizes as the ODF says
 *
 * (The card layer's own DER, FCIs and 2.x security data objects, is read
 * in context by fuzz-card.) Besides the sanitizers: every element the
 * reader gives lies inside its buffer, and the user and SO PIN the rules
 * pick are objects of the application.
 */
#include "config.h"

#include "fuzz-input.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include <eimza/der.h>

#include "module/pkcs15/pkcs15.h"

enum { DIR_, ODF, TOKENINFO, AODF, PRKDF, PUKDF, CDF, ALL, DER, LOAD, MODES };

static ez_err odf_entry(void *arg, unsigned tag, const struct ez_p15_path *path)
{
	(void)arg;
	FZ_REQUIRE(tag >= 0xA0 && tag <= 0xAF, "an ODF entry of another tag");
	FZ_REQUIRE(path->len >= 2 && path->len <= EZ_P15_PATH_MAX, "an ODF path of a bad length");
	return EZ_OK;
}

static void parse(int mode, struct ez_p15_app *app, const uint8_t *d, size_t n)
{
	switch (mode) {
	case DIR_:
		ez_p15_parse_dir(app, d, n);
		break;
	case ODF:
		ez_p15_parse_odf(d, n, odf_entry, NULL);
		break;
	case TOKENINFO:
		ez_p15_parse_tokeninfo(app, d, n);
		break;
	case AODF:
		ez_p15_parse_aodf(app, d, n);
		break;
	case PRKDF:
		ez_p15_parse_prkdf(app, d, n);
		break;
	case PUKDF:
		ez_p15_parse_pukdf(app, d, n);
		break;
	case CDF:
		ez_p15_parse_cdf(app, d, n, n % 2);
		break;
	default:
		break;
	}
}

static void check_pins(const struct ez_p15_app *app)
{
	const struct ez_p15_pin *pin = ez_p15_user_pin(app), *so = ez_p15_so_pin(app);

	FZ_REQUIRE(!pin || (pin >= app->pins && pin < app->pins + app->n_pins),
	           "the user PIN is not one of the application's");
	FZ_REQUIRE(!so || (so >= app->pins && so < app->pins + app->n_pins),
	           "the SO PIN is not one of the application's");
	for (size_t i = 0; i < app->n_pins; i++)
		FZ_REQUIRE(app->pins[i].fmt.min_len <= app->pins[i].fmt.max_len &&
		               app->pins[i].fmt.max_len <= EZ_PIN_MAX,
		           "a PIN's lengths out of order");
	for (size_t i = 0; i < app->n_prkeys; i++)
		FZ_REQUIRE(app->prkeys[i].path.len <= EZ_P15_PATH_MAX, "a key path too long");
}

/* Every element, its contents read as each kind of value. */
static void walk(const uint8_t *start, const uint8_t *end, der_reader *r, int depth)
{
	static const uint8_t rsa_oid[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
	der_tlv t;
	unsigned tag;

	while (!der_at_end(r)) {
		unsigned long v;
		bool b;
		uint32_t bits;
		char text[64];
		der_reader in;
		int peeked = der_peek(r, &tag);
		if (der_next(r, &t) < 0) {
			FZ_REQUIRE(peeked < 0 || r->p <= r->end, "the reader moved past its end");
			return;
		}
		FZ_REQUIRE(peeked == 0 && tag == t.tag, "der_peek and der_next disagree");
		FZ_REQUIRE(t.raw >= start && t.raw + t.rawlen <= end,
		           "an element outside its buffer");
		FZ_REQUIRE(t.val >= t.raw && t.val + t.len == t.raw + t.rawlen,
		           "contents outside the element");
		der_get_uint(&t, &v);
		der_get_bool(&t, &b);
		der_get_bits(&t, &bits);
		if (der_oid_to_text(&t, text, sizeof(text)) == 0)
			FZ_REQUIRE(memchr(text, '\0', sizeof(text)) != NULL,
			           "an OID text not ended");
		der_oid_equals(&t, rsa_oid, sizeof(rsa_oid));
		if (depth < 24) {
			der_enter(&t, &in);
			walk(start, end, &in, depth + 1);
			/* The same contents through the tag-checking calls. */
			der_enter(&t, &in);
			if (der_optional(&in, DER_SEQUENCE, &t) == 0)
				der_expect(&in, DER_INTEGER, &t);
		}
	}
}

/* ez_p15_io.read: each file the next chunk of the input. */
static ez_err read_chunk(void *arg, const uint8_t *path, size_t path_len, size_t index, size_t len,
                         size_t max, bool der_object, uint8_t **out, size_t *out_len)
{
	const uint8_t *d;
	size_t n;

	(void)der_object;
	FZ_REQUIRE(path_len >= 2 && path_len <= EZ_P15_PATH_MAX, "a path of a bad length read");
	(void)path;
	(void)index;
	(void)len;
	*out = NULL;
	*out_len = 0;
	if (!fz_chunk(arg, &d, &n))
		return EZ_ERR_NOT_FOUND;
	if (n > max)
		n = max;
	*out = malloc(n ? n : 1);
	if (!*out)
		return EZ_ERR_NO_MEMORY;
	memcpy(*out, d, n);
	*out_len = n;
	return EZ_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ez_p15_app app;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0] % MODES;
	data++;
	size--;
	memset(&app, 0, sizeof(app));
	if (mode == DER) {
		der_reader r;
		der_reader_init(&r, data, size);
		walk(data, data + size, &r, 0);
	} else if (mode == LOAD) {
		struct fz_in in = {data, size};
		struct ez_p15_io io = {read_chunk, &in};
		if (ez_p15_load(&io, &app) == EZ_OK)
			check_pins(&app);
	} else {
		for (int m = mode == ALL ? 0 : mode; m <= (mode == ALL ? CDF : mode); m++)
			parse(m, &app, data, size);
		check_pins(&app);
	}
	ez_p15_app_free(&app);
	return 0;
}
