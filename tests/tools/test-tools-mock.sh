#!/bin/sh
# eimza-pin and eimza-info against a mock module whose PIN and PUK counters
# persist between runs: three wrong PINs block (exit 5), status says so in
# English and Turkish, wrong PUKs are counted, unlock with the PUK restores
# the PIN only after a warning and a consent (refused on the last PUK try
# without --last-try), a blocked PUK is reported with what to do, and a PIN
# pad reader gets "type it on the reader" with no PIN read from anywhere.
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
echo ok
