/* ez-error.c: names of the card side's error codes, for debug logs. */
#include "config.h"

#include "ez-error.h"

const char *ez_err_name(ez_err e)
{
	switch (e) {
	case EZ_OK: return "ok";
	case EZ_ERR_NO_MEMORY: return "out of memory";
	case EZ_ERR_ARGS: return "bad arguments";
	case EZ_ERR_NO_SERVICE: return "PC/SC service not available";
	case EZ_ERR_NO_READER: return "reader gone";
	case EZ_ERR_NO_CARD: return "no card";
	case EZ_ERR_CARD_REMOVED: return "card removed";
	case EZ_ERR_CARD_RESET: return "card reset by another program";
	case EZ_ERR_CARD_CHANGED: return "another card in the reader";
	case EZ_ERR_SHARING: return "card used exclusively by another program";
	case EZ_ERR_TRANSPORT: return "PC/SC failure";
	case EZ_ERR_NOT_AKIS: return "not an AKIS card";
	case EZ_ERR_UNSUPPORTED: return "not supported by this card";
	case EZ_ERR_CARD: return "unexpected card answer";
	case EZ_ERR_MALFORMED: return "malformed card data";
	case EZ_ERR_NOT_FOUND: return "not found";
	case EZ_ERR_PIN_INCORRECT: return "wrong PIN";
	case EZ_ERR_PIN_LOCKED: return "PIN blocked";
	case EZ_ERR_PIN_LEN: return "PIN length outside the card's policy";
	case EZ_ERR_PIN_INVALID: return "PIN characters not allowed";
	case EZ_ERR_SECURITY: return "security status not satisfied";
	case EZ_ERR_DATA_LEN: return "data too long";
	case EZ_ERR_CARD_UNREADY: return "card answers 6F00 (no state)";
	case EZ_ERR_PAD_CANCELLED: return "PIN entry on the reader cancelled";
	case EZ_ERR_PAD_TIMEOUT: return "PIN entry on the reader timed out";
	case EZ_ERR_PAD_MISMATCH: return "the new PINs typed on the reader differ";
	}
	return "unknown error";
}
