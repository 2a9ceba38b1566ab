#!/bin/sh
# data/trust/gen-anchors.sh, the build-time check of Kamu SM's trust
# anchors: it compiles the shipped files, and refuses a file with one byte
# changed, a fingerprint changed in the list, a second certificate smuggled
# into a file, and an unknown role.
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
command -v base64 >/dev/null && command -v sha256sum >/dev/null || skip "coreutils base64/sha256sum missing"
G=$top_srcdir/data/trust/gen-anchors.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
expect 0 sh "$G" "$top_srcdir/data/trust"
[ "$(printf '%s\n' "$out" | grep -c 'EZ_ANCHOR_')" = 3 ] || fail "gen-anchors.sh did not compile three anchors"
contains '"AA466D3B528DC947C7E1DCA594C0DEB4A1D2B987C119125FCD7435DE92A23C60"'
fresh() { rm -rf "$T/t" && cp -r "$top_srcdir/data/trust" "$T/t" && chmod -R u+w "$T/t"; }
# one base64 character of root 6's certificate changed
fresh
sed -i '/^-----BEGIN/{n;s/^MIIDATCCAoigAwIBAgIHAO0duC4B1jAK/MIIDATCCAoigAwIBAgIHAO0duC4B1jAL/}' "$T/t/kamusm-root-v6.pem"
expect 1 sh "$G" "$T/t"
contains "kamusm-root-v6.pem: SHA-256 is"
contains "refusing this trust anchor"
# a fingerprint in the list changed
fresh
sed -i 's/^issuing 062782A7/issuing 062782A8/' "$T/t/kamusm-anchors.list"
expect 1 sh "$G" "$T/t"
contains "kamusm-nes-ca-v6.pem"
# a second certificate appended to a file
fresh
sed -n '/^-----BEGIN/,/^-----END/p' "$T/t/kamusm-root-v7.pem" >>"$T/t/kamusm-root-v6.pem"
expect 1 sh "$G" "$T/t"
contains "not exactly one certificate"
# an issuing CA promoted to a root
fresh
sed -i 's/^issuing /trusted /' "$T/t/kamusm-anchors.list"
expect 1 sh "$G" "$T/t"
contains "unknown role"
echo ok
