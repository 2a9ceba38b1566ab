/*
 * test-p11-cache.c: the card cache through the real PC/SC stack. Each
 * "start" is a process of its own (an application starting): it loads the
 * module, opens a session on every card of the test bed and reads every
 * attribute of every object (and the token information; the private
 * objects after a login) into a dump, in a cache folder the test chooses.
 * The parent counts what each card received in its APDU trace:
 *
 *   - a cold start (no entry) sends exactly what the profile's full read
 *     takes and writes one entry per card (folder 0700, files 0600); a warm
 *     start sends exactly the check (2 + 2 per certificate + 2 APDUs) and
 *     dumps the same objects, handles and attributes; EIMZA_CACHE=0 or
 *     `cache = no` reads everything again and writes nothing;
 *   - a card re-personalized with the same serial (a new key and
 *     certificate) is read again, and its signature verifies with the new
 *     certificate, not the old one;
 *   - two processes starting at once both succeed and leave entries the
 *     next start uses.
 *
 * The counts are exact: a change in what a start sends must change this
 * table (docs/module.md has the same numbers).
 */
#include "config.h"

#include "p11-test.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#define READ_CHUNK 208 /* READ BINARY bytes per command, both dialects */

/* APDUs of a cold start besides the certificates' READ BINARYs (which
 * depend on each certificate's length: one per 208 bytes), per profile and
 * generation; and how many certificates the profile has. */
static const struct {
	const char *profile;
	int generation;
	int other, certs;
} cold_table[] = {
	/* 2.x: serial, application, PIN and PUK headers and lengths (4), per
	 * certificate SELECT, three missing EFs, per key its header and public
	 * half (2 APDUs for RSA: 61 XX and GET RESPONSE) and the headers of
	 * the ids tried before it */
	{"nes-rsa", 2, 13, 1},
	{"nes-ec", 2, 12, 1},
	{"seal", 2, 12, 1},
	{"seal-rsa", 2, 13, 1},
	{"multi", 2, 24, 3},
	/* 1.2: serial, SELECT MF, EF(DIR) (SELECT + READ), the application by
	 * name, ODF, TokenInfo, AODF, PrKDF, CDF (SELECT + READ each), the
	 * certificate's SELECT, VERIFY without data for PIN and PUK; no
	 * PuKDF and no public-key file (the certificate holds the key) */
	{"nes-rsa", 1, 18, 1},
	{"seal-rsa", 1, 19, 1},
};

static const char *card_env(int i, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "EIMZA_TB_CARD%d_%s", i, what);
	return getenv(name);
}

/* ---- one start, in a process of its own ------------------------------------------- */

struct start {
	const char *cache;     /* XDG_CACHE_HOME */
	const char *env_cache; /* EIMZA_CACHE, or NULL for none */
	const char *conf;      /* EIMZA_CONF, or NULL for an empty one */
	const char *dump;      /* where the child writes what it saw */
	int sign_card;         /* -1, or the card whose key signs `msg` (no consent key) */
	const char *sig;       /* the signature */
};

static const char msg[] = "eimza card cache";

/* Every attribute type of PKCS#11 3.0 below the vendor range, and the
 * array attributes; one C_GetAttributeValue asks them all. */
#define NTYPES (0x1001 + 3)
static CK_ATTRIBUTE_TYPE types[NTYPES];

static int die(const char *what, CK_RV rv)
{
	fprintf(stderr, "start: %s: 0x%lx\n", what, (unsigned long)rv);
	return 1;
}

static int dump_object(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, FILE *out)
{
	CK_ATTRIBUTE *t = calloc(NTYPES, sizeof(*t));
	CK_RV rv;
	int i;

	if (!t)
		return 1;
	for (i = 0; i < NTYPES; i++)
		t[i].type = types[i];
	rv = f->C_GetAttributeValue(s, o, t, NTYPES);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE)
		return free(t), die("C_GetAttributeValue (sizes)", rv);
	for (i = 0; i < NTYPES; i++)
		if (t[i].ulValueLen != CK_UNAVAILABLE_INFORMATION)
			t[i].pValue = malloc(t[i].ulValueLen + 1);
	rv = f->C_GetAttributeValue(s, o, t, NTYPES);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE)
		return free(t), die("C_GetAttributeValue", rv);
	fprintf(out, "object %lu\n", (unsigned long)o);
	for (i = 0; i < NTYPES; i++) {
		if (t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
			continue;
		fprintf(out, "  %08lx %lu ", (unsigned long)t[i].type, (unsigned long)t[i].ulValueLen);
		for (CK_ULONG k = 0; k < t[i].ulValueLen; k++)
			fprintf(out, "%02x", ((unsigned char *)t[i].pValue)[k]);
		fputc('\n', out);
		if (t[i].type == CKA_VALUE)
			fprintf(out, "  value-length %lu\n", (unsigned long)t[i].ulValueLen);
	}
	for (i = 0; i < NTYPES; i++)
		free(t[i].pValue);
	free(t);
	return 0;
}

static CK_SLOT_ID slot_of(CK_FUNCTION_LIST_PTR f, int card)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64;
	const char *reader = card_env(card, "READER");

	if (f->C_GetSlotList(CK_FALSE, slots, &n) != CKR_OK)
		return (CK_SLOT_ID)-1;
	for (CK_ULONG k = 0; k < n; k++) {
		CK_SLOT_INFO si;
		if (f->C_GetSlotInfo(slots[k], &si) == CKR_OK &&
		    strncmp((char *)si.slotDescription, reader, strlen(reader)) == 0)
			return slots[k];
	}
	return (CK_SLOT_ID)-1;
}

static int sign_with(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, const char *sig_path)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl = {CKA_CLASS, &cls, sizeof(cls)};
	CK_OBJECT_HANDLE k;
	CK_KEY_TYPE kt;
	CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	unsigned char sig[512];
	CK_ULONG n = 0, slen = sizeof(sig);
	CK_RV rv;
	FILE *out;

	/* Logged in already (child()). */
	if (f->C_FindObjectsInit(s, &tmpl, 1) != CKR_OK || f->C_FindObjects(s, &k, 1, &n) != CKR_OK ||
	    f->C_FindObjectsFinal(s) != CKR_OK || n != 1)
		return die("no private key", CKR_GENERAL_ERROR);
	if ((rv = f->C_GetAttributeValue(s, k, &a, 1)) != CKR_OK)
		return die("CKA_KEY_TYPE", rv);
	if (kt == CKK_EC)
		m.mechanism = CKM_ECDSA_SHA256;
	if ((rv = f->C_SignInit(s, &m, k)) != CKR_OK)
		return die("C_SignInit", rv);
	if ((rv = f->C_Sign(s, (CK_BYTE_PTR)msg, strlen(msg), sig, &slen)) != CKR_OK)
		return die("C_Sign", rv);
	out = fopen(sig_path, "w");
	if (!out)
		return 1;
	fprintf(out, "%lu ", (unsigned long)m.mechanism);
	for (CK_ULONG i = 0; i < slen; i++)
		fprintf(out, "%02x", sig[i]);
	fputc('\n', out);
	return fclose(out) == 0 ? 0 : 1;
}

static int child(const struct start *st)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS"));
	CK_FUNCTION_LIST_PTR f;
	CK_C_GetFunctionList get;
	void *dl;
	FILE *out;
	CK_RV rv;

	for (int i = 0; i <= 0x1000; i++)
		types[i] = (CK_ATTRIBUTE_TYPE)i;
	types[0x1001] = CKA_WRAP_TEMPLATE;
	types[0x1002] = CKA_UNWRAP_TEMPLATE;
	types[0x1003] = CKA_ALLOWED_MECHANISMS;
	setenv("XDG_CACHE_HOME", st->cache, 1);
	if (st->env_cache)
		setenv("EIMZA_CACHE", st->env_cache, 1);
	else
		unsetenv("EIMZA_CACHE");
	setenv("EIMZA_CONF", st->conf ? st->conf : "/dev/null", 1);
	dl = dlopen(getenv("EIMZA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	if (!dl || !(get = (CK_C_GetFunctionList)dlsym(dl, "C_GetFunctionList")) ||
	    get(&f) != CKR_OK)
		return die("dlopen", CKR_GENERAL_ERROR);
	if ((rv = f->C_Initialize(NULL)) != CKR_OK)
		return die("C_Initialize", rv);
	out = fopen(st->dump, "w");
	if (!out)
		return 1;
	for (int c = 0; c < cards; c++) {
		CK_SLOT_ID slot = slot_of(f, c);
		CK_TOKEN_INFO ti;
		CK_SESSION_HANDLE s;
		CK_OBJECT_HANDLE objs[64];
		CK_ULONG n = 0;
		if ((rv = f->C_GetTokenInfo(slot, &ti)) != CKR_OK)
			return die("C_GetTokenInfo", rv);
		fprintf(out, "card %d token %.32s %.32s %.16s %.16s flags %lx\n", c, ti.label,
			ti.manufacturerID, ti.model, ti.serialNumber, (unsigned long)ti.flags);
		if ((rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s)) != CKR_OK)
			return die("C_OpenSession", rv);
		if (f->C_FindObjectsInit(s, NULL, 0) != CKR_OK ||
		    f->C_FindObjects(s, objs, 64, &n) != CKR_OK || f->C_FindObjectsFinal(s) != CKR_OK)
			return die("C_FindObjects", CKR_GENERAL_ERROR);
		for (CK_ULONG i = 0; i < n; i++)
			if (dump_object(f, s, objs[i], out))
				return 1;
		/* What the card has received so far: the start. */
		fprintf(out, "card %d trace %d\n", c, trace_file_count(card_env(c, "TRACE"), "> "));
		/* The private objects too, after a login. */
		if ((rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6)) != CKR_OK)
			return die("C_Login", rv);
		n = 0;
		if (f->C_FindObjectsInit(s, NULL, 0) != CKR_OK ||
		    f->C_FindObjects(s, objs, 64, &n) != CKR_OK || f->C_FindObjectsFinal(s) != CKR_OK)
			return die("C_FindObjects after login", CKR_GENERAL_ERROR);
		fprintf(out, "card %d logged in\n", c);
		for (CK_ULONG i = 0; i < n; i++)
			if (dump_object(f, s, objs[i], out))
				return 1;
		if (c == st->sign_card && sign_with(f, s, st->sig))
			return 1;
	}
	if (fclose(out) != 0)
		return 1;
	return f->C_Finalize(NULL) == CKR_OK ? 0 : die("C_Finalize", CKR_GENERAL_ERROR);
}

static pid_t start_async(const struct start *st)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child(st));
	return pid;
}

static void wait_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a start failed (status %d)",
		      status);
}

/* ---- reading what a start saw ------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The dump without the trace lines (they differ from start to start). */
static char *objects_of(const char *dump)
{
	char *all = slurp(dump), *out = malloc(strlen(all) + 1), *end = out, *line, *save = NULL;

	ck_assert_ptr_nonnull(out);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strstr(line, " trace ")) {
			size_t n = strlen(line);
			memcpy(end, line, n);
			end[n] = '\n';
			end += n + 1;
		}
	*end = '\0';
	free(all);
	return out;
}

/* Two dumps are the same; else the first line that differs (Check's
 * messages are short: the dumps themselves are not printed). */
static void same_dumps(const char *a, const char *b, const char *what)
{
	size_t i = 0, line = 1, start = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	if (a[i] == b[i])
		return;
	ck_abort_msg("%s: line %zu differs: '%.120s' / '%.120s'", what, line, a + start, b + start);
}

/* Card c's trace lines at the end of its start, from the dump. */
static int traced(const char *dump, int c)
{
	char *all = slurp(dump), want[32], *p;
	int n = -1;

	snprintf(want, sizeof(want), "card %d trace ", c);
	p = strstr(all, want);
	if (p)
		n = atoi(p + strlen(want));
	free(all);
	ck_assert_int_ge(n, 0);
	return n;
}

/* The READ BINARYs a full read of card c takes for its certificates, from
 * their lengths in the dump. */
static int cert_reads(const char *dump, int c)
{
	char *all = slurp(dump), want[32], *p, *end;
	int reads = 0;

	snprintf(want, sizeof(want), "card %d token", c);
	p = strstr(all, want);
	ck_assert_ptr_nonnull(p);
	snprintf(want, sizeof(want), "card %d trace", c);
	end = strstr(p, want);
	ck_assert_ptr_nonnull(end);
	/* CKA_VALUE of certificate objects: the only CKA_VALUE visible
	 * before login (public keys carry none). */
	while ((p = strstr(p, "value-length ")) && p < end) {
		long len = atol(p + strlen("value-length "));
		reads += (int)((len + READ_CHUNK - 1) / READ_CHUNK);
		p++;
	}
	free(all);
	return reads;
}

static int table_row(int c)
{
	const char *profile = card_env(c, "PROFILE");
	int gen = card_generation(c);

	for (size_t i = 0; i < sizeof(cold_table) / sizeof(cold_table[0]); i++)
		if (strcmp(cold_table[i].profile, profile) == 0 && cold_table[i].generation == gen)
			return (int)i;
	ck_abort_msg("no APDU counts for %s on generation %d", profile, gen);
	return -1;
}

static int cold_apdus(const char *dump, int c)
{
	return cold_table[table_row(c)].other + cert_reads(dump, c);
}

/* serial, application, SELECT + READ BINARY of each certificate's head,
 * the PIN and PUK counters */
static int warm_apdus(int c)
{
	return 2 + 2 * cold_table[table_row(c)].certs + 2;
}

static void marks(int *m)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS"));

	for (int c = 0; c < cards; c++)
		m[c] = trace_count(c, "> ");
}

static void folder(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", getenv("EIMZA_TB_DIR"), name);
	mkdir(out, 0700);
}

/* Entries in a cache folder; -1 when there is no folder. */
static int entries_in(const char *cache)
{
	char cmd[600];
	struct stat sb;
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "%s/eimza", cache);
	if (stat(cmd, &sb) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "ls '%s/eimza' 2>/dev/null | grep -c '\\.der$'", cache);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void run(const struct start *st)
{
	wait_ok(start_async(st));
}

/* ---- tests ------------------------------------------------------------------------- */

/* Cold, warm, off: exact APDUs per card and the same objects. */
START_TEST(cold_warm_off)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS")), m[16];
	char cache[512], d_cold[600], d_warm[600], d_off[600], d_conf[600], conf[600], dir[700];
	struct start st = {.cache = cache, .sign_card = -1};
	char *cold, *warm, *off;
	struct stat sb;
	FILE *f;

	folder(cache, sizeof(cache), "cache-cold-warm");
	snprintf(d_cold, sizeof(d_cold), "%s.cold", cache);
	snprintf(d_warm, sizeof(d_warm), "%s.warm", cache);
	snprintf(d_off, sizeof(d_off), "%s.off", cache);
	snprintf(d_conf, sizeof(d_conf), "%s.conf-off", cache);

	marks(m);
	st.dump = d_cold;
	run(&st);
	for (int c = 0; c < cards; c++)
		ck_assert_msg(traced(d_cold, c) - m[c] == cold_apdus(d_cold, c),
			      "card %d (%s, generation %d): cold start %d APDUs, want %d", c,
			      card_env(c, "PROFILE"), card_generation(c), traced(d_cold, c) - m[c],
			      cold_apdus(d_cold, c));
	ck_assert_int_eq(entries_in(cache), cards);
	snprintf(dir, sizeof(dir), "%s/eimza", cache);
	ck_assert_int_eq(stat(dir, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0700);

	marks(m);
	st.dump = d_warm;
	run(&st);
	for (int c = 0; c < cards; c++)
		ck_assert_msg(traced(d_warm, c) - m[c] == warm_apdus(c),
			      "card %d (%s, generation %d): warm start %d APDUs, want %d", c,
			      card_env(c, "PROFILE"), card_generation(c), traced(d_warm, c) - m[c],
			      warm_apdus(c));

	/* Off by the environment: a full read with the entries there. */
	marks(m);
	st.dump = d_off;
	st.env_cache = "0";
	run(&st);
	for (int c = 0; c < cards; c++)
		ck_assert_int_eq(traced(d_off, c) - m[c], cold_apdus(d_cold, c));

	/* Off by the configuration file; EIMZA_CACHE=1 overrides it. */
	snprintf(conf, sizeof(conf), "%s.conf", cache);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# test-p11-cache\ncache = no\n", f);
	fclose(f);
	st.conf = conf;
	st.env_cache = NULL;
	st.dump = d_conf;
	marks(m);
	run(&st);
	for (int c = 0; c < cards; c++)
		ck_assert_int_eq(traced(d_conf, c) - m[c], cold_apdus(d_cold, c));
	st.env_cache = "1";
	marks(m);
	run(&st);
	for (int c = 0; c < cards; c++)
		ck_assert_int_eq(traced(d_conf, c) - m[c], warm_apdus(c));

	cold = objects_of(d_cold);
	warm = objects_of(d_warm);
	off = objects_of(d_off);
	ck_assert(strstr(cold, "object ") != NULL);
	ck_assert(strstr(cold, "logged in") != NULL);
	same_dumps(cold, warm, "cold and warm starts");
	same_dumps(cold, off, "cold start and the cache off");
	free(cold);
	free(warm);
	free(off);
}
END_TEST

/* Nothing is written with the cache off, and a folder others can write is
 * neither read nor written: every start reads the cards in full. */
START_TEST(off_and_refused_folder_write_nothing)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS")), m[16];
	char cache[512], dump[600], dir[600], conf[600];
	struct start st = {.cache = cache, .sign_card = -1, .dump = dump};
	FILE *f;

	folder(cache, sizeof(cache), "cache-off");
	snprintf(dump, sizeof(dump), "%s.dump", cache);
	st.env_cache = "0";
	run(&st);
	ck_assert_int_eq(entries_in(cache), -1);
	snprintf(conf, sizeof(conf), "%s.conf", cache);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs("cache = no\n", f);
	fclose(f);
	st.env_cache = NULL;
	st.conf = conf;
	run(&st);
	ck_assert_int_eq(entries_in(cache), -1);

	/* A cache folder others can write. */
	st.conf = NULL;
	snprintf(dir, sizeof(dir), "%s/eimza", cache);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	for (int round = 0; round < 2; round++) {
		marks(m);
		run(&st);
		for (int c = 0; c < cards; c++)
			ck_assert_int_eq(traced(dump, c) - m[c], cold_apdus(dump, c));
		ck_assert_int_eq(entries_in(cache), 0);
	}
}
END_TEST

/* Two processes start at once on an empty cache: both read every card (one
 * after the other, each in its PC/SC transactions), both succeed, and the
 * entries they leave give the next start its exact warm count. */
START_TEST(two_starts_at_once)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS")), m[16];
	char cache[512], d1[600], d2[600], d3[600];
	struct start a = {.cache = cache, .sign_card = -1, .dump = d1};
	struct start b = a, c3 = a;
	char *x, *y, *z;
	pid_t p1, p2;

	folder(cache, sizeof(cache), "cache-two");
	snprintf(d1, sizeof(d1), "%s.1", cache);
	snprintf(d2, sizeof(d2), "%s.2", cache);
	snprintf(d3, sizeof(d3), "%s.3", cache);
	b.dump = d2;
	c3.dump = d3;
	p1 = start_async(&a);
	p2 = start_async(&b);
	wait_ok(p1);
	wait_ok(p2);
	ck_assert_int_eq(entries_in(cache), cards);
	marks(m);
	run(&c3);
	for (int c = 0; c < cards; c++)
		ck_assert_int_eq(traced(d3, c) - m[c], warm_apdus(c));
	x = objects_of(d1);
	y = objects_of(d2);
	z = objects_of(d3);
	same_dumps(x, y, "two starts at once");
	same_dumps(x, z, "a start at once and the next");
	free(x);
	free(y);
	free(z);
}
END_TEST

/* The signature in `sig_file` verifies with the certificate of a card
 * image (IMAGE.certs.pem, written by eimza-vcard init). */
static bool verifies_with(const char *sig_file, const char *image)
{
	char path[600], *text = slurp(sig_file), *hex;
	unsigned char sig[512], *der = NULL;
	unsigned long mech = strtoul(text, &hex, 10);
	size_t n = 0;
	int len;
	bool ok;
	X509 *x;
	FILE *f;

	for (hex++; hex[0] && hex[1] && hex[0] != '\n' && n < sizeof(sig); hex += 2) {
		unsigned v;
		ck_assert_int_eq(sscanf(hex, "%2x", &v), 1);
		sig[n++] = (unsigned char)v;
	}
	snprintf(path, sizeof(path), "%s.certs.pem", image);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	len = i2d_X509(x, &der);
	ck_assert_int_gt(len, 0);
	ok = sig_verifies(der, (size_t)len, mech, msg, strlen(msg), sig, n);
	OPENSSL_free(der);
	X509_free(x);
	free(text);
	return ok;
}

/* Does the dump show the certificate of a card image (IMAGE.certs.pem)? */
static bool shows_cert_of(const char *dump, const char *image)
{
	char path[600], *text = slurp(dump), *hex;
	unsigned char *der = NULL;
	int len;
	bool found;
	X509 *x;
	FILE *f;

	snprintf(path, sizeof(path), "%s.certs.pem", image);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	len = i2d_X509(x, &der);
	ck_assert_int_gt(len, 0);
	hex = malloc(2 * (size_t)len + 1);
	ck_assert_ptr_nonnull(hex);
	for (int i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", der[i]);
	found = strstr(text, hex) != NULL;
	free(hex);
	OPENSSL_free(der);
	X509_free(x);
	free(text);
	return found;
}

static void init_image(const char *img, int c, const char *serial)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd),
		 "'%s' init '%s' --profile '%s' --generation '%s' --serial %s --force >/dev/null 2>&1",
		 getenv("EIMZA_VCARD"), img, card_env(c, "PROFILE"), card_env(c, "GENERATION"),
		 serial);
	ck_assert_int_eq(system(cmd), 0);
}

/* Kamu SM renews a certificate onto the same card: a new key, a new
 * certificate, the same serial. The next start must not show the old
 * certificate nor sign with a key that does not match it: the check sees
 * the new certificate's serial number, the card is read in full (exactly
 * the check's first three APDUs and a cold read), and the signature
 * verifies with the new certificate only. The start after that is warm. */
START_TEST(repersonalized_card)
{
	int c = seal_card(), m[16];
	char cache[512], a[600], b[600], dump[600], sig[600];
	struct start st = {.cache = cache, .sign_card = c, .dump = dump, .sig = sig};

	folder(cache, sizeof(cache), "cache-renewal");
	snprintf(a, sizeof(a), "%s/renewal-a.img", getenv("EIMZA_TB_DIR"));
	snprintf(b, sizeof(b), "%s/renewal-b.img", getenv("EIMZA_TB_DIR"));
	snprintf(dump, sizeof(dump), "%s.dump", cache);
	snprintf(sig, sizeof(sig), "%s.sig", cache);
	init_image(a, c, "0A1B2C3D4E5F6071");
	init_image(b, c, "0A1B2C3D4E5F6071");

	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, a), 0);
	marks(m);
	run(&st);
	ck_assert_int_eq(traced(dump, c) - m[c], cold_apdus(dump, c));
	ck_assert(shows_cert_of(dump, a));
	ck_assert(verifies_with(sig, a));

	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, b), 0);
	marks(m);
	run(&st);
	ck_assert_msg(shows_cert_of(dump, b) && !shows_cert_of(dump, a),
		      "the renewed card shows its old certificate");
	ck_assert(verifies_with(sig, b));
	ck_assert(!verifies_with(sig, a));
	ck_assert_int_eq(traced(dump, c) - m[c], 3 + cold_apdus(dump, c));

	marks(m);
	run(&st);
	ck_assert_int_eq(traced(dump, c) - m[c], warm_apdus(c));
	ck_assert(shows_cert_of(dump, b));
	ck_assert(verifies_with(sig, b));

	ck_assert_int_eq(tb_ctl("card-swap %d %s", c, card_env(c, "IMAGE")), 0);
}
END_TEST

Suite *cache_suite(void);
Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *t = tcase_create("cache");

	tcase_set_timeout(t, 300);
	tcase_add_test(t, cold_warm_off);
	tcase_add_test(t, off_and_refused_folder_write_nothing);
	tcase_add_test(t, two_starts_at_once);
	if (seal_card() >= 0)
		tcase_add_test(t, repersonalized_card);
	suite_add_tcase(s, t);
	return s;
}
