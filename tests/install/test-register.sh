#!/bin/bash
# eimza-register with real browser profiles, created headless: Firefox ESR
# (a new profile in ~/.config/mozilla/firefox and one in the old
# ~/.mozilla/firefox) and Chromium (~/.config/chromium, whose NSS database
# ~/.pki/nssdb does not exist until eimza-register creates it). After the
# registration Firefox and Chromium themselves load the module and reach the
# virtual card; a second run changes nothing; --remove takes it out; a
# running profile is skipped; --system merges the Firefox and Thunderbird
# policies without losing what they held, and a fresh Firefox profile gets
# the module from the policy.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require firefox-esr chromium modutil certutil openssl python3 pkg-config
tb_enter --card seal
. "$top_srcdir/tests/tools/lib-tools.sh"
[ -f "${EIMZA_MODULE:-}" ] || fail "the eimza module is not built (${EIMZA_MODULE:-unset})"
R=$top_builddir/tools/register/eimza-register
W=$EIMZA_TB_DIR/register
export HOME=$W/home LC_ALL=C LANGUAGE= MOZ_HEADLESS=1
unset XDG_CONFIG_HOME
mkdir -p "$HOME"
CHROMIUM=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync)
fx() { timeout 120 firefox-esr --headless --no-remote "$@" >>"$W/firefox.out" 2>&1 || true; }
libs() { grep -c "^library=$EIMZA_MODULE\$" "$1/pkcs11.txt" 2>/dev/null || true; }

# ---- real profiles ---------------------------------------------------------
fx --screenshot "$W/fx1.png" about:blank
NEW=$(dirname "$(find "$HOME/.config/mozilla/firefox" -name cert9.db | head -1)")
[ -d "$NEW" ] || fail "Firefox ESR made no profile in ~/.config/mozilla/firefox: $(find "$HOME" -maxdepth 4)"
OLD=$HOME/.mozilla/firefox/old.default
fx -CreateProfile "old $OLD"
fx --profile "$OLD" --screenshot "$W/fx2.png" about:blank
[ -f "$OLD/cert9.db" ] || fail "Firefox made no database in the old profile folder"
timeout 120 "${CHROMIUM[@]}" --screenshot="$W/chr1.png" about:blank >"$W/chromium.out" 2>&1
[ -d "$HOME/.config/chromium" ] || fail "Chromium made no profile: $(tail -5 "$W/chromium.out")"
[ ! -e "$HOME/.pki/nssdb" ] || fail "Chromium made ~/.pki/nssdb itself (the test wants it missing)"
ok "real Firefox ESR (new and old folders) and Chromium profiles"

expect 0 "$R" --list
contains "$NEW"
contains "$OLD"
contains "$HOME/.pki/nssdb"
contains "no database yet"
lacks "loads the module"
ok "--list: both Firefox profiles and Chromium's missing database"

# ---- register -------------------------------------------------------------
expect 0 "$R" --module "$EIMZA_MODULE"
contains "added"
for d in "$NEW" "$OLD" "$HOME/.pki/nssdb"; do
	check_eq "$d/pkcs11.txt names the module once" 1 "$(libs "$d")"
done
expect 0 "$R" --module "$EIMZA_MODULE"
lacks "added"
contains "already there"
for d in "$NEW" "$OLD" "$HOME/.pki/nssdb"; do
	check_eq "after a second run $d/pkcs11.txt still names it once" 1 "$(libs "$d")"
done
expect 0 "$R" --list
check_eq "--list: three databases load the module" 3 "$(grep -c 'loads the module (eimza)' <<<"$out")"
setup_turkish "$W/locale"
LC_ALL=tr_TR.UTF-8 expect 0 "$R" --list
check_eq "--list in Turkish" 3 "$(grep -c 'modülü yüklüyor (eimza)' <<<"$out")"

# Firefox itself loads the module from the new profile and reads the card
log=$W/fx-module.log
apdus=$(grep -c '^>' "$EIMZA_TB_CARD0_TRACE" 2>/dev/null || echo 0)
EIMZA_DEBUG_FILE=$log fx --profile "$NEW" --screenshot "$W/fx3.png" about:blank
check_match "Firefox initialized the module it was given" 'C_Initialize: [0-9]+ slot' "$(cat "$log" 2>/dev/null)"
check "the card answered Firefox" test "$(grep -c '^>' "$EIMZA_TB_CARD0_TRACE")" -gt "$apdus"
out=$(certutil -L -h all -d "sql:$NEW" 2>&1)
check_match "the Firefox profile lists the card's certificate" 'EIMZA TEST' "$out"

# Chromium loads it when a server asks for a client certificate (from a
# CA that did not issue the card's, so no selection dialog waits)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-keyout "$W/srv.key" -out "$W/srv.pem" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl s_server -accept "127.0.0.1:$port" -cert "$W/srv.pem" -key "$W/srv.key" -CAfile "$W/srv.pem" -Verify 1 -www \
	>"$W/s_server.log" 2>&1 &
srv=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
log=$W/chr-module.log
# Chromium waits for a certificate choice no one makes headless: once the
# module is in (its log says so), it is stopped.
EIMZA_DEBUG_FILE=$log setsid "${CHROMIUM[@]}" --ignore-certificate-errors \
	--screenshot="$W/chr2.png" "https://127.0.0.1:$port/" >>"$W/chromium.out" 2>&1 &
chr=$!
for _ in $(seq 600); do grep -q 'C_Initialize' "$log" 2>/dev/null && break; sleep 0.1; done
kill -- -"$chr" "$srv" 2>/dev/null || true
wait "$chr" "$srv" 2>/dev/null || true
check_match "Chromium initialized the module from ~/.pki/nssdb" 'C_Initialize: [0-9]+ slot' "$(cat "$log" 2>/dev/null)"

# a running program's profile is skipped, and left as it was
cp "$OLD/pkcs11.txt" "$W/old.pkcs11.txt"
ln -sfn "127.0.0.1:+$$" "$OLD/lock"
expect 1 "$R" --remove
contains "is running with this profile"
check "the running profile was not changed" cmp -s "$W/old.pkcs11.txt" "$OLD/pkcs11.txt"
rm -f "$OLD/lock"

# ---- remove ---------------------------------------------------------------
expect 0 "$R" --remove
for d in "$NEW" "$OLD" "$HOME/.pki/nssdb"; do
	check_eq "--remove took the module out of $d" 0 "$(libs "$d")"
done
grep -q 'NSS Internal PKCS #11 Module' "$NEW/pkcs11.txt" || fail "--remove damaged $NEW/pkcs11.txt"
expect 0 "$R" --remove
contains "not there"
# through p11-kit's proxy instead: the same name, the proxy's library
PROXY=$(pkg-config --variable=proxy_module p11-kit-1)
expect 0 "$R" --proxy
check_eq "--proxy registers p11-kit-proxy.so" 1 "$(grep -c "^library=$PROXY\$" "$NEW/pkcs11.txt")"
expect 0 "$R" --list
check_eq "--list counts the proxy as loading the module" 3 "$(grep -c 'loads the module (eimza)' <<<"$out")"
expect 0 "$R" --remove
check_eq "--remove takes the proxy registration out too" 0 "$(grep -c '^library=.*p11-kit-proxy' "$NEW/pkcs11.txt")"

# a home of another user: what root creates there stays that user's
U=$W/user
mkdir -p "$U/.config/chromium"
chown -R nobody:nogroup "$U"
expect 0 "$R" --home "$U" --module "$EIMZA_MODULE"
check_eq "the Chromium database made for another user is that user's" nobody \
	"$(stat -c %U "$U/.pki" "$U/.pki/nssdb" "$U/.pki/nssdb/pkcs11.txt" "$U/.pki/nssdb/cert9.db" | sort -u)"

# ---- the policies (--system) -------------------------------------------------
P=$W/root
mkdir -p "$P/etc/firefox/policies"
cat >"$P/etc/firefox/policies/policies.json" <<'JSON'
{"policies": {"DisableTelemetry": true, "Homepage": {"URL": "https://example.invalid/", "Locked": true},
 "SecurityDevices": {"Add": {"Other token": "/usr/lib/other.so"}, "Delete": ["eimza", "Old"]},
 "Certificates": {"ImportEnterpriseRoots": true}}}
JSON
cp "$P/etc/firefox/policies/policies.json" "$W/policies.orig"
expect 0 "$R" --system --root "$P" --module "$EIMZA_MODULE"
python3 - "$W/policies.orig" "$P/etc/firefox/policies/policies.json" "$EIMZA_MODULE" <<'PY' || fail "the Firefox policies were not merged as expected"
import json, sys
a = json.load(open(sys.argv[1]))["policies"]
b = json.load(open(sys.argv[2]))["policies"]
assert b["SecurityDevices"]["Add"] == {"Other token": "/usr/lib/other.so", "eimza": sys.argv[3]}, b
assert b["SecurityDevices"]["Delete"] == ["Old"], b   # no longer deleted by the policy
for k in a:
    if k != "SecurityDevices":
        assert a[k] == b[k], (k, a[k], b[k])
assert set(a) == set(b), (a.keys(), b.keys())
PY
ok "--system kept the other policies and devices and added eimza"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == {"policies": {"SecurityDevices": {"Add": {"eimza": sys.argv[2]}}}}, d' \
	"$P/etc/thunderbird/policies/policies.json" "$EIMZA_MODULE" || fail "no Thunderbird policy file was written"
cp "$P/etc/firefox/policies/policies.json" "$W/policies.1"
expect 0 "$R" --system --root "$P" --module "$EIMZA_MODULE"
contains "already there"
check "a second --system run left the file as it was" cmp -s "$W/policies.1" "$P/etc/firefox/policies/policies.json"
expect 0 "$R" --system --root "$P" --list
contains "$EIMZA_MODULE"
expect 0 "$R" --system --root "$P" --remove
python3 - "$W/policies.orig" "$P/etc/firefox/policies/policies.json" <<'PY' || fail "--system --remove did not leave the other policies as they were"
import json, sys
a = json.load(open(sys.argv[1]))["policies"]
b = json.load(open(sys.argv[2]))["policies"]
a["SecurityDevices"]["Delete"] = ["Old"]
assert a == b, (a, b)
PY
check "--system --remove took out the Thunderbird file it had made" test ! -e "$P/etc/thunderbird/policies/policies.json"
printf '{"policies": {"DisableTelemetry": true,}}\n' >"$P/etc/firefox/policies/policies.json"
cp "$P/etc/firefox/policies/policies.json" "$W/bad.json"
expect 1 "$R" --system --root "$P" --module "$EIMZA_MODULE"
contains "not valid JSON"
check "a file that is not JSON is left unchanged" cmp -s "$W/bad.json" "$P/etc/firefox/policies/policies.json"

# Firefox itself: the policy in /etc (a private overlay here) gives a fresh
# profile the module
mkdir -p "$W/etc-up" "$W/etc-work"
mount -t overlay eimza-etc -o "lowerdir=/etc,upperdir=$W/etc-up,workdir=$W/etc-work" /etc ||
	fail "cannot put a private overlay on /etc"
mkdir -p /etc/firefox/policies
printf '{"policies": {"DisableAppUpdate": true}}\n' >/etc/firefox/policies/policies.json
expect 0 "$R" --system --module "$EIMZA_MODULE"
export HOME=$W/home2
mkdir -p "$HOME"
fx --screenshot "$W/fx4.png" about:blank
umount /etc
P2=$(find "$HOME" -name pkcs11.txt | head -1)
check_match "a fresh Firefox profile got the module from the policy" "^library=$EIMZA_MODULE\$" "$(cat "$P2" 2>/dev/null)"
tb_done
