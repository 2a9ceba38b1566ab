/*
 * info-doctor.c: `eimza-info doctor`, every link of the chain a card holder
 * depends on, each one OK, WARN or FAIL with a fix in plain words:
 * pcscd -> readers -> an AKIS card -> the module (loadable, right
 * architecture) -> p11-kit registration, asked of p11-kit itself (the path
 * and config file it uses; OpenSC claiming the same reader) -> libakisp11.so
 * links -> every NSS database of the user (Firefox, Thunderbird, Chromium)
 * -> PIN ->
 * certificate expiry -> (with --sign-test) a signature made and verified.
 * The report masks the T.C. Kimlik No: it is meant to be pasted into a
 * support request.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <PCSC/winscard.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "eimza/hex.h"
#include "eimza/secmem.h"
#include "eimza/tckn.h"
#include "tools/common/tool-nssdb.h"
#include "tools/common/tool-p11kit.h"
#include "tools/common/tool-trust.h"
#include "tools/common/tool.h"
#include "tools/info/info.h"


enum level { OK, WARN, FAIL };
static int worst;
static struct ez_json *js;

static void report(enum level l, const char *check, const char *what, const char *fix)
{
	static const char *const word[] = {"OK", "WARN", "FAIL"};
	if ((int)l > worst)
		worst = l;
	if (js) {
		ez_json_obj_begin(js, NULL);
		ez_json_str(js, "check", check);
		ez_json_str(js, "result", word[l]);
		ez_json_str(js, "message", what);
		ez_json_str(js, "fix", fix);
		ez_json_obj_end(js);
		return;
	}
	/* a line can quote a reader's, a browser profile's or a module's own
	 * words: nothing of them reaches the terminal unfiltered */
	char safe[1024];
	printf("[%-4s] %s\n", word[l], ez_terminal_text(safe, sizeof safe, what, strlen(what)));
	if (fix && l != OK)
		printf("       -> %s\n", ez_terminal_text(safe, sizeof safe, fix, strlen(fix)));
}

/* ---- PC/SC: pcscd, readers, the card's ATR ------------------------------- */
static bool check_pcsc(void)
{
	struct stat st;
	const char *sock = getenv("PCSCLITE_CSOCK_NAME");
	if (!sock)
		sock = "/run/pcscd/pcscd.comm";
	bool have_sock = stat(sock, &st) == 0 && S_ISSOCK(st.st_mode);

	SCARDCONTEXT ctx;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		report(FAIL, "pcscd", _("The smart card service (pcscd) is not running."),
		       have_sock ? _("Restart it: sudo systemctl restart pcscd.socket")
		                 : _("Install and start it: sudo apt install pcscd && sudo "
		                     "systemctl enable --now pcscd.socket"));
		return false;
	}
	report(OK, "pcscd", _("The smart card service (pcscd) is running."), NULL);

	DWORD len = 0;
	char *names = NULL;
	rv = SCardListReaders(ctx, NULL, NULL, &len);
	if (rv == SCARD_S_SUCCESS && len > 0 && (names = calloc(1, len + 1)))
		rv = SCardListReaders(ctx, NULL, names, &len);
	if (rv != SCARD_S_SUCCESS || !names || !names[0]) {
		report(FAIL, "readers", _("No card reader was found."),
		       _("Connect the card reader; if it is connected, unplug it and plug it in "
		         "again."));
		free(names);
		SCardReleaseContext(ctx);
		return false;
	}
	int readers = 0, cards = 0;
	char line[512];
	for (char *r = names; *r; r += strlen(r) + 1)
		readers++;
	snprintf(line, sizeof line, _("%d card reader(s) found."), readers);
	report(OK, "readers", line, NULL);
	/* Which card it is, the module tells below: only it knows AKIS. */
	for (char *r = names; *r; r += strlen(r) + 1) {
		SCARD_READERSTATE rs;
		memset(&rs, 0, sizeof rs);
		rs.szReader = r;
		rs.dwCurrentState = SCARD_STATE_UNAWARE;
		if (SCardGetStatusChange(ctx, 0, &rs, 1) != SCARD_S_SUCCESS ||
		    !(rs.dwEventState & SCARD_STATE_PRESENT))
			continue;
		cards++;
		char name[128];
		ez_terminal_text(name, sizeof name, r, strlen(r)); /* a reader names itself */
		snprintf(line, sizeof line, _("Reader \"%s\" holds a card."), name);
		report(OK, "card", line, NULL);
	}
	if (!cards)
		report(FAIL, "card", _("No card is in any reader."),
		       _("Insert your e-signature card into the reader."));
	free(names);
	SCardReleaseContext(ctx);
	return cards > 0;
}

/* ---- the module file --------------------------------------------------- */
static int elf_machine(const char *path)
{
	Elf64_Ehdr h; /* e_machine sits at the same offset in 32- and 64-bit headers */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, &h, sizeof h);
	close(fd);
	if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	return h.e_machine;
}

static void check_arch(const char *path)
{
	char line[600];
	int mine = elf_machine("/proc/self/exe"), theirs = path ? elf_machine(path) : -1;
	if (!path || theirs < 0)
		return;
	if (mine >= 0 && mine != theirs) {
		snprintf(line, sizeof line,
		         _("The module %s is built for another processor architecture."), path);
		report(FAIL, "architecture", line,
		       _("Install the eimza package built for this computer's architecture."));
	} else {
		report(OK, "architecture", _("The module matches this computer's architecture."),
		       NULL);
	}
}

static bool file_mentions(const char *path, const char *needle)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	bool hit = false;
	if (!f)
		return false;
	while (!hit && fgets(line, sizeof line, f))
		hit = strstr(line, needle) != NULL;
	fclose(f);
	return hit;
}

/* ---- p11-kit: ask it, as applications do -------------------------------- */
static void check_p11kit(const char *loaded, bool akis_card)
{
	struct ez_p11kit_entry *e;
	size_t n;
	char err[512], line[1600], fix[1024];
	snprintf(fix, sizeof fix,
	         _("Install the eimza-pkcs11 package (sudo apt install eimza-pkcs11), or install "
	           "eimza from source (sudo make install): either writes eimza.module into %s."),
	         P11_CONFIGS_DIR);
	if (ez_p11kit_list(&e, &n, err, sizeof err) != 0) {
		report(FAIL, "p11-kit", err, fix);
		return;
	}
	const struct ez_p11kit_entry *me = NULL;
	for (size_t i = 0; i < n && !me; i++)
		if (e[i].eimza)
			me = &e[i];
	if (!me) {
		report(FAIL, "p11-kit",
		       _("p11-kit has no eimza module registered: programs that find modules through "
		         "p11-kit (GnuTLS, p11-kit-proxy.so, eimza-register) will not see the card."),
		       fix);
	} else {
		snprintf(line, sizeof line,
		         _("p11-kit loads the module as \"%s\": %s (registered in %s)."), me->name,
		         me->path ? me->path : "?", me->config ? me->config : "?");
		report(OK, "p11-kit", line, NULL);
		if (me->path && (!loaded || strcmp(loaded, me->path) != 0))
			check_arch(me->path);
		if (!me->in_proxy) {
			snprintf(line, sizeof line,
			         _("p11-kit's proxy module does not load eimza (enable-in or disable-in "
			           "in %s)."),
			         me->config ? me->config : "?");
			report(WARN, "p11-kit-proxy", line,
			       _("Remove the enable-in/disable-in line, unless you meant it."));
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!e[i].opensc || !e[i].in_proxy || !akis_card)
			continue;
		snprintf(line, sizeof line,
		         _("OpenSC's module (registered with p11-kit as \"%s\" in %s) also claims the "
		           "AKIS card's reader and shows it as \"token not recognized\": programs "
		           "that use p11-kit's proxy list the card twice."),
		         e[i].name, e[i].config ? e[i].config : "?");
		snprintf(fix, sizeof fix,
		         _("If you use no other card with OpenSC, remove its module: sudo apt remove "
		           "opensc-pkcs11. Otherwise keep it out of the proxy: write the two lines "
		           "\"module: opensc-pkcs11.so\" and \"disable-in: p11-kit-proxy\" into "
		           "/etc/pkcs11/modules/%s.module."),
		         e[i].name);
		report(WARN, "opensc", line, fix);
	}
	ez_p11kit_list_free(e, n);
}

/* ---- libakisp11.so: applications that load the vendor library by name -- */
static void check_akisp11(void)
{
	char dirs[] = AKISP11_DIRS, line[1200], file[1100];
	for (char *d = strtok(dirs, " "); d; d = strtok(NULL, " ")) {
		snprintf(file, sizeof file, "%s/libakisp11.so", d);
		if (access(file, F_OK) != 0)
			continue;
		if (ez_library_is(file, EZ_MODULE_FILE)) {
			snprintf(line, sizeof line, _("%s leads to eimza."), file);
			report(OK, "libakisp11", line, NULL);
		} else {
			snprintf(line, sizeof line,
			         _("%s is another library (the vendor's?): applications that load "
			           "libakisp11.so by name use it, not eimza."),
			         file);
			report(WARN, "libakisp11", line,
			       _("To use eimza there, remove the vendor package and install "
			         "eimza-akisp11-compat (docs/install.md)."));
		}
	}
}

/* ---- Firefox, Thunderbird, Chromium: their NSS databases ---------------- */
static bool policy_loads_eimza(void)
{
	return file_mentions("/etc/firefox/policies/policies.json", EZ_MODULE_FILE) ||
	       file_mentions("/etc/firefox/policies/policies.json", "libakisp11.so");
}

static void check_nss(void)
{
	const char *home = getenv("HOME");
	struct ez_nssdb *d;
	size_t n;
	char line[1200], name[256];
	bool policy = policy_loads_eimza();
	if (policy)
		report(OK, "browser",
		       _("Firefox's enterprise policy (/etc/firefox/policies/policies.json) loads the "
		         "module in every profile."),
		       NULL);
	if (!home || ez_nssdb_find(home, &d, &n) != 0)
		return;
	if (n == 0)
		report(WARN, "browser", _("No Firefox, Thunderbird or Chromium profile was found."),
		       _("Start the browser once (it creates its profile), then run eimza-register."));
	for (size_t i = 0; i < n; i++) {
		bool fx = strcmp(d[i].app, "Firefox") == 0;
		if (d[i].missing) {
			snprintf(line, sizeof line,
			         _("%s has no NSS database yet (%s), so it does not load the module."),
			         d[i].app, d[i].dir);
			report(WARN, "browser", line, _("Run eimza-register: it creates the database."));
		} else if (ez_nssdb_knows_eimza(d[i].dir, name, sizeof name)) {
			snprintf(line, sizeof line, _("%s loads the module (\"%s\") in %s."), d[i].app,
			         name, d[i].dir);
			report(OK, "browser", line, NULL);
		} else if (fx && policy) {
			snprintf(line, sizeof line,
			         _("%s gets the module from the policy at its next start (%s)."),
			         d[i].app, d[i].dir);
			report(OK, "browser", line, NULL);
		} else {
			snprintf(line, sizeof line, _("%s does not load the module in %s."), d[i].app,
			         d[i].dir);
			report(WARN, "browser", line,
			       strcmp(d[i].app, "Chromium/Chrome") == 0
			           ? _("Close the browser and run eimza-register.")
			           : _("Close the program and run eimza-register (or, for every user, "
			               "sudo eimza-register --system)."));
		}
	}
	ez_nssdb_free(d, n);
}

/* ---- sign and verify once ----------------------------------------------- */
static void sign_test(struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
                      const struct ez_token_cert *c, const char *pin_src, int *exitc)
{
	CK_SESSION_HANDLE s;
	char msg[256];
	unsigned char data[32], dig[32], sig[1024];
	size_t siglen = sizeof sig;
	unsigned dl = 0;
	bool ok = false;

	if (m->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return;
	char pin[EZ_SECRET_MAX + 2] = "";
	int r = ez_login_keep(m, s, slot, CKU_USER, pin_src, "eimza-info", pin, sizeof pin);
	if (r != EZ_EXIT_OK) {
		report(FAIL, "sign-test",
		       _("The PIN was not accepted, so no test signature was made."), NULL);
		*exitc = r;
		m->f->C_CloseSession(s);
		return;
	}
	RAND_bytes(data, sizeof data);
	EVP_Digest(data, sizeof data, dig, &dl, EVP_sha256(), NULL);
	CK_RV rv = ez_sign_digest(m, s, ti, c, pin, dig, sig, &siglen);
	ez_wipe(pin, sizeof pin);
	if (rv == CKR_KEY_HANDLE_INVALID) {
		report(FAIL, "sign-test",
		       _("The certificate's private key was not found on the card."), NULL);
		goto out;
	}
	if (rv != CKR_OK) {
		ez_rv_message(rv, 0, EZ_PIN, msg, sizeof msg);
		report(FAIL, "sign-test", msg, NULL);
		goto out;
	}
	const unsigned char *p = c->der;
	X509 *x = d2i_X509(NULL, &p, (long)c->der_len);
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
	EVP_PKEY_CTX *vc = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
	/* RSA: PKCS#1 v1.5 over SHA-256; EC: a DER ECDSA signature of the digest */
	ok = vc && EVP_PKEY_verify_init(vc) > 0 &&
	     (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC ||
	      EVP_PKEY_CTX_set_signature_md(vc, EVP_sha256()) > 0) &&
	     EVP_PKEY_verify(vc, sig, siglen, dig, sizeof dig) == 1;
	EVP_PKEY_CTX_free(vc);
	X509_free(x);
	if (ok)
		report(
		    OK, "sign-test",
		    _("A test signature was made by the card and verified with the certificate."),
		    NULL);
	else
		report(FAIL, "sign-test",
		       _("The card's test signature does not match the certificate."),
		       _("The key and certificate on the card do not belong together; contact your "
		         "certificate provider."));
out:
	m->f->C_Logout(s);
	m->f->C_CloseSession(s);
}

/* ---- whose certificate: Kamu SM's roots that eimza ships ---------------- */
static void check_chain(const struct ez_token_cert *c, const struct ez_token_cert *all, size_t n,
                        const char *who)
{
	STACK_OF(X509) *card = sk_X509_new_null();
	const unsigned char *p = c->der;
	X509 *x = d2i_X509(NULL, &p, (long)c->der_len);
	char root[256], line[768];

	for (size_t i = 0; card && i < n; i++) {
		p = all[i].der;
		X509 *y = d2i_X509(NULL, &p, (long)all[i].der_len);
		if (y && !sk_X509_push(card, y))
			X509_free(y);
	}
	/* a CA certificate the card carries is not the holder's */
	if (x && !X509_check_ca(x)) {
		if (ez_kamusm_chains(x, card, root, sizeof root)) {
			snprintf(line, sizeof line, _("Certificate of %s chains to Kamu SM's root \"%s\"."),
			         who, root);
			report(OK, "chain", line, NULL);
		} else {
			snprintf(line, sizeof line,
			         _("Certificate of %s does not chain to Kamu SM's roots (another "
			           "provider's, or a test certificate)."),
			         who);
			report(WARN, "chain", line,
			       _("Services that take only Kamu SM's qualified certificates will refuse "
			         "it; if Kamu SM issued it, eimza may lack a newer root: report it."));
		}
	}
	X509_free(x);
	sk_X509_pop_free(card, X509_free);
}

/* ---- the token: PIN state, certificates -------------------------------- */

/* No token: say why, card by card, as the module sees them. */
static void explain_no_token(struct ez_module *m, const char *why)
{
	CK_SLOT_ID ids[32];
	CK_ULONG n = 32;
	EZ_CARD_INFO ci;
	char line[512], atr[3 * sizeof ci.atr + 1];
	bool told = false;

	if (m->f->C_GetSlotList(CK_FALSE, ids, &n) != CKR_OK)
		n = 0;
	for (CK_ULONG i = 0; i < n; i++) {
		if (!ez_card_info(m, ids[i], &ci) || ci.state == EZ_CARD_NONE)
			continue;
		ez_hex_encode_spaced(ci.atr, ci.atr_len, atr);
		told = true;
		if (ci.state == EZ_CARD_FOREIGN) {
			snprintf(line, sizeof line, _("The card in slot %lu is not an AKIS card (ATR %s)."),
			         (unsigned long)ids[i], atr);
			report(FAIL, "token", line,
			       _("Insert your e-signature card (Kamu SM, AKIS), chip first and facing "
			         "up."));
		} else if (ci.state == EZ_CARD_UNSUPPORTED) {
			snprintf(line, sizeof line,
			         _("The card in slot %lu is an %s; this card generation is not "
			           "supported."),
			         (unsigned long)ids[i], ci.model);
			report(FAIL, "token", line, _("Apply for a new card to your certificate provider."));
		} else if (ci.state == EZ_CARD_UNREADABLE) {
			snprintf(line, sizeof line,
			         _("The card in slot %lu is an %s, but its data could not be read."),
			         (unsigned long)ids[i], ci.model);
			report(FAIL, "token", line,
			       _("Run `eimza-info probe > report.txt` and attach the report to a bug "
			         "report."));
		}
	}
	if (!told && why[0]) {
		/* ez_token_pick's reason: pcscd not running, no reader, a card the
		 * module cannot read (another module) */
		snprintf(line, sizeof line, _("The module sees no card: %s."), why);
		report(FAIL, "token", line,
		       _("Insert the card; if it is inserted, take it out and put it back."));
	} else if (!told) {
		report(FAIL, "token", _("The module sees no card."),
		       _("Insert the card; if it is inserted, take it out and put it back."));
	}
}

static void check_token(struct ez_module *m, const struct info_opts *o, int *exitc)
{
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	char err[512] = "", line[768], mask[16];
	EZ_CARD_INFO card;
	if (ez_token_pick(m, o->slot, o->token, &slot, err, sizeof err) != EZ_EXIT_OK ||
	    m->f->C_GetTokenInfo(slot, &ti) != CKR_OK) {
		explain_no_token(m, err);
		return;
	}
	char label[33], st[128];
	ez_p11_string(ti.label, sizeof ti.label, label, sizeof label);
	if (ez_card_info(m, slot, &card) && card.state == EZ_CARD_TOKEN)
		snprintf(line, sizeof line, _("The module reads the card \"%s\" (%s, %s)."), label,
		         card.model, card.family);
	else
		snprintf(line, sizeof line, _("The module reads the card \"%s\"."), label);
	report(OK, "token", line, NULL);

	ez_secret_state_text(ti.flags, EZ_PIN, st, sizeof st);
	snprintf(line, sizeof line, _("PIN: %s."), st);
	if (ez_secret_locked(ti.flags, EZ_PIN))
		report(FAIL, "pin", line, _("Unlock it with your PUK: eimza-pin unlock"));
	else if (ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY))
		report(WARN, "pin", line,
		       _("A wrong PIN was typed; take care, the PIN blocks after the last try."));
	else
		report(OK, "pin", line, NULL);
	if (ez_secret_locked(ti.flags, EZ_PUK))
		report(FAIL, "puk", _("The PUK is blocked."),
		       _("Only your certificate provider can help: apply for a new card."));

	CK_SESSION_HANDLE s;
	struct ez_token_cert *certs = NULL;
	size_t n = 0;
	if (m->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
		ez_token_certs(m, s, &certs, &n);
		m->f->C_CloseSession(s);
	}
	if (n == 0)
		report(FAIL, "certificate", _("The card holds no certificate."),
		       _("Contact your certificate provider."));
	time_t now = time(NULL);
	const char *fake = getenv("EIMZA_INFO_NOW");
	if (fake && *fake)
		now = (time_t)strtoll(fake, NULL, 10);
	for (size_t i = 0; i < n; i++) {
		const struct ez_cert_info *ci = &certs[i].info;
		char na[EZ_TIME_TEXT];
		long days;
		if (!certs[i].parsed)
			continue;
		tckn_mask(ci->tckn[0] ? ci->tckn : "", mask, sizeof mask);
		if (js)
			ez_format_utc_time(ci->not_after, na, sizeof na);
		else
			ez_format_local_time(ci->not_after, na, sizeof na);
		enum ez_expiry e = ez_expiry_classify(ci->not_before, ci->not_after, now, &days);
		const char *who = ci->tckn[0] ? mask : ci->subject_cn;
		switch (e) {
		case EZ_EXPIRY_EXPIRED:
			snprintf(line, sizeof line, _("Certificate of %s expired on %s."), who, na);
			report(FAIL, "expiry", line, _("Apply for a new certificate."));
			break;
		case EZ_EXPIRY_NOT_YET:
			snprintf(line, sizeof line, _("Certificate of %s is not valid yet."), who);
			report(WARN, "expiry", line, _("Check the computer's date and time."));
			break;
		case EZ_EXPIRY_RENEW:
			snprintf(line, sizeof line,
			         _("Certificate of %s expires on %s (%ld days left)."), who, na,
			         days);
			report(WARN, "expiry", line,
			       _("The renewal window is open: renew your certificate now."));
			break;
		default:
			snprintf(line, sizeof line,
			         _("Certificate of %s is valid until %s (%ld days left)."), who, na,
			         days);
			report(OK, "expiry", line, NULL);
		}
		check_chain(&certs[i], certs, n, who);
	}
	if (o->sign_test && n > 0 && !ez_secret_locked(ti.flags, EZ_PIN))
		sign_test(m, slot, &ti, &certs[0], o->pin_src, exitc);
	ez_token_certs_free(certs, n);
}

int info_doctor(const struct info_opts *o)
{
	struct ez_json j;
	int exitc = EZ_EXIT_OK;
	worst = OK;
	js = NULL;
	if (o->json) {
		js = &j;
		ez_json_init(js, stdout);
		ez_json_obj_begin(js, NULL);
		ez_json_arr_begin(js, "checks");
	}
	bool akis_card = check_pcsc();

	struct ez_module m;
	char err[512];
	int r = ez_module_load(o->module, &m, err, sizeof err);
	if (r != EZ_EXIT_OK) {
		report(
		    FAIL, "module", err,
		    _("Install the eimza-pkcs11 package (sudo apt install eimza-pkcs11) or eimza from "
		      "source (docs/install.md), or give the module with --module PATH."));
		/* A library of the wrong architecture fails to load: say so. */
		const char *env = getenv("EIMZA_MODULE");
		const char *file = o->module && strchr(o->module, '/')     ? o->module
		                   : !o->module && env && strchr(env, '/') ? env
		                                                           : P11_MODULE_DIR
		                       "/" EZ_MODULE_FILE;
		if (access(file, R_OK) == 0)
			check_arch(file);
	} else {
		char line[768];
		snprintf(line, sizeof line, _("The PKCS#11 module loads (%s)."),
		         m.path ? m.path : m.name);
		report(OK, "module", line, NULL);
		check_arch(m.path);
	}
	check_p11kit(r == EZ_EXIT_OK ? m.path : NULL, akis_card);
	check_akisp11();
	check_nss();
	if (r == EZ_EXIT_OK) {
		check_token(&m, o, &exitc);
		ez_module_unload(&m);
	}
	if (js) {
		ez_json_arr_end(js);
		ez_json_str(js, "result", worst == FAIL ? "FAIL" : worst == WARN ? "WARN" : "OK");
		ez_json_obj_end(js);
	} else {
		printf("%s\n", worst == FAIL ? _("Some checks failed: see the fixes above.")
		               : worst == WARN
		                   ? _("Everything needed works; see the warnings above.")
		                   : _("Everything works."));
	}
	if (exitc != EZ_EXIT_OK)
		return exitc;
	return worst == FAIL ? EZ_EXIT_VERIFY : EZ_EXIT_OK;
}
