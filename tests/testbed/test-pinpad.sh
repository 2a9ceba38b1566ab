#!/bin/bash
# The virtual PIN-pad reader through the real stack, without the module: a
# PC/SC client (tb-pcsc) asks pcscd, pcscd the reader driver, the driver the
# virtual card. Its feature list and properties; a PIN_VERIFY_STRUCTURE
# typed right, wrong, too short, cancelled, timed out (on command and by
# the clock); the VERIFY in the card's trace, PIN masked, and the digits
# nowhere in pcscd's log; a structure it refuses; a reader that only
# verifies; a card pulled while the keypad waits.
. "$(dirname "$0")/lib.sh"
tb_enter --card nes-rsa --pinpad --card seal --pinpad-verify
R0=$EIMZA_TB_CARD0_READER
R1=$EIMZA_TB_CARD1_READER
PC=$EIMZA_TB_PCSC
SELECT=00A4040007504B43532D313500
commands() { grep -c '^>' "$1"; }

check_match "card 0 is in a PIN-pad reader" '^eimza-pinpad-0 ' "$R0"
check_eq "the test bed says so" modify "$EIMZA_TB_CARD0_PINPAD"
check_eq "card 1 is in a reader that only verifies" verify "$EIMZA_TB_CARD1_PINPAD"

# The features: tag and the reader's own control code, as part 10 lists them.
has() { printf '%s\n' "$1" | grep -q "$2"; }
f=$("$PC" features "$R0")
check "VERIFY_PIN_DIRECT announced" has "$f" '^06 4231'
check "MODIFY_PIN_DIRECT announced" has "$f" '^07 4231'
check "IFD_PIN_PROPERTIES announced" has "$f" '^0A 4231'
check "GET_TLV_PROPERTIES announced" has "$f" '^12 4231'
f=$("$PC" features "$R1")
check "the verify-only reader announces VERIFY_PIN_DIRECT" has "$f" '^06 '
check "the verify-only reader announces no MODIFY_PIN_DIRECT" test -z "$(printf '%s\n' "$f" | grep '^07 ')"
# TLV properties: wLcdLayout 0x0210, bMinPINSize 4, bMaxPINSize 16, the firmware.
p=$("$PC" control "$R0" 12)
check_match "the LCD layout (2 lines of 16)" '^01021002' "$p"
check_match "the PIN limits 4 to 16 digits" '0601040701100819' "$p"
check_match "the firmware name" "$(printf 'eimza virtual PIN pad' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$p"
check_eq "PIN_PROPERTIES_STRUCTURE" 10020300 "$("$PC" control "$R0" 0A)"

# PIN_VERIFY_STRUCTURE: timeout, ASCII in bytes, a block as long as the PIN,
# 6 to 8 digits, the OK key, then "00 20 00 81 00" (VERIFY of the PIN).
verify_struct() { # bTimerOut
	printf '%02X00820000080602010904000000000500000000200081 00' "$1" | tr -d ' '
}
V=$(verify_struct 0)
"$PC" apdu "$R0" "$SELECT" >/dev/null
before=$(commands "$EIMZA_TB_CARD0_TRACE")
$EIMZA_TB_CTL pinpad-type 0 123456 &
out=$("$PC" control "$R0" 06 "$V")
check "pinpad-type answered ok" wait $!
check_eq "the right PIN typed: the card's 90 00" 9000 "$out"
check_eq "the reader sent one command" $((before + 1)) "$(commands "$EIMZA_TB_CARD0_TRACE")"
check_eq "the VERIFY the reader built, PIN masked, in the card's trace" \
	"> 00 20 00 81 06 ** ** ** ** ** **" "$(grep '^>' "$EIMZA_TB_CARD0_TRACE" | tail -1)"

printf '000000\n' | $EIMZA_TB_CTL pinpad-type 0 - &
out=$("$PC" control "$R0" 06 "$V")
wait $!
check_eq "a wrong PIN typed (from standard input): the card counts it, 63 C2" 63C2 "$out"

# The reader's own answers: nothing reaches the card.
before=$(commands "$EIMZA_TB_CARD0_TRACE")
$EIMZA_TB_CTL pinpad-cancel 0 &
out=$("$PC" control "$R0" 06 "$V")
wait $!
check_eq "the Cancel key: 64 01" 6401 "$out"
$EIMZA_TB_CTL pinpad-timeout 0 &
out=$("$PC" control "$R0" 06 "$V")
wait $!
check_eq "the time runs out: 64 00" 6400 "$out"
$EIMZA_TB_CTL pinpad-type 0 12345 &
out=$("$PC" control "$R0" 06 "$V")
wait $!
check_eq "five digits where six are the least: 64 03" 6403 "$out"
start=$(date +%s)
out=$("$PC" control "$R0" 06 "$(verify_struct 1)")
check_eq "nothing typed within bTimerOut (1 s): 64 00" 6400 "$out"
check "... after about a second" test $(($(date +%s) - start)) -lt 10
check_eq "no command reached the card meanwhile" "$before" "$(commands "$EIMZA_TB_CARD0_TRACE")"
# PIN coding 3 (RFU) is refused without asking.
out=$("$PC" control "$R0" 06 "$(printf '%s' "$V" | sed 's/^\(....\)82/\183/')")
check_eq "a structure the reader refuses: 6B 80" 6B80 "$out"
# pinpad-type says when the entry wants fewer entries, and types nothing.
$EIMZA_TB_CTL pinpad-type 0 123456 654321 2>"$EIMZA_TB_DIR/extra.err" &
typer=$!
"$PC" control "$R0" 06 "$V" >"$EIMZA_TB_DIR/extra.out" &
client=$!
wait $typer
check "two entries for a verification are refused" test $? != 0
check_match "... saying why" 'takes 1 entry' "$(cat "$EIMZA_TB_DIR/extra.err")"
$EIMZA_TB_CTL pinpad-cancel 0
wait $client
check_eq "... and nothing was typed: the entry still waited" 6401 "$(cat "$EIMZA_TB_DIR/extra.out")"

# MODIFY_PIN_DIRECT: CHANGE REFERENCE DATA "old || new", new PIN twice.
M=0000820000000008060302030904000102000000050000000024008100
"$PC" apdu "$R0" "$SELECT" >/dev/null
$EIMZA_TB_CTL pinpad-type 0 123456 654321 654321 &
out=$("$PC" control "$R0" 07 "$M")
wait $!
check_eq "PIN changed on the keypad" 9000 "$out"
check_eq "CHANGE REFERENCE DATA built by the reader" \
	"> 00 24 00 81 0C ** ** ** ** ** ** ** ** ** ** ** **" "$(grep '^>' "$EIMZA_TB_CARD0_TRACE" | tail -1)"
$EIMZA_TB_CTL pinpad-type 0 654321 111111 111112 &
out=$("$PC" control "$R0" 07 "$M")
wait $!
check_eq "two new PINs that differ: 64 02" 6402 "$out"
$EIMZA_TB_CTL pinpad-type 0 654321 123456 123456 &
out=$("$PC" control "$R0" 07 "$M")
wait $!
check_eq "and back" 9000 "$out"
out=$("$PC" control "$R1" 07 "$M" 2>&1)
check_match "the verify-only reader has no modification" 'no feature 07' "$out"

# The digits typed went nowhere but to the card.
check "no PIN in pcscd's log" test -z "$(grep -E '123456|654321|313233343536' "$EIMZA_TB_DIR/pcscd.log")"

# A card pulled while the keypad waits: the reader gives up, the client
# learns the card is gone, and the card comes back to a working reader.
"$PC" control "$R0" 06 "$V" >"$EIMZA_TB_DIR/pulled.out" 2>&1 &
client=$!
$EIMZA_TB_CTL pinpad-wait 0
check "the card is pulled while the keypad waits" $EIMZA_TB_CTL card-remove 0
wait $client
rc=$?
check "the client's SCardControl failed" test "$rc" -ne 0
check_match "... with a PC/SC error" 'tb-pcsc: control: ' "$(cat "$EIMZA_TB_DIR/pulled.out")"
$EIMZA_TB_CTL card-insert 0
"$PC" apdu "$R0" "$SELECT" >/dev/null
$EIMZA_TB_CTL pinpad-type 0 123456 &
out=$("$PC" control "$R0" 06 "$V")
wait $!
check_eq "the card back in: the keypad works again" 9000 "$out"
tb_done
