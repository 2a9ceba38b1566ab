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

out=$("$TB" --card seal -- "$B/bench-poll" 300)
check_eq "bench-poll runs" 0 $?
check_match "polling sends the card no APDU" 'calls: 0$' "$(printf '%s\n' "$out" | grep '^APDUs')"
tb_done
