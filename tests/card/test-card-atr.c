/*
 * test-card-atr.c: ATR recognition over every exact ATR the public
 * evidence lists (ESYA's table, pcsc-tools, integrators' field cards), the
 * family masks with versions nobody listed, and ATRs that are not AKIS.
 */
#include "config.h"

#include "card-test.h"

#include <string.h>

#include "module/card/card.h"

struct vector {
	const char *atr;
	ez_err want;        /* EZ_OK, EZ_ERR_NOT_AKIS, EZ_ERR_UNSUPPORTED */
	const char *family;
	const char *model;
	const char *dialect;
};

/* Every exact ATR of the evidence, with the family, model and dialect the
 * module must give it. Models: the version and chip as the vendor names
 * them (ESYA's table: 12 12 v1.2 Infineon, 12 13 v1.2 NXP, 12 93 v1.2.2
 * NXP, 13 12 v1.3 Infineon; AkisCIF's TC reading: 21 08 = 2.2.8, 22 82 =
 * 2.5.2; chips 12 Infineon, 13 NXP, 24 UKİS/HHNEC; 1.x chip nibbles 2
 * Infineon, 3 NXP, 1/4/5 UKİS, UKİS/HHNEC, UKİS/SMIC). */
static const struct vector vectors[] = {
	{"3BBA11008131FE4D55454B41452056312E30AE", EZ_ERR_UNSUPPORTED, "AKIS v1.0", "AKIS v1.0", ""},
	{"3B9F968131FE45806755454B41451112318073B3A180E9", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.1 (Infineon)", "1.2"},
	{"3B9F968131FE45806755454B41451212318073B3A180EA", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2 (Infineon)", "1.2"},
	{"3B9F968131FE45806755454B41451213318073B3A180EB", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2 (NXP)", "1.2"},
	{"3B9F968131FE45806755454B41451252318073B3A180AA", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.1 (Infineon)", "1.2"},
	{"3B9F968131FE45806755454B41451253318073B3A180AB", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.1 (NXP)", "1.2"},
	{"3B9F158131FE45806755454B41451221318073B3A1805A", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2 (UKİS)", "1.2"},
	{"3B9F968131FE45806755454B41451221318073B3A180D9", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2 (UKİS)", "1.2"},
	{"3B9F138131FE45806755454B41451221318073B3A1805C", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2 (UKİS)", "1.2"},
	{"3B9F138131FE45806755454B41451261318073B3A1801C", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.1 (UKİS)", "1.2"},
	{"3B9F158131FE45806755454B41451261318073B3A1801A", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.1 (UKİS)", "1.2"},
	{"3B9F968131FE45806755454B41451261318073B3A18099", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.1 (UKİS)", "1.2"},
	{"3B9F968131FE458065544320201231C073F621808105B3", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.0.0 (Infineon)", "2.x"},
	{"3B9F968131FE45806755454B41451292318073B3A1806A", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.2 (Infineon)", "1.2"},
	{"3B9F968131FE45806755454B41451293318073B3A1806B", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.2 (NXP)", "1.2"},
	{"3B9F968131FE45806755454B41451312318073B3A180EB", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.3 (Infineon)", "1.2"},
	{"3B9F968131FE45806755454B414512A4318073B3A1805C", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.2 (UKİS/HHNEC)", "1.2"},
	{"3B9F968131FE45806755454B414512A5318073B3A1805D", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.2.2 (UKİS/SMIC)", "1.2"},
	{"3B9F978131FE458065544312210031C073F62180810593", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.0 (Infineon)", "2.x"},
	{"3B9F978131FE458065544312210731C073F62180810594", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.7 (Infineon)", "2.x"},
	{"3B9F978131FE458065544312210731C073F62180810595", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.7 (Infineon)", "2.x"},
	{"3B9F978131FE4580655443D2210831C073F6218081015F", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (Infineon)", "2.x"},
	{"3B9F978131FE458065544312210831C073F6218081019F", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (Infineon)", "2.x"},
	{"3B9F978131FE4580655443D2210831C073F6218081055B", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (Infineon)", "2.x"},
	{"3B9F978131FE4580655443E4210831C073F6218081056D", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (UKİS/HHNEC)", "2.x"},
	{"3B9F968131FE4580655443D3210831C073F6218081055B", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (NXP)", "2.x"},
	{"3B9F968131FE4580655443D2210831C073F6218081055A", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (Infineon)", "2.x"},
	{"3B9F978131FE458065544312210831C073F6218081059B", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.8 (Infineon)", "2.x"},
	{"3B9F978131FE458065544353228231C073F62180810553", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.5.2 (NXP)", "2.x"},
	/* Field cards reported by integrators. */
	{"3B9F978131FE4580655443D3230231C073F62180810552", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.6.2 (NXP)", "2.x"},
	{"3B9F978131FE4580655443D3228231C073F621808105D3", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.5.2 (NXP)", "2.x"},
	/* Versions nobody listed, in known families: accepted, family's dialect. */
	{"3B9F978131FE4580655443D2318431C073F62180810500", EZ_OK, "AKIS 2.x (TC)", "AKIS 3.3.4 (Infineon)", "2.x"},
	{"3B9F978131FE4580655443D7211031C073F62180810500", EZ_OK, "AKIS 2.x (TC)", "AKIS 2.2.16", "2.x"},
	{"3B9F968131FE45806755454B41451497318073B3A18000", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.4.2", "1.2"},
	/* V3 (field and test), spoken as 2.x. */
	{"3B9E968131FE4580666832091122333195810500", EZ_OK, "AKIS V3", "AKIS V3", "2.x"},
	{"3B9E968131FE4580666832491122333195810500", EZ_OK, "AKIS V3", "AKIS V3", "2.x"},
	/* "UEKAE" as text only: a 1.x card of an unpublished layout. */
	{"3B8A800155454B414520312E32FF", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.x", "1.2"},
	/* Not AKIS: other e-signature and bank cards, near misses. */
	{"3BFF1800008131FE45006B04050100011101434E5310318079", EZ_ERR_NOT_AKIS, "", "", ""},
	{"3B7F96000080318065B0855956FB120FFE829000", EZ_ERR_NOT_AKIS, "", "", ""},
	{"3B9F978131FE458065544353228231C073F6218082055300", EZ_ERR_NOT_AKIS, "", "", ""},
	/* The 1.x pattern broken, but "UEKAE" in it: ESYA's text rule still holds. */
	{"3B9F968131FE45806755454B41451292318073B3A1816A", EZ_OK, "AKIS 1.x (UEKAE)", "AKIS 1.x", "1.2"},
	{"3B", EZ_ERR_NOT_AKIS, "", "", ""},
};

START_TEST(every_vector)
{
	const struct vector *v = &vectors[_i];
	uint8_t atr[40];
	size_t len = unhex(v->atr, atr, sizeof(atr));
	struct ez_card_info info;
	ez_err e = ez_card_identify(atr, len, &info);

	ck_assert_msg(e == v->want, "%s: %s, want %s", v->atr, ez_err_name(e), ez_err_name(v->want));
	ck_assert_msg(strcmp(info.family, v->family) == 0, "%s: family '%s', want '%s'", v->atr,
		      info.family, v->family);
	ck_assert_msg(strcmp(info.model, v->model) == 0, "%s: model '%s', want '%s'", v->atr,
		      info.model, v->model);
	ck_assert_msg(strcmp(info.dialect, v->dialect) == 0, "%s: dialect '%s', want '%s'", v->atr,
		      info.dialect, v->dialect);
}
END_TEST

START_TEST(versions_are_numbers)
{
	struct ez_card_info info;
	uint8_t atr[40];
	size_t len = unhex("3B9F978131FE458065544353228231C073F62180810553", atr, sizeof(atr));

	ck_assert_int_eq(ez_card_identify(atr, len, &info), EZ_OK);
	ck_assert(info.version_known);
	ck_assert_uint_eq(info.version[0], 2);
	ck_assert_uint_eq(info.version[1], 5);
	ck_assert_uint_eq(info.version[2], 2);
	ck_assert_int_eq(ez_card_identify(NULL, 0, &info), EZ_ERR_NOT_AKIS);
}
END_TEST

/* The opening of a card that is not AKIS sends nothing to it. */
START_TEST(foreign_card_gets_no_apdu)
{
	ez_conn *conn = ez_replay_open_hex("3B7F96000080318065B0855956FB120FFE829000");
	struct ez_card_info info;
	ez_card *c = NULL;

	ck_assert_int_eq(ez_card_open(conn, &c, &info), EZ_ERR_NOT_AKIS);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(ez_replay_exchanges(conn), 0);
	ez_replay_close(conn);
	conn = ez_replay_open_hex("3BBA11008131FE4D55454B41452056312E30AE");
	ck_assert_int_eq(ez_card_open(conn, &c, &info), EZ_ERR_UNSUPPORTED);
	ck_assert_str_eq(info.model, "AKIS v1.0");
	ck_assert_uint_eq(ez_replay_exchanges(conn), 0);
	ez_replay_close(conn);
}
END_TEST

void card_atr_tests(Suite *s)
{
	TCase *tc = tcase_create("atr");

	tcase_add_loop_test(tc, every_vector, 0, (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, versions_are_numbers);
	tcase_add_test(tc, foreign_card_gets_no_apdu);
	suite_add_tcase(s, tc);
}
