/*
 * pcsc.h: the PC/SC transport. The only file set that calls pcsc-lite.
 *
 * A context lists readers and waits for reader and card events; a
 * connection to one reader transmits APDUs inside transactions and turns
 * the PC/SC outcomes (card removed, card reset by another process, service
 * gone) into ez_err codes. Nothing here knows AKIS or PKCS#11.
 *
 * Threads: a ez_pcsc context may be used by several threads only for
 * ez_pcsc_wait() + ez_pcsc_cancel() (pcsc-lite allows SCardCancel from
 * another thread); a connection is used by one thread at a time (the
 * token layer holds the slot lock).
 *
 * fork(): after fork the child must not use the parent's context; the
 * module drops it without calling SCardReleaseContext (see p11 layer).
 */
#ifndef EIMZA_MODULE_PCSC_H
#define EIMZA_MODULE_PCSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ez-error.h"

typedef struct ez_pcsc ez_pcsc;
typedef struct ez_conn ez_conn;

#define EZ_READER_NAME_MAX 128
#define EZ_ATR_MAX 33

ez_err ez_pcsc_open(ez_pcsc **out);
void ez_pcsc_close(ez_pcsc *p);
/* Forget a context inherited over fork() without touching pcscd. */
void ez_pcsc_abandon(ez_pcsc *p);

/* Reader names, as a list of NUL-terminated strings ending with an empty one
 * (PC/SC multi-string). *out is malloc'ed; an empty list is not an error.
 * EZ_ERR_NO_SERVICE makes the caller reopen the context (pcscd restarted). */
ez_err ez_pcsc_list(ez_pcsc *p, char **out);

/* State of one reader, read without connecting (SCardGetStatusChange with
 * timeout 0): present, atr, and a counter that changes with every card
 * insertion/removal (the high 16 bits of dwEventState). */
struct ez_reader_state {
	bool present;      /* card in the reader */
	bool exclusive;    /* in use exclusively by another process */
	bool gone;         /* the reader itself is unknown / unplugged */
	unsigned events;   /* insertion/removal counter */
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len;
};
ez_err ez_pcsc_state(ez_pcsc *p, const char *reader, struct ez_reader_state *st);

/* Block until a reader appears/disappears or a card moves in any reader,
 * or `timeout_ms` passes (-1: forever), or ez_pcsc_cancel(). Returns EZ_OK
 * on an event, EZ_ERR_NOT_FOUND on timeout, EZ_ERR_ARGS when cancelled. */
ez_err ez_pcsc_wait(ez_pcsc *p, long timeout_ms);
void ez_pcsc_cancel(ez_pcsc *p);

/* A shared connection (T=0 or T=1) to the card in `reader`. It has a
 * context of its own (see pcsc.c); `p` may be NULL. */
ez_err ez_conn_open(ez_pcsc *p, const char *reader, ez_conn **out);
void ez_conn_close(ez_conn *c);
/* The ATR of the connected card. */
size_t ez_conn_atr(const ez_conn *c, uint8_t *buf, size_t cap);

/* Transactions. Multi-APDU sequences (select + read, verify + MSE + PSO)
 * run between begin and end, so another process cannot slip in. Begin
 * reconnects once when the card was reset by someone else and then
 * answers EZ_ERR_CARD_RESET (the caller drops its login state); a removed
 * card answers EZ_ERR_CARD_REMOVED. Nested begin/end pairs are counted. */
ez_err ez_conn_begin(ez_conn *c);
void ez_conn_end(ez_conn *c);

/* One raw exchange. rsp gets data + SW1 SW2; *rsp_len in: capacity, out:
 * length. Same error mapping as begin. */
ez_err ez_conn_transmit(ez_conn *c, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
			size_t *rsp_len);

/*
 * A lost connection: an exchange (or begin) broke in a way that leaves the
 * card's presence, power and state unknown: pcscd could not transmit
 * (SCARD_E_NOT_TRANSACTED: the card left, even if pcscd never saw it
 * leave), the card was removed, unpowered or mute, the handle is unknown
 * to pcscd, or a reset could not be followed by a reconnect. The failing
 * call answers EZ_ERR_CARD_REMOVED (EZ_ERR_NO_READER when the reader went)
 * and from then on begin and transmit answer EZ_ERR_CARD_REMOVED at once,
 * without sending anything, until ez_conn_recover() succeeds: no APDU (a
 * VERIFY least of all) goes to a card nobody has identified again.
 * ez_conn_lost() may be called from any thread.
 */
bool ez_conn_lost(const ez_conn *c);
/* The card's answer says its state is gone (6F 00, see apdu.c): the
 * connection is lost from now on, exactly as after a broken exchange. */
void ez_conn_mark_lost(ez_conn *c);
/* Reconnect a lost connection: SCardReconnect with a reset (a card pulled
 * and pushed back has no power, and its state is unknown anyway), or a new
 * SCardConnect when pcscd no longer knows the handle. EZ_OK when a card
 * answered the reset; whether it is the same card is the caller's to
 * check. EZ_ERR_NO_CARD without a card, EZ_ERR_CARD_REMOVED when a card is
 * there but does not answer yet; the connection stays lost on failure. */
ez_err ez_conn_recover(ez_conn *c);

/* ---- PIN-pad readers (PC/SC part 10) ---------------------------------------
 *
 * What the reader's keypad can do, from its feature list
 * (CM_IOCTL_GET_FEATURE_REQUEST, asked once per connection):
 * EZ_PAD_VERIFY (FEATURE_VERIFY_PIN_DIRECT), EZ_PAD_MODIFY
 * (FEATURE_MODIFY_PIN_DIRECT); 0 for a reader without a keypad. */
#define EZ_PAD_VERIFY 0x1u
#define EZ_PAD_MODIFY 0x2u
unsigned ez_conn_pinpad(ez_conn *c);
/* The PIN digits the keypad takes (FEATURE_GET_TLV_PROPERTIES bMinPINSize
 * and bMaxPINSize); 0 when the reader does not say. */
void ez_conn_pinpad_limits(ez_conn *c, unsigned *min, unsigned *max);

/* A PIN command the reader completes with what the user types: the APDU
 * without the PIN(s), and where and how the reader puts each PIN in its
 * data field (a "PIN block"), in the terms of part 10's PIN_VERIFY and
 * PIN_MODIFY structures. The card layer fills it; nothing here knows a
 * card. */
enum ez_pad_coding { EZ_PAD_ASCII, EZ_PAD_BCD, EZ_PAD_BINARY };
struct ez_pad_cmd {
	bool modify;              /* a modification: new PIN (twice), maybe the current one */
	uint8_t apdu[5 + 255];    /* header, Lc, and the data field as a template: the
	                             bytes around the PIN blocks and the blocks' filler */
	size_t apdu_len;
	enum ez_pad_coding coding;
	unsigned frame_offset;    /* bytes from a block's start to its first digit */
	unsigned block_size;      /* a block's bytes; 0: as long as the digits typed (the
	                             reader moves what follows and recomputes Lc) */
	unsigned length_bits;     /* a field of this many bits at the block's start gets
	                             the number of digits (0: none) */
	unsigned min_len, max_len; /* digits; the reader's own limits narrow them */
	/* a modification */
	bool old_pin;             /* the current PIN is typed first, into its block */
	bool confirm;             /* the new PIN is typed twice (the reader compares) */
	size_t off_old, off_new;  /* the blocks' offsets in the data field */
};

/* Let the reader ask for the PIN(s), build the command and send it. *sw
 * gets the card's status word, or the reader's own (part 10): 64 00 the
 * entry timed out, 64 01 it was cancelled, 64 02 the two new PINs
 * differed, 64 03 a PIN outside min..max, 6B 80 the reader refused the
 * structure; then nothing reached the card. Transport errors as
 * ez_conn_transmit (a card pulled while the keypad waits leaves the
 * connection lost). EZ_ERR_UNSUPPORTED when the reader lacks the feature
 * or its keypad cannot take a PIN of the card's lengths. The APDU trace
 * shows the command as the module passed it, without PIN. */
ez_err ez_conn_pinpad_run(ez_conn *c, const struct ez_pad_cmd *cmd, uint16_t *sw);

/* APDU trace hook (debug log, EIMZA_DEBUG): every command and response as
 * a line from ez_apdu_trace_line(), PIN data masked. NULL turns it off. */
typedef void (*ez_trace_fn)(void *arg, const char *line);
void ez_conn_set_trace(ez_conn *c, ez_trace_fn fn, void *arg);

#endif
