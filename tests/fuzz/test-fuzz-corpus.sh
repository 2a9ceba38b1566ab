#!/bin/sh
# test-fuzz-corpus.sh: the fuzz targets, built without libFuzzer
# (standalone.c), run every input of their corpora: the seeds made from the
# virtual cards of every profile (fuzz.sh seeds, which checks that each seed
# leads its session to a signature along the card's own commands) and the
# checked-in inputs of tests/fuzz/corpus/TARGET/ (findings once fixed, and
# hand-made malformed inputs). Under the sanitizer build any memory error
# in them fails the test; in every build a broken promise does.
set -u

src=${top_srcdir:-.}
build=${top_builddir:-.}
cd "$build" || exit 1
work=$(mktemp -d "${TMPDIR:-/tmp}/eimza-fuzz-corpus.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

SRCDIR=$src bash "$src/tests/fuzz/fuzz.sh" seeds "$work/seeds" || fail "the seed corpora could not be made"
for t in p15 card module onay; do
	n=$(find "$work/seeds/$t" -type f | wc -l)
	[ "$n" -ge 9 ] || fail "only $n seeds for fuzz-$t"
	set -- "$work/seeds/$t"
	[ -d "$src/tests/fuzz/corpus/$t" ] && set -- "$@" "$src/tests/fuzz/corpus/$t"
	out=$("./tests/fuzz/fuzz-$t" "$@" 2>&1) || fail "fuzz-$t on its corpus:
$out"
	echo "$out"
done
echo "PASS: every corpus input ran"
