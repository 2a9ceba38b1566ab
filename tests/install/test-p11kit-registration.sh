#!/bin/bash
# The module as p11-kit finds it, through the real p11-kit and a virtual card
# in the test bed: with eimza.module in p11-kit's own folder, p11-kit
# list-modules shows eimza, pkcs11-tool through p11-kit-proxy.so shows the
# card's token and eimza-info doctor names the module's path and config
# file; with the file removed, doctor fails loudly; OpenSC registered too
# is warned about, with a fix that works.
#
# The test bed runs this in a private mount namespace: p11-kit's folder is a
# private tmpfs here, the machine's own registrations are not touched.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require p11-kit pkcs11-tool pkg-config
tb_enter --card nes-rsa
. "$top_srcdir/tests/tools/lib-tools.sh"
[ -f "${EIMZA_MODULE:-}" ] || fail "the eimza module is not built (${EIMZA_MODULE:-unset})"
I=$top_builddir/tools/info/eimza-info
CONFIGS=$(pkg-config --variable=p11_module_configs p11-kit-1)
PROXY=$(pkg-config --variable=proxy_module p11-kit-1)
export HOME=$EIMZA_TB_DIR/home LC_ALL=C LANGUAGE=
unset XDG_CONFIG_HOME
mkdir -p "$HOME"
mount -t tmpfs eimza-test "$CONFIGS" || fail "cannot mount a private $CONFIGS"

# registered: as `make install` writes it when the module is not in
# p11-kit's own folder (an absolute path)
make -s -C "$top_builddir" conf/eimza.module >/dev/null
sed "s|^module:.*|module: $EIMZA_MODULE|" "$top_builddir/conf/eimza.module" >"$CONFIGS/eimza.module"
out=$(p11-kit list-modules 2>&1)
check_match "p11-kit list-modules shows eimza" '^eimza: ' "$out"
check_match "p11-kit reads the module's description" 'library-description: .*AKIS' "$out"
out=$(pkcs11-tool --module "$PROXY" -L 2>&1)
check_match "pkcs11-tool through p11-kit-proxy.so shows the virtual card's token" 'token label *: *TEST KULLANICI' "$out"
set +e
out=$("$I" doctor 2>&1)
rc=$?
set -e
check_match "doctor: p11-kit loads the module, with its path and config file" \
	"^\[OK  \] p11-kit loads the module as \"eimza\": $EIMZA_MODULE \(registered in $CONFIGS/eimza.module\)" "$out"
check "doctor: no p11-kit failure" test "$(grep -c '^\[FAIL\] p11-kit' <<<"$out")" = 0
json=$("$I" doctor --json 2>/dev/null)
check_match "doctor --json: the p11-kit check is OK" '"check": *"p11-kit", *"result": *"OK"' "$(tr -d '\n' <<<"$json")"

# OpenSC registered as well: warned about, with a fix that works
printf 'module: opensc-pkcs11.so\n' >"$CONFIGS/opensc-pkcs11.module"
out=$(pkcs11-tool --module "$PROXY" -L 2>&1)
check_match "with OpenSC registered the proxy lists the reader twice" 'token not recognized' "$out"
set +e
out=$("$I" doctor 2>&1)
set -e
check_match "doctor warns that OpenSC claims the AKIS reader" '^\[WARN\] OpenSC.s module .*token not recognized' "$out"
check_match "doctor's fix names the override file" 'disable-in: p11-kit-proxy.* into /etc/pkcs11/modules/opensc-pkcs11.module' "$out"
# the fix as doctor words it, in /etc/pkcs11/modules (p11-kit skips the
# user's folder for root); /etc is a private overlay here
mkdir -p "$EIMZA_TB_DIR/etc-up" "$EIMZA_TB_DIR/etc-work"
mount -t overlay eimza-etc -o "lowerdir=/etc,upperdir=$EIMZA_TB_DIR/etc-up,workdir=$EIMZA_TB_DIR/etc-work" /etc ||
	fail "cannot put a private overlay on /etc"
mkdir -p /etc/pkcs11/modules
printf 'module: opensc-pkcs11.so\ndisable-in: p11-kit-proxy\n' >/etc/pkcs11/modules/opensc-pkcs11.module
out=$(pkcs11-tool --module "$PROXY" -L 2>&1)
check "after the fix the proxy no longer shows OpenSC's slot" test "$(grep -c 'token not recognized' <<<"$out")" = 0
set +e
out=$("$I" doctor 2>&1)
set -e
check "after the fix doctor no longer warns about OpenSC" test "$(grep -c '^\[WARN\] OpenSC' <<<"$out")" = 0
rm -f "$CONFIGS/opensc-pkcs11.module"
umount /etc

# a relative module name resolves in p11-kit's own module folder
printf 'module: no-such-eimza-pkcs11.so\n' >"$CONFIGS/eimza.module"
out=$(p11-kit list-modules 2>&1)
check "a module: line p11-kit cannot load is not listed" test "$(grep -c '^eimza: ' <<<"$out")" = 0

# the registration removed: doctor fails loudly, with the fix
rm -f "$CONFIGS/eimza.module"
out=$(p11-kit list-modules 2>&1)
check "without eimza.module p11-kit lists no eimza" test "$(grep -c '^eimza: ' <<<"$out")" = 0
set +e
out=$("$I" doctor 2>&1)
rc=$?
set -e
check_eq "doctor exits 6 without the registration" 6 "$rc"
check_match "doctor: FAIL, p11-kit has no eimza module" '^\[FAIL\] p11-kit has no eimza module registered' "$out"
check_match "doctor's fix names the package and make install" 'apt install eimza-pkcs11.*make install' "$out"
check "doctor does not send users to a package that does not exist" test "$(grep -c 'apt install eimza[^-]' <<<"$out")" = 0
umount "$CONFIGS"
tb_done
