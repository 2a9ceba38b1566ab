/*
 * tb-pcsc.c: a small PC/SC client for the test bed and its tests. Talks to
 * whatever pcscd the caller's namespace reaches (the test bed's private one).
 *
 *   tb-pcsc list                         reader names, one per line
 *   tb-pcsc wait-readers N SECS          until at least N readers exist
 *   tb-pcsc wait-card READER SECS        until a card is present
 *   tb-pcsc wait-empty READER SECS       until the reader is empty
 *   tb-pcsc atr READER                   the card's ATR in hex
 *   tb-pcsc apdu READER HEX...           send APDUs in one transaction,
 *                                        print each response in hex
 *   tb-pcsc reset READER | unpower READER
 *   tb-pcsc features READER              the reader's PC/SC part 10 features:
 *                                        "TAG CODE" per line, in hex
 *   tb-pcsc control READER TAG [HEX]     SCardControl with the control
 *                                        code of feature TAG (hex), print
 *                                        the answer in hex
 *
 * Exit: 0 done, 1 PC/SC failure or timeout, 2 usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/reader.h>
#include <PCSC/winscard.h>

#include <eimza/hex.h>

static SCARDCONTEXT ctx;

static int fail(const char *what, LONG rv)
{
	fprintf(stderr, "tb-pcsc: %s: %s\n", what, pcsc_stringify_error(rv));
	return 1;
}

static char *readers(void)
{
	DWORD len = 0;
	char *buf;

	if (SCardListReaders(ctx, NULL, NULL, &len) != SCARD_S_SUCCESS || len < 2)
		return NULL;
	buf = calloc(1, len + 1);
	if (buf && SCardListReaders(ctx, NULL, buf, &len) != SCARD_S_SUCCESS) {
		free(buf);
		return NULL;
	}
	return buf;
}

static unsigned count_readers(void)
{
	char *all = readers(), *p;
	unsigned n = 0;

	for (p = all; p && *p; p += strlen(p) + 1)
		n++;
	free(all);
	return n;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int card_state(const char *reader)
{
	SCARD_READERSTATE st;

	memset(&st, 0, sizeof(st));
	st.szReader = reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(ctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return -1;
	return (st.dwEventState & SCARD_STATE_PRESENT) ? 1 : 0;
}

static int connect_card(const char *reader, SCARDHANDLE *h, DWORD *proto)
{
	LONG rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			       h, proto);
	return rv == SCARD_S_SUCCESS ? 0 : fail("connect", rv);
}

static int apdus(const char *reader, int n, char **hex)
{
	SCARDHANDLE h;
	DWORD proto;
	int i, rc = 0;

	if (connect_card(reader, &h, &proto))
		return 1;
	SCardBeginTransaction(h);
	for (i = 0; i < n && !rc; i++) {
		uint8_t cmd[300], rsp[300];
		char out[620];
		long len;
		DWORD rlen = sizeof(rsp);
		LONG rv;
		if ((len = ez_hex_decode(hex[i], cmd, sizeof(cmd))) < 0) {
			fprintf(stderr, "tb-pcsc: bad hex APDU '%s'\n", hex[i]);
			rc = 2;
			break;
		}
		rv = SCardTransmit(h, proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1, cmd,
				   (DWORD)len, NULL, rsp, &rlen);
		if (rv != SCARD_S_SUCCESS) {
			rc = fail("transmit", rv);
			break;
		}
		ez_hex_encode(rsp, rlen, out);
		printf("%s\n", out);
	}
	SCardEndTransaction(h, SCARD_LEAVE_CARD);
	SCardDisconnect(h, SCARD_LEAVE_CARD);
	return rc;
}

/* The features (tag and control code) a reader announces. */
static int features(SCARDHANDLE h, uint8_t *tags, DWORD *codes, int max)
{
	uint8_t buf[256];
	DWORD len = 0;
	int n = 0;
	LONG rv = SCardControl(h, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, buf, sizeof(buf), &len);

	if (rv != SCARD_S_SUCCESS) {
		fail("control (features)", rv);
		return -1;
	}
	for (DWORD i = 0; i + 6 <= len && n < max; i += 6, n++) {
		tags[n] = buf[i];
		codes[n] = (DWORD)buf[i + 2] << 24 | (DWORD)buf[i + 3] << 16 |
			   (DWORD)buf[i + 4] << 8 | buf[i + 5];
	}
	return n;
}

/* `features` or `control`: a shared connection to the card in the reader
 * (powered, as a PIN command needs it), or a direct one to an empty reader. */
static int reader_control(int argc, char **argv)
{
	uint8_t tags[32], in[1024], out[1024];
	DWORD codes[32], len = 0, proto;
	char hex[2 * sizeof(out) + 1];
	SCARDHANDLE h;
	long inlen = 0;
	int n, rc = 1;
	LONG rv = SCardConnect(ctx, argv[2], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			       &h, &proto);

	if (rv == SCARD_E_NO_SMARTCARD || rv == SCARD_W_REMOVED_CARD)
		rv = SCardConnect(ctx, argv[2], SCARD_SHARE_DIRECT, 0, &h, &proto);

	if (rv != SCARD_S_SUCCESS)
		return fail("connect (direct)", rv);
	n = features(h, tags, codes, 32);
	if (n >= 0 && strcmp(argv[1], "features") == 0) {
		for (int i = 0; i < n; i++)
			printf("%02X %08lX\n", tags[i], (unsigned long)codes[i]);
		rc = 0;
	} else if (n >= 0) {
		unsigned long tag = strtoul(argv[3], NULL, 16);
		int i;
		for (i = 0; i < n && tags[i] != tag; i++)
			;
		if (i == n) {
			fprintf(stderr, "tb-pcsc: the reader has no feature %02lX\n", tag);
		} else if (argc > 4 && (inlen = ez_hex_decode(argv[4], in, sizeof(in))) < 0) {
			fprintf(stderr, "tb-pcsc: bad hex '%s'\n", argv[4]);
			rc = 2;
		} else {
			rv = SCardControl(h, codes[i], in, (DWORD)inlen, out, sizeof(out), &len);
			if (rv == SCARD_S_SUCCESS) {
				ez_hex_encode(out, len, hex);
				printf("%s\n", hex);
				rc = 0;
			} else {
				rc = fail("control", rv);
			}
		}
	}
	SCardDisconnect(h, SCARD_LEAVE_CARD);
	return rc;
}

int main(int argc, char **argv)
{
	LONG rv;
	int rc = 2;

	if (argc < 2) {
		fprintf(stderr, "usage: tb-pcsc list|wait-readers|wait-card|wait-empty|atr|apdu|reset|unpower|"
				"features|control ...\n");
		return 2;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	/* wait-readers runs while pcscd starts: give it the same time. */
	if (rv != SCARD_S_SUCCESS && strcmp(argv[1], "wait-readers") == 0 && argc == 4) {
		double end = now() + atof(argv[3]);
		while (rv != SCARD_S_SUCCESS && now() < end) {
			usleep(50000);
			rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
		}
	}
	if (rv != SCARD_S_SUCCESS)
		return fail("establish context", rv);
	if (strcmp(argv[1], "list") == 0) {
		char *all = readers(), *p;
		for (p = all; p && *p; p += strlen(p) + 1)
			printf("%s\n", p);
		rc = all ? 0 : 1;
		free(all);
	} else if (strcmp(argv[1], "wait-readers") == 0 && argc == 4) {
		double end = now() + atof(argv[3]);
		unsigned want = (unsigned)atoi(argv[2]);
		rc = 1;
		while (now() < end) {
			if (count_readers() >= want) {
				rc = 0;
				break;
			}
			usleep(50000);
		}
	} else if ((strcmp(argv[1], "wait-card") == 0 || strcmp(argv[1], "wait-empty") == 0) &&
		   argc == 4) {
		int want = strcmp(argv[1], "wait-card") == 0;
		double end = now() + atof(argv[3]);
		rc = 1;
		while (now() < end) {
			if (card_state(argv[2]) == want) {
				rc = 0;
				break;
			}
			usleep(50000);
		}
	} else if (strcmp(argv[1], "atr") == 0 && argc == 3) {
		SCARDHANDLE h;
		DWORD proto, atrlen = 33, rlen = 0, state;
		uint8_t atr[33];
		char out[70];
		rc = connect_card(argv[2], &h, &proto);
		if (!rc) {
			rv = SCardStatus(h, NULL, &rlen, &state, &proto, atr, &atrlen);
			if (rv == SCARD_S_SUCCESS) {
				ez_hex_encode(atr, atrlen, out);
				printf("%s\n", out);
			} else {
				rc = fail("status", rv);
			}
			SCardDisconnect(h, SCARD_LEAVE_CARD);
		}
	} else if (strcmp(argv[1], "apdu") == 0 && argc >= 4) {
		rc = apdus(argv[2], argc - 3, argv + 3);
	} else if ((strcmp(argv[1], "reset") == 0 || strcmp(argv[1], "unpower") == 0) &&
		   argc == 3) {
		SCARDHANDLE h;
		DWORD proto;
		rc = connect_card(argv[2], &h, &proto);
		if (!rc) {
			rv = SCardReconnect(h, SCARD_SHARE_SHARED,
					    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
					    strcmp(argv[1], "reset") == 0 ? SCARD_RESET_CARD
									  : SCARD_UNPOWER_CARD,
					    &proto);
			if (rv != SCARD_S_SUCCESS)
				rc = fail("reconnect", rv);
			SCardDisconnect(h, SCARD_LEAVE_CARD);
		}
	} else if ((strcmp(argv[1], "features") == 0 && argc == 3) ||
		   (strcmp(argv[1], "control") == 0 && (argc == 4 || argc == 5))) {
		rc = reader_control(argc, argv);
	} else {
		fprintf(stderr, "tb-pcsc: bad arguments\n");
	}
	SCardReleaseContext(ctx);
	return rc;
}
