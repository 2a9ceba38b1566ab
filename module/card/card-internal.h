/*
 * card-internal.h: what the files of module/card/ share: the card object,
 * the table each dialect fills, and the ISO helpers the dialects build on.
 * Not used outside module/card/.
 */
#ifndef EIMZA_MODULE_CARD_INTERNAL_H
#define EIMZA_MODULE_CARD_INTERNAL_H

#include "card.h"

#include "../apdu/apdu.h"
#include "../pkcs15/pkcs15.h"
#include "akis-atr.h"

/* The PIN commands a reader's keypad can complete (card-pad.c). */
enum ez_pad_op { EZ_PAD_OP_VERIFY, EZ_PAD_OP_CHANGE, EZ_PAD_OP_UNBLOCK };

/* One generation's command dialect: its facts and its operations. A second
 * dialect (or one day a second card) fills another table; nothing above
 * module/card/ sees these. */
struct ez_dialect {
	const char *name;          /* "1.2", "2.x" */
	size_t chain_block;        /* data bytes per chained command */
	bool le_on_every_block;    /* Le 00 on the chained blocks too */
	size_t read_chunk;         /* READ BINARY bytes per command */
	bool unblock_needs_puk;
	/* The PIN reply that means "blocked" besides 63 C0 (both are honoured
	 * on every generation; this one is what the dialect's cards send). */
	uint16_t sw_blocked;

	ez_err (*read_serial)(ez_card *c);
	ez_err (*load)(ez_card *c, struct ez_p15_app *app);
	ez_err (*pin_state)(ez_card *c, const struct ez_pin_format *f, enum ez_pin_state *st,
			    int *tries);
	ez_err (*verify)(ez_card *c, const struct ez_pin_format *f, const uint8_t *pin,
			 size_t len, int *tries_left);
	ez_err (*change)(ez_card *c, const struct ez_pin_format *f, const uint8_t *old_pin,
			 size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left);
	ez_err (*unblock)(ez_card *c, const struct ez_pin_format *puk, const uint8_t *puk_value,
			  size_t puk_len, const struct ez_pin_format *pin, const uint8_t *new_pin,
			  size_t new_len, int *tries_left);
	ez_err (*logout)(ez_card *c);
	void (*sign_caps)(const ez_card *c, struct ez_sign_caps *caps);
	ez_err (*sign)(ez_card *c, uint8_t key_ref, enum ez_sig_scheme scheme, enum ez_hash hash,
		       const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);
	/* ez_card_revalidate's dialect part: select the application the way
	 * `app` says it was found and compare the head of every certificate
	 * (ez_card_compare_head). Inside a transaction. */
	ez_err (*unchanged)(ez_card *c, const struct ez_p15_app *app);
	/* ez_card_pad_*'s dialect part (card-pad.c): whatever selection the
	 * dialect makes before that PIN command, then the command described
	 * for the reader and sent with ez_pad_send. `a` is the PIN or PUK the
	 * command verifies or changes (verify, change) or the PUK (unblock),
	 * `b` the PIN an unblock sets. Inside a transaction. */
	ez_err (*pad)(ez_card *c, enum ez_pad_op op, const struct ez_pin_format *a,
		      const struct ez_pin_format *b, int *tries_left);
};

extern const struct ez_dialect ez_dialect_v12;
extern const struct ez_dialect ez_dialect_v2;

/* Where the application is, once a 1.x load found it: selected by path
 * (FIDs from the MF) or by its DF name. */
struct ez_card_app {
	uint8_t path[16];
	size_t path_len;
	uint8_t aid[16];
	size_t aid_len;
};

struct ez_card {
	ez_conn *conn;
	const struct ez_dialect *d;
	struct akis_atr_info atr;
	struct ez_card_info info;
	struct ez_card_stats stats;
	struct ez_card_app app;
	/* The DF the card was last seen to select, valid only inside the
	 * card's own outermost transaction (another program may select
	 * something else between two). */
	uint8_t cur_df[16];
	size_t cur_df_len;
	bool cur_df_known;
	unsigned txn_depth;
};

/* Transactions of the card layer: ez_conn_begin/end, and the selected-DF
 * memory forgotten at the outermost begin. */
ez_err ez_card_begin(ez_card *c);
void ez_card_end(ez_card *c);

/* Le of a command: none, 00 (up to 256 bytes), or the byte itself (1..255). */
#define EZ_LE_NONE (-1)
#define EZ_LE_ANY 0

/* One APDU through the APDU layer with the dialect's chaining. `out` may
 * be NULL (no answer data wanted). Returns a transport error only; the
 * status word is in *sw. */
ez_err ez_card_send(ez_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		    const uint8_t *data, size_t lc, int le, uint8_t *out, size_t *out_len,
		    uint16_t *sw);
/* Send, and turn any status word but 90 00 into an error. */
ez_err ez_card_cmd(ez_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		   const uint8_t *data, size_t lc, int le, uint8_t *out, size_t *out_len);

/* Read `want` bytes of the selected transparent EF from `offset`, in the
 * dialect's chunks; stops early at the end of the file (62 82, 6B 00, a
 * short answer). *got is what came. */
ez_err ez_card_read_selected(ez_card *c, size_t offset, uint8_t *buf, size_t want, size_t *got);
/* Read the selected EF whole: its size from the FCI when known (fci_size
 * > 0), else up to `max`; with `der_object` the read stops at the end of
 * the first DER object (a certificate in a larger file). *out malloc'ed. */
ez_err ez_card_read_ef(ez_card *c, size_t fci_size, size_t max, bool der_object, uint8_t **out,
		       size_t *out_len);
/* The first bytes that name a certificate: its DER up to the end of the
 * TBSCertificate's serialNumber (outer and TBS lengths, version, serial).
 * 0 when `der` is not shaped like an X.509 certificate. */
size_t ez_cert_head_len(const uint8_t *der, size_t len);
/* Does the selected EF hold, from `offset`, the head of the certificate
 * `der`? One READ BINARY of exactly the head. EZ_OK the same bytes;
 * EZ_ERR_CARD_CHANGED other or fewer bytes; else the exchange's error. */
ez_err ez_card_compare_head(ez_card *c, size_t offset, const uint8_t *der, size_t der_len);
/* The counters of every PIN in `app` through the dialect's command that
 * costs no try (tries_left; -1 when the card does not tell). */
ez_err ez_card_read_counters(ez_card *c, struct ez_p15_app *app);
/* Errors that say the card, the reader or the service is gone (or memory
 * ran out), as opposed to an answer of the card. */
bool ez_card_gone(ez_err e);

/* The size of an EF from its FCI/FCP (tag 80 or 81 inside 62/6F), 0 when
 * absent. */
size_t ez_fci_file_size(const uint8_t *fci, size_t len);

/* PIN commands. Checks a PIN against its format and encodes it; wipes
 * nothing itself (the caller's buffer is wiped by the caller). */
ez_err ez_pin_encode(const struct ez_pin_format *f, const uint8_t *pin, size_t len,
		     uint8_t *out, size_t *out_len);
/* The outcome of a PIN command's status word. */
ez_err ez_pin_result(const ez_card *c, ez_err e, uint16_t sw, int *tries_left);
/* Every VERIFY, CHANGE and unblock with PINs in its data ends here: when
 * `e` (the encoding's and the selection's outcome) is EZ_OK the command is
 * sent once, then the `cap` bytes of `data` are wiped whatever happened,
 * and the status word is read with ez_pin_result. One path, so no dialect
 * forgets the wipe or reads the answer its own way. */
ez_err ez_pin_send(ez_card *c, ez_err e, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		   uint8_t *data, size_t len, size_t cap, int *tries_left);

/* PIN-pad commands (card-pad.c). A template: the header, Lc of the
 * data bytes, and the data (the bytes around the PIN blocks). */
void ez_pad_template(struct ez_pad_cmd *cmd, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		     const uint8_t *data, size_t len);
/* A PIN block for PIN format f, the way the dialects encode a PIN: ASCII
 * digits; padded with f's pad character to its stored length when f
 * needs padding (a fixed block: the template must hold the filler),
 * else as long as the digits. */
void ez_pad_block(struct ez_pad_cmd *cmd, const struct ez_pin_format *f);
/* Send it through the reader and read the outcome (the card's status word
 * as ez_pin_result does, or the reader's own). */
ez_err ez_pad_send(ez_card *c, const struct ez_pad_cmd *cmd, int *tries_left);

/* MSE for the signing key, then PSO COMPUTE DIGITAL SIGNATURE (ISO 7816-8,
 * 9E 9A, chained by the dialect's block size). MSE names a key of the
 * current DF and costs no try: when it answers "not found" (6A 88, 6A 82)
 * because another program left another DF selected, the application is
 * selected with `select_app` and MSE sent once more. */
ez_err ez_card_mse_sign(ez_card *c, ez_err (*select_app)(ez_card *), uint8_t mse_p1,
			uint8_t mse_p2, const uint8_t *mse, size_t mse_len, const uint8_t *in,
			size_t in_len, uint8_t *out, size_t *out_len);

/* GET CHALLENGE (ISO, the same on every generation). */
ez_err ez_card_get_challenge(ez_card *c, uint8_t *out, size_t len);

#endif
