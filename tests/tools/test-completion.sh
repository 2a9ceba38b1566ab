#!/bin/bash
# The bash completion of eimza-info, eimza-pin and eimza-onay, driven the way
# bash drives it (COMP_WORDS / COMP_CWORD), with the bash-completion library.
. "$top_srcdir/tests/tools/lib-tools.sh"
BC=/usr/share/bash-completion/bash_completion
[ -f "$BC" ] || skip "bash-completion missing (apt-get install bash-completion)"
. "$BC"
. "$top_srcdir/tools/common/eimza.bash-completion"
complete -p eimza-onay >/dev/null || fail "no completion registered for eimza-onay"
# comp WORD...: complete the last word; the candidates in $out, one per line
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_eimza_tools
	out=$(printf '%s\n' "${COMPREPLY[@]}")
}
comp eimza-onay ''
contains login
contains approve
contains verify
comp eimza-onay approve --d
[ "$out" = "--decline" ] || fail "approve --d completes to: $out"
comp eimza-onay login --d
[ -z "$out" ] || fail "login offers --decline: $out"
comp eimza-onay verify x.p7s --ex
[ "$out" = "--expect" ] || fail "verify --ex completes to: $out"
comp eimza-onay verify x.p7s --expect ''
contains decline
comp eimza-onay verify x.p7s --no-d
[ "$out" = "--no-default-ca" ] || fail "verify --no-d completes to: $out"
comp eimza-onay login --pin-source ''
contains env:
comp eimza-pin ''
contains unlock
comp eimza-register --re
[ "$out" = "--remove" ] || fail "eimza-register --re completes to: $out"
comp eimza-register --s
[ "$out" = "--system" ] || fail "eimza-register --s completes to: $out"
comp eimza-register ''
[ -z "$out" ] || fail "eimza-register offers commands: $out"
complete -p eimza-register >/dev/null || fail "no completion registered for eimza-register"
comp eimza-info --j
[ "$out" = "--json" ] || fail "eimza-info --j completes to: $out"
echo ok
