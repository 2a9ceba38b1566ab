#!/bin/bash
# The virtual card through the real PC/SC stack: pcscd + vpcd + eimza-vcard.
# Readers, ATR, APDUs and their answers, PIN counters persisted in the image,
# removal and insertion, reset and power cycles, and a kill -9 that never
# leaves a broken image.
. "$(dirname "$0")/lib.sh"
tb_enter --card nes-rsa --card seal

R0=$EIMZA_TB_CARD0_READER
R1=$EIMZA_TB_CARD1_READER
P=$EIMZA_TB_PCSC

readers=$("$P" list)
check_eq "pcscd shows the two virtual readers of one vpcd" 2 "$(printf '%s\n' "$readers" | grep -c '^eimza-vpcd-0 ')"
check_eq "the AKIS v1.2.2 ATR" 3B9F968131FE45806755454B41451292318073B3A1806A "$("$P" atr "$R0")"
check_match "the reader of a second card" '^eimza-vpcd-0 00 01$' "$R1"

# SELECT MF with the FCI (61 XX then GET RESPONSE), GET DATA serial.
out=$("$P" apdu "$R0" 00A40000023F00 00C0000000 00CA01064D)
check_match "SELECT 3F00 without Le answers 61 XX" '^61[0-9A-F]{2}$' "$(sed -n 1p <<<"$out")"
check_match "GET RESPONSE returns the FCI with tag 90" '^6F.*8302 ?3F00.*9001.{2}9000$' "$(sed -n 2p <<<"$out" | tr -d ' ')"
serial=$(sed -n 3p <<<"$out")
check_eq "GET DATA 06 returns 0x4D bytes and 90 00" $(( (0x4D + 2) * 2 )) ${#serial}
check_eq "GET DATA with a wrong Le answers 6C 4D" 6C4D "$("$P" apdu "$R0" 00CA010610)"
check_eq "an unknown instruction answers 6D 00" 6D00 "$("$P" apdu "$R0" 00EE000000)"
check_eq "an unknown class answers 6E 00" 6E00 "$("$P" apdu "$R0" B0A4000000)"

# The PIN: state query, a wrong try counted and saved before the answer.
check_eq "VERIFY without data: 3 tries left" 63C3 "$("$P" apdu "$R0" 0020008100)"
check_eq "VERIFY 000000: wrong, 2 tries left" 63C2 "$("$P" apdu "$R0" 0020008106303030303030)"
check_match "the image holds the decremented counter" 'PIN: +2 of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"
out=$("$P" apdu "$R0" 0020008106313233343536 0020008100)
check_eq "VERIFY 123456 then the state query" "9000 9000" "$(echo $out)"
check_match "a right PIN restores the counter in the image" 'PIN: +3 of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"
check_eq "the PIN state does not survive a new connection's reset" 63C3 \
	"$("$P" reset "$R0" && "$P" apdu "$R0" 0020008100)"

# GET CHALLENGE gives fresh bytes.
a=$("$P" apdu "$R0" 0084000008); b=$("$P" apdu "$R0" 0084000008)
check_match "GET CHALLENGE returns 8 bytes" '^[0-9A-F]{16}9000$' "$a"
check "two challenges differ" test "$a" != "$b"

# Signing needs the PIN: MSE then PSO without VERIFY is refused.
out=$("$P" apdu "$R1" 0022C301 002A9E9A20$(printf '11%.0s' $(seq 32))00)
check_eq "MSE C3 01 then PSO without VERIFY: 90 00, 69 82" "9000 6982" "$(echo $out)"
out=$("$P" apdu "$R1" 0020008106313233343536 0022C301 002A9E9A30$(printf '22%.0s' $(seq 48))00)
check_match "the seal signs a SHA-384 hash with P-384: r||s of 96 bytes" '^[0-9A-F]{192}9000$' "$(sed -n 3p <<<"$out")"

# A PC/SC client from outside the project: OpenSC's opensc-tool.
if command -v opensc-tool >/dev/null; then
	out=$(opensc-tool -l 2>&1)
	check_match "opensc-tool lists the virtual reader" 'eimza-vpcd-0 00 00' "$out"
	out=$(opensc-tool -r 0 -a 2>&1)
	check_match "opensc-tool reads the AKIS ATR" '3b:9f:96:81:31:fe:45:80:67:55:45:4b:41:45:12:92:31:80:73:b3:a1:80:6a' "$out"
	out=$(opensc-tool -r 0 -s 00A4080C0450155031 -s 00B0000010 -s 0020008100 2>&1)
	check_match "opensc-tool: SELECT by path answers 90 00" 'SW1=0x90, SW2=0x00' "$(grep -A1 'Sending: 00 A4' <<<"$out" | tail -1)"
	check_match "opensc-tool: READ BINARY returns the ODF" 'A8 0A 30 08 04 06 3F 00 50 15 44 01' "$out"
	check_match "opensc-tool: VERIFY state query" 'SW1=0x63, SW2=0xC[0-3]' "$out"
else
	tb_require opensc-tool
fi

# Removal and insertion through the runtime's control socket.
check "card removal is seen by pcscd" $EIMZA_TB_CTL card-remove 0
check_eq "the reader is empty" 1 "$("$P" atr "$R0" >/dev/null 2>&1; echo $?)"
check "card insertion is seen by pcscd" $EIMZA_TB_CTL card-insert 0
check_eq "the card answers after reinsertion" 63C3 "$("$P" apdu "$R0" 0020008100)"

# Reset and power cycle keep lasting state and clear the security state.
"$P" apdu "$R0" 0020008106303030303030 >/dev/null
check "SCardReconnect(RESET)" "$P" reset "$R0"
check "SCardReconnect(UNPOWER)" "$P" unpower "$R0"
check_eq "a wrong try survives reset and power off" 63C2 "$("$P" apdu "$R0" 0020008100)"
"$P" apdu "$R0" 0020008106313233343536 >/dev/null

# Every save so far went through a temporary file and a rename: none is left.
# (A kill -9 in the middle of a save may leave one, which is never loaded;
# so this is checked before the kill below, not after it.)
check "no temporary image left beside it" test -z "$(ls "$EIMZA_TB_DIR" | grep -v -E '^(card[0-9]+\.(img|img\..*pem|port|pid|ctl|trace|log|init\.log)|reader\.conf\.d|pcscd\.(log|pid))$' | grep img || true)"

# kill -9 while PIN counters change: the image is always loadable.
pid=$(cat "$EIMZA_TB_DIR/card0.pid")
( for _ in $(seq 40); do "$P" apdu "$R0" 0020008106303030303030 0020008106313233343536 >/dev/null 2>&1 || break; done ) &
loop=$!
sleep 0.3
kill -9 "$pid"
wait "$loop" 2>/dev/null
check_match "after kill -9 the image loads (old or new state)" 'PIN: +[0-9] of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE" 2>&1)"

tb_done
