/*
 * latency.c: the optional latency model of `eimza-vcard run`. The "real"
 * preset approximates a contact smart card at a typical reader speed: about
 * 10 ms per APDU, 300 ms per RSA-2048 signature, 150 ms per ECDSA.
 */
#include "config.h"

#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int vc_latency_parse(const char *spec, struct vc_latency *out)
{
	char buf[128], *tok, *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!spec || strcmp(spec, "none") == 0)
		return 0;
	if (strcmp(spec, "real") == 0) {
		out->rtt_ms = 10;
		out->byte_us = 20;
		out->rsa_ms = 300;
		out->ec_ms = 150;
		return 0;
	}
	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long v;
		if (!eq)
			return -1;
		*eq = '\0';
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (errno || *end || end == eq + 1 || v > 600000)
			return -1;
		if (strcmp(tok, "rtt") == 0)
			out->rtt_ms = (unsigned)v;
		else if (strcmp(tok, "byte") == 0)
			out->byte_us = (unsigned)v;
		else if (strcmp(tok, "rsa") == 0)
			out->rsa_ms = (unsigned)v;
		else if (strcmp(tok, "ec") == 0)
			out->ec_ms = (unsigned)v;
		else
			return -1;
	}
	return 0;
}

void vc_latency_apply(const struct vc_latency *l, size_t bytes, enum vcard_op_kind op)
{
	unsigned long long us = (unsigned long long)l->rtt_ms * 1000 +
				(unsigned long long)l->byte_us * bytes;
	struct timespec ts;

	if (op == VCARD_OP_SIGN_RSA)
		us += (unsigned long long)l->rsa_ms * 1000;
	else if (op == VCARD_OP_SIGN_EC)
		us += (unsigned long long)l->ec_ms * 1000;
	if (!us)
		return;
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
