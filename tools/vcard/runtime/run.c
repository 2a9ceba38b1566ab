/*
 * run.c: `eimza-vcard run IMAGE --port P`: the card engine as a vpcd
 * client, with insertion and removal on command, an APDU trace and the
 * latency model. Lasting card state is saved into IMAGE by the engine
 * before each answer leaves.
 *
 * One thread, one poll loop: the vpcd socket, the control socket and its
 * clients, and a self-pipe for signals (SIGUSR1 remove, SIGUSR2 insert,
 * SIGTERM/SIGINT quit).
 */
#include "config.h"

#include "runtime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <eimza/i18n.h>
#include <eimza/secmem.h>
#include <eimza/unix-socket.h>

#define MAX_CLIENTS 8
#define MAX_MSG 65536 /* vpcd's length is two bytes */

struct run {
	vcard *card;
	const char *host;
	unsigned port;
	bool inserted;
	int fd;            /* vpcd connection, -1 when none */
	int ctl;           /* control listener, -1 when none */
	int clients[MAX_CLIENTS];
	FILE *trace;
	/* Where each APDU from vpcd lands (and a held one waits): VERIFY,
	 * CHANGE and RESET RETRY COUNTER bring PINs and PUKs, so pages left
	 * out of core files, wiped after every command. */
	uint8_t *msg;
	struct vc_latency lat;
	long backoff_ms;
	struct timespec next_try;
	bool quit;
	/* "hold": a command that arrives waits unanswered until "release", as
	 * a card busy with a long computation makes its reader wait. Tests use
	 * it to keep a call inside card I/O for as long as they need. */
	bool held;
	uint8_t *pending; /* the held command: MAX_MSG bytes, like msg */
	size_t pending_len;
};

static int sigpipe_fd[2] = {-1, -1};

static void on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	if (write(sigpipe_fd[1], &b, 1) < 0) {
		/* nothing to do: the pipe is full, a signal is pending anyway */
	}
	errno = saved;
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms;
}

static void schedule_retry(struct run *r)
{
	clock_gettime(CLOCK_MONOTONIC, &r->next_try);
	r->next_try.tv_sec += r->backoff_ms / 1000;
	r->next_try.tv_nsec += (r->backoff_ms % 1000) * 1000000;
	if (r->next_try.tv_nsec >= 1000000000) {
		r->next_try.tv_sec++;
		r->next_try.tv_nsec -= 1000000000;
	}
	r->backoff_ms = r->backoff_ms * 2 > 1000 ? 1000 : r->backoff_ms * 2;
}

static void trace_line(void *arg, const char *line)
{
	FILE *f = arg;

	fprintf(f, "%s\n", line);
	fflush(f);
}

static void disconnect(struct run *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	vcard_power_off(r->card);
}

static void try_connect(struct run *r)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if (!r->inserted || r->fd >= 0 || ms_until(&r->next_try) > 0)
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)r->port);
	if (inet_pton(AF_INET, r->host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		schedule_retry(r);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->fd = fd;
	r->backoff_ms = 50;
	vcard_power_off(r->card); /* vpcd powers the card on when a client connects */
}

static int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		int one = 1;
		ssize_t k = read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		/*
		 * vpcd writes the length and the APDU separately without
		 * TCP_NODELAY: a delayed ACK here would hold its second write
		 * back by Nagle for ~40 ms. Linux clears QUICKACK by itself,
		 * so it is set again after every read.
		 */
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One framed message in one write, so it leaves in one segment. */
static int send_msg(int fd, const uint8_t *data, size_t len)
{
	uint8_t buf[2 + VCARD_MAX_RESPONSE];

	if (len > VCARD_MAX_RESPONSE)
		return -1;
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	memcpy(buf + 2, data, len);
	return ez_send_all(fd, buf, 2 + len, 0);
}

/* One message from vpcd. -1 when the connection is gone. */
static int serve_vpcd(struct run *r)
{
	uint8_t hdr[2], *msg = r->msg, rsp[VCARD_MAX_RESPONSE];
	size_t len, n;

	if (read_full(r->fd, hdr, 2) < 0)
		return -1;
	len = (size_t)hdr[0] << 8 | hdr[1];
	if (len == 0)
		return -1;
	if (read_full(r->fd, msg, len) < 0) {
		ez_wipe(msg, len); /* a part of a command may have come */
		return -1;
	}
	if (len == 1) {
		switch (msg[0]) {
		case 0x00:
			vcard_power_off(r->card);
			return 0;
		case 0x01:
			vcard_power_on(r->card);
			return 0;
		case 0x02:
			vcard_reset(r->card);
			return 0;
		case 0x04:
			n = vcard_atr(r->card, rsp, sizeof(rsp));
			return send_msg(r->fd, rsp, n);
		default:
			return 0; /* unknown control: ignore, as vicc does */
		}
	}
	if (r->held) {
		memcpy(r->pending, msg, len);
		r->pending_len = len;
		ez_wipe(msg, len);
		return 0;
	}
	n = vcard_transmit(r->card, msg, len, rsp, sizeof(rsp));
	ez_wipe(msg, len); /* a VERIFY's PIN stays nowhere */
	vc_latency_apply(&r->lat, len + n, vcard_last_op(r->card));
	return send_msg(r->fd, rsp, n);
}

/* "release": answer the command that waited, if any. */
static void do_release(struct run *r)
{
	uint8_t rsp[VCARD_MAX_RESPONSE];
	size_t n;

	r->held = false;
	if (!r->pending_len || r->fd < 0)
		return;
	n = vcard_transmit(r->card, r->pending, r->pending_len, rsp, sizeof(rsp));
	ez_wipe(r->pending, r->pending_len);
	vc_latency_apply(&r->lat, r->pending_len + n, vcard_last_op(r->card));
	r->pending_len = 0;
	if (send_msg(r->fd, rsp, n) < 0)
		disconnect(r);
}

/*
 * pcscd learns of a vpcd card's presence by polling (every 400 ms): a card
 * pulled and pushed back faster would never be seen to go, and pcscd would
 * send APDUs to a card it never powered up. A hand needs longer than that
 * anyway, so a removed card stays out at least this long.
 */
#define MIN_REMOVAL_MS 1000

static void do_remove(struct run *r)
{
	ez_wipe(r->pending, r->pending_len); /* a held command dies with the card */
	r->pending_len = 0;
	r->inserted = false;
	disconnect(r);
	clock_gettime(CLOCK_MONOTONIC, &r->next_try);
	r->next_try.tv_sec += MIN_REMOVAL_MS / 1000;
}

static void do_insert(struct run *r)
{
	struct timespec now;

	r->inserted = true;
	r->backoff_ms = 50;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_until(&r->next_try) == 0)
		r->next_try = now; /* else: still within MIN_REMOVAL_MS */
	try_connect(r);
}

static void control_command(struct run *r, int fd)
{
	char line[256], reply[160];
	ssize_t k = read(fd, line, sizeof(line) - 1);
	size_t i;

	if (k <= 0) {
		for (i = 0; i < MAX_CLIENTS; i++)
			if (r->clients[i] == fd)
				r->clients[i] = -1;
		close(fd);
		return;
	}
	line[k] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, "insert") == 0) {
		do_insert(r);
		snprintf(reply, sizeof(reply), "ok inserted\n");
	} else if (strcmp(line, "remove") == 0) {
		do_remove(r);
		snprintf(reply, sizeof(reply), "ok removed\n");
	} else if (strcmp(line, "hold") == 0) {
		r->held = true;
		snprintf(reply, sizeof(reply), "ok held\n");
	} else if (strcmp(line, "release") == 0) {
		do_release(r);
		snprintf(reply, sizeof(reply), "ok released\n");
	} else if (strcmp(line, "status") == 0) {
		snprintf(reply, sizeof(reply), "ok %s %s %s%s%s\n", r->inserted ? "inserted" : "removed",
			 r->fd >= 0 ? "connected" : "disconnected",
			 vcard_powered(r->card) ? "powered" : "unpowered", r->held ? " held" : "",
			 r->pending_len ? " pending" : "");
	} else if (strcmp(line, "quit") == 0) {
		r->quit = true;
		snprintf(reply, sizeof(reply), "ok quit\n");
	} else {
		snprintf(reply, sizeof(reply),
			 "error unknown command (insert, remove, hold, release, status, quit)\n");
	}
	if (ez_send_all(fd, reply, strlen(reply), 0) < 0) {
		/* the client left; its socket closes on the next read */
	}
}

/*
 * For tests of the try rule (EIMZA_VCARD_STOP_AT_COMPARE=1): the runtime
 * stops itself (SIGSTOP) right after each PIN or PUK comparison, before it
 * acts on the result, so a test can look at the image there and kill the
 * runtime with SIGKILL at exactly that moment. The comparison's result is
 * not exposed: the stop comes for a right value and a wrong one alike.
 */
static void stop_here(void *arg)
{
	(void)arg;
	raise(SIGSTOP);
}

static void stop_at_compare_if_asked(vcard *c)
{
	const char *v = getenv("EIMZA_VCARD_STOP_AT_COMPARE");

	if (v && strcmp(v, "1") == 0)
		vcard_set_compare_hook(c, stop_here, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, _("Usage: eimza-vcard run IMAGE --port PORT [OPTIONS]\n"
		     "Run a virtual AKIS card as a client of the vpcd reader driver.\n\n"
		     "  --port PORT        vpcd port of the reader (CHANNELID of its reader.conf)\n"
		     "  --host ADDR        vpcd address (default 127.0.0.1)\n"
		     "  --control SOCKET   Unix socket taking insert, remove, hold, release, status, quit\n"
		     "  --trace FILE       append an APDU trace (PIN and PUK bytes masked)\n"
		     "  --latency MODEL    none, real, or rtt=MS,byte=US,rsa=MS,ec=MS\n"
		     "  --removed          start with the card out of the reader\n"
		     "  -h, --help         show this help\n\n"
		     "Signals: SIGUSR1 removes the card, SIGUSR2 inserts it, SIGTERM stops.\n"));
}

static int loop(struct run *r)
{
	struct pollfd pf[3 + MAX_CLIENTS];
	size_t i;

	while (!r->quit) {
		nfds_t n = 0;
		int timeout = -1, rc;
		try_connect(r);
		pf[n++] = (struct pollfd){.fd = sigpipe_fd[0], .events = POLLIN};
		if (r->fd >= 0)
			pf[n++] = (struct pollfd){.fd = r->fd, .events = POLLIN};
		if (r->ctl >= 0)
			pf[n++] = (struct pollfd){.fd = r->ctl, .events = POLLIN};
		for (i = 0; i < MAX_CLIENTS; i++)
			if (r->clients[i] >= 0)
				pf[n++] = (struct pollfd){.fd = r->clients[i], .events = POLLIN};
		if (r->inserted && r->fd < 0)
			timeout = (int)ms_until(&r->next_try) + 1;
		rc = poll(pf, n, timeout);
		if (rc < 0 && errno != EINTR)
			return 1;
		if (rc <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pf[i].fd == sigpipe_fd[0]) {
				unsigned char s;
				if (read(sigpipe_fd[0], &s, 1) == 1) {
					if (s == SIGUSR1)
						do_remove(r);
					else if (s == SIGUSR2)
						do_insert(r);
					else
						r->quit = true;
				}
			} else if (pf[i].fd == r->fd) {
				if (serve_vpcd(r) < 0) {
					/* vpcd went away (pcscd stopped): the card stays
					 * inserted and reconnects when vpcd is back. */
					disconnect(r);
					schedule_retry(r);
				}
			} else if (pf[i].fd == r->ctl) {
				int c = accept4(r->ctl, NULL, NULL, SOCK_CLOEXEC);
				size_t k;
				for (k = 0; c >= 0 && k < MAX_CLIENTS; k++)
					if (r->clients[k] < 0) {
						r->clients[k] = c;
						c = -1;
					}
				if (c >= 0)
					close(c);
			} else {
				control_command(r, pf[i].fd);
			}
		}
	}
	return 0;
}

int vcard_run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},    {"host", required_argument, NULL, 'H'},
		{"control", required_argument, NULL, 'c'}, {"trace", required_argument, NULL, 't'},
		{"latency", required_argument, NULL, 'l'}, {"removed", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct run r = {.host = "127.0.0.1", .inserted = true, .fd = -1, .ctl = -1,
			.backoff_ms = 50};
	const char *control = NULL, *trace = NULL, *image;
	char err[256], *end;
	unsigned long port = 0;
	struct sigaction sa;
	size_t i;
	int opt, rc;

	for (i = 0; i < MAX_CLIENTS; i++)
		r.clients[i] = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			port = strtoul(optarg, &end, 0);
			if (*end || port == 0 || port > 65535) {
				fprintf(stderr, _("eimza-vcard run: bad port '%s'\n"), optarg);
				return 2;
			}
			break;
		case 'H':
			r.host = optarg;
			break;
		case 'c':
			control = optarg;
			break;
		case 't':
			trace = optarg;
			break;
		case 'l':
			if (vc_latency_parse(optarg, &r.lat) < 0) {
				fprintf(stderr, _("eimza-vcard run: bad latency model '%s'\n"), optarg);
				return 2;
			}
			break;
		case 'r':
			r.inserted = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || port == 0) {
		usage(stderr);
		return 2;
	}
	image = argv[optind];
	r.port = (unsigned)port;
	if (vcard_load(image, &r.card, err, sizeof(err)) < 0) {
		fprintf(stderr, _("eimza-vcard run: cannot load %s: %s\n"), image, err);
		return 1;
	}
	rc = 1;
	if (vcard_set_image_path(r.card, image) < 0 || !(r.msg = ez_secret_alloc(MAX_MSG)) ||
	    !(r.pending = ez_secret_alloc(MAX_MSG)))
		goto out;
	if (trace) {
		r.trace = fopen(trace, "ae");
		if (!r.trace) {
			fprintf(stderr, _("eimza-vcard run: cannot open trace file %s\n"), trace);
			goto out;
		}
		vcard_set_trace(r.card, trace_line, r.trace);
	}
	if (control && (r.ctl = ez_unix_listen(control, 4)) < 0) {
		fprintf(stderr, _("eimza-vcard run: cannot listen on control socket %s\n"), control);
		goto out;
	}
	stop_at_compare_if_asked(r.card);
	if (pipe2(sigpipe_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = loop(&r);

	disconnect(&r);
out:
	for (i = 0; i < MAX_CLIENTS; i++)
		if (r.clients[i] >= 0)
			close(r.clients[i]);
	if (r.ctl >= 0) {
		close(r.ctl);
		unlink(control);
	}
	if (r.trace)
		fclose(r.trace);
	ez_secret_free(r.msg, MAX_MSG);
	ez_secret_free(r.pending, MAX_MSG); /* wiped: a command still held */
	vcard_free(r.card);
	return rc;
}
