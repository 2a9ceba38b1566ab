/*
 * tool-vendor.c: eimza-pkcs11.so's "Vendor eimza" interface, when the
 * loaded module offers it (<eimza/eimza-pkcs11.h>): what is in a reader and
 * the exact PIN and PUK counters. Other modules (SoftHSM in tests, the
 * vendor's library) do not offer it; the tools then fall back on what the
 * token flags say.
 */
#include "config.h"

#include <dlfcn.h>
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
