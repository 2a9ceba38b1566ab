#!/bin/bash
# The demo's body, run inside the test bed (scripts/demo.sh): a virtual AKIS
# card through the real PC/SC stack, then through the eimza PKCS#11 module,
# as applications and the eimza tools see it.
set -u
P=$EIMZA_TB_PCSC
R=$EIMZA_TB_CARD0_READER
B=$(cd "$(dirname "$EIMZA_VCARD")/../.." && pwd) # the build tree
W=$EIMZA_TB_DIR/demo
mkdir -p "$W"
umask 077
printf '%s' 123456 >"$W/pin" # the virtual card's default PIN (a test card)

title() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
apdu() { # description hex
	printf '  %-42s > %s\n  %-42s < %s\n' "$1" "$2" "" "$("$P" apdu "$R" "$2")"
}

title "PC/SC readers (a private pcscd with the vpcd driver)"
"$P" list | sed 's/^/  /'

title "The virtual card in '$R'"
"$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE" | sed 's/^/  /'
echo "  ATR seen by pcscd: $("$P" atr "$R")"

title "A few APDUs and the card's answers"
apdu "SELECT MF (answer waits: 61 XX)" 00A40000023F00
apdu "GET DATA: system data with the serial" 00CA01064D
apdu "SELECT PKCS#15 application by AID" 00A404000CA000000063504B43532D3135
apdu "VERIFY, no data: PIN tries left" 0020008100
apdu "GET CHALLENGE: 8 random bytes" 0084000008

title "The eimza PKCS#11 module, as OpenSC's pkcs11-tool sees it"
pkcs11-tool --module "$EIMZA_MODULE" --list-slots 2>&1 | sed 's/^/  /'
pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --list-objects 2>&1 | sed 's/^/  /'

title "eimza-info: the card, its PIN state and its certificate"
"$B/tools/info/eimza-info" --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'

title "eimza-pin status"
"$B/tools/pin/eimza-pin" status --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'

if [ -x "$B/tools/onay/eimza-onay" ]; then
	title "eimza-onay: the e-imzalı giriş with a one-time code, then its verification"
	code=$(printf '%015d' $(( (RANDOM * 32768 + RANDOM) % 1000000000 )))
	"$B/tools/onay/eimza-onay" login --code "$code" --module "$EIMZA_MODULE" --pin-source "file:$W/pin" \
		-o "$W/giris.p7s" 2>&1 | sed 's/^/  /'
	"$B/tools/onay/eimza-onay" verify "$W/giris.p7s" --ca "$EIMZA_TB_CARD0_ROOTS" \
		--untrusted "$EIMZA_TB_CARD0_CA" --code "$code" 2>&1 | sed 's/^/  /'
fi

title "A signature made by the card, checked by OpenSSL"
echo "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum." >"$W/data"
id=$(pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --list-objects --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -1)
pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --read-object --type cert --id "$id" -o "$W/cert.der" >/dev/null 2>&1
openssl x509 -inform DER -in "$W/cert.der" -pubkey -noout >"$W/pub.pem"
pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --login --pin "$(cat "$W/pin")" --sign \
	-m SHA256-RSA-PKCS -i "$W/data" -o "$W/sig" 2>&1 | sed 's/^/  /'
openssl dgst -sha256 -verify "$W/pub.pem" -signature "$W/sig" "$W/data" | sed 's/^/  OpenSSL: /'

echo
echo "The card's APDU trace of this demo (PIN bytes masked), last lines:"
tail -n 6 "$EIMZA_TB_CARD0_TRACE" | sed 's/^/  /'
