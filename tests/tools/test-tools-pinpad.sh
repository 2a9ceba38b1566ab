#!/bin/bash
# The tools with a card in the test bed's PIN-pad reader, through the eimza
# module: every PIN typed on the keypad (`$EIMZA_TB_CTL pinpad-type`), none
# read on the computer (the tools run without a terminal and would fail if
# they tried); eimza-info shows the keypad, eimza-pin changes and unlocks
# the PIN on it, eimza-onay signs with it, in English and Turkish; a wrong
# PIN and the Cancel key said as such; a reader that only verifies. First
# the issue's "done when": pkcs11-tool logs in without --pin after the PIN
# is typed on the pad, signs, and the card's trace shows the VERIFY the
# reader built, its PIN masked.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require pkcs11-tool python3 openssl
tb_enter --card nes-rsa --pinpad --card nes-ec --pinpad-verify
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
[ -f "${EIMZA_MODULE:-}" ] || skip "the eimza module is not built (${EIMZA_MODULE:-unset})"
. "$top_srcdir/tests/apps/apps-lib.sh"
B=$top_builddir/tools
I=$B/info/eimza-info
P=$B/pin/eimza-pin
O=$B/onay/eimza-onay
M=$EIMZA_MODULE
export LC_ALL=C LANGUAGE=
T=$EIMZA_TB_DIR
cd "$T"
TRACE=$EIMZA_TB_CARD0_TRACE
pad() { $EIMZA_TB_CTL "$@" >/dev/null; } # a person at the reader
last_command() { grep '^>' "$TRACE" | tail -1; }

expect 0 "$I" --module "$M" --json
printf '%s' "$out" >info.json
slot_of() { # reader -> slot id
	python3 -c 'import json,sys; print([s["slot"] for s in json.load(open("info.json"))["slots"] if s["reader"] == sys.argv[1]][0])' "$1"
}
S0=$(slot_of "$EIMZA_TB_CARD0_READER")
S1=$(slot_of "$EIMZA_TB_CARD1_READER")

# ---- the issue's done-when: pkcs11-tool, no --pin --------------------------
printf 'data to sign\n' >data
pad pinpad-type 0 123456 &
typer=$!
expect 0 foreign pkcs11-tool --module "$M" --slot "$S0" --login --login-type user \
	--sign -m SHA256-RSA-PKCS --input-file data --output-file sig
wait $typer || fail "pinpad-type 0 123456 failed"
lacks "Please enter"
grep -q '^> 00 20 00 81 06 \*\* \*\* \*\* \*\* \*\* \*\*$' "$TRACE" ||
	fail "the card's trace has no VERIFY built by the reader with its PIN masked"
lacks 123456
grep -q 313233343536 "$TRACE" && fail "the PIN is in the card's trace"
foreign pkcs11-tool --module "$M" --slot "$S0" --read-object --type cert \
	--id "$(foreign pkcs11-tool --module "$M" --slot "$S0" -O --type cert 2>/dev/null | sed -n 's/^ *ID: *//p' | head -1)" \
	--output-file cert.der >/dev/null 2>&1
openssl x509 -inform DER -in cert.der -pubkey -noout >pub.pem
openssl dgst -sha256 -verify pub.pem -signature sig data >/dev/null || fail "the signature does not verify"

# ---- eimza-info -----------------------------------------------------------
python3 - info.json "$EIMZA_TB_CARD0_READER" "$EIMZA_TB_CARD1_READER" <<'PY' || fail "eimza-info --json: the keypads"
import json, sys
d = json.load(open(sys.argv[1]))
tok = {s["reader"]: s["token"] for s in d["slots"] if s.get("token")}
pad, vonly = tok[sys.argv[2]], tok[sys.argv[3]]
assert pad["pinpad"] is True and pad["pinpad_change"] is True, pad
assert vonly["pinpad"] is True and vonly["pinpad_change"] is False, vonly
PY
expect 0 "$I" --module "$M"
contains "The reader has a PIN pad: PINs are typed on the reader."
contains "to log in, and changed on the computer"
# the probe for a bug report says what the keypad is used for
expect 0 "$I" --module "$M" probe
contains "Keypad:   verify, change, PIN 4 to 16 digits"
contains "Keypad:   verify only, PIN 4 to 16 digits"

# ---- eimza-pin change: everything on the keypad ---------------------------
pad pinpad-type 0 123456 654321 654321 &
expect 0 setsid "$P" --module "$M" --slot "$S0" change </dev/null
wait $! || fail "pinpad-type for the change failed"
contains "Type the current PIN and then the new PIN twice on the reader's keypad."
contains "The PIN was changed."
lacks "Current PIN:"
[ "$(last_command)" = "> 00 24 00 81 0C ** ** ** ** ** ** ** ** ** ** ** **" ] ||
	fail "no CHANGE REFERENCE DATA built by the reader: $(last_command)"
# a wrong current PIN typed on the keypad: counted and said so
pad pinpad-type 0 000000 111111 111111 &
expect 4 setsid "$P" --module "$M" --slot "$S0" change </dev/null
wait $!
contains "Wrong PIN, 2 tries left"
# the Cancel key
pad pinpad-cancel 0 &
expect 1 setsid "$P" --module "$M" --slot "$S0" change </dev/null
wait $!
contains "Cancelled"
# back, in Turkish
setup_turkish "$T/locale"
pad pinpad-type 0 654321 123456 123456 &
LC_ALL=tr_TR.UTF-8 expect 0 setsid "$P" --module "$M" --slot "$S0" change </dev/null
wait $!
contains "Okuyucunun tuş takımında önce mevcut PIN'i, sonra iki kez yeni PIN'i girin."
contains "PIN değiştirildi"

# ---- eimza-pin unlock: the PUK and the new PIN on the keypad ----------------
W=000000
for _ in 1 2 3; do env W=$W N=111111 "$P" --module "$M" --slot "$S0" change \
	--pin-source env:W --new-pin-source env:N >/dev/null 2>&1 || true; done
expect 5 "$P" --module "$M" --slot "$S0" status
# the PUK for the SO login, then the new PIN twice for the unblock
(pad pinpad-type 0 12345678 && pad pinpad-type 0 123456 123456) &
expect 0 setsid "$P" --module "$M" --slot "$S0" unlock --yes </dev/null
wait $! || fail "pinpad-type for the unlock failed"
contains "Type the PUK on the reader's keypad."
contains "Type the new PIN twice on the reader's keypad."
contains "The PIN was unlocked"
expect 0 "$P" --module "$M" --slot "$S0" status
contains "PIN: 3 of 3 tries left"

# ---- eimza-onay: the login on the keypad, the NES signature its consent -----
CODE=482913775012634
pad pinpad-type 0 123456 &
LC_ALL=tr_TR.UTF-8 expect 0 setsid "$O" login --module "$M" --slot "$S0" --code "$CODE" \
	-o pad.p7s </dev/null
wait $! || fail "pinpad-type for eimza-onay failed"
contains "PIN'i okuyucunun tuş takımında girin."
expect 0 "$O" verify pad.p7s --ca "$EIMZA_TB_CARD0_ROOTS" --untrusted "$EIMZA_TB_CARD0_CA" --code "$CODE"

# ---- a reader that only verifies ---------------------------------------------
# The login on the keypad; a change on the computer (from sources here).
pad pinpad-type 1 123456 &
expect 0 setsid "$O" login --module "$M" --slot "$S1" --code "$CODE" -o ec.p7s </dev/null
wait $!
contains "Type the PIN on the reader's keypad."
expect 0 "$O" verify ec.p7s --ca "$EIMZA_TB_CARD1_ROOTS" --untrusted "$EIMZA_TB_CARD1_CA" --code "$CODE"
expect 2 setsid "$P" --module "$M" --slot "$S1" change </dev/null
contains "only checks PINs"
contains "--pin-source"
expect 0 env O=123456 N=654321 "$P" --module "$M" --slot "$S1" change \
	--pin-source env:O --new-pin-source env:N
contains "The PIN was changed."
echo ok
