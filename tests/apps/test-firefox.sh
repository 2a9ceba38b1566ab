#!/bin/bash
# Firefox ESR itself, headless, with the module registered in a fresh
# profile's security devices: it loads the module, which reads the card.
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
# security device in it; the module's debug log records who loaded it.
HOME=$W EIMZA_DEBUG_FILE=$log MOZ_HEADLESS=1 timeout 90 \
	firefox-esr --headless --no-remote --profile "$P" --screenshot "$W/shot.png" about:blank \
	>"$W/firefox.out" 2>&1
check "Firefox ran headless and exited" test -s "$W/shot.png"
check_match "the module was initialized inside Firefox" 'C_Initialize: [0-9]+ slot' "$(cat "$log" 2>/dev/null)"
check_match "Firefox's NSS read the card's token" "token '.*' serial" "$(cat "$log" 2>/dev/null)"
check "the card answered Firefox's module" test "$(grep -c '^>' "$EIMZA_TB_CARD0_TRACE")" -gt "$apdus_before"
pid_lines=$(grep -o '\[[0-9]*/[0-9]*\] C_Initialize' "$log" | head -1)
check_match "the module ran in a Firefox process" '^\[[0-9]+/[0-9]+\] C_Initialize' "$pid_lines"
# The token and its certificate as Firefox's certificate database sees them.
out=$(foreign certutil -L -h all -d "sql:$P" 2>&1)
check_match "the profile lists the card's certificate" 'EIMZA TEST' "$out"
tb_done
