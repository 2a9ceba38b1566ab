/*
 * keypad.c: the virtual PIN pad's keys from the test bed's control socket
 * (keypad.h). Runs inside pcscd, in the thread of the client whose
 * SCardControl asked for the PIN; nothing here is written to a log.
 */
#include "config.h"

#include "keypad.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 256
#define LINE_WAIT_MS 2000

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void reply(int fd, const char *text)
{
	char line[LINE_MAX_BYTES];
	int n = snprintf(line, sizeof(line), "%s\n", text);

	if (n > 0 && send(fd, line, (size_t)n, MSG_NOSIGNAL) < 0) {
		/* the control client left: nothing to tell */
	}
}

/* One line from a control client, NUL-terminated without its end. */
static bool read_line(int fd, char *line, size_t cap)
{
	size_t got = 0;

	while (got + 1 < cap) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t k;
		if (poll(&p, 1, LINE_WAIT_MS) <= 0)
			return false;
		k = read(fd, line + got, cap - 1 - got);
		if (k <= 0)
			return false;
		got += (size_t)k;
		line[got] = '\0';
		if (strchr(line, '\n')) {
			line[strcspn(line, "\r\n")] = '\0';
			return true;
		}
	}
	return false;
}

/* Did the card's connection close (the card pulled out)? */
static bool card_closed(int fd)
{
	char b;
	ssize_t k = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* "type E1 E2 ...": entries taken in order. The reply says whether they
 * were taken; *have grows by their number. */
static void type_entries(int fd, char *args, const struct spe_op *op, unsigned need,
			 unsigned *have, char entries[3][SPE_MAX_DIGITS + 1])
{
	char *save = NULL, *tok;
	char got[3][SPE_MAX_DIGITS + 1];
	char msg[160];
	unsigned n = 0;

	for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		size_t len = strlen(tok);
		if (n + *have >= need) {
			snprintf(msg, sizeof(msg),
				 "error this PIN entry takes %u entr%s; nothing was typed", need,
				 need == 1 ? "y" : "ies");
			goto refuse;
		}
		if (len == 0 || len > SPE_MAX_DIGITS || strspn(tok, "0123456789") != len) {
			snprintf(msg, sizeof(msg), "error an entry is 1 to %d digits",
				 SPE_MAX_DIGITS);
			goto refuse;
		}
		if (!spe_entry_complete(op, len)) {
			snprintf(msg, sizeof(msg),
				 "error this PIN entry has no OK key: an entry ends at %u digits",
				 op->max);
			goto refuse;
		}
		memcpy(got[n++], tok, len + 1);
	}
	if (n == 0) {
		snprintf(msg, sizeof(msg), "error type what? (type DIGITS...)");
		goto refuse;
	}
	for (unsigned i = 0; i < n; i++)
		memcpy(entries[(*have)++], got[i], sizeof(got[i]));
	memset(got, 0, sizeof(got));
	reply(fd, "ok");
	return;
refuse:
	memset(got, 0, sizeof(got));
	reply(fd, msg);
}

enum kp_result keypad_collect(int listen_fd, int card_fd, const struct spe_op *op,
			      unsigned timeout_s, char entries[3][SPE_MAX_DIGITS + 1])
{
	long deadline = now_ms() + (long)timeout_s * 1000;
	unsigned need = spe_entries(op), have = 0;
	bool watch_card = card_fd >= 0;

	while (have < need) {
		struct pollfd p[2] = {{listen_fd, POLLIN, 0}, {card_fd, POLLIN | POLLRDHUP, 0}};
		long left = deadline - now_ms();
		char line[LINE_MAX_BYTES];
		enum kp_result r = KP_DONE;
		int c, k;

		if (left <= 0)
			return KP_TIMEOUT;
		k = poll(p, watch_card ? 2 : 1, (int)left);
		if (k < 0 && errno != EINTR)
			return KP_TIMEOUT;
		if (k <= 0)
			continue;
		if (watch_card && p[1].revents) {
			if (card_closed(card_fd))
				return KP_CARD_GONE;
			watch_card = false; /* a card never speaks first: ignore it */
		}
		if (!(p[0].revents & POLLIN))
			continue;
		c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (!read_line(c, line, sizeof(line))) {
			close(c);
			continue;
		}
		if (strcmp(line, "wait") == 0) {
			reply(c, "ok waiting");
		} else if (strcmp(line, "cancel") == 0) {
			reply(c, "ok");
			r = KP_CANCEL;
		} else if (strcmp(line, "timeout") == 0) {
			reply(c, "ok");
			r = KP_TIMEOUT;
		} else if (strncmp(line, "type ", 5) == 0) {
			type_entries(c, line + 5, op, need, &have, entries);
		} else {
			reply(c, "error unknown command (type, cancel, timeout, wait)");
		}
		memset(line, 0, sizeof(line)); /* it may have held digits */
		close(c);
		if (r != KP_DONE)
			return r;
	}
	return KP_DONE;
}
