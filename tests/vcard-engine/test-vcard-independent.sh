#!/bin/sh
# test-vcard-independent.sh: the virtual card must not lean on the PKCS#11
# module it examines. It fails when
#   - a file under tools/vcard/ includes anything under module/ or the
#     module's AKIS profile header (<eimza/akis-profile.h>);
#   - the built eimza-vcard, or the archives of its convenience libraries
#     (every object they hold), define or use a symbol of the module's card
#     layer (ez_card_, akis_profile, akis_atr_, akis_dialect, ez_p15_).
# (Loose objects are not read: a build directory may keep stale ones of
# sources long gone; the archives and the program are what is linked.)
set -u

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
skip() {
	echo "SKIP: $*" >&2
	if [ "${EIMZA_STRICT:-}" = 1 ]; then exit 99; fi
	exit 77
}

src=${top_srcdir:-.}
build=${top_builddir:-.}
[ -d "$src/tools/vcard" ] || fail "no $src/tools/vcard"

# 1. Sources: no include of the module or its profile header.
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?(module/|eimza/akis-profile\.h|akis-profile\.h)' \
	"$src/tools/vcard" 2>/dev/null)
[ -z "$bad" ] || fail "tools/vcard includes the module's headers:
$bad"
bad=$(grep -rnE '(\.\./)+module/|module/card/|module/pkcs15/' "$src/tools/vcard" --include='*.mk' 2>/dev/null)
[ -z "$bad" ] || fail "tools/vcard's build rules name module sources:
$bad"

# 2. Symbols, defined or undefined.
command -v nm >/dev/null 2>&1 || skip "nm not installed (binutils)"
prog=$build/tools/vcard/eimza-vcard
[ -x "$prog" ] || fail "$prog not built"
pattern='(ez_card_|akis_profile|akis_atr_|akis_dialect|ez_p15_)'
objects=$(find "$build/tools/vcard" -name '*.a' 2>/dev/null)
[ -n "$objects" ] || fail "no convenience library archives under $build/tools/vcard"
checked=0
for f in "$prog" $objects; do
	syms=$(nm -A "$f" 2>/dev/null) || fail "nm cannot read $f"
	hits=$(printf '%s\n' "$syms" | grep -E "[[:space:]][A-Za-z][[:space:]]+$pattern" || true)
	[ -z "$hits" ] || fail "module card-layer symbols in $f:
$hits"
	checked=$((checked + 1))
done
echo "ok: $checked files under tools/vcard and no module symbol"
exit 0
