#!/bin/bash
# eimza-info and eimza-pin through the eimza module and a virtual AKIS card
# in the test bed: the JSON matches the card's certificate, three wrong PINs
# block the card (exit 5), wrong PUKs are counted, unlock with the PUK
# restores it and the new PIN works; Turkish messages; doctor masks the
# T.C. Kimlik No and sees the AKIS card.
. "$(dirname "$0")/../testbed/lib.sh"
tb_enter --card nes-rsa
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
tb_require python3 openssl
[ -f "${EIMZA_MODULE:-}" ] || skip "the eimza module is not built (${EIMZA_MODULE:-unset})"
B=$top_builddir/tools
I=$B/info/eimza-info
P=$B/pin/eimza-pin
export LC_ALL=C LANGUAGE=
T=$EIMZA_TB_DIR
register_build_module # doctor asks p11-kit

expect 0 "$I" --json
printf '%s' "$out" >"$T/info.json"
issuer=$(openssl x509 -in "$EIMZA_TB_CARD0_CA" -noout -subject -nameopt multiline,utf8 | sed -n 's/^ *commonName *= //p')
python3 - "$T/info.json" "$issuer" <<'PY' || fail "eimza-info --json does not match the card"
import json, sys
d = json.load(open(sys.argv[1]))
toks = [s["token"] for s in d["slots"] if s.get("card_present")]
assert len(toks) == 1, d
t = toks[0]
assert t["pin"] == {"tries_left": 3, "max_tries": 3, "exact": True, "blocked": False}, t["pin"]
# The PUK's counter as the card's PIN object says it (BF 81 02, tag 9B).
assert t["puk"] == {"tries_left": 3, "max_tries": 3, "exact": True, "blocked": False}, t["puk"]
# The card as eimza recognizes it from its ATR.
assert t["card_model"] == "AKIS 2.5.2 (NXP)" and t["family"] == "AKIS 2.x (TC)", t
assert t["dialect"] == "2.x", t
certs = [c for c in t["certificates"] if c.get("tckn")]
assert certs, t["certificates"]
c = certs[0]
assert c["tckn_valid"] and c["holder"] and c["status"] in ("valid", "renew"), c
assert c["issuer"] == sys.argv[2], (c["issuer"], sys.argv[2])
PY
tckn=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c for s in d["slots"] if s.get("token") for c in s["token"]["certificates"] if c.get("tckn")][0]["tckn"])' "$T/info.json")
expect 0 "$I"
contains "$tckn"

# doctor: the AKIS card, the masked number
set +e
out=$("$I" doctor 2>&1)
set -e
contains "(AKIS 2.5.2 (NXP), AKIS 2.x (TC))"
contains "${tckn:0:1}********${tckn:9:2}"
lacks "$tckn"

# three wrong PINs block the card
W=000000
expect 4 env W=$W N=111111 "$P" change --pin-source env:W --new-pin-source env:N
contains "Wrong PIN, 2 tries left"
expect 4 env W=$W N=111111 "$P" change --pin-source env:W --new-pin-source env:N
contains "Wrong PIN, 1 try left"
expect 5 env W=$W N=111111 "$P" change --pin-source env:W --new-pin-source env:N
contains "blocked"
expect 5 "$P" status
contains "PIN: blocked"
expect 5 env O=123456 N=111111 "$P" change --pin-source env:O --new-pin-source env:N
setup_turkish "$T/locale"
LC_ALL=tr_TR.UTF-8 expect 5 "$P" status
contains "PIN: kilitli"

# wrong PUKs are counted and reported
expect 4 env U=00000000 N=111111 "$P" unlock --yes --puk-source env:U --new-pin-source env:N
contains "Wrong PUK"
expect 5 "$P" status
contains "PUK: 2 of 3 tries left"
LC_ALL=tr_TR.UTF-8 expect 4 env U=00000001 N=111111 "$P" unlock --yes --puk-source env:U --new-pin-source env:N
contains "PUK yanlış"
# one PUK try left (the card's exact count): refused without --last-try,
# and nothing reaches the card
verifies=$(grep -c '^> 00 20 00 82' "$EIMZA_TB_CARD0_TRACE")
expect 2 env U=12345678 N=111111 "$P" unlock --yes --puk-source env:U --new-pin-source env:N
contains "PUK: 1 of 3 tries left"
contains "only one PUK try is left"
[ "$(grep -c '^> 00 20 00 82' "$EIMZA_TB_CARD0_TRACE")" = "$verifies" ] || fail "a refused unlock sent the PUK"

# unlock with the PUK, then the new PIN works and the old one does not
expect 0 env U=12345678 N=111111 "$P" unlock --yes --last-try --puk-source env:U --new-pin-source env:N
contains "PIN was unlocked"
expect 0 "$P" status
contains "PIN: 3 of 3 tries left"
expect 4 env O=123456 N=222222 "$P" change --pin-source env:O --new-pin-source env:N
expect 0 env O=111111 N=123456 "$P" change --pin-source env:O --new-pin-source env:N
PIN=123456 expect 0 "$I" doctor --sign-test --pin-source env:PIN
contains "A test signature was made by the card and verified"

# an EC card (P-384, ECDSA signature as r||s) swapped in: doctor's round trip
"$EIMZA_VCARD" init "$T/ec.img" --profile nes-ec >/dev/null 2>&1 || fail "eimza-vcard init nes-ec"
$EIMZA_TB_CTL card-swap 0 "$T/ec.img" >/dev/null || fail "card-swap"
sleep 1
expect 0 "$I"
contains "EC 384 bits"
PIN=123456 expect 0 "$I" doctor --sign-test --pin-source env:PIN
contains "A test signature was made by the card and verified"
# pcscd not answering (the tools pointed at a socket with nobody behind it):
# its own message and status, from the real module
PCSCLITE_CSOCK_NAME=$T/no-pcscd.sock expect 15 "$P" status
contains "pcscd"
lacks "insert your card"
PCSCLITE_CSOCK_NAME=$T/no-pcscd.sock expect 15 "$I"
contains "not running"
# the card's certificate is a test PKI's: eimza-info says it does not chain
# to Kamu SM's roots, and names its policy when it has one
expect 0 "$I"
contains "Trust:           does not chain to Kamu SM's roots"
echo ok
