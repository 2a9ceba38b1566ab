/*
 * onay-check.c: `eimza-onay verify FILE`, the report of onay_verify().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "eimza/atomic-file.h"
#include "tools/common/tool-trust.h"
#include "tools/common/tool.h"
#include "tools/onay/onay-verify.h"
#include "tools/onay/onay.h"

/* Every certificate of a PEM file; NULL when it holds none. */
static STACK_OF(X509) *load_certs(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;
	while (b && sk && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x))
			X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	if (sk && sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return NULL;
	}
	return sk;
}

static const char *result_word(const struct onay_check_result *c)
{
	return !c->run ? "skipped" : c->ok ? "ok" : "fail";
}

static void report_json(const struct onay_opts *o, const struct onay_verify_result *r, int ret)
{
	struct ez_json j;
	char t[21];
	ez_json_init(&j, stdout);
	ez_json_obj_begin(&j, NULL);
	ez_json_str(&j, "file", o->file);
	ez_json_bool(&j, "valid", ret == EZ_EXIT_OK);
	ez_json_int(&j, "exit", ret);
	if (r->have_statement) {
		ez_json_obj_begin(&j, "statement");
		ez_json_str(&j, "kind", onay_kind_name(r->st.kind));
		ez_json_str(&j, "text", r->st.text);
		ez_json_str(&j, "code", r->st.code);
		onay_time_format(r->st.created, t);
		ez_json_str(&j, "created", t);
		ez_json_obj_end(&j);
	}
	if (r->have_signing_time) {
		onay_time_format(r->signing_time, t);
		ez_json_str(&j, "signing_time", t);
	}
	if (r->have_signer) {
		ez_json_obj_begin(&j, "signer");
		ez_json_str(&j, "holder", r->signer.subject_cn);
		ez_json_str(&j, "organization", r->signer.organization);
		ez_json_str(&j, "tckn", r->signer.tckn[0] ? r->signer.tckn : NULL);
		ez_json_str(&j, "issuer", r->signer.issuer_cn);
		ez_json_str(&j, "serial", r->signer.cert_serial);
		ez_json_str(&j, "key_type", r->signer.key_type);
		ez_json_int(&j, "key_bits", r->signer.key_bits);
		onay_time_format(r->signer.not_after, t);
		ez_json_str(&j, "not_after", t);
		ez_json_str(&j, "qc_type", r->qc_type[0] ? r->qc_type : NULL);
		ez_json_bool(&j, "qc_sscd", r->qc_sscd);
		ez_json_arr_begin(&j, "policies");
		for (int k = 0; k < r->signer.npolicies; k++) {
			ez_json_obj_begin(&j, NULL);
			ez_json_str(&j, "oid", r->signer.policy[k]);
			ez_json_str(&j, "name", ez_policy_name(r->signer.policy[k]));
			ez_json_obj_end(&j);
		}
		ez_json_arr_end(&j);
		ez_json_obj_end(&j);
	}
	ez_json_arr_begin(&j, "checks");
	for (int c = 0; c < ONAY_CHK_N; c++) {
		ez_json_obj_begin(&j, NULL);
		ez_json_str(&j, "check", onay_check_name((enum onay_check)c));
		ez_json_str(&j, "result", result_word(&r->chk[c]));
		ez_json_str(&j, "message", r->chk[c].msg);
		if (r->chk[c].run && !r->chk[c].ok)
			ez_json_int(&j, "exit", onay_check_exit((enum onay_check)c));
		ez_json_obj_end(&j);
	}
	ez_json_arr_end(&j);
	ez_json_obj_end(&j);
	fputc('\n', stdout);
}

static void report_text(const struct onay_opts *o, const struct onay_verify_result *r, int ret)
{
	char t[EZ_TIME_TEXT], file[4096];
	printf(_("Signature:    %s\n"),
	       ez_terminal_text(file, sizeof file, o->file, strlen(o->file)));
	if (r->have_signer) {
		char holder[512];
		ez_cert_holder(&r->signer, holder, sizeof holder);
		printf(_("Signer:       %s, issued by %s\n"), holder, r->signer.issuer_cn);
		char policies[512];
		ez_policies_text(&r->signer, policies, sizeof policies);
		if (policies[0])
			printf(_("Policy:       %s\n"), policies);
	}
	if (r->have_statement) {
		printf(_("Text:         %s\n"), r->st.text);
		printf(_("Code:         %s\n"), r->st.code);
		ez_format_local_time(r->st.created, t, sizeof t);
		printf(_("Created:      %s\n"), t);
	}
	if (r->have_signing_time) {
		ez_format_local_time(r->signing_time, t, sizeof t);
		printf(_("Signed:       %s\n"), t);
	}
	for (int c = 0; c < ONAY_CHK_N; c++) {
		const struct onay_check_result *k = &r->chk[c];
		printf("[%-4s] %s\n", !k->run ? "--" : k->ok ? "OK" : "FAIL", k->msg);
	}
	if (ret == EZ_EXIT_OK)
		printf("%s\n", _("The signature is valid."));
	else
		printf(_("The signature is NOT valid (exit status %d).\n"), ret);
}

int onay_cmd_verify(const struct onay_opts *o)
{
	unsigned char *raw = NULL, *der = NULL;
	size_t rlen = 0, dlen = 0;
	struct onay_verify_result *r = NULL;
	STACK_OF(X509) *extra = NULL;
	int ret;

	/* the roots: Kamu SM's that eimza ships (unless --no-default-ca) and
	 * --ca; the issuing CAs: the shipped ones and --untrusted */
	X509_STORE *roots = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	if (!roots || !untrusted) {
		ret = EZ_EXIT_FAILURE;
		goto out;
	}
	if (!o->no_default_ca && ez_kamusm_load(roots, untrusted) < 0) {
		fprintf(stderr, "%s: %s\n", ONAY_PROG,
		        _("the Kamu SM trust anchors built into eimza are damaged; reinstall eimza"));
		ret = EZ_EXIT_FAILURE;
		goto out;
	}
	if (o->ca) {
		extra = load_certs(o->ca);
		for (int i = 0; extra && i < sk_X509_num(extra); i++)
			X509_STORE_add_cert(roots, sk_X509_value(extra, i));
		ERR_clear_error(); /* a root given twice is not an error */
		if (!extra) {
			fprintf(stderr,
			        _("%s: no certificate could be read from %s (--ca wants PEM roots)\n"),
			        ONAY_PROG, ez_arg_shown(o->ca));
			ret = EZ_EXIT_USAGE;
			goto out;
		}
		sk_X509_pop_free(extra, X509_free);
		extra = NULL;
	}
	if (o->untrusted) {
		extra = load_certs(o->untrusted);
		if (!extra) {
			fprintf(stderr, _("%s: no certificate could be read from %s\n"), ONAY_PROG,
			        ez_arg_shown(o->untrusted));
			ret = EZ_EXIT_USAGE;
			goto out;
		}
		for (int i = 0; i < sk_X509_num(extra); i++)
			X509_add_cert(untrusted, sk_X509_value(extra, i), X509_ADD_FLAG_UP_REF);
	}
	if (ez_read_file(o->file, 1 << 20, &raw, &rlen) < 0) {
		fprintf(stderr, _("%s: cannot read %s: %m\n"), ONAY_PROG, ez_arg_shown(o->file));
		ret = EZ_EXIT_USAGE;
		goto out;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		ret = EZ_EXIT_FAILURE;
		goto out;
	}
	struct onay_verify_opts vo = {
	    .roots = roots,
	    .untrusted = untrusted,
	    .code = o->code,
	    .tckn = o->tckn,
	    .text = o->text,
	    .kind = -1,
	    .at = o->at_set ? o->at : time(NULL),
	    .window = o->window,
	    .local_times = !o->json, /* the messages go to a person, or into JSON */
	};
	if (o->expect)
		vo.kind = (int)o->kind;
	if (onay_input_to_der(raw, rlen, &der, &dlen) < 0) {
		/* not DER, PEM or base64: let the verifier name it */
		ret = onay_verify(raw, rlen, &vo, r);
	} else {
		ret = onay_verify(der, dlen, &vo, r);
	}
	if (o->json)
		report_json(o, r, ret);
	else
		report_text(o, r, ret);
out:
	free(r);
	free(raw);
	free(der);
	sk_X509_pop_free(extra, X509_free);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_free(roots);
	return ret;
}
