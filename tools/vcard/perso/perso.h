/*
 * perso.h: `eimza-vcard init`, the personalization of a virtual AKIS card.
 *
 * Generates a test PKI shaped like Kamu SM's, personalizes a blank card of
 * the engine (<eimza/vcard.h>) with CREATE and UPDATE BINARY APDUs exactly
 * as docs/pkcs15-layout.md describes, switches it to the user life cycle
 * and saves the image, with the CA certificates beside it.
 */
#ifndef EIMZA_VCARD_PERSO_H
#define EIMZA_VCARD_PERSO_H

/* The `init` subcommand. argv[0] is the subcommand's name ("init") or the
 * program's; options and the IMAGE operand follow. Messages go to stderr
 * (and --help to stdout). Returns the process exit status: 0 done, 1 an
 * error while working, 2 a usage error. The caller's main() sets the
 * locale and the text domain. */
int vcard_perso_main(int argc, char **argv);

#endif
