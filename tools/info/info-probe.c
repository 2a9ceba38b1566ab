/*
 * info-probe.c: `eimza-info probe`, a report for a card holder whose real
 * card does not work, to attach to a bug report.
 *
 * Read-only by construction: the module is started with eimza's vendor
 * trace on (so the first reading of every card is recorded) and its card
 * cache off (so the card is read in full, as at its first insertion), the
 * card is read as any application reads it, and nothing else is done: no
 * login, so no VERIFY with data, no CHANGE, no unblock and no signature.
 * The PIN counters come from commands that spend no try. The report has
 * every APDU header and status word (masked by the module: PIN data as
 * "**", text in the card's answers as ".."), what eimza made of the card,
 * and the certificates reduced to issuer, validity and key; names, T.C.
 * Kimlik No and labels are masked.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "eimza/hex.h"
#include "tools/common/tool.h"
#include "tools/info/info.h"

#define MAX_PROBE_SLOTS 32

struct trace_line {
	CK_SLOT_ID slot;
	char *text;
};

struct probe {
	struct trace_line *lines;
	size_t n, cap;
	const EZ_VENDOR_FUNCTIONS *vendor;
	bool oom;
};

static void on_apdu(void *arg, CK_SLOT_ID slot, const char *line)
{
	struct probe *p = arg;
	struct trace_line *l;

	if (p->oom)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		l = realloc(p->lines, cap * sizeof(*l));
		if (!l) {
			p->oom = true;
			return;
		}
		p->lines = l;
		p->cap = cap;
	}
	p->lines[p->n].slot = slot;
	p->lines[p->n].text = strdup(line);
	if (!p->lines[p->n].text) {
		p->oom = true;
		return;
	}
	p->n++;
}

static void before_init(struct ez_module *m, void *arg)
{
	struct probe *p = arg;
	p->vendor = ez_vendor(m);
	if (p->vendor)
		p->vendor->EZ_SetTrace(on_apdu, p);
}

/* Names of a certificate's subject: types kept, person-identifying values
 * masked (a seal's company name too: a sole trader's is a person's). */
static void masked_name(const X509_NAME *n, bool mask, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < X509_NAME_entry_count(n) && used + 1 < cap; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(n, i);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : "?";
		unsigned char *u = NULL;
		char val[160];
		int len;
		if (mask && nid != NID_countryName) {
			snprintf(val, sizeof val, "%s", "[masked]");
		} else if ((len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e))) >= 0) {
			ez_terminal_text(val, sizeof val, (const char *)u, (size_t)len);
		} else {
			snprintf(val, sizeof val, "?");
		}
		OPENSSL_free(u);
		char piece[200];
		size_t pl = (size_t)snprintf(piece, sizeof piece, "%s%s=%s", used ? ", " : "", sn, val);
		if (pl >= sizeof piece || used + pl >= cap)
			break; /* a whole entry or none: never a name cut inside a character */
		memcpy(out + used, piece, pl + 1);
		used += pl;
	}
}

static bool get_attr(struct ez_module *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                     CK_ATTRIBUTE_TYPE type, void *buf, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, buf, *len};
	if (m->f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == (CK_ULONG)-1)
		return false;
	*len = a.ulValueLen;
	return true;
}

static const char *class_name(CK_OBJECT_CLASS c)
{
	switch (c) {
	case CKO_CERTIFICATE: return "certificate";
	case CKO_PRIVATE_KEY: return "private-key";
	case CKO_PUBLIC_KEY: return "public-key";
	default: return "other";
	}
}

/* One object: what the module made of the card, names masked. */
static void probe_object(struct ez_module *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                         struct ez_json *j)
{
	CK_OBJECT_CLASS cls = 0;
	CK_KEY_TYPE kt = 0;
	CK_BBOOL sign = 0, always = 0;
	CK_ULONG len, bits = 0;
	unsigned char id[64], *der = NULL;
	char idhex[2 * sizeof id + 1] = "", label[128] = "", subj[512] = "", iss[512] = "";
	char nb[EZ_TIME_TEXT] = "", na[EZ_TIME_TEXT] = "", key[128] = "";
	struct ez_cert_info ci;

	len = sizeof cls;
	get_attr(m, s, o, CKA_CLASS, &cls, &len);
	len = sizeof id;
	if (get_attr(m, s, o, CKA_ID, id, &len) && len <= sizeof id)
		ez_hex_encode(id, len, idhex);
	len = sizeof label - 1;
	if (get_attr(m, s, o, CKA_LABEL, label, &len))
		snprintf(label, sizeof label, "[%lu bytes, masked]", (unsigned long)len);
	if (cls == CKO_CERTIFICATE) {
		CK_ATTRIBUTE a = {CKA_VALUE, NULL, 0};
		if (m->f->C_GetAttributeValue(s, o, &a, 1) == CKR_OK && a.ulValueLen &&
		    a.ulValueLen < 65536 && (der = malloc(a.ulValueLen))) {
			a.pValue = der;
			if (m->f->C_GetAttributeValue(s, o, &a, 1) == CKR_OK &&
			    ez_cert_parse(der, a.ulValueLen, &ci) == 0) {
				const unsigned char *p = der;
				X509 *x = d2i_X509(NULL, &p, (long)a.ulValueLen);
				if (x) {
					masked_name(X509_get_subject_name(x), true, subj, sizeof subj);
					masked_name(X509_get_issuer_name(x), false, iss, sizeof iss);
					X509_free(x);
				}
				/* UTC for scripts, local with its offset for people */
				(j ? ez_format_utc_time : ez_format_local_time)(ci.not_before, nb,
				                                                sizeof nb);
				(j ? ez_format_utc_time : ez_format_local_time)(ci.not_after, na,
				                                                sizeof na);
				if (ci.curve[0])
					snprintf(key, sizeof key, "%s %d (%s)", ci.key_type, ci.key_bits,
					         ci.curve);
				else
					snprintf(key, sizeof key, "%s %d", ci.key_type, ci.key_bits);
			}
		}
		free(der);
	} else {
		len = sizeof kt;
		get_attr(m, s, o, CKA_KEY_TYPE, &kt, &len);
		len = sizeof bits;
		if (kt == CKK_RSA)
			get_attr(m, s, o, CKA_MODULUS_BITS, &bits, &len);
		len = sizeof sign;
		get_attr(m, s, o, CKA_SIGN, &sign, &len);
		len = sizeof always;
		get_attr(m, s, o, CKA_ALWAYS_AUTHENTICATE, &always, &len);
		snprintf(key, sizeof key, kt == CKK_RSA ? "RSA %lu" : kt == CKK_EC ? "EC" : "?",
		         (unsigned long)bits);
	}
	if (j) {
		ez_json_obj_begin(j, NULL);
		ez_json_str(j, "class", class_name(cls));
		ez_json_str(j, "id", idhex);
		ez_json_str(j, "label", label);
		ez_json_str(j, "key", key[0] ? key : NULL);
		if (cls == CKO_CERTIFICATE) {
			ez_json_str(j, "subject", subj);
			ez_json_str(j, "issuer", iss);
			ez_json_str(j, "not_before", nb);
			ez_json_str(j, "not_after", na);
		} else if (cls == CKO_PRIVATE_KEY) {
			ez_json_bool(j, "sign", sign);
			ez_json_bool(j, "always_authenticate", always);
		}
		ez_json_obj_end(j);
		return;
	}
	printf("    %-12s id %s, label %s, %s\n", class_name(cls), idhex[0] ? idhex : "-", label,
	       key[0] ? key : "-");
	if (cls == CKO_CERTIFICATE) {
		printf("      subject: %s\n      issuer:  %s\n      valid:   %s .. %s\n", subj, iss,
		       nb, na);
	} else if (cls == CKO_PRIVATE_KEY) {
		printf("      %s%s\n", sign ? "signs" : "does not sign",
		       always ? ", one PIN per signature (CKA_ALWAYS_AUTHENTICATE)" : "");
	}
}

static void probe_objects(struct ez_module *m, CK_SLOT_ID id, struct ez_json *j)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE objs[64];
	CK_ULONG n = 0;

	if (j)
		ez_json_arr_begin(j, "objects");
	else
		printf("  %s\n", _("Objects (as eimza read the card, without login):"));
	if (m->f->C_OpenSession(id, CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
		if (m->f->C_FindObjectsInit(s, NULL, 0) == CKR_OK) {
			m->f->C_FindObjects(s, objs, 64, &n);
			m->f->C_FindObjectsFinal(s);
		}
		for (CK_ULONG i = 0; i < n; i++)
			probe_object(m, s, objs[i], j);
		m->f->C_CloseSession(s);
	}
	if (j)
		ez_json_arr_end(j);
}

static const char *state_word(CK_ULONG st)
{
	switch (st) {
	case EZ_CARD_NONE: return "no card";
	case EZ_CARD_TOKEN: return "read";
	case EZ_CARD_FOREIGN: return "not an AKIS card";
	case EZ_CARD_UNSUPPORTED: return "AKIS generation not supported";
	case EZ_CARD_UNREADABLE: return "AKIS card, its data could not be read";
	default: return "?";
	}
}

/* The reader's keypad as the module uses it (vendor interface 1.2). */
static bool probe_pinpad(struct ez_module *m, CK_SLOT_ID id, EZ_PINPAD_INFO *pi)
{
	const EZ_VENDOR_FUNCTIONS *v = ez_vendor(m);

	memset(pi, 0, sizeof(*pi));
	return v && v->version.major == EZ_VENDOR_VERSION_MAJOR && v->version.minor >= 2 &&
	       v->EZ_GetPinpad && v->EZ_GetPinpad(id, pi) == CKR_OK;
}

static void probe_slot(struct ez_module *m, const struct probe *p, CK_SLOT_ID id,
                       struct ez_json *j)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	EZ_CARD_INFO ci;
	EZ_PINPAD_INFO pi;
	char desc[65] = "", atr[3 * sizeof ci.atr + 1] = "", serial[17] = "";
	bool token;
	size_t k, count = 0;

	if (m->f->C_GetSlotInfo(id, &si) == CKR_OK)
		ez_p11_string(si.slotDescription, sizeof si.slotDescription, desc, sizeof desc);
	ez_card_info(m, id, &ci);
	ez_hex_encode_spaced(ci.atr, ci.atr_len, atr);
	token = ci.state == EZ_CARD_TOKEN && m->f->C_GetTokenInfo(id, &ti) == CKR_OK;
	if (token)
		ez_p11_string(ti.serialNumber, sizeof ti.serialNumber, serial, sizeof serial);
	for (k = 0; k < p->n; k++)
		count += p->lines[k].slot == id;
	if (j) {
		ez_json_obj_begin(j, NULL);
		ez_json_int(j, "slot", (long long)id);
		ez_json_str(j, "reader", desc);
		ez_json_str(j, "state", state_word(ci.state));
		ez_json_str(j, "atr", atr);
		ez_json_str(j, "family", ci.family);
		ez_json_str(j, "model", ci.model);
		ez_json_str(j, "dialect", ci.dialect);
		if (token) {
			ez_json_str(j, "serial", serial);
			ez_json_int(j, "pin_tries", ci.pin_tries);
			ez_json_int(j, "pin_max_tries", ci.pin_max_tries);
			ez_json_int(j, "pin_min_len", (long long)ci.pin_min_len);
			ez_json_int(j, "pin_max_len", (long long)ci.pin_max_len);
			ez_json_int(j, "puk_tries", ci.puk_tries);
			ez_json_int(j, "puk_max_tries", ci.puk_max_tries);
			if (probe_pinpad(m, id, &pi)) {
				ez_json_obj_begin(j, "pinpad");
				ez_json_bool(j, "verify", (pi.flags & EZ_PINPAD_VERIFY) != 0);
				ez_json_bool(j, "change", (pi.flags & EZ_PINPAD_CHANGE) != 0);
				ez_json_int(j, "min_len", (long long)pi.min_len);
				ez_json_int(j, "max_len", (long long)pi.max_len);
				ez_json_obj_end(j);
			}
			probe_objects(m, id, j);
		}
		ez_json_arr_begin(j, "apdus");
		for (k = 0; k < p->n; k++)
			if (p->lines[k].slot == id)
				ez_json_str(j, NULL, p->lines[k].text);
		ez_json_arr_end(j);
		ez_json_obj_end(j);
		return;
	}
	printf(_("Slot %lu: %s\n"), (unsigned long)id, desc);
	if (ci.state == EZ_CARD_NONE) {
		printf("  %s\n\n", _("No card in this reader."));
		return;
	}
	printf("  ATR:      %s\n", atr);
	printf("  Card:     %s%s%s\n", ci.model[0] ? ci.model : "-",
	       ci.family[0] ? " / " : "", ci.family);
	printf("  Dialect:  %s\n", ci.dialect[0] ? ci.dialect : "-");
	printf("  State:    %s\n", state_word(ci.state));
	if (token) {
		printf("  Serial:   %s\n", serial);
		printf("  PIN:      %ld of %ld tries left, %lu to %lu digits\n", (long)ci.pin_tries,
		       (long)ci.pin_max_tries, (unsigned long)ci.pin_min_len,
		       (unsigned long)ci.pin_max_len);
		printf("  PUK:      %ld of %ld tries left, %lu to %lu digits\n", (long)ci.puk_tries,
		       (long)ci.puk_max_tries, (unsigned long)ci.puk_min_len,
		       (unsigned long)ci.puk_max_len);
		if (probe_pinpad(m, id, &pi) && pi.flags)
			printf("  Keypad:   %s, PIN %lu to %lu digits (0: the reader does not say)\n",
			       (pi.flags & EZ_PINPAD_CHANGE) ? "verify, change" : "verify only",
			       (unsigned long)pi.min_len, (unsigned long)pi.max_len);
		else
			printf("  Keypad:   none used\n");
		probe_objects(m, id, NULL);
	}
	printf(_("  APDUs exchanged with this card (%zu lines; PIN data **, text in answers ..):\n"),
	       count);
	for (k = 0; k < p->n; k++)
		if (p->lines[k].slot == id)
			printf("    %s\n", p->lines[k].text);
	printf("\n");
}

int info_probe(const struct info_opts *o)
{
	struct probe p = {0};
	struct ez_module m;
	struct ez_json js, *j = o->json ? &js : NULL;
	char err[512], when[32];
	CK_SLOT_ID ids[MAX_PROBE_SLOTS], pick = 0;
	CK_ULONG n = MAX_PROBE_SLOTS;
	time_t now = time(NULL);
	int ret;

	/* The report shows the card read in full, as on its first insertion:
	 * eimza's card cache (which would answer from the entry of an earlier
	 * read and check only a few bytes) is off for this process. */
	setenv("EIMZA_CACHE", "0", 1);
	ret = ez_module_load_hooked(o->module, &m, before_init, &p, err, sizeof err);
	if (ret != EZ_EXIT_OK) {
		fprintf(stderr, "eimza-info: %s\n", err);
		return ret;
	}
	if (!p.vendor) {
		fprintf(stderr, "%s\n",
		        _("eimza-info: probe needs eimza's own module (eimza-pkcs11.so); this "
		          "module cannot report what it sends to the card"));
		ez_module_unload(&m);
		return EZ_EXIT_MODULE;
	}
	if (o->slot && ez_parse_slot(o->slot, &pick) < 0) { /* main() checked it already */
		p.vendor->EZ_SetTrace(NULL, NULL);
		ez_module_unload(&m);
		return ez_slot_error("eimza-info", o->slot);
	}
	if (m.f->C_GetSlotList(CK_FALSE, ids, &n) != CKR_OK)
		n = 0;
	(j ? ez_format_utc_time : ez_format_local_time)(now, when, sizeof when);
	if (j) {
		ez_json_init(j, stdout);
		ez_json_obj_begin(j, NULL);
		ez_json_str(j, "report", "eimza-info probe");
		ez_json_str(j, "version", PACKAGE_VERSION);
		ez_json_str(j, "module", m.path ? m.path : m.name);
		ez_json_str(j, "time", when);
		ez_json_arr_begin(j, "slots");
	} else {
		printf("eimza-info probe, eimza %s, %s\n", PACKAGE_VERSION, when);
		printf(_("Module: %s\n"), m.path ? m.path : m.name);
		printf("%s\n\n",
		       _("Read-only: no PIN was asked or tried, nothing was signed or changed. "
		         "Names, T.C. Kimlik No and labels are masked."));
	}
	for (CK_ULONG i = 0; i < n; i++)
		if (!o->slot || ids[i] == pick)
			probe_slot(&m, &p, ids[i], j);
	if (j) {
		ez_json_arr_end(j);
		ez_json_obj_end(j);
	} else {
		if (n == 0)
			printf("%s\n\n", _("No card readers found."));
		printf("%s\n",
		       _("To report a problem, save this report (eimza-info probe > report.txt), "
		         "read it, and attach the file to your bug report."));
	}
	p.vendor->EZ_SetTrace(NULL, NULL); /* the module may outlive this report */
	ez_module_unload(&m);
	for (size_t k = 0; k < p.n; k++)
		free(p.lines[k].text);
	free(p.lines);
	return n ? EZ_EXIT_OK : EZ_EXIT_NO_CARD;
}
