#!/bin/bash
# The demo's body, run inside the test bed (scripts/demo.sh).
set -u
P=$EIMZA_TB_PCSC
R=$EIMZA_TB_CARD0_READER

title() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
apdu() { # description hex
	local out
	out=$("$P" apdu "$R" "$2")
	printf '  %-42s > %s\n  %-42s < %s\n' "$1" "$2" "" "$out"
}

title "PC/SC readers (a private pcscd with the vpcd driver)"
"$P" list | sed 's/^/  /'

title "The virtual card in '$R'"
"$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE" | sed 's/^/  /'
echo "  ATR seen by pcscd: $("$P" atr "$R")"

title "A few APDUs and the card's answers"
apdu "SELECT MF (answer waits: 61 XX)" 00A40000023F00
apdu "GET DATA: system data with the serial" 00CA01064D
apdu "SELECT PKCS#15 application by AID" 00A404000CA000000063504B43532D313500
apdu "VERIFY, no data: PIN tries left" 0020008100
apdu "GET CHALLENGE: 8 random bytes" 0084000008

if [ -f "$EIMZA_MODULE" ] && command -v pkcs11-tool >/dev/null; then
	title "The eimza PKCS#11 module (pkcs11-tool)"
	pkcs11-tool --module "$EIMZA_MODULE" --list-slots 2>&1 | sed 's/^/  /'
	pkcs11-tool --module "$EIMZA_MODULE" --list-objects 2>&1 | sed 's/^/  /'
fi
if [ -x "${EIMZA_BUILDDIR:-}/tools/info/eimza-info" ]; then
	title "eimza-info"
	"$EIMZA_BUILDDIR/tools/info/eimza-info" --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'
fi
echo
echo "The APDU trace of this session (PIN bytes masked) is in the test bed's card0.trace."
