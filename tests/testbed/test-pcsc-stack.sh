#!/bin/bash
# The virtual card through the real PC/SC stack: pcscd + vpcd + eimza-vcard.
# Two AKIS 2.x cards (the default generation) and an AKIS 1.2 card: readers,
# ATRs, each generation's command forms and its refusals of the other's,
# signatures, PIN counters persisted in the image, removal and insertion,
# reset and power cycles, and a kill -9 that never leaves a broken image.
# The same forms once more through OpenSC's opensc-tool.
. "$(dirname "$0")/lib.sh"
tb_enter --card nes-rsa --card seal --card nes-rsa:--generation,1.2,--seed,7

R0=$EIMZA_TB_CARD0_READER
R1=$EIMZA_TB_CARD1_READER
R2=$EIMZA_TB_CARD2_READER
P=$EIMZA_TB_PCSC
APP=00A4040C07504B43532D3135            # SELECT "PKCS-15" by name, no FCI
RIGHT=0020008106313233343536            # VERIFY 81 "123456"
WRONG=0020008106303030303030            # VERIFY 81 "000000"
# A SHA-256 DigestInfo (51 bytes) for PKCS#1 v1.5 signatures.
DI=3031300D060960864801650304020105000420$(printf '11%.0s' $(seq 32))
nth() { sed -n "$1p"; }

readers=$("$P" list)
check_eq "pcscd shows the two virtual readers of the first vpcd" 2 "$(printf '%s\n' "$readers" | grep -c '^eimza-vpcd-0 ')"
check_match "the third card is in the second vpcd" '^eimza-vpcd-1 00 00$' "$R2"
check_eq "the generations the test bed exports" "2 2 1.2" \
	"$EIMZA_TB_CARD0_GENERATION $EIMZA_TB_CARD1_GENERATION $EIMZA_TB_CARD2_GENERATION"

# ---- AKIS 2.x --------------------------------------------------------------
check_eq "the 2.x card's ATR: AKIS 2.5.2 NXP" 3B9F978131FE458065544353228231C073F62180810553 "$("$P" atr "$R0")"
check_match "eimza-vcard info names the generation" 'Generation: AKIS 2.x' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"

# Session open as ESYA does it: SELECT MF without data, PKCS-15 by name.
out=$("$P" apdu "$R0" 00A4000000 00A4040007504B43532D313500)
check_eq "SELECT MF 00 A4 00 00 00 answers its FCI" 620782013883023F009000 "$(nth 1 <<<"$out")"
check_eq "SELECT by name PKCS-15 answers the DF's FCI" 621082013883024C7E8407504B43532D31359000 "$(nth 2 <<<"$out")"
check_eq "SELECT by the 1.0 driver's path form: 6A 86" 6A86 "$("$P" apdu "$R0" 00A4080C043F002F10)"

# The certificate in EF 2F10, read without a PIN.
out=$("$P" apdu "$R0" $APP 00A40200022F1000 00B00000D0 00A40200022F1100)
check_match "EF 2F10: FCI 62 with its size in tag 80" '^620B8002[0-9A-F]{4}82010183022F109000$' "$(nth 2 <<<"$out")"
check_match "READ BINARY of the certificate: a DER SEQUENCE" '^308[0-9A-F]{2}' "$(nth 3 <<<"$out")"
check_eq "READ BINARY returns 208 bytes and 90 00" $(( (208 + 2) * 2 )) "$(nth 3 <<<"$out" | tr -d '\n' | wc -c)"
check_eq "no second certificate on nes-rsa: 6A 82" 6A82 "$(nth 4 <<<"$out")"

# Security data objects: the PIN's tries, its lengths, the key's header.
out=$("$P" apdu "$R0" $APP 00CB3FFF0A4D08BF810104A0029B8000 00CB3FFF0D4D0BBF8101077F41048080818000 \
	00CB3FFF0A4D08BF900104A0029E8000 00CB3FFF084D06BF900902A08000)
check_eq "PIN tries from BF 81 01 (9B)" BF810105A0039B01039000 "$(nth 2 <<<"$out")"
check_eq "PIN lengths from 7F41: max 8, min 6" BF8101097F41068001088101069000 "$(nth 3 <<<"$out")"
check_eq "key 1 has the non-repudiation flag 9E = 01" BF900105A0039E01019000 "$(nth 4 <<<"$out")"
check_eq "no key 9: 6A 88" 6A88 "$(nth 5 <<<"$out")"
out=$("$P" apdu "$R0" $APP 00CB3FFF0B4D09BFA001057F4902818000)
check_match "the modulus of BF A0 01 comes in two parts (61 XX)" '^BFA001820109.*610F$' "$out"

# VERIFY: no status query on 2.x; a wrong try saved before the answer.
out=$("$P" apdu "$R0" $APP 0020008100 $WRONG)
check_eq "VERIFY without data: 67 00 on 2.x" 6700 "$(nth 2 <<<"$out")"
check_eq "VERIFY 000000: wrong, 2 tries left" 63C2 "$(nth 3 <<<"$out")"
check_match "the image holds the decremented counter" 'PIN: +2 of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"
out=$("$P" apdu "$R0" $APP $RIGHT 00CB3FFF0A4D08BF810104A0029B8000)
check_eq "VERIFY 123456, then 9B reads 3 again" "9000 BF810105A0039B01039000" "$(nth 2 <<<"$out") $(nth 3 <<<"$out")"
check_match "a right PIN restores the counter in the image" 'PIN: +3 of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"

# Signing: MSE 41 B6 with AL 82 (PKCS#1 v1.5) and key reference 81, PSO.
out=$("$P" apdu "$R0" $APP $RIGHT 002241B606800182840181 002A9E9A33${DI}00 002A9E9A33${DI}00)
check_eq "MSE 00 22 41 B6 for key 1" 9000 "$(nth 3 <<<"$out")"
check_match "PSO: a 2048-bit signature" '^[0-9A-F]{512}9000$' "$(nth 4 <<<"$out")"
check_eq "a second PSO without VERIFY: 69 82 (9E = 01)" 6982 "$(nth 5 <<<"$out")"
out=$("$P" apdu "$R0" $APP $RIGHT 00A4000000 $APP 002241B606800182840181 002A9E9A33${DI}00)
check_eq "leaving the DF (SELECT MF) clears the PIN: PSO 69 82" 6982 "$(nth 6 <<<"$out")"
"$P" apdu "$R0" $APP $RIGHT >/dev/null
check "SCardReconnect(RESET)" "$P" reset "$R0"
out=$("$P" apdu "$R0" $APP 002241B606800182840181 002A9E9A33${DI}00)
check_eq "the PIN state does not survive a reset" 6982 "$(nth 3 <<<"$out")"

# The 1.x forms a 2.x card does not know.
out=$("$P" apdu "$R0" $APP 801A0000 8018000000 0022C301 002C0081100831323334353637380631313131313131)
check_eq "LOGOUT 80 1A, LIST FILES 80 18, MSE C3, RESET RETRY COUNTER P1 00" \
	"6D00 6D00 6A86 6A86" "$(sed -n '2,5p' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"

# GET DATA: the serial in mode 0B, a wrong Le answers 6C 08.
check_match "GET DATA 0B: the 8-byte serial" '^[0-9A-F]{16}9000$' "$("$P" apdu "$R0" 00CA010B08)"
check_eq "GET DATA 0B with a wrong Le: 6C 08" 6C08 "$("$P" apdu "$R0" 00CA010B10)"
check_eq "an unknown instruction answers 6D 00" 6D00 "$("$P" apdu "$R0" 00EE000000)"
check_eq "an unknown class answers 6E 00" 6E00 "$("$P" apdu "$R0" B0A4000000)"

# GET CHALLENGE gives fresh bytes.
a=$("$P" apdu "$R0" 0084000008); b=$("$P" apdu "$R0" 0084000008)
check_match "GET CHALLENGE returns 8 bytes" '^[0-9A-F]{16}9000$' "$a"
check "two challenges differ" test "$a" != "$b"

# The seal: ECDSA with SHA-384 (AL 9B) on P-384, r || s of 96 bytes.
out=$("$P" apdu "$R1" $APP 002241B60680019B840181 002A9E9A30$(printf '22%.0s' $(seq 48))00)
check_eq "MSE then PSO without VERIFY: 90 00, 69 82" "9000 6982" "$(nth 2 <<<"$out") $(nth 3 <<<"$out")"
out=$("$P" apdu "$R1" $APP $RIGHT 002241B60680019B840181 002A9E9A30$(printf '22%.0s' $(seq 48))00 \
	002A9E9A30$(printf '22%.0s' $(seq 48))00)
check_match "the seal signs a SHA-384 hash: r||s of 96 bytes" '^[0-9A-F]{192}9000$' "$(nth 4 <<<"$out")"
check_match "and again on the same VERIFY (9E = 00)" '^[0-9A-F]{192}9000$' "$(nth 5 <<<"$out")"
check_eq "PKCS#1 on an EC key: 6A 80" 6A80 "$("$P" apdu "$R1" $APP 002241B606800182840181 | nth 2)"

# ---- AKIS 1.2 --------------------------------------------------------------
check_eq "the 1.2 card's ATR: UEKAE 12 92" 3B9F968131FE45806755454B41451292318073B3A1806A "$("$P" atr "$R2")"
out=$("$P" apdu "$R2" 00A40000023F00 00C0000000 00CA010651 00CA010610 00A4000000)
check_match "1.2: SELECT 3F00 without Le answers 61 XX" '^61[0-9A-F]{2}$' "$(nth 1 <<<"$out")"
check_match "1.2: GET RESPONSE returns the FCI 6F" '^6F078201388302 ?3F009000$' "$(nth 2 <<<"$out")"
check_eq "1.2: GET DATA 06 returns 81 bytes and 90 00" $(( (81 + 2) * 2 )) "$(nth 3 <<<"$out" | tr -d '\n' | wc -c)"
check_eq "1.2: GET DATA 06 with a wrong Le: 6C 51" 6C51 "$(nth 4 <<<"$out")"
check_eq "1.2: the 2.x SELECT MF without data: 67 00" 6700 "$(nth 5 <<<"$out")"
serial=$(nth 3 <<<"$out" | cut -c115-130)
check_match "1.2: eimza-vcard info shows the serial of bytes 57..64" "Serial: +$serial" "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD2_IMAGE")"
out=$("$P" apdu "$R2" 0020008100 $WRONG 0020008100)
check_eq "1.2: VERIFY without data is the state: 63 C3, wrong 63 C2, 63 C2" "63C3 63C2 63C2" "$(echo $out)"
out=$("$P" apdu "$R2" $RIGHT 0020008100 801A0000 0020008100)
check_eq "1.2: VERIFY, state 90 00, LOGOUT 80 1A clears it" "9000 9000 9000 63C3" "$(echo $out)"
out=$("$P" apdu "$R2" $RIGHT 0022C301 002A9E9A33${DI}00 002241B606800182840181 00CB3FFF0A4D08BF810104A0029B8000)
check_match "1.2: MSE C3 01 and PSO: a 2048-bit signature" '^[0-9A-F]{512}9000$' "$(nth 3 <<<"$out")"
check_eq "1.2: the 2.x MSE and GET DATA CB: 6A 86, 6D 00" "6A86 6D00" "$(nth 4 <<<"$out") $(nth 5 <<<"$out")"
check_eq "1.2: SELECT by the 1.0 path form: 6A 86" 6A86 "$("$P" apdu "$R2" 00A4080C043D005031)"
out=$("$P" apdu "$R2" 00A40000023F00 00A40000023D00 00A40200025031 00B0000030)
check_match "1.2: the ODF in DF 3D00 points to the AODF 2F08" '^A80A300804063F003D002F08A00A' "$(nth 4 <<<"$out")"

# ---- OpenSC's opensc-tool, a PC/SC client from outside the project --------
if command -v opensc-tool >/dev/null; then
	out=$(opensc-tool -l 2>&1)
	check_match "opensc-tool lists the virtual readers" 'eimza-vpcd-0 00 00' "$out"
	out=$(opensc-tool -r 0 -a 2>&1)
	check_match "opensc-tool reads the 2.x ATR" '3b:9f:97:81:31:fe:45:80:65:54:43:53:22:82:31:c0:73:f6:21:80:81:05:53' "$out"
	out=$(opensc-tool -r 0 -s 00A4000000 -s 00A4040007504B43532D313500 -s 00A40200022F1000 \
		-s 00B0000010 -s 00CB3FFF0A4D08BF810104A0029B8000 -s $RIGHT -s 002241B606800182840181 \
		-s 002A9E9A33${DI}00 2>&1)
	check_match "opensc-tool: SELECT by name PKCS-15" '84 07 50 4B 43 53 2D' "$out"
	check_match "opensc-tool: READ BINARY of EF 2F10" 'Received \(SW1=0x90, SW2=0x00\):[[:space:]]*30 82' "$(tr '\n' ' ' <<<"$out")"
	check_match "opensc-tool: the PIN object's tries" 'BF 81 01 05 A0 03 9B 01 03' "$out"
	check_eq "opensc-tool: VERIFY, MSE 41 B6 and PSO answer 90 00" 4 "$(grep -c 'SW1=0x90, SW2=0x00' <<<"$(grep -A1 -E 'Sending: 00 (20|22|2A|CB)' <<<"$out")")"
	check_match "opensc-tool: PSO returns 256 bytes" 'Received \(SW1=0x90, SW2=0x00\)' "$(grep -A1 'Sending: 00 2A' <<<"$out")"
	out=$(opensc-tool -r 2 -a -s 00A40000023F00 -s 00A40000023D00 -s 00A40200025031 -s 00B0000010 \
		-s 801A0000 -s 0020008100 2>&1)
	check_match "opensc-tool reads the 1.2 ATR" '3b:9f:96:81:31:fe:45:80:67:55:45:4b:41:45:12:92:31:80:73:b3:a1:80:6a' "$out"
	check_match "opensc-tool: the 1.2 ODF" 'A8 0A 30 08 04 06 3F 00 3D 00 2F 08' "$out"
	check_match "opensc-tool: LOGOUT, then the 1.2 VERIFY state query" 'SW1=0x63, SW2=0xC3' "$(grep -A1 'Sending: 00 20' <<<"$out")"
else
	tb_require opensc-tool
fi

# ---- the runtime: removal, insertion, power --------------------------------
check "card removal is seen by pcscd" $EIMZA_TB_CTL card-remove 0
check_eq "the reader is empty" 1 "$("$P" atr "$R0" >/dev/null 2>&1; echo $?)"
check "card insertion is seen by pcscd" $EIMZA_TB_CTL card-insert 0
check_eq "the card answers after reinsertion" BF810105A0039B01039000 "$("$P" apdu "$R0" $APP 00CB3FFF0A4D08BF810104A0029B8000 | nth 2)"

# Reset and power cycle keep lasting state and clear the security state.
"$P" apdu "$R0" $APP $WRONG >/dev/null
check "SCardReconnect(RESET)" "$P" reset "$R0"
check "SCardReconnect(UNPOWER)" "$P" unpower "$R0"
check_eq "a wrong try survives reset and power off" BF810105A0039B01029000 "$("$P" apdu "$R0" $APP 00CB3FFF0A4D08BF810104A0029B8000 | nth 2)"
"$P" apdu "$R0" $APP $RIGHT >/dev/null

# Every save so far went through a temporary file and a rename: none is left.
# (A kill -9 in the middle of a save may leave one, which is never loaded;
# so this is checked before the kill below, not after it.)
check "no temporary image left beside it" test -z "$(ls "$EIMZA_TB_DIR" | grep -v -E '^(card[0-9]+\.(img|img\..*pem|port|pid|ctl|trace|log|init\.log|conf)|conf[0-9]+\.port|conf\.next|libifdvpcd-[0-9]+\.so|reader\.conf\.d|pcscd\.(log|pid))$' | grep img || true)"
check "the trace never holds the PIN" test -z "$(grep -E '31 32 33 34 35 36|30 30 30 30 30 30' "$EIMZA_TB_CARD0_TRACE")"
check_match "the trace masks VERIFY's data" '> 00 20 00 81 06 \*\* \*\* \*\* \*\* \*\* \*\*' "$(cat "$EIMZA_TB_CARD0_TRACE")"

# kill -9 while PIN counters change: the image is always loadable, and a
# counted try is never lost (the counter is saved before the PIN is
# compared; no right PIN follows a wrong one unseen).
pid=$(cat "$EIMZA_TB_DIR/card0.pid")
( for _ in $(seq 40); do "$P" apdu "$R0" $APP $WRONG $RIGHT >/dev/null 2>&1 || break; done ) &
loop=$!
sleep 0.3
kill -9 "$pid"
wait "$loop" 2>/dev/null
check_match "after kill -9 the image loads (old or new state)" 'PIN: +[1-3] of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE" 2>&1)"

tb_done
