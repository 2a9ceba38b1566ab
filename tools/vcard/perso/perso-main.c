/*
 * perso-main.c: `eimza-vcard init IMAGE --profile P ...`: options, checks,
 * and the order of the work (see perso.h). The PIN and PUK never come
 * from the command line: --pin-source / --puk-source name where to read
 * them (perso-secret.h); without them the documented test defaults apply.
 * The generation (--generation, default 2) and the ATR (--atr) decide what
 * the card speaks and which profiles it can hold.
 */
#include "config.h"

#include "perso.h"

#include <eimza/hex.h>
#include <eimza/secmem.h>
#include <eimza/tckn.h>
#include <eimza/vcard.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "perso-card.h"
#include "perso-gen.h"
#include "perso-i18n.h"
#include "perso-pki.h"
#include "perso-profile.h"
#include "perso-secret.h"

#define PROG "eimza-vcard init"
#define DEFAULT_PIN "123456"
#define DEFAULT_PUK "12345678"
#define DEFAULT_PERSON "TEST KULLANICI"
#define DEFAULT_ORG "EIMZA TEST ANONİM ŞİRKETİ"
#define DEFAULT_DAYS 1095 /* 3 years, as Kamu SM issues NES certificates */
#define MAX_DAYS 36500
#define VKN_LEN 10

struct options {
	const char *image;
	const struct perso_profile *profile;
	const char *name, *org, *tckn, *vkn;
	const char *pin_source, *puk_source;
	const struct perso_gen *gen;       /* --generation; NULL: from the ATR, else 2 */
	const struct vcard_named_atr *atr_named; /* --atr ID */
	uint8_t atr[VCARD_MAX_ATR];         /* --atr HEX */
	size_t atr_len;
	unsigned days;
	time_t not_before;
	bool have_not_before;
	uint8_t serial[VCARD_SERIAL_LEN];
	bool have_serial;
	bool seeded;
	uint64_t seed;
	bool force;
	bool protect_public_keys;
};

static void usage(FILE *f)
{
	const struct perso_profile *p;
	const struct vcard_named_atr *a;
	const struct perso_gen *g12 = perso_gen_get(VCARD_GEN_1_2), *g2 = perso_gen_get(VCARD_GEN_2);

	fprintf(
	    f, _("Usage: eimza-vcard init IMAGE [OPTION]...\n"
	         "Personalize a new virtual AKIS card: generate a test PKI shaped like Kamu SM's,\n"
	         "put keys, PINs and certificates on a card of the chosen generation, end its\n"
	         "personalization and save it to IMAGE. Writes IMAGE.roots.pem (root CAs),\n"
	         "IMAGE.ca.pem (issuing CAs) and IMAGE.certs.pem (the card's certificates).\n\n"));
	fprintf(f, _("Options:\n"
	             "  --generation G      the card's command set (default 2):\n"
	             "                        2    AKIS 2.x: keys and PINs as security data objects,\n"
	             "                             certificates in EFs 2F10.. of the DF \"PKCS-15\"\n"
	             "                        1.2  AKIS 1.2: a PKCS#15 file system, RSA keys only\n"
	             "  --profile P         what goes on the card (default nes-rsa):\n"));
	for (p = perso_profiles; p->name; p++)
		fprintf(f, "                        %-9s %s\n", p->name, _(p->summary));
	fprintf(f,
	        _("  --name \"AD SOYAD\"   the holder of a personal card (default \"%s\")\n"
	          "  --org \"NAME\"        the organization of a seal card (default \"%s\")\n"
	          "  --tckn NUMBER       T.C. Kimlik No of the holder, 11 digits with valid check\n"
	          "                      digits (default: a generated valid number)\n"
	          "  --vkn NUMBER        tax number (VKN) of a seal's organization, 10 digits\n"
	          "                      (default: a generated number)\n"),
	        DEFAULT_PERSON, DEFAULT_ORG);
	fprintf(f,
	        _("  --pin-source SRC    where to read the PIN (default %s; 2.x: %u to %u digits,\n"
	          "                      1.2: %u to %u)\n"
	          "  --puk-source SRC    where to read the PUK (default %s; 2.x: %u to %u digits,\n"
	          "                      1.2: %u to %u)\n"
	          "                      SRC is fd:N (a line from file descriptor N), env:VAR\n"
	          "                      or file:PATH (its first line); never the PIN itself.\n"
	          "                      The same fd can give the PIN and the PUK as two lines.\n"),
	        DEFAULT_PIN, g2->pin_min, g2->pin_max, g12->pin_min, g12->pin_max, DEFAULT_PUK,
	        g2->puk_min, g2->puk_max, g12->puk_min, g12->puk_max);
	fprintf(f, _("  --atr ID|HEX        the card's ATR: one of the ATRs public sources list, by\n"
	             "                      ID, or any ATR in hex (2 to 33 bytes, checked). Default\n"
	             "                      %s (2.x) or %s (1.2). A 2.x card speaks the command\n"
	             "                      set of the version its ATR names: 2.0 to 2.2 have no EC.\n"
	             "                      IDs:\n"),
	        vcard_atr_default(VCARD_GEN_2)->id, vcard_atr_default(VCARD_GEN_1_2)->id);
	for (a = vcard_atrs; a->id; a++)
		fprintf(f, "                        %-22s %s\n", a->id, a->hex);
	fprintf(f,
	        _("  --protect-public-keys  (2.x) public-key objects answer 69 82 to GET DATA\n"
	          "  --days N            validity of the card's certificates in days (default %u)\n"
	          "  --not-before TIME   start of validity: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or\n"
	          "                      @SECONDS since 1970, UTC (default: now)\n"
	          "  --serial HEX        the card's 8-byte serial number, 16 hex digits\n"
	          "                      (default: random)\n"
	          "  --seed N            derive the serials, default numbers and certificate\n"
	          "                      serials from N (keys are always random)\n"
	          "  --force             replace an existing IMAGE\n"
	          "  -h, --help          show this help\n"),
	        DEFAULT_DAYS);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fprintf(stderr, _("Try 'eimza-vcard init --help'.\n"));
	return 2;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[Z] (UTC) or @SECONDS. */
static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	char *end;
	unsigned long v;

	if (s[0] == '@') {
		if (parse_uint(s + 1, (unsigned long)LONG_MAX, &v) < 0)
			return -1;
		*out = (time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -1;
	if (*end == 'T' || *end == ' ') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (!end)
			return -1;
		if (*end == 'Z')
			end++;
	}
	if (*end || tm.tm_year < 70 || tm.tm_year > 8000)
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const char *tckn_problem(tckn_status st)
{
	switch (st) {
	case TCKN_BAD_LENGTH:
		return _("it must be exactly 11 digits");
	case TCKN_NOT_DIGITS:
		return _("it must contain digits only");
	case TCKN_LEADING_ZERO:
		return _("it cannot start with 0");
	case TCKN_BAD_CHECK10:
		return _("the 10th (check) digit is wrong");
	case TCKN_BAD_CHECK11:
		return _("the 11th (check) digit is wrong");
	default:
		return "";
	}
}

/* --atr ID (a named evidence ATR) or HEX (any well-formed ATR). */
static int parse_atr(const char *arg, struct options *o)
{
	char why[160];
	long n;

	o->atr_named = vcard_atr_by_id(arg);
	o->atr_len = 0;
	if (o->atr_named)
		return 0;
	n = ez_hex_decode(arg, o->atr, sizeof(o->atr));
	if (n < 0) {
		usage_error(_("--atr wants an ID (see --help) or an ATR in hex, not \"%s\""), arg);
		return -1;
	}
	if (vcard_atr_check(o->atr, (size_t)n, why, sizeof(why)) < 0) {
		usage_error(_("--atr %s is not a well-formed ATR: %s"), arg, why);
		return -1;
	}
	o->atr_len = (size_t)n;
	return 0;
}

/* The generation: --generation, else the named ATR's, else 2. Then what
 * the generation and the ATR allow. */
static int check_generation(struct options *o)
{
	const uint8_t *atr = o->atr_len ? o->atr : NULL;
	uint8_t named[VCARD_MAX_ATR];
	size_t atr_len = o->atr_len;
	struct vcard_atr_info info;

	if (o->atr_named && o->gen && o->atr_named->gen != o->gen->gen) {
		usage_error(_("ATR %s is an ATR of %s cards: give --generation %s, or "
		              "another --atr"),
		            o->atr_named->id, perso_gen_get(o->atr_named->gen)->title,
		            perso_gen_get(o->atr_named->gen)->name);
		return -1;
	}
	if (!o->gen)
		o->gen = perso_gen_get(o->atr_named ? o->atr_named->gen : VCARD_GEN_2);
	if (o->protect_public_keys && o->gen->gen != VCARD_GEN_2) {
		usage_error("%s", _("--protect-public-keys is for AKIS 2.x cards: a 1.2 card "
		                    "keeps its public keys in PKCS#15 files"));
		return -1;
	}
	if (!perso_profile_has_ec(o->profile))
		return 0;
	if (o->gen->gen == VCARD_GEN_1_2) {
		usage_error(_("profile %s has elliptic-curve keys, which AKIS 1.2 cards do not "
		              "have (no public source shows EC before AKIS 2.5): use "
		              "--generation 2, or profile nes-rsa or seal-rsa"),
		            o->profile->name);
		return -1;
	}
	if (o->atr_named) {
		atr_len = (size_t)ez_hex_decode(o->atr_named->hex, named, sizeof(named));
		atr = named;
	}
	if (atr && !vcard_atr_gen2_has_ec(atr, atr_len)) {
		vcard_atr_describe(atr, atr_len, &info);
		usage_error(_("profile %s has elliptic-curve keys, which AKIS %u.%u cards do not "
		              "have (EC came with AKIS 2.5): choose an ATR of version 2.5 or later, "
		              "or profile nes-rsa or seal-rsa"),
		            o->profile->name, info.major, info.minor);
		return -1;
	}
	return 0;
}

enum {
	OPT_PROFILE = 256,
	OPT_NAME,
	OPT_ORG,
	OPT_TCKN,
	OPT_VKN,
	OPT_PIN_SOURCE,
	OPT_PUK_SOURCE,
	OPT_ATR,
	OPT_GENERATION,
	OPT_PROTECT_PUBLIC_KEYS,
	OPT_DAYS,
	OPT_NOT_BEFORE,
	OPT_SERIAL,
	OPT_SEED,
	OPT_FORCE,
};

static const struct option long_opts[] = {
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"name", required_argument, NULL, OPT_NAME},
    {"org", required_argument, NULL, OPT_ORG},
    {"tckn", required_argument, NULL, OPT_TCKN},
    {"vkn", required_argument, NULL, OPT_VKN},
    {"pin-source", required_argument, NULL, OPT_PIN_SOURCE},
    {"puk-source", required_argument, NULL, OPT_PUK_SOURCE},
    {"atr", required_argument, NULL, OPT_ATR},
    {"generation", required_argument, NULL, OPT_GENERATION},
    {"protect-public-keys", no_argument, NULL, OPT_PROTECT_PUBLIC_KEYS},
    {"days", required_argument, NULL, OPT_DAYS},
    {"not-before", required_argument, NULL, OPT_NOT_BEFORE},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"force", no_argument, NULL, OPT_FORCE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* 0 parsed, 1 --help shown, 2 usage error (reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
	unsigned long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->profile = perso_profile_by_name("nes-rsa");
	o->days = DEFAULT_DAYS;
	optind = 0; /* glibc: full re-initialization, argv[0] is skipped */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_PROFILE:
			o->profile = perso_profile_by_name(optarg);
			if (!o->profile)
				return usage_error(_("unknown profile \"%s\" (see --help)"),
				                   optarg);
			break;
		case OPT_NAME:
			o->name = optarg;
			break;
		case OPT_ORG:
			o->org = optarg;
			break;
		case OPT_TCKN:
			o->tckn = optarg;
			break;
		case OPT_VKN:
			o->vkn = optarg;
			break;
		case OPT_PIN_SOURCE:
			o->pin_source = optarg;
			break;
		case OPT_PUK_SOURCE:
			o->puk_source = optarg;
			break;
		case OPT_ATR:
			if (parse_atr(optarg, o) < 0)
				return 2;
			break;
		case OPT_GENERATION:
			o->gen = perso_gen_by_name(optarg);
			if (!o->gen)
				return usage_error(_("--generation wants 1.2 or 2, not \"%s\""),
				                   optarg);
			break;
		case OPT_PROTECT_PUBLIC_KEYS:
			o->protect_public_keys = true;
			break;
		case OPT_DAYS:
			if (parse_uint(optarg, MAX_DAYS, &v) < 0 || v == 0)
				return usage_error(
				    _("--days wants a number of days from 1 to 36500, "
				      "not \"%s\""),
				    optarg);
			o->days = (unsigned)v;
			break;
		case OPT_NOT_BEFORE:
			if (parse_time(optarg, &o->not_before) < 0)
				return usage_error(
				    _("--not-before wants YYYY-MM-DD, "
				      "YYYY-MM-DDTHH:MM:SSZ or @SECONDS, not \"%s\""),
				    optarg);
			o->have_not_before = true;
			break;
		case OPT_SERIAL:
			if (ez_hex_decode(optarg, o->serial, sizeof(o->serial)) !=
			    (long)sizeof(o->serial))
				return usage_error(_("--serial wants 8 bytes as 16 hex digits, "
				                     "not \"%s\""),
				                   optarg);
			o->have_serial = true;
			break;
		case OPT_SEED:
			if (parse_uint(optarg, ULONG_MAX, &v) < 0)
				return usage_error(
				    _("--seed wants a non-negative number, not \"%s\""), optarg);
			o->seeded = true;
			o->seed = v;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			return usage_error(_("option %s needs a value"), argv[optind - 1]);
		default:
			return usage_error(_("unknown option %s"), argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", _("the IMAGE to write is missing"));
	if (optind + 1 < argc)
		return usage_error(_("unexpected argument \"%s\" (one IMAGE only; a PIN is "
		                     "never given on the command line)"),
		                   argv[optind + 1]);
	o->image = argv[optind];
	if (!*o->image)
		return usage_error("%s", _("the IMAGE name is empty"));
	if (check_generation(o) < 0)
		return 2;

	if (o->profile->seal) {
		if (o->name)
			return usage_error(_("profile %s is an organization seal: give --org, "
			                     "not --name"),
			                   o->profile->name);
		if (o->tckn)
			return usage_error(_("profile %s is an organization seal: give --vkn, "
			                     "not --tckn"),
			                   o->profile->name);
		if (o->vkn && !all_digits(o->vkn, VKN_LEN))
			return usage_error(_("--vkn wants a 10-digit tax number, not \"%s\""),
			                   o->vkn);
	} else {
		if (o->org)
			return usage_error(_("profile %s is a personal card: give --name, "
			                     "not --org"),
			                   o->profile->name);
		if (o->vkn)
			return usage_error(_("profile %s is a personal card: give --tckn, "
			                     "not --vkn"),
			                   o->profile->name);
		if (o->tckn && !tckn_valid(o->tckn)) {
			fprintf(stderr, _("%s: --tckn \"%s\" is not a valid T.C. Kimlik No: %s\n"),
			        PROG, o->tckn, tckn_problem(tckn_check(o->tckn)));
			return 2;
		}
	}
	if ((o->name && !*o->name) || (o->org && !*o->org))
		return usage_error("%s", _("the holder's name is empty"));
	return 0;
}

/* Nine random digits, the first not 0, completed with the check digits. */
static int generate_tckn(struct perso_rng *rng, char out[12])
{
	uint8_t r[9];
	char first9[10];
	size_t i;

	if (perso_rng_bytes(rng, r, sizeof(r)) < 0)
		return -1;
	for (i = 0; i < 9; i++)
		first9[i] = (char)('0' + (i == 0 ? 1 + r[i] % 9 : r[i] % 10));
	first9[9] = '\0';
	return tckn_complete(first9, out);
}

static int generate_vkn(struct perso_rng *rng, char out[VKN_LEN + 1])
{
	uint8_t r[VKN_LEN];
	size_t i;

	if (perso_rng_bytes(rng, r, sizeof(r)) < 0)
		return -1;
	for (i = 0; i < VKN_LEN; i++)
		out[i] = (char)('0' + r[i] % 10);
	out[VKN_LEN] = '\0';
	return 0;
}

/* The holder's number: the T.C. Kimlik No or VKN given, or a generated one. */
static int holder_number(const struct options *o, struct perso_rng *rng, char id[VKN_LEN + 12])
{
	const char *given = o->profile->seal ? o->vkn : o->tckn;

	if (given) {
		snprintf(id, VKN_LEN + 12, "%s", given); /* checked: 10 or 11 digits */
		return 0;
	}
	return o->profile->seal ? generate_vkn(rng, id) : generate_tckn(rng, id);
}

/* Read the PIN and PUK from their sources, or take the defaults. */
static int read_secrets(const struct options *o, char *pin, size_t *pin_len, char *puk,
                        size_t *puk_len)
{
	const struct perso_gen *g = o->gen;
	char err[512];

	if (o->pin_source) {
		if (perso_read_secret(o->pin_source, "PIN", g->pin_min, g->pin_max, pin,
		                      PERSO_SECRET_MAX + 1, pin_len, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			return -1;
		}
	} else {
		*pin_len = strlen(DEFAULT_PIN);
		memcpy(pin, DEFAULT_PIN, *pin_len + 1);
	}
	if (o->puk_source) {
		if (perso_read_secret(o->puk_source, "PUK", g->puk_min, g->puk_max, puk,
		                      PERSO_SECRET_MAX + 1, puk_len, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			return -1;
		}
	} else {
		*puk_len = strlen(DEFAULT_PUK);
		memcpy(puk, DEFAULT_PUK, *puk_len + 1);
	}
	return 0;
}

static int write_pems(const struct perso_pki *pki, const char *image)
{
	static const struct {
		enum perso_pem_kind kind;
		const char *suffix;
	} files[] = {
	    {PERSO_PEM_ROOTS, ".roots.pem"},
	    {PERSO_PEM_CAS, ".ca.pem"},
	    {PERSO_PEM_CERTS, ".certs.pem"},
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t n = strlen(image) + strlen(files[i].suffix) + 1;
		char *path = malloc(n);
		int rc;

		if (!path) {
			fprintf(stderr, _("%s: out of memory\n"), PROG);
			return -1;
		}
		snprintf(path, n, "%s%s", image, files[i].suffix);
		rc = perso_pki_write_pem(pki, files[i].kind, path);
		if (rc < 0)
			fprintf(stderr, _("%s: cannot write %s: %s\n"), PROG, path,
			        strerror(errno));
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int vcard_perso_main(int argc, char **argv)
{
	struct options o;
	struct perso_rng rng;
	struct perso_holder holder;
	struct perso_pki pki;
	struct perso_card_input in;
	char pin[PERSO_SECRET_MAX + 1], puk[PERSO_SECRET_MAX + 1];
	char id[VKN_LEN + 12], err[512], serial_hex[2 * VCARD_SERIAL_LEN + 1];
	char atr_hex[2 * VCARD_MAX_ATR + 1];
	uint8_t serial2[VCARD_SERIAL_LEN], named_atr[VCARD_MAX_ATR];
	long n;
	size_t pin_len = 0, puk_len = 0;
	struct stat st;
	vcard *card = NULL;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (!o.force && lstat(o.image, &st) == 0) {
		fprintf(stderr, _("%s: %s exists; give --force to replace it\n"), PROG, o.image);
		return 1;
	}
	memset(&pki, 0, sizeof(pki));
	if (read_secrets(&o, pin, &pin_len, puk, &puk_len) < 0) {
		rc = 1;
		goto out;
	}

	perso_rng_init(&rng, o.seeded, o.seed);
	holder.seal = o.profile->seal;
	holder.name =
	    o.profile->seal ? (o.org ? o.org : DEFAULT_ORG) : (o.name ? o.name : DEFAULT_PERSON);
	if (holder_number(&o, &rng, id) < 0) {
		fprintf(stderr, _("%s: cannot generate the holder's number\n"), PROG);
		rc = 1;
		goto out;
	}
	holder.id = id;
	if ((!o.have_serial && perso_rng_bytes(&rng, o.serial, sizeof(o.serial)) < 0) ||
	    perso_rng_bytes(&rng, serial2, sizeof(serial2)) < 0) {
		fprintf(stderr, _("%s: cannot generate a serial number\n"), PROG);
		rc = 1;
		goto out;
	}
	if (!o.have_not_before)
		o.not_before = time(NULL) - 60; /* a little slack for clocks behind ours */

	if (perso_pki_generate(o.profile, &holder, o.not_before, o.days, &rng, &pki, err,
	                       sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		rc = 1;
		goto out;
	}

	memset(&in, 0, sizeof(in));
	in.gen = o.gen;
	if (o.atr_named) {
		n = ez_hex_decode(o.atr_named->hex, named_atr, sizeof(named_atr));
		in.atr = named_atr;
		in.atr_len = n > 0 ? (size_t)n : 0;
	} else if (o.atr_len) {
		in.atr = o.atr;
		in.atr_len = o.atr_len;
	}
	memcpy(in.serial, o.serial, sizeof(in.serial));
	memcpy(in.serial2, serial2, sizeof(in.serial2));
	in.protect_public_keys = o.protect_public_keys;
	in.label = holder.name;
	in.pin = pin;
	in.pin_len = pin_len;
	in.puk = puk;
	in.puk_len = puk_len;
	in.pki = &pki;
	rc = perso_card_build(&in, &card, err, sizeof(err));
	ez_wipe(pin, sizeof(pin)); /* the card has them now */
	ez_wipe(puk, sizeof(puk));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		rc = 1;
		goto out;
	}

	/* The CA files first: an image on disk always has its chain beside it. */
	if (write_pems(&pki, o.image) < 0) {
		rc = 1;
		goto out;
	}
	if (vcard_save(card, o.image) < 0) {
		fprintf(stderr, _("%s: cannot save the card to %s: %s\n"), PROG, o.image,
		        strerror(errno));
		rc = 1;
		goto out;
	}

	ez_hex_encode(o.serial, sizeof(o.serial), serial_hex);
	ez_hex_encode(o.atr, o.atr_len, atr_hex);
	printf(_("%s: %s card, profile %s, %u key(s), holder \"%s\" (%s %s), serial %s, "
	         "ATR %s\n"),
	       o.image, o.gen->title, o.profile->name, (unsigned)pki.n, holder.name,
	       o.profile->seal ? "VKN" : "TCKN", holder.id, serial_hex,
	       o.atr_named ? o.atr_named->id
	                   : (o.atr_len ? atr_hex : vcard_atr_default(o.gen->gen)->id));
	rc = 0;
out:
	ez_wipe(pin, sizeof(pin));
	ez_wipe(puk, sizeof(puk));
	if (card)
		vcard_free(card);
	perso_pki_free(&pki);
	return rc;
}
