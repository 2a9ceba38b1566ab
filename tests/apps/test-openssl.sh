#!/bin/bash
# OpenSSL with the libp11 engine: a signature with a pkcs11: URI, and the
# shape of Kamu SM's e-imzalı giriş: a mutual-TLS handshake on localhost
# that succeeds with the card's key as the client key (openssl s_client and
# curl) and is refused without it.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require openssl curl pkcs11-tool
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
# authenticate key such as the NES key; scripted use takes the seal.)

# A TLS server that wants a client certificate from the test PKI.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$W/srv.key" -out "$W/srv.pem" 2>/dev/null
cat "$EIMZA_TB_CARD0_ROOTS" "$EIMZA_TB_CARD0_CA" "$EIMZA_TB_CARD1_ROOTS" "$EIMZA_TB_CARD1_CA" >"$W/clientca.pem"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OPENSSL_CONF=/dev/null openssl s_server -quiet -accept "$port" -cert "$W/srv.pem" -key "$W/srv.key" \
	-Verify 2 -verify_return_error -CAfile "$W/clientca.pem" -www >"$W/server.log" 2>&1 &
srv=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

# curl with the card key: the handshake succeeds and the page arrives.
out=$(foreign curl -sS --max-time 30 --cacert "$W/srv.pem" --engine pkcs11 --key-type ENG --key "$SEAL" \
	--cert "$W/seal.pem" "https://127.0.0.1:$port/" 2>&1)
check_match "curl: mutual TLS with the card's key" 'Cipher|Protocol|s_server' "$out"
# openssl s_client with the card key (the client chain from the card's CA).
out=$(echo | foreign openssl s_client -connect "127.0.0.1:$port" -engine pkcs11 -keyform engine -key "$SEAL" \
	-cert "$W/seal.pem" -cert_chain "$EIMZA_TB_CARD0_CA" -CAfile "$W/srv.pem" -verify_return_error 2>&1)
check_match "s_client: the server accepted the card's certificate" 'Verify return code: 0|Verification: OK' "$out"
# Without a client certificate the server refuses.
out=$(curl -sS --max-time 30 --cacert "$W/srv.pem" "https://127.0.0.1:$port/" 2>&1); rc=$?
check "curl without the card is refused" test "$rc" -ne 0
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
tb_done
