#!/bin/bash
# eimza installed on this machine (by `make install` or by the packages):
# p11-kit list-modules shows it, pkcs11-tool through p11-kit-proxy.so shows
# the virtual card's token, eimza-info doctor names the module and its
# config file and fails loudly without the registration; with --story, the
# demo's card-holder story runs on the installed programs. Run by .ci/run;
# top_builddir and top_srcdir name the build tree with the test bed.
#
#   installed-check.sh [--story] [BINDIR]   (BINDIR: where eimza-info is)
. "$top_srcdir/tests/testbed/lib.sh"
tb_require p11-kit pkcs11-tool pkg-config
if [ -z "${EIMZA_TB_DIR:-}" ]; then # the arguments, before the test bed re-runs this
	story=
	[ "${1:-}" = --story ] && { story=1; shift; }
	export EIMZA_INSTALLED_STORY=$story EIMZA_INSTALLED_BINDIR=${1:-/usr/local/bin}
fi
tb_enter --card nes-rsa
. "$top_srcdir/tests/tools/lib-tools.sh"
story=$EIMZA_INSTALLED_STORY BINDIR=$EIMZA_INSTALLED_BINDIR
unset EIMZA_MODULE EIMZA_LOCALEDIR
export LC_ALL=C LANGUAGE= HOME=$EIMZA_TB_DIR/home
mkdir -p "$HOME"
CONFIGS=$(pkg-config --variable=p11_module_configs p11-kit-1)
PROXY=$(pkg-config --variable=proxy_module p11-kit-1)
I=$BINDIR/eimza-info

out=$(p11-kit list-modules 2>&1)
check_match "p11-kit list-modules shows eimza" '^eimza: ' "$out"
out=$(pkcs11-tool --module "$PROXY" -L 2>&1)
check_match "pkcs11-tool --module p11-kit-proxy.so -L shows the virtual card's token" 'token label *: *TEST KULLANICI' "$out"
check "eimza-info is installed in $BINDIR" test -x "$I"
set +e
out=$("$I" doctor 2>&1)
rc=$?
set -e
check_eq "eimza-info doctor passes (warnings allowed: no browser profile here)" 0 "$rc"
check_match "doctor: p11-kit loads the installed module, from its config file" \
	"^\[OK  \] p11-kit loads the module as \"eimza\": .*/eimza-pkcs11.so \(registered in $CONFIGS/eimza.module\)" "$out"
check_match "doctor: the installed module reads the card" \
	'\[OK  \] The module reads the card "TEST KULLANICI" \(AKIS 2\.5\.2' "$out"
# Turkish, from the installed catalogue
out=$(LC_ALL=tr_TR.UTF-8 "$I" doctor 2>&1 || true)
check_match "doctor speaks Turkish from the installed catalogue" 'p11-kit modülü "eimza" adıyla yüklüyor' "$out"

# without the registration (a private empty folder over p11-kit's): loudly
mount -t tmpfs eimza-test "$CONFIGS" || fail "cannot mount a private $CONFIGS"
set +e
out=$("$I" doctor 2>&1)
rc=$?
set -e
umount "$CONFIGS"
check_eq "doctor exits 6 when eimza.module is removed" 6 "$rc"
check_match "doctor says FAIL, p11-kit has no eimza module" '^\[FAIL\] p11-kit has no eimza module registered' "$out"

if [ -n "$story" ]; then
	# the demo's story on the installed programs and module
	out=$(EIMZA_DEMO_BIN=$BINDIR EIMZA_MODULE=$(pkg-config --variable=p11_module_path p11-kit-1)/eimza-pkcs11.so \
		bash "$top_srcdir/scripts/demo-inside.sh" 2>&1)
	printf '%s\n' "$out" >"$EIMZA_TB_DIR/story.log"
	check_match "story: eimza-info on the installed module" 'TEST KULLANICI' "$out"
	check_match "story: the e-onay verifies" 'e-onay: .* - valid' "$out"
	check_match "story: OpenSSL verifies the e-imzalı giriş" 'openssl cms: .*Verification successful|CMS Verification successful' "$out"
	check_match "story: the PUK unlocks the PIN" 'PIN was unlocked' "$out"
	check_match "story: a signature made after the unlock verifies" 'OpenSSL: Verified OK' "$out"
fi
tb_done
