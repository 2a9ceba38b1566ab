#!/bin/bash
# Firefox ESR itself, headless, with the module registered in a fresh
# profile's security devices: its own process loads the module, which reads
# the card, and draws random bytes from it.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require firefox-esr modutil certutil
tb_enter --card seal
. "$(dirname "$0")/apps-lib.sh"
apps_setup

P=$W/profile
mkdir -p "$P"
certutil -N -d "sql:$P" --empty-password
foreign modutil -add "eimza" -libfile "$EIMZA_MODULE" -dbdir "sql:$P" -force >/dev/null 2>&1
check "the profile's pkcs11.txt names the module" grep -q "eimza-pkcs11.so" "$P/pkcs11.txt"

log=$W/firefox-module.log
apdus_before=$(grep -c '^>' "$EIMZA_TB_CARD0_TRACE" 2>/dev/null || echo 0)
# Firefox opens the profile's NSS database at start and initializes every
# security device in it; the module's debug log records the process id of
# every line, so it shows what Firefox's own process (started here, its id
# known) did with the module. Firefox runs in the background with a time
# limit of its own, so that $! is Firefox itself.
HOME=$W EIMZA_DEBUG_FILE=$log MOZ_HEADLESS=1 \
	firefox-esr --headless --no-remote --profile "$P" --screenshot "$W/shot.png" about:blank \
	>"$W/firefox.out" 2>&1 &
ff=$!
(sleep 90 && kill "$ff" 2>/dev/null) &
watchdog=$!
wait "$ff"
kill "$watchdog" 2>/dev/null
check "Firefox ran headless and exited" test -s "$W/shot.png"
check_match "Firefox's own process initialized the module" "\\[$ff/[0-9]+\\] C_Initialize: [0-9]+ slot" \
	"$(cat "$log" 2>/dev/null)"
check_match "Firefox's process read the card's token" "\\[$ff/[0-9]+\\] slot [0-9]+: .*token '.*' serial" \
	"$(cat "$log" 2>/dev/null)"
check "the card answered Firefox's module" test "$(grep -c '^>' "$EIMZA_TB_CARD0_TRACE")" -gt "$apdus_before"
# NSS seeds its generator from every token at start: GET CHALLENGE sent by
# Firefox's process, and answered.
check_match "Firefox's NSS drew random bytes from the card" "\\[$ff/[0-9]+\\] slot [0-9]+ apdu > 00 84 00 00" \
	"$(cat "$log" 2>/dev/null)"
# The profile Firefox used, as NSS's certutil reads it with the module: the
# card's certificate is there. (Firefox using the card's key needs its PIN
# dialog, which headless Firefox cannot show: not tested here; the key is
# used through NSS in tests/apps/test-nss.sh.)
out=$(foreign certutil -L -h all -d "sql:$P" 2>&1)
check_match "certutil on Firefox's profile lists the card's certificate" 'EIMZA TEST' "$out"
tb_done
