/*
 * p11-internal.h: the PKCS#11 front's shared state: the module (initialized
 * or not, its locks), slots (PC/SC readers) and sessions, and the one way
 * every C_* function comes in and goes out (p11-call.c).
 *
 * Locks (docs/module.md, "Threads and locks"):
 *   - a slot's lock guards everything of that slot: whether a card is in
 *     it and what it is, its token (objects, login, counters), the card
 *     connection and its transaction depth, and the operation state of the
 *     slot's sessions. Card I/O runs holding it, and nothing else.
 *   - the module lock guards the tables: which slots exist, which sessions
 *     exist and on which slot, the counter for new session handles, and pcscd's
 *     context. It is held for table lookups and pcscd status queries only,
 *     never across card I/O, and never while waiting for a slot lock.
 * Order: a slot lock, then the module lock. A thread holds at most one
 * slot lock. So a login on card A (slot A's lock, card I/O) never holds up
 * a call on card B, and a session is closed (module + its slot lock) only
 * when no other thread is using its slot.
 */
#ifndef EIMZA_MODULE_P11_INTERNAL_H
#define EIMZA_MODULE_P11_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkcs11-types.h"

#include "../token/mech.h"
#include "../token/token.h"
#include "../transport/pcsc.h"

#define EZ_MAX_SLOTS 32

/* Mutexes: the application's callbacks (C_Initialize) or pthreads. */
typedef void *ez_mutex;
CK_RV ez_mutex_new(ez_mutex *m);
void ez_mutex_free(ez_mutex m);
void ez_mutex_lock(ez_mutex m);
void ez_mutex_unlock(ez_mutex m);
/* May the module start threads of its own (not when the application said
 * CKF_LIBRARY_CANT_CREATE_OS_THREADS)? */
bool ez_threads_allowed(void);

/* What the module knows of the card in a slot's reader. */
enum ez_read_state {
	EZ_READ_NONE,   /* no card, or a card of no AKIS family: nothing to read */
	EZ_READ_DUE,    /* an AKIS card, not read yet (read when a call needs it) */
	EZ_READ_DONE,   /* read: slot->token */
	EZ_READ_FAILED, /* its read failed; tried again after a back-off */
};

struct ez_slot {
	CK_SLOT_ID id;
	char reader[EZ_READER_NAME_MAX]; /* set once when the slot is made */
	ez_mutex lock;
	/* Under the module lock: */
	bool reader_present;
	/* Under the slot lock: */
	struct ez_token *token;     /* NULL: no (readable) token */
	bool card_present;          /* as last seen */
	enum ez_read_state read;
	ez_err identified;          /* the ATR alone: EZ_OK, EZ_ERR_NOT_AKIS, EZ_ERR_UNSUPPORTED */
	struct ez_card_info card;   /* what the card in it was recognized as (family "" : none) */
	uint8_t atr[EZ_ATR_MAX];    /* the ATR of the card in it (atr_len 0: none) */
	size_t atr_len;
	ez_err read_err;            /* why the card was last not read */
	unsigned read_failures;     /* failed reads of this insertion (the back-off) */
	double read_again_at;       /* monotonic seconds: no new read before */
	unsigned events;            /* pcscd's insertion counter when the card was seen */
	unsigned long tokens_made;  /* tokens read in this slot (their handle ranges) */
	unsigned long pcsc_epoch;   /* the pcscd context the card was seen with */
	bool reported_present;      /* what C_WaitForSlotEvent last reported */
	unsigned reported_events;
	/* Read without the slot lock, by the parallel read (p11-read.c). */
	_Atomic bool read_wanted;
};

enum ez_op { EZ_OP_NONE, EZ_OP_SIGN, EZ_OP_VERIFY, EZ_OP_DIGEST, EZ_OP_FIND };

/* A session. Its handle, slot, flags and generation are set when it is
 * opened; the rest is under its slot's lock. */
struct ez_session {
	CK_SESSION_HANDLE handle;
	CK_SLOT_ID slot;
	CK_FLAGS flags;
	unsigned long generation; /* the token it was opened on */
	enum ez_op op;
	/* find */
	CK_OBJECT_HANDLE *found;
	size_t nfound, pos;
	/* sign / verify / digest */
	const struct ez_mech *mech;
	CK_MECHANISM mechanism;
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_OBJECT_HANDLE key;
	EVP_MD_CTX *md;
	unsigned char *buf; /* raw multi-part input */
	size_t buflen;
	bool multipart;     /* an Update came: only Final may end the operation */
	bool singlepart;    /* C_Sign / C_Digest was called (a size query too): only
	                       they may end it */
	bool context_login; /* CKU_CONTEXT_SPECIFIC done for this operation */
	bool holds_transaction;
};

struct ez_module {
	bool initialized;
	pid_t pid;
	ez_mutex lock;
	ez_pcsc *pcsc;
	unsigned long pcsc_epoch; /* a new one with every new context (pcscd restarted) */
	ez_pcsc *wait_pcsc;
	struct ez_slot slots[EZ_MAX_SLOTS];
	size_t nslots;
	struct ez_session **sessions;
	size_t nsessions;
	CK_SESSION_HANDLE next_session;
};

/* Outside ez_mod, which C_Finalize clears: threads still in
 * C_WaitForSlotEvent read them after the clear. */
extern _Atomic int ez_waiters;
extern _Atomic bool ez_finalizing;

extern struct ez_module ez_mod;

/* Initialized, in this process (not a forked child using the parent's)? */
bool ez_ready(void);

/* ---- the one way in and out (p11-call.c) ---------------------------------- */

/*
 * Every C_* function is
 *
 *	struct ez_call c;
 *	CK_RV rv = ez_enter_session(ez_call(&c, __func__, "key=%lu", key), h, 0);
 *	if (rv == CKR_OK)
 *		rv = ...the work, with c.slot locked and c.s valid...;
 *	return ez_leave(&c, rv);
 *
 * ez_call names the call and its key arguments (never a PIN) for the
 * debug log; the enter functions answer CKR_CRYPTOKI_NOT_INITIALIZED before
 * anything else (also in a forked child), then look up the slot or session
 * and take its lock; ez_leave releases what was taken and logs the answer
 * by name with the thread and slot.
 */
struct ez_call {
	const char *fn;
	struct ez_slot *slot;   /* entered: its lock is held until ez_leave */
	struct ez_session *s;   /* entered session (of c->slot) */
	bool logged;
	char args[200];
};

/* What an entry needs before the work. */
enum {
	EZ_NEED_TOKEN = 1, /* slot: the token, read now if it is due (CKR from the
	                      slot's state when there is none) */
	EZ_NEED_FRESH = 2, /* session: ask pcscd about the reader first (the calls
	                      that send a PIN must not reach another card); other
	                      session calls ask nothing, and a card that left is
	                      noticed by the next exchange with it */
};

struct ez_call *ez_call(struct ez_call *c, const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Initialized? No lock taken. */
CK_RV ez_enter(struct ez_call *c);
/* The slot `id`, its reader's state refreshed, its lock held. */
CK_RV ez_enter_slot(struct ez_call *c, CK_SLOT_ID id, unsigned need);
/* The session `h` and its slot, the slot's lock held. A session whose
 * token is gone is closed here and answers CKR_SESSION_HANDLE_INVALID. */
CK_RV ez_enter_session(struct ez_call *c, CK_SESSION_HANDLE h, unsigned need);
/* Release, log, and return rv. */
CK_RV ez_leave(struct ez_call *c, CK_RV rv);
/* A whole call that only checks its session: then answers `answer`. */
CK_RV ez_session_then(const char *fn, CK_SESSION_HANDLE h, CK_RV answer);

/* Names for the log (p11-names.c). */
const char *ez_ckr_name(CK_RV rv);
const char *ez_ckm_name(CK_MECHANISM_TYPE m);
const char *ez_mech_arg(const CK_MECHANISM *m); /* "CKM_..." or "NULL" */

/* ---- slots (p11-slots.c, p11-read.c) --------------------------------------- */

/* Module lock held: */
CK_RV ez_slots_rescan(void);
/* EZ_SERVICE_OK, _NO_READERS or _DOWN. */
CK_ULONG ez_slots_service(void);
/* The slot of an id (NULL: none). Slots never move or go away before
 * C_Finalize, so the pointer may be kept without the module lock. */
struct ez_slot *ez_slot_find(CK_SLOT_ID id);
/* The same, taking and releasing the module lock. */
struct ez_slot *ez_slot_lookup(CK_SLOT_ID id);
size_t ez_slot_count(void);

/* Slot lock held: */
/* Bring the slot up to date with the reader (one pcscd status query, no
 * APDU): drop the token when the card left or changed, note a new card
 * (read later, when a call needs its token). */
void ez_slot_refresh(struct ez_slot *s);
/* The token, read now if it is due (p11-read.c): NULL when there is none. */
struct ez_token *ez_slot_token(struct ez_slot *s);
/* A lost connection: recover it or drop the token. */
void ez_slot_recover(struct ez_slot *s);
/* What a call that needs the token answers when the slot has none. */
CK_RV ez_slot_no_token(const struct ez_slot *s);
/* Is a card the module claims in the reader (CKF_TOKEN_PRESENT)? */
bool ez_slot_claims_card(const struct ez_slot *s);
/* Drop the token and close its sessions. */
void ez_slot_drop_token(struct ez_slot *s);

/* Read every slot whose card is due, in parallel (one thread per card),
 * before a call needs one of them. No lock held. */
void ez_slots_read_due(void);

/* ---- sessions (p11-session.c) ----------------------------------------------- */

/* Slot lock held; take the module lock inside. */
void ez_session_reset_op(struct ez_session *s);
size_t ez_sessions_on(CK_SLOT_ID id, bool rw_only);
bool ez_sessions_ro_on(CK_SLOT_ID id);
/* Close every session of a slot. */
void ez_sessions_close_slot(CK_SLOT_ID id);
/* Reset the operation of every session of a slot. */
void ez_sessions_reset_slot(CK_SLOT_ID id);
/* Close one session (the one entered). */
void ez_session_close(struct ez_session *s);
/* The last session of the slot closed: the login ends (PKCS#11 11.6). */
void ez_slot_logout_if_unused(struct ez_slot *slot);

/* C_SignUpdate / C_VerifyUpdate / C_DigestUpdate (p11-sign.c). */
CK_RV ez_op_update(struct ez_call *c, enum ez_op op, const unsigned char *data, size_t len);

/* Card errors to CK_RV (p11-rv.c), with the token's login forgotten on a
 * reset. `need_login`: the operation required a login. */
CK_RV ez_err_to_ckr(ez_err e, bool need_login);
void ez_token_card_error(struct ez_token *t, ez_err e);

/* Configuration (p11-config.c). */
#define EZ_CFG_MAX_FILTERS 8
#define EZ_CFG_TEXT 128
struct ez_config {
	bool debug;
	char log_file[512];
	bool apdu_trace;
	char include[EZ_CFG_MAX_FILTERS][EZ_CFG_TEXT];
	size_t n_include;
	char exclude[EZ_CFG_MAX_FILTERS][EZ_CFG_TEXT];
	size_t n_exclude;
	bool login_consent;  /* the C_Login PIN is the consent for the next
	                        always-authenticate signature (see p11-sign.c) */
	double read_retry;   /* seconds before a failed card read is tried again */
	bool parallel_read;  /* read several cards at once */
	bool pinpad;         /* use the keypad of a PIN-pad reader (default yes) */
};
extern struct ez_config ez_cfg;
/* The reader's keypad as the module uses it (EZ_PAD_*): none with
 * `pinpad = no`, and then the reader is a plain reader to the token. */
static inline unsigned ez_token_pad(const struct ez_token *t)
{
	return ez_cfg.pinpad ? t->pinpad : 0;
}
void ez_config_load(void);
bool ez_config_reader_wanted(const char *reader);

/* Debug log (p11-log.c): EIMZA_DEBUG=1 to stderr, EIMZA_DEBUG_FILE=PATH. */
void ez_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool ez_log_enabled(void);
void ez_log_init(void);
/* The APDU trace hook of a slot's connection (arg: the slot id). */
void ez_trace_apdu(void *arg, const char *line);
/* Monotonic seconds. */
double ez_now(void);

/* The vendor interface's trace (p11-vendor.c): is someone listening, and
 * hand them a line. */
bool ez_vendor_trace_on(void);
void ez_vendor_trace(CK_SLOT_ID slot, const char *line);

#endif
