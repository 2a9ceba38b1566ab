#!/bin/bash
# The benchmarks still run and their signatures and polls still succeed (they
# fail on a failed call or a signature OpenSSL does not verify against the
# card's certificate, never on time): bench-parallel on four cards at once,
# bench-poll on one. Their numbers are for `make bench`, with the
# "real" latency model; here the cards answer at once.
. "$(dirname "$0")/../testbed/lib.sh"
B="$top_builddir/tests/module"

out=$("$TB" --card seal-rsa --card seal --card seal-rsa --card seal -- "$B/bench-parallel" 2)
check_eq "bench-parallel: four cards sign at once without a failure" 0 $?
check_match "bench-parallel reports four cards" 'each of 4 cards at once' "$out"
check_match "bench-parallel: no failed or unverified signature" '^failures: 0$' "$(printf '%s\n' "$out" | tail -1)"

# bench-table (make bench's table): every signature it makes verifies with
# OpenSSL, or it fails; here a few of each part.
out=$("$TB" --card seal-rsa --card nes-ec -- "$B/bench-table" apdus)
check_eq "bench-table apdus runs, every signature verified" 0 $?
check_match "bench-table counts the qualified signature's commands" \
	'card nes-ec gen 2 \| key 1 ECDSA-SHA256 \(context login\) \| 4 APDUs' "$out"
out=$("$TB" --card seal -- sh -c "$B/bench-table update && $B/bench-table rss 20")
check_eq "bench-table update and rss run" 0 $?
check_match "bench-table rss made its signatures" 'rss \| 20 signatures' "$out"

out=$("$TB" --card seal -- "$B/bench-poll" 300)
check_eq "bench-poll runs" 0 $?
check_match "polling sends the card no APDU" 'calls: 0$' "$(printf '%s\n' "$out" | grep '^APDUs')"
tb_done
