/*
 * stress-removal.c: many threads use the module on every card of the test
 * bed (two to eight) while the first is pulled and pushed back over and over, now slowly (pcscd sees the
 * card go), now faster than pcscd polls (a second card runtime takes the
 * reader's vpcd connection, so pcscd may never see a removal).
 *
 * Each worker opens a session on one card after the other, logs in, finds the
 * key, signs a message of its own and closes the session, again and again.
 * The test passes when nothing crashed or hung, every signature that
 * answered CKR_OK verifies with the public key of the card's certificate
 * (read with OpenSSL from the test bed's files, not through the module),
 * the moving card failed only with removal-class codes, the steady cards
 * never failed, every card signed many times, and afterwards every card
 * works and no PIN try was lost.
 *
 *   eimza-testbed --card seal-rsa --card seal --card seal-rsa --card seal -- \
 *       stress-removal [SECONDS] [THREADS]
 *
 * Card 0 moves, the others stay. Exit 0 on success, 1 on a failed check, 99
 * outside the test bed.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#define PIN "123456"
#define MAX_THREADS 32
#define MAX_CARDS 8

static CK_FUNCTION_LIST_PTR p11;
static double deadline;
static atomic_bool stop;

struct card {
	CK_SLOT_ID slot;
	EVP_PKEY *pub;         /* from the test bed's certificate file */
	CK_MECHANISM_TYPE mech;
	bool moves;
	/* results */
	atomic_long signed_ok, bad_sig, removal_fail, other_fail;
};
static struct card cards[MAX_CARDS];
static int ncards;
static atomic_long pulls, fast_swaps;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void msleep(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&t, &t) < 0)
		;
}

static const char *card_env(int i, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "EIMZA_TB_CARD%d_%s", i, what);
	return getenv(name);
}

/* ---- the cards' public keys and signature checks ------------------------ */

static EVP_PKEY *cert_key(int i)
{
	char path[600];
	EVP_PKEY *k = NULL;
	X509 *x;
	FILE *f;

	snprintf(path, sizeof(path), "%s.certs.pem", card_env(i, "IMAGE"));
	f = fopen(path, "r");
	if (!f)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x)
		k = X509_get_pubkey(x);
	X509_free(x);
	return k;
}

static bool verifies(const struct card *c, const unsigned char *msg, size_t len,
		     const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[160], *w = der;
	const unsigned char *s = sig;
	size_t slen = sig_len;
	bool ok = false;

	if (!md)
		return false;
	if (c->mech == CKM_ECDSA_SHA256) {
		/* PKCS#11 gives r || s; OpenSSL wants DER. */
		ECDSA_SIG *e = ECDSA_SIG_new();
		size_t h = sig_len / 2;
		int n = -1;
		if (e && sig_len % 2 == 0 && sig_len <= 132 &&
		    ECDSA_SIG_set0(e, BN_bin2bn(sig, (int)h, NULL), BN_bin2bn(sig + h, (int)h, NULL)))
			n = i2d_ECDSA_SIG(e, &w);
		ECDSA_SIG_free(e);
		if (n <= 0)
			goto out;
		s = der;
		slen = (size_t)n;
	}
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, c->pub) == 1 &&
	     EVP_DigestVerify(md, s, slen, msg, len) == 1;
out:
	EVP_MD_CTX_free(md);
	return ok;
}

/* ---- what a call may answer ---------------------------------------------- */

/* A card that left (seen by pcscd or not) or came back: the session is
 * gone, the token is not there, the device was removed during the call, or
 * the login was forgotten because the card was reset by its return. */
static bool removal_class(CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
	       rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
	       rv == CKR_USER_NOT_LOGGED_IN;
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* How often each removal-class code came back, for the log. */
static const CK_RV codes[] = {CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID,
			      CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN};
static atomic_long code_count[sizeof(codes) / sizeof(codes[0])];

static void note(struct card *c, const char *call, CK_RV rv)
{
	size_t i;

	if (c->moves && removal_class(rv)) {
		c->removal_fail++;
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
			if (codes[i] == rv)
				code_count[i]++;
		return;
	}
	c->other_fail++;
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "stress: card %s: %s answered 0x%lx\n", c->moves ? "moving" : "steady",
		call, (unsigned long)rv);
	pthread_mutex_unlock(&log_lock);
}

/* ---- workers --------------------------------------------------------------- */

/* One round: open, log in, find the key, sign, check, close. */
static void round_on(struct card *c, unsigned id, unsigned long n)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = {CKA_CLASS, &cls, sizeof(cls)};
	CK_MECHANISM m = {c->mech, NULL, 0};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_ULONG found = 0, len;
	unsigned char msg[64], sig[512];
	CK_RV rv;

	rv = p11->C_OpenSession(c->slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK) {
		note(c, "C_OpenSession", rv);
		msleep(20); /* the card is out: do not spin */
		return;
	}
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		note(c, "C_Login", rv);
		goto close;
	}
	rv = p11->C_FindObjectsInit(s, &t, 1);
	if (rv == CKR_OK) {
		rv = p11->C_FindObjects(s, &k, 1, &found);
		CK_RV fin = p11->C_FindObjectsFinal(s);
		if (rv == CKR_OK)
			rv = fin;
	}
	if (rv != CKR_OK || found != 1) {
		/* No key found: private objects are hidden once the login is
		 * forgotten (the card came back between C_Login and here). */
		note(c, "C_FindObjects", rv != CKR_OK ? rv : CKR_USER_NOT_LOGGED_IN);
		goto close;
	}
	len = (CK_ULONG)snprintf((char *)msg, sizeof(msg), "stress %u %lu %.6f", id, n, now());
	rv = p11->C_SignInit(s, &m, k);
	if (rv != CKR_OK) {
		note(c, "C_SignInit", rv);
		goto close;
	}
	{
		CK_ULONG siglen = sizeof(sig);
		rv = p11->C_Sign(s, msg, len, sig, &siglen);
		if (rv != CKR_OK) {
			note(c, "C_Sign", rv);
			goto close;
		}
		if (verifies(c, msg, len, sig, siglen)) {
			c->signed_ok++;
		} else {
			c->bad_sig++;
			fprintf(stderr, "stress: a signature that answered CKR_OK does not verify\n");
		}
	}
close:
	rv = p11->C_CloseSession(s);
	if (rv != CKR_OK && rv != CKR_SESSION_HANDLE_INVALID)
		note(c, "C_CloseSession", rv);
}

static void *worker(void *arg)
{
	unsigned id = (unsigned)(size_t)arg;
	unsigned long n = 0;

	while (!stop && now() < deadline) {
		round_on(&cards[(id + n) % (unsigned)ncards], id, n);
		n++;
	}
	return NULL;
}

/* ---- the hand that pulls and pushes card 0 -------------------------------- */

static int ctl(const char *path, const char *cmd)
{
	struct sockaddr_un sa;
	struct timeval tv = {10, 0};
	char buf[128];
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		goto fail;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(buf, sizeof(buf), "%s\n", cmd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		goto fail;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strstr(buf, "connected") && !strstr(buf, "disconnected") ? 1 : 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* A second runtime with a copy of card 0 on its vpcd port (see
 * test-p11-removal.c: vpcd takes it at its next poll once the card's own
 * runtime has let go). */
static pid_t second_runtime(const char *image, const char *ctl_path)
{
	char port[32], path[600];
	FILE *f;
	pid_t pid;
	int i;

	snprintf(path, sizeof(path), "%s/card0.port", getenv("EIMZA_TB_DIR"));
	f = fopen(path, "r");
	if (!f || !fgets(port, sizeof(port), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	port[strcspn(port, "\n")] = '\0';
	pid = fork();
	if (pid == 0) {
		const char *vcard = getenv("EIMZA_VCARD");
		execl(vcard, vcard, "run", image, "--port", port, "--control", ctl_path,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 300; i++) {
		if (ctl(ctl_path, "status") == 1)
			return pid;
		msleep(10);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return -1;
}

static void *puller(void *arg)
{
	const char *own = card_env(0, "CONTROL");
	char image[600], ctl2[600], cmd[1400];
	unsigned seed = 7;
	int failures = 0;

	(void)arg;
	snprintf(image, sizeof(image), "%s/stress-copy.img", getenv("EIMZA_TB_DIR"));
	snprintf(ctl2, sizeof(ctl2), "%s/stress-copy.ctl", getenv("EIMZA_TB_DIR"));
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", card_env(0, "IMAGE"), image);
	if (system(cmd) != 0)
		failures++;
	msleep(500);
	while (!stop && now() < deadline - 2.5) {
		if (pulls % 2 == 0) {
			/* Slowly: out for a moment (the runtime keeps it out 1 s). */
			failures += ctl(own, "remove") < 0;
			msleep(100 + rand_r(&seed) % 400);
			failures += ctl(own, "insert") < 0;
		} else {
			/* Quickly: the copy takes the reader as the card leaves. */
			pid_t pid = second_runtime(image, ctl2);
			if (pid < 0) {
				failures++;
				break;
			}
			failures += ctl(own, "remove") < 0;
			msleep(300 + rand_r(&seed) % 900);
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			failures += ctl(own, "insert") < 0;
			fast_swaps++;
		}
		pulls++;
		msleep(300 + rand_r(&seed) % 1200);
	}
	return (void *)(size_t)failures;
}

/* ---- setup and the final checks ------------------------------------------- */

static CK_SLOT_ID slot_of(int i)
{
	const char *reader = card_env(i, "READER");
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, k;

	if (!reader || p11->C_GetSlotList(CK_FALSE, slots, &n) != CKR_OK)
		return 0;
	for (k = 0; k < n; k++) {
		CK_SLOT_INFO si;
		size_t len = strlen(reader);
		if (p11->C_GetSlotInfo(slots[k], &si) == CKR_OK && len <= 64 &&
		    memcmp(si.slotDescription, reader, len) == 0 &&
		    (len == 64 || si.slotDescription[len] == ' '))
			return slots[k];
	}
	return 0;
}

static int failed;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s - ", ok ? "ok" : "not ok");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!ok)
		failed = 1;
}

/* After the storm: the card signs again (waiting for pcscd and the module
 * to settle, a few seconds at most), and no PIN try was spent. */
static void settles(struct card *c, int i)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = CKR_GENERAL_ERROR;
	long before = c->signed_ok;
	int k;

	for (k = 0; k < 50 && c->signed_ok == before; k++) {
		round_on(c, 1000, (unsigned long)k);
		if (c->signed_ok == before)
			msleep(200);
	}
	check(c->signed_ok > before, "card %d signs again after the storm", i);
	if (c->signed_ok == before) {
		CK_SLOT_INFO si;
		char cmd[800];
		rv = p11->C_GetSlotInfo(c->slot, &si);
		printf("# slot info 0x%lx, flags 0x%lx; the card's runtime and pcscd say:\n",
		       (unsigned long)rv, (unsigned long)si.flags);
		fflush(stdout);
		snprintf(cmd, sizeof(cmd), "%s card-status %d; %s atr '%s'", getenv("EIMZA_TB_CTL"), i,
			 getenv("EIMZA_TB_PCSC"), card_env(i, "READER"));
		if (system(cmd) != 0)
			printf("# (status command failed)\n");
	}
	rv = p11->C_GetTokenInfo(c->slot, &ti);
	check(rv == CKR_OK && !(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
					    CKF_USER_PIN_LOCKED)),
	      "card %d: no PIN try lost (C_GetTokenInfo 0x%lx, flags 0x%lx)", i, (unsigned long)rv,
	      (unsigned long)ti.flags);
}

int main(int argc, char **argv)
{
	CK_C_INITIALIZE_ARGS init = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
	CK_C_GetFunctionList get;
	pthread_t th[MAX_THREADS], pt;
	int seconds = argc > 1 ? atoi(argv[1]) : 15, nthreads = argc > 2 ? atoi(argv[2]) : 6;
	long moving_before, steady_min = -1;
	bool steady_ok = true;
	void *pr = NULL;
	void *dl;
	int i;

	ncards = getenv("EIMZA_TB_CARDS") ? atoi(getenv("EIMZA_TB_CARDS")) : 0;
	if (!getenv("EIMZA_MODULE") || ncards < 2 || ncards > MAX_CARDS) {
		fprintf(stderr, "run me inside eimza-testbed with two to %d cards\n", MAX_CARDS);
		return 99;
	}
	if (seconds < 5 || nthreads < 2 || nthreads > MAX_THREADS) {
		fprintf(stderr, "usage: stress-removal [SECONDS >= 5] [THREADS 2..%d]\n",
			MAX_THREADS);
		return 99;
	}
	dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	get = dl ? (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList") : NULL;
	if (!get || get(&p11) != CKR_OK || p11->C_Initialize(&init) != CKR_OK) {
		fprintf(stderr, "stress: cannot load and initialize %s\n", getenv("EIMZA_MODULE"));
		return 1;
	}
	for (i = 0; i < ncards; i++) {
		EVP_PKEY *k = cert_key(i);
		cards[i].slot = slot_of(i);
		cards[i].pub = k;
		cards[i].moves = i == 0;
		cards[i].mech = k && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC ? CKM_ECDSA_SHA256
									  : CKM_SHA256_RSA_PKCS;
		if (!cards[i].slot || !k) {
			fprintf(stderr, "stress: card %d: no slot or no certificate\n", i);
			return 1;
		}
	}
	{
		/* OpenSSL's random generators set up once, before the threads, as
		 * an application would (see helgrind.supp). */
		unsigned char b[16];
		if (RAND_bytes(b, sizeof(b)) != 1 || RAND_priv_bytes(b, sizeof(b)) != 1)
			return 1;
	}
	printf("stress: %d s, %d threads, %d cards, card 0 moves\n", seconds, nthreads, ncards);
	deadline = now() + seconds;
	pthread_create(&pt, NULL, puller, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(size_t)i);
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	stop = true;
	pthread_join(pt, &pr);
	moving_before = cards[0].signed_ok;

	printf("stress: card 0 (moving): %ld signatures, %ld removal-class failures, %ld pulls "
	       "(%ld quick)\n",
	       cards[0].signed_ok, cards[0].removal_fail, (long)pulls, (long)fast_swaps);
	printf("stress: card 0's failures: %ld device removed, %ld token not present, %ld session "
	       "handle invalid, %ld session closed, %ld user not logged in\n",
	       code_count[0], code_count[1], code_count[2], code_count[3], code_count[4]);
	for (i = 1; i < ncards; i++) {
		printf("stress: card %d (steady): %ld signatures\n", i, (long)cards[i].signed_ok);
		if (cards[i].bad_sig || cards[i].other_fail || cards[i].removal_fail)
			steady_ok = false;
		if (steady_min < 0 || cards[i].signed_ok < steady_min)
			steady_min = cards[i].signed_ok;
	}
	check(pr == NULL, "the puller worked its control sockets and second runtime");
	check(pulls >= 4 && fast_swaps >= 2, "card 0 was pulled and pushed (%ld, %ld quick)",
	      (long)pulls, (long)fast_swaps);
	check(cards[0].bad_sig == 0 && steady_ok, "every signature that answered CKR_OK verifies");
	check(cards[0].other_fail == 0, "card 0 failed only with removal-class codes");
	check(steady_ok, "the steady cards never failed");
	check(cards[0].removal_fail > 0, "the pulls reached the calls (%ld failures)",
	      cards[0].removal_fail);
	check(moving_before >= 5 && steady_min >= 20,
	      "every card signed during the storm (moving %ld, steady at least %ld)", moving_before,
	      steady_min);
	for (i = 0; i < ncards; i++)
		settles(&cards[i], i);
	check(p11->C_Finalize(NULL) == CKR_OK, "C_Finalize");
	for (i = 0; i < ncards; i++)
		EVP_PKEY_free(cards[i].pub);
	dlclose(dl);
	return failed;
}
