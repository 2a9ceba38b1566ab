/*
 * p11-test.c: see p11-test.h.
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/winscard.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>

CK_FUNCTION_LIST_PTR p11;

void p11_load(void)
{
	const char *path = getenv("EIMZA_MODULE");
	CK_C_GetFunctionList get;
	void *dl;

	ck_assert_msg(path != NULL, "EIMZA_MODULE is not set: run inside eimza-testbed");
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dl != NULL, "dlopen %s: %s", path, dlerror());
	get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList");
	ck_assert_ptr_nonnull(get);
	ck_assert_rv(get(&p11), CKR_OK);
}

void p11_init(void)
{
	p11_load();
	ck_assert_rv(p11->C_Initialize(NULL), CKR_OK);
}

static const char *card_env(int i, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "EIMZA_TB_CARD%d_%s", i, what);
	return getenv(name);
}

int seal_card(void)
{
	int c = card_of("seal");

	return c >= 0 ? c : card_of("seal-rsa");
}

int card_generation(int i)
{
	char env[48];
	const char *g;

	snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_GENERATION", i);
	g = getenv(env);
	ck_assert_msg(g != NULL, "%s is not set (the test bed sets it)", env);
	return strcmp(g, "1.2") == 0 ? 1 : 2;
}

int card_of(const char *profile)
{
	int i;

	for (i = 0; i < 16; i++) {
		const char *p = card_env(i, "PROFILE");
		if (p && strcmp(p, profile) == 0)
			return i;
	}
	return -1;
}

CK_SLOT_ID card_slot(int i)
{
	const char *reader = card_env(i, "READER");
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, k;

	ck_assert_ptr_nonnull(reader);
	ck_assert_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	for (k = 0; k < n; k++) {
		CK_SLOT_INFO si;
		char desc[65];
		size_t len;
		ck_assert_rv(p11->C_GetSlotInfo(slots[k], &si), CKR_OK);
		memcpy(desc, si.slotDescription, 64);
		desc[64] = '\0';
		for (len = 64; len > 0 && desc[len - 1] == ' '; len--)
			desc[len - 1] = '\0';
		if (strcmp(desc, reader) == 0)
			return slots[k];
	}
	ck_abort_msg("no slot for reader '%s'", reader);
	return 0;
}

CK_SESSION_HANDLE open_session(int i, bool rw)
{
	CK_SESSION_HANDLE s;

	ck_assert_rv(p11->C_OpenSession(card_slot(i), CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0),
					NULL, NULL, &s),
		     CKR_OK);
	return s;
}

void login_user(CK_SESSION_HANDLE s)
{
	ck_assert_rv(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
}

CK_ULONG find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, size_t idlen,
	      CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ATTRIBUTE t[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, (void *)id, idlen}};
	CK_ULONG n = 0;

	ck_assert_rv(p11->C_FindObjectsInit(s, t, id ? 2 : 1), CKR_OK);
	ck_assert_rv(p11->C_FindObjects(s, out, max, &n), CKR_OK);
	ck_assert_rv(p11->C_FindObjectsFinal(s), CKR_OK);
	return n;
}

void *attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	void *v;

	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK)
		return NULL;
	v = malloc(a.ulValueLen + 1);
	a.pValue = v;
	if (p11->C_GetAttributeValue(s, o, &a, 1) != CKR_OK) {
		free(v);
		return NULL;
	}
	if (len)
		*len = a.ulValueLen;
	return v;
}

bool attr_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = {t, &b, sizeof(b)};

	ck_assert_rv(p11->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	return b == CK_TRUE;
}

int trace_count(int card, const char *prefix)
{
	const char *path = card_env(card, "TRACE");

	ck_assert_ptr_nonnull(path);
	return trace_file_count(path, prefix);
}

int trace_mark(int card)
{
	return trace_count(card, "");
}

void trace_commands(int card, int mark, int bytes, char *out, size_t cap)
{
	const char *path = card_env(card, "TRACE");
	char line[2048];
	size_t used = 0;
	int n = 0;
	FILE *f;

	ck_assert_ptr_nonnull(path);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		size_t len = 2 + 3 * (size_t)bytes - 1; /* "> " and "XX " per byte */
		if (n++ < mark || strncmp(line, "> ", 2) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) > len)
			line[len] = '\0';
		used += (size_t)snprintf(out + used, cap > used ? cap - used : 0, "%s\n", line + 2);
	}
	fclose(f);
}

void trace_last_command(int card, const char *prefix, char *hex, size_t cap)
{
	const char *path = card_env(card, "TRACE");
	char line[2048], want[64];
	size_t n = 0;
	FILE *f;

	ck_assert_ptr_nonnull(path);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	snprintf(want, sizeof(want), "> %s", prefix);
	hex[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		n = 0;
		for (const char *p = line + 2; *p && *p != '\n' && n + 1 < cap; p++)
			if (*p != ' ')
				hex[n++] = *p;
		hex[n] = '\0';
	}
	fclose(f);
	ck_assert_msg(n > 0, "no command '%s' in card %d's trace", prefix, card);
}

int other_client(int card, int secs, const char *apdus, char *out, size_t cap)
{
	char cmd[4096];
	size_t used = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "timeout %d %s apdu '%s' %s", secs, getenv("EIMZA_TB_PCSC"),
		 card_env(card, "READER"), apdus);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	out[0] = '\0';
	while (used + 1 < cap && fgets(out + used, (int)(cap - used), p))
		used += strlen(out + used);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *last_sw(const char *out)
{
	static char sw[5];
	size_t n = strlen(out);

	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	snprintf(sw, sizeof(sw), "%.4s", n >= 4 ? out + n - 4 : "????");
	return sw;
}

int card_commands(int card)
{
	return trace_count(card, "> ");
}

void card_ctl(int card, const char *cmd)
{
	char reply[128];

	ck_assert_msg(ctl_send(card_env(card, "CONTROL"), cmd, reply, sizeof(reply)) == 0,
		      "card %d: control command %s failed", card, cmd);
	ck_assert_msg(strncmp(reply, "ok", 2) == 0, "card %d: %s: %s", card, cmd, reply);
}

void card_wait_status(int card, const char *word)
{
	char reply[128] = "";

	for (int i = 0; i < 1000; i++) {
		if (ctl_send(card_env(card, "CONTROL"), "status", reply, sizeof(reply)) == 0 &&
		    strstr(reply, word))
			return;
		usleep(10000);
	}
	ck_abort_msg("card %d never became %s (status: %s)", card, word, reply);
}

int tb_ctl(const char *fmt, ...)
{
	char cmd[512], args[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null", getenv("EIMZA_TB_CTL"), args);
	return system(cmd);
}

int ctl_send(const char *path, const char *cmd, char *reply, size_t cap)
{
	struct sockaddr_un sa;
	struct timeval tv = {10, 0};
	char line[128];
	ssize_t n;
	int fd;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(line, sizeof(line), "%s\n", cmd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		close(fd);
		return -1;
	}
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (reply)
		snprintf(reply, cap, "%s", line);
	return strncmp(line, "ok", 2) == 0 ? 0 : -1;
}

/* pcsc-lite is taken from the module's own dependencies with dlsym rather
 * than linked: linked into the test program, its destructor frees its
 * context list before LeakSanitizer looks, and every context the module
 * still holds at exit (tests rarely call C_Finalize) is reported lost. */
long reader_events(int i)
{
	LONG (*establish)(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT);
	LONG (*status)(SCARDCONTEXT, DWORD, SCARD_READERSTATE *, DWORD);
	LONG (*release)(SCARDCONTEXT);
	void *lib = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
	SCARDCONTEXT ctx;
	SCARD_READERSTATE st;
	long n = -1;

	if (!lib)
		return -1;
	*(void **)&establish = dlsym(lib, "SCardEstablishContext");
	*(void **)&status = dlsym(lib, "SCardGetStatusChange");
	*(void **)&release = dlsym(lib, "SCardReleaseContext");
	if (!establish || !status || !release ||
	    establish(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		dlclose(lib);
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.szReader = card_env(i, "READER");
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (st.szReader && status(ctx, 0, &st, 1) == SCARD_S_SUCCESS)
		n = (long)(st.dwEventState >> 16);
	release(ctx);
	dlclose(lib);
	return n;
}

pid_t runtime_start(int i, const char *image, const char *ctl, const char *trace)
{
	char port[32], path[512], reply[128];
	const char *vcard = getenv("EIMZA_VCARD"), *lat = getenv("EIMZA_TB_LATENCY");
	FILE *f;
	pid_t pid;
	int k;

	snprintf(path, sizeof(path), "%s/card%d.port", getenv("EIMZA_TB_DIR"), i);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(port, sizeof(port), f));
	fclose(f);
	port[strcspn(port, "\n")] = '\0';
	ck_assert_ptr_nonnull(vcard);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(vcard, vcard, "run", image, "--port", port, "--control", ctl, "--trace",
		      trace, "--latency", lat ? lat : "none", (char *)NULL);
		_exit(127);
	}
	/* Connected to vpcd's port: the kernel completes the connection even
	 * before vpcd accepts it. */
	for (k = 0; k < 200; k++) {
		if (ctl_send(ctl, "status", reply, sizeof(reply)) == 0 &&
		    strstr(reply, " connected"))
			return pid;
		usleep(10000);
	}
	ck_abort_msg("the second card runtime did not connect (%s)", reply);
	return -1;
}

void runtime_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if (waitpid(pid, NULL, 0) == pid)
		return;
	/* Not our child (left by an earlier test's process): wait it out. */
	for (int i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
}

void card_restore(int i)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "%s wait-empty '%s' 10", getenv("EIMZA_TB_PCSC"),
		 card_env(i, "READER"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(tb_ctl("card-insert %d", i), 0);
}

int trace_file_count(const char *path, const char *prefix)
{
	char line[2048];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
	fclose(f);
	return n;
}

bool sig_verifies(const void *cert, size_t cert_len, CK_MECHANISM_TYPE mech, const void *data,
		  size_t len, const void *sig, size_t sig_len)
{
	const unsigned char *p = cert;
	X509 *x = d2i_X509(NULL, &p, (long)cert_len);
	EVP_PKEY *pk = x ? X509_get0_pubkey(x) : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char der[160];
	const unsigned char *s = sig;
	size_t slen = sig_len;
	bool ok = false;

	if (!pk || !md)
		goto out;
	if (mech == CKM_ECDSA_SHA256) {
		/* PKCS#11 gives r || s; OpenSSL wants DER. */
		ECDSA_SIG *e = ECDSA_SIG_new();
		unsigned char *w = der;
		int n;
		size_t h = sig_len / 2;
		if (!e || sig_len % 2 || sig_len > 132 ||
		    !ECDSA_SIG_set0(e, BN_bin2bn(sig, (int)h, NULL),
				    BN_bin2bn((const unsigned char *)sig + h, (int)h, NULL))) {
			ECDSA_SIG_free(e);
			goto out;
		}
		n = i2d_ECDSA_SIG(e, &w);
		ECDSA_SIG_free(e);
		if (n <= 0)
			goto out;
		s = der;
		slen = (size_t)n;
	} else if (mech != CKM_SHA256_RSA_PKCS) {
		goto out;
	}
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	     EVP_DigestVerify(md, s, slen, data, len) == 1;
out:
	EVP_MD_CTX_free(md);
	X509_free(x);
	return ok;
}
