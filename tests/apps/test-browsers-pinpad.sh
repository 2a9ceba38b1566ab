#!/bin/bash
# Browsers use the card's key, for real: Firefox ESR (headless) and Chromium
# (headless, with the AutoSelectCertificateForUrls policy) complete a TLS
# handshake with client authentication against `openssl s_server -Verify 1`,
# which trusts only the test PKI, with the seal card in the test bed's
# PIN-pad reader: the browser logs in with a NULL PIN, the PIN is typed on
# the keypad, the card signs the handshake. The server's output shows the
# client certificate: its subject, and its bytes in the client's Certificate
# message, are the card's. No browser can answer a PIN dialog headless; on a
# PIN-pad reader Firefox needs none. Chromium shows its own password dialog
# even there (docs/pinpad.md): nss-dialog-ok.so stands in for the OK press.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require firefox-esr chromium certutil modutil openssl pkcs11-tool python3 stdbuf
tb_enter --card seal --pinpad
. "$(dirname "$0")/apps-lib.sh"
apps_setup
cd "$W"
SHIM=$top_builddir/tests/apps/.libs/nss-dialog-ok.so
[ -f "$SHIM" ] || { echo "SKIP: build first: $SHIM" >&2; [ "${EIMZA_STRICT:-}" = 1 ] && exit 99; exit 77; }

# The card's certificate, read through the module.
card_cert 0 "$W/card.pem"
check "the card's certificate was read" test -s "$W/card.pem.der"
card_subject=$(openssl x509 -in card.pem -noout -subject -nameopt oneline | sed 's/^subject=//')
card_hex=$(od -An -tx1 -v card.pem.der | tr -d ' \n')

# A TLS server for 127.0.0.1 under a CA of its own (the browsers trust it),
# asking for a client certificate from the test PKI only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=eimza test TLS CA" -keyout tlsca.key -out tlsca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
	-keyout srv.key -out srv.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >srv.ext
openssl x509 -req -in srv.csr -CA tlsca.pem -CAkey tlsca.key -CAcreateserial -days 2 \
	-extfile srv.ext -out srv.pem 2>/dev/null
cat "$EIMZA_TB_CARD0_ROOTS" "$EIMZA_TB_CARD0_CA" >clientca.pem
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=https://127.0.0.1:$port/
# -msg: every handshake message in hex, the client's Certificate included.
OPENSSL_CONF=/dev/null stdbuf -oL -eL openssl s_server -accept "$port" -cert srv.pem -key srv.key \
	-Verify 1 -verify_return_error -CAfile clientca.pem -www -msg >server.log 2>&1 &
srv=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

# The client certificates the server got since line $1 of its output: the
# hex of every Certificate message from the client, and the subjects it
# verified at depth 0.
client_certs_hex() {
	tail -n +"$1" server.log | python3 -c '
import sys
take, out = False, []
for line in sys.stdin:
    if line.startswith("<<<") or line.startswith(">>>"):
        take = line.startswith("<<<") and line.rstrip().endswith("Certificate")
        continue
    if take:
        out.append("".join(line.split()))
print("".join(out))'
}
depth0() { tail -n +"$1" server.log | sed -n 's/^depth=0 //p'; }
sent_card_cert() { client_certs_hex "$1" | grep -q "$card_hex"; }

# The module's debug log and the card's trace tell who typed what.
pad_verifies() { grep -c '^> 00 20 00 81 06 \*\* \*\* \*\* \*\* \*\* \*\*$' "$EIMZA_TB_CARD0_TRACE"; }

# ---- Firefox ESR -------------------------------------------------------------
P=$W/firefox
mkdir -p "$P"
certutil -N -d "sql:$P" --empty-password
certutil -A -d "sql:$P" -n "eimza test TLS CA" -t "CT,C,C" -i tlsca.pem
modutil -add eimza -libfile "$EIMZA_MODULE" -dbdir "sql:$P" -force >/dev/null 2>&1
cat >"$P/user.js" <<'JS'
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
JS
mark=$(($(wc -l <server.log) + 1))
verifies=$(pad_verifies)
$EIMZA_TB_CTL pinpad-type 0 123456 >/dev/null &
typer=$!
HOME=$W EIMZA_DEBUG_FILE=$W/firefox-module.log MOZ_HEADLESS=1 timeout 120 \
	firefox-esr --headless --no-remote --profile "$P" --screenshot "$W/firefox.png" "$URL" \
	>firefox.out 2>&1
check "Firefox ran headless and exited" test -s "$W/firefox.png"
check "the PIN was typed on the reader for Firefox" wait $typer
logged() { grep -qE "$2" "$1" 2>/dev/null; }
check "Firefox logged in with a NULL PIN (the keypad's)" \
	logged firefox-module.log 'C_Login\(session=[0-9]+ user=1 pin=NULL\)'
check "... the module had the keypad take it" \
	logged firefox-module.log "the PIN is typed on the reader's keypad"
check_eq "the card got the VERIFY the reader built" $((verifies + 1)) "$(pad_verifies)"
check "the card signed the handshake" logged firefox-module.log '< C_Sign(Final)? = CKR_OK'
check_eq "the server verified the card's certificate (subject)" "$card_subject" "$(depth0 "$mark" | head -1)"
check "the client's Certificate message holds the card's certificate" sent_card_cert "$mark"

# ---- Chromium -----------------------------------------------------------------
# Its NSS database in the home folder, the policy in /etc/chromium (the test
# bed's private mount namespace: a copy mounted over it, nothing changes
# outside).
H=$W/chromium-home
mkdir -p "$H/.pki/nssdb" etc-chromium
certutil -N -d "sql:$H/.pki/nssdb" --empty-password
certutil -A -d "sql:$H/.pki/nssdb" -n "eimza test TLS CA" -t "CT,C,C" -i tlsca.pem
modutil -add eimza -libfile "$EIMZA_MODULE" -dbdir "sql:$H/.pki/nssdb" -force >/dev/null 2>&1
[ -d /etc/chromium ] && cp -a /etc/chromium/. etc-chromium/
mkdir -p /etc/chromium && mount --bind "$W/etc-chromium" /etc/chromium
mkdir -p /etc/chromium/policies/managed
printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"%s\\",\\"filter\\":{}}"]}\n' \
	"https://127.0.0.1:$port" >/etc/chromium/policies/managed/eimza-test.json
mark=$(($(wc -l <server.log) + 1))
verifies=$(pad_verifies)
$EIMZA_TB_CTL pinpad-type 0 123456 >/dev/null &
typer=$!
HOME=$H EIMZA_DEBUG_FILE=$W/chromium-module.log LD_PRELOAD=$SHIM timeout 120 \
	chromium --headless --no-sandbox --disable-gpu --user-data-dir="$W/chromium-data" \
	--dump-dom "$URL" >chromium.html 2>chromium.err
check "Chromium ran headless and printed the page" grep -q 's_server' chromium.html
check "the PIN was typed on the reader for Chromium" wait $typer
check "Chromium logged in with a NULL PIN (the keypad's)" \
	logged chromium-module.log 'C_Login\(session=[0-9]+ user=1 pin=NULL\)'
check "the card signed the handshake" logged chromium-module.log '< C_Sign(Final)? = CKR_OK'
check_eq "the card got the VERIFY the reader built" $((verifies + 1)) "$(pad_verifies)"
check_eq "the server verified the card's certificate (subject)" "$card_subject" "$(depth0 "$mark" | head -1)"
check "the client's Certificate message holds the card's certificate" sent_card_cert "$mark"
# s_server -www shows the browser the certificate it got: the card's, PEM.
sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' chromium.html >seen.pem
check "the page Chromium got shows the card's certificate as the client's" \
	cmp -s <(openssl x509 -in seen.pem -outform DER 2>/dev/null) card.pem.der
check "no PIN went through either browser's module" \
	test -z "$(grep -E '123456|31 32 33 34 35 36' firefox-module.log chromium-module.log)"
umount /etc/chromium
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
tb_done
