#!/bin/bash
# scripts/test.sh [CONFIGURE ARGS...]: install what is missing, build, and run
# every test (make check STRICT=1: a skipped test counts as a failure).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${EIMZA_BUILD_DIR:-$SRC/build}
bash "$SRC/scripts/setup.sh" "$@"
cd "$BUILD"
tests=()
if [ "${EIMZA_SANITIZED:-}" = 1 ]; then
	tests=("TESTS=$(make -s print-sanitizer-tests)")
fi
if ! make -j"$(nproc)" check STRICT=1 "${tests[@]}"; then
	echo "== failing tests ==" >&2
	for log in $(grep -l -E '^:test-result: (FAIL|ERROR|SKIP)' $(find . -name '*.trs') 2>/dev/null); do
		echo "---- ${log%.trs}.log" >&2
		tail -n 60 "${log%.trs}.log" >&2
	done
	exit 1
fi
