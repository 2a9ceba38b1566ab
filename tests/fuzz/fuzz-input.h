/*
 * fuzz-input.h: the one input format of the card-side fuzz targets, and
 * the two sides that speak it: a hostile card answering from the input,
 * and a recorder that writes a real card's answers in it (seed corpora).
 *
 * An input is a list of chunks, each a 2-byte big-endian length and that
 * many bytes (fewer when the input ends first):
 *
 *   fuzz-card, fuzz-module:  ATR, then one answer per command (data and
 *                            SW1 SW2), in the order the card is asked;
 *   fuzz-p15 "load" mode:    one file per file read.
 *
 * When the chunks run out, the card answers 6F 00: it has lost its state,
 * so the connection is lost and every session comes to an end.
 */
#ifndef EIMZA_FUZZ_INPUT_H
#define EIMZA_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module/transport/replay.h"

struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* The next chunk; false when the input is used up. */
bool fz_chunk(struct fz_in *in, const uint8_t **data, size_t *len);

/* A scripted connection whose card is the input: the first chunk is its
 * ATR (at most 33 bytes are taken), the others its answers. `in` must
 * outlive the connection. NULL when the input has no ATR. */
ez_conn *fz_card(struct fz_in *in);

/* A growing byte buffer in the input format. */
struct fz_out {
	uint8_t *data;
	size_t len, cap;
};
/* A chunk: its 2-byte length, then the bytes. */
void fz_put_chunk(struct fz_out *o, const uint8_t *data, size_t len);
/* Bytes as they are (a mode byte, a whole file). */
void fz_put_raw(struct fz_out *o, const void *data, size_t len);
void fz_out_free(struct fz_out *o);
/* Write it to dir/name (the directory must exist); 0 or -1. */
int fz_out_write(const struct fz_out *o, const char *dir, const char *name);

#endif
