/*
 * perso-card.c: the steps both generations share (see perso-card.h): a
 * blank card, the PUK and PIN objects, the serial; then the generation's
 * own half.
 */
#include "config.h"

#include "perso-card.h"

#include <stdio.h>
#include <string.h>

#include "perso-i18n.h"

unsigned perso_apdu(vcard *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsplen)
{
	uint8_t buf[VCARD_MAX_RESPONSE];
	size_t n = vcard_transmit(c, cmd, len, buf, sizeof(buf));

	if (rsplen)
		*rsplen = 0;
	if (n < 2 || n > sizeof(buf))
		return 0;
	if (rsp && rsplen) {
		memcpy(rsp, buf, n - 2);
		*rsplen = n - 2;
	}
	return (unsigned)buf[n - 2] << 8 | buf[n - 1];
}

int perso_card_build(const struct perso_card_input *in, vcard **out, char *err, size_t errlen)
{
	const struct perso_gen *g = in->gen;
	struct vcard_pin_spec puk = {
	    .ref = PERSO_PUK_REF,
	    .value = (const uint8_t *)in->puk,
	    .len = in->puk_len,
	    .max_tries = g->puk_tries,
	    .min_len = g->puk_min,
	    .max_len = g->puk_max,
	    .unblock_ref = 0,
	    .name = "PUK",
	};
	struct vcard_pin_spec pin = {
	    .ref = PERSO_PIN_REF,
	    .value = (const uint8_t *)in->pin,
	    .len = in->pin_len,
	    .max_tries = g->pin_tries,
	    .min_len = g->pin_min,
	    .max_len = g->pin_max,
	    .unblock_ref = PERSO_PUK_REF,
	    .name = "PIN",
	};
	vcard *c;
	int rc;

	*out = NULL;
	c = vcard_new(g->gen, in->atr, in->atr_len);
	if (!c) {
		snprintf(err, errlen, _("cannot create a blank card"));
		return -1;
	}
	vcard_power_on(c);
	/* The PUK first: the PIN names it as the object that unblocks it. */
	if (vcard_add_pin(c, &puk) < 0 || vcard_add_pin(c, &pin) < 0) {
		snprintf(err, errlen, _("the card refused the PIN or PUK object"));
		vcard_free(c);
		return -1;
	}
	if (vcard_set_serial(c, in->serial) < 0) {
		snprintf(err, errlen, _("the card refused the serial number"));
		vcard_free(c);
		return -1;
	}
	rc = g->gen == VCARD_GEN_1_2 ? perso_card_fill12(c, in, err, errlen)
	                             : perso_card_fill2(c, in, err, errlen);
	if (rc == 0 && vcard_life_cycle(c) != VCARD_LIFE_OPERATIONAL) {
		snprintf(err, errlen, _("the card did not leave personalization"));
		rc = -1;
	}
	if (rc < 0) {
		vcard_free(c);
		return -1;
	}
	vcard_power_off(c);
	*out = c;
	return 0;
}
