#!/bin/bash
# OpenSSL with the libp11 engine: a signature with a pkcs11: URI, and the
# shape of Kamu SM's e-imzalı giriş: a mutual-TLS handshake on localhost
# that succeeds with the card's key as the client key (openssl s_client and
# curl; the server's own page says it saw the card's certificate) and is
# refused without it, with a foreign certificate, and with the card's
# certificate on another key; the NES always-authenticate key through
# libp11's terminal PIN prompt.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require openssl curl pkcs11-tool python3
tb_enter --card seal --card nes-rsa
. "$(dirname "$0")/apps-lib.sh"
apps_setup
ENGINE=$(dirname "$(openssl version -e | sed 's/.*"\(.*\)"/\1/')/x")
ENGINE=$(openssl version -e | sed 's/^ENGINESDIR: "\(.*\)"/\1/')/pkcs11.so
[ -f "$ENGINE" ] || { echo "SKIP: libp11 engine missing (libengine-pkcs11-openssl)" >&2; [ "${EIMZA_STRICT:-}" = 1 ] && exit 99; exit 77; }

# The PIN goes into a 0600 configuration file, never on a command line.
cat >"$W/openssl.cnf" <<CNF
openssl_conf = init
[init]
engines = engines
[engines]
pkcs11 = pkcs11
[pkcs11]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $EIMZA_MODULE
PIN = $(cat "$W/pin")
init = 0
CNF
export OPENSSL_CONF=$W/openssl.cnf

card_cert 0 "$W/seal.pem"
card_cert 1 "$W/nes.pem"
openssl x509 -in "$W/seal.pem" -pubkey -noout >"$W/seal-pub.pem"
openssl x509 -in "$W/nes.pem" -pubkey -noout >"$W/nes-pub.pem"
SEAL="pkcs11:token=EIMZA%20TEST%20ANON%C4%B0M%20%C5%9E%C4%B0RKET%C4%B0;type=private"
NES="pkcs11:token=TEST%20KULLANICI;type=private"

foreign openssl dgst -sha384 -engine pkcs11 -keyform engine -sign "$SEAL" -out "$W/sig" "$W/data" 2>"$W/err"
check "the engine signs with the seal's EC key" openssl dgst -sha384 -verify "$W/seal-pub.pem" -signature "$W/sig" "$W/data"
# (libp11 asks OpenSSL's terminal UI again for the PIN of an always-
# authenticate key such as the NES key: see the handshake at the end.)

# A TLS server that wants a client certificate from the test PKI. With -www
# it answers a request with a page that shows the client's certificate: a
# page with the card's certificate on it is the server's word that the
# card's key proved itself (s_client's "Verify return code" is the client's
# verdict on the server, and under TLS 1.3 the client finishes its side of
# the handshake before the server has judged the client).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$W/srv.key" -out "$W/srv.pem" 2>/dev/null
cat "$EIMZA_TB_CARD0_ROOTS" "$EIMZA_TB_CARD0_CA" "$EIMZA_TB_CARD1_ROOTS" "$EIMZA_TB_CARD1_CA" >"$W/clientca.pem"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # port [extra s_server options]
	local p=$1
	shift
	OPENSSL_CONF=/dev/null openssl s_server -accept "$p" -cert "$W/srv.pem" -key "$W/srv.key" \
		-Verify 2 -verify_return_error -CAfile "$W/clientca.pem" "$@" -www >>"$W/server.log" 2>&1 &
	servers="${servers:-} $!"
	for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
}
port=$(free_port)
serve "$port"
printf 'GET / HTTP/1.0\r\n\r\n' >"$W/request"
# The client certificate on the server's page is this one (SHA-256).
fingerprint() { openssl x509 -noout -fingerprint -sha256 2>/dev/null; }
page_shows() { # page cert.pem
	local got
	got=$(tr -d '\r' <"$1" | sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' | fingerprint)
	[ -n "$got" ] && [ "$got" = "$(fingerprint <"$2")" ]
}

# curl with the card key: the handshake succeeds and the page arrives.
foreign curl -sS --max-time 30 --cacert "$W/srv.pem" --engine pkcs11 --key-type ENG --key "$SEAL" \
	--cert "$W/seal.pem" "https://127.0.0.1:$port/" >"$W/curl.out" 2>&1
check_eq "curl with the card's key exits 0" 0 $?
check "curl: the server's page shows the card's certificate" page_shows "$W/curl.out" "$W/seal.pem"
# openssl s_client with the card key (the client chain from the card's CA):
# its exit status, and the server's page naming the card's certificate.
foreign openssl s_client -connect "127.0.0.1:$port" -engine pkcs11 -keyform engine -key "$SEAL" \
	-cert "$W/seal.pem" -cert_chain "$EIMZA_TB_CARD0_CA" -CAfile "$W/srv.pem" -verify_return_error \
	-quiet -ign_eof <"$W/request" >"$W/s_client.out" 2>"$W/s_client.err"
check_eq "s_client with the card's key exits 0" 0 $?
check_match "s_client: the server's page came" '^HTTP/1.0 200 ok' "$(cat "$W/s_client.out")"
check "s_client: the server's page shows the card's certificate" page_shows "$W/s_client.out" "$W/seal.pem"

# A client certificate the server's CAs did not issue (a key made here, not
# the card's): refused, by s_client's exit status and by the missing page.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=rogue" \
	-keyout "$W/rogue.key" -out "$W/rogue.pem" 2>/dev/null
OPENSSL_CONF=/dev/null openssl s_client -connect "127.0.0.1:$port" -key "$W/rogue.key" -cert "$W/rogue.pem" \
	-CAfile "$W/srv.pem" -verify_return_error -quiet -ign_eof <"$W/request" >"$W/rogue.out" 2>&1
check "s_client with a foreign certificate: non-zero exit" test $? -ne 0
check "s_client with a foreign certificate: no page" test "$(grep -c '^HTTP/1.0 200' "$W/rogue.out")" = 0
# The card's certificate with another key: the handshake's signature does
# not match it, and the server refuses.
OPENSSL_CONF=/dev/null openssl s_client -connect "127.0.0.1:$port" -key "$W/rogue.key" -cert "$W/seal.pem" \
	-cert_chain "$EIMZA_TB_CARD0_CA" -CAfile "$W/srv.pem" -verify_return_error -quiet -ign_eof \
	<"$W/request" >"$W/stolen.out" 2>&1
check "s_client with the card's certificate but another key: refused" \
	test "$(grep -c '^HTTP/1.0 200' "$W/stolen.out")" = 0
# Without a client certificate the server refuses.
out=$(curl -sS --max-time 30 --cacert "$W/srv.pem" "https://127.0.0.1:$port/" 2>&1); rc=$?
check "curl without the card is refused" test "$rc" -ne 0

# The NES key (CKA_ALWAYS_AUTHENTICATE). libp11 asks for the context PIN on
# the terminal (its engine takes no PIN from a file for it): a person's
# terminal, answered by tty-answer.py. A qualified signature certificate
# (keyUsage nonRepudiation only) is not a TLS client certificate, so a
# server checking purposes refuses it: that one is shown first; a server
# told to accept any purpose shows the card's always-authenticate key
# proving itself in a handshake, with one context VERIFY on the card.
nes_tls() { # port out
	foreign python3 "$top_srcdir/tests/apps/tty-answer.py" 'PIN for' "$W/pin" "$W/request" -- \
		openssl s_client -connect "127.0.0.1:$1" -engine pkcs11 -keyform engine -key "$NES" \
		-cert "$W/nes.pem" -cert_chain "$EIMZA_TB_CARD1_CA" -CAfile "$W/srv.pem" -verify_return_error \
		-quiet -ign_eof >"$2" 2>&1
}
nes_tls "$port" "$W/nes-purpose.out"
check "the NES certificate is refused for TLS client authentication (nonRepudiation only)" \
	test "$(grep -c '^HTTP/1.0 200' "$W/nes-purpose.out")" = 0
any=$(free_port)
serve "$any" -purpose any
verifies=$(grep -c '^> 00 20 00 81 06' "$EIMZA_TB_CARD1_TRACE")
nes_tls "$any" "$W/nes.out"
check_eq "s_client with the NES key exits 0" 0 $?
check_match "s_client with the NES key: the server's page came" 'HTTP/1.0 200 ok' "$(tr -d '\r' <"$W/nes.out")"
check "s_client with the NES key: the server's page shows the NES certificate" page_shows "$W/nes.out" "$W/nes.pem"
check_eq "the NES key: a login and one context VERIFY for the handshake's signature" 2 \
	"$(($(grep -c '^> 00 20 00 81 06' "$EIMZA_TB_CARD1_TRACE") - verifies))"
check "the PIN typed at the prompt is not in the output" test "$(grep -c "$(cat "$W/pin")" "$W/nes.out")" = 0
# shellcheck disable=SC2086
kill $servers 2>/dev/null
wait 2>/dev/null
tb_done
