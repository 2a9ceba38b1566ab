/*
 * info-doctor.c: `eimza-info doctor`, every link of the chain a card holder
 * depends on, each one OK, WARN or FAIL with a fix in plain words:
 * pcscd -> readers -> an AKIS card -> the module (loadable, right
 * architecture) -> p11-kit registration -> Firefox/Thunderbird -> PIN ->
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

#include "eimza/hex.h"
#include "eimza/secmem.h"
#include "eimza/tckn.h"
#include "tools/common/tool.h"
#include "tools/info/info.h"

#ifndef P11_MODULE_DIR
#define P11_MODULE_DIR "/usr/lib/pkcs11"
#endif
#ifndef P11_CONFIGS_DIR
#define P11_CONFIGS_DIR "/usr/share/p11-kit/modules"
#endif

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
	printf("[%-4s] %s\n", word[l], what);
	if (fix && l != OK)
		printf("       -> %s\n", fix);
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
		snprintf(line, sizeof line, _("Reader \"%s\" holds a card."), r);
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

static bool dir_has_module(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool hit = false;
	char p[4096];
	if (!d)
		return false;
	while (!hit && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 8 || strcmp(e->d_name + l - 7, ".module") != 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		hit = file_mentions(p, needle);
	}
	closedir(d);
	return hit;
}

static void check_p11kit(void)
{
	const char *home = getenv("HOME");
	char user[4096];
	snprintf(user, sizeof user, "%s/.config/pkcs11/modules", home ? home : "/nonexistent");
	const char *dirs[] = {P11_CONFIGS_DIR, "/usr/share/p11-kit/modules", "/etc/pkcs11/modules",
	                      user};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		if (dir_has_module(dirs[i], EZ_MODULE_FILE)) {
			report(OK, "p11-kit", _("The module is registered with p11-kit."), NULL);
			return;
		}
	report(WARN, "p11-kit",
	       _("The module is not registered with p11-kit, so applications will not find it by "
	         "themselves."),
	       _("Reinstall eimza (it installs eimza.module into p11-kit's modules folder)."));
}

static void check_nss(void)
{
	const char *home = getenv("HOME");
	const char *pats[] = {"/.mozilla/firefox/*/pkcs11.txt",
	                      "/snap/firefox/common/.mozilla/firefox/*/pkcs11.txt",
	                      "/.thunderbird/*/pkcs11.txt"};
	int profiles = 0, with = 0;
	char pat[4096];
	if (!home)
		return;
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++) {
		glob_t g;
		snprintf(pat, sizeof pat, "%s%s", home, pats[i]);
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++) {
			profiles++;
			if (file_mentions(g.gl_pathv[k], EZ_MODULE_FILE) ||
			    file_mentions(g.gl_pathv[k], "p11-kit-proxy"))
				with++;
		}
		globfree(&g);
	}
	if (profiles == 0)
		report(WARN, "browser", _("No Firefox or Thunderbird profile was found."),
		       _("If you use another browser, add the module to it by hand."));
	else if (with < profiles)
		report(WARN, "browser",
		       _("Firefox or Thunderbird does not know the module in every profile."),
		       _("In Firefox: Settings > Privacy & Security > Security Devices > Load, and "
		         "give the module's path."));
	else
		report(OK, "browser", _("Firefox/Thunderbird can use the module."), NULL);
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

/* ---- the token: PIN state, certificates -------------------------------- */

/* No token: say why, card by card, as the module sees them. */
static void explain_no_token(struct ez_module *m)
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
	if (!told)
		report(FAIL, "token", _("The module sees no card."),
		       _("Insert the card; if it is inserted, take it out and put it back."));
}

static void check_token(struct ez_module *m, const struct info_opts *o, int *exitc)
{
	CK_SLOT_ID slot;
	CK_TOKEN_INFO ti;
	char err[512], line[768], mask[16];
	EZ_CARD_INFO card;
	if (ez_token_pick(m, o->slot, o->token, &slot, err, sizeof err) != EZ_EXIT_OK ||
	    m->f->C_GetTokenInfo(slot, &ti) != CKR_OK) {
		explain_no_token(m);
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
		char na[16];
		long days;
		if (!certs[i].parsed)
			continue;
		tckn_mask(ci->tckn[0] ? ci->tckn : "", mask, sizeof mask);
		ez_format_date(ci->not_after, na, sizeof na);
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
	check_pcsc();

	struct ez_module m;
	char err[512];
	int r = ez_module_load(o->module, &m, err, sizeof err);
	if (r != EZ_EXIT_OK) {
		report(
		    FAIL, "module", err,
		    _("Install eimza (apt install eimza), or give the module with --module PATH."));
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
	check_p11kit();
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
