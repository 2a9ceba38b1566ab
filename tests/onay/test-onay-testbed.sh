#!/bin/bash
# eimza-onay end to end through the eimza module and two virtual AKIS cards
# (NES RSA-2048 in reader 0, NES EC P-384 in reader 1) in the test bed:
# giriş and e-onay signed and verified, openssl cms accepts them, each
# verification failure has its own status, input errors never reach the
# card, three wrong PINs block it and the PUK brings it back, and a person
# at a terminal sees the prompts in English and Turkish.
. "$(dirname "$0")/../testbed/lib.sh"
tb_enter --card nes-rsa --card nes-ec
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
tb_require python3 openssl
[ -f "${EIMZA_MODULE:-}" ] || skip "the eimza module is not built (${EIMZA_MODULE:-unset})"
O=$top_builddir/tools/onay/eimza-onay
P=$top_builddir/tools/pin/eimza-pin
I=$top_builddir/tools/info/eimza-info
export LC_ALL=C LANGUAGE=
T=$EIMZA_TB_DIR
cd "$T"
export PIN=123456 WRONG=000000
CODE=482913775012634

"$I" --json >info.json
slot_of() { # reader -> slot id
	python3 -c 'import json,sys; print([s["slot"] for s in json.load(open("info.json"))["slots"] if s["reader"] == sys.argv[1]][0])' "$1"
}
tckn_of() {
	python3 -c 'import json,sys; print([c["tckn"] for s in json.load(open("info.json"))["slots"] if s["reader"] == sys.argv[1] for c in s["token"]["certificates"] if c.get("tckn")][0])' "$1"
}
S0=$(slot_of "$EIMZA_TB_CARD0_READER")
S1=$(slot_of "$EIMZA_TB_CARD1_READER")
TCKN0=$(tckn_of "$EIMZA_TB_CARD0_READER")
TCKN1=$(tckn_of "$EIMZA_TB_CARD1_READER")
[ "$TCKN0" != "$TCKN1" ] || fail "both cards have the same T.C. Kimlik No"
cat "$EIMZA_TB_CARD0_ROOTS" "$EIMZA_TB_CARD0_CA" >chain0.pem
cat "$EIMZA_TB_CARD1_ROOTS" "$EIMZA_TB_CARD1_CA" >chain1.pem
V0=(--ca "$EIMZA_TB_CARD0_ROOTS" --untrusted "$EIMZA_TB_CARD0_CA")
V1=(--ca "$EIMZA_TB_CARD1_ROOTS" --untrusted "$EIMZA_TB_CARD1_CA")

# ---- input checked before the card is touched ----------------------------
apdus() { wc -l <"$EIMZA_TB_CARD0_TRACE"; }
before=$(apdus)
expect 2 "$O" login --code 12345 --slot "$S0" --pin-source env:PIN
contains "exactly 15 digits"
expect 2 "$O" login --code 48291377501263x --slot "$S0" --pin-source env:PIN
contains "only digits"
expect 2 "$O" login --code "$CODE" --tckn 12345678901 --slot "$S0" --pin-source env:PIN
contains "check digits are wrong"
expect 2 "$O" approve --code "$CODE" --text "$(printf 'a\tb')" --slot "$S0" --pin-source env:PIN
contains "control character"
expect 2 "$O" login --slot "$S0" --pin-source env:PIN
contains "--code"
expect 2 "$O" login --code "$CODE" --decline
expect 2 "$O" verify
expect 8 "$O" login --code "$CODE" --created "@$(($(date +%s) - 400))" --slot "$S0" --pin-source env:PIN
contains "window closed"
expect 2 "$O" login --code "$CODE" --created "@$(($(date +%s) + 3600))" --slot "$S0" --pin-source env:PIN
contains "in the future"
[ "$(apdus)" = "$before" ] || fail "the card was used before the input was checked"
# another T.C. Kimlik No than the card's: refused, nothing signed
expect 14 "$O" login --code "$CODE" --tckn 10000000146 --slot "$S0" --pin-source env:PIN -o x.p7s
contains "no certificate on the card belongs to T.C. Kimlik No 10000000146"
[ ! -e x.p7s ] || fail "a signature was written for another T.C. Kimlik No"

# ---- giriş and e-onay on both cards, verified ----------------------------
expect 0 "$O" login --code "482 913 775 012 634" --tckn "$TCKN0" --slot "$S0" --pin-source env:PIN -o giris0.p7s
contains "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum."
contains "Time left:"
contains "written to giris0.p7s"
expect 0 "$O" verify giris0.p7s "${V0[@]}" --code "$CODE" --tckn "$TCKN0" --expect login
contains "The signature is valid."
# -cades: OpenSSL's own check that the signing-certificate attribute names
# the signer's certificate, besides the signature and the chain.
openssl cms -verify -cades -inform DER -in giris0.p7s -CAfile chain0.pem -out content0 2>/dev/null ||
	fail "openssl cms -verify -cades refuses the RSA giriş signature"
grep -q "^Doğrulama Kodu: $CODE\$" content0 || fail "the signed content lacks the code"

expect 0 "$O" approve --code "$CODE" --slot "$S1" --pin-source env:PIN --base64 -o onay1.p7s
b64=$(printf '%s' "$out" | tail -n 1)
printf '%s\n' "$b64" >onay1.b64
expect 0 "$O" verify onay1.b64 "${V1[@]}" --code "$CODE" --tckn "$TCKN1" --expect approve --json
printf '%s' "$out" >onay1.json
python3 - "$TCKN1" <<'PY' || fail "verify --json of the e-onay: $out"
import json, sys
d = json.load(open("onay1.json"))
assert d["valid"] and d["exit"] == 0, d
assert d["statement"]["kind"] == "onay" and d["statement"]["text"] == "KABUL EDİYORUM", d
assert d["signer"]["tckn"] == sys.argv[1] and d["signer"]["key_type"] == "EC", d
assert d["signer"]["qc_type"] == "esign", d
assert [c["result"] for c in d["checks"]] == ["ok"] * 8, d["checks"]
PY
openssl cms -verify -cades -inform DER -in onay1.p7s -CAfile chain1.pem -out /dev/null 2>/dev/null ||
	fail "openssl cms -verify -cades refuses the EC e-onay signature"
expect 0 "$O" approve --decline --code "$CODE" --slot "$S1" --pin-source env:PIN -o red1.p7s
expect 0 "$O" verify red1.p7s "${V1[@]}" --expect decline
contains "KABUL ETMİYORUM"
expect 13 "$O" verify red1.p7s "${V1[@]}" --expect approve
contains "another text was signed"

# ---- every failure its own status ----------------------------------------
expect 12 "$O" verify giris0.p7s "${V0[@]}" --code 482913775012635
contains "another verification code"
expect 14 "$O" verify giris0.p7s "${V0[@]}" --tckn "$TCKN1"
contains "another T.C. Kimlik No"
expect 10 "$O" verify giris0.p7s "${V1[@]}"
contains "does not chain"
# the test PKI's root is not one of Kamu SM's built-in roots: without --ca
# the signature is untrusted, and --no-default-ca needs --ca
expect 10 "$O" verify giris0.p7s --untrusted "$EIMZA_TB_CARD0_CA"
contains "does not chain to a trusted root (Kamu SM's roots that eimza ships, and --ca)"
expect 0 "$O" verify giris0.p7s --no-default-ca "${V0[@]}"
contains "(from --ca)"
expect 2 "$O" verify giris0.p7s "${V0[@]}" --window 0
# a window that closed before the signature: --created 299 s ago, then a
# verifier that allows 10 s
expect 0 "$O" login --code "$CODE" --created "@$(($(date +%s) - 20))" --slot "$S0" --pin-source env:PIN -o late.p7s
expect 8 "$O" verify late.p7s "${V0[@]}" --window 10
contains "after the code's window opened"
expect 0 "$O" verify late.p7s "${V0[@]}"
# tampered: one digit of the code inside the file
python3 - giris0.p7s tampered.p7s "$CODE" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.index(sys.argv[3].encode())
b[i] = ord("9") if b[i] != ord("9") else ord("8")
open(sys.argv[2], "wb").write(b)
PY
expect 6 "$O" verify tampered.p7s "${V0[@]}"
contains "does not verify"
if openssl cms -verify -cades -inform DER -in tampered.p7s -CAfile chain0.pem -out /dev/null 2>/dev/null; then
	fail "openssl accepted the tampered file"
fi
printf 'not a signature' >junk.p7s
expect 9 "$O" verify junk.p7s "${V0[@]}"
expect 2 "$O" verify missing.p7s "${V0[@]}"
expect 2 "$O" verify giris0.p7s --ca junk.p7s

# ---- PIN blocked through eimza-onay, unlocked with the PUK ---------------
expect 4 "$O" login --code "$CODE" --slot "$S0" --pin-source env:WRONG -o w.p7s
contains "Wrong PIN, 2 tries left"
expect 4 "$O" login --code "$CODE" --slot "$S0" --pin-source env:WRONG -o w.p7s
contains "Wrong PIN, 1 try left"
expect 5 "$O" login --code "$CODE" --slot "$S0" --pin-source env:WRONG -o w.p7s
contains "blocked"
expect 5 "$O" login --code "$CODE" --slot "$S0" --pin-source env:PIN -o w.p7s
[ ! -e w.p7s ] || fail "a signature was written with a blocked PIN"
expect 4 env U=00000000 N=654321 "$P" unlock --yes --slot "$S0" --puk-source env:U --new-pin-source env:N
contains "Wrong PUK"
expect 5 "$P" status --slot "$S0"
contains "PUK: 2 of 3 tries left"
expect 0 env U=12345678 N=654321 "$P" unlock --yes --slot "$S0" --puk-source env:U --new-pin-source env:N
NEWPIN=654321 expect 0 "$O" login --code "$CODE" --slot "$S0" --pin-source env:NEWPIN -o again.p7s
expect 0 "$O" verify again.p7s "${V0[@]}" --code "$CODE"

# ---- a person at a terminal, English and Turkish -------------------------
command -v script >/dev/null || skip "script(1) missing (util-linux)"
setup_turkish "$T/locale"
typing() { sleep 1; printf '%s\n' "$1"; sleep 1; }
set +e
out=$(typing 654321 | script -q -e -c "$O login --code $CODE --slot $S0 -o tty.p7s" /dev/null 2>&1)
rc=$?
set -e
[ $rc = 0 ] || fail "login on a terminal exited $rc: $out"
contains "Text to sign:"
contains "Time left:"
contains "PIN: "
lacks 654321
set +e
out=$(typing 000000 | LC_ALL=tr_TR.UTF-8 script -q -e -c "$O login --code $CODE --slot $S0 -o tty.p7s" /dev/null 2>&1)
rc=$?
set -e
[ $rc = 4 ] || fail "a wrong PIN on a Turkish terminal exited $rc: $out"
contains "İmzalanacak metin:"
contains "Kalan süre:"
contains "PIN yanlış, 2 deneme hakkınız kaldı"
lacks 000000
LC_ALL=tr_TR.UTF-8 expect 12 "$O" verify giris0.p7s "${V0[@]}" --code 482913775012635
contains "başka bir doğrulama kodu"

# ---- a card with two qualified certificates: listed, the person picks one --
"$EIMZA_VCARD" init "$T/multi.img" --profile multi >/dev/null 2>&1 || fail "eimza-vcard init multi"
$EIMZA_TB_CTL card-swap 1 "$T/multi.img" >/dev/null || fail "card-swap"
sleep 1
expect 2 "$O" login --code "$CODE" --slot "$S1" --pin-source env:PIN -o pick.p7s </dev/null
contains "several certificates"
contains "--cert"
typing2() { sleep 1; printf '2\n'; sleep 1; printf '%s\n' "$PIN"; sleep 1; }
set +e
out=$(typing2 | script -q -e -c "$O login --code $CODE --slot $S1 -o pick.p7s" /dev/null 2>&1)
rc=$?
set -e
[ $rc = 0 ] || fail "picking a certificate on a terminal exited $rc: $out"
contains "1) TEST KULLANICI"
contains "2) TEST KULLANICI"
contains "Which certificate [1-2]?"
# the second one is the card's RSA-3072 signing certificate: nonRepudiation
# but no QC statement, so an advanced signature, not a qualified one
expect 11 "$O" verify pick.p7s --ca "$T/multi.img.roots.pem" --untrusted "$T/multi.img.ca.pem" --json
printf '%s' "$out" >pick.json
python3 -c '
import json
d = json.load(open("pick.json"))
assert d["signer"]["key_bits"] == 3072, d["signer"]
assert [c["result"] for c in d["checks"]][:4] == ["ok", "ok", "ok", "fail"], d["checks"]
assert "QcCompliance" in d["checks"][3]["message"], d["checks"][3]' ||
	fail "the second certificate (RSA-3072) was not the one used, or not reported as unqualified"
# the authentication certificate (no nonRepudiation) is never offered, and a
# signature made with it by name is not a qualified one
auth=$("$I" --json --slot "$S1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([c["label"] for s in d["slots"] if s.get("token") for c in s["token"]["certificates"] if c["key_type"] == "EC"][0])')
expect 0 "$O" login --code "$CODE" --slot "$S1" --cert "$auth" --pin-source env:PIN -o auth.p7s
expect 11 "$O" verify auth.p7s --ca "$T/multi.img.roots.pem" --untrusted "$T/multi.img.ca.pem"
contains "lacks nonRepudiation"
echo ok
