#!/bin/sh
# eimza-pin and eimza-info against a mock module whose PIN and PUK counters
# persist between runs: three wrong PINs block (exit 5), status says so in
# English and Turkish, wrong PUKs are counted, unlock with the PUK restores
# the PIN only after a warning and a consent (refused on the last PUK try
# without --last-try), a blocked PUK is reported with what to do, and a PIN
# pad reader gets "type it on the reader" with no PIN read from anywhere, not
# even when the module refuses the keypad; a keypad that only verifies has
# PINs changed on the computer.
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
M=$top_builddir/tests/tools/.libs/mock-p11.so
[ -f "$M" ] || fail "the mock module was not built: $M"
B=$top_builddir/tools
P=$B/pin/eimza-pin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export MOCK_P11_STATE=$T/state LC_ALL=C LANGUAGE=
unset EIMZA_MODULE MOCK_P11_PINPAD

expect 0 "$P" --module "$M" status
contains "PIN: 3 of 3 tries left"
contains "PUK: 3 of 3 tries left"
expect 2 env N=1234567890 O=123456 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
contains "must be 6 to 8 digits long"

# three wrong PINs
expect 4 env O=000000 N=111111 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
contains "Wrong PIN, 2 tries left"
expect 4 env O=000000 N=111111 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
contains "Wrong PIN, 1 try left"
expect 0 "$P" --module "$M" status
contains "PIN: 1 of 3 tries left"
expect 5 env O=000000 N=111111 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
contains "the PIN is now blocked"
expect 5 "$P" --module "$M" status
contains "PIN: blocked"
contains "eimza-pin unlock"
# blocked: refused before the PIN is even asked (no source given, no terminal)
expect 5 setsid "$P" --module "$M" change </dev/null
expect 6 "$B/info/eimza-info" --module "$M" doctor --sign-test
contains "[FAIL] PIN: blocked."
setup_turkish "$T/locale"
LC_ALL=tr_TR.UTF-8 expect 5 "$P" --module "$M" status
contains "PIN: kilitli"
contains "PUK: 3/3 deneme hakkı kaldı"
expect 0 "$B/info/eimza-info" --module "$M" --json
printf '%s' "$out" | python3 -c '
import json, sys
t = json.load(sys.stdin)["slots"][0]["token"]
assert t["pin"] == {"tries_left": 0, "max_tries": 3, "exact": True, "blocked": True}, t
' || fail "eimza-info --json on a blocked PIN"

# unlock asks for consent: without a terminal and without --yes nothing is
# sent (the PUK counter stays where it was)
expect 1 env U=12345678 N=111111 setsid "$P" --module "$M" unlock --puk-source env:U --new-pin-source env:N </dev/null
contains "Kilit Çözme"
contains "not confirmed; nothing was sent"
grep -q ' 3$' "$MOCK_P11_STATE" || fail "an unconfirmed unlock reached the module: $(cat "$MOCK_P11_STATE")"
# wrong PUKs are counted, then unlock
expect 4 env U=00000000 N=111111 "$P" --module "$M" unlock --yes --puk-source env:U --new-pin-source env:N
contains "PUK: 3 of 3 tries left"
contains "Wrong PUK, 2 tries left"
grep -q ' 2$' "$MOCK_P11_STATE" || fail "a wrong PUK did not reach the module: $(cat "$MOCK_P11_STATE")"
LC_ALL=tr_TR.UTF-8 expect 4 env U=00000000 N=111111 "$P" --module "$M" unlock --yes --puk-source env:U --new-pin-source env:N
contains "PUK yanlış"
grep -q ' 1$' "$MOCK_P11_STATE" || fail "two wrong PUKs did not reach the module: $(cat "$MOCK_P11_STATE")"
# one PUK try left: refused, even with --yes, unless --last-try
expect 2 env U=12345678 N=111111 "$P" --module "$M" unlock --yes --puk-source env:U --new-pin-source env:N
contains "PUK: 1 of 3 tries left"
contains "only one PUK try is left"
grep -q ' 1$' "$MOCK_P11_STATE" || fail "a refused unlock reached the module: $(cat "$MOCK_P11_STATE")"
expect 0 env U=12345678 N=111111 "$P" --module "$M" unlock --yes --last-try --puk-source env:U --new-pin-source env:N
contains "PIN was unlocked"
expect 0 "$P" --module "$M" status
contains "PIN: 3 of 3 tries left"
expect 4 env O=123456 N=222222 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
expect 0 env O=111111 N=123456 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N

# the PUK blocked too
echo "123456 12345678 0 1" >"$MOCK_P11_STATE"
expect 5 env U=00000000 N=111111 "$P" --module "$M" unlock --yes --last-try --puk-source env:U --new-pin-source env:N
contains "PUK: 1 of 3 tries left"
contains "the PUK is now blocked too"
expect 5 env U=12345678 N=111111 "$P" --module "$M" unlock --yes --puk-source env:U --new-pin-source env:N
contains "certificate provider"
expect 5 "$P" --module "$M" status
contains "PUK: blocked"

# a PIN pad reader: nothing read, the user told to type on the reader
echo "123456 12345678 3 3" >"$MOCK_P11_STATE"
MOCK_P11_PINPAD=1 expect 0 setsid "$P" --module "$M" change </dev/null
contains "on the reader's keypad"
echo "123456 12345678 0 3" >"$MOCK_P11_STATE"
MOCK_P11_PINPAD=1 expect 0 setsid "$P" --module "$M" unlock --yes </dev/null
contains "Type the PUK on the reader's keypad"
grep -q ' 3 3$' "$MOCK_P11_STATE" || fail "pin pad unlock did not restore the PIN"

# ---- every input checked before the card (issue 15, "Tools") ----------------
echo "123456 12345678 3 3" >"$MOCK_P11_STATE"
I=$B/info/eimza-info
O=$B/onay/eimza-onay
unset MOCK_P11_PINPAD
untouched() { grep -q '^123456 12345678 3 3$' "$MOCK_P11_STATE" || fail "$1 reached the token: $(cat "$MOCK_P11_STATE")"; }
# a PIN source that never ends a line ends at once with a clear message
expect 2 timeout 10 "$P" --module "$M" change --new-pin-source env:HOME --pin-source file:/dev/zero
contains "longer than 65 characters"
contains "nothing was sent to the card"
untouched "a PIN from /dev/zero"
expect 2 timeout 10 sh -c "$P --module $M change --pin-source fd:0 --new-pin-source env:HOME </dev/zero"
contains "never ends a line"
expect 2 timeout 10 env N=111111 "$P" --module "$M" unlock --yes --puk-source file:/dev/zero --new-pin-source env:N
untouched "a PUK from /dev/zero"
expect 2 timeout 10 sh -c "N=111111 $P --module $M change --pin-source env:N --new-pin-source fd:0 </dev/zero"
untouched "a new PIN from /dev/zero"
# a bad source or an unwritable output is refused before the module is even
# loaded (a module that does not exist would answer 7)
expect 2 "$P" --module /nonexistent/p11.so change --pin-source fd:9
contains "--pin-source: bad secret source \"fd:9\": file descriptor 9 is not open"
expect 2 "$P" --module /nonexistent/p11.so change --new-pin-source file:/nonexistent/pin
contains "--new-pin-source: bad secret source"
expect 2 "$P" --module /nonexistent/p11.so unlock --puk-source env:EZ_NO_SUCH_VAR
contains "EZ_NO_SUCH_VAR is not set"
expect 2 "$P" --module /nonexistent/p11.so change --pin-source 123456
contains "never goes on the command line"
expect 2 "$P" --module /nonexistent/p11.so change --pin-source file:/
contains "folder"
expect 2 "$O" login --module /nonexistent/p11.so --code 482913775012634 --pin-source file:/nonexistent/pin
contains "--pin-source: bad secret source \"file:/nonexistent/pin\": No such file"
lacks "cannot load"
expect 2 "$O" login --module /nonexistent/p11.so --code 482913775012634 -o /nonexistent/dir/s.p7s
contains "cannot write /nonexistent/dir/s.p7s"
contains "nothing was signed"
expect 2 "$O" login --module /nonexistent/p11.so --code 482913775012634 -o /tmp
contains "Is a directory"
expect 2 "$I" --module /nonexistent/p11.so doctor --sign-test --pin-source env:EZ_NO_SUCH_VAR
# an empty or malformed PIN or PUK is a usage error naming the rule, and no
# try is spent (exit 2, not 4 "wrong PIN, tries remain")
expect 2 env E= N=111111 "$P" --module "$M" change --pin-source env:E --new-pin-source env:N
contains "The PIN is empty"
contains "no try was used"
expect 2 env E="$(printf '\377\376')" N=111111 "$P" --module "$M" change --pin-source env:E --new-pin-source env:N
contains "digits only"
expect 2 env E=12345678901 N=111111 "$P" --module "$M" change --pin-source env:E --new-pin-source env:N
contains "6 to 8 digits"
expect 2 env E=12ab N=111111 "$P" --module "$M" unlock --yes --puk-source env:E --new-pin-source env:N
contains "The PUK must contain digits only"
untouched "a malformed PIN or PUK"
LC_ALL=tr_TR.UTF-8 expect 2 env E= N=111111 "$P" --module "$M" change --pin-source env:E --new-pin-source env:N
contains "PIN boş"
# one error line and a pointer to --help, never the whole usage text
for tool in "$P" "$I" "$O"; do
	expect 2 "$tool" --bogus
	contains "unknown option \"--bogus\""
	contains "--help"
	lacks "Usage:"
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || fail "$tool --bogus printed more than two lines: $out"
	expect 2 "$tool" --module
	contains "the option \"--module\" needs a value"
	expect 2 "$tool" --help=x
	contains "the option \"--help\" takes no value"
done
expect 2 "$O"
contains "the command is missing"
lacks "Usage:"
expect 2 "$O" --code 482913775012634
contains "the command is missing"
# the extra argument is named, not the command before it
expect 2 "$P" --module "$M" status extra
contains "unexpected argument \"extra\" after \"status\""
lacks "unknown command"
expect 2 "$I" doctor extra
contains "unexpected argument \"extra\""
expect 2 "$O" verify a.p7s b.p7s
contains "unexpected argument \"b.p7s\""
expect 2 "$P" --module "$M" frobnicate
contains "unknown command \"frobnicate\""
# numbers: --slot -1, +1, 0x1, " 1" and an overflow are refused, naming --slot
for bad in -1 +1 0x1 " 1" 1x 99999999999999999999999 ""; do
	for tool in "$P" "$I" "$O login --code 482913775012634"; do
		expect 2 $tool --slot "$bad"
		contains "--slot wants a slot number"
	done
done
expect 0 "$P" --module "$M" --slot 7 status
for bad in 0 -5 86401 1e3 " 60"; do
	expect 2 "$O" login --code 482913775012634 --window "$bad"
	contains "--window wants seconds between 1 and 86400"
done
# a pasted code keeps its blanks: accepted (the bogus module is the next
# step, status 7), and so is a pasted T.C. Kimlik No
expect 7 "$O" login --module /nonexistent/p11.so --code "482913775012634 "
expect 7 "$O" login --module /nonexistent/p11.so --code "	482 913 775 012 634
"
expect 7 "$O" login --module /nonexistent/p11.so --code 482913775012634 --tckn " 10000000146 "
# a 10,000-character argument is quoted by its first characters only
long=$(head -c 10000 /dev/zero | tr '\0' 7)
for cmd in "$P --slot $long" "$P $long" "$P --pin-source $long" "$P --module x$long status" \
	"$O login --code 482913775012634 --window $long" "$O $long" "$O --$long" \
	"$O verify a.p7s --ca x$long" "$O verify a.p7s --ca x --expect $long" "$I --$long"; do
	set +e
	out=$($cmd 2>&1)
	set -e
	[ "${#out}" -lt 400 ] || fail "a long argument was echoed whole (${#out} bytes): $(printf '%s' "$out" | head -c 300)"
	contains "7777777777..."
done
# a hostile token label: C1 and bidirectional controls and a character cut
# by the 32-byte field never reach the terminal, and JSON stays valid
label="$(printf 'Ali\342\200\256LUBAK\302\233x\033]0;t\007aaaaaaaaaaa\305\237')"
MOCK_P11_LABEL=$label expect 0 "$P" --module "$M" status
contains "Card: Ali?LUBAK?x?]0;t?aaaaaaaaaaa?"
for bad in '\342\200\256' '\302\233' '\033' '\007' '\305'; do
	lacks "$(printf "$bad")"
done
MOCK_P11_LABEL=$label expect 0 "$I" --module "$M" --json
printf '%s' "$out" | python3 -c '
import json, sys
raw = sys.stdin.buffer.read()
raw.decode("utf-8")
d = json.loads(raw)
assert d["slots"][0]["token"]["label"] == "Ali?LUBAK?x?]0;t?aaaaaaaaaaa?", d["slots"][0]["token"]
' || fail "eimza-info --json with a hostile token label: $out"

# ---- pcscd stopped, no reader, a card present but unusable ------------------
# eimza's own module without pcscd (its client library finds no socket):
# its own message and status 15 from every tool, not "insert your card"
EZ=$top_builddir/module/.libs/eimza-pkcs11.so
[ -f "$EZ" ] || fail "the eimza module was not built: $EZ"
for cmd in "$P --module $EZ status" "$I --module $EZ" "$O login --module $EZ --code 482913775012634"; do
	PCSCLITE_CSOCK_NAME=$T/no-pcscd.sock expect 15 timeout 30 $cmd
	contains "pcscd"
	contains "not running"
	lacks "insert your card"
	lacks "Connect a reader"
done
PCSCLITE_CSOCK_NAME=$T/no-pcscd.sock expect 15 timeout 30 "$I" --module "$EZ" --json
printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["service"] == "down" and d["slots"] == [], d' ||
	fail "eimza-info --json without pcscd: $out"
LC_ALL=tr_TR.UTF-8 PCSCLITE_CSOCK_NAME=$T/no-pcscd.sock expect 15 timeout 30 "$P" --module "$EZ" status
contains "akıllı kart hizmeti (pcscd) çalışmıyor"
# the same through the mock's vendor interface, and each state of a reader
export MOCK_P11_VENDOR=1
MOCK_P11_SERVICE=down expect 15 "$P" --module "$M" status
contains "pcscd"
MOCK_P11_SERVICE=down expect 15 "$I" --module "$M"
MOCK_P11_SERVICE=noreaders expect 3 "$P" --module "$M" status
contains "no card reader is connected"
MOCK_P11_SERVICE=noreaders expect 3 "$I" --module "$M"
contains "No card reader is connected"
lacks "pcscd"
MOCK_P11_CARD=none expect 3 "$P" --module "$M" status
contains "no card found: insert your card"
MOCK_P11_CARD=foreign expect 3 "$P" --module "$M" status
contains "is not an AKIS e-signature card"
MOCK_P11_CARD=unsupported expect 3 "$O" login --module "$M" --code 482913775012634
contains "an AKIS generation eimza does not support (AKIS 1.0)"
# a card present but unreadable is never "no card"
MOCK_P11_CARD=unreadable expect 3 "$P" --module "$M" status
contains "a card is in the reader \"Mock Reader 00 00\" but its data could not be read"
lacks "insert your card"
MOCK_P11_CARD=unreadable expect 3 "$P" --module "$M" --slot 7 status
contains "its data could not be read"
MOCK_P11_CARD=unreadable expect 3 "$I" --module "$M"
contains "the card answers but its data could not be read"
lacks "No card in this reader"
MOCK_P11_CARD=unreadable expect 3 "$I" --module "$M" --json
printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["slots"][0]["card"]["state"] == "unreadable", d' ||
	fail "eimza-info --json, unreadable card: $out"
expect 0 "$P" --module "$M" status
unset MOCK_P11_VENDOR
# a module without eimza's vendor interface: the slot says a card is in, the
# token cannot be read
MOCK_P11_TOKEN=unrecognized expect 3 "$P" --module "$M" status
contains "a card is in the reader \"Mock Reader 00 00\" but the module could not read it (CKR_TOKEN_NOT_RECOGNIZED)"
MOCK_P11_TOKEN=unrecognized expect 3 "$I" --module "$M"
contains "A card is in this reader, but the module could not read it"
lacks "No card in this reader"
MOCK_P11_TOKEN=unrecognized expect 3 "$I" --module "$M" --json
printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["slots"][0]["card"]; assert c["state"] == "unreadable" and c["error"] == "CKR_TOKEN_NOT_RECOGNIZED", d' ||
	fail "eimza-info --json, unrecognized token: $out"

# ---- a PIN pad whose module refuses the keypad: never the terminal instead ---
echo "123456 12345678 3 3" >"$MOCK_P11_STATE"
MOCK_P11_PINPAD=refuse expect 1 setsid "$P" --module "$M" change </dev/null
contains "on the reader's keypad"
contains "does not support this operation"
lacks "--pin-source"
MOCK_P11_PINPAD=refuse expect 1 setsid "$P" --module "$M" unlock --yes </dev/null
contains "Type the PUK on the reader's keypad"
lacks "--puk-source"
untouched "a refused keypad"
# sources given win over the keypad (scripts written for plain readers)
MOCK_P11_PINPAD=refuse expect 0 env O=123456 N=654321 "$P" --module "$M" change --pin-source env:O --new-pin-source env:N
grep -q '^654321 ' "$MOCK_P11_STATE" || fail "the PIN from the sources was not set: $(cat "$MOCK_P11_STATE")"
echo "123456 12345678 3 3" >"$MOCK_P11_STATE"
# ---- a keypad that only verifies: login there, change on the computer -------
# eimza's vendor interface says so: the new PIN is asked on the terminal
# (none here: a clear error, nothing sent)
MOCK_P11_VENDOR=1 MOCK_P11_PINPAD=verify expect 2 setsid "$P" --module "$M" change </dev/null
contains "only checks PINs"
contains "--pin-source"
untouched "a change on a keypad that only verifies, without a terminal"
MOCK_P11_VENDOR=1 MOCK_P11_PINPAD=verify expect 2 setsid "$P" --module "$M" unlock --yes </dev/null
contains "only checks PINs"
untouched "an unlock on a keypad that only verifies, without a terminal"
# another module cannot say: the keypad is asked, and its refusal reported
MOCK_P11_PINPAD=verify expect 1 setsid "$P" --module "$M" change </dev/null
contains "does not support this operation"
untouched "a change refused by the keypad"
echo ok
