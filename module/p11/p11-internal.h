/*
 * p11-internal.h: the PKCS#11 front's shared state: the module (initialized
 * or not, its locks), slots (PC/SC readers) and sessions.
 *
 * Lock order: the module lock (slot table and session table), then one
 * slot's lock (its token and card), then the card's PC/SC transaction.
 * A thread never takes a slot lock and then the module lock. Card I/O
 * happens with the slot lock only, so different cards work in parallel.
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

struct ez_slot {
	CK_SLOT_ID id;
	char reader[EZ_READER_NAME_MAX];
	bool reader_present;
	ez_mutex lock;
	struct ez_token *token;     /* NULL: no (readable) token */
	bool card_present;          /* as last seen */
	bool unrecognized;          /* a card, but not one we can read */
	struct ez_card_info card;   /* what the card in it was recognized as (model "" : none) */
	uint8_t atr[EZ_ATR_MAX];    /* the ATR of the card in it (atr_len 0: none) */
	size_t atr_len;
	ez_err read_err;            /* why the card was last not read */
	unsigned events;            /* pcscd's insertion counter when the token was read */
	bool reported_present;      /* what C_WaitForSlotEvent last reported */
	unsigned reported_events;
};

enum ez_op { EZ_OP_NONE, EZ_OP_SIGN, EZ_OP_VERIFY, EZ_OP_DIGEST, EZ_OP_FIND };

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
	ez_pcsc *wait_pcsc;
	struct ez_slot slots[EZ_MAX_SLOTS];
	size_t nslots;
	struct ez_session **sessions;
	size_t nsessions;
	CK_SESSION_HANDLE next_session;
	CK_OBJECT_HANDLE next_object;
};

/* Outside ez_mod, which C_Finalize clears: threads still in
 * C_WaitForSlotEvent read them after the clear. */
extern _Atomic int ez_waiters;
extern _Atomic bool ez_finalizing;

extern struct ez_module ez_mod;

/* Every entry point starts with this: CKR_CRYPTOKI_NOT_INITIALIZED before
 * anything else (also in a forked child using the parent's module). */
bool ez_ready(void);

/* Slots (p11-slots.c). Called with the module lock held. */
CK_RV ez_slots_rescan(void);
/* EZ_SERVICE_OK, _NO_READERS or _DOWN (module lock held). */
CK_ULONG ez_slots_service(void);
struct ez_slot *ez_slot_find(CK_SLOT_ID id);
/* Bring the slot's token up to date with the reader: drop it when the card
 * left or changed, read it when a card arrived. Takes the slot lock inside;
 * call with the module lock held. */
void ez_slot_refresh(struct ez_slot *s);
/* What a call that needs the token answers when the slot has none
 * (module lock held). */
CK_RV ez_slot_no_token(const struct ez_slot *s);
/* Close every session of a slot (module lock held). */
void ez_sessions_close_slot(CK_SLOT_ID id);

/* Sessions (p11-session.c). */
/* Look up a session and its slot; with the module lock held. Drops the
 * session when its token is gone. */
CK_RV ez_session_get(CK_SESSION_HANDLE h, struct ez_session **s, struct ez_slot **slot);
void ez_session_reset_op(struct ez_session *s);
size_t ez_sessions_on(CK_SLOT_ID id, bool rw_only);

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
};
extern struct ez_config ez_cfg;
void ez_config_load(void);
bool ez_config_reader_wanted(const char *reader);

/* Debug log (p11-log.c): EIMZA_DEBUG=1 to stderr, EIMZA_DEBUG_FILE=PATH. */
void ez_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool ez_log_enabled(void);
void ez_log_init(void);
/* The APDU trace hook of a slot's connection (arg: the slot id). */
void ez_trace_apdu(void *arg, const char *line);

/* The vendor interface's trace (p11-vendor.c): is someone listening, and
 * hand them a line. */
bool ez_vendor_trace_on(void);
void ez_vendor_trace(CK_SLOT_ID slot, const char *line);

#endif
