#!/bin/sh
# test-perso-cli.sh: `eimza-vcard init` from the command line: --help
# documents every option and the default PIN/PUK, errors are clear and
# never echo a secret, an existing image is kept without --force, and the
# written PEM files verify the card's certificates with openssl(1).
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
for opt in --profile --name --org --tckn --vkn --pin-source --puk-source --atr --days \
	--not-before --serial --seed --force --help nes-rsa nes-ec seal seal-rsa multi \
	123456 12345678 fd:N env:VAR file:PATH; do
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
expect_error 1 "unknown form" "$img" --pin-source 123456
expect_error 1 "not a file descriptor" "$img" --puk-source fd:x
expect_error 1 "cannot open" "$img" --pin-source file:"$tmp/none"
PERSO_BAD=12345x
export PERSO_BAD
expect_error 1 "digits only" "$img" --pin-source env:PERSO_BAD
grep -q 12345x "$tmp/err" && fail "a PIN appeared in a message"
PERSO_SHORT=1234
export PERSO_SHORT
expect_error 1 "must be 6 digits" "$img" --pin-source env:PERSO_SHORT
expect_error 2 "check" "$img" --tckn 10000000147
expect_error 2 "unknown profile" "$img" --profile foo
expect_error 2 "never given on the command line" "$img" 123456
expect_error 2 "IMAGE" --profile nes-ec
[ -e "$img" ] && fail "a failed init left $img"

# A card, then a second init on it: refused without --force.
"$cli" "$img" --profile nes-ec --name "ALİ TEST" --tckn 10000000146 >"$tmp/out" 2>"$tmp/err" ||
	fail "init: $(cat "$tmp/err")"
grep -q "10000000146" "$tmp/out" || fail "summary without the T.C. Kimlik No: $(cat "$tmp/out")"
for f in "$img" "$img.roots.pem" "$img.ca.pem" "$img.certs.pem"; do
	[ -s "$f" ] || fail "$f missing"
done
: >"$img" # emptied, so a replacement shows
expect_error 1 "force" "$img" --profile nes-ec
[ -s "$img" ] && fail "the image changed without --force"
"$cli" "$img" --profile nes-ec --force >/dev/null 2>"$tmp/err" || fail "--force: $(cat "$tmp/err")"
[ -s "$img" ] || fail "--force did not replace the image"

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
