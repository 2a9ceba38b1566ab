#!/bin/bash
# The real-cards issue's "done when" on AKIS 1.2, as OpenSC's pkcs11-tool
# sees it: the token listed with its model from the ATR, a login, an RSA
# signature that OpenSSL verifies, the PIN changed and changed back; the
# card's trace shows the 1.2 forms (MSE C3, CHANGE as len old len new,
# LOGOUT) and none of 2.x's (test-clients.sh does the 2.x card).
. "$(dirname "$0")/../testbed/lib.sh"
tb_require pkcs11-tool openssl
EIMZA_TB_GENERATION=1.2 tb_enter --card nes-rsa --card seal-rsa
. "$(dirname "$0")/../apps/apps-lib.sh" # foreign(): sanitizer runtime for programs we did not build

M=$EIMZA_MODULE
W=$EIMZA_TB_DIR/clients-1.2
mkdir -p "$W"
umask 077
export EIMZA_PIN=123456 EIMZA_NEW_PIN=654321 # test PINs, through OpenSC's env:VAR
T0=$EIMZA_TB_CARD0_TRACE T1=$EIMZA_TB_CARD1_TRACE
echo "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum." >"$W/data"

check_match "an AKIS 1.2 ATR (UEKAE family)" '^3B9F968131FE45806755454B4145' \
	"$("$EIMZA_TB_PCSC" atr "$EIMZA_TB_CARD0_READER" | tr -d ' :' | tr a-f A-F)"
out=$(foreign pkcs11-tool --module "$M" --list-slots 2>&1)
check_match "pkcs11-tool lists the 1.2 card's token" 'token label +: TEST KULLANICI' "$out"
check_match "pkcs11-tool shows the model named from the ATR" 'token model +: AKIS 1\.2' "$out"

for idx in 0 1; do
	id=$(foreign pkcs11-tool --module "$M" --slot-index $idx --list-objects --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -1)
	foreign pkcs11-tool --module "$M" --slot-index $idx --read-object --type cert --id "$id" \
		--output-file "$W/cert$idx.der" >/dev/null 2>&1
	openssl x509 -inform DER -in "$W/cert$idx.der" -pubkey -noout >"$W/pub$idx.pem"
	foreign pkcs11-tool --module "$M" --slot-index $idx --login --pin env:EIMZA_PIN --sign \
		--mechanism SHA256-RSA-PKCS --input-file "$W/data" --output-file "$W/sig$idx" >/dev/null 2>&1
	check "pkcs11-tool RSA signature on slot $idx verifies with OpenSSL" \
		openssl dgst -sha256 -verify "$W/pub$idx.pem" -signature "$W/sig$idx" "$W/data"
done

out=$(foreign pkcs11-tool --module "$M" --slot-index 0 --change-pin --pin env:EIMZA_PIN \
	--new-pin env:EIMZA_NEW_PIN 2>&1)
check_match "pkcs11-tool changes the PIN" 'PIN successfully changed' "$out"
out=$(foreign pkcs11-tool --module "$M" --slot-index 0 --login --pin env:EIMZA_PIN \
	--list-objects 2>&1)
check_match "the old PIN is refused (one try, given back by the next login)" 'CKR_PIN_INCORRECT' "$out"
foreign pkcs11-tool --module "$M" --slot-index 0 --login --pin env:EIMZA_NEW_PIN --sign \
	--mechanism SHA256-RSA-PKCS --input-file "$W/data" --output-file "$W/sig0n" >/dev/null 2>&1
check "a signature with the new PIN verifies" \
	openssl dgst -sha256 -verify "$W/pub0.pem" -signature "$W/sig0n" "$W/data"
out=$(foreign pkcs11-tool --module "$M" --slot-index 0 --change-pin --pin env:EIMZA_NEW_PIN \
	--new-pin env:EIMZA_PIN 2>&1)
check_match "pkcs11-tool changes it back" 'PIN successfully changed' "$out"

check_eq "two CHANGE REFERENCE DATA as len old len new (1.2)" 2 "$(grep -c '^> 00 24 00 81 0E ' "$T0")"
check "MSE C3 (1.2) on the card" grep -q '^> 00 22 C3 ' "$T0"
check "LOGOUT (1.2) at the end of a session" grep -q '^> 80 1A 00 00' "$T0"
check_eq "no 2.x form on the 1.2 cards (MSE 41 B6, SELECT MF without data, 2.x PIN object)" "" \
	"$(grep -E '^> (00 22 41 B6|00 A4 00 00 00$|00 CB 3F FF)' "$T0" "$T1")"

tb_done
