/*
 * ez-error.h: the one error vocabulary of the card side of the module.
 *
 * The transport, APDU, card and PKCS#15 layers answer with these codes;
 * the PKCS#11 front turns them into CK_RV in exactly one place
 * (module/p11/p11-rv.c, ez_err_to_ckr). No lower layer knows PKCS#11.
 */
#ifndef EIMZA_MODULE_EZ_ERROR_H
#define EIMZA_MODULE_EZ_ERROR_H

typedef enum {
	EZ_OK = 0,
	EZ_ERR_NO_MEMORY,        /* malloc failed                       -> CKR_HOST_MEMORY */
	EZ_ERR_ARGS,             /* caller's bug in a lower-layer call  -> CKR_GENERAL_ERROR */
	EZ_ERR_NO_SERVICE,       /* pcscd not running / context lost    -> CKR_DEVICE_ERROR */
	EZ_ERR_NO_READER,        /* the reader went away                -> CKR_DEVICE_REMOVED */
	EZ_ERR_NO_CARD,          /* no card in the reader               -> CKR_TOKEN_NOT_PRESENT */
	EZ_ERR_CARD_REMOVED,     /* the card left during the operation, or the exchange broke
	                            (pcsc.h, ez_conn_lost)      -> CKR_DEVICE_REMOVED */
	EZ_ERR_CARD_RESET,       /* another process reset the card; reconnected, login lost
	                            -> CKR_USER_NOT_LOGGED_IN where a login is needed,
	                               else the operation is retried once from the start */
	EZ_ERR_CARD_CHANGED,     /* a different card (serial) is in the reader -> CKR_DEVICE_REMOVED */
	EZ_ERR_SHARING,          /* card used exclusively elsewhere     -> CKR_DEVICE_ERROR */
	EZ_ERR_TRANSPORT,        /* other PC/SC failure                 -> CKR_DEVICE_ERROR */
	EZ_ERR_NOT_AKIS,         /* ATR of no known card family         -> token not recognised */
	EZ_ERR_UNSUPPORTED,      /* a known card generation that no dialect speaks (AKIS v1.0),
	                            or a function the card does not have -> token not recognised,
	                            or CKR_FUNCTION_NOT_SUPPORTED / MECHANISM_INVALID by context */
	EZ_ERR_CARD,             /* unexpected status word              -> CKR_DEVICE_ERROR */
	EZ_ERR_MALFORMED,        /* the card's data does not parse      -> CKR_DEVICE_ERROR */
	EZ_ERR_NOT_FOUND,        /* 6A 82 / 6A 88                       -> CKR_DEVICE_ERROR or
	                            CKR_KEY_HANDLE_INVALID by context */
	EZ_ERR_PIN_INCORRECT,    /* 63 CX, X > 0                        -> CKR_PIN_INCORRECT */
	EZ_ERR_PIN_LOCKED,       /* 69 83 / 63 C0                       -> CKR_PIN_LOCKED */
	EZ_ERR_PIN_LEN,          /* PIN outside the AODF's lengths      -> CKR_PIN_LEN_RANGE */
	EZ_ERR_PIN_INVALID,      /* not numeric where the AODF says so  -> CKR_PIN_INVALID */
	EZ_ERR_SECURITY,         /* 69 82: not verified                 -> CKR_USER_NOT_LOGGED_IN */
	EZ_ERR_DATA_LEN,         /* input too long for the key          -> CKR_DATA_LEN_RANGE */
	EZ_ERR_CARD_UNREADY,     /* 6F 00, no precise diagnosis: the card lost its state (pushed
	                            back unseen and never powered up, or an internal fault).
	                            The connection is marked lost, as after a broken exchange
	                            -> CKR_DEVICE_REMOVED; a new read resets the card once */
	EZ_ERR_PAD_CANCELLED,    /* PIN entry on the reader's keypad cancelled (64 01)
	                            -> CKR_FUNCTION_CANCELED */
	EZ_ERR_PAD_TIMEOUT,      /* ... nothing typed in time (64 00) -> CKR_FUNCTION_CANCELED */
	EZ_ERR_PAD_MISMATCH,     /* ... the two new PINs typed differ (64 02) -> CKR_PIN_INVALID */
} ez_err;

/* A short English text for debug logs ("card removed"). Never NULL. */
const char *ez_err_name(ez_err e);

#endif
