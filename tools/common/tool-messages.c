/*
 * tool-messages.c: CK_RV values as sentences a card holder understands,
 * with what to do next, and the exit status that goes with each.
 */
#include "config.h"

#include <string.h>

#include "tools/common/tool.h"

#if !(defined(ENABLE_NLS) && ENABLE_NLS)
#define ngettext(s, p, n) ((n) == 1 ? (s) : (p))
#endif

const char *ez_rv_name(CK_RV rv)
{
	static _Thread_local char buf[32];
	switch (rv) {
#define N(x)                                                                                       \
	case x:                                                                                    \
		return #x;
		N(CKR_OK)
		N(CKR_CANCEL) N(CKR_HOST_MEMORY) N(CKR_SLOT_ID_INVALID) N(CKR_GENERAL_ERROR) N(
		    CKR_FUNCTION_FAILED) N(CKR_ARGUMENTS_BAD) N(CKR_ATTRIBUTE_TYPE_INVALID)
		    N(CKR_DEVICE_ERROR) N(CKR_DEVICE_MEMORY) N(CKR_DEVICE_REMOVED) N(
		        CKR_FUNCTION_NOT_SUPPORTED) N(CKR_KEY_HANDLE_INVALID)
		        N(CKR_MECHANISM_INVALID) N(CKR_OBJECT_HANDLE_INVALID) N(
		            CKR_OPERATION_ACTIVE) N(CKR_PIN_INCORRECT) N(CKR_PIN_INVALID)
		            N(CKR_PIN_LEN_RANGE) N(CKR_PIN_EXPIRED) N(CKR_PIN_LOCKED) N(
		                CKR_SESSION_CLOSED) N(CKR_SESSION_HANDLE_INVALID)
		                N(CKR_SESSION_READ_ONLY) N(CKR_SIGNATURE_INVALID) N(
		                    CKR_TOKEN_NOT_PRESENT) N(CKR_TOKEN_NOT_RECOGNIZED)
		                    N(CKR_TOKEN_WRITE_PROTECTED) N(CKR_USER_ALREADY_LOGGED_IN) N(
		                        CKR_USER_NOT_LOGGED_IN) N(CKR_USER_PIN_NOT_INITIALIZED)
		                        N(CKR_USER_TYPE_INVALID) N(
		                            CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
		                            N(CKR_BUFFER_TOO_SMALL) N(CKR_CRYPTOKI_NOT_INITIALIZED)
		                                N(CKR_CRYPTOKI_ALREADY_INITIALIZED)
		                                    N(CKR_FUNCTION_CANCELED) N(CKR_SESSION_COUNT)
		                                        N(CKR_SESSION_READ_WRITE_SO_EXISTS)
#undef N
		                                            default
		    : snprintf(buf, sizeof buf, "CKR_0x%08lx", (unsigned long)rv);
		return buf;
	}
}

int ez_rv_exit(CK_RV rv)
{
	switch (rv) {
	case CKR_OK:
		return EZ_EXIT_OK;
	case CKR_PIN_INCORRECT:
		return EZ_EXIT_WRONG_PIN;
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		/* refused for its form before the card counted a try: a usage
		 * error, not "wrong PIN, tries remain" */
		return EZ_EXIT_USAGE;
	case CKR_PIN_LOCKED:
		return EZ_EXIT_BLOCKED;
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_DEVICE_REMOVED:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_SLOT_ID_INVALID:
		return EZ_EXIT_NO_CARD;
	case CKR_SIGNATURE_INVALID:
		return EZ_EXIT_VERIFY;
	default:
		return EZ_EXIT_FAILURE;
	}
}

static void wrong_secret(CK_FLAGS fl, enum ez_secret_kind kind, char *out, size_t cap)
{
	unsigned max = ez_max_tries(kind);
	bool exact;
	unsigned left = ez_tries_left(fl, kind, max, &exact);
	if (left == 0) {
		snprintf(out, cap, "%s",
		         kind == EZ_PIN ? _("Wrong PIN; the PIN is now blocked. Unlock it with "
		                            "your PUK: eimza-pin unlock")
		                        : _("Wrong PUK; the PUK is now blocked too. Only your "
		                            "certificate provider can help: apply for a new card"));
	} else if (!exact) {
		snprintf(out, cap,
		         kind == EZ_PIN ? _("Wrong PIN, fewer than %u tries left")
		                        : _("Wrong PUK, fewer than %u tries left"),
		         max);
	} else if (kind == EZ_PIN) {
		snprintf(out, cap,
		         ngettext("Wrong PIN, %u try left", "Wrong PIN, %u tries left", left),
		         left);
	} else {
		snprintf(out, cap,
		         ngettext("Wrong PUK, %u try left", "Wrong PUK, %u tries left", left),
		         left);
	}
}

void ez_rv_message(CK_RV rv, CK_FLAGS fl, enum ez_secret_kind kind, char *out, size_t cap)
{
	const char *m = NULL;
	switch (rv) {
	case CKR_OK:
		m = _("Done");
		break;
	case CKR_PIN_INCORRECT:
		wrong_secret(fl, kind, out, cap);
		return;
	case CKR_PIN_LOCKED:
		m = kind == EZ_PIN
		        ? _("The PIN is blocked. Unlock it with your PUK: eimza-pin unlock")
		        : _("The PUK is blocked. Only your certificate provider can help: apply "
		            "for a new card");
		break;
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		m = kind == EZ_PIN ? _("The card does not accept this PIN (wrong length or "
		                       "characters); no try was used")
		                   : _("The card does not accept this PUK (wrong length or "
		                       "characters); no try was used");
		break;
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_DEVICE_REMOVED:
		m = _("The card was removed from the reader. Insert it and try again");
		break;
	case CKR_TOKEN_NOT_RECOGNIZED:
		m = _("The card in the reader is not an e-signature card this module knows");
		break;
	case CKR_SLOT_ID_INVALID:
		m = _("The reader is gone. Connect it and try again");
		break;
	case CKR_FUNCTION_CANCELED:
	case CKR_CANCEL:
		m = _("Cancelled (on the reader or by the user)");
		break;
	case CKR_USER_NOT_LOGGED_IN:
		m = _("The card wants the PIN first");
		break;
	case CKR_FUNCTION_NOT_SUPPORTED:
		m = _("The module or card does not support this operation");
		break;
	case CKR_DEVICE_ERROR:
	case CKR_DEVICE_MEMORY:
		m = _("The card or reader reported an error. Take the card out, put it back and "
		      "try again");
		break;
	case CKR_HOST_MEMORY:
		m = _("Out of memory");
		break;
	default:
		break;
	}
	if (m)
		snprintf(out, cap, "%s", m);
	else
		snprintf(out, cap, _("The card operation failed (%s)"), ez_rv_name(rv));
}
