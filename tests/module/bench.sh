#!/bin/bash
# tests/module/bench.sh: `make bench`: the numbers of docs/performance.md as
# one table, every part through the test bed with virtual cards:
#   - APDUs and bytes per card of a cold start (cache empty), a warm start
#     (the cache from the cold one), a login and each signature mechanism,
#     AKIS 2.x (every profile) and 1.2, with pcscd round trips per signature
#     (pcsc-count.so in front of pcsc-lite);
#   - start-up with 1 and 4 cards under the "real" latency model, cold and
#     warm;
#   - C_SignUpdate throughput at 1, 4 and 64 KiB beside OpenSSL's SHA-256;
#   - RSS after BENCH_SIGNATURES signatures (default 100000), each verified.
# A benchmark, not a test: it fails only when a call fails or a signature
# does not verify. Run from the build directory.
set -u
B=tests/module
TB=tests/testbed/eimza-testbed
preload=$PWD/$B/.libs/pcsc-count.so
n=${BENCH_SIGNATURES:-100000}
rc=0
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3" >>"$rows"; }

# bench-table's "card P gen G | what | N APDUs | M bytes [| R pcscd round trips]".
apdu_rows() { # start-label
	while IFS='|' read -r card what apdus bytes trips; do
		card=${card#card }
		case $what in *start*) what="$1 start" ;; esac
		what=$(echo "$what" | sed 's/^ *//; s/ *$//')
		row "${card% }" "$what" "$(echo "$apdus,$bytes${trips:+,$trips}" | sed 's/^ *//; s/ *, */, /g; s/ *$//')"
	done
}

for gen in 2 1.2; do
	if [ "$gen" = 2 ]; then
		cards=(--card nes-rsa --card nes-ec --card seal --card seal-rsa --card multi)
	else
		cards=(--card nes-rsa --card seal-rsa)
	fi
	out=$(EIMZA_TB_GENERATION=$gen "$TB" "${cards[@]}" -- sh -c '
		LD_PRELOAD='"$preload"' '"$B"'/bench-table apdus || exit 1
		echo "== warm"
		LD_PRELOAD='"$preload"' '"$B"'/bench-table apdus') || rc=1
	grep '^card' <<<"${out%%== warm*}" | apdu_rows cold
	grep '^card' <<<"${out#*== warm}" | grep ' start ' | apdu_rows warm
done

for cards in 1 4; do
	spec=()
	for ((i = 0; i < cards; i++)); do spec+=(--card seal-rsa); done
	out=$("$TB" --latency real "${spec[@]}" -- sh -c "
		EIMZA_CACHE=0 $B/bench-table startup || exit 1
		$B/bench-table startup >/dev/null || exit 1
		$B/bench-table startup") || rc=1
	row "$cards card(s), latency real" "start-up, cold (cache off)" \
		"$(grep '^startup' <<<"$out" | head -1 | sed 's/.*| //')"
	row "$cards card(s), latency real" "start-up, warm" "$(grep '^startup' <<<"$out" | tail -1 | sed 's/.*| //')"
done

out=$("$TB" --card seal -- "$B/bench-table" update) || rc=1
while IFS='|' read -r _ size module ossl ratio; do
	row "seal" "C_SignUpdate,${size% }" "${module# }vs${ossl% } (${ratio# })"
done < <(grep '^update' <<<"$out")

out=$("$TB" --card seal -- "$B/bench-table" rss "$n") || rc=1
row "seal" "RSS" "$(grep '^rss' <<<"$out" | sed 's/^rss | //')"

echo "| card | what | measured |"
echo "| --- | --- | --- |"
cat "$rows"
exit $rc
