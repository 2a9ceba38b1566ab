/*
 * akis-v2.h: what the AKIS 2.x dialect's files share (akis-v2.c the
 * commands, akis-v2-sdo.c the security data objects, akis-v2-load.c how
 * certificates and keys are found). Not used outside module/card/.
 */
#ifndef EIMZA_MODULE_AKIS_V2_H
#define EIMZA_MODULE_AKIS_V2_H

#include "card-internal.h"

/* Object tags: BF tt id (AkisCIF's Tags). */
#define SDO_RSA_PRIVATE 0x90
#define SDO_EC_PRIVATE 0x91
#define SDO_RSA_PUBLIC 0xA0
#define SDO_EC_PUBLIC 0xA1
#define SDO_PIN 0x81

/* The application DF (selected by name, its FID is not published). */
ez_err v2_select_app(ez_card *c);

/* GET DATA (odd INS) 00 CB 3F FF Lc 4D <list> 00 for the object
 * BF tt id, asking `req` (a template request such as A0 80, or
 * 7F 49 02 81 80). On 90 00 *out holds the answer; *sw is the status word.
 * Returns a transport error only. */
ez_err v2_sdo_get(ez_card *c, uint8_t tt, uint8_t id, const uint8_t *req, size_t reqlen,
		  uint8_t *out, size_t *out_len, uint16_t *sw);

/* Find the value of `tag` inside the template `tmpl` of the object
 * BF tt id in an answer; false when absent or malformed. */
bool v2_sdo_find(const uint8_t *rsp, size_t len, uint8_t tt, uint8_t id, unsigned tmpl,
		 unsigned tag, const uint8_t **val, size_t *vlen);

/* A PIN object's header: tries left (9B) and the limit (9A), each -1 when
 * the card did not say. Transport errors only; *sw the status word. */
ez_err v2_pin_counters(ez_card *c, uint8_t ref, bool whole_header, int *left, int *max,
		       uint16_t *sw);
/* A PIN object's length limits (7F41: 80 max, 81 min); 0 when not said. */
ez_err v2_pin_lengths(ez_card *c, uint8_t ref, unsigned *min, unsigned *max, uint16_t *sw);

/* The load operation and its check (akis-v2-load.c). */
ez_err v2_load(ez_card *c, struct ez_p15_app *app);
ez_err v2_unchanged(ez_card *c, const struct ez_p15_app *app);

#endif
