#!/bin/bash
# What the tools say of every kind of card in a reader, through the real
# PC/SC stack: an AKIS 2.x card, an AKIS 1.2 card, a card of no AKIS family
# (not claimed: no token, "not an AKIS card" with its ATR) and an AKIS v1.0
# (recognized, not supported). And `eimza-info probe` on both generations:
# read-only (no VERIFY with data, no CHANGE, no unblock, no signature; the
# counters stay), every APDU with its status word, names and the T.C.
# Kimlik No masked, text and JSON.
. "$(dirname "$0")/../testbed/lib.sh"
FOREIGN=3B7F96000080318065B0855956FB120FFE829000
V10=3BBA11008131FE4D55454B41452056312E30AE
tb_require python3 pkcs11-tool
tb_enter --card nes-rsa --card "nes-rsa:--generation,1.2" --card "seal-rsa:--atr,$FOREIGN" \
	--card "seal-rsa:--generation,1.2,--atr,$V10"
. "$(dirname "$0")/lib-tools.sh"
set +u
export LC_ALL=C LANGUAGE=
I=$top_builddir/tools/info/eimza-info
T=$EIMZA_TB_DIR

# ---- eimza-info: every card named as the module recognizes it -------------
expect 0 "$I"
check_match "2.x card named from its ATR" 'Model: +AKIS 2\.5\.2 \(NXP\)' "$out"
check_match "2.x family" 'Family: +AKIS 2\.x \(TC\)' "$out"
check_match "1.2 card named from its ATR" 'Model: +AKIS 1\.2\.2 \(Infineon\)' "$out"
check_match "1.2 family" 'Family: +AKIS 1\.x \(UEKAE\)' "$out"
check_match "a foreign card: not an AKIS card, with its ATR" \
	'not an AKIS card \(ATR 3B 7F 96 00 00 80 31 80 65 B0 85 59 56 FB 12 0F FE 82 90 00\)' "$out"
check_match "AKIS v1.0: recognized, not supported" 'AKIS v1\.0 \(ATR 3B BA .*not supported' "$out"
expect 0 "$I" --json
printf '%s' "$out" >"$T/info.json"
check "eimza-info --json: the card of each slot" python3 - "$T/info.json" "$FOREIGN" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
states = sorted(s["card"]["state"] for s in d["slots"] if "card" in s)
assert states == ["not-akis", "unsupported"], states
foreign = [s["card"] for s in d["slots"] if s.get("card", {}).get("state") == "not-akis"][0]
assert foreign["atr"].replace(" ", "") == sys.argv[2], foreign
models = sorted(s["token"]["card_model"] for s in d["slots"] if s.get("token"))
assert models == ["AKIS 1.2.2 (Infineon)", "AKIS 2.5.2 (NXP)"], models
PY

# ---- the module claims only AKIS cards --------------------------------------
out=$(pkcs11-tool --module "$EIMZA_MODULE" -L 2>&1)
check_eq "two tokens: the foreign card and v1.0 are not tokens" 2 "$(grep -c 'token label' <<<"$out")"
out=$(pkcs11-tool --module "$EIMZA_MODULE" -T 2>&1)
# The two tokens and the v1.0 card (an AKIS card the module will not read:
# its slot says "token not recognized"); the foreign card's slot is empty.
check_eq "C_GetSlotList(CK_TRUE): the AKIS cards, not the foreign one" 3 "$(grep -c '^Slot' <<<"$out")"
check_match "the v1.0 slot: token not recognized" 'token state +: not recognized|not recognized' "$out"

# ---- eimza-pin and eimza-onay say the same of a card they cannot use ----------
P=$top_builddir/tools/pin/eimza-pin
slot_in() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([s["slot"] for s in d["slots"] if s.get("card",{}).get("state")==sys.argv[2]][0])' "$T/info.json" "$1"; }
set +e
out=$("$P" --slot "$(slot_in not-akis)" status 2>&1)
rc=$?
set -e
check_eq "eimza-pin on a foreign card: no card to use" 3 "$rc"
check_match "eimza-pin on a foreign card: not an AKIS card" 'is not an AKIS e-signature card' "$out"
set +e
out=$("$top_builddir/tools/onay/eimza-onay" login --code 482913775012634 --slot "$(slot_in unsupported)" 2>&1)
rc=$?
set -e
check_eq "eimza-onay on AKIS v1.0: no card to use" 3 "$rc"
check_match "eimza-onay on AKIS v1.0: a generation not supported" 'an AKIS generation eimza does not support \(AKIS v1\.0' "$out"

# ---- doctor: a foreign card is named as such -----------------------------------
set +e
out=$("$I" doctor --slot "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([s["slot"] for s in d["slots"] if s.get("card",{}).get("state")=="not-akis"][0])' "$T/info.json")" 2>&1)
set -e
check_match "doctor: the foreign card is not an AKIS card" 'is not an AKIS card \(ATR 3B 7F' "$out"

# ---- probe: read-only, every APDU, masked ------------------------------------------
tckn=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["tckn"] for s in d["slots"] if s.get("token") for c in s["token"]["certificates"] if c.get("tckn")][0])' "$T/info.json")
holder=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["holder"] for s in d["slots"] if s.get("token") for c in s["token"]["certificates"]][0])' "$T/info.json")
for i in 0 1; do
	lines[$i]=$(wc -l <"$(eval echo "\$EIMZA_TB_CARD${i}_TRACE")")
	tries[$i]=$("$EIMZA_VCARD" info "$(eval echo "\$EIMZA_TB_CARD${i}_IMAGE")" | grep -E '^(PIN|PUK)')
done
expect 0 "$I" probe
printf '%s' "$out" >"$T/probe.txt"
check_match "probe: the 2.x card's application selected by name" '> 00 A4 04 00 07 50 4B 43 53 2D 31 35 00' "$out"
check_match "probe: the 2.x serial" '> 00 CA 01 0B 08' "$out"
# eimza-info above left both cards in the card cache: the probe still reads
# them in full (the certificate's second piece), not the cache's short check.
check "probe: the card cache has the cards" test "$(ls "$XDG_CACHE_HOME/eimza" | wc -l)" = 2
check_match "probe: the certificates are read in full, not from the cache" '> 00 B0 00 D0 D0' "$out"
check_match "probe: the 1.2 serial" '> 00 CA 01 06 51' "$out"
check_match "probe: status words are shown" '< .*90 00' "$out"
check_match "probe: the PIN counters" 'PIN: +3 of 3 tries left, 6 to 8 digits' "$out"
check_match "probe: the not-AKIS card is reported" 'State: +not an AKIS card' "$out"
check_match "probe: how to report" 'bug report' "$out"
check "probe: the T.C. Kimlik No is not in the report" test "$(grep -c "$tckn" "$T/probe.txt")" = 0
check "probe: the holder's name is not in the report" test "$(grep -c "$holder" "$T/probe.txt")" = 0
check_match "probe: the subject's name is masked" 'subject: C=TR, .*CN=\[masked\]' "$out"
for i in 0 1; do
	trace=$(eval echo "\$EIMZA_TB_CARD${i}_TRACE")
	new=$(tail -n +"$((lines[i] + 1))" "$trace" | grep '^> ')
	check "probe: card $i got commands" test -n "$new"
	check "probe: card $i got no VERIFY with data, CHANGE, unblock, MSE or PSO" \
		test -z "$(grep -E '^> .. (20 00 8. ..|24|2C|22|2A) ' <<<"$new")"
	check_eq "probe: card $i's counters are unchanged" "${tries[$i]}" \
		"$("$EIMZA_VCARD" info "$(eval echo "\$EIMZA_TB_CARD${i}_IMAGE")" | grep -E '^(PIN|PUK)')"
done
expect 0 "$I" probe --json
printf '%s' "$out" >"$T/probe.json"
check "probe --json: APDUs per slot, no name, no number" python3 - "$T/probe.json" "$tckn" "$holder" <<'PY'
import json, sys
raw = open(sys.argv[1]).read()
assert sys.argv[2] not in raw and sys.argv[3] not in raw
d = json.load(open(sys.argv[1]))
read = [s for s in d["slots"] if s["state"] == "read"]
assert len(read) == 2, d["slots"]
for s in read:
    assert any(l.startswith("> 00 A4") for l in s["apdus"]), s
    assert all(l.startswith(("> ", "< ")) for l in s["apdus"]), s
    assert any(o["class"] == "certificate" for o in s["objects"]), s
PY
expect 2 "$I" probe --slot x
tb_done
