#!/bin/bash
# A PIN or PUK try killed with SIGKILL in the middle, through the real PC/SC
# stack. `eimza-vcard run` with EIMZA_VCARD_STOP_AT_COMPARE=1 stops itself
# right after the card compared the value, before it acts on the result.
# There the image on disk must already hold the counted try, be the same
# bytes for a right value and a wrong one (nothing an observer of the file
# could tell them apart by) and leave no temporary file; after kill -9 the
# image must still hold the try. VERIFY of the PIN and of the PUK on both
# generations, CHANGE of the PIN (2.x), RESET RETRY COUNTER with the PUK (1.2).
. "$(dirname "$0")/lib.sh"
tb_enter --card nes-rsa

P=$EIMZA_TB_PCSC
V=$EIMZA_VCARD
T=$EIMZA_TB_DIR
# The second reader of card 0's vpcd pair is free: each try gets a runtime
# of its own there.
port=$(($(cat "$T/card0.port") + 1))
R1="${EIMZA_TB_CARD0_READER% 00}"
R1="${R1% 00} 00 01"
APP=00A4040C07504B43532D3135

tries() { # image PIN|PUK -> the tries left eimza-vcard info shows
	"$V" info "$1" 2>/dev/null | sed -n "s/^$2: *\([0-9]*\) of .*/\1/p"
}

state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# one_try GENERATION LABEL APDU...: a fresh card of GENERATION in a folder
# of its own, a runtime that stops at the comparison, the APDUs sent; at the
# stop the image is copied to $T/LABEL.img and the folder listed into
# $T/LABEL.ls; then kill -9. Prints nothing; fails the check when the
# runtime never stopped.
one_try() {
	local g=$1 label=$2 dir="$T/try" pid apid st=
	shift 2
	rm -rf "$dir"
	mkdir "$dir"
	cp "$T/base-$g.img" "$dir/card.img"
	EIMZA_VCARD_STOP_AT_COMPARE=1 "$V" run "$dir/card.img" --port "$port" 2>>"$T/try-runtime.log" &
	pid=$!
	if ! "$P" wait-card "$R1" 15; then
		not_ok "$label: the card did not come up"
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		return
	fi
	timeout 30 "$P" apdu "$R1" "$@" >/dev/null 2>&1 &
	apid=$!
	for _ in $(seq 200); do
		st=$(state_of "$pid")
		[ "$st" = T ] && break
		sleep 0.05
	done
	check_eq "$label: the runtime stopped at the comparison" T "$st"
	cp "$dir/card.img" "$T/$label.img"
	ls -A "$dir" >"$T/$label.ls"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	wait "$apid" 2>/dev/null
	"$P" wait-empty "$R1" 10 >/dev/null 2>&1
	cp "$dir/card.img" "$T/$label.after.img"
}

# case GENERATION COUNTER NAME SETUP RIGHT WRONG (SETUP "-" for none)
try_case() {
	local g=$1 counter=$2 name=$3 setup=$4 right=$5 wrong=$6 pre=()
	[ "$setup" != - ] && pre=("$setup")
	one_try "$g" "$name-wrong" "${pre[@]}" "$wrong"
	one_try "$g" "$name-right" "${pre[@]}" "$right"
	check_eq "$name, wrong value: at the comparison the image holds the try" 2 \
		"$(tries "$T/$name-wrong.img" "$counter")"
	check_eq "$name, right value: at the comparison the image holds the try" 2 \
		"$(tries "$T/$name-right.img" "$counter")"
	check "$name: at the comparison the image is the same for a right and a wrong value" \
		cmp -s "$T/$name-wrong.img" "$T/$name-right.img"
	check_eq "$name, wrong value: no temporary file at the comparison" card.img "$(cat "$T/$name-wrong.ls")"
	check_eq "$name, right value: no temporary file at the comparison" card.img "$(cat "$T/$name-right.ls")"
	check_eq "$name, wrong value: after kill -9 the try stays counted" 2 \
		"$(tries "$T/$name-wrong.after.img" "$counter")"
	check_eq "$name, right value: after kill -9 the try stays counted" 2 \
		"$(tries "$T/$name-right.after.img" "$counter")"
}

"$V" init "$T/base-2.img" --profile nes-rsa --generation 2 >/dev/null 2>&1 ||
	not_ok "init of a 2.x card"
"$V" init "$T/base-1.2.img" --profile nes-rsa --generation 1.2 >/dev/null 2>&1 ||
	not_ok "init of a 1.2 card"
check_eq "a fresh card has 3 PIN tries" 3 "$(tries "$T/base-2.img" PIN)"

# PIN 123456, PUK 12345678 (init's defaults); the wrong values are zeros.
try_case 2 PIN "2.x VERIFY PIN" $APP 0020008106313233343536 0020008106303030303030
try_case 2 PUK "2.x VERIFY PUK" $APP 00200082083132333435363738 00200082083030303030303030
try_case 2 PIN "2.x CHANGE PIN" $APP 002400810C313233343536363534333231 \
	002400810C303030303030363534333231
try_case 1.2 PIN "1.2 VERIFY PIN" - 0020008106313233343536 0020008106303030303030
try_case 1.2 PUK "1.2 VERIFY PUK" - 00200082083132333435363738 00200082083030303030303030
try_case 1.2 PUK "1.2 RESET RETRY COUNTER" - 002C00811008313233343536373806313233343536 \
	002C00811008303030303030303006313233343536

tb_done
