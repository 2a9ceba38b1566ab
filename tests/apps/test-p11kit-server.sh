#!/bin/bash
# p11-kit remoting: `p11-kit server` exports the card's token over a Unix
# socket, and a client using p11-kit's client module lists and signs with it,
# the way a container reaches a card it cannot see.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require p11-kit pkcs11-tool openssl
tb_enter --card seal
. "$(dirname "$0")/apps-lib.sh"
apps_setup
client=$(pkg-config --variable=p11_module_path p11-kit-1 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/pkcs11)/p11-kit-client.so
[ -f "$client" ] || { echo "SKIP: $client missing" >&2; [ "${EIMZA_STRICT:-}" = 1 ] && exit 99; exit 77; }

export XDG_RUNTIME_DIR=$W/run
mkdir -p "$XDG_RUNTIME_DIR"
# In the foreground, in the background: a daemon would outlive the test.
# $! is the server itself (foreign_exec), so that it can be stopped.
(foreign_exec p11-kit server -f --provider "$EIMZA_MODULE" -n "$W/run/eimza.sock" "pkcs11:model=AKIS%202.5.2" \
	>"$W/server.env" 2>"$W/server.err") &
server=$!
for _ in $(seq 100); do [ -S "$W/run/eimza.sock" ] && break; sleep 0.1; done
# The server says where it listens (as a shell line for the client's
# environment), and it is the address the client uses below.
check "p11-kit server is running" kill -0 "$server"
check_match "p11-kit server announces its socket" "P11_KIT_SERVER_ADDRESS=unix:path=$W/run/eimza.sock" \
	"$(cat "$W/server.env")"
export P11_KIT_SERVER_ADDRESS="unix:path=$W/run/eimza.sock"
out=$(pkcs11-tool --module "$client" -L 2>&1)
check_match "the client sees the card's token" 'token model +: AKIS 2.5.2' "$out"
card_cert 0 "$W/seal.pem"
openssl x509 -in "$W/seal.pem" -pubkey -noout >"$W/pub.pem"
# p11-kit's RPC carries CKM_ECDSA (the hash made here), not ECDSA-SHA384.
openssl dgst -sha384 -binary "$W/data" >"$W/hash"
EIMZA_PIN="$(cat "$W/pin")" pkcs11-tool --module "$client" --login --pin env:EIMZA_PIN --sign --mechanism ECDSA \
	--signature-format openssl --input-file "$W/hash" --output-file "$W/sig" >"$W/sign.log" 2>&1
check "a signature through the socket verifies" \
	openssl pkeyutl -verify -pubin -inkey "$W/pub.pem" -in "$W/hash" -sigfile "$W/sig"
# The token came through the socket: with the server gone, the client
# module sees nothing.
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
out=$(pkcs11-tool --module "$client" -L 2>&1)
check "without the server the client sees no token" test "$(grep -c 'AKIS 2.5.2' <<<"$out")" = 0
tb_done
