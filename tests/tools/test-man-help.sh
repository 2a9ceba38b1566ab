#!/bin/bash
# Every option a tool's --help shows is in its man page (and the other way
# round for long options the man page lists under OPTIONS), so the two
# cannot drift apart.
. "$top_srcdir/tests/tools/lib-tools.sh"
export LC_ALL=C LANGUAGE=
bad=0
for t in info/eimza-info pin/eimza-pin onay/eimza-onay register/eimza-register; do
	prog=$top_builddir/tools/$t
	man=$top_srcdir/tools/$t.1
	name=${t#*/}
	[ -x "$prog" ] || fail "$prog is not built"
	[ -f "$man" ] || fail "no man page $man"
	help=$("$prog" --help 2>&1) || fail "$name --help failed"
	opts=$(grep -o -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
	[ -n "$opts" ] || fail "$name --help shows no option"
	# the man page with groff's escaped hyphens made plain
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")
	for o in $opts; do
		if ! grep -q -- "$o\\b" <<<"$text"; then
			echo "not ok - $name: $o is in --help but not in $man"
			bad=$((bad + 1))
		fi
	done
	mopts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | sed 's/\\-/-/g; s/\\f[BIRP]//g' |
		grep '^\.\(B\|BR\|BI\|IP\) ' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
	for o in $mopts; do
		if ! grep -q -- "$o\\b" <<<"$help"; then
			echo "not ok - $name: $o is in $man but not in --help"
			bad=$((bad + 1))
		fi
	done
	echo "ok - $name: $(wc -w <<<"$opts") options in --help and the man page"
done
[ "$bad" = 0 ] || fail "$bad option(s) differ between --help and the man pages"
