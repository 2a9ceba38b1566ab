/*
 * tool-vendor.c: eimza-pkcs11.so's "Vendor eimza" interface, when the
 * loaded module offers it (<eimza/eimza-pkcs11.h>): what is in a reader and
 * the exact PIN and PUK counters. Other modules (SoftHSM in tests, the
 * vendor's library) do not offer it; the tools then fall back on what the
 * token flags say.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/tool.h"

const EZ_VENDOR_FUNCTIONS *ez_vendor(const struct ez_module *m)
{
	EZ_C_GetInterface get;
	CK_INTERFACE *iface = NULL;
	void *h = m->dl;
	bool opened = false;

	if (!h && m->path) {
		/* p11-kit loaded it: the same library, already in the process. */
		h = dlopen(m->path, RTLD_NOW | RTLD_NOLOAD);
		opened = h != NULL;
	}
	if (!h)
		return NULL;
	*(void **)(&get) = dlsym(h, "C_GetInterface");
	if (opened)
		dlclose(h); /* p11-kit (or the caller) keeps it loaded */
	if (!get || get((CK_UTF8CHAR_PTR)EZ_VENDOR_INTERFACE, NULL, &iface, 0) != CKR_OK || !iface)
		return NULL;
	return iface->pFunctionList;
}

bool ez_card_info(const struct ez_module *m, CK_SLOT_ID slot, EZ_CARD_INFO *out)
{
	const EZ_VENDOR_FUNCTIONS *v = ez_vendor(m);

	memset(out, 0, sizeof(*out));
	return v && v->version.major == EZ_VENDOR_VERSION_MAJOR &&
	       v->EZ_GetCardInfo(slot, out) == CKR_OK;
}

bool ez_service_state(const struct ez_module *m, CK_ULONG *state)
{
	const EZ_VENDOR_FUNCTIONS *v = ez_vendor(m);

	/* EZ_GetService came with 1.1: an older table does not have the field */
	return v && v->version.major == EZ_VENDOR_VERSION_MAJOR && v->version.minor >= 1 &&
	       v->EZ_GetService && v->EZ_GetService(state) == CKR_OK;
}

CK_FLAGS ez_pinpad_use(const struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti)
{
	const EZ_VENDOR_FUNCTIONS *v;
	EZ_PINPAD_INFO pi;

	if (!ez_has_pinpad(ti))
		return 0;
	v = m ? ez_vendor(m) : NULL;
	/* EZ_GetPinpad came with 1.2: an older table does not have the field */
	if (v && v->version.major == EZ_VENDOR_VERSION_MAJOR && v->version.minor >= 2 &&
	    v->EZ_GetPinpad && v->EZ_GetPinpad(slot, &pi) == CKR_OK)
		return pi.flags & (EZ_PINPAD_VERIFY | EZ_PINPAD_CHANGE);
	return EZ_PINPAD_VERIFY | EZ_PINPAD_CHANGE;
}

/* The reader's name for messages. */
static void reader_name(const struct ez_module *m, CK_SLOT_ID slot, char *out, size_t cap)
{
	CK_SLOT_INFO si;

	if (m->f->C_GetSlotInfo(slot, &si) == CKR_OK)
		ez_p11_string(si.slotDescription, sizeof si.slotDescription, out, cap);
	else
		snprintf(out, cap, "%lu", (unsigned long)slot);
}

/* A card in `slot` the tool cannot use, as a sentence; false when the slot
 * has no card (or nothing is known of it). */
static bool unusable_card(const struct ez_module *m, CK_SLOT_ID slot, char *err, size_t cap)
{
	EZ_CARD_INFO ci;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	char name[65];
	CK_RV rv;

	reader_name(m, slot, name, sizeof name);
	if (ez_card_info(m, slot, &ci)) {
		switch (ci.state) {
		case EZ_CARD_FOREIGN:
			snprintf(err, cap,
			         _("the card in the reader \"%s\" is not an AKIS e-signature card; "
			           "insert your e-signature card"),
			         name);
			return true;
		case EZ_CARD_UNSUPPORTED:
			snprintf(err, cap,
			         _("the card in the reader \"%s\" is an AKIS generation eimza does "
			           "not support (%s)"),
			         name, ci.model[0] ? ci.model : "?");
			return true;
		case EZ_CARD_UNREADABLE:
			snprintf(err, cap,
			         _("a card is in the reader \"%s\" but its data could not be read; "
			           "take it out and put it back, and if that does not help, run "
			           "`eimza-info probe > report.txt` and attach the report to a bug "
			           "report"),
			         name);
			return true;
		default:
			return false;
		}
	}
	/* another module: a slot that says a card is there, whose token fails */
	if (m->f->C_GetSlotInfo(slot, &si) != CKR_OK || !(si.flags & CKF_TOKEN_PRESENT))
		return false;
	rv = m->f->C_GetTokenInfo(slot, &ti);
	if (rv == CKR_OK)
		return false;
	snprintf(err, cap,
	         _("a card is in the reader \"%s\" but the module could not read it (%s); take it "
	           "out and put it back"),
	         name, ez_rv_name(rv));
	return true;
}

int ez_no_token_reason(const struct ez_module *m, const CK_SLOT_ID *only, bool filtered, char *err,
                       size_t cap)
{
	CK_ULONG service, n = 0;
	CK_SLOT_ID *ids = NULL;
	int ret = EZ_EXIT_NO_CARD;
	bool said = false;

	if (ez_service_state(m, &service) && service == EZ_SERVICE_DOWN) {
		snprintf(err, cap, "%s",
		         _("the smart card service (pcscd) is not running: start it (sudo systemctl "
		           "start pcscd.socket), or install it (sudo apt install pcscd)"));
		return EZ_EXIT_SERVICE;
	}
	if (m->f->C_GetSlotList(CK_FALSE, NULL, &n) != CKR_OK || n == 0 ||
	    !(ids = calloc(n, sizeof *ids)) || m->f->C_GetSlotList(CK_FALSE, ids, &n) != CKR_OK)
		n = 0;
	for (CK_ULONG i = 0; i < n && !said; i++) {
		if (!only || ids[i] == *only)
			said = unusable_card(m, ids[i], err, cap);
	}
	free(ids);
	if (said)
		return ret;
	if (n == 0 || (ez_service_state(m, &service) && service == EZ_SERVICE_NO_READERS))
		snprintf(err, cap, "%s",
		         _("no card reader is connected: connect the reader (if it is connected, "
		           "unplug it and plug it in again)"));
	else if (filtered)
		snprintf(err, cap, "%s",
		         _("no card matches the given --slot/--token; run eimza-info to list them"));
	else
		snprintf(err, cap, "%s",
		         _("no card found: insert your card into the reader"));
	return ret;
}

void ez_secret_state_get(const struct ez_module *m, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
                         enum ez_secret_kind kind, struct ez_secret_state *st)
{
	EZ_CARD_INFO ci;
	CK_LONG left, max;

	memset(st, 0, sizeof(*st));
	if (m && ez_card_info(m, slot, &ci) && ci.state == EZ_CARD_TOKEN) {
		left = kind == EZ_PIN ? ci.pin_tries : ci.puk_tries;
		max = kind == EZ_PIN ? ci.pin_max_tries : ci.puk_max_tries;
		if (left >= 0 && max > 0) {
			st->left = (unsigned)left;
			st->max = (unsigned)max;
			st->exact = true;
			st->blocked = left == 0;
			return;
		}
	}
	st->max = ez_max_tries(kind);
	st->left = ez_tries_left(ti ? ti->flags : 0, kind, st->max, &st->exact);
	st->blocked = ti && ez_secret_locked(ti->flags, kind);
}
