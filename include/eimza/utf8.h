/*
 * utf8.h: reading UTF-8 strictly, and the characters that can make a
 * terminal or a page show something else than the text.
 *
 * Shared by the safe-text functions (<eimza/safe-text.h>), the tools' JSON
 * writer and eimza-onay's statement rules, so that "valid" and "hidden
 * control" mean the same thing everywhere.
 */
#ifndef EIMZA_UTF8_H
#define EIMZA_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One UTF-8 sequence at p, reading at most `left` bytes: its length (1 to 4)
 * with its code point in *cp, or 0 when the bytes there are not a valid
 * sequence (a stray continuation byte, an overlong form, a surrogate, a
 * value above U+10FFFF, or a sequence cut by `left`). */
size_t ez_utf8_next(const unsigned char *p, size_t left, uint32_t *cp);

/* True for the characters a text must not carry to a screen: C0 and C1
 * controls and DEL (an escape sequence can rewrite the screen), the
 * bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069: they can show "KABUL" for
 * "LUBAK"), and the line and paragraph separators U+2028, U+2029. */
bool ez_utf8_hidden_control(uint32_t cp);

/* The length of the longest prefix of s (len bytes) that has at most `max`
 * bytes and does not end inside a UTF-8 sequence (invalid bytes count as
 * one character each). */
size_t ez_utf8_prefix(const char *s, size_t len, size_t max);

#endif
