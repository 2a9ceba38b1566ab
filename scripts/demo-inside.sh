#!/bin/bash
# The demo's body, run inside the test bed (scripts/demo.sh): a virtual AKIS
# card through the real PC/SC stack, then through the eimza PKCS#11 module,
# as applications and the eimza tools see it.
set -u
P=$EIMZA_TB_PCSC
R=$EIMZA_TB_CARD0_READER
B=$(cd "$(dirname "$EIMZA_VCARD")/../.." && pwd) # the build tree
# The tools: the build tree's, or the installed ones (EIMZA_DEMO_BIN, with
# EIMZA_MODULE the installed module; CI runs the story on the packages).
INFO=$B/tools/info/eimza-info PIN=$B/tools/pin/eimza-pin O=$B/tools/onay/eimza-onay
if [ -n "${EIMZA_DEMO_BIN:-}" ]; then
	INFO=$EIMZA_DEMO_BIN/eimza-info PIN=$EIMZA_DEMO_BIN/eimza-pin O=$EIMZA_DEMO_BIN/eimza-onay
fi
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

title "A few APDUs of AKIS 2.x and the card's answers"
apdu "SELECT the application by its name PKCS-15" 00A4040007504B43532D313500
apdu "GET DATA: the card's serial number" 00CA010B08
apdu "The PIN object: tries left (tag 9B)" 00CB3FFF0A4D08BF810104A0029B8000
apdu "SELECT the certificate EF 2F10 (its size)" 00A40200022F1000
apdu "An AKIS 1.x form (MSE C3): refused" 0022C381
apdu "GET CHALLENGE: 8 random bytes" 0084000008

title "The eimza PKCS#11 module, as OpenSC's pkcs11-tool sees it"
pkcs11-tool --module "$EIMZA_MODULE" --list-slots 2>&1 | sed 's/^/  /'
pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --list-objects 2>&1 | sed 's/^/  /'

title "eimza-info: the card, its PIN state and its certificate"
"$INFO" --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'

title "eimza-pin status"
"$PIN" status --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'

code=$(printf '%05d%05d%05d' $((RANDOM % 100000)) $((RANDOM % 100000)) $((RANDOM % 100000)))
V=(--ca "$EIMZA_TB_CARD0_ROOTS" --untrusted "$EIMZA_TB_CARD0_CA")
tckn=$("$INFO" --module "$EIMZA_MODULE" --json | python3 -c \
	'import json,sys; print([c["tckn"] for s in json.load(sys.stdin)["slots"] if s.get("token") for c in s["token"]["certificates"] if c.get("tckn")][0])')

title "eimza-onay login: the e-imzalı giriş, bound to the page's code $code"
"$O" login --code "$code" --tckn "$tckn" --module "$EIMZA_MODULE" --pin-source "file:$W/pin" \
	-o "$W/giris.p7s" 2>&1 | sed 's/^/  /'

title "eimza-onay approve: the e-onay (KABUL EDİYORUM), in Turkish"
# the Turkish catalogue from the source tree (the demo does not install),
# or the installed one
if [ -z "${EIMZA_DEMO_BIN:-}" ]; then
	mkdir -p "$W/locale/tr/LC_MESSAGES"
	msgfmt -o "$W/locale/tr/LC_MESSAGES/eimza.mo" "$(dirname "$0")/../po/tr.po" && export EIMZA_LOCALEDIR=$W/locale
fi
LC_ALL=tr_TR.UTF-8 "$O" approve --code "$code" --module "$EIMZA_MODULE" --pin-source "file:$W/pin" \
	-o "$W/onay.p7s" 2>&1 | sed 's/^/  /'

title "eimza-onay verify: both signatures, offline, against the test roots"
"$O" verify "$W/giris.p7s" "${V[@]}" --code "$code" --tckn "$tckn" --expect login 2>&1 | sed 's/^/  /'
"$O" verify "$W/onay.p7s" "${V[@]}" --code "$code" --expect approve --json 2>&1 |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("  e-onay:", d["statement"]["text"], "-", "valid" if d["valid"] else "NOT valid")'
cat "$EIMZA_TB_CARD0_ROOTS" "$EIMZA_TB_CARD0_CA" >"$W/chain.pem"
openssl cms -verify -inform DER -in "$W/giris.p7s" -CAfile "$W/chain.pem" -out /dev/null 2>&1 | sed 's/^/  openssl cms: /'
echo "  and with another code (exit status $("$O" verify "$W/giris.p7s" "${V[@]}" --code 000000000000000 >/dev/null 2>&1; echo $?)):"
"$O" verify "$W/giris.p7s" "${V[@]}" --code 000000000000000 2>&1 | grep FAIL | sed 's/^/  /'

title "Three wrong PINs: the card blocks the PIN (Kodum kilitlendi)"
printf '%s' 000000 >"$W/wrong"
for i in 1 2 3; do
	"$O" login --code "$code" --module "$EIMZA_MODULE" --pin-source "file:$W/wrong" -o "$W/x.p7s" 2>&1 |
		grep -v -e '^Text' -e '^Verification' -e '^Certificate' -e '^Issuer' -e '^Created' -e '^Time' | sed 's/^/  /'
done
"$PIN" status --module "$EIMZA_MODULE" 2>&1 | sed 's/^/  /'

title "eimza-pin unlock: the PUK sets a new PIN"
printf '%s\n%s\n' 12345678 123456 >"$W/puk-and-pin"
"$PIN" unlock --yes --module "$EIMZA_MODULE" --puk-source "fd:3" --new-pin-source "fd:3" \
	3<"$W/puk-and-pin" 2>&1 | sed 's/^/  /'

title "Signing again after the unlock"
"$O" login --code "$code" --module "$EIMZA_MODULE" --pin-source "file:$W/pin" -o "$W/giris2.p7s" 2>&1 |
	tail -n 1 | sed 's/^/  /'
"$O" verify "$W/giris2.p7s" "${V[@]}" --code "$code" 2>&1 | tail -n 1 | sed 's/^/  /'

title "A signature made by the card, checked by OpenSSL"
echo "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum." >"$W/data"
id=$(pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --list-objects --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -1)
pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --read-object --type cert --id "$id" -o "$W/cert.der" >/dev/null 2>&1
openssl x509 -inform DER -in "$W/cert.der" -pubkey -noout >"$W/pub.pem"
# The PIN from the environment (OpenSC's env:VAR), never on the command line.
EIMZA_PIN="$(cat "$W/pin")" pkcs11-tool --module "$EIMZA_MODULE" --slot-index 0 --login --pin env:EIMZA_PIN --sign \
	-m SHA256-RSA-PKCS -i "$W/data" -o "$W/sig" 2>&1 | sed 's/^/  /'
openssl dgst -sha256 -verify "$W/pub.pem" -signature "$W/sig" "$W/data" | sed 's/^/  OpenSSL: /'

echo
echo "The card's APDU trace of this demo (PIN bytes masked), last lines:"
tail -n 6 "$EIMZA_TB_CARD0_TRACE" | sed 's/^/  /'
