# lib-tools.sh: shared bits of the tools' end-to-end tests (sourced).
# skip REASON: exit 77, or 99 under EIMZA_STRICT=1 (a skip is a failure in CI).
skip() {
	echo "SKIP: $*" >&2
	[ "${EIMZA_STRICT:-}" = 1 ] && exit 99
	exit 77
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
# expect STATUS CMD...: run CMD, keep stdout+stderr in $out, check the status.
expect() {
	want=$1
	shift
	set +e
	out=$("$@" 2>&1)
	got=$?
	set -e
	[ "$got" = "$want" ] || fail "$* exited $got, expected $want; output:
$out"
}
contains() {
	case $out in
	*"$1"*) ;;
	*) fail "output lacks \"$1\":
$out" ;;
	esac
}
lacks() {
	case $out in
	*"$1"*) fail "output holds \"$1\":
$out" ;;
	esac
}
# Turkish catalogue in a private folder, and the tr_TR.UTF-8 locale.
setup_turkish() {
	mkdir -p "$1/tr/LC_MESSAGES"
	msgfmt -o "$1/tr/LC_MESSAGES/eimza.mo" "$top_srcdir/po/tr.po" || fail "msgfmt po/tr.po"
	export EIMZA_LOCALEDIR=$1
	if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf-\?8$'; then
		localedef -i tr_TR -f UTF-8 tr_TR.UTF-8 2>/dev/null ||
			skip "tr_TR.UTF-8 locale missing and localedef failed (install locales, run as root)"
	fi
}
# The build tree's module registered with p11-kit, inside the test bed's
# private mount namespace: p11-kit's config folder becomes a private tmpfs
# holding only eimza.module, so doctor's p11-kit check passes.
register_build_module() {
	local dir
	[ -n "${EIMZA_TB_DIR:-}" ] || fail "register_build_module: not inside the test bed"
	dir=$(pkg-config --variable=p11_module_configs p11-kit-1)
	mount -t tmpfs eimza-p11kit "$dir" || fail "cannot mount a private $dir"
	printf 'module: %s\n' "$EIMZA_MODULE" >"$dir/eimza.module"
}
