#!/bin/bash
# The module under stress (tests/module/stress-removal.c): threads open
# sessions, log in, sign and close on four cards while the first is pulled
# and pushed, slowly and faster than pcscd polls. Run plain, then under
# valgrind's memcheck (memory errors, leaks) and helgrind (data races, lock
# order); an ASan build runs it instrumented
# instead (valgrind cannot run an ASan program).
. "$(dirname "$0")/../testbed/lib.sh"
tb_enter --card seal-rsa --card seal --card seal-rsa --card seal
S="$top_builddir/tests/module/stress-removal"

check "stress: 8 threads, 15 s" "$S" 15 8
if [ "${EIMZA_SANITIZED:-}" = 1 ]; then
	echo "# helgrind run left out: this is the ASan build, the run above was instrumented"
else
	tb_require valgrind
	# memcheck: no invalid access, no leak (definite or indirect) after
	# thousands of sessions, logins, removals and reconnections.
	check "stress under valgrind memcheck: 4 threads, 12 s" \
		valgrind --error-exitcode=4 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--quiet --num-callers=30 "$S" 12 4
	check "stress under helgrind: 4 threads, 25 s" \
		valgrind --tool=helgrind --error-exitcode=3 --quiet --num-callers=30 \
		--suppressions="$top_srcdir/tests/module/helgrind.supp" "$S" 25 4
fi
tb_done
