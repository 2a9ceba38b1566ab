/*
 * pin-main.c: eimza-pin status | change | unlock.
 *
 * Every check that can be made without the card (the new PIN's digits and
 * length, the two entries matching, the PIN or PUK not being blocked) is
 * made before anything is sent, so no try is wasted on a typing mistake.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "eimza/secmem.h"
#include "tools/common/tool.h"

#define PROG "eimza-pin"

struct opts {
	const char *module, *slot, *token;
	const char *pin_src, *new_src, *puk_src;
	bool yes, last_try;
};

static void usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: eimza-pin [OPTION]... status|change|unlock\n"
	          "Show, change or unlock the PIN of an e-signature card.\n\n"
	          "  status            PIN and PUK state (tries left)\n"
	          "  change            change the PIN (current PIN, then the new one twice)\n"
	          "  unlock            unblock the PIN with the PUK and set a new PIN\n\n"
	          "  -m, --module NAME|PATH     PKCS#11 module (default: eimza through p11-kit)\n"
	          "  -s, --slot N               use the card in slot N\n"
	          "  -t, --token LABEL|SERIAL   use the card with this label or serial number\n"
	          "      --pin-source SRC       current PIN from SRC: fd:N, env:VAR or file:PATH\n"
	          "      --new-pin-source SRC   new PIN from SRC (asked once, not confirmed)\n"
	          "      --puk-source SRC       PUK from SRC\n"
	          "      --yes                  unlock: use a PUK try without asking (scripts)\n"
	          "      --last-try             unlock: allowed to use the last PUK try\n"
	          "  -h, --help                 this help\n"
	          "  -V, --version              version\n\n"
	          "Exit status: 0 ok, 1 failure, 2 usage, 3 no card, 4 wrong PIN/PUK,\n"
	          "5 PIN or PUK blocked, 7 module not loadable, 15 the smart card service\n"
	          "(pcscd) is not running.\n"));
}

static void token_flags(struct ez_module *m, CK_SLOT_ID slot, CK_FLAGS *fl)
{
	CK_TOKEN_INFO ti;
	if (m->f->C_GetTokenInfo(slot, &ti) == CKR_OK)
		*fl = ti.flags;
}

static int cmd_status(struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti)
{
	char label[33], pin[128], puk[128];
	struct ez_secret_state st;
	ez_p11_string(ti->label, sizeof ti->label, label, sizeof label);
	ez_secret_state_get(m, slot, ti, EZ_PIN, &st);
	ez_secret_state_describe(&st, pin, sizeof pin);
	ez_secret_state_get(m, slot, ti, EZ_PUK, &st);
	ez_secret_state_describe(&st, puk, sizeof puk);
	printf(_("Card: %s\n"), label);
	printf(_("PIN: %s\n"), pin);
	printf(_("PUK: %s\n"), puk);
	if (ez_secret_locked(ti->flags, EZ_PUK)) {
		printf("%s\n", _("The PUK is blocked: only your certificate provider can help; "
		                 "apply for a new card."));
		return EZ_EXIT_BLOCKED;
	}
	if (ez_secret_locked(ti->flags, EZ_PIN)) {
		printf("%s\n", _("The PIN is blocked: unlock it with your PUK: eimza-pin unlock"));
		return EZ_EXIT_BLOCKED;
	}
	return EZ_EXIT_OK;
}

/* The new PIN: from src once, or from the terminal twice. */
static int read_new_pin(const struct opts *o, const CK_TOKEN_INFO *ti, char *pin, size_t cap)
{
	char err[256], again[EZ_SECRET_MAX + 2];
	if (ez_secret_read(o->new_src, _("New PIN: "), pin, cap, err, sizeof err) < 0) {
		fprintf(stderr, "eimza-pin: %s\n", err);
		return EZ_EXIT_USAGE;
	}
	if (ez_secret_policy_check(pin, ti, EZ_PIN, err, sizeof err) < 0) { /* before the card */
		fprintf(stderr, _("eimza-pin: %s; nothing was sent to the card\n"), err);
		ez_wipe(pin, cap);
		return EZ_EXIT_USAGE;
	}
	if (o->new_src)
		return EZ_EXIT_OK;
	if (ez_secret_read(NULL, _("New PIN again: "), again, sizeof again, err, sizeof err) < 0) {
		fprintf(stderr, "eimza-pin: %s\n", err);
		ez_wipe(pin, cap);
		return EZ_EXIT_USAGE;
	}
	bool same = strcmp(pin, again) == 0;
	ez_wipe(again, sizeof again);
	if (!same) {
		fprintf(stderr, "%s\n",
		        _("eimza-pin: the two new PINs differ; nothing was sent to the card"));
		ez_wipe(pin, cap);
		return EZ_EXIT_USAGE;
	}
	return EZ_EXIT_OK;
}

static int fail_rv(struct ez_module *m, CK_SLOT_ID slot, CK_RV rv, enum ez_secret_kind kind)
{
	CK_FLAGS fl = 0;
	char msg[256];
	token_flags(m, slot, &fl);
	ez_rv_message(rv, fl, kind, msg, sizeof msg);
	fprintf(stderr, "eimza-pin: %s\n", msg);
	if (rv == CKR_PIN_INCORRECT && ez_secret_locked(fl, kind))
		return EZ_EXIT_BLOCKED;
	return ez_rv_exit(rv);
}

static int cmd_change(struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
                      const struct opts *o)
{
	char old[EZ_SECRET_MAX + 2], neu[EZ_SECRET_MAX + 2], err[256], state[128];
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int ret;

	if (ez_secret_locked(ti->flags, EZ_PIN)) {
		fprintf(
		    stderr, "%s\n",
		    _("eimza-pin: the PIN is blocked; unlock it with your PUK: eimza-pin unlock"));
		return EZ_EXIT_BLOCKED;
	}
	rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		return fail_rv(m, slot, rv, EZ_PIN);
	/* A PIN-pad reader: every PIN is typed there (sources given win). */
	CK_FLAGS pad = o->pin_src || o->new_src ? 0 : ez_pinpad_use(m, slot, ti);
	if (pad & EZ_PINPAD_CHANGE) {
		printf(
		    "%s\n",
		    _("Type the current PIN and then the new PIN twice on the reader's keypad."));
		fflush(stdout);
		rv = m->f->C_SetPIN(s, NULL, 0, NULL, 0);
		ret = rv == CKR_OK ? EZ_EXIT_OK : fail_rv(m, slot, rv, EZ_PIN);
		goto out;
	}
	if (pad & EZ_PINPAD_VERIFY)
		printf("%s\n", _("This reader's keypad only checks PINs: the PIN is changed on the "
		                 "computer."));
	if (ti->flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)) {
		ez_secret_state_text(ti->flags, EZ_PIN, state, sizeof state);
		printf(_("PIN: %s\n"), state);
	}
	if (ez_secret_read(o->pin_src, _("Current PIN: "), old, sizeof old, err, sizeof err) < 0 ||
	    ez_secret_entered_check(old, ti, EZ_PIN, err, sizeof err) < 0) {
		ez_wipe(old, sizeof old);
		fprintf(stderr, "eimza-pin: %s\n", err);
		ret = EZ_EXIT_USAGE;
		goto out;
	}
	ret = read_new_pin(o, ti, neu, sizeof neu);
	if (ret != EZ_EXIT_OK) {
		ez_wipe(old, sizeof old);
		goto out;
	}
	rv = m->f->C_SetPIN(s, (CK_UTF8CHAR *)old, strlen(old), (CK_UTF8CHAR *)neu, strlen(neu));
	ez_wipe(old, sizeof old);
	ez_wipe(neu, sizeof neu);
	ret = rv == CKR_OK ? EZ_EXIT_OK : fail_rv(m, slot, rv, EZ_PIN);
out:
	if (ret == EZ_EXIT_OK)
		printf("%s\n", _("The PIN was changed."));
	m->f->C_CloseSession(s);
	return ret;
}

/* The user says yes on the terminal (nothing else counts as consent). */
static bool confirmed_on_tty(void)
{
	char line[32];
	FILE *tty = fopen("/dev/tty", "r+e");
	bool yes = false;

	if (!tty)
		return false;
	fprintf(tty, "%s", _("Type EVET (or YES) to use one PUK try now: "));
	fflush(tty);
	if (fgets(line, sizeof line, tty)) {
		line[strcspn(line, "\r\n")] = 0;
		yes = strcmp(line, "EVET") == 0 || strcmp(line, "evet") == 0 ||
		      strcmp(line, "YES") == 0 || strcmp(line, "yes") == 0;
	}
	fclose(tty);
	return yes;
}

/*
 * Kamu SM tells card holders not to use the PUK themselves: three wrong
 * PUKs make the card unusable for good. So before a PUK try is spent the
 * tries left are shown, the risk said in plain words, and the user must
 * agree (on the terminal, or --yes in a script); with one try left eimza-pin
 * refuses unless --last-try says the user knows.
 */
static int puk_consent(const struct ez_secret_state *st, const struct opts *o)
{
	char state[128];

	ez_secret_state_describe(st, state, sizeof state);
	printf(_("PUK: %s\n"), state);
	printf("%s\n",
	       _("WARNING: Kamu SM advises card holders not to use the PUK themselves. Three "
	         "wrong PUK entries make the card unusable for good, and a new card must be "
	         "bought. The safe way is the online unlocking (\"Kilit Çözme\") on Kamu SM's "
	         "web site. Go on only if you have the PUK from your card's PIN/PUK letter."));
	if (st->left <= 1 && !o->last_try) {
		fprintf(stderr, "%s\n",
		        _("eimza-pin: only one PUK try is left: a wrong PUK now destroys the card. "
		          "Nothing was sent. If you are certain of your PUK, run again with "
		          "--last-try; otherwise use Kamu SM's online unlocking."));
		return EZ_EXIT_USAGE;
	}
	if (o->yes)
		return EZ_EXIT_OK;
	if (!confirmed_on_tty()) {
		fprintf(stderr, "%s\n",
		        _("eimza-pin: not confirmed; nothing was sent to the card (in a script, "
		          "confirm with --yes)"));
		return EZ_EXIT_FAILURE;
	}
	return EZ_EXIT_OK;
}

static int cmd_unlock(struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
                      const struct opts *o)
{
	char puk[EZ_SECRET_MAX + 2], neu[EZ_SECRET_MAX + 2], err[256];
	struct ez_secret_state st;
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int ret;

	ez_secret_state_get(m, slot, ti, EZ_PUK, &st);
	if (st.blocked) {
		fprintf(stderr, "%s\n",
		        _("eimza-pin: the PUK is blocked too; the card cannot be unlocked. "
		          "Apply to your certificate provider (for Kamu SM: a new card)."));
		return EZ_EXIT_BLOCKED;
	}
	ret = puk_consent(&st, o);
	if (ret != EZ_EXIT_OK)
		return ret;
	rv = m->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		return fail_rv(m, slot, rv, EZ_PUK);
	/* A PIN-pad reader: the PUK and the new PIN are typed there. */
	CK_FLAGS pad = o->puk_src || o->new_src ? 0 : ez_pinpad_use(m, slot, ti);
	if (pad & EZ_PINPAD_CHANGE) {
		EZ_CARD_INFO ci;
		printf("%s\n", _("Type the PUK on the reader's keypad."));
		fflush(stdout);
		rv = m->f->C_Login(s, CKU_SO, NULL, 0);
		if (rv != CKR_OK) {
			ret = fail_rv(m, slot, rv, EZ_PUK);
			goto out;
		}
		/* An AKIS 1.x card's unblock command carries the PUK itself:
		 * the reader asks for it once more. */
		if (ez_card_info(m, slot, &ci) && strcmp(ci.dialect, "1.2") == 0)
			printf("%s\n", _("Type the PUK again, then the new PIN twice, on the "
			                 "reader's keypad."));
		else
			printf("%s\n", _("Type the new PIN twice on the reader's keypad."));
		fflush(stdout);
		rv = m->f->C_InitPIN(s, NULL, 0);
		m->f->C_Logout(s);
		ret = rv == CKR_OK ? EZ_EXIT_OK : fail_rv(m, slot, rv, EZ_PIN);
		goto out;
	}
	if (pad & EZ_PINPAD_VERIFY)
		printf("%s\n", _("This reader's keypad only checks PINs: the PUK and the new PIN "
		                 "are typed on the computer."));
	if (ez_secret_read(o->puk_src, _("PUK: "), puk, sizeof puk, err, sizeof err) < 0 ||
	    ez_secret_entered_check(puk, ti, EZ_PUK, err, sizeof err) < 0) {
		ez_wipe(puk, sizeof puk);
		fprintf(stderr, "eimza-pin: %s\n", err);
		ret = EZ_EXIT_USAGE;
		goto out;
	}
	ret = read_new_pin(o, ti, neu, sizeof neu);
	if (ret != EZ_EXIT_OK) {
		ez_wipe(puk, sizeof puk);
		goto out;
	}
	rv = m->f->C_Login(s, CKU_SO, (CK_UTF8CHAR *)puk, strlen(puk));
	ez_wipe(puk, sizeof puk);
	if (rv != CKR_OK) {
		ez_wipe(neu, sizeof neu);
		ret = fail_rv(m, slot, rv, EZ_PUK);
		goto out;
	}
	rv = m->f->C_InitPIN(s, (CK_UTF8CHAR *)neu, strlen(neu));
	ez_wipe(neu, sizeof neu);
	m->f->C_Logout(s);
	ret = rv == CKR_OK ? EZ_EXIT_OK : fail_rv(m, slot, rv, EZ_PIN);
out:
	if (ret == EZ_EXIT_OK)
		printf("%s\n", _("The PIN was unlocked and set to the new value."));
	m->f->C_CloseSession(s);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"module", required_argument, NULL, 'm'},
	    {"slot", required_argument, NULL, 's'},
	    {"token", required_argument, NULL, 't'},
	    {"pin-source", required_argument, NULL, 'P'},
	    {"new-pin-source", required_argument, NULL, 'N'},
	    {"puk-source", required_argument, NULL, 'U'},
	    {"yes", no_argument, NULL, 'Y'},
	    {"last-try", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {0};
	int c;

	ez_i18n_init();
	opterr = 0; /* our own error line, naming the option */
	while ((c = getopt_long(argc, argv, ":m:s:t:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.module = optarg;
			break;
		case 's':
			if (ez_parse_slot(optarg, &(CK_SLOT_ID){0}) < 0)
				return ez_slot_error(PROG, optarg);
			o.slot = optarg;
			break;
		case 't':
			o.token = optarg;
			break;
		case 'P':
			o.pin_src = optarg;
			break;
		case 'N':
			o.new_src = optarg;
			break;
		case 'U':
			o.puk_src = optarg;
			break;
		case 'Y':
			o.yes = true;
			break;
		case 'L':
			o.last_try = true;
			break;
		case 'h':
			usage(stdout);
			return EZ_EXIT_OK;
		case 'V':
			ez_print_version("eimza-pin");
			return EZ_EXIT_OK;
		default:
			return ez_option_error(PROG, c, argv, lo);
		}
	}
	const char *cmd = optind < argc ? argv[optind] : "status";
	if (strcmp(cmd, "status") && strcmp(cmd, "change") && strcmp(cmd, "unlock"))
		return ez_usage_error(PROG, _("unknown command \"%s\" (status, change or unlock)"),
		                      ez_arg_shown(cmd));
	if (optind + 1 < argc)
		return ez_usage_error(PROG, _("unexpected argument \"%s\" after \"%s\""),
		                      ez_arg_shown(argv[optind + 1]), cmd);
	/* every source readable before the module is loaded and the card read */
	char err[512];
	if (ez_secret_source_usable(o.pin_src, "--pin-source", err, sizeof err) < 0 ||
	    ez_secret_source_usable(o.new_src, "--new-pin-source", err, sizeof err) < 0 ||
	    ez_secret_source_usable(o.puk_src, "--puk-source", err, sizeof err) < 0)
		return ez_usage_error(PROG, "%s", err);

	struct ez_module m;
	int ret = ez_module_load(o.module, &m, err, sizeof err);
	if (ret != EZ_EXIT_OK) {
		fprintf(stderr, "eimza-pin: %s\n", err);
		return ret;
	}
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	ret = ez_token_pick(&m, o.slot, o.token, &slot, err, sizeof err);
	if (ret != EZ_EXIT_OK) {
		fprintf(stderr, "eimza-pin: %s\n", err);
	} else if ((ret = m.f->C_GetTokenInfo(slot, &ti)) != CKR_OK) {
		ret = fail_rv(&m, slot, (CK_RV)ret, EZ_PIN);
	} else if (strcmp(cmd, "status") == 0) {
		ret = cmd_status(&m, slot, &ti);
	} else if (strcmp(cmd, "change") == 0) {
		ret = cmd_change(&m, slot, &ti, &o);
	} else {
		ret = cmd_unlock(&m, slot, &ti, &o);
	}
	ez_module_unload(&m);
	return ret;
}
