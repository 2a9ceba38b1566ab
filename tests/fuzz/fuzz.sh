#!/bin/bash
# tests/fuzz/fuzz.sh: the work of `make fuzz` and of the corpus test
# (docs/fuzzing.md). Run from the build directory.
#
#   fuzz.sh seeds OUTDIR
#       virtual cards of every profile and generation (eimza-vcard init),
#       and the seed corpora made from them (fuzz-seeds) in OUTDIR/TARGET/
#   fuzz.sh run SECONDS SEEDDIR RUNDIR TARGET...
#       each libFuzzer target for SECONDS, at most FUZZ_JOBS (default 2) at a
#       time; the corpus grows in RUNDIR/corpus/TARGET, findings land in
#       RUNDIR/findings/TARGET/ and the log in RUNDIR/TARGET.log. Fails when
#       any target found a crash, a leak, a timeout or a broken promise.
#
# SRCDIR (default: where this script is, two levels up) has the checked-in
# corpora, tests/fuzz/corpus/TARGET/, read by every run as well.
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=${SRCDIR:-$(cd "$here/../.." && pwd)}

# name generation profile [init options]: the virtual cards the seeds come
# from. Each profile on each generation it exists on (EC needs 2.5+), the
# 2.x card whose public keys are protected (blind pairing) and a 2.2 card
# (the older 2.x command set).
cards() {
	cat <<'LIST'
v2-nes-rsa 2 nes-rsa
v2-nes-ec 2 nes-ec
v2-seal 2 seal
v2-seal-rsa 2 seal-rsa
v2-multi 2 multi
v2-nes-rsa-protected 2 nes-rsa --protect-public-keys
v22-nes-rsa 2 nes-rsa --atr tc-2.2.8-infineon
v12-nes-rsa 1.2 nes-rsa
v12-seal-rsa 1.2 seal-rsa
LIST
}

seeds() {
	local out=$1 images=() name gen profile opts
	mkdir -p "$out/images" || return 1
	while read -r name gen profile opts; do
		# shellcheck disable=SC2086
		if ! ./tools/vcard/eimza-vcard init "$out/images/$name.img" --generation "$gen" \
			--profile "$profile" --seed 1 --force $opts >"$out/images/$name.log" 2>&1; then
			echo "fuzz: eimza-vcard init $name failed:" >&2
			cat "$out/images/$name.log" >&2
			return 1
		fi
		images+=("$out/images/$name.img")
	done < <(cards)
	./tests/fuzz/fuzz-seeds "$out" "${images[@]}"
}

run_one() {
	local target=$1 seconds=$2 seeddir=$3 rundir=$4 dirs
	mkdir -p "$rundir/corpus/$target" "$rundir/findings/$target"
	dirs=("$rundir/corpus/$target" "$seeddir/$target")
	[ -d "$src/tests/fuzz/corpus/$target" ] && dirs+=("$src/tests/fuzz/corpus/$target")
	# Leaks are findings (ASan's leak check at the end of each input that
	# grew memory); -timeout: one input taking this long is a hang.
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"./tests/fuzz/fuzz-$target" -max_total_time="$seconds" -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$rundir/findings/$target/" "${dirs[@]}" >"$rundir/$target.log" 2>&1
}

run() {
	local seconds=$1 seeddir=$2 rundir=$3 jobs=${FUZZ_JOBS:-2} t failed=0 running=0
	shift 3
	mkdir -p "$rundir"
	for t in "$@"; do
		echo "fuzz: fuzz-$t for $seconds s (log $rundir/$t.log)"
		run_one "$t" "$seconds" "$seeddir" "$rundir" &
		running=$((running + 1))
		if [ "$running" -ge "$jobs" ]; then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait
	for t in "$@"; do
		if find "$rundir/findings/$t" -type f | grep -q .; then
			failed=1
			echo "fuzz: fuzz-$t FOUND SOMETHING: $rundir/findings/$t/" >&2
			ls -l "$rundir/findings/$t" >&2
			grep -E '^(==[0-9]+==ERROR|SUMMARY|.*broken promise|.*runtime error)' \
				"$rundir/$t.log" | head -n 20 >&2
			# CI keeps no files: each finding goes to the log too, as base64
			# (base64 -d >FILE gives it back).
			find "$rundir/findings/$t" -type f -size -64k | head -n 3 | while read -r f; do
				echo "fuzz: $f as base64:" >&2
				base64 -w 76 "$f" >&2
			done
			echo "fuzz: reproduce: ./tests/fuzz/fuzz-$t FILE (docs/fuzzing.md)" >&2
		elif ! grep -q 'Done [0-9]* runs' "$rundir/$t.log"; then
			failed=1
			echo "fuzz: fuzz-$t did not finish its run; see $rundir/$t.log" >&2
			tail -n 30 "$rundir/$t.log" >&2
		else
			echo "fuzz: fuzz-$t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$rundir/$t.log"), \
$(find "$rundir/corpus/$t" -type f | wc -l) inputs in its corpus, no finding"
		fi
	done
	return $failed
}

case ${1:-} in
seeds) shift; seeds "$@" ;;
run) shift; run "$@" ;;
*) echo "usage: fuzz.sh seeds OUTDIR | run SECONDS SEEDDIR RUNDIR TARGET..." >&2; exit 2 ;;
esac
