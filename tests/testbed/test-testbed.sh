#!/bin/bash
# The test bed itself and the eimza-vcard runtime around the engine: the
# control socket and signals, pcscd restarts, the latency model, a clean
# SIGTERM exit; then, from outside, that the test bed passes the command's
# status on, enforces its time limit, skips without root (fails under
# EIMZA_STRICT=1), and leaves no process, mount or scratch directory behind --
# also when it is killed itself.
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = inside ]; then
	P=$EIMZA_TB_PCSC
	R0=$EIMZA_TB_CARD0_READER
	C0=$EIMZA_TB_CARD0_CONTROL
	send() { # control socket, line -> the answer
		python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode()+b"\n"); print(s.recv(200).decode().strip())' "$1" "$2"
	}
	pid=$(cat "$EIMZA_TB_DIR/card0.pid")
	# The PIN's tries, read from the PIN object as a 2.x card offers them.
	tries() { "$P" apdu "$1" 00A4040C07504B43532D3135 00CB3FFF0A4D08BF810104A0029B8000 | sed -n 2p; }
	THREE=BF810105A0039B01039000

	# pcscd reports the card present before it has powered it up (under load
	# the power-up can lag), and powers an idle card down after a while (a
	# slow start-up can outlast that): a connection powers it up again.
	# Wait for it, then check the whole status line.
	"$P" atr "$R0" >/dev/null
	st=
	for _ in $(seq 100); do
		st=$(send "$C0" status)
		[ "$st" = "ok inserted connected powered" ] && break
		sleep 0.1
	done
	check_eq "control socket: status" "ok inserted connected powered" "$st"
	check_match "control socket: an unknown command is an error" '^error ' "$(send "$C0" dance)"
	check_match "control socket: remove" '^ok' "$(send "$C0" remove)"
	check "pcscd sees the removal" "$P" wait-empty "$R0" 10
	check_match "control socket: status after removal" '^ok removed' "$(send "$C0" status)"
	check_match "control socket: insert" '^ok' "$(send "$C0" insert)"
	check "pcscd sees the insertion" "$P" wait-card "$R0" 10

	kill -USR1 "$pid"
	check "SIGUSR1 removes the card" "$P" wait-empty "$R0" 10
	kill -USR2 "$pid"
	check "SIGUSR2 inserts it again" "$P" wait-card "$R0" 10
	check_eq "the card answers after the signals" $THREE "$(tries "$R0")"
	# Pulled and pushed back at once: pcscd must still see it go and power
	# it up again (the runtime keeps it out 1 s; card-insert waits for it).
	kill -USR1 "$pid"
	check "card-insert right after a pull" $EIMZA_TB_CTL card-insert 0
	check_eq "the card was powered up again and answers" $THREE "$(tries "$R0")"

	# A reader plugged in: one more vpcd configuration (its own copy of
	# the driver) and a pcscd restart. It must get a card of its own while
	# the first one keeps answering.
	added=$($EIMZA_TB_CTL reader-add)
	check_eq "reader-add prints two new readers" 2 "$(printf '%s\n' "$added" | grep -c '^eimza-vpcd-1 ')"
	check_eq "pcscd lists four readers" 4 "$("$P" list | wc -l)"
	check_eq "the card answers after reader-add" $THREE "$(tries "$R0")"
	R2=$(printf '%s\n' "$added" | head -1)
	check "the new reader is empty" "$P" wait-empty "$R2" 5
	"$EIMZA_VCARD" init "$EIMZA_TB_DIR/late.img" --profile seal >/dev/null 2>&1
	"$EIMZA_VCARD" run "$EIMZA_TB_DIR/late.img" --port "$(cat "$EIMZA_TB_DIR/conf1.port")" 2>"$EIMZA_TB_DIR/late.log" &
	late=$!
	check "a card in the new reader" "$P" wait-card "$R2" 15
	check_eq "the first card still answers in its own reader" $THREE "$(tries "$R0")"
	kill -TERM "$late"; wait "$late"
	check "reader-remove 1" $EIMZA_TB_CTL reader-remove 1
	check_eq "pcscd lists two readers again" 2 "$("$P" list | wc -l)"
	$EIMZA_TB_CTL reader-add 0 2>/dev/null
	check_eq "reader-add of a configuration that is there is a usage error" 2 $?
	$EIMZA_TB_CTL reader-remove 7 2>/dev/null
	check_eq "reader-remove of an unknown configuration is a usage error" 2 $?

	"$P" apdu "$R0" 00A4040C07504B43532D3135 0020008106303030303030 >/dev/null
	check "pcscd-restart brings the reader and the card back" $EIMZA_TB_CTL pcscd-restart
	check_eq "the card answers right after a pcscd restart, its counter kept" BF810105A0039B01029000 "$(tries "$R0")"
	"$P" apdu "$R0" 00A4040C07504B43532D3135 0020008106313233343536 >/dev/null

	# A second runtime on the free reader of the vpcd pair, with the
	# "real" latency model: 20 APDUs take at least 20 x 10 ms.
	port=$(( $(cat "$EIMZA_TB_DIR/card0.port") + 1 ))
	R1="${R0% 00}"; R1="${R1% 00} 00 01"
	"$EIMZA_VCARD" init "$EIMZA_TB_DIR/slow.img" --profile nes-ec >/dev/null 2>&1
	"$EIMZA_VCARD" run "$EIMZA_TB_DIR/slow.img" --port "$port" --latency real 2>"$EIMZA_TB_DIR/slow.log" &
	slow=$!
	check "a runtime started later joins the running pcscd" "$P" wait-card "$R1" 15
	apdus=$(for _ in $(seq 20); do printf '0084000008 '; done)
	t0=$(date +%s%N)
	"$P" apdu "$R1" $apdus >/dev/null
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	check "latency real: 20 APDUs take >= 200 ms (took $ms ms)" test "$ms" -ge 200
	t0=$(date +%s%N)
	"$P" apdu "$R0" $apdus >/dev/null
	fast=$(( ($(date +%s%N) - t0) / 1000000 ))
	check "latency none is faster ($fast ms < $ms ms)" test "$fast" -lt "$ms"
	kill -TERM "$slow"
	wait "$slow"
	check_eq "SIGTERM: the runtime exits with status 0" 0 $?
	check "pcscd sees the card go with it" "$P" wait-empty "$R1" 10
	check_match "its image still loads" 'PIN: +3 of 3' "$("$EIMZA_VCARD" info "$EIMZA_TB_DIR/slow.img")"

	check_match "eimza-vcard --version" '^eimza-vcard [0-9]' "$("$EIMZA_VCARD" --version)"
	check "eimza-vcard --help" "$EIMZA_VCARD" --help
	head -c 300 /dev/urandom >"$EIMZA_TB_DIR/junk.img"
	"$EIMZA_VCARD" info "$EIMZA_TB_DIR/junk.img" >/dev/null 2>&1
	check_eq "eimza-vcard info refuses a junk image (no crash)" 1 $?
	"$EIMZA_VCARD" run "$EIMZA_TB_CARD0_IMAGE" --port 1 --latency bogus 2>/dev/null
	check_eq "a bad latency model is a usage error" 2 $?

	# For the outside checks: what must be gone afterwards.
	echo "$EIMZA_TB_DIR $(cat "$EIMZA_TB_DIR"/*.pid)" >"$TB_RECORD"
	tb_done
fi

if [ "${1:-}" = generations ]; then
	# EIMZA_TB_GENERATION=1.2 for the cards whose spec names none; a spec's
	# own --generation wins. Each card's generation is exported.
	P=$EIMZA_TB_PCSC
	check_eq "EIMZA_TB_GENERATION reaches the command" 1.2 "$EIMZA_TB_GENERATION"
	check_eq "card 0 takes the default: 1.2" 1.2 "$EIMZA_TB_CARD0_GENERATION"
	check_eq "card 1's spec says 2" 2 "$EIMZA_TB_CARD1_GENERATION"
	check_eq "card 2's spec says 1.2 in the = form" 1.2 "$EIMZA_TB_CARD2_GENERATION"
	check_match "card 0 has a UEKAE ATR" '^3B9F968131FE45806755454B4145' "$("$P" atr "$EIMZA_TB_CARD0_READER")"
	check_match "card 1 has a TC ATR" '^3B9F978131FE458065544353' "$("$P" atr "$EIMZA_TB_CARD1_READER")"
	check_match "card 2 has the ATR its spec gives" '^3B9F968131FE45806755454B414512A5' "$("$P" atr "$EIMZA_TB_CARD2_READER")"
	check_match "eimza-vcard info agrees" 'Generation: AKIS 1.2' "$("$EIMZA_VCARD" info "$EIMZA_TB_CARD0_IMAGE")"
	check_eq "the 1.2 card answers the 1.2 state query" 63C3 "$("$P" apdu "$EIMZA_TB_CARD0_READER" 0020008100)"
	tb_done
fi

if [ "${1:-}" = four ]; then
	# Four cards in four readers of two vpcd configurations: each card is
	# its own, so pulling one leaves the three others in place.
	P=$EIMZA_TB_PCSC
	check_eq "four readers" 4 "$("$P" list | wc -l)"
	for i in 0 1 2 3; do
		r=$(eval echo "\$EIMZA_TB_CARD${i}_READER")
		check_match "card $i is in reader '$r'" '^3B' "$("$P" atr "$r")"
	done
	check "card-remove 2" $EIMZA_TB_CTL card-remove 2
	for i in 0 1 3; do
		r=$(eval echo "\$EIMZA_TB_CARD${i}_READER")
		check_match "card $i stays while card 2 is out" '^3B' "$("$P" atr "$r")"
	done
	check "card-insert 2" $EIMZA_TB_CTL card-insert 2
	check "pcscd-restart with four cards" $EIMZA_TB_CTL pcscd-restart
	tb_done
fi

# ---- outside the test bed --------------------------------------------------
[ "$(id -u)" = 0 ] || exec "$TB" -- true # its own skip (77, or 99 when strict)
TB_RECORD=$(mktemp)
trap 'rm -f "$TB_RECORD"' EXIT
export TB_RECORD
host_comm=$(stat -c %i /run/pcscd/pcscd.comm 2>/dev/null || echo none)

"$TB" --card nes-rsa -- bash "$0" inside
rc=$?
[ $rc = 77 ] && exit 77
check_eq "the checks inside the test bed pass" 0 "$rc"

gone() { # the scratch directory and every recorded process are gone
	local dir pid
	read -r dir rest <"$TB_RECORD" || return 1
	[ -n "$dir" ] && [ ! -e "$dir" ] || { echo "left: $dir" >&2; return 1; }
	for pid in $rest; do
		kill -0 "$pid" 2>/dev/null && { echo "left: process $pid" >&2; return 1; }
	done
	return 0
}
check "teardown leaves no scratch directory and no process" gone

"$TB" --card nes-rsa --card seal --card nes-ec --card multi -- bash "$0" four
check_eq "four cards in one test bed" 0 $?
EIMZA_TB_GENERATION=1.2 "$TB" --card nes-rsa --card seal-rsa:--generation,2 \
	--card "seal-rsa:--generation=1.2,--atr,uekae-12a5" -- bash "$0" generations
check_eq "cards of both generations in one test bed" 0 $?
EIMZA_TB_GENERATION=1.2 "$TB" --card nes-ec -- true 2>"$TB_RECORD.err"
check_eq "an EC profile on a 1.2 test bed card fails the test bed" 1 $?
check_match "and says why" 'do not have' "$(cat "$TB_RECORD.err")"
rm -f "$TB_RECORD.err"
"$TB" --card seal --card seal --card seal --card seal --card seal --card seal --card seal \
	--card seal --card seal -- true 2>/dev/null
check_eq "nine cards are refused (sixteen readers at most)" 2 $?

# The command's failure is passed on; a daemon it left is killed too.
"$TB" -- bash -c 'sleep 600 & echo "$EIMZA_TB_DIR $(cat "$EIMZA_TB_DIR"/*.pid) $!" >"$TB_RECORD"; exit 7'
check_eq "the command's exit status is passed on" 7 $?
check "a process the command left behind is killed" gone

# The time limit.
t0=$(date +%s)
"$TB" --timeout 2 -- bash -c 'echo "$EIMZA_TB_DIR $(cat "$EIMZA_TB_DIR"/*.pid) $$" >"$TB_RECORD"; sleep 600' 2>/dev/null
rc=$?
check_eq "a hanging command times out with 124" 124 "$rc"
check "the timeout came in time ($(( $(date +%s) - t0 )) s)" test $(( $(date +%s) - t0 )) -lt 30
check "teardown after a timeout" gone

# The test bed killed itself (SIGTERM, as make or CI would).
: >"$TB_RECORD"
"$TB" -- bash -c 'echo "$EIMZA_TB_DIR $(cat "$EIMZA_TB_DIR"/*.pid) $$" >"$TB_RECORD"; sleep 600' &
tb=$!
for _ in $(seq 150); do [ -s "$TB_RECORD" ] && break; sleep 0.1; done
kill -TERM "$tb"
wait "$tb"
rc=$?
check "a killed test bed exits non-zero ($rc)" test "$rc" -ne 0
sleep 0.5
check "teardown after the test bed was killed" gone

check_eq "no test bed mount is visible outside" 0 "$(grep -c eimza-testbed /proc/self/mountinfo)"
check_eq "the machine's own /run/pcscd is untouched" "$host_comm" "$(stat -c %i /run/pcscd/pcscd.comm 2>/dev/null || echo none)"

# Without root: a skip, or a failure under EIMZA_STRICT=1.
if command -v setpriv >/dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env "$@" "$TB" -- true 2>/dev/null; }
	nobody EIMZA_STRICT=; check_eq "not root: exit 77" 77 $?
	nobody EIMZA_STRICT=1; check_eq "not root, EIMZA_STRICT=1: exit 99" 99 $?
fi

tb_done
