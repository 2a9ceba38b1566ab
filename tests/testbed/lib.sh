# tests/testbed/lib.sh: shared helpers for shell tests. Source it, then call
# `tb_enter --card PROFILE ... ` at the top: the script re-runs itself inside
# the test bed (a private pcscd with virtual cards), so every test script can
# be run alone too: `make check TESTS=tests/x/test-y.sh`.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
TB="$top_builddir/tests/testbed/eimza-testbed"
TEST_NAME=$(basename "$0")
tb_failures=0

tb_enter() {
	if [ -z "${EIMZA_TB_DIR:-}" ]; then
		exec "$TB" "$@" -- bash "$0"
	fi
}

# A required program is missing: a skip, or a failure under EIMZA_STRICT=1.
tb_require() {
	local p
	for p in "$@"; do
		if ! command -v "$p" >/dev/null 2>&1; then
			echo "SKIP: $TEST_NAME needs '$p'" >&2
			[ "${EIMZA_STRICT:-}" = 1 ] && exit 99
			exit 77
		fi
	done
}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; tb_failures=$((tb_failures + 1)); }

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$2', got '$3'"; fi
}
# check_match DESCRIPTION REGEX TEXT
check_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1: '$3' does not match /$2/"; fi
}

tb_done() {
	if [ "$tb_failures" -gt 0 ]; then
		echo "$TEST_NAME: $tb_failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}

# The status word (last 4 hex digits) of each response line.
sw_of() { sed 's/.*\(....\)$/\1/'; }
