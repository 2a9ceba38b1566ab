#!/bin/bash
# CI, after the test runs: eimza installed as a user would, on this machine.
#  1. `make install` (the default prefix): p11-kit lists eimza, pkcs11-tool
#     through p11-kit-proxy.so sees the virtual card, doctor passes and fails
#     loudly without the registration; `make uninstall` leaves nothing.
#  2. The Debian packages: built from the release tarball with
#     dpkg-buildpackage (the tests already ran: nocheck), lintian without
#     errors, installed with apt; the same checks, the demo's story on the
#     installed programs, the libakisp11 drop-in with Java SunPKCS11 and
#     PyKCS11; purged, leaving nothing.
# Runs as root on a Debian 12 machine; BUILD is a configured, built tree.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
export top_srcdir=$SRC top_builddir=$BUILD EIMZA_STRICT=1
export DEBIAN_FRONTEND=noninteractive
T=$(mktemp -d /tmp/eimza-ci-pkg.XXXXXX)
trap 'rm -rf "$T"' EXIT

need=
for p in debhelper lintian dpkg-dev fakeroot; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "packaging: installing$need"
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# Packages left by an earlier run that stopped half-way go first.
left=$(dpkg-query -W -f='${Package} ${Status}\n' 'eimza-*' 2>/dev/null | awk '/installed$/ {print $1}')
[ -z "$left" ] || apt-get purge -y -qq $left >/dev/null

# What is on the machine, to compare after uninstall and purge.
snapshot() {
	# (less what programs make for themselves when first run: Python's
	# byte code, Java's preferences, the linker cache)
	find /usr /etc /opt -xdev 2>/dev/null |
		grep -v -e '^/etc/ld.so.cache$' -e '/__pycache__' -e '^/etc/\.java' | sort >"$1"
}
same_as() { # before-file what
	snapshot "$T/after"
	if ! diff "$1" "$T/after" >"$T/diff"; then
		echo "FAIL: $2 left changes behind:" >&2
		cat "$T/diff" >&2
		exit 1
	fi
	echo "ok - $2 left nothing behind"
}

echo "== make install ($(sed -n 's/^prefix = //p' "$BUILD/Makefile"))"
snapshot "$T/before"
make -s -C "$BUILD" install >"$T/install.log" 2>&1 || { tail -30 "$T/install.log"; exit 1; }
prefix=$(sed -n 's/^prefix = //p' "$BUILD/Makefile")
bash "$SRC/tests/install/installed-check.sh" "$prefix/bin"
make -s -C "$BUILD" uninstall >"$T/uninstall.log" 2>&1 || { tail -30 "$T/uninstall.log"; exit 1; }
same_as "$T/before" "make uninstall"

echo "== Debian packages"
make -s -C "$BUILD" dist >/dev/null
tar -C "$T" -xzf "$BUILD"/eimza-*.tar.gz
cd "$T"/eimza-*/
DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b >"$T/deb.log" 2>&1 ||
	{ tail -40 "$T/deb.log"; exit 1; }
cd "$T"
ls ./*.deb
if ! lintian --fail-on error --tag-display-limit 0 ./eimza-pkcs11_*.deb ./eimza-tools_*.deb \
	./eimza-vcard_*.deb ./eimza-akisp11-compat_*.deb >"$T/lintian.log" 2>&1; then
	cat "$T/lintian.log" >&2
	echo "FAIL: lintian reports errors" >&2
	exit 1
fi
grep -v 'running with root privileges' "$T/lintian.log" || true
echo "ok - lintian: no error"
apt-get install -y -qq --no-install-recommends ./eimza-pkcs11_*.deb ./eimza-tools_*.deb \
	./eimza-vcard_*.deb ./eimza-akisp11-compat_*.deb >"$T/apt.log" 2>&1 || { cat "$T/apt.log"; exit 1; }
echo "ok - apt installed the packages"
[ -x /usr/bin/eimza-register ] && [ -f /usr/share/p11-kit/modules/eimza.module ] && [ -f /etc/eimza/eimza.conf ] ||
	{ echo "FAIL: the packages' files are not where expected" >&2; exit 1; }
bash "$SRC/tests/install/installed-check.sh" --story /usr/bin
bash "$SRC/tests/install/installed-akisp11.sh"
apt-get purge -y -qq eimza-pkcs11 eimza-tools eimza-vcard eimza-akisp11-compat >"$T/purge.log" 2>&1 ||
	{ cat "$T/purge.log"; exit 1; }
same_as "$T/before" "apt-get purge"
