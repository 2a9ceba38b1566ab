# tools/vcard/: eimza-vcard, the virtual AKIS card.
#   engine/   the card engine library (APDU in, APDU out, state, image file)
#   perso/    `eimza-vcard init`: test PKI and PKCS#15 personalization
#   runtime/  `eimza-vcard run`: vpcd client, control socket, trace, latency
include tools/vcard/engine/local.mk
include tools/vcard/perso/local.mk
include tools/vcard/runtime/local.mk
