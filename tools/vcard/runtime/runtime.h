/*
 * runtime.h: `eimza-vcard run`, the engine as a vpcd client.
 *
 * vpcd (Debian's vsmartcard-vpcd, a pcscd reader driver) listens on a TCP
 * port per reader; a virtual card is a TCP client of it. Every message is
 * a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is
 * a control (00 power off, 01 power on, 02 reset, 04 send the ATR); longer
 * payloads are command APDUs, answered with the response APDU. Closing the
 * socket is a card removal; connecting again an insertion.
 */
#ifndef EIMZA_VCARD_RUNTIME_H
#define EIMZA_VCARD_RUNTIME_H

#include <stddef.h>

#include <eimza/vcard.h>

/* Latency model, so benchmarks can imitate a real card. */
struct vc_latency {
	unsigned rtt_ms;  /* per APDU round trip */
	unsigned byte_us; /* per byte either way */
	unsigned rsa_ms;  /* per RSA signature */
	unsigned ec_ms;   /* per ECDSA signature */
};
/* "none", "real" or "rtt=MS,byte=US,rsa=MS,ec=MS" (any subset). */
int vc_latency_parse(const char *spec, struct vc_latency *out);
void vc_latency_apply(const struct vc_latency *l, size_t bytes, enum vcard_op_kind op);

/* Control socket: a Unix stream socket taking one text command per line:
 * insert, remove, status, quit. Answers "ok ..." or "error ...". */

int vcard_run_main(int argc, char **argv);
int vcard_info_main(int argc, char **argv);

#endif
