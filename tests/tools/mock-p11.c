/*
 * mock-p11.c: a tiny PKCS#11 module for the tools' tests: one token with a
 * PIN (3 tries) and a PUK (3 tries, as Kamu SM's cards) whose counters live in a state file
 * ($MOCK_P11_STATE), so successive tool runs see a PIN being blocked and
 * unlocked without a card. $MOCK_P11_PINPAD makes the reader a PIN pad
 * (see pinpad_mode()); $MOCK_P11_LABEL sets the token
 * label (any bytes). A card the tools cannot use:
 *   MOCK_P11_TOKEN=unrecognized  the slot says a card is in, C_GetTokenInfo
 *                                answers CKR_TOKEN_NOT_RECOGNIZED (what a
 *                                module without eimza's vendor interface says)
 *   MOCK_P11_VENDOR=1            offer eimza's "Vendor eimza" interface (1.2):
 *   MOCK_P11_CARD=none|foreign|unsupported|unreadable  the card it reports
 *                                (no token in the slot then)
 *   MOCK_P11_SERVICE=ok|noreaders|down  the PC/SC service it reports (no slot
 *                                unless ok)
 * Nothing else is implemented.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include <eimza/eimza-pkcs11.h>

#define SLOT 7
#define SESSION 42

struct state {
	char pin[32], puk[32];
	int pin_tries, puk_tries;
};
static int logged; /* 0 none, 1 user, 2 SO */

static const char *path(void)
{
	const char *p = getenv("MOCK_P11_STATE");
	return p ? p : "/tmp/mock-p11.state";
}

static void load(struct state *s)
{
	FILE *f = fopen(path(), "r");
	memset(s, 0, sizeof *s);
	if (!f || fscanf(f, "%31s %31s %d %d", s->pin, s->puk, &s->pin_tries, &s->puk_tries) != 4) {
		strcpy(s->pin, "123456");
		strcpy(s->puk, "12345678");
		s->pin_tries = 3;
		s->puk_tries = 3;
	}
	if (f)
		fclose(f);
}

static void save(const struct state *s)
{
	FILE *f = fopen(path(), "w");
	if (f) {
		fprintf(f, "%s %s %d %d\n", s->pin, s->puk, s->pin_tries, s->puk_tries);
		fclose(f);
	}
}

/* MOCK_P11_PINPAD=1: a PIN pad whose keypad the module uses (a NULL PIN is
 * the right one); =verify: a keypad that only verifies (a NULL PIN logs in;
 * C_SetPIN and C_InitPIN want PINs given; the vendor interface says so);
 * =refuse: a PIN pad whose module refuses every NULL PIN before any try. */
static const char *pinpad_mode(void)
{
	const char *p = getenv("MOCK_P11_PINPAD");
	return p ? p : "";
}

static int pinpad(void)
{
	return strcmp(pinpad_mode(), "1") == 0 || strcmp(pinpad_mode(), "verify") == 0 ||
	       strcmp(pinpad_mode(), "refuse") == 0;
}

/* Does the keypad take a NULL PIN for logging in, for changing? */
static int keypad(void)
{
	return strcmp(pinpad_mode(), "1") == 0 || strcmp(pinpad_mode(), "verify") == 0;
}

static int keypad_changes(void)
{
	return strcmp(pinpad_mode(), "1") == 0;
}

static void pad(CK_UTF8CHAR *dst, size_t len, const char *s)
{
	memset(dst, ' ', len);
	memcpy(dst, s, strlen(s) < len ? strlen(s) : len);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v ? v : "";
}

static int vendor(void)
{
	return strcmp(env("MOCK_P11_VENDOR"), "1") == 0;
}

/* The vendor interface's card state: EZ_CARD_TOKEN unless MOCK_P11_CARD says. */
static CK_ULONG card_state(void)
{
	const char *c = env("MOCK_P11_CARD");
	if (!vendor())
		return EZ_CARD_TOKEN;
	return strcmp(c, "none") == 0          ? EZ_CARD_NONE
	       : strcmp(c, "foreign") == 0     ? EZ_CARD_FOREIGN
	       : strcmp(c, "unsupported") == 0 ? EZ_CARD_UNSUPPORTED
	       : strcmp(c, "unreadable") == 0  ? EZ_CARD_UNREADABLE
	                                       : EZ_CARD_TOKEN;
}

static CK_ULONG service_state(void)
{
	const char *s = env("MOCK_P11_SERVICE");
	if (!vendor())
		return EZ_SERVICE_OK;
	return strcmp(s, "down") == 0 ? EZ_SERVICE_DOWN
	       : strcmp(s, "noreaders") == 0 ? EZ_SERVICE_NO_READERS
	                                     : EZ_SERVICE_OK;
}

/* the slot has a token the tools can use */
static int token_ok(void)
{
	return card_state() == EZ_CARD_TOKEN && strcmp(env("MOCK_P11_TOKEN"), "unrecognized") != 0;
}

static CK_RV m_init(CK_VOID_PTR a)
{
	return CKR_OK;
}
static CK_RV m_fin(CK_VOID_PTR r)
{
	return CKR_OK;
}
static CK_RV m_info(CK_INFO_PTR i)
{
	memset(i, 0, sizeof *i);
	i->cryptokiVersion.major = 2;
	i->cryptokiVersion.minor = 40;
	pad(i->manufacturerID, sizeof i->manufacturerID, "eimza tests");
	pad(i->libraryDescription, sizeof i->libraryDescription, "mock");
	return CKR_OK;
}
static CK_RV m_slots(CK_BBOOL present, CK_SLOT_ID_PTR l, CK_ULONG_PTR n)
{
	if (service_state() != EZ_SERVICE_OK || (present && card_state() != EZ_CARD_TOKEN)) {
		*n = 0;
		return CKR_OK;
	}
	if (l) {
		if (*n < 1) {
			*n = 1;
			return CKR_BUFFER_TOO_SMALL;
		}
		l[0] = SLOT;
	}
	*n = 1;
	return CKR_OK;
}
static CK_RV m_slotinfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR i)
{
	if (id != SLOT)
		return CKR_SLOT_ID_INVALID;
	memset(i, 0, sizeof *i);
	pad(i->slotDescription, sizeof i->slotDescription, "Mock Reader 00 00");
	pad(i->manufacturerID, sizeof i->manufacturerID, "eimza tests");
	i->flags = CKF_HW_SLOT | CKF_REMOVABLE_DEVICE;
	/* eimza's module shows a token only for a card it read */
	if (card_state() == EZ_CARD_TOKEN)
		i->flags |= CKF_TOKEN_PRESENT;
	return CKR_OK;
}
static CK_RV m_tokeninfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR t)
{
	struct state s;
	if (id != SLOT)
		return CKR_SLOT_ID_INVALID;
	if (card_state() != EZ_CARD_TOKEN)
		return CKR_TOKEN_NOT_PRESENT;
	if (!token_ok())
		return CKR_TOKEN_NOT_RECOGNIZED;
	load(&s);
	memset(t, 0, sizeof *t);
	/* $MOCK_P11_LABEL: raw bytes, cut at 32 as the field is (a hostile module
	 * may cut inside a character or put controls in) */
	pad(t->label, sizeof t->label, getenv("MOCK_P11_LABEL") ? getenv("MOCK_P11_LABEL") : "Mock AKIS");
	pad(t->manufacturerID, sizeof t->manufacturerID, "TUBITAK");
	pad(t->model, sizeof t->model, "AKIS mock");
	pad(t->serialNumber, sizeof t->serialNumber, "MOCK0001");
	t->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
	if (pinpad())
		t->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	if (s.pin_tries == 0)
		t->flags |= CKF_USER_PIN_LOCKED;
	else if (s.pin_tries == 1)
		t->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (s.pin_tries < 3)
		t->flags |= CKF_USER_PIN_COUNT_LOW;
	if (s.puk_tries == 0)
		t->flags |= CKF_SO_PIN_LOCKED;
	else if (s.puk_tries == 1)
		t->flags |= CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_COUNT_LOW;
	else if (s.puk_tries < 3)
		t->flags |= CKF_SO_PIN_COUNT_LOW;
	t->ulMinPinLen = 6;
	t->ulMaxPinLen = 8;
	return CKR_OK;
}
static CK_RV m_open(CK_SLOT_ID id, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR s)
{
	if (id != SLOT)
		return CKR_SLOT_ID_INVALID;
	*s = SESSION;
	return CKR_OK;
}
static CK_RV m_close(CK_SESSION_HANDLE s)
{
	logged = 0;
	return CKR_OK;
}

/* One try against a counter: the right secret restores it. */
static CK_RV try_secret(char *want, int *tries, int max, CK_UTF8CHAR_PTR p, CK_ULONG l)
{
	if (*tries == 0)
		return CKR_PIN_LOCKED;
	if (p ? (l == strlen(want) && memcmp(p, want, l) == 0) : keypad()) {
		*tries = max;
		return CKR_OK;
	}
	(*tries)--;
	return CKR_PIN_INCORRECT;
}

static CK_RV m_login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG l)
{
	struct state s;
	CK_RV rv;
	if (!p && !keypad())
		return pinpad() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD;
	load(&s);
	if (u == CKU_SO)
		rv = try_secret(s.puk, &s.puk_tries, 3, p, l);
	else
		rv = try_secret(s.pin, &s.pin_tries, 3, p, l);
	save(&s);
	if (rv == CKR_OK)
		logged = u == CKU_SO ? 2 : 1;
	return rv;
}
static CK_RV m_logout(CK_SESSION_HANDLE h)
{
	logged = 0;
	return CKR_OK;
}
static CK_RV m_initpin(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR p, CK_ULONG l)
{
	struct state s;
	if (logged != 2)
		return CKR_USER_NOT_LOGGED_IN;
	if (!p && !keypad_changes())
		return pinpad() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD;
	load(&s);
	if (p) {
		if (l < 6 || l > 8)
			return CKR_PIN_LEN_RANGE;
		memcpy(s.pin, p, l);
		s.pin[l] = 0;
	}
	s.pin_tries = 3;
	save(&s);
	return CKR_OK;
}
static CK_RV m_setpin(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG ol, CK_UTF8CHAR_PTR n,
		      CK_ULONG nl)
{
	struct state s;
	if ((!o || !n) && !keypad_changes())
		return pinpad() ? CKR_FUNCTION_NOT_SUPPORTED : CKR_ARGUMENTS_BAD;
	load(&s);
	CK_RV rv = try_secret(s.pin, &s.pin_tries, 3, o, ol);
	if (rv == CKR_OK && n) {
		if (nl < 6 || nl > 8)
			rv = CKR_PIN_LEN_RANGE;
		else {
			memcpy(s.pin, n, nl);
			s.pin[nl] = 0;
		}
	}
	save(&s);
	return rv;
}
static CK_RV m_findinit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	return CKR_OK;
}
static CK_RV m_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR n)
{
	*n = 0;
	return CKR_OK;
}
static CK_RV m_findfinal(CK_SESSION_HANDLE h)
{
	return CKR_OK;
}

/* ---- eimza's vendor interface (MOCK_P11_VENDOR=1) ------------------------- */
static CK_RV v_card_info(CK_SLOT_ID slot, EZ_CARD_INFO *ci)
{
	static const CK_BYTE atr[] = {0x3B, 0x9F, 0x96, 0x80, 0x1F, 0xC7};
	struct state s;
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	memset(ci, 0, sizeof *ci);
	ci->state = card_state();
	if (ci->state == EZ_CARD_NONE)
		return CKR_OK;
	memcpy(ci->atr, atr, sizeof atr);
	ci->atr_len = sizeof atr;
	if (ci->state != EZ_CARD_FOREIGN) {
		strcpy(ci->family, "AKIS 2.x (TC)");
		strcpy(ci->model, ci->state == EZ_CARD_UNSUPPORTED ? "AKIS 1.0" : "AKIS 2.5.2 (mock)");
		strcpy(ci->dialect, ci->state == EZ_CARD_UNSUPPORTED ? "" : "2.x");
	}
	if (ci->state == EZ_CARD_TOKEN) {
		load(&s);
		ci->pin_tries = s.pin_tries;
		ci->pin_max_tries = 3;
		ci->puk_tries = s.puk_tries;
		ci->puk_max_tries = 3;
		ci->pin_min_len = 6;
		ci->pin_max_len = 8;
	}
	return CKR_OK;
}

static CK_RV v_trace(EZ_TRACE_FN fn, void *arg)
{
	(void)fn, (void)arg;
	return CKR_OK;
}

static CK_RV v_service(CK_ULONG *state)
{
	*state = service_state();
	return CKR_OK;
}

static CK_RV v_pinpad(CK_SLOT_ID slot, EZ_PINPAD_INFO *pi)
{
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	memset(pi, 0, sizeof *pi);
	pi->flags = (keypad() ? EZ_PINPAD_VERIFY : 0) | (keypad_changes() ? EZ_PINPAD_CHANGE : 0);
	return CKR_OK;
}

static EZ_VENDOR_FUNCTIONS vendor_list = {{1, 2}, v_card_info, v_trace, v_service, v_pinpad};
static CK_INTERFACE vendor_iface = {(CK_CHAR *)EZ_VENDOR_INTERFACE, &vendor_list, 0};

CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
                     CK_FLAGS flags);
CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
                     CK_FLAGS flags)
{
	(void)version, (void)flags;
	if (!vendor() || !name || strcmp((const char *)name, EZ_VENDOR_INTERFACE) != 0)
		return CKR_ARGUMENTS_BAD;
	*iface = &vendor_iface;
	return CKR_OK;
}

static CK_FUNCTION_LIST list;

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp);
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp)
{
	list.version.major = 2;
	list.version.minor = 40;
	list.C_Initialize = m_init;
	list.C_Finalize = m_fin;
	list.C_GetInfo = m_info;
	list.C_GetFunctionList = C_GetFunctionList;
	list.C_GetSlotList = m_slots;
	list.C_GetSlotInfo = m_slotinfo;
	list.C_GetTokenInfo = m_tokeninfo;
	list.C_OpenSession = m_open;
	list.C_CloseSession = m_close;
	list.C_Login = m_login;
	list.C_Logout = m_logout;
	list.C_InitPIN = m_initpin;
	list.C_SetPIN = m_setpin;
	list.C_FindObjectsInit = m_findinit;
	list.C_FindObjects = m_find;
	list.C_FindObjectsFinal = m_findfinal;
	*pp = &list;
	return CKR_OK;
}
