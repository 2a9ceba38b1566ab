/*
 * onay-main.c: eimza-onay login | approve | verify, the options.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "eimza/tckn.h"
#include "tools/common/tool.h"
#include "tools/onay/onay-verify.h"
#include "tools/onay/onay.h"

static void usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: eimza-onay login --code CODE [OPTION]...\n"
	          "       eimza-onay approve --code CODE [--decline] [OPTION]...\n"
	          "       eimza-onay verify FILE [OPTION]...\n"
	          "Sign the statements of Kamu SM's e-imzalı giriş and e-onay with an e-signature\n"
	          "card, bound to the one-time verification code the web page shows, as a record\n"
	          "anyone can verify; and verify them. Kamu SM's portal does not take this file:\n"
	          "it speaks its own protocol with its own application.\n\n"
	          "  login                 sign the login statement (e-imzalı giriş)\n"
	          "  approve               sign the e-onay: KABUL EDİYORUM (--decline: KABUL ETMİYORUM)\n"
	          "  verify FILE           check a signature (CAdES-BES, .p7s, PEM or base64)\n\n"
	          "Signing:\n"
	          "  -c, --code CODE             the 15-digit verification code (Doğrulama Kodu)\n"
	          "  -n, --tckn N                use the certificate of this T.C. Kimlik No only\n"
	          "      --cert LABEL|ID         use this certificate (label or CKA_ID in hex)\n"
	          "      --text TEXT             sign this statement instead of the fixed text\n"
	          "      --decline               (approve) record KABUL ETMİYORUM\n"
	          "  -w, --window SECONDS        the code's validity (default 300); no signature after it\n"
	          "      --created TIME          when the code was shown (default: now)\n"
	          "  -o, --output FILE           where to write the .p7s (default KIND-CODE.p7s)\n"
	          "      --base64                also print the signature in base64 on stdout\n"
	          "  -m, --module NAME|PATH      PKCS#11 module (default: eimza through p11-kit)\n"
	          "  -s, --slot N                use the card in slot N\n"
	          "  -t, --token LABEL|SERIAL    use the card with this label or serial number\n"
	          "      --pin-source SRC        PIN from SRC: fd:N, env:VAR or file:PATH\n\n"
	          "Verifying (Kamu SM's roots and NES issuing CA are built in):\n"
	          "      --ca FILE               also trust these root certificates (PEM)\n"
	          "      --no-default-ca         trust only --ca, not Kamu SM's built-in roots\n"
	          "      --untrusted FILE        issuing CA certificates to build the chain (PEM)\n"
	          "  -c, --code CODE             require this verification code\n"
	          "  -n, --tckn N                require this T.C. Kimlik No\n"
	          "      --text TEXT             require this text\n"
	          "      --expect login|approve|decline   require this statement\n"
	          "      --at TIME               check the certificates at TIME (default: now)\n"
	          "  -w, --window SECONDS        the code's window (default 300)\n"
	          "      --json                  the report as JSON\n\n"
	          "  -h, --help                  this help\n"
	          "  -V, --version               version\n\n"
	          "TIME is YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @SECONDS, in UTC. Times are shown\n"
	          "in local time with the UTC offset, and in UTC with --json.\n"
	          "Exit status: 0 ok, 1 failure, 2 usage, 3 no card or certificate, 4 wrong PIN,\n"
	          "5 PIN blocked, 6 signature does not verify, 7 module not loadable, 8 window\n"
	          "closed, 9 not an eimza-onay signature, 10 untrusted certificate, 11 not a\n"
	          "qualified certificate, 12 other code, 13 other text, 14 other T.C. Kimlik No,\n"
	          "15 the smart card service (pcscd) is not running.\n"));
}

enum {
	OPT_CERT = 256,
	OPT_TEXT,
	OPT_DECLINE,
	OPT_CREATED,
	OPT_BASE64,
	OPT_PIN,
	OPT_CA,
	OPT_NO_DEFAULT_CA,
	OPT_UNTRUSTED,
	OPT_EXPECT,
	OPT_AT,
	OPT_JSON,
};

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"code", required_argument, NULL, 'c'},
	    {"tckn", required_argument, NULL, 'n'},
	    {"cert", required_argument, NULL, OPT_CERT},
	    {"text", required_argument, NULL, OPT_TEXT},
	    {"decline", no_argument, NULL, OPT_DECLINE},
	    {"window", required_argument, NULL, 'w'},
	    {"created", required_argument, NULL, OPT_CREATED},
	    {"output", required_argument, NULL, 'o'},
	    {"base64", no_argument, NULL, OPT_BASE64},
	    {"module", required_argument, NULL, 'm'},
	    {"slot", required_argument, NULL, 's'},
	    {"token", required_argument, NULL, 't'},
	    {"pin-source", required_argument, NULL, OPT_PIN},
	    {"ca", required_argument, NULL, OPT_CA},
	    {"no-default-ca", no_argument, NULL, OPT_NO_DEFAULT_CA},
	    {"untrusted", required_argument, NULL, OPT_UNTRUSTED},
	    {"expect", required_argument, NULL, OPT_EXPECT},
	    {"at", required_argument, NULL, OPT_AT},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct onay_opts o = {.window = ONAY_DEFAULT_WINDOW, .kind = ONAY_LOGIN};
	bool decline = false;
	char code[ONAY_CODE_DIGITS + 1], tckn[12];
	int c;

	ez_i18n_init();
	opterr = 0; /* our own error line, naming the option */
	while ((c = getopt_long(argc, argv, ":c:n:w:o:m:s:t:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.code = optarg;
			break;
		case 'n':
			o.tckn = optarg;
			break;
		case OPT_CERT:
			o.cert = optarg;
			break;
		case OPT_TEXT:
			o.text = optarg;
			break;
		case OPT_DECLINE:
			decline = true;
			break;
		case 'w': {
			unsigned long w;
			if (ez_parse_number(optarg, 1, 86400, &w) < 0)
				return ez_usage_error(
				    ONAY_PROG, _("--window wants seconds between 1 and 86400, not \"%s\""),
				    ez_arg_shown(optarg));
			o.window = (long)w;
			break;
		}
		case OPT_CREATED:
			if (onay_time_parse(optarg, &o.created) < 0)
				return ez_usage_error(
				    ONAY_PROG, _("--created: \"%s\" is not a time (YYYY-MM-DDTHH:MM:SSZ)"),
				    ez_arg_shown(optarg));
			o.created_set = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_BASE64:
			o.base64 = true;
			break;
		case 'm':
			o.module = optarg;
			break;
		case 's':
			if (ez_parse_slot(optarg, &(CK_SLOT_ID){0}) < 0)
				return ez_slot_error(ONAY_PROG, optarg);
			o.slot = optarg;
			break;
		case 't':
			o.token = optarg;
			break;
		case OPT_PIN:
			o.pin_src = optarg;
			break;
		case OPT_CA:
			o.ca = optarg;
			break;
		case OPT_NO_DEFAULT_CA:
			o.no_default_ca = true;
			break;
		case OPT_UNTRUSTED:
			o.untrusted = optarg;
			break;
		case OPT_EXPECT:
			o.expect = optarg;
			break;
		case OPT_AT:
			if (onay_time_parse(optarg, &o.at) < 0)
				return ez_usage_error(
				    ONAY_PROG, _("--at: \"%s\" is not a time (YYYY-MM-DDTHH:MM:SSZ)"),
				    ez_arg_shown(optarg));
			o.at_set = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return EZ_EXIT_OK;
		case 'V':
			ez_print_version(ONAY_PROG);
			return EZ_EXIT_OK;
		default:
			return ez_option_error(ONAY_PROG, c, argv, lo);
		}
	}
	const char *cmd = optind < argc ? argv[optind++] : NULL;
	bool verify = cmd && strcmp(cmd, "verify") == 0;
	bool approve = cmd && strcmp(cmd, "approve") == 0;
	if (!cmd)
		return ez_usage_error(ONAY_PROG, "%s",
		                      _("the command is missing: login, approve or verify"));
	if (!verify && !approve && strcmp(cmd, "login") != 0)
		return ez_usage_error(ONAY_PROG,
		                      _("unknown command \"%s\" (login, approve or verify)"),
		                      ez_arg_shown(cmd));
	if (verify)
		o.file = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return ez_usage_error(ONAY_PROG, _("unexpected argument \"%s\" after \"%s\""),
		                      ez_arg_shown(argv[optind]), cmd);

	/* checks that need no card */
	if (o.tckn) {
		tckn_status ts = onay_tckn_normalize(o.tckn, tckn);
		if (ts != TCKN_OK)
			return ez_usage_error(
			    ONAY_PROG,
			    ts == TCKN_BAD_CHECK10 || ts == TCKN_BAD_CHECK11
			        ? _("\"%s\" is not a T.C. Kimlik No: its check digits are wrong")
			        : _("\"%s\" is not a T.C. Kimlik No: 11 digits, the first not 0"),
			    ez_arg_shown(o.tckn));
		o.tckn = tckn;
	}
	if (o.code) {
		enum onay_problem p = onay_code_normalize(o.code, code);
		if (p != ONAY_OK)
			return ez_usage_error(ONAY_PROG, "%s", onay_problem_text(p));
		o.code = code;
	}
	if (o.text && onay_text_check(o.text) != ONAY_OK)
		return ez_usage_error(ONAY_PROG, "%s",
		                      onay_problem_text(onay_text_check(o.text)));

	if (verify) {
		if (!o.file)
			return ez_usage_error(ONAY_PROG, "%s", _("verify wants the signature file"));
		if (o.no_default_ca && !o.ca)
			return ez_usage_error(ONAY_PROG, "%s",
			                      _("--no-default-ca leaves no root to trust: give --ca "
			                        "ROOTS.pem"));
		if (decline || o.cert || o.output || o.base64 || o.created_set)
			return ez_usage_error(ONAY_PROG, "%s",
			                      _("--decline, --cert, --output, --base64 and --created "
			                        "are for signing"));
		if (o.expect) {
			if (strcmp(o.expect, "login") == 0)
				o.kind = ONAY_LOGIN;
			else if (strcmp(o.expect, "approve") == 0)
				o.kind = ONAY_APPROVE;
			else if (strcmp(o.expect, "decline") == 0)
				o.kind = ONAY_DECLINE;
			else
				return ez_usage_error(
				    ONAY_PROG, _("--expect wants login, approve or decline, not \"%s\""),
				    ez_arg_shown(o.expect));
			if (o.text)
				return ez_usage_error(ONAY_PROG, "%s",
				                      _("give --expect or --text, not both"));
		}
		return onay_cmd_verify(&o);
	}
	if (!o.code)
		return ez_usage_error(ONAY_PROG, "%s",
		                      _("the verification code is missing: --code CODE (15 digits, "
		                        "from the web page)"));
	if (o.created_set && difftime(o.created, time(NULL)) > 60)
		return ez_usage_error(ONAY_PROG, "%s",
		                      _("--created lies in the future; give the time the page "
		                        "showed the code"));
	if (o.ca || o.no_default_ca || o.untrusted || o.expect || o.at_set || o.json)
		return ez_usage_error(ONAY_PROG, "%s",
		                      _("--ca, --no-default-ca, --untrusted, --expect, --at and --json "
		                        "are for verify"));
	if (decline && !approve)
		return ez_usage_error(ONAY_PROG, "%s", _("--decline goes with approve"));
	if (decline && o.text)
		return ez_usage_error(ONAY_PROG, "%s", _("give --decline or --text, not both"));
	char err[512];
	if (ez_secret_source_usable(o.pin_src, "--pin-source", err, sizeof err) < 0)
		return ez_usage_error(ONAY_PROG, "%s", err);
	o.kind = approve ? (decline ? ONAY_DECLINE : ONAY_APPROVE) : ONAY_LOGIN;
	return onay_cmd_sign(&o);
}
