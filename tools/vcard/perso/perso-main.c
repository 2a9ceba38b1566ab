/*
 * perso-main.c: `eimza-vcard init IMAGE --profile P ...`: options, checks,
 * and the order of the work (see perso.h). The PIN and PUK never come
 * from the command line: --pin-source / --puk-source name where to read
 * them (perso-secret.h); without them the documented test defaults apply.
 */
#include "config.h"

#include "perso.h"

#include <eimza/akis-profile.h>
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
	const struct akis_atr *atr;
	unsigned days;
	time_t not_before;
	bool have_not_before;
	uint8_t serial[AKIS_DATA_SERIAL_LEN];
	bool have_serial;
	bool seeded;
	uint64_t seed;
	bool force;
};

static void usage(FILE *f)
{
	const struct perso_profile *p;
	const struct akis_atr *a;

	fprintf(
	    f, _("Usage: eimza-vcard init IMAGE [OPTION]...\n"
	         "Personalize a new virtual AKIS card: generate a test PKI shaped like Kamu SM's,\n"
	         "write the PKCS#15 structure with CREATE and UPDATE BINARY, switch the card to\n"
	         "the user life cycle and save it to IMAGE. Writes IMAGE.roots.pem (root CAs),\n"
	         "IMAGE.ca.pem (issuing CAs) and IMAGE.certs.pem (the card's certificates).\n\n"));
	fprintf(f, _("Options:\n"
	             "  --profile P         what goes on the card (default nes-rsa):\n"));
	for (p = perso_profiles; p->name; p++)
		fprintf(f, "                        %-9s %s\n", p->name, p->summary);
	fprintf(f,
	        _("  --name \"AD SOYAD\"   the holder of a personal card (default \"%s\")\n"
	          "  --org \"NAME\"        the organization of a seal card (default \"%s\")\n"
	          "  --tckn NUMBER       T.C. Kimlik No of the holder, 11 digits with valid check\n"
	          "                      digits (default: a generated valid number)\n"
	          "  --vkn NUMBER        tax number (VKN) of a seal's organization, 10 digits\n"
	          "                      (default: a generated number)\n"),
	        DEFAULT_PERSON, DEFAULT_ORG);
	fprintf(f,
	        _("  --pin-source SRC    where to read the PIN (%u digits; default %s)\n"
	          "  --puk-source SRC    where to read the PUK (%u digits; default %s)\n"
	          "                      SRC is fd:N (a line from file descriptor N), env:VAR\n"
	          "                      or file:PATH (its first line); never the PIN itself.\n"
	          "                      The same fd can give the PIN and the PUK as two lines.\n"),
	        akis_profile.pin_max_len, DEFAULT_PIN, akis_profile.puk_max_len, DEFAULT_PUK);
	fprintf(f, _("  --atr ID            the card's ATR (default v1.2.2):"));
	for (a = akis_atrs; a->id; a++)
		fprintf(f, " %s", a->id);
	fprintf(f,
	        _("\n"
	          "  --days N            validity of the card's certificates in days (default %u)\n"
	          "  --not-before TIME   start of validity: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or\n"
	          "                      @SECONDS since 1970, UTC (default: now)\n"
	          "  --serial HEX        the card's 12-byte serial number, 24 hex digits\n"
	          "                      (default: random)\n"
	          "  --seed N            derive the serial, default numbers and certificate\n"
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

enum {
	OPT_PROFILE = 256,
	OPT_NAME,
	OPT_ORG,
	OPT_TCKN,
	OPT_VKN,
	OPT_PIN_SOURCE,
	OPT_PUK_SOURCE,
	OPT_ATR,
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
	o->atr = akis_atr_default();
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
			o->atr = akis_atr_by_id(optarg);
			if (!o->atr)
				return usage_error(_("unknown ATR \"%s\" (see --help)"), optarg);
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
				return usage_error(_("--serial wants 12 bytes as 24 hex digits, "
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
	const struct akis_profile *p = &akis_profile;
	char err[512];

	if (o->pin_source) {
		if (perso_read_secret(o->pin_source, "PIN", p->pin_min_len, p->pin_max_len, pin,
		                      PERSO_SECRET_MAX + 1, pin_len, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", PROG, err);
			return -1;
		}
	} else {
		*pin_len = strlen(DEFAULT_PIN);
		memcpy(pin, DEFAULT_PIN, *pin_len + 1);
	}
	if (o->puk_source) {
		if (perso_read_secret(o->puk_source, "PUK", p->puk_min_len, p->puk_max_len, puk,
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
	char id[VKN_LEN + 12], err[512], serial_hex[2 * AKIS_DATA_SERIAL_LEN + 1];
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
	if (!o.have_serial && perso_rng_bytes(&rng, o.serial, sizeof(o.serial)) < 0) {
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
	in.atr = o.atr;
	memcpy(in.serial, o.serial, sizeof(in.serial));
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
	printf(_("%s: profile %s, %u key(s), holder \"%s\" (%s %s), serial %s, ATR %s\n"), o.image,
	       o.profile->name, (unsigned)pki.n, holder.name, o.profile->seal ? "VKN" : "TCKN",
	       holder.id, serial_hex, o.atr->id);
	rc = 0;
out:
	ez_wipe(pin, sizeof(pin));
	ez_wipe(puk, sizeof(puk));
	if (card)
		vcard_free(card);
	perso_pki_free(&pki);
	return rc;
}
