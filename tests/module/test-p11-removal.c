/*
 * test-p11-removal.c: a card pulled in the middle of a multi-APDU
 * operation (MSE then PSO; reading the card's files). Run in a test bed
 * whose cards answer slowly (--latency rtt=150), so the removal lands
 * between two APDUs: the call fails with a removal code, nothing hangs,
 * and after reinsertion the next operation works.
 *
 * Also a card pulled and pushed back faster than pcscd polls the reader,
 * so pcscd never reports the removal: the same card keeps its token (login
 * forgotten, never replayed), another card becomes a new token.
 */
#include "config.h"

#include "p11-test.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_RV rv;
};

static void *sign_thread(void *arg)
{
	struct signer *g = arg;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	g->rv = p11->C_SignInit(g->s, &m, g->k);
	if (g->rv == CKR_OK)
		g->rv = p11->C_Sign(g->s, (CK_BYTE_PTR) "x", 1, sig, &len);
	return NULL;
}

static int pull_card(int c)
{
	char path[512];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/card%d.pid", getenv("EIMZA_TB_DIR"), c);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &pid) != 1) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return kill(pid, SIGUSR1);
}

/* What a call may answer when its card left during it: never
 * CKR_DEVICE_ERROR, which says the device misbehaved. */
static bool removal_code(CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_HANDLE_INVALID ||
	       rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SESSION_CLOSED;
}

#define VERIFY_PIN "> 00 20 00 81 06" /* VERIFY of the user PIN, with data */

static CK_RV sign_once(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k)
{
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = p11->C_SignInit(s, &m, k);

	return rv != CKR_OK ? rv : p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len);
}

/*
 * Pull card c and push `image` (a copy of the same card, or another card)
 * into its reader faster than pcscd polls it: a second runtime is connected
 * to the reader's vpcd port first (vpcd takes it at its next poll), then
 * the card's own runtime pulls its card. The caller's next exchange finds
 * the card gone before pcscd does; pcscd's following poll finds a card
 * again, so it never reports a removal.
 */
struct fast_swap {
	pid_t pid;
	char ctl[512], trace[512];
	long events;
};

static void pid_file(pid_t pid);

/* The second runtime, waiting on the port; the card not pulled yet. */
static void fast_swap_prepare(int c, const char *image, struct fast_swap *fs)
{
	snprintf(fs->ctl, sizeof(fs->ctl), "%s/fast.ctl", getenv("EIMZA_TB_DIR"));
	snprintf(fs->trace, sizeof(fs->trace), "%s/fast.trace", getenv("EIMZA_TB_DIR"));
	unlink(fs->trace);
	fs->events = reader_events(c);
	ck_assert_int_ge(fs->events, 0);
	fs->pid = runtime_start(c, image, fs->ctl, fs->trace);
	pid_file(fs->pid);
}

static int fast_swap_pull(int c)
{
	char env[40];

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_CONTROL", c);
	return ctl_send(getenv(env), "remove", NULL, 0);
}

static void fast_swap(int c, const char *image, struct fast_swap *fs)
{
	fast_swap_prepare(c, image, fs);
	ck_assert_int_eq(fast_swap_pull(c), 0);
}

/* Did pcscd miss the removal, as the test wants? When its poll fell in
 * the few milliseconds between the pull and the module's exchange, it saw
 * the card go: the test is repeated. */
static bool pcscd_missed_it(int c, const struct fast_swap *fs)
{
	return reader_events(c) == fs->events;
}

static void pid_file(pid_t pid)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fast.pid", getenv("EIMZA_TB_DIR"));
	if (pid <= 0) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
}

/* Back to the card's own runtime. */
static void fast_swap_end(int c, struct fast_swap *fs)
{
	runtime_stop(fs->pid);
	pid_file(0);
	fs->pid = 0;
	card_restore(c);
}

/* A test that failed midway (Check ends its process) left the second
 * runtime in the reader: put the card's own back before the next test. */
static void fast_swap_leftovers(int c)
{
	char path[512];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/fast.pid", getenv("EIMZA_TB_DIR"));
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) == 1) {
		struct fast_swap fs = {.pid = pid};
		fast_swap_end(c, &fs);
	}
	fclose(f);
	pid_file(0);
}

/* vpcd takes the second runtime at its next poll (every 400 ms): only then
 * is the card pushed back in as far as the reader is concerned. */
static void wait_card_back(void)
{
	usleep(1000000);
}

/* Swap card c for `img` unseen by pcscd and sign on *s at once, so the
 * signature meets the pulled card; C_Sign's answer. When pcscd's poll
 * caught the pull, everything goes back and the swap is tried again (three
 * times at most) on a new logged-in session, left in *s and *k. */
static CK_RV unseen_swap_then_sign(int c, const char *img, struct fast_swap *fs,
				   CK_SESSION_HANDLE *s, CK_OBJECT_HANDLE *k)
{
	CK_RV rv = CKR_OK;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		fast_swap(c, img, fs);
		rv = sign_once(*s, *k);
		if (pcscd_missed_it(c, fs))
			break;
		fast_swap_end(c, fs);
		*s = open_session(c, false);
		login_user(*s);
		ck_assert_int_eq(find(*s, CKO_PRIVATE_KEY, NULL, 0, k, 1), 1);
	}
	ck_assert_msg(attempt < 3, "pcscd saw every quick pull and push: not reproduced");
	return rv;
}

START_TEST(fast_reinsert_same_card)
{
	int c = card_of("seal-rsa"), verifies;
	char img[512], cmd[1200];
	struct fast_swap fs = {0};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO before, after;
	CK_RV rv = CKR_OK;

	fast_swap_leftovers(c);
	snprintf(img, sizeof(img), "%s/same.img", getenv("EIMZA_TB_DIR"));
	{
		char env[40];
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_IMAGE", c);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", getenv(env), img);
	}
	ck_assert_int_eq(system(cmd), 0);
	p11_init();
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &before), CKR_OK);
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert_rv(sign_once(s, k), CKR_OK);
	rv = unseen_swap_then_sign(c, img, &fs, &s, &k);
	/* The call that met the pulled card: a removal, not a device error. */
	ck_assert_msg(rv == CKR_DEVICE_REMOVED, "C_Sign answered 0x%lx", (unsigned long)rv);
	verifies = trace_file_count(fs.trace, VERIFY_PIN);
	wait_card_back();
	/* The same card (its serial): the token and its sessions stay, the
	 * login does not, and the module never sends the PIN again by itself. */
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_rv(sign_once(s, k), CKR_USER_NOT_LOGGED_IN);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &after), CKR_OK);
	ck_assert(memcmp(before.serialNumber, after.serialNumber, 16) == 0);
	ck_assert_int_eq(trace_file_count(fs.trace, VERIFY_PIN), verifies);
	ck_assert_int_eq(verifies, 0);
	login_user(s);
	ck_assert_int_eq(trace_file_count(fs.trace, VERIFY_PIN), 1);
	ck_assert_rv(sign_once(s, k), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	fast_swap_end(c, &fs);
}
END_TEST

START_TEST(fast_swap_to_another_card)
{
	int c = card_of("seal-rsa");
	char img[512], cmd[1200];
	struct fast_swap fs = {0};
	CK_SESSION_HANDLE s, s2;
	CK_OBJECT_HANDLE k;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO before, after;
	CK_RV rv = CKR_OK;

	fast_swap_leftovers(c);
	snprintf(img, sizeof(img), "%s/other.img", getenv("EIMZA_TB_DIR"));
	snprintf(cmd, sizeof(cmd),
		 "%s init %s --profile seal-rsa --org 'BAŞKA ŞİRKET' --force >/dev/null 2>&1",
		 getenv("EIMZA_VCARD"), img);
	ck_assert_int_eq(system(cmd), 0);
	p11_init();
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &before), CKR_OK);
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	rv = unseen_swap_then_sign(c, img, &fs, &s, &k);
	ck_assert_msg(rv == CKR_DEVICE_REMOVED, "C_Sign answered 0x%lx", (unsigned long)rv);
	wait_card_back();
	/* Another serial: the old token, its sessions and its login are gone;
	 * the card in the reader is a new token that works. */
	ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_SESSION_HANDLE_INVALID);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &after), CKR_OK);
	ck_assert(memcmp(before.serialNumber, after.serialNumber, 16) != 0);
	ck_assert(memcmp(before.label, after.label, 32) != 0);
	s2 = open_session(c, false);
	ck_assert_rv(p11->C_GetSessionInfo(s2, &si), CKR_OK);
	ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_int_eq(trace_file_count(fs.trace, VERIFY_PIN), 0);
	login_user(s2);
	ck_assert_int_eq(find(s2, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert_rv(sign_once(s2, k), CKR_OK);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	fast_swap_end(c, &fs);
}
END_TEST

START_TEST(removed_during_signature)
{
	int c = card_of("seal-rsa");
	struct signer g;
	pthread_t th;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;

	p11_init();
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	pthread_create(&th, NULL, sign_thread, &g);
	/* SIGUSR1 pulls the card as soon as the card has answered the APDU it
	 * is working on: here MSE (150 ms), so PSO finds no card. */
	usleep(80000);
	ck_assert_int_eq(pull_card(c), 0);
	pthread_join(th, NULL);
	ck_assert_msg(removal_code(g.rv), "C_Sign answered 0x%lx", (unsigned long)g.rv);
	/* Reinsert once pcscd has seen the card go (a pull and push faster than
	 * pcscd's polling is a known gap: see the note). */
	{
		char cmd[600], env[40];
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
		snprintf(cmd, sizeof(cmd), "%s wait-empty '%s' 10", getenv("EIMZA_TB_PCSC"), getenv(env));
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	g.s = s;
	g.k = k;
	sign_thread(&g);
	ck_assert_rv(g.rv, CKR_OK);
}
END_TEST

/* Another thread closes the session while its signature is on the card: an
 * application bug, which a module must survive. The signature finishes
 * under the slot lock; C_Sign answers CKR_OK (the card signed) or says the
 * session is gone; the login of the last session ends only after the card
 * answered; the next session starts logged out and works. The same with
 * C_CloseAllSessions. */
START_TEST(session_closed_during_signature)
{
	int c = card_of("seal-rsa"), round;
	struct signer g;
	pthread_t th;
	CK_SESSION_INFO si;
	CK_SESSION_HANDLE s;

	p11_init();
	for (round = 0; round < 2; round++) {
		g.s = open_session(c, false);
		login_user(g.s);
		ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
		pthread_create(&th, NULL, sign_thread, &g);
		usleep(80000); /* the card is working on MSE (150 ms), PSO follows */
		if (round == 0)
			ck_assert_rv(p11->C_CloseSession(g.s), CKR_OK);
		else
			ck_assert_rv(p11->C_CloseAllSessions(card_slot(c)), CKR_OK);
		pthread_join(th, NULL);
		ck_assert_msg(g.rv == CKR_OK || g.rv == CKR_SESSION_HANDLE_INVALID ||
				      g.rv == CKR_SESSION_CLOSED,
			      "C_Sign answered 0x%lx", (unsigned long)g.rv);
		ck_assert_rv(p11->C_GetSessionInfo(g.s, &si), CKR_SESSION_HANDLE_INVALID);
		s = open_session(c, false);
		ck_assert_rv(p11->C_GetSessionInfo(s, &si), CKR_OK);
		ck_assert_int_eq(si.state, CKS_RO_PUBLIC_SESSION);
		login_user(s);
		g.s = s;
		sign_thread(&g);
		ck_assert_rv(g.rv, CKR_OK);
		ck_assert_rv(p11->C_CloseSession(s), CKR_OK);
	}
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
}
END_TEST

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(removed_while_reading_the_card)
{
	int c = card_of("seal-rsa"), fds[2], status;
	CK_TOKEN_INFO ti;
	double pulled = 0, read_end;
	pid_t pid;
	CK_RV rv;

	p11_load();
	/* C_Initialize reads the card's files (some twenty commands of 150 ms):
	 * pull it meanwhile. The child says when it pulled. */
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		double t;
		usleep(400000);
		if (pull_card(c) != 0)
			_exit(1);
		t = now();
		_exit(write(fds[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
	read_end = now();
	rv = p11->C_GetTokenInfo(card_slot(c), &ti);
	ck_assert_int_eq(read(fds[0], &pulled, sizeof(pulled)), sizeof(pulled));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* A token (CKR_OK) only when the card was verifiably read before the
	 * pull: the pull came after C_Initialize returned. A pull during the
	 * reading leaves no token of a card half read. */
	if (pulled < read_end)
		ck_assert_msg(rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_ERROR,
			      "pulled %.0f ms before C_Initialize returned; C_GetTokenInfo answered 0x%lx",
			      (read_end - pulled) * 1000, (unsigned long)rv);
	else
		ck_assert_msg(rv == CKR_OK || rv == CKR_TOKEN_NOT_PRESENT,
			      "pulled after C_Initialize returned; C_GetTokenInfo answered 0x%lx",
			      (unsigned long)rv);
	usleep(600000);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
}
END_TEST

/* ---- removal in the middle of VERIFY and of a chained PSO --------------- */

/* Put card c back after a pull, once pcscd has seen it go. */
static void reinsert(int c)
{
	char cmd[600], env[40];

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
	snprintf(cmd, sizeof(cmd), "%s wait-empty '%s' 10", getenv("EIMZA_TB_PCSC"), getenv(env));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(tb_ctl("card-insert %d", c), 0);
}

/* The last command line ("> ...") of card c's APDU trace. */
static void last_command(int c, char *out, size_t cap)
{
	char env[40], line[2048];
	FILE *f;

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_TRACE", c);
	f = fopen(getenv(env), "r");
	ck_assert_ptr_nonnull(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (line[0] == '>')
			snprintf(out, cap, "%s", line);
	fclose(f);
}

/* Another PC/SC client can use the card (a transaction of its own): the
 * module holds no transaction of a card that left. */
static void others_can_use_the_card(int c)
{
	char cmd[700], env[40];

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
	snprintf(cmd, sizeof(cmd), "timeout 10 %s apdu '%s' 00CA010600 >/dev/null",
		 getenv("EIMZA_TB_PCSC"), getenv(env));
	ck_assert_int_eq(system(cmd), 0);
}

struct pss_signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_RV rv;
	bool gen2;
};

/* A signature whose input takes two chained PSO commands (more than 196
 * bytes): on 1.2 RSA-PSS, which the host encodes into a modulus-sized
 * block for raw RSA; on 2.x, which pads and encodes on the card, CKM_RSA_PKCS
 * over a 245-byte input (the most PKCS#1 v1.5 takes for RSA-2048). */
static void *pss_thread(void *arg)
{
	struct pss_signer *g = arg;
	CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM pss = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)};
	CK_MECHANISM pkcs1 = {CKM_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512], in[245];
	CK_ULONG len = sizeof(sig);

	memset(in, 0x5A, sizeof(in));
	g->rv = p11->C_SignInit(g->s, g->gen2 ? &pkcs1 : &pss, g->k);
	if (g->rv == CKR_OK)
		g->rv = g->gen2 ? p11->C_Sign(g->s, in, sizeof(in), sig, &len)
				: p11->C_Sign(g->s, (CK_BYTE_PTR) "x", 1, sig, &len);
	return NULL;
}

START_TEST(removed_inside_a_chained_pso)
{
	int c = card_of("seal-rsa");
	struct pss_signer g;
	char last[2048];
	pthread_t th;

	p11_init();
	g.gen2 = card_generation(c) == 2;
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	pthread_create(&th, NULL, pss_thread, &g);
	/* MSE 0-150 ms, the chain's first part 150-300 ms: the pull lands in
	 * the first part, the runtime answers it and leaves; the last part
	 * finds no card. */
	usleep(220000);
	ck_assert_int_eq(pull_card(c), 0);
	pthread_join(th, NULL);
	last_command(c, last, sizeof(last));
	ck_assert_msg(strncmp(last, "> 10 2A 9E 9A", 13) == 0,
		      "the pull did not land inside the chain (last command: %s)", last);
	ck_assert_msg(removal_code(g.rv), "C_Sign answered 0x%lx", (unsigned long)g.rv);
	reinsert(c);
	others_can_use_the_card(c);
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	pss_thread(&g);
	ck_assert_rv(g.rv, CKR_OK);
}
END_TEST

START_TEST(removed_when_verify_is_sent)
{
	int c = card_of("seal-rsa"), verifies;
	char env[40];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_TOKEN_INFO ti;
	CK_RV rv;

	p11_init();
	s = open_session(c, false);
	verifies = trace_count(c, VERIFY_PIN);
	/* Pulled (the runtime has closed its connection when it answers), then
	 * at once C_Login: the VERIFY meets a card that is gone, before or
	 * after pcscd notices. */
	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_CONTROL", c);
	ck_assert_int_eq(ctl_send(getenv(env), "remove", NULL, 0), 0);
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6);
	ck_assert_msg(removal_code(rv), "C_Login answered 0x%lx", (unsigned long)rv);
	reinsert(c);
	/* The module did not send the PIN again by itself, and no try was
	 * lost. */
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert_int_eq(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY), 0);
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + 1);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	ck_assert_rv(sign_once(s, k), CKR_OK);
}
END_TEST

struct consent_signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_RV login_rv, sign_rv;
};

/* An always-authenticate (userConsent) key: C_Login(CKU_CONTEXT_SPECIFIC)
 * opens a PC/SC transaction and sends VERIFY; C_Sign sends MSE and PSO in
 * the same transaction. */
static void *consent_thread(void *arg)
{
	struct consent_signer *g = arg;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);

	g->login_rv = g->sign_rv = CKR_GENERAL_ERROR;
	g->sign_rv = p11->C_SignInit(g->s, &m, g->k);
	if (g->sign_rv != CKR_OK)
		return NULL;
	g->login_rv = p11->C_Login(g->s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6);
	g->sign_rv = p11->C_Sign(g->s, (CK_BYTE_PTR) "x", 1, sig, &len);
	return NULL;
}

START_TEST(removed_during_context_verify)
{
	int c = card_of("nes-rsa"), verifies;
	struct consent_signer g;
	pthread_t th;

	ck_assert_int_ge(c, 0);
	p11_init();
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	ck_assert(attr_bool(g.s, g.k, CKA_ALWAYS_AUTHENTICATE));
	verifies = trace_count(c, VERIFY_PIN);
	pthread_create(&th, NULL, consent_thread, &g);
	/* Each command takes 150 ms; the context login selects the application
	 * before its VERIFY (0-150 ms, then 150-300 ms on both generations):
	 * the pull lands in the VERIFY; the card answers it and leaves, so MSE
	 * and PSO find no card. */
	usleep(230000);
	ck_assert_int_eq(pull_card(c), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + 1);
	ck_assert_rv(g.login_rv, CKR_OK);
	ck_assert_msg(removal_code(g.sign_rv), "C_Sign answered 0x%lx", (unsigned long)g.sign_rv);
	reinsert(c);
	/* The transaction the context login opened did not outlive the card. */
	others_can_use_the_card(c);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + 1);
	g.s = open_session(c, false);
	login_user(g.s);
	ck_assert_int_eq(find(g.s, CKO_PRIVATE_KEY, NULL, 0, &g.k, 1), 1);
	consent_thread(&g);
	ck_assert_rv(g.login_rv, CKR_OK);
	ck_assert_rv(g.sign_rv, CKR_OK);
	/* Exactly the VERIFYs the application asked for: two logins, two
	 * context logins. */
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + 3);
}
END_TEST

START_TEST(fast_reinsert_inside_context_login)
{
	int c = card_of("nes-rsa"), attempt;
	char img[512], cmd[1200], env[40];
	struct fast_swap fs = {0};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_RV rv = CKR_OK;

	ck_assert_int_ge(c, 0);
	fast_swap_leftovers(c);
	snprintf(img, sizeof(img), "%s/same.img", getenv("EIMZA_TB_DIR"));
	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_IMAGE", c);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", getenv(env), img);
	ck_assert_int_eq(system(cmd), 0);
	p11_init();
	s = open_session(c, false);
	login_user(s);
	ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	for (attempt = 0; attempt < 3; attempt++) {
		/* The context login holds the card's transaction until C_Sign:
		 * the card leaves and comes back in between. */
		ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_OK);
		ck_assert_rv(p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6),
			     CKR_OK);
		fast_swap(c, img, &fs);
		len = sizeof(sig);
		rv = p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len);
		if (pcscd_missed_it(c, &fs))
			break;
		fast_swap_end(c, &fs);
		s = open_session(c, false);
		login_user(s);
		ck_assert_int_eq(find(s, CKO_PRIVATE_KEY, NULL, 0, &k, 1), 1);
	}
	ck_assert_msg(attempt < 3, "pcscd saw every quick pull and push: not reproduced");
	ck_assert_msg(rv == CKR_DEVICE_REMOVED, "C_Sign answered 0x%lx", (unsigned long)rv);
	wait_card_back();
	/* Same card: the session stays, the login is gone, nothing is replayed;
	 * the card is not left locked. */
	ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(trace_file_count(fs.trace, VERIFY_PIN), 0);
	{
		char tbp[800];
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_READER", c);
		snprintf(tbp, sizeof(tbp), "timeout 10 %s apdu '%s' 00CA010600 >/dev/null",
			 getenv("EIMZA_TB_PCSC"), getenv(env));
		ck_assert_int_eq(system(tbp), 0);
	}
	login_user(s);
	ck_assert_rv(p11->C_SignInit(s, &m, k), CKR_OK);
	ck_assert_rv(p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	len = sizeof(sig);
	ck_assert_rv(p11->C_Sign(s, (CK_BYTE_PTR) "x", 1, sig, &len), CKR_OK);
	ck_assert_int_eq(trace_file_count(fs.trace, VERIFY_PIN), 2);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);
	fast_swap_end(c, &fs);
}
END_TEST

/*
 * Three test-bed rounds (test-module.sh): "removal" and "removal-consent"
 * with slow cards (--latency rtt=150, so a pull lands between two APDUs),
 * a seal-rsa and a nes-rsa card (userConsent key) each, and "fast-swap"
 * with both cards at full speed, for the pulls pcscd must not see.
 */
Suite *removal_suite(const char *round);
Suite *removal_suite(const char *round)
{
	Suite *s = suite_create(round);
	TCase *t = tcase_create(round);

	tcase_set_timeout(t, 120);
	if (strcmp(round, "removal") == 0) {
		tcase_add_test(t, removed_during_signature);
		tcase_add_test(t, session_closed_during_signature);
		tcase_add_test(t, removed_while_reading_the_card);
		tcase_add_test(t, removed_inside_a_chained_pso);
	} else if (strcmp(round, "removal-consent") == 0) {
		tcase_add_test(t, removed_during_context_verify);
	} else {
		tcase_add_test(t, removed_when_verify_is_sent);
		tcase_add_test(t, fast_reinsert_same_card);
		tcase_add_test(t, fast_swap_to_another_card);
		tcase_add_test(t, fast_reinsert_inside_context_login);
	}
	suite_add_tcase(s, t);
	return s;
}
