#!/bin/bash
# No PIN or PUK in a log, a trace or a core file. On a 2.x and a 1.2 card in
# the test bed, through the eimza module: a login with a signature
# (eimza-onay), a PIN change and an unblock with the PUK (eimza-pin), and a
# login with the new PIN; the module's debug log with its APDU trace on.
# Then no file of the test bed folder but the card images (a card's own
# storage) holds any of the PINs or the PUK, in ASCII or in hex ("37 33 39"
# or "373339"), and neither does what a core dump of a card runtime would
# hold (its memory but the MADV_DONTDUMP pages, also while it holds a VERIFY
# unanswered; in the ordinary build also a real core file from gcore).
#
# The test first runs the same with EIMZA_TB_PCSCD_APDU_LOG=1 and expects
# the PIN in pcscd's log: the search finds what pcscd -a writes, so the
# clean run means something.
. "$(dirname "$0")/lib.sh"

# Values no test bed file holds by chance (the defaults 123456 and 12345678
# could be part of a serial or a number). Not exported here: the card
# runtimes would inherit them in their environment, which a core file
# holds. The command inside the test bed exports them for the tools.
PIN1=739164 PUK1=58203617 PIN2=846205 PIN3=910372
SECRETS="$PIN1 $PUK1 $PIN2 $PIN3"

# Every form a secret may take in a text file: ASCII, hex (upper and lower
# case, with or without spaces).
forms() {
	local hex spaced
	hex=$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')
	spaced=$(printf '%s' "$hex" | sed 's/../& /g; s/ $//')
	printf '%s\n' "$1" "$hex" "$spaced"
}

# The files (under $1) holding any form of any secret, one per line.
leaks() {
	local s f
	for s in $SECRETS; do
		while read -r f; do
			grep -rlaiF --exclude='*.img' --exclude='*.img.tmp.*' -e "$f" "$1"
		done < <(forms "$s")
	done | sort -u
}

scenario() { # login, change, unblock, login on card I
	local i=$1 reader slot
	reader=$(eval echo "\$EIMZA_TB_CARD${i}_READER")
	slot=$(python3 -c 'import json,sys; print([s["slot"] for s in json.load(open(sys.argv[1]))["slots"] if s["reader"] == sys.argv[2]][0])' "$T/info.json" "$reader")
	check "card $i: login and signature with the PIN" \
		"$O" login --code "$CODE" --slot "$slot" --pin-source env:TB_PIN -o "$T/login$i.p7s"
	check "card $i: PIN change" \
		"$PIN" change --slot "$slot" --pin-source env:TB_PIN --new-pin-source env:TB_PIN2
	check "card $i: unblock with the PUK" \
		"$PIN" unlock --yes --slot "$slot" --puk-source env:TB_PUK --new-pin-source env:TB_PIN3
	check "card $i: login with the new PIN" \
		"$O" login --code "$CODE" --slot "$slot" --pin-source env:TB_PIN3 -o "$T/again$i.p7s"
}

if [ "${1:-}" = inside ]; then
	export TB_PIN=$PIN1 TB_PUK=$PUK1 TB_PIN2=$PIN2 TB_PIN3=$PIN3
	tb_require python3 od
	[ -f "${EIMZA_MODULE:-}" ] || { not_ok "the eimza module is not built"; tb_done; }
	O=$top_builddir/tools/onay/eimza-onay
	PIN=$top_builddir/tools/pin/eimza-pin
	T=$EIMZA_TB_DIR
	CODE=482913775012634
	export LC_ALL=C LANGUAGE=
	# The module's own log, with its APDU trace, in the test bed folder.
	export EIMZA_DEBUG=1 EIMZA_DEBUG_FILE=$T/module.log EIMZA_APDU_TRACE=1
	"$top_builddir/tools/info/eimza-info" --json >"$T/info.json" 2>/dev/null
	scenario 0
	scenario 1
	check "the module wrote its debug log" test -s "$T/module.log"
	check "the cards traced the commands" grep -q '^> 00 20 00 81' "$EIMZA_TB_CARD0_TRACE"
	found=$(leaks "$T")
	if [ "${2:-}" = apdu-log ]; then
		# The control: pcscd -a wrote the PIN, and the search saw it.
		check_match "with pcscd -a, the search finds the PIN in pcscd's log" \
			'(^|/)pcscd\.log$' "$found"
		tb_done
	fi
	check_eq "no PIN or PUK in any log or trace of the test bed" "" "$found"

	# What a core dump of each card runtime would hold, after it compared,
	# changed and stored every value above: its memory but the pages marked
	# MADV_DONTDUMP, which the kernel leaves out of every core. The image
	# path (on the runtime's ordinary heap) shows the search reads it.
	for i in 0 1; do
		pid=$(cat "$T/card$i.pid")
		img=$(eval echo "\$EIMZA_TB_CARD${i}_IMAGE")
		# shellcheck disable=SC2086
		found=$(python3 "$top_srcdir/tests/testbed/tb-dumpable.py" "$pid" "$img" $SECRETS)
		check "card $i: the search reads the runtime's memory (it finds the image path)" \
			grep -qxF "$img" <<<"$found"
		check_eq "card $i: no PIN or PUK in what a core dump of the runtime would hold" "" \
			"$(grep -vxF "$img" <<<"$found")"
	done
	# A command the runtime holds unanswered (control "hold", as a busy card
	# makes its reader wait) sits in its memory until "release": a VERIFY's
	# PIN there stays out of what a core would hold too.
	ctl0() {
		python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode()+b"\n"); print(s.recv(200).decode().strip())' "$EIMZA_TB_CARD0_CONTROL" "$1"
	}
	ctl0 hold >/dev/null
	"$EIMZA_TB_PCSC" apdu "$EIMZA_TB_CARD0_READER" "0020008106$(printf '%s' "$PIN3" | od -An -tx1 | tr -d ' \n')" >/dev/null 2>&1 &
	apdu=$!
	st=
	for _ in $(seq 100); do
		st=$(ctl0 status)
		case $st in *pending*) break ;; esac
		sleep 0.1
	done
	check_match "card 0 holds a VERIFY unanswered" 'held pending' "$st"
	# shellcheck disable=SC2086
	found=$(python3 "$top_srcdir/tests/testbed/tb-dumpable.py" "$(cat "$T/card0.pid")" $SECRETS)
	check_eq "no PIN in what a core of the runtime would hold while it holds a VERIFY" "" "$found"
	ctl0 release >/dev/null
	wait "$apdu"

	# And a real core file, from gcore, in the ordinary build (gdb dumps an
	# ASan process's reserved shadow space: terabytes); ulimit -f caps it
	# all the same.
	if [ "${EIMZA_SANITIZED:-}" != 1 ] && ! ldd "$EIMZA_VCARD" | grep -q libasan; then
		mkdir "$T/cores"
		pid=$(cat "$T/card0.pid")
		(ulimit -f 524288 && gcore -o "$T/cores/card0" "$pid") >/dev/null 2>&1
		core="$T/cores/card0.$pid"
		check "gcore dumps card 0's runtime" test -s "$core"
		check "card 0's core holds the runtime's heap (the image path)" \
			grep -qaF "$EIMZA_TB_CARD0_IMAGE" "$core"
		check_eq "no PIN or PUK in card 0's core file" "" "$(leaks "$T/cores")"
		rm -rf "$T/cores"
	fi
	tb_done
fi

# ---- outside the test bed: the control run, then the real one -----------
tb_require python3
[ "${EIMZA_SANITIZED:-}" = 1 ] || tb_require gcore
# The cards' first PIN and PUK from files outside the test bed folder.
SEC=$(mktemp -d)
trap 'rm -rf "$SEC"' EXIT
echo "$PIN1" >"$SEC/pin"
echo "$PUK1" >"$SEC/puk"
SPEC=--pin-source,file:$SEC/pin,--puk-source,file:$SEC/puk
CARDS=(--card "nes-rsa:--generation,2,$SPEC" --card "nes-rsa:--generation,1.2,$SPEC")
EIMZA_TB_PCSCD_APDU_LOG=1 "$TB" "${CARDS[@]}" -- bash "$0" inside apdu-log
rc=$?
[ $rc = 77 ] && exit 77
check_eq "the control run with pcscd -a (the search works)" 0 $rc
"$TB" "${CARDS[@]}" -- bash "$0" inside
check_eq "no PIN or PUK in the logs, traces and cores" 0 $?
tb_done
