#!/bin/sh
# test-perso-cli.sh: `eimza-vcard init` from the command line: --help
# documents every option, the generations, the ATR IDs and the default
# PIN/PUK; errors are clear and never echo a secret; the generation and the
# ATR refuse what the card cannot hold; an existing image is kept without
# --force; and the written PEM files verify the card's certificates with
# openssl(1).
set -u

skip() {
	echo "SKIP: $*" >&2
	if [ "${EIMZA_STRICT:-}" = 1 ]; then exit 99; fi
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cli=${top_builddir:-.}/tests/vcard-perso/perso-cli
[ -x "$cli" ] || fail "$cli not built"
tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C
export LC_ALL

# --help: every long option, the defaults.
"$cli" --help >"$tmp/help" 2>&1 || fail "--help exit status"
for opt in --generation --profile --name --org --tckn --vkn --pin-source --puk-source --atr \
	--protect-public-keys --days --not-before --serial --seed --force --help nes-rsa nes-ec \
	seal seal-rsa multi 123456 12345678 fd:N env:VAR file:PATH 1.2 tc-2.5.2-nxp uekae-1292 \
	tc-2.2.8-nxp 3B9F978131FE458065544353228231C073F62180810553; do
	grep -q -- "$opt" "$tmp/help" || fail "--help does not mention $opt"
done

# expect_error STATUS TEXT ARGS...: fails with STATUS, stderr holds TEXT.
expect_error() {
	want=$1 text=$2
	shift 2
	"$cli" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || fail "$* exited $got, not $want: $(cat "$tmp/err")"
	grep -q -- "$text" "$tmp/err" || fail "$*: no \"$text\" in: $(cat "$tmp/err")"
}

img=$tmp/card.img
unset PERSO_NOPE
expect_error 1 "PERSO_NOPE is not set" "$img" --pin-source env:PERSO_NOPE
expect_error 1 "bad secret source" "$img" --pin-source 123456
expect_error 1 "not a file descriptor" "$img" --puk-source fd:x
expect_error 1 "No such file or directory" "$img" --pin-source file:"$tmp/none"
PERSO_BAD=12345x
export PERSO_BAD
expect_error 1 "digits only" "$img" --pin-source env:PERSO_BAD
grep -q 12345x "$tmp/err" && fail "a PIN appeared in a message"
PERSO_SHORT=1234
export PERSO_SHORT
expect_error 1 "must be 6 to 8 digits" "$img" --pin-source env:PERSO_SHORT
PERSO_NINE=123456789
export PERSO_NINE
expect_error 1 "must be 4 to 8 digits" "$img" --generation 1.2 --pin-source env:PERSO_NINE
PERSO_LONGPUK=12345678901234567
export PERSO_LONGPUK
expect_error 1 "must be 8 to 16 digits" "$img" --puk-source env:PERSO_LONGPUK
grep -q 12345678901234567 "$tmp/err" && fail "a PUK appeared in a message"
expect_error 2 "check" "$img" --tckn 10000000147
expect_error 2 "unknown profile" "$img" --profile foo
expect_error 2 "never given on the command line" "$img" 123456
expect_error 2 "IMAGE" --profile nes-ec
# What a generation or an ATR cannot hold.
expect_error 2 "1.2 or 2" "$img" --generation 3
expect_error 2 "no public source shows EC before AKIS 2.5" "$img" --generation 1.2 --profile nes-ec
expect_error 2 "do not have" "$img" --generation 1.2 --profile multi
expect_error 2 "AKIS 2.2 cards do not have" "$img" --atr tc-2.2.8-nxp --profile seal
expect_error 2 "AKIS 2.0 cards do not have" "$img" --atr tc-2.0 --profile nes-ec
expect_error 2 "give --generation 2" "$img" --generation 1.2 --atr tc-2.5.2-nxp
expect_error 2 "give --generation 1.2" "$img" --generation 2 --atr uekae-1292
expect_error 2 "wrong TCK 95" "$img" --atr 3B9F978131FE458065544312210731C073F62180810595
expect_error 2 "an ID (see --help) or an ATR in hex" "$img" --atr tc-9.9
expect_error 2 "2 to 33 bytes" "$img" --atr 3B
expect_error 2 "public keys in PKCS#15 files" "$img" --generation 1.2 --protect-public-keys
expect_error 2 "16 hex digits" "$img" --serial 0102030405060708090A0B0C
[ -e "$img" ] && fail "a failed init left $img"

# A card, then a second init on it: refused without --force.
"$cli" "$img" --profile nes-ec --name "ALİ TEST" --tckn 10000000146 >"$tmp/out" 2>"$tmp/err" ||
	fail "init: $(cat "$tmp/err")"
grep -q "10000000146" "$tmp/out" || fail "summary without the T.C. Kimlik No: $(cat "$tmp/out")"
grep -q "AKIS 2.x card" "$tmp/out" || fail "summary without the generation: $(cat "$tmp/out")"
grep -q "ATR tc-2.5.2-nxp" "$tmp/out" || fail "summary without the ATR: $(cat "$tmp/out")"
for f in "$img" "$img.roots.pem" "$img.ca.pem" "$img.certs.pem"; do
	[ -s "$f" ] || fail "$f missing"
done
: >"$img" # emptied, so a replacement shows
expect_error 1 "force" "$img" --profile nes-ec
[ -s "$img" ] && fail "the image changed without --force"
"$cli" "$img" --profile nes-ec --force >/dev/null 2>"$tmp/err" || fail "--force: $(cat "$tmp/err")"
[ -s "$img" ] || fail "--force did not replace the image"

# The generations and ATRs that work.
"$cli" "$tmp/a.img" --generation 1.2 --profile seal-rsa --atr uekae-1312 >"$tmp/out" 2>&1 ||
	fail "1.2 seal-rsa: $(cat "$tmp/out")"
grep -q "AKIS 1.2 card, profile seal-rsa" "$tmp/out" || fail "1.2 summary: $(cat "$tmp/out")"
"$cli" "$tmp/b.img" --atr uekae-1221-ta13 >"$tmp/out" 2>&1 || fail "UEKAE ID alone: $(cat "$tmp/out")"
grep -q "AKIS 1.2 card" "$tmp/out" || fail "a UEKAE ID did not make a 1.2 card: $(cat "$tmp/out")"
"$cli" "$tmp/c.img" --profile multi --atr "3B 9F 97 81 31 FE 45 80 65 54 43 D3 23 02 31 C0 73 F6 21 80 81 05 52" \
	--protect-public-keys >"$tmp/out" 2>&1 || fail "HEX ATR: $(cat "$tmp/out")"
grep -q "ATR 3B9F978131FE4580655443D3230231C073F62180810552" "$tmp/out" ||
	fail "summary without the hex ATR: $(cat "$tmp/out")"
"$cli" "$tmp/d.img" --profile seal-rsa --atr tc-2.2.8-udea >/dev/null 2>&1 || fail "RSA on 2.2.8"

# The PEM files beside the image verify the certificates (openssl(1)).
command -v openssl >/dev/null 2>&1 || skip "openssl(1) not installed (Debian package openssl)"
openssl verify -CAfile "$img.roots.pem" -untrusted "$img.ca.pem" "$img.certs.pem" \
	>"$tmp/verify" 2>&1 || fail "openssl verify: $(cat "$tmp/verify")"
openssl x509 -in "$img.certs.pem" -noout -text >"$tmp/text" || fail "openssl x509"
for want in "Non Repudiation" "2.16.792.1.2.1.1.5.7" "test.eimza.invalid" "OCSP" \
	"CA Issuers" "serialNumber"; do
	grep -q "$want" "$tmp/text" || fail "certificate without \"$want\""
done
echo "ok"
exit 0
