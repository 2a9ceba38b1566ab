/*
 * safe-text.h: text that came from outside (a card, a module, a
 * certificate, a signature file, the command line) made safe to print.
 *
 * A card label or a name in a certificate is chosen by whoever made the
 * card or the certificate. Printed as it is, an escape sequence can rewrite
 * the screen, a bidirectional override can show another name than the one
 * signed, and invalid UTF-8 can break a UTF-8 terminal or a JSON reader.
 * Every tool prints such text only through ez_terminal_text() (and JSON
 * through the tools' JSON writer, which has its own escaping).
 */
#ifndef EIMZA_SAFE_TEXT_H
#define EIMZA_SAFE_TEXT_H

#include <stddef.h>

/* Copy `len` bytes of `in` into out (cap bytes, NUL-terminated): valid
 * UTF-8 passes unchanged; each hidden control (ez_utf8_hidden_control())
 * and each byte of invalid UTF-8 becomes '?'. A NUL inside ends the text.
 * When out is too small the text is cut before a whole character, never
 * inside one. out may be in (the result is never longer). Returns out. */
char *ez_terminal_text(char *out, size_t cap, const char *in, size_t len);

/* How many characters of an argument a message shows. */
#define EZ_ARG_SHOWN_CHARS 48

/* A command-line argument as a message quotes it: ez_terminal_text() of it,
 * and when it is longer than EZ_ARG_SHOWN_CHARS characters, their first
 * ones followed by "...". The result lives in one of four buffers used in
 * turn (per thread), so one message can quote up to four arguments. */
const char *ez_arg_shown(const char *arg);

#endif
