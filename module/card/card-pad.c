/*
 * card-pad.c: PIN commands completed on the reader's keypad (card.h,
 * "PIN entry on the reader's keypad"). The dialect describes its command
 * for the reader (which APDU, where each PIN goes and how it is coded);
 * the transport turns that into PC/SC part 10's structures; the reader
 * asks the user, builds the APDU and sends it. The PIN never passes
 * through the module.
 */
#include "config.h"

#include "card-internal.h"

#include <string.h>

/* The reader's own answers (PC/SC part 10). */
#define SW_PAD_TIMEOUT 0x6400
#define SW_PAD_CANCEL 0x6401
#define SW_PAD_MISMATCH 0x6402
#define SW_PAD_LENGTH 0x6403
#define SW_PAD_BAD_PARAM 0x6B80

void ez_pad_template(struct ez_pad_cmd *cmd, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
		     const uint8_t *data, size_t len)
{
	cmd->apdu[0] = cla;
	cmd->apdu[1] = ins;
	cmd->apdu[2] = p1;
	cmd->apdu[3] = p2;
	cmd->apdu[4] = (uint8_t)len;
	if (len)
		memcpy(cmd->apdu + 5, data, len);
	cmd->apdu_len = 5 + len;
}

void ez_pad_block(struct ez_pad_cmd *cmd, const struct ez_pin_format *f)
{
	cmd->coding = EZ_PAD_ASCII;
	cmd->frame_offset = 0;
	cmd->length_bits = 0;
	cmd->block_size = f->needs_padding && f->stored_len <= EZ_PIN_MAX ? f->stored_len : 0;
	cmd->min_len = f->min_len ? f->min_len : 1;
	cmd->max_len = f->max_len && f->max_len <= EZ_PIN_MAX ? f->max_len : EZ_PIN_MAX;
	if (cmd->block_size && cmd->max_len > cmd->block_size)
		cmd->max_len = cmd->block_size;
}

ez_err ez_pad_send(ez_card *c, const struct ez_pad_cmd *cmd, int *tries_left)
{
	uint16_t sw = 0;
	ez_err e;

	c->stats.apdus++;
	e = ez_conn_pinpad_run(c->conn, cmd, &sw);
	if (e != EZ_OK)
		return e;
	switch (sw) {
	case SW_PAD_TIMEOUT:
		return EZ_ERR_PAD_TIMEOUT;
	case SW_PAD_CANCEL:
		return EZ_ERR_PAD_CANCELLED;
	case SW_PAD_MISMATCH:
		return EZ_ERR_PAD_MISMATCH;
	case SW_PAD_LENGTH:
		return EZ_ERR_PIN_LEN;
	case SW_PAD_BAD_PARAM:
		return EZ_ERR_UNSUPPORTED;
	case 0x6F00:
		/* As after any command (apdu.c): the card lost its state. */
		ez_conn_mark_lost(c->conn);
		return EZ_ERR_CARD_UNREADY;
	default:
		return ez_pin_result(c, EZ_OK, sw, tries_left);
	}
}

static ez_err pad(ez_card *c, enum ez_pad_op op, const struct ez_pin_format *a,
		  const struct ez_pin_format *b, int *tries_left)
{
	ez_err e;

	if (tries_left)
		*tries_left = -1;
	if (!(ez_conn_pinpad(c->conn) & (op == EZ_PAD_OP_VERIFY ? EZ_PAD_VERIFY : EZ_PAD_MODIFY)))
		return EZ_ERR_UNSUPPORTED;
	e = ez_card_begin(c);
	if (e != EZ_OK)
		return e;
	e = c->d->pad(c, op, a, b, tries_left);
	ez_card_end(c);
	return e;
}

ez_err ez_card_pad_verify(ez_card *c, const struct ez_pin_format *f, int *tries_left)
{
	return pad(c, EZ_PAD_OP_VERIFY, f, NULL, tries_left);
}

ez_err ez_card_pad_change(ez_card *c, const struct ez_pin_format *f, int *tries_left)
{
	return pad(c, EZ_PAD_OP_CHANGE, f, NULL, tries_left);
}

ez_err ez_card_pad_unblock(ez_card *c, const struct ez_pin_format *puk,
			   const struct ez_pin_format *pin, int *tries_left)
{
	return pad(c, EZ_PAD_OP_UNBLOCK, puk, pin, tries_left);
}
