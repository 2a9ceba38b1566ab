/*
 * info-main.c: eimza-info: readers, cards, PIN/PUK state and certificates,
 * for people (default) or scripts (--json); `eimza-info doctor` checks the
 * whole chain (info-doctor.c).
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eimza/hex.h"
#include "tools/common/tool-trust.h"
#include "tools/common/tool.h"
#include "tools/info/info.h"

#define PROG "eimza-info"

static void usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: eimza-info [OPTION]... [doctor|probe]\n"
	          "Show card readers, cards, PIN state and certificates; `doctor` checks\n"
	          "everything an e-signature needs and says how to fix what is wrong;\n"
	          "`probe` writes a report for a bug report about a card (read-only: no PIN\n"
	          "is asked or tried; names and T.C. Kimlik No are masked).\n\n"
	          "  -m, --module NAME|PATH     PKCS#11 module (default: eimza through p11-kit)\n"
	          "  -s, --slot N               only slot N\n"
	          "  -t, --token LABEL|SERIAL   only the card with this label or serial number\n"
	          "  -j, --json                 JSON output for scripts\n"
	          "      --sign-test            doctor: sign and verify once (asks for the PIN)\n"
	          "      --pin-source SRC       PIN for --sign-test: fd:N, env:VAR or file:PATH\n"
	          "  -h, --help                 this help\n"
	          "  -V, --version              version\n\n"
	          "Exit status: 0 ok, 1 failure, 2 usage, 3 no card, 4 wrong PIN,\n"
	          "5 PIN blocked, 6 a doctor check failed, 7 module not loadable,\n"
	          "15 the smart card service (pcscd) is not running.\n"));
}

const char *info_expiry_word(int e)
{
	switch (e) {
	case EZ_EXPIRY_RENEW:
		return "renew";
	case EZ_EXPIRY_EXPIRED:
		return "expired";
	case EZ_EXPIRY_NOT_YET:
		return "not-yet-valid";
	default:
		return "valid";
	}
}

static void json_secret(struct ez_json *j, const char *key, const struct ez_secret_state *st)
{
	ez_json_obj_begin(j, key);
	ez_json_int(j, "tries_left", st->left);
	ez_json_int(j, "max_tries", st->max);
	ez_json_bool(j, "exact", st->exact);
	ez_json_bool(j, "blocked", st->blocked);
	ez_json_obj_end(j);
}

/* A card the slot shows no token for: what eimza knows of it, or with
 * another module what PKCS#11 says (token_rv: why C_GetTokenInfo failed on
 * a slot that says a card is in it; CKR_OK when the slot has no card). */
static void show_no_token(const EZ_CARD_INFO *ci, bool known, CK_RV token_rv, struct ez_json *j)
{
	char atr[3 * sizeof ci->atr + 1];

	ez_hex_encode_spaced(ci->atr, ci->atr_len, atr);
	if (!known && token_rv != CKR_OK) {
		if (j) {
			ez_json_obj_begin(j, "card");
			ez_json_str(j, "state", "unreadable");
			ez_json_str(j, "error", ez_rv_name(token_rv));
			ez_json_obj_end(j);
		} else {
			printf(_("  A card is in this reader, but the module could not read it (%s).\n"
			         "  Take it out and put it back; if that does not help, the card or its "
			         "module is at fault.\n"),
			       ez_rv_name(token_rv));
		}
		return;
	}
	if (j) {
		static const char *const states[] = {"none", "token", "not-akis", "unsupported",
		                                     "unreadable"};
		if (!known || ci->state == EZ_CARD_NONE)
			return;
		ez_json_obj_begin(j, "card");
		ez_json_str(j, "state", ci->state < 5 ? states[ci->state] : "?");
		ez_json_str(j, "atr", atr);
		ez_json_str(j, "family", ci->family[0] ? ci->family : NULL);
		ez_json_str(j, "model", ci->model[0] ? ci->model : NULL);
		ez_json_obj_end(j);
		return;
	}
	if (!known || ci->state == EZ_CARD_NONE) {
		printf("  %s\n", _("No card in this reader."));
	} else if (ci->state == EZ_CARD_FOREIGN) {
		printf(_("  This card is not an AKIS card (ATR %s); eimza leaves it alone.\n"), atr);
	} else if (ci->state == EZ_CARD_UNSUPPORTED) {
		printf(_("  %s (ATR %s): this card generation is not supported.\n"), ci->model, atr);
	} else {
		printf(_("  %s (ATR %s): the card answers but its data could not be read.\n"
		         "  Run `eimza-info probe > report.txt` and attach the report to a bug "
		         "report.\n"),
		       ci->model, atr);
	}
}

/* The card's certificates as OpenSSL objects: the chain check may need an
 * issuing CA the card carries. */
static STACK_OF(X509) *card_certs(const struct ez_token_cert *certs, size_t n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	for (size_t i = 0; sk && i < n; i++) {
		const unsigned char *p = certs[i].der;
		X509 *x = d2i_X509(NULL, &p, (long)certs[i].der_len);
		if (x && !sk_X509_push(sk, x))
			X509_free(x);
	}
	return sk;
}

/* Whether c chains to Kamu SM's roots that eimza ships: root gets the
 * root's name. */
static bool kamusm_chain(const struct ez_token_cert *c, STACK_OF(X509) *card, char *root,
                         size_t cap)
{
	const unsigned char *p = c->der;
	X509 *x = d2i_X509(NULL, &p, (long)c->der_len);
	bool ok = x && ez_kamusm_chains(x, card, root, cap);
	X509_free(x);
	return ok;
}

static void show_cert(struct ez_json *j, const struct ez_token_cert *c, STACK_OF(X509) *card,
                      time_t now)
{
	const struct ez_cert_info *ci = &c->info;
	char root[256] = "", policies[512];
	bool kamusm = c->parsed && kamusm_chain(c, card, root, sizeof root);
	char idhex[sizeof c->id * 2 + 1], nb[EZ_TIME_TEXT], na[EZ_TIME_TEXT];
	ez_hex_encode(c->id, c->id_len, idhex);
	long days = 0;
	enum ez_expiry e = ez_expiry_classify(ci->not_before, ci->not_after, now, &days);
	/* UTC for scripts, the local time with its offset for people */
	void (*fmt)(time_t, char *, size_t) = j ? ez_format_utc_time : ez_format_local_time;
	fmt(ci->not_before, nb, sizeof nb);
	fmt(ci->not_after, na, sizeof na);
	if (j) {
		ez_json_obj_begin(j, NULL);
		ez_json_str(j, "label", c->label);
		ez_json_str(j, "id", idhex);
		ez_json_bool(j, "parsed", c->parsed);
		if (c->parsed) {
			ez_json_str(j, "holder", ci->subject_cn);
			ez_json_str(j, "serial_number", ci->serial_number);
			ez_json_str(j, "tckn", ci->tckn[0] ? ci->tckn : NULL);
			ez_json_bool(j, "tckn_valid", ci->tckn_valid);
			ez_json_str(j, "organization",
			            ci->organization[0] ? ci->organization : NULL);
			ez_json_str(j, "issuer", ci->issuer_cn);
			ez_json_str(j, "certificate_serial", ci->cert_serial);
			ez_json_str(j, "key_type", ci->key_type);
			ez_json_int(j, "key_bits", ci->key_bits);
			ez_json_str(j, "curve", ci->curve[0] ? ci->curve : NULL);
			ez_json_str(j, "not_before", nb);
			ez_json_str(j, "not_after", na);
			ez_json_int(j, "days_left", days);
			ez_json_str(j, "status", info_expiry_word(e));
			ez_json_arr_begin(j, "policies");
			for (int k = 0; k < ci->npolicies; k++) {
				ez_json_obj_begin(j, NULL);
				ez_json_str(j, "oid", ci->policy[k]);
				ez_json_str(j, "name", ez_policy_name(ci->policy[k]));
				ez_json_obj_end(j);
			}
			ez_json_arr_end(j);
			ez_json_bool(j, "kamusm_chain", kamusm);
			ez_json_str(j, "kamusm_root", kamusm ? root : NULL);
		}
		ez_json_obj_end(j);
		return;
	}
	printf(_("  Certificate \"%s\" (id %s)\n"), c->label, idhex);
	if (!c->parsed) {
		printf("    %s\n", _("(the certificate could not be read)"));
		return;
	}
	printf(_("    Holder:          %s\n"), ci->subject_cn);
	if (ci->tckn[0])
		printf(_("    T.C. Kimlik No:  %s%s\n"), ci->tckn,
		       ci->tckn_valid ? "" : _(" (check digits wrong)"));
	else if (ci->serial_number[0])
		printf(_("    Serial number:   %s\n"), ci->serial_number);
	if (ci->organization[0])
		printf(_("    Organization:    %s\n"), ci->organization);
	printf(_("    Issuer:          %s\n"), ci->issuer_cn);
	if (kamusm)
		printf(_("    Trust:           chains to Kamu SM's root \"%s\"\n"), root);
	else
		printf("    %s\n", _("Trust:           does not chain to Kamu SM's roots (another "
		                     "provider's or a test certificate)"));
	ez_policies_text(ci, policies, sizeof policies);
	if (policies[0])
		printf(_("    Policy:          %s\n"), policies);
	if (ci->curve[0])
		printf(_("    Key:             %s %d bits (%s)\n"), ci->key_type, ci->key_bits,
		       ci->curve);
	else
		printf(_("    Key:             %s %d bits\n"), ci->key_type, ci->key_bits);
	printf(_("    Valid:           %s to\n"
	         "                     %s\n"),
	       nb, na);
	switch (e) {
	case EZ_EXPIRY_EXPIRED:
		printf(_("    ERROR: expired %ld days ago; signatures made with it are not valid. "
		         "Get a new certificate.\n"),
		       -days);
		break;
	case EZ_EXPIRY_NOT_YET:
		printf("    %s\n", _("WARNING: not valid yet (check the computer's clock)"));
		break;
	case EZ_EXPIRY_RENEW:
		printf(_("    Days left:       %ld\n"), days);
		printf("    %s\n", _("NOTICE: the renewal window is open (from 3 months before "
		                     "expiry): renew your certificate now."));
		break;
	default:
		printf(_("    Days left:       %ld\n"), days);
	}
}

static int show_slot(struct ez_module *m, CK_SLOT_ID id, struct ez_json *j, time_t now)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	EZ_CARD_INFO ci;
	struct ez_secret_state pin_st, puk_st;
	char desc[65], label[33], serial[17], model[17], manuf[33], st[128];
	if (m->f->C_GetSlotInfo(id, &si) != CKR_OK)
		return 0;
	bool known = ez_card_info(m, id, &ci);
	ez_p11_string(si.slotDescription, sizeof si.slotDescription, desc, sizeof desc);
	CK_RV token_rv = (si.flags & CKF_TOKEN_PRESENT) ? m->f->C_GetTokenInfo(id, &ti) : CKR_OK;
	bool present = (si.flags & CKF_TOKEN_PRESENT) && token_rv == CKR_OK;
	/* An uninitialized token without a label (SoftHSM's spare slot) has no
	 * PIN to report; a module that merely forgets the flag still shows. */
	if (present && !(ti.flags & CKF_TOKEN_INITIALIZED)) {
		ez_p11_string(ti.label, sizeof ti.label, label, sizeof label);
		present = label[0] != 0;
	}
	if (j) {
		ez_json_obj_begin(j, NULL);
		ez_json_int(j, "slot", (long long)id);
		ez_json_str(j, "reader", desc);
		ez_json_bool(j, "card_present", present);
	} else {
		printf(_("Slot %lu: %s\n"), (unsigned long)id, desc);
	}
	if (!present) {
		show_no_token(&ci, known, token_rv, j);
		if (j)
			ez_json_obj_end(j);
		return 0;
	}
	ez_secret_state_get(m, id, &ti, EZ_PIN, &pin_st);
	ez_secret_state_get(m, id, &ti, EZ_PUK, &puk_st);
	ez_p11_string(ti.label, sizeof ti.label, label, sizeof label);
	ez_p11_string(ti.serialNumber, sizeof ti.serialNumber, serial, sizeof serial);
	ez_p11_string(ti.model, sizeof ti.model, model, sizeof model);
	ez_p11_string(ti.manufacturerID, sizeof ti.manufacturerID, manuf, sizeof manuf);
	if (j) {
		ez_json_obj_begin(j, "token");
		ez_json_str(j, "label", label);
		ez_json_str(j, "serial", serial);
		ez_json_str(j, "model", model);
		ez_json_str(j, "manufacturer", manuf);
		ez_json_bool(j, "pinpad", ez_has_pinpad(&ti));
		ez_json_bool(j, "pinpad_change", (ez_pinpad_use(m, id, &ti) & EZ_PINPAD_CHANGE) != 0);
		if (known && ci.state == EZ_CARD_TOKEN) {
			ez_json_str(j, "family", ci.family);
			ez_json_str(j, "card_model", ci.model);
			ez_json_str(j, "dialect", ci.dialect);
		}
		json_secret(j, "pin", &pin_st);
		json_secret(j, "puk", &puk_st);
		ez_json_arr_begin(j, "certificates");
	} else {
		printf(_("  Card:     %s (serial %s)\n"), label, serial);
		printf(_("  Model:    %s, %s\n"),
		       known && ci.state == EZ_CARD_TOKEN ? ci.model : model, manuf);
		if (known && ci.state == EZ_CARD_TOKEN)
			printf(_("  Family:   %s\n"), ci.family);
		ez_secret_state_describe(&pin_st, st, sizeof st);
		printf(_("  PIN:      %s\n"), st);
		ez_secret_state_describe(&puk_st, st, sizeof st);
		printf(_("  PUK:      %s\n"), st);
		if (ez_secret_locked(ti.flags, EZ_PIN))
			printf(
			    "  %s\n",
			    _("The PIN is blocked: unlock it with eimza-pin unlock and your PUK."));
		if (ez_pinpad_use(m, id, &ti) & EZ_PINPAD_CHANGE)
			printf("  %s\n",
			       _("The reader has a PIN pad: PINs are typed on the reader."));
		else if (ez_has_pinpad(&ti))
			printf("  %s\n", _("The reader has a PIN pad: PINs are typed on the reader "
			                   "to log in, and changed on the computer."));
	}
	CK_SESSION_HANDLE s;
	struct ez_token_cert *certs = NULL;
	size_t n = 0;
	if (m->f->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
		ez_token_certs(m, s, &certs, &n);
		m->f->C_CloseSession(s);
	}
	if (!j && n == 0)
		printf("  %s\n", _("No certificates on this card."));
	STACK_OF(X509) *card = card_certs(certs, n);
	for (size_t i = 0; i < n; i++)
		show_cert(j, &certs[i], card, now);
	sk_X509_pop_free(card, X509_free);
	ez_token_certs_free(certs, n);
	if (j) {
		ez_json_arr_end(j);
		ez_json_obj_end(j);
		ez_json_obj_end(j);
	}
	return 1;
}

int info_list(const struct info_opts *o)
{
	struct ez_module m;
	char err[512];
	int ret = ez_module_load(o->module, &m, err, sizeof err);
	if (ret != EZ_EXIT_OK) {
		fprintf(stderr, "eimza-info: %s\n", err);
		return ret;
	}
	CK_SLOT_ID pick = 0;
	if (o->slot || o->token) {
		ret = ez_token_pick(&m, o->slot, o->token, &pick, err, sizeof err);
		if (ret != EZ_EXIT_OK) {
			fprintf(stderr, "eimza-info: %s\n", err);
			ez_module_unload(&m);
			return ret;
		}
	}
	CK_ULONG n = 0;
	CK_SLOT_ID *ids = NULL;
	if (m.f->C_GetSlotList(CK_FALSE, NULL, &n) == CKR_OK &&
	    (ids = calloc(n + 1, sizeof *ids)) && m.f->C_GetSlotList(CK_FALSE, ids, &n) != CKR_OK)
		n = 0;
	struct ez_json js, *j = o->json ? &js : NULL;
	static const char *const services[] = {"ok", "no-readers", "down"};
	CK_ULONG service;
	bool service_known = ez_service_state(&m, &service) && service <= EZ_SERVICE_DOWN;
	if (j) {
		ez_json_init(j, stdout);
		ez_json_obj_begin(j, NULL);
		ez_json_str(j, "module", m.path ? m.path : m.name);
		if (service_known)
			ez_json_str(j, "service", services[service]);
		ez_json_arr_begin(j, "slots");
	}
	time_t now = time(NULL);
	const char *fake = getenv("EIMZA_INFO_NOW"); /* tests: a fixed "now" */
	if (fake && *fake)
		now = (time_t)strtoll(fake, NULL, 10);
	int cards = 0;
	for (CK_ULONG i = 0; ids && i < n; i++) {
		if ((o->slot || o->token) && ids[i] != pick)
			continue;
		cards += show_slot(&m, ids[i], j, now);
	}
	bool down = service_known && service == EZ_SERVICE_DOWN;
	if (j) {
		ez_json_arr_end(j);
		ez_json_obj_end(j);
	} else if (down) {
		/* not "connect a reader": the reader may well be there */
		printf("%s\n", _("The smart card service (pcscd) is not running, so no reader can be "
		                 "seen. Start it: sudo systemctl start pcscd.socket (or install it: "
		                 "sudo apt install pcscd)."));
	} else if (n == 0 && service_known) {
		printf("%s\n", _("No card reader is connected. Connect the reader; if it is "
		                 "connected, unplug it and plug it in again."));
	} else if (n == 0) {
		printf("%s\n", _("No card readers found. Connect a reader; if one is connected, "
		                 "check that pcscd runs (eimza-info doctor)."));
	}
	free(ids);
	ez_module_unload(&m);
	if (cards)
		return EZ_EXIT_OK;
	return down ? EZ_EXIT_SERVICE : EZ_EXIT_NO_CARD;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"module", required_argument, NULL, 'm'},
	    {"slot", required_argument, NULL, 's'},
	    {"token", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"sign-test", no_argument, NULL, 'S'},
	    {"pin-source", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct info_opts o = {0};
	int c;

	ez_i18n_init();
	opterr = 0; /* our own error line, naming the option */
	while ((c = getopt_long(argc, argv, ":m:s:t:jhV", lo, NULL)) != -1) {
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
		case 'j':
			o.json = true;
			break;
		case 'S':
			o.sign_test = true;
			break;
		case 'P':
			o.pin_src = optarg;
			break;
		case 'h':
			usage(stdout);
			return EZ_EXIT_OK;
		case 'V':
			ez_print_version("eimza-info");
			return EZ_EXIT_OK;
		default:
			return ez_option_error(PROG, c, argv, lo);
		}
	}
	const char *cmd = optind < argc ? argv[optind] : NULL;
	if (cmd && strcmp(cmd, "doctor") && strcmp(cmd, "probe"))
		return ez_usage_error(PROG, _("unknown command \"%s\" (doctor or probe)"),
		                      ez_arg_shown(cmd));
	if (cmd && optind + 1 < argc)
		return ez_usage_error(PROG, _("unexpected argument \"%s\" after \"%s\""),
		                      ez_arg_shown(argv[optind + 1]), cmd);
	if (o.sign_test && !(cmd && strcmp(cmd, "doctor") == 0))
		return ez_usage_error(PROG, "%s", _("--sign-test belongs to `eimza-info doctor`"));
	char err[512];
	if (ez_secret_source_usable(o.pin_src, "--pin-source", err, sizeof err) < 0)
		return ez_usage_error(PROG, "%s", err);
	if (cmd && strcmp(cmd, "doctor") == 0)
		return info_doctor(&o);
	if (cmd)
		return info_probe(&o);
	return info_list(&o);
}
