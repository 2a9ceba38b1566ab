/*
 * test-p11-sign.c: every mechanism on every key type signs through the
 * card, and the signature verifies with OpenSSL against the certificate
 * (not the module's own verify) and with C_Verify; multi-part equals
 * single-part; CKA_ALWAYS_AUTHENTICATE keys need a context login each time.
 */
#include "config.h"

#include "p11-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static const char msg[] = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.";

struct key {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE priv, pub;
	EVP_PKEY *cert_key;
	bool always;
};

static void get_key(int card, int index, struct key *k)
{
	CK_OBJECT_HANDLE keys[8], cert;
	CK_ULONG idlen, len;
	unsigned char *id, *der;
	const unsigned char *p;
	X509 *x;

	k->s = open_session(card, false);
	login_user(k->s);
	ck_assert_int_gt(find(k->s, CKO_PRIVATE_KEY, NULL, 0, keys, 8), (CK_ULONG)index);
	k->priv = keys[index];
	id = attr(k->s, k->priv, CKA_ID, &idlen);
	ck_assert_int_eq(find(k->s, CKO_CERTIFICATE, id, idlen, &cert, 1), 1);
	ck_assert_int_eq(find(k->s, CKO_PUBLIC_KEY, id, idlen, &k->pub, 1), 1);
	der = attr(k->s, cert, CKA_VALUE, &len);
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(x);
	k->cert_key = X509_get_pubkey(x);
	X509_free(x);
	free(der);
	free(id);
	k->always = attr_bool(k->s, k->priv, CKA_ALWAYS_AUTHENTICATE);
}

static CK_RV sign(struct key *k, CK_MECHANISM *m, const void *data, size_t len,
		  unsigned char *sig, CK_ULONG *siglen)
{
	CK_RV rv = p11->C_SignInit(k->s, m, k->priv);

	if (rv != CKR_OK)
		return rv;
	if (k->always)
		ck_assert_rv(p11->C_Login(k->s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	return p11->C_Sign(k->s, (CK_BYTE_PTR)data, len, sig, siglen);
}

/* OpenSSL's verdict on a signature of `msg` (or of its hash for the raw
 * mechanisms, which the test hashes itself). */
static int openssl_verify(EVP_PKEY *pk, const char *md, int pad, const unsigned char *sig,
			  size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char der[256];
	size_t derlen = siglen;
	int ok;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		/* PKCS#11 gives r || s; OpenSSL wants DER. */
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *q = der;
		ECDSA_SIG_set0(es, BN_bin2bn(sig, (int)siglen / 2, NULL),
			       BN_bin2bn(sig + siglen / 2, (int)siglen / 2, NULL));
		derlen = (size_t)i2d_ECDSA_SIG(es, &q);
		ECDSA_SIG_free(es);
		sig = der;
	}
	EVP_DigestVerifyInit(ctx, &pctx, EVP_get_digestbyname(md), NULL, pk);
	if (pad == RSA_PKCS1_PSS_PADDING) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	ok = EVP_DigestVerify(ctx, sig, derlen, (const unsigned char *)msg, strlen(msg));
	EVP_MD_CTX_free(ctx);
	return ok;
}

static const struct {
	CK_MECHANISM_TYPE mech;
	const char *md;
	int pad;
	bool pre_hash; /* the mechanism takes a hash (or DigestInfo) the test computes */
} rsa_cases[] = {
	{CKM_SHA1_RSA_PKCS, "SHA1", RSA_PKCS1_PADDING, false},
	{CKM_SHA224_RSA_PKCS, "SHA224", RSA_PKCS1_PADDING, false},
	{CKM_SHA256_RSA_PKCS, "SHA256", RSA_PKCS1_PADDING, false},
	{CKM_SHA384_RSA_PKCS, "SHA384", RSA_PKCS1_PADDING, false},
	{CKM_SHA512_RSA_PKCS, "SHA512", RSA_PKCS1_PADDING, false},
	{CKM_RSA_PKCS, "SHA256", RSA_PKCS1_PADDING, true},
	{CKM_SHA256_RSA_PKCS_PSS, "SHA256", RSA_PKCS1_PSS_PADDING, false},
	{CKM_SHA384_RSA_PKCS_PSS, "SHA384", RSA_PKCS1_PSS_PADDING, false},
	{CKM_SHA512_RSA_PKCS_PSS, "SHA512", RSA_PKCS1_PSS_PADDING, false},
	{CKM_RSA_PKCS_PSS, "SHA256", RSA_PKCS1_PSS_PADDING, true},
	{CKM_ECDSA_SHA1, "SHA1", 0, false},
	{CKM_ECDSA_SHA224, "SHA224", 0, false},
	{CKM_ECDSA_SHA256, "SHA256", 0, false},
	{CKM_ECDSA_SHA384, "SHA384", 0, false},
	{CKM_ECDSA_SHA512, "SHA512", 0, false},
	{CKM_ECDSA, "SHA384", 0, true},
};

static CK_MECHANISM_TYPE md_mech(const char *md)
{
	return strcmp(md, "SHA256") == 0 ? CKM_SHA256 : strcmp(md, "SHA384") == 0 ? CKM_SHA384 : CKM_SHA512;
}

static CK_RSA_PKCS_MGF_TYPE md_mgf(const char *md)
{
	return strcmp(md, "SHA256") == 0 ? CKG_MGF1_SHA256 : strcmp(md, "SHA384") == 0 ? CKG_MGF1_SHA384 : CKG_MGF1_SHA512;
}

/* Is mechanism t one the card in slot computes (by the public evidence):
 * every mechanism of its key types, but ECDSA with SHA-224 on AKIS 2.x
 * (AkisCIF has no algorithm byte for it). */
static bool card_computes(int card, CK_MECHANISM_TYPE t)
{
	return !(card_generation(card) == 2 && t == CKM_ECDSA_SHA224);
}

/* Sign msg with every mechanism of the key's type on card `card`'s key `index`. */
static void all_mechanisms(int card, int index)
{
	struct key k;
	size_t i;
	bool is_ec;

	p11_init();
	get_key(card, index, &k);
	is_ec = EVP_PKEY_get_base_id(k.cert_key) == EVP_PKEY_EC;
	for (i = 0; i < sizeof(rsa_cases) / sizeof(rsa_cases[0]); i++) {
		CK_MECHANISM_TYPE t = rsa_cases[i].mech;
		bool mech_ec = t == CKM_ECDSA || (t >= CKM_ECDSA_SHA1 && t <= CKM_ECDSA_SHA512);
		CK_RSA_PKCS_PSS_PARAMS pss = {md_mech(rsa_cases[i].md), md_mgf(rsa_cases[i].md), 0};
		CK_MECHANISM m = {t, NULL, 0};
		CK_MECHANISM_INFO mi;
		unsigned char in[128], sig[512];
		unsigned int hl;
		size_t inlen = 0;
		CK_ULONG siglen = sizeof(sig);
		if (mech_ec != is_ec)
			continue;
		if (!card_computes(card, t)) {
			/* Not listed, and refused before the card is asked. */
			ck_assert_rv(p11->C_GetMechanismInfo(card_slot(card), t, &mi),
				     CKR_MECHANISM_INVALID);
			ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_MECHANISM_INVALID);
			continue;
		}
		ck_assert_rv(p11->C_GetMechanismInfo(card_slot(card), t, &mi), CKR_OK);
		if (rsa_cases[i].pad == RSA_PKCS1_PSS_PADDING) {
			pss.sLen = (CK_ULONG)EVP_MD_get_size(EVP_get_digestbyname(rsa_cases[i].md));
			m.pParameter = &pss;
			m.ulParameterLen = sizeof(pss);
			/* A card that computes PSS itself (2.x) uses salt = hash
			 * length: another salt cannot be honoured and is refused
			 * (1.2 signs PSS made on the host, with any salt). */
			if (card_generation(card) == 2) {
				pss.sLen = 0;
				ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv),
					     CKR_MECHANISM_PARAM_INVALID);
				pss.sLen = (CK_ULONG)EVP_MD_get_size(
				    EVP_get_digestbyname(rsa_cases[i].md));
			}
		}
		if (rsa_cases[i].pre_hash) {
			EVP_Digest(msg, strlen(msg), in, &hl, EVP_get_digestbyname(rsa_cases[i].md), NULL);
			inlen = hl;
			if (t == CKM_RSA_PKCS) { /* the caller builds the DigestInfo */
				static const unsigned char pre[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
				memmove(in + sizeof(pre), in, hl);
				memcpy(in, pre, sizeof(pre));
				inlen = sizeof(pre) + hl;
			}
			ck_assert_rv(sign(&k, &m, in, inlen, sig, &siglen), CKR_OK);
		} else {
			ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
		}
		ck_assert_msg(openssl_verify(k.cert_key, rsa_cases[i].md, rsa_cases[i].pad, sig, siglen) == 1,
			      "mechanism 0x%lx: OpenSSL rejects the signature", t);
		/* And the module's own C_Verify with the public key. */
		ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
		if (rsa_cases[i].pre_hash)
			ck_assert_rv(p11->C_Verify(k.s, in, inlen, sig, siglen), CKR_OK);
		else
			ck_assert_rv(p11->C_Verify(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, siglen), CKR_OK);
		/* The good signature over other data: refused. */
		ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
		if (rsa_cases[i].pre_hash) {
			/* The first byte: ECDSA on a curve shorter than the hash
			 * uses only the hash's leading bytes. */
			in[0] ^= 1;
			ck_assert_rv(p11->C_Verify(k.s, in, inlen, sig, siglen), CKR_SIGNATURE_INVALID);
			in[0] ^= 1;
		} else {
			ck_assert_rv(p11->C_Verify(k.s, (CK_BYTE_PTR)msg, strlen(msg) - 1, sig, siglen),
				     CKR_SIGNATURE_INVALID);
		}
		/* Another signature over the same data: refused. */
		sig[3] ^= 1;
		ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
		if (rsa_cases[i].pre_hash)
			ck_assert_rv(p11->C_Verify(k.s, in, inlen, sig, siglen), CKR_SIGNATURE_INVALID);
		else
			ck_assert_rv(p11->C_Verify(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, siglen), CKR_SIGNATURE_INVALID);
	}
	EVP_PKEY_free(k.cert_key);
}

/* The keys of the test bed's cards (multi has three, every other profile
 * one): a loop index per key, so that every iteration signs. */
static struct {
	int card, key;
} card_keys[32];
static int n_card_keys;

static void list_card_keys(void)
{
	int cards = atoi(getenv("EIMZA_TB_CARDS")), c, k;
	char env[40];

	n_card_keys = 0;
	for (c = 0; c < cards; c++) {
		const char *profile;
		snprintf(env, sizeof(env), "EIMZA_TB_CARD%d_PROFILE", c);
		profile = getenv(env);
		for (k = 0; profile && k < (strcmp(profile, "multi") == 0 ? 3 : 1); k++)
			if (n_card_keys < (int)(sizeof(card_keys) / sizeof(card_keys[0])))
				card_keys[n_card_keys++].card = c, card_keys[n_card_keys - 1].key = k;
	}
}

START_TEST(mechanisms_of_card_key)
{
	all_mechanisms(card_keys[_i].card, card_keys[_i].key);
}
END_TEST

#define VERIFY_PIN "> 00 20 00 81 06" /* a VERIFY of the user PIN, with data */

/* Sign once without any context login; the card's VERIFYs meanwhile. */
static CK_RV sign_plain(struct key *k, CK_MECHANISM *m, unsigned char *sig, CK_ULONG *siglen)
{
	*siglen = 512;
	ck_assert_rv(p11->C_SignInit(k->s, m, k->priv), CKR_OK);
	return p11->C_Sign(k->s, (CK_BYTE_PTR)msg, strlen(msg), sig, siglen);
}

/* PSOs (chained or not) and MSEs in card c's trace. */
static int pso_count(int c)
{
	return trace_count(c, "> 00 2A 9E 9A") + trace_count(c, "> 10 2A 9E 9A");
}

static int mse_count(int c)
{
	return trace_count(c, "> 00 22");
}

START_TEST(always_authenticate)
{
	int c = card_of("nes-rsa"), verifies, psos, mses, i;
	struct key k;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	unsigned char sig[512], rnd[8];
	CK_ULONG siglen = sizeof(sig);
	CK_TOKEN_INFO ti;
	char out[1024];

	p11_init();
	get_key(c, 0, &k); /* logged in: one VERIFY, then nothing to the card */
	ck_assert(k.always);
	verifies = trace_count(c, VERIFY_PIN);
	/* The login's PIN is the consent for the next signature: the card had
	 * nothing after that VERIFY. No second VERIFY is sent. */
	ck_assert_rv(sign_plain(&k, &m, sig, &siglen), CKR_OK);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies);
	/* Only one: the next needs its own, and the refused one ends, refused
	 * by the module: the card sees no MSE and no PSO for it. */
	psos = pso_count(c);
	mses = mse_count(c);
	ck_assert_rv(sign_plain(&k, &m, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, 10, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(pso_count(c), psos);
	ck_assert_int_eq(mse_count(c), mses);
	/* A context login outside an operation. */
	ck_assert_rv(p11->C_Login(k.s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6),
		     CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies);
	/* With it: one signature per context login, one VERIFY and one PSO
	 * each, each signature good. */
	for (i = 1; i <= 3; i++) {
		siglen = sizeof(sig);
		ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
		ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
		ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + i);
		ck_assert_int_eq(pso_count(c), psos + i);
	}
	ck_assert_rv(sign_plain(&k, &m, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(pso_count(c), psos + 3);
	/* A wrong context PIN counts down like any wrong PIN, and signs
	 * nothing; the right one after it signs. */
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_Login(k.s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) "999999", 6),
		     CKR_PIN_INCORRECT);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies + 4);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert(ti.flags & CKF_USER_PIN_COUNT_LOW);
	ck_assert(!(ti.flags & CKF_USER_PIN_FINAL_TRY));
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen),
		     CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq(pso_count(c), psos + 3);
	siglen = sizeof(sig);
	ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
	ck_assert_rv(p11->C_GetTokenInfo(card_slot(c), &ti), CKR_OK);
	ck_assert(!(ti.flags & CKF_USER_PIN_COUNT_LOW));

	/* Between the context login's VERIFY and the PSO the card belongs to
	 * this signature: another program waits (and is killed waiting), and
	 * gets the card once the signature is made. */
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_Login(k.s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	ck_assert_int_eq(other_client(c, 2, "00CA010600", out, sizeof(out)), 124);
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
	ck_assert_int_eq(other_client(c, 10, "00CA010600", out, sizeof(out)), 0);

	/* An empty context PIN (what NSS sends when it has none) stands for
	 * the login's consent, once; then it is refused before the card. */
	ck_assert_rv(p11->C_Logout(k.s), CKR_OK);
	login_user(k.s);
	verifies = trace_count(c, VERIFY_PIN);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_Login(k.s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) "", 0), CKR_OK);
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_Login(k.s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) "", 0),
		     CKR_PIN_LEN_RANGE);
	ck_assert_int_eq(trace_count(c, VERIFY_PIN), verifies);

	/* Anything sent to the card after the login's VERIFY (here GET
	 * CHALLENGE) spends the consent. */
	ck_assert_rv(p11->C_Logout(k.s), CKR_OK);
	login_user(k.s);
	ck_assert_rv(p11->C_GenerateRandom(k.s, rnd, sizeof(rnd)), CKR_OK);
	ck_assert_rv(sign_plain(&k, &m, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
	EVP_PKEY_free(k.cert_key);
	ck_assert_rv(p11->C_Finalize(NULL), CKR_OK);

	/* login_consent = no: every always-authenticate signature needs its
	 * context login, the first one too. */
	setenv("EIMZA_LOGIN_CONSENT", "0", 1);
	p11_init();
	get_key(c, 0, &k);
	ck_assert_rv(sign_plain(&k, &m, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
	unsetenv("EIMZA_LOGIN_CONSENT");
	EVP_PKEY_free(k.cert_key);
}
END_TEST

/* The other PC/SC program's MSE and PSO: the module's own last ones,
 * replayed. The card's answer to the PSO. */
static const char *replayed_pso(int c, char *out, size_t cap)
{
	char mse[600], pso[600], both[1300];

	trace_last_command(c, "00 22", mse, sizeof(mse));
	trace_last_command(c, "00 2A 9E 9A", pso, sizeof(pso));
	snprintf(both, sizeof(both), "%s %s", mse, pso);
	ck_assert_int_eq(other_client(c, 10, both, out, cap), 0);
	return last_sw(out);
}

/*
 * The card's own PIN status ends with the login: C_Logout, and the last
 * session's C_CloseSession, send the generation's logout (1.x: LOGOUT
 * 80 1A; 2.x has none and leaves the application DF, as the vendor's
 * library does). Another PC/SC program can sign while the user is logged
 * in (the card has one PIN status for everybody), and cannot after.
 */
START_TEST(logout_ends_the_card_login)
{
	int c = seal_card();
	struct key k;
	CK_MECHANISM m = {card_of("seal") >= 0 ? CKM_ECDSA_SHA384 : CKM_SHA256_RSA_PKCS, NULL, 0};
	unsigned char sig[512];
	CK_ULONG siglen = sizeof(sig);
	CK_SESSION_HANDLE s2;
	char out[2048];

	p11_init();
	get_key(c, 0, &k);
	ck_assert(!k.always);
	ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_str_eq(replayed_pso(c, out, sizeof(out)), "9000");
	ck_assert_rv(p11->C_Logout(k.s), CKR_OK);
	ck_assert_str_ne(replayed_pso(c, out, sizeof(out)), "9000");

	/* The last session closing ends the login too. */
	login_user(k.s);
	s2 = open_session(c, false);
	ck_assert_str_eq(replayed_pso(c, out, sizeof(out)), "9000");
	ck_assert_rv(p11->C_CloseSession(s2), CKR_OK); /* not the last */
	ck_assert_str_eq(replayed_pso(c, out, sizeof(out)), "9000");
	ck_assert_rv(p11->C_CloseSession(k.s), CKR_OK);
	ck_assert_str_ne(replayed_pso(c, out, sizeof(out)), "9000");
	/* And C_CloseAllSessions. */
	k.s = open_session(c, false);
	login_user(k.s);
	ck_assert_str_eq(replayed_pso(c, out, sizeof(out)), "9000");
	ck_assert_rv(p11->C_CloseAllSessions(card_slot(c)), CKR_OK);
	ck_assert_str_ne(replayed_pso(c, out, sizeof(out)), "9000");
	EVP_PKEY_free(k.cert_key);
}
END_TEST

/* PSS parameters: a hash other than the mechanism's is refused
 * everywhere. AKIS 2.x computes PSS itself with salt = hash length and
 * MGF1 with the hash: other salts and MGFs are refused, not silently
 * changed. AKIS 1.2 signs PSS the host encodes: every salt and MGF is
 * honoured, as OpenSSL checks with exactly those parameters. */
static void pss_parameters_of(int c)
{
	static const struct {
		CK_ULONG slen;
		CK_RSA_PKCS_MGF_TYPE mgf;
		const char *mgf_md;
	} cases[] = {
		{0, CKG_MGF1_SHA256, "SHA256"},  {20, CKG_MGF1_SHA256, "SHA256"},
		{64, CKG_MGF1_SHA256, "SHA256"}, {32, CKG_MGF1_SHA1, "SHA1"},
		{48, CKG_MGF1_SHA512, "SHA512"}, {32, CKG_MGF1_SHA256, "SHA256"},
	};
	struct key k;
	CK_RSA_PKCS_PSS_PARAMS pp = {CKM_SHA384, CKG_MGF1_SHA384, 48};
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS_PSS, &pp, sizeof(pp)};
	unsigned char sig[512];
	size_t i;

	get_key(c, 0, &k);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_MECHANISM_PARAM_INVALID);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CK_ULONG siglen = sizeof(sig);
		bool hash_salt = cases[i].slen == 32 && cases[i].mgf == CKG_MGF1_SHA256;
		EVP_MD_CTX *ctx;
		EVP_PKEY_CTX *pctx = NULL;
		pp = (CK_RSA_PKCS_PSS_PARAMS){CKM_SHA256, cases[i].mgf, cases[i].slen};
		if (card_generation(c) == 2 && !hash_salt) {
			ck_assert_msg(p11->C_SignInit(k.s, &m, k.priv) == CKR_MECHANISM_PARAM_INVALID,
				      "AKIS 2.x took salt %lu, MGF1 %s", cases[i].slen, cases[i].mgf_md);
			continue;
		}
		ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
		/* OpenSSL with the explicit salt length and MGF. */
		ctx = EVP_MD_CTX_new();
		ck_assert(EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, k.cert_key) == 1);
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, (int)cases[i].slen);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_get_digestbyname(cases[i].mgf_md));
		ck_assert_msg(EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)msg,
					       strlen(msg)) == 1,
			      "salt %lu, MGF1 %s: OpenSSL rejects the signature", cases[i].slen,
			      cases[i].mgf_md);
		EVP_MD_CTX_free(ctx);
		/* And the module's C_Verify with the same parameters. */
		ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
		ck_assert_rv(p11->C_Verify(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, siglen), CKR_OK);
	}
	EVP_PKEY_free(k.cert_key);
}

START_TEST(pss_parameters)
{
	p11_init();
	pss_parameters_of(card_of("nes-rsa"));
	pss_parameters_of(card_of("seal-rsa"));
}
END_TEST

START_TEST(multipart_and_sizes)
{
	struct key k;
	CK_MECHANISM m = {CKM_ECDSA_SHA384, NULL, 0};
	unsigned char sig[512];
	CK_ULONG siglen = 0;
	size_t half = strlen(msg) / 2;

	p11_init();
	get_key(card_of("seal"), 0, &k);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OPERATION_ACTIVE);
	/* Size query and a short buffer keep the operation; it is single-part
	 * now: C_SignUpdate and C_SignFinal are refused and change nothing. */
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), NULL, &siglen), CKR_OK);
	ck_assert_int_eq(siglen, 96);
	siglen = 10;
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq(siglen, 96);
	ck_assert_rv(p11->C_SignUpdate(k.s, (CK_BYTE_PTR)msg, half), CKR_OPERATION_ACTIVE);
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_SignFinal(k.s, sig, &siglen), CKR_OPERATION_ACTIVE);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA384", 0, sig, siglen), 1);
	/* Multi-part: C_Sign after C_SignUpdate is refused, C_SignFinal ends it. */
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_SignUpdate(k.s, (CK_BYTE_PTR)msg, half), CKR_OK);
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_Sign(k.s, (CK_BYTE_PTR)msg, strlen(msg), sig, &siglen), CKR_OPERATION_ACTIVE);
	ck_assert_rv(p11->C_SignUpdate(k.s, (CK_BYTE_PTR)msg + half, strlen(msg) - half), CKR_OK);
	siglen = sizeof(sig);
	ck_assert_rv(p11->C_SignFinal(k.s, sig, &siglen), CKR_OK);
	ck_assert_int_eq(siglen, 96);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA384", 0, sig, siglen), 1);
	/* Multi-part verify too. */
	ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
	ck_assert_rv(p11->C_VerifyUpdate(k.s, (CK_BYTE_PTR)msg, half), CKR_OK);
	ck_assert_rv(p11->C_VerifyUpdate(k.s, (CK_BYTE_PTR)msg + half, strlen(msg) - half), CKR_OK);
	ck_assert_rv(p11->C_VerifyFinal(k.s, sig, siglen), CKR_OK);
	/* Wrong key type for the mechanism, bad PSS parameters. */
	m.mechanism = CKM_SHA256_RSA_PKCS;
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_KEY_TYPE_INCONSISTENT);
	EVP_PKEY_free(k.cert_key);
}
END_TEST

START_TEST(digest)
{
	CK_SESSION_HANDLE s;
	CK_MECHANISM m = {CKM_SHA256, NULL, 0};
	unsigned char out[64], want[32];
	CK_ULONG len = sizeof(out);
	unsigned int wl;

	p11_init();
	s = open_session(seal_card(), false);
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_OK);
	ck_assert_rv(p11->C_Digest(s, (CK_BYTE_PTR)msg, strlen(msg), out, &len), CKR_OK);
	EVP_Digest(msg, strlen(msg), want, &wl, EVP_sha256(), NULL);
	ck_assert_int_eq(len, 32);
	ck_assert_mem_eq(out, want, 32);

	/* Google's pkcs11test rules. C_Digest after C_DigestUpdate: refused,
	 * the multi-part operation goes on and ends right. */
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_OK);
	ck_assert_rv(p11->C_DigestUpdate(s, (CK_BYTE_PTR)msg, 10), CKR_OK);
	len = sizeof(out);
	ck_assert_rv(p11->C_Digest(s, (CK_BYTE_PTR)msg, strlen(msg), out, &len), CKR_OPERATION_ACTIVE);
	ck_assert_rv(p11->C_DigestUpdate(s, (CK_BYTE_PTR)msg + 10, strlen(msg) - 10), CKR_OK);
	len = sizeof(out);
	ck_assert_rv(p11->C_DigestFinal(s, out, &len), CKR_OK);
	ck_assert_mem_eq(out, want, 32);
	/* C_DigestFinal after a C_Digest size query: refused (it used to drop
	 * the data and answer the hash of nothing), and C_Digest still works. */
	ck_assert_rv(p11->C_DigestInit(s, &m), CKR_OK);
	len = 0;
	ck_assert_rv(p11->C_Digest(s, (CK_BYTE_PTR)msg, strlen(msg), NULL, &len), CKR_OK);
	ck_assert_int_eq(len, 32);
	ck_assert_rv(p11->C_DigestFinal(s, out, &len), CKR_OPERATION_ACTIVE);
	len = sizeof(out);
	ck_assert_rv(p11->C_Digest(s, (CK_BYTE_PTR)msg, strlen(msg), out, &len), CKR_OK);
	ck_assert_mem_eq(out, want, 32);
	/* NULL arguments before anything else is looked at. */
	ck_assert_rv(p11->C_DigestInit(s, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_SeedRandom(s, NULL, 4), CKR_ARGUMENTS_BAD);
	ck_assert_rv(p11->C_SignInit(s, NULL, 1), CKR_ARGUMENTS_BAD);
	{
		CK_MECHANISM aes = {CKM_AES_CBC, NULL, 0};
		ck_assert_rv(p11->C_DigestInit(s, &aes), CKR_MECHANISM_INVALID);
	}
}
END_TEST

/* A huge part after earlier data, for a mechanism that does not hash: the
 * length check must not wrap around (it once did, and the copy overran a
 * 5-byte buffer). */
START_TEST(raw_update_cannot_overflow)
{
	struct key k;
	CK_MECHANISM m = {CKM_RSA_PKCS, NULL, 0};
	unsigned char sig[512];
	CK_ULONG siglen = sizeof(sig);

	p11_init();
	get_key(card_of("seal-rsa"), 0, &k);
	ck_assert_rv(p11->C_VerifyInit(k.s, &m, k.pub), CKR_OK);
	ck_assert_rv(p11->C_VerifyUpdate(k.s, (CK_BYTE_PTR)msg, 5), CKR_OK);
	ck_assert_rv(p11->C_VerifyUpdate(k.s, (CK_BYTE_PTR)msg, (CK_ULONG)-3), CKR_DATA_LEN_RANGE);
	/* The failed update ended the operation. */
	ck_assert_rv(p11->C_VerifyFinal(k.s, sig, 256), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_rv(p11->C_SignInit(k.s, &m, k.priv), CKR_OK);
	ck_assert_rv(p11->C_SignUpdate(k.s, (CK_BYTE_PTR)msg, 5), CKR_OK);
	ck_assert_rv(p11->C_SignUpdate(k.s, (CK_BYTE_PTR)msg, (CK_ULONG)-3), CKR_DATA_LEN_RANGE);
	ck_assert_rv(p11->C_SignFinal(k.s, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
	EVP_PKEY_free(k.cert_key);
}
END_TEST

/*
 * The exact commands of a login, a signature with one PIN per signature, a
 * PIN change and an unblock, from the card's own trace, per generation
 * (docs/akis-profile.md): nothing more, nothing in another form.
 */
START_TEST(apdu_sequences)
{
	static const char *const want2 =
		/* C_Login: the application, VERIFY */
		"00 A4 04 00 07 50 4B 43\n00 20 00 81 06 ** ** **\n"
		/* C_Login(CONTEXT_SPECIFIC) + C_Sign: again, then MSE 41 B6 and PSO */
		"00 A4 04 00 07 50 4B 43\n00 20 00 81 06 ** ** **\n"
		"00 22 41 B6 06 80 01 82\n00 2A 9E 9A 33 30 31 30\n"
		/* C_SetPIN: old || new, no length bytes */
		"00 A4 04 00 07 50 4B 43\n00 24 00 81 0C ** ** **\n"
		/* C_Logout: the MF, then the application */
		"00 A4 00 00 00\n00 A4 04 00 07 50 4B 43\n"
		/* C_Login(SO) + C_InitPIN: VERIFY of the PUK, RESET RETRY COUNTER 02 */
		"00 A4 04 00 07 50 4B 43\n00 20 00 82 08 ** ** **\n00 2C 02 81 06 ** ** **\n"
		"00 A4 00 00 00\n00 A4 04 00 07 50 4B 43\n";
	static const char *const want1 =
		"00 A4 04 00 0C A0 00 00\n00 20 00 81 06 ** ** **\n"
		"00 A4 04 00 0C A0 00 00\n00 20 00 81 06 ** ** **\n"
		"00 22 C3 01\n00 2A 9E 9A 33 30 31 30\n"
		"00 A4 04 00 0C A0 00 00\n00 24 00 81 0E ** ** **\n"
		"80 1A 00 00\n"
		"00 A4 04 00 0C A0 00 00\n00 20 00 82 08 ** ** **\n"
		"00 A4 04 00 0C A0 00 00\n00 2C 00 81 10 ** ** **\n"
		"80 1A 00 00\n";
	int c = card_of("nes-rsa"), mark;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
	char got[4096];
	struct key k;
	unsigned char sig[512];
	CK_ULONG siglen = sizeof(sig);
	CK_SESSION_HANDLE rw;

	p11_init();
	rw = open_session(c, true);
	mark = trace_mark(c);
	get_key(c, 0, &k); /* C_Login(USER) */
	ck_assert(k.always);
	ck_assert_rv(sign(&k, &m, msg, strlen(msg), sig, &siglen), CKR_OK);
	ck_assert_rv(p11->C_SetPIN(rw, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	ck_assert_rv(p11->C_Logout(rw), CKR_OK);
	ck_assert_rv(p11->C_CloseSession(k.s), CKR_OK); /* no read-only session beside SO */
	ck_assert_rv(p11->C_Login(rw, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8), CKR_OK);
	ck_assert_rv(p11->C_InitPIN(rw, (CK_UTF8CHAR_PTR)PIN, 6), CKR_OK);
	ck_assert_rv(p11->C_Logout(rw), CKR_OK);
	trace_commands(c, mark, 8, got, sizeof(got));
	ck_assert_str_eq(got, card_generation(c) == 2 ? want2 : want1);
	ck_assert_int_eq(openssl_verify(k.cert_key, "SHA256", RSA_PKCS1_PADDING, sig, siglen), 1);
	EVP_PKEY_free(k.cert_key);
}
END_TEST

Suite *sign_suite(void);
Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *t = tcase_create("sign");

	tcase_set_timeout(t, 120);
	list_card_keys();
	tcase_add_loop_test(t, mechanisms_of_card_key, 0, n_card_keys);
	if (card_of("nes-rsa") >= 0) {
		tcase_add_test(t, always_authenticate);
		tcase_add_test(t, apdu_sequences);
	}
	if (card_of("nes-rsa") >= 0 && card_of("seal-rsa") >= 0)
		tcase_add_test(t, pss_parameters);
	if (seal_card() >= 0)
		tcase_add_test(t, logout_ends_the_card_login);
	if (card_of("seal") >= 0)
		tcase_add_test(t, multipart_and_sizes);
	if (seal_card() >= 0)
		tcase_add_test(t, digest);
	if (card_of("seal-rsa") >= 0)
		tcase_add_test(t, raw_update_cannot_overflow);
	suite_add_tcase(s, t);
	return s;
}
