/*
 * pcsc.c: the PC/SC transport (see pcsc.h). The only file that calls
 * pcsc-lite.
 */
#include "config.h"

#include "pcsc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <PCSC/reader.h>
#include <PCSC/winscard.h>

#include <eimza/apdu-trace.h>

struct ez_pcsc {
	SCARDCONTEXT ctx;
	bool valid;
	/* reader-list change detection for ez_pcsc_wait */
	DWORD pnp_state;
};

struct ez_conn {
	ez_pcsc *p;
	/* Each connection has its own context: pcsc-lite serializes every call
	 * made through one context, so cards in different readers would wait
	 * for each other. */
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	char reader[EZ_READER_NAME_MAX];
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len;
	unsigned depth; /* nested transactions */
	/* See ez_conn_lost(). Atomic: the slot layer reads it without the
	 * slot lock, while another thread may be using the connection. */
	_Atomic bool lost;
	ez_trace_fn trace;
	void *trace_arg;
	/* The reader's PIN-pad features (ez_conn_pinpad), asked once. */
	bool pad_probed;
	unsigned pad;
	DWORD pad_verify, pad_modify, pad_tlv; /* their control codes */
	unsigned pad_min, pad_max;
};

/*
 * pcsc-lite's client library (1.9 in Debian 12) finds the connection of a
 * card handle by walking the channel lists of every context in the process,
 * holding only its global lock, while SCardConnect and SCardDisconnect
 * change one context's channel list holding only that context's lock. Two
 * threads, one signing on one card while another drops a pulled card, race
 * there (helgrind saw it in tests/module's stress test): a list node can be
 * freed under the walker. So every handle call takes `chan_lock` shared and
 * every call that adds or removes a channel takes it exclusive. Handle calls
 * on different cards still run in parallel. Writers are preferred, so a
 * steady stream of exchanges cannot hold a reconnect off for long. Context
 * calls (SCardGetStatusChange, which may block for as long as the caller
 * waits for an event) walk only the context list and take no lock.
 */
static pthread_rwlock_t chan_lock;
static pid_t chan_lock_pid;

/*
 * The same library keeps every reader's state in one array shared by all
 * contexts of the process, which SCardGetStatusChange, SCardListReaders
 * and SCardStatus refresh from pcscd and read, each under its own
 * context's lock only: two threads polling different readers (a card read
 * on one, a status query on another) race on it (helgrind saw it once
 * cards were read in parallel). Those calls take `states_lock`; they are
 * single pcscd round trips, never card I/O. The blocking wait of
 * ez_pcsc_wait cannot hold it for its whole wait; its thread only reports
 * that something changed, and the slot is then asked under the lock.
 */
static pthread_mutex_t states_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called by ez_pcsc_open, before any connection exists in this process:
 * also in a child after fork, whose copy of the lock may look held by a
 * thread that only exists in the parent. */
static void chan_lock_init(void)
{
	pthread_rwlockattr_t a;

	if (chan_lock_pid == getpid())
		return;
	pthread_rwlockattr_init(&a);
#ifdef PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	pthread_rwlock_init(&chan_lock, &a);
	pthread_rwlockattr_destroy(&a);
	chan_lock_pid = getpid();
}

static void chan_shared(void)
{
	pthread_rwlock_rdlock(&chan_lock);
}

static void chan_exclusive(void)
{
	pthread_rwlock_wrlock(&chan_lock);
}

static void chan_unlock(void)
{
	pthread_rwlock_unlock(&chan_lock);
}

/* The handle calls, each under the shared lock. */
static LONG h_status(ez_conn *c, DWORD *atrlen)
{
	DWORD state, proto, namelen = 0;
	chan_shared();
	pthread_mutex_lock(&states_lock);
	LONG rv = SCardStatus(c->h, NULL, &namelen, &state, &proto, c->atr, atrlen);
	pthread_mutex_unlock(&states_lock);
	chan_unlock();
	return rv;
}

static LONG h_end(SCARDHANDLE h)
{
	chan_shared();
	LONG rv = SCardEndTransaction(h, SCARD_LEAVE_CARD);
	chan_unlock();
	return rv;
}

static LONG h_control(ez_conn *c, DWORD code, const uint8_t *in, size_t in_len, uint8_t *out,
		      size_t cap, DWORD *len)
{
	chan_shared();
	LONG rv = SCardControl(c->h, code, in, (DWORD)in_len, out, (DWORD)cap, len);
	chan_unlock();
	return rv;
}

static LONG h_reconnect(ez_conn *c, DWORD init)
{
	chan_shared();
	LONG rv = SCardReconnect(c->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				 init, &c->proto);
	chan_unlock();
	return rv;
}

/* Contexts: SCardEstablishContext and SCardReleaseContext change the
 * library's list of contexts that handle calls and SCardDisconnect walk
 * (helgrind saw a connection made for one card's read race another
 * card's disconnect once cards were read in parallel): exclusive too. */
static LONG ctx_establish(SCARDCONTEXT *ctx)
{
	chan_exclusive();
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);
	chan_unlock();
	return rv;
}

static void ctx_release(SCARDCONTEXT ctx)
{
	chan_exclusive();
	SCardReleaseContext(ctx);
	chan_unlock();
}

/* The channel changes, each under the exclusive lock. */
static LONG ch_connect(ez_conn *c)
{
	chan_exclusive();
	LONG rv = SCardConnect(c->ctx, c->reader, SCARD_SHARE_SHARED,
			       SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->h, &c->proto);
	chan_unlock();
	return rv;
}

static void ch_disconnect_release(ez_conn *c, bool release)
{
	chan_exclusive();
	SCardDisconnect(c->h, SCARD_LEAVE_CARD);
	if (release)
		SCardReleaseContext(c->ctx);
	chan_unlock();
}

static ez_err map(LONG rv)
{
	switch (rv) {
	case SCARD_S_SUCCESS:
		return EZ_OK;
	case SCARD_E_NO_MEMORY:
		return EZ_ERR_NO_MEMORY;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INVALID_HANDLE: /* the context died with pcscd */
		return EZ_ERR_NO_SERVICE;
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_NO_READERS_AVAILABLE:
		return EZ_ERR_NO_READER;
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
	case SCARD_W_UNPOWERED_CARD:
		return EZ_ERR_CARD_REMOVED;
	case SCARD_W_RESET_CARD:
		return EZ_ERR_CARD_RESET;
	case SCARD_E_SHARING_VIOLATION:
		return EZ_ERR_SHARING;
	case SCARD_E_TIMEOUT:
		return EZ_ERR_NOT_FOUND;
	case SCARD_E_CANCELLED:
		return EZ_ERR_ARGS;
	default:
		return EZ_ERR_TRANSPORT;
	}
}

ez_err ez_pcsc_open(ez_pcsc **out)
{
	ez_pcsc *p = calloc(1, sizeof(*p));
	LONG rv;

	if (!p)
		return EZ_ERR_NO_MEMORY;
	chan_lock_init();
	rv = ctx_establish(&p->ctx);
	if (rv != SCARD_S_SUCCESS) {
		free(p);
		return map(rv) == EZ_ERR_TRANSPORT ? EZ_ERR_NO_SERVICE : map(rv);
	}
	p->valid = true;
	*out = p;
	return EZ_OK;
}

void ez_pcsc_close(ez_pcsc *p)
{
	if (!p)
		return;
	if (p->valid)
		ctx_release(p->ctx);
	free(p);
}

void ez_pcsc_abandon(ez_pcsc *p)
{
	/* After fork the context belongs to the parent's pcscd connection. */
	free(p);
}

ez_err ez_pcsc_list(ez_pcsc *p, char **out)
{
	DWORD len = 0;
	char *buf;
	LONG rv;

	*out = NULL;
	pthread_mutex_lock(&states_lock);
	rv = SCardListReaders(p->ctx, NULL, NULL, &len);
	pthread_mutex_unlock(&states_lock);
	if (rv == SCARD_E_NO_READERS_AVAILABLE || (rv == SCARD_S_SUCCESS && len < 2)) {
		*out = calloc(1, 2);
		return *out ? EZ_OK : EZ_ERR_NO_MEMORY;
	}
	if (rv != SCARD_S_SUCCESS)
		return map(rv);
	buf = calloc(1, (size_t)len + 2);
	if (!buf)
		return EZ_ERR_NO_MEMORY;
	pthread_mutex_lock(&states_lock);
	rv = SCardListReaders(p->ctx, NULL, buf, &len);
	pthread_mutex_unlock(&states_lock);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		buf[0] = buf[1] = '\0';
		rv = SCARD_S_SUCCESS;
	}
	if (rv != SCARD_S_SUCCESS) {
		free(buf);
		return map(rv);
	}
	*out = buf;
	return EZ_OK;
}

ez_err ez_pcsc_state(ez_pcsc *p, const char *reader, struct ez_reader_state *st)
{
	SCARD_READERSTATE rs;
	LONG rv;

	memset(st, 0, sizeof(*st));
	memset(&rs, 0, sizeof(rs));
	rs.szReader = reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	pthread_mutex_lock(&states_lock);
	rv = SCardGetStatusChange(p->ctx, 0, &rs, 1);
	pthread_mutex_unlock(&states_lock);
	if (rv == SCARD_E_UNKNOWN_READER || (rv == SCARD_S_SUCCESS &&
					     (rs.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)))) {
		st->gone = true;
		return EZ_OK;
	}
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
		return map(rv);
	st->present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
	st->exclusive = (rs.dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
	st->events = (unsigned)(rs.dwEventState >> 16);
	st->atr_len = rs.cbAtr <= EZ_ATR_MAX ? rs.cbAtr : 0;
	memcpy(st->atr, rs.rgbAtr, st->atr_len);
	return EZ_OK;
}

ez_err ez_pcsc_wait(ez_pcsc *p, long timeout_ms)
{
	SCARD_READERSTATE *rs = NULL;
	char *list = NULL, *r;
	size_t n = 1, i;
	ez_err e;
	LONG rv;

	e = ez_pcsc_list(p, &list);
	if (e != EZ_OK)
		return e;
	for (r = list; *r; r += strlen(r) + 1)
		n++;
	rs = calloc(n, sizeof(*rs));
	if (!rs) {
		free(list);
		return EZ_ERR_NO_MEMORY;
	}
	/* The first pass learns the current states; the second waits. */
	rs[0].szReader = "\\\\?PnP?\\Notification";
	rs[0].dwCurrentState = (DWORD)(n - 1) << 16;
	for (r = list, i = 1; *r; r += strlen(r) + 1, i++) {
		rs[i].szReader = r;
		rs[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	pthread_mutex_lock(&states_lock);
	rv = SCardGetStatusChange(p->ctx, 0, rs + 1, (DWORD)(n - 1));
	pthread_mutex_unlock(&states_lock);
	if (n > 1 && rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		e = map(rv);
		goto out;
	}
	for (i = 1; i < n; i++)
		rs[i].dwCurrentState = rs[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	rv = SCardGetStatusChange(p->ctx, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms, rs,
				  (DWORD)n);
	if (rv == SCARD_S_SUCCESS)
		e = EZ_OK;
	else
		e = map(rv);
out:
	free(rs);
	free(list);
	return e;
}

void ez_pcsc_cancel(ez_pcsc *p)
{
	if (p && p->valid)
		SCardCancel(p->ctx);
}

ez_err ez_conn_open(ez_pcsc *p, const char *reader, ez_conn **out)
{
	ez_conn *c = calloc(1, sizeof(*c));
	DWORD atrlen = EZ_ATR_MAX;
	LONG rv;

	if (!c)
		return EZ_ERR_NO_MEMORY;
	if (strlen(reader) >= sizeof(c->reader)) {
		free(c);
		return EZ_ERR_ARGS;
	}
	strcpy(c->reader, reader);
	c->p = p;
	rv = ctx_establish(&c->ctx);
	if (rv != SCARD_S_SUCCESS) {
		free(c);
		return map(rv) == EZ_ERR_TRANSPORT ? EZ_ERR_NO_SERVICE : map(rv);
	}
	rv = ch_connect(c);
	if (rv != SCARD_S_SUCCESS) {
		ctx_release(c->ctx);
		free(c);
		return rv == SCARD_E_NO_SMARTCARD || rv == SCARD_W_REMOVED_CARD ? EZ_ERR_NO_CARD
										 : map(rv);
	}
	rv = h_status(c, &atrlen);
	if (rv != SCARD_S_SUCCESS) {
		ch_disconnect_release(c, true);
		free(c);
		return map(rv);
	}
	c->atr_len = atrlen;
	*out = c;
	return EZ_OK;
}

void ez_conn_close(ez_conn *c)
{
	if (!c)
		return;
	if (c->depth)
		h_end(c->h);
	ch_disconnect_release(c, true);
	free(c);
}

size_t ez_conn_atr(const ez_conn *c, uint8_t *buf, size_t cap)
{
	if (cap < c->atr_len)
		return 0;
	memcpy(buf, c->atr, c->atr_len);
	return c->atr_len;
}

/* An exchange or a transaction start failed with `rv`: is the card's
 * presence or state unknown from now on (see ez_conn_lost)? Errors that say
 * nothing about the card (memory, another program's exclusive use, pcscd
 * itself gone, which the slot layer handles) leave the connection alone. */
static ez_err broken(ez_conn *c, LONG rv)
{
	switch (rv) {
	case SCARD_E_NO_MEMORY:
	case SCARD_E_SHARING_VIOLATION:
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INSUFFICIENT_BUFFER:
	case SCARD_E_TIMEOUT:
	case SCARD_E_CANCELLED:
		return map(rv);
	default:
		ez_conn_mark_lost(c);
		return map(rv) == EZ_ERR_NO_READER ? EZ_ERR_NO_READER : EZ_ERR_CARD_REMOVED;
	}
}

/* Reconnect after another program reset the card. The caller learns it
 * through EZ_ERR_CARD_RESET and drops its login state. */
static ez_err reconnect(ez_conn *c)
{
	LONG rv = h_reconnect(c, SCARD_LEAVE_CARD);

	if (rv != SCARD_S_SUCCESS)
		return broken(c, rv == SCARD_W_RESET_CARD ? SCARD_W_REMOVED_CARD : rv);
	/* A transaction this handle held ended with the reset. */
	if (c->depth)
		h_end(c->h);
	c->depth = 0;
	return EZ_ERR_CARD_RESET;
}

bool ez_conn_lost(const ez_conn *c)
{
	return c->lost;
}

void ez_conn_mark_lost(ez_conn *c)
{
	c->lost = true;
	if (c->depth)
		h_end(c->h);
	c->depth = 0;
}

ez_err ez_conn_recover(ez_conn *c)
{
	DWORD atrlen = EZ_ATR_MAX;
	LONG rv;

	rv = h_reconnect(c, SCARD_RESET_CARD);
	if (rv == SCARD_E_INVALID_HANDLE || rv == SCARD_E_READER_UNAVAILABLE ||
	    rv == SCARD_E_UNKNOWN_READER) {
		/* pcscd dropped the handle: a new connection in the same reader. */
		ch_disconnect_release(c, false);
		rv = ch_connect(c);
		if (rv == SCARD_S_SUCCESS)
			rv = h_reconnect(c, SCARD_RESET_CARD);
	}
	if (rv == SCARD_S_SUCCESS)
		rv = h_status(c, &atrlen);
	if (rv != SCARD_S_SUCCESS) {
		c->lost = true;
		if (rv == SCARD_E_NO_SMARTCARD || rv == SCARD_W_REMOVED_CARD)
			return EZ_ERR_NO_CARD;
		if (map(rv) == EZ_ERR_NO_SERVICE || map(rv) == EZ_ERR_NO_READER)
			return map(rv);
		return EZ_ERR_CARD_REMOVED;
	}
	c->atr_len = atrlen;
	c->depth = 0;
	c->lost = false;
	return EZ_OK;
}

ez_err ez_conn_begin(ez_conn *c)
{
	LONG rv;

	if (c->lost)
		return EZ_ERR_CARD_REMOVED;
	if (c->depth) {
		c->depth++;
		return EZ_OK;
	}
	chan_shared();
	rv = SCardBeginTransaction(c->h);
	chan_unlock();
	if (rv == SCARD_W_RESET_CARD)
		return reconnect(c);
	if (rv != SCARD_S_SUCCESS)
		return broken(c, rv);
	c->depth = 1;
	return EZ_OK;
}

void ez_conn_end(ez_conn *c)
{
	if (!c->depth)
		return;
	if (--c->depth == 0)
		h_end(c->h);
}

ez_err ez_conn_transmit(ez_conn *c, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
			size_t *rsp_len)
{
	const SCARD_IO_REQUEST *pci = c->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	DWORD len = (DWORD)*rsp_len;
	char line[1024];
	LONG rv;

	if (c->lost) {
		*rsp_len = 0;
		return EZ_ERR_CARD_REMOVED;
	}
	if (c->trace) {
		ez_apdu_trace_line(cmd, cmd_len, true, line, sizeof(line));
		c->trace(c->trace_arg, line);
	}
	chan_shared();
	rv = SCardTransmit(c->h, pci, cmd, (DWORD)cmd_len, NULL, rsp, &len);
	chan_unlock();
	if (rv == SCARD_W_RESET_CARD) {
		*rsp_len = 0;
		return reconnect(c);
	}
	/* No status word is no answer: the exchange broke on the way. */
	if (rv == SCARD_S_SUCCESS && len < 2)
		rv = SCARD_E_NOT_TRANSACTED;
	if (rv != SCARD_S_SUCCESS) {
		*rsp_len = 0;
		return broken(c, rv);
	}
	*rsp_len = len;
	if (c->trace) {
		ez_apdu_trace_line(rsp, len, false, line, sizeof(line));
		c->trace(c->trace_arg, line);
	}
	return EZ_OK;
}

/* ---- PIN-pad readers ---------------------------------------------------------- */

/* The feature list: tag, length 4, control code (big endian, part 10 2.2);
 * then the keypad's PIN limits from the TLV properties (little endian). */
static void pad_probe(ez_conn *c)
{
	uint8_t buf[256];
	DWORD len = 0, i;

	c->pad_probed = true;
	if (h_control(c, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, buf, sizeof(buf), &len) !=
	    SCARD_S_SUCCESS)
		return;
	for (i = 0; i + 6 <= len; i += 6) {
		DWORD code = (DWORD)buf[i + 2] << 24 | (DWORD)buf[i + 3] << 16 |
			     (DWORD)buf[i + 4] << 8 | buf[i + 5];
		if (buf[i + 1] != 4)
			break;
		if (buf[i] == FEATURE_VERIFY_PIN_DIRECT) {
			c->pad |= EZ_PAD_VERIFY;
			c->pad_verify = code;
		} else if (buf[i] == FEATURE_MODIFY_PIN_DIRECT) {
			c->pad |= EZ_PAD_MODIFY;
			c->pad_modify = code;
		} else if (buf[i] == FEATURE_GET_TLV_PROPERTIES) {
			c->pad_tlv = code;
		}
	}
	/* A keypad that cannot verify is no use for logging in. */
	if (!(c->pad & EZ_PAD_VERIFY))
		c->pad = 0;
	if (!c->pad || !c->pad_tlv ||
	    h_control(c, c->pad_tlv, NULL, 0, buf, sizeof(buf), &len) != SCARD_S_SUCCESS)
		return;
	for (i = 0; i + 2 <= len && i + 2 + buf[i + 1] <= len; i += 2 + buf[i + 1]) {
		if (buf[i] == PCSCv2_PART10_PROPERTY_bMinPINSize && buf[i + 1] == 1)
			c->pad_min = buf[i + 2];
		else if (buf[i] == PCSCv2_PART10_PROPERTY_bMaxPINSize && buf[i + 1] == 1)
			c->pad_max = buf[i + 2];
	}
}

unsigned ez_conn_pinpad(ez_conn *c)
{
	if (!c->pad_probed && !c->lost)
		pad_probe(c);
	return c->pad;
}

void ez_conn_pinpad_limits(ez_conn *c, unsigned *min, unsigned *max)
{
	ez_conn_pinpad(c);
	*min = c->pad_min;
	*max = c->pad_max;
}

static uint8_t *le16(uint8_t *p, unsigned v)
{
	*p++ = (uint8_t)v;
	*p++ = (uint8_t)(v >> 8);
	return p;
}

static uint8_t *le32(uint8_t *p, size_t v)
{
	p = le16(p, (unsigned)(v & 0xFFFF));
	return le16(p, (unsigned)(v >> 16));
}

/* PIN_VERIFY_STRUCTURE or PIN_MODIFY_STRUCTURE (reader.h documents the
 * fields; written byte by byte, little endian as CCID). 0 when the
 * keypad cannot take the card's lengths. */
static size_t pad_structure(const ez_conn *c, const struct ez_pad_cmd *cmd, uint8_t *out)
{
	static const uint8_t coding[] = {[EZ_PAD_ASCII] = 0x02, [EZ_PAD_BCD] = 0x01,
					 [EZ_PAD_BINARY] = 0x00};
	unsigned min = cmd->min_len, max = cmd->max_len;
	uint8_t *p = out;

	if (c->pad_min && min < c->pad_min)
		min = c->pad_min;
	if (c->pad_max && max > c->pad_max)
		max = c->pad_max;
	if (min < 1)
		min = 1;
	if (min > max || max > 255 || cmd->frame_offset > 15 || cmd->block_size > 15 ||
	    cmd->length_bits > 15)
		return 0;
	*p++ = 0x00; /* bTimerOut: the reader's own */
	*p++ = 0x00; /* bTimerOut2 */
	*p++ = (uint8_t)(0x80 | cmd->frame_offset << 3 | coding[cmd->coding]); /* bytes, left */
	*p++ = (uint8_t)(cmd->length_bits << 4 | cmd->block_size);
	*p++ = cmd->length_bits ? 0x10 : 0x00; /* the length field at byte 0 of its block */
	if (cmd->modify) {
		*p++ = (uint8_t)cmd->off_old;
		*p++ = (uint8_t)cmd->off_new;
	}
	p = le16(p, min << 8 | max); /* wPINMaxExtraDigit: XX minimum, YY maximum */
	if (cmd->modify)
		*p++ = (uint8_t)((cmd->confirm ? 0x01 : 0) | (cmd->old_pin ? 0x02 : 0));
	*p++ = 0x02; /* bEntryValidationCondition: the OK key */
	if (cmd->modify) {
		/* bNumberMessage: one prompt per entry, in the reader's table */
		*p++ = (uint8_t)(1 + (cmd->old_pin ? 1 : 0) + (cmd->confirm ? 1 : 0));
		p = le16(p, 0x0409); /* wLangId */
		*p++ = 0x00;         /* bMsgIndex1: enter the (current) PIN */
		*p++ = 0x01;         /* bMsgIndex2: enter the new PIN */
		*p++ = 0x02;         /* bMsgIndex3: confirm the new PIN */
	} else {
		*p++ = 0x01;
		p = le16(p, 0x0409);
		*p++ = 0x00;
	}
	*p++ = 0x00; /* bTeoPrologue */
	*p++ = 0x00;
	*p++ = 0x00;
	p = le32(p, cmd->apdu_len);
	memcpy(p, cmd->apdu, cmd->apdu_len);
	return (size_t)(p - out) + cmd->apdu_len;
}

ez_err ez_conn_pinpad_run(ez_conn *c, const struct ez_pad_cmd *cmd, uint16_t *sw)
{
	uint8_t in[24 + sizeof(cmd->apdu)], rsp[258];
	DWORD code, len = 0;
	char line[1024];
	size_t n;
	LONG rv;

	*sw = 0;
	if (c->lost)
		return EZ_ERR_CARD_REMOVED;
	ez_conn_pinpad(c);
	code = cmd->modify ? c->pad_modify : c->pad_verify;
	if (!(c->pad & (cmd->modify ? EZ_PAD_MODIFY : EZ_PAD_VERIFY)) || cmd->apdu_len < 5 ||
	    cmd->apdu_len > sizeof(cmd->apdu))
		return EZ_ERR_UNSUPPORTED;
	n = pad_structure(c, cmd, in);
	if (!n)
		return EZ_ERR_UNSUPPORTED;
	if (c->trace) {
		size_t k;
		ez_apdu_trace_line(cmd->apdu, cmd->apdu_len, true, line, sizeof(line) - 40);
		k = strlen(line);
		snprintf(line + k, sizeof(line) - k, " (PIN on the reader's keypad)");
		c->trace(c->trace_arg, line);
	}
	rv = h_control(c, code, in, n, rsp, sizeof(rsp), &len);
	if (rv == SCARD_W_RESET_CARD)
		return reconnect(c); /* nothing was sent: the reader reports the reset first */
	if (rv == SCARD_E_UNSUPPORTED_FEATURE)
		return EZ_ERR_UNSUPPORTED;
	if (rv == SCARD_S_SUCCESS && len < 2)
		rv = SCARD_E_NOT_TRANSACTED;
	if (rv != SCARD_S_SUCCESS)
		return broken(c, rv);
	*sw = (uint16_t)(rsp[len - 2] << 8 | rsp[len - 1]);
	if (c->trace) {
		ez_apdu_trace_line(rsp, len, false, line, sizeof(line));
		c->trace(c->trace_arg, line);
	}
	return EZ_OK;
}

void ez_conn_set_trace(ez_conn *c, ez_trace_fn fn, void *arg)
{
	c->trace = fn;
	c->trace_arg = arg;
}
