#!/bin/sh
# The tools' documentation follows the code: every exit status of the shared
# table is in --help and in the man page (the options are test-man-help.sh's),
# and po/tr.po translates every message of the tools (Turkish first for
# Turkish locales, so an untranslated message is a bug).
set -e
. "$top_srcdir/tests/tools/lib-tools.sh"
B=$top_builddir/tools
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C LANGUAGE=
for t in info pin onay; do
	help=$("$B/$t/eimza-$t" --help)
	man=$top_srcdir/tools/$t/eimza-$t.1
	for st in 0 1 2 3 4 5 7 15; do
		printf '%s\n' "$help" | grep -Eq "(^| )$st [A-Za-z(]" ||
			fail "eimza-$t --help does not explain exit status $st"
		grep -qx ".B $st" "$man" || fail "eimza-$t.1 does not explain exit status $st"
	done
done
for st in 8 9 10 11 12 13 14; do
	grep -qx ".B $st" "$top_srcdir/tools/onay/eimza-onay.1" || fail "eimza-onay.1 lacks exit status $st"
done
command -v xgettext >/dev/null && command -v msgmerge >/dev/null && command -v msgattrib >/dev/null ||
	skip "gettext tools missing (apt-get install gettext)"
(cd "$top_srcdir" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
	-o "$T/eimza.pot" -f po/POTFILES.in) || fail "xgettext"
msgmerge -q --no-fuzzy-matching -o "$T/tr.po" "$top_srcdir/po/tr.po" "$T/eimza.pot" || fail "msgmerge"
left=$(msgattrib --untranslated --no-obsolete "$T/tr.po" |
	grep '^#: ' | grep -E ' (tools/(common|info|pin|onay)/|common/)' || true)
[ -z "$left" ] || fail "po/tr.po does not translate these messages of the tools:
$left"
# every source file of the tools with a message is in po/POTFILES.in
for f in $(cd "$top_srcdir" && grep -l '_("' tools/common/*.c tools/info/*.c tools/pin/*.c tools/onay/*.c common/*.c); do
	grep -qx "$f" "$top_srcdir/po/POTFILES.in" || fail "$f has messages but is not in po/POTFILES.in"
done
echo ok
