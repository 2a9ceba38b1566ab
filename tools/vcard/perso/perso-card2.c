/*
 * perso-card2.c: personalize an AKIS 2.x card (see perso-card.h): key
 * objects under each profile key's id (BF 90/91 id and BF A0/A1 id, with
 * the label as header tag 84 and the non-repudiation flag 9E for keys that
 * need a VERIFY per signature), the certificates in EFs 2F10, 2F11, ... in
 * profile order, the second serial, and public-key protection if asked.
 */
#include "config.h"

#include "perso-card.h"

#include <stdio.h>

#include <openssl/x509.h>

#include "perso-i18n.h"

/* Certificates: transparent EFs from 2F10 under the PKCS-15 DF (fact 10). */
#define CERT_FID_FIRST 0x2F10

int perso_card_fill2(vcard *c, const struct perso_card_input *in, char *err, size_t errlen)
{
	const struct perso_pki *pki = in->pki;
	size_t i;

	for (i = 0; i < pki->n; i++) {
		const struct perso_entity *e = &pki->ent[i];
		struct vcard_key_spec k = {
		    .ref = (uint8_t)e->spec->sdo_id,
		    .key = e->key,
		    .pin_ref = PERSO_PIN_REF,
		    .per_signature_pin = e->spec->user_consent,
		    .label = e->spec->label,
		};
		unsigned char *der = NULL;
		int n, rc;

		if (vcard_add_key(c, &k) < 0) {
			snprintf(err, errlen, _("the card refused key %zu (%s)"), i + 1,
			         e->spec->label);
			return -1;
		}
		n = i2d_X509(e->cert, &der);
		if (n <= 0) {
			snprintf(err, errlen, _("cannot encode certificate %zu"), i + 1);
			return -1;
		}
		rc = vcard_put_file(c, (uint16_t)(CERT_FID_FIRST + i), der, (size_t)n);
		OPENSSL_free(der);
		if (rc < 0) {
			snprintf(err, errlen, _("the card refused certificate %zu"), i + 1);
			return -1;
		}
	}
	if (vcard_set_second_serial(c, in->serial2) < 0 ||
	    vcard_set_public_keys_protected(c, in->protect_public_keys) < 0 ||
	    vcard_end_personalization(c) < 0) {
		snprintf(err, errlen, _("the card refused the end of personalization"));
		return -1;
	}
	return 0;
}
