#!/bin/sh
# eimza-info, eimza-pin and eimza-onay end to end through a PKCS#11 module, SoftHSM2
# (--module PATH, any module works): listing and JSON, PIN change and the old
# PIN failing, policy refusal before the card, unlock with the PUK (SoftHSM's
# SO PIN), wrong PUK, Turkish output, doctor's masked T.C. Kimlik No, exit
# statuses. Blocking after three tries needs a card: test-tools-testbed.sh.
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
B=$top_builddir/tools
M=
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$f" ] && M=$f && break
done
[ -n "$M" ] || skip "SoftHSM2 not installed (apt-get install softhsm2)"
command -v softhsm2-util >/dev/null || skip "softhsm2-util missing"
command -v pkcs11-tool >/dev/null || skip "pkcs11-tool missing (apt-get install opensc)"
command -v python3 >/dev/null || skip "python3 missing"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SOFTHSM2_CONF=$T/softhsm2.conf
mkdir "$T/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label "Test Kart" --pin 123456 --so-pin 12345678 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/k.pem" -out "$T/c.pem" -days 400 -utf8 \
	-subj "/C=TR/serialNumber=10000000146/CN=Ayşe Yılmaz" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/k.pem" -outform DER -out "$T/k.der"
openssl x509 -in "$T/c.pem" -outform DER -out "$T/c.der"
pkcs11-tool --module "$M" --login --pin 123456 --write-object "$T/k.der" --type privkey --id 01 --label imza >/dev/null 2>&1
pkcs11-tool --module "$M" --login --pin 123456 --write-object "$T/c.der" --type cert --id 01 --label imza >/dev/null 2>&1
export LC_ALL=C LANGUAGE=
unset EIMZA_MODULE

# --- eimza-info --------------------------------------------------------------
expect 0 "$B/info/eimza-info" --module "$M"
contains "Ayşe Yılmaz"
contains "10000000146"
contains "RSA 2048 bits"
contains "3 of 3 tries left"
expect 0 "$B/info/eimza-info" --module "$M" --token "Test Kart" --json
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
tok = [s["token"] for s in d["slots"] if s.get("token")][0]
assert tok["label"] == "Test Kart", tok
assert tok["pin"]["tries_left"] == 3 and not tok["pin"]["blocked"], tok["pin"]
c = tok["certificates"][0]
assert c["holder"] == "Ayşe Yılmaz" and c["tckn"] == "10000000146" and c["tckn_valid"], c
assert c["key_type"] == "RSA" and c["key_bits"] == 2048 and c["status"] == "valid", c
assert 398 <= c["days_left"] <= 400, c
' || fail "eimza-info --json does not describe the token"
# renewal window and expiry with a fixed "now"
EIMZA_INFO_NOW=$(( $(date +%s) + 320 * 86400 )) expect 0 "$B/info/eimza-info" --module "$M"
contains "renewal window is open"
EIMZA_INFO_NOW=$(( $(date +%s) + 410 * 86400 )) expect 0 "$B/info/eimza-info" --module "$M"
contains "ERROR: expired"
# times: local with the UTC offset for people, UTC in JSON (TZ as a POSIX
# rule, so no time zone database is needed: UTC+3 and UTC-5)
na=$(openssl x509 -in "$T/c.pem" -noout -enddate | sed 's/^notAfter=//')
na_utc=$(date -u -d "$na" +%Y-%m-%dT%H:%M:%SZ)
TZ='<+03>-3' expect 0 "$B/info/eimza-info" --module "$M"
contains "$(TZ='<+03>-3' date -d "$na" '+%Y-%m-%d %H:%M:%S') +03:00"
TZ='<-05>5' expect 0 "$B/info/eimza-info" --module "$M"
contains "$(TZ='<-05>5' date -d "$na" '+%Y-%m-%d %H:%M:%S') -05:00"
TZ='<+03>-3' expect 0 "$B/info/eimza-info" --module "$M" --json
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = [c for s in d["slots"] if s.get("token") for c in s["token"]["certificates"]][0]
assert c["not_after"] == sys.argv[1], (c["not_after"], sys.argv[1])
' "$na_utc" || fail "eimza-info --json: not_after is not $na_utc in UTC: $out"
expect 3 "$B/info/eimza-info" --module "$M" --token "no such card"
expect 7 "$B/info/eimza-info" --module "$T/nonexistent.so"
expect 2 "$B/info/eimza-info" --bogus
# by p11-kit name: Debian's softhsm2 registers itself as "softhsm2"
if p11-kit list-modules 2>/dev/null | grep -q '^softhsm2:'; then
	expect 0 "$B/info/eimza-info" --module softhsm2 --token "Test Kart"
	contains "Ayşe Yılmaz"
fi
expect 7 "$B/pin/eimza-pin" --module no-such-p11kit-module status
contains "p11-kit knows no module"

# --- doctor: masked T.C. Kimlik No, sign test --------------------------------

set +e
out=$(PIN=123456 "$B/info/eimza-info" --module "$M" doctor --sign-test --pin-source env:PIN 2>&1)
set -e
contains "1********46"
lacks "10000000146"
contains "[OK  ] A test signature was made by the card and verified"
PIN=999999 expect 4 "$B/info/eimza-info" --module "$M" doctor --sign-test --pin-source env:PIN
contains "Wrong PIN, 2 tries left"
contains "no test signature was made"
PIN=123456 expect 6 "$B/info/eimza-info" --module "$M" doctor --sign-test --pin-source env:PIN
contains "[OK  ] A test signature was made by the card and verified"
set +e
out=$("$B/info/eimza-info" --module "$M" doctor --json 2>&1)
set -e
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"] in ("OK", "WARN", "FAIL")
assert any(c["check"] == "pin" and c["result"] == "OK" for c in d["checks"]), d
' || fail "doctor --json"
lacks "10000000146"

# doctor: a library of another architecture; Firefox profiles with and without the module
python3 - "$T/arm.so" <<'PY'
import struct, sys
b = bytearray(open("/bin/sh", "rb").read()[:64])
struct.pack_into("<H", b, 18, 183)  # e_machine = EM_AARCH64
open(sys.argv[1], "wb").write(bytes(b))
PY
expect 6 "$B/info/eimza-info" --module "$T/arm.so" doctor
contains "another processor architecture"
mkdir -p "$T/home/.mozilla/firefox/a.default" "$T/home/.thunderbird/b.default"
printf 'library=/usr/lib/x86_64-linux-gnu/pkcs11/eimza-pkcs11.so\nname=eimza\n' >"$T/home/.mozilla/firefox/a.default/pkcs11.txt"
printf 'library=\nname=NSS Internal PKCS #11 Module\n' >"$T/home/.thunderbird/b.default/pkcs11.txt"
HOME=$T/home expect 6 "$B/info/eimza-info" --module "$M" doctor
contains "[OK  ] Firefox loads the module (\"eimza\") in $T/home/.mozilla/firefox/a.default"
contains "[WARN] Thunderbird does not load the module in $T/home/.thunderbird/b.default"
printf 'library=p11-kit-proxy.so\n' >"$T/home/.thunderbird/b.default/pkcs11.txt"
HOME=$T/home expect 6 "$B/info/eimza-info" --module "$M" doctor
contains "[OK  ] Thunderbird loads the module (\"p11-kit-proxy.so\")"
lacks "does not load the module"

# --- eimza-pin ---------------------------------------------------------------
P=$B/pin/eimza-pin
expect 0 "$P" --module "$M" status
contains "PIN: 3 of 3 tries left"
# PINs never on the command line: a bare value is refused as a source
expect 2 "$P" --module "$M" change --pin-source 123456 --new-pin-source env:X
# policy: refused before anything reaches the token
NEW=12ab56 OLD=123456 expect 2 "$P" --module "$M" change --pin-source env:OLD --new-pin-source env:NEW
contains "digits only"
contains "nothing was sent"
NEW=123 OLD=123456 expect 2 "$P" --module "$M" change --pin-source env:OLD --new-pin-source env:NEW
expect 0 "$P" --module "$M" status
contains "PIN: 3 of 3 tries left"
# change, then the old PIN fails
printf '123456\n654321\n' >"$T/pins"
expect 0 "$P" --module "$M" change --pin-source fd:3 --new-pin-source fd:3 3<"$T/pins"
contains "The PIN was changed"
OLD=123456 NEW=111111 expect 4 "$P" --module "$M" change --pin-source env:OLD --new-pin-source env:NEW
contains "Wrong PIN, 2 tries left"
# Turkish
setup_turkish "$T/locale"
OLD=123456 NEW=111111 LC_ALL=tr_TR.UTF-8 expect 4 "$P" --module "$M" change --pin-source env:OLD --new-pin-source env:NEW
contains "PIN yanlış, 2 deneme hakkınız kaldı"
LC_ALL=tr_TR.UTF-8 expect 0 "$B/info/eimza-info" --module "$M"
contains "Sahibi:          Ayşe Yılmaz"
# unlock: wrong PUK counted, right PUK sets a new PIN that works
printf '87654321\n222222\n' >"$T/puk"
NEW=222222 expect 4 "$P" --module "$M" unlock --yes --puk-source file:"$T/puk" --new-pin-source env:NEW
contains "Wrong PUK"
NEW=222222 PUK=12345678 expect 0 "$P" --module "$M" unlock --yes --puk-source env:PUK --new-pin-source env:NEW
contains "PIN was unlocked"
OLD=222222 NEW=333333 expect 0 "$P" --module "$M" change --pin-source env:OLD --new-pin-source env:NEW
# --- eimza-onay through another module -------------------------------------
# SoftHSM's certificate has no keyUsage: not offered unless named, and the
# verifier signs it off as not qualified (11) while the signature and chain
# (a self-signed certificate given as its own root) are good.
O=$B/onay/eimza-onay
PIN=333333 expect 3 "$O" --module "$M" login --code 111222333444555 --pin-source env:PIN -o "$T/s.p7s"
contains "--cert"
PIN=333333 expect 0 "$O" --module "$M" login --code 111222333444555 --cert imza --pin-source env:PIN -o "$T/s.p7s"
contains "Ayşe Yılmaz (T.C. Kimlik No 10000000146)"
expect 11 "$O" verify "$T/s.p7s" --ca "$T/c.pem" --code 111222333444555 --tckn 10000000146
contains "[OK  ] the signature is intact"
contains "lacks nonRepudiation"
# the statement's times: local with its offset for people, UTC in JSON
created=$(openssl cms -verify -noverify -inform DER -in "$T/s.p7s" -out - 2>/dev/null | sed -n 's/^Oluşturma Tarihi: //p')
[ -n "$created" ] || fail "no creation time in the signed statement"
TZ='<+03>-3' expect 11 "$O" verify "$T/s.p7s" --ca "$T/c.pem"
contains "Created:      $(TZ='<+03>-3' date -d "$created" '+%Y-%m-%d %H:%M:%S') +03:00"
contains "Signed:       "
TZ='<+03>-3' expect 11 "$O" verify "$T/s.p7s" --ca "$T/c.pem" --json
printf '%s' "$out" | python3 -c '
import json, re, sys
d = json.load(sys.stdin)
assert d["statement"]["created"] == sys.argv[1], d["statement"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["signing_time"]), d
w = [c for c in d["checks"] if c["check"] == "window"][0]["message"]
assert "Z" in w and "+03:00" not in w, w
' "$created" || fail "eimza-onay verify --json times: $out"
openssl cms -verify -inform DER -in "$T/s.p7s" -CAfile "$T/c.pem" -purpose any -out /dev/null 2>/dev/null ||
	fail "openssl cms -verify refuses eimza-onay's signature made through SoftHSM"
# a PIN source that never ends a line, an empty PIN: refused before the
# card, nothing signed, no try counted
expect 2 timeout 10 "$O" --module "$M" login --code 111222333444555 --cert imza --pin-source file:/dev/zero -o "$T/z.p7s"
contains "never ends a line"
expect 2 timeout 10 sh -c "'$O' --module '$M' login --code 111222333444555 --cert imza --pin-source fd:0 -o '$T/z.p7s' </dev/zero"
PIN= expect 2 "$O" --module "$M" login --code 111222333444555 --cert imza --pin-source env:PIN -o "$T/z.p7s"
contains "The PIN is empty"
[ ! -e "$T/z.p7s" ] || fail "a signature was written with a PIN from /dev/zero or an empty PIN"
expect 2 timeout 10 "$B/info/eimza-info" --module "$M" doctor --sign-test --pin-source file:/dev/zero
contains "never ends a line"
PIN=12x456 expect 2 "$B/info/eimza-info" --module "$M" doctor --sign-test --pin-source env:PIN
contains "digits only"
expect 0 "$P" --module "$M" status
contains "PIN: 3 of 3 tries left"
# no terminal and no source: a clear error, not a hang
expect 2 setsid "$P" --module "$M" change </dev/null
contains "--pin-source"
# a person at a terminal (pseudo-terminal through script(1)): the prompts,
# in English and Turkish, and no PIN echoed back
if command -v script >/dev/null; then
	typing() { sleep 1; for x in "$@"; do printf '%s\n' "$x"; sleep 1; done; }
	set +e
	out=$(typing 333333 444444 444444 | script -q -e -c "$P --module $M change" /dev/null 2>&1)
	rc=$?
	set -e
	[ $rc = 0 ] || fail "change on a terminal exited $rc: $out"
	contains "Current PIN: "
	contains "New PIN again: "
	lacks 444444
	set +e
	out=$(typing 444444 555555 555556 | LC_ALL=tr_TR.UTF-8 script -q -e -c "$P --module $M change" /dev/null 2>&1)
	rc=$?
	set -e
	[ $rc = 2 ] || fail "mismatched new PINs on a terminal exited $rc: $out"
	contains "Mevcut PIN: "
	contains "Yeni PIN (tekrar): "
	contains "iki yeni PIN farklı"
	lacks 555555
else
	skip "script(1) missing (util-linux)"
fi
# a label with an escape sequence (a hostile card or module) never reaches
# the terminal as one
pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/c.der" --type cert --id 03 \
	--label "$(printf 'x\033[2Jy')" >/dev/null 2>&1 || fail "pkcs11-tool could not write the certificate"
expect 0 "$B/info/eimza-info" --module "$M"
contains "x?[2Jy"
lacks "$(printf '\033')"
# hostile names: a certificate whose CN carries a right-to-left override and
# a C1 control sequence introducer, a label with a C1 control and bytes
# that are not UTF-8: nothing of it reaches the terminal, and --json stays
# valid JSON with no hidden control in any value
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/h.key" \
	-out "$T/h.pem" -days 30 -utf8 \
	-subj "/C=TR/CN=$(printf 'Ali \342\200\256LUBAK\302\2332J')" 2>/dev/null || fail "openssl req (hostile CN)"
openssl x509 -in "$T/h.pem" -outform DER -out "$T/h.der"
pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/h.der" --type cert --id 04 \
	--label "$(printf 'e\302\205v\377il\342\201\246')" >/dev/null 2>&1 || fail "pkcs11-tool (hostile label)"
expect 0 "$B/info/eimza-info" --module "$M"
contains "Ali ?LUBAK?2J"
contains 'e?v?il?'
for bad in '\342\200\256' '\302\233' '\302\205' '\377' '\342\201\246'; do
	lacks "$(printf "$bad")"
done
expect 0 "$B/info/eimza-info" --module "$M" --json
printf '%s' "$out" >"$T/hostile.json"
python3 - "$T/hostile.json" <<'PY' || fail "eimza-info --json with hostile names: $out"
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # strict: no invalid UTF-8 in the document
d = json.loads(raw)
bad = [chr(c) for c in list(range(0x20)) + [0x7F] + list(range(0x80, 0xA0))] + \
      ["\u202e", "\u2066", "\u200f", "\u2028"]
def walk(v):
    if isinstance(v, dict):
        for x in v.values(): walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
    elif isinstance(v, str):
        assert not any(b in v for b in bad), repr(v)
walk(d)
labels = [c["label"] for s in d["slots"] if s.get("token") for c in s["token"]["certificates"]]
assert "e?v?il?" in labels, labels
PY

# ---- Kamu SM's trust anchors --------------------------------------------------
# verify trusts Kamu SM's roots that eimza ships, and a test PKI only with --ca
expect 10 "$O" verify "$T/s.p7s"
contains "does not chain to a trusted root"
expect 11 "$O" verify "$T/s.p7s" --ca "$T/c.pem"
contains "chains to the trusted root \"Ayşe Yılmaz\" (from --ca)"
expect 2 "$O" verify "$T/s.p7s" --no-default-ca
contains "--no-default-ca leaves no root to trust"
expect 11 "$O" verify "$T/s.p7s" --no-default-ca --ca "$T/c.pem"
# eimza-info says whether a certificate chains to Kamu SM: the NES issuing CA
# itself on the token does (to root 6), the self-signed test certificate not
openssl x509 -in "$top_srcdir/data/trust/kamusm-nes-ca-v6.pem" -outform DER -out "$T/nes.der"
pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/nes.der" --type cert --id 05 \
	--label "Kamu SM NES" >/dev/null 2>&1 || fail "pkcs11-tool (NES CA)"
expect 0 "$B/info/eimza-info" --module "$M"
contains "Trust:           chains to Kamu SM's root \"Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6\""
contains "Policy:          2.16.792.1.2.1.1.5.7.1.1"
contains "Trust:           does not chain to Kamu SM's roots"
expect 0 "$B/info/eimza-info" --module "$M" --json
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = {c["label"]: c for s in d["slots"] if s.get("token") for c in s["token"]["certificates"]}
n = c["Kamu SM NES"]
assert n["kamusm_chain"] and n["kamusm_root"] == "Kamu SM Kök Sertifika Hizmet Sağlayıcısı - Sürüm 6", n
assert n["policies"] == [{"oid": "2.16.792.1.2.1.1.5.7.1.1", "name": None}], n
assert not c["imza"]["kamusm_chain"] and c["imza"]["kamusm_root"] is None, c["imza"]
' || fail "eimza-info --json: Kamu SM chain: $out"
# a CA certificate on the card goes into the signature, so the root alone
# verifies it (openssl too); the NES policy is named
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$T/ca.ext"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,nonRepudiation\ncertificatePolicies=2.16.792.1.61.0.1.5070.1.1\n' >"$T/leaf.ext"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/r2.key" -out "$T/r2.pem" \
	-days 30 -subj "/CN=EIMZA TEST Kok" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || fail "openssl (test root)"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca2.key" -out "$T/ca2.csr" \
	-subj "/CN=EIMZA TEST NES SM" 2>/dev/null || fail "openssl (test CA request)"
openssl x509 -req -in "$T/ca2.csr" -CA "$T/r2.pem" -CAkey "$T/r2.key" -set_serial 2 -days 30 \
	-extfile "$T/ca.ext" -out "$T/ca2.pem" 2>/dev/null || fail "openssl (test CA)"
openssl req -newkey rsa:2048 -nodes -keyout "$T/l2.key" -out "$T/l2.csr" -utf8 \
	-subj "/C=TR/serialNumber=10000000146/CN=Ayşe Yılmaz" 2>/dev/null || fail "openssl (leaf request)"
openssl x509 -req -in "$T/l2.csr" -CA "$T/ca2.pem" -CAkey "$T/ca2.key" -set_serial 3 -days 30 \
	-extfile "$T/leaf.ext" -out "$T/l2.pem" 2>/dev/null || fail "openssl (leaf)"
openssl pkcs8 -topk8 -nocrypt -in "$T/l2.key" -outform DER -out "$T/l2k.der"
for f in ca2 l2; do openssl x509 -in "$T/$f.pem" -outform DER -out "$T/$f.der"; done
pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/ca2.der" --type cert --id 06 --label "test CA" >/dev/null 2>&1 &&
	pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/l2k.der" --type privkey --id 07 --label nes2 >/dev/null 2>&1 &&
	pkcs11-tool --module "$M" --login --pin 444444 --write-object "$T/l2.der" --type cert --id 07 --label nes2 >/dev/null 2>&1 ||
	fail "pkcs11-tool (test chain)"
expect 0 "$B/info/eimza-info" --module "$M"
contains "Policy:          NES (qualified certificate), individual (2.16.792.1.61.0.1.5070.1.1)"
PIN=444444 expect 0 "$O" --module "$M" login --code 111222333444555 --cert nes2 --pin-source env:PIN -o "$T/chain.p7s"
openssl cms -verify -inform DER -in "$T/chain.p7s" -CAfile "$T/r2.pem" -purpose any -out /dev/null 2>/dev/null ||
	fail "openssl cms -verify with only the root: the card's CA is not in the signature"
[ "$(openssl pkcs7 -inform DER -in "$T/chain.p7s" -print_certs 2>/dev/null | grep -c '^subject=')" = 2 ] ||
	fail "the signature does not carry exactly the signer's and the CA's certificate"
expect 11 "$O" verify "$T/chain.p7s" --ca "$T/r2.pem" --json
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [c["result"] for c in d["checks"]][:3] == ["ok", "ok", "ok"], d["checks"]
assert d["signer"]["policies"] == [{"oid": "2.16.792.1.61.0.1.5070.1.1",
                                    "name": "NES (qualified certificate), individual"}], d["signer"]
' || fail "eimza-onay verify of a signature carrying its CA: $out"
expect 11 "$O" verify "$T/chain.p7s" --ca "$T/r2.pem"
contains "Policy:       NES (qualified certificate), individual (2.16.792.1.61.0.1.5070.1.1)"
set +e
out=$("$B/info/eimza-info" --module "$M" doctor 2>&1)
set -e
contains "[WARN] Certificate of 1********46 does not chain to Kamu SM's roots"
lacks "Sürüm 6 chains"
lacks "Sürüm 6 does not chain"
echo "ok"
