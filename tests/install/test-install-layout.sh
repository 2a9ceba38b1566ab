#!/bin/bash
# make install and make uninstall into a DESTDIR, and configure's folders:
# - the module goes into p11-kit's own module folder and eimza.module into
#   p11-kit's own config folder (pkg-config), whatever the prefix; the
#   module: line is a bare name there, an absolute path when the module goes
#   elsewhere (--with-p11-kit-module-path)
# - no .la in the PKCS#11 folder, no eimza-vcard without --enable-vcard,
#   the LICENSE in the doc folder, a man page for every program installed
# - --prefix=/usr puts the configuration in /etc; paths are in config.h
#   (a reconfigure changes config.h, so what uses them is rebuilt)
# - make uninstall leaves no file and none of the folders it made
# - --enable-akisp11-compat: libakisp11.so links to the module, removed by
#   uninstall, and a vendor library in their place is never overwritten
set -eu
. "$top_srcdir/tests/tools/lib-tools.sh"
command -v pkg-config >/dev/null || skip "pkg-config missing"
B=$top_builddir
T=$(mktemp -d "${TMPDIR:-/tmp}/eimza-layout.XXXXXX")
trap 'rm -rf "$T"' EXIT
MODDIR=$(pkg-config --variable=p11_module_path p11-kit-1)
CONFDIR=$(pkg-config --variable=p11_module_configs p11-kit-1)
prefix=$(sed -n 's/^prefix = //p' "$B/Makefile")

# ---- the build tree's own configuration -----------------------------------
D=$T/dest
make -s -C "$B" install DESTDIR="$D" >"$T/install.log" 2>&1 || fail "make install: $(tail -20 "$T/install.log")"
[ -f "$D$MODDIR/eimza-pkcs11.so" ] || fail "the module is not in p11-kit's module folder $MODDIR: $(find "$D" -name 'eimza-pkcs11*')"
[ -f "$D$CONFDIR/eimza.module" ] || fail "eimza.module is not in p11-kit's config folder $CONFDIR"
grep -qx 'module: eimza-pkcs11.so' "$D$CONFDIR/eimza.module" ||
	fail "eimza.module in p11-kit's folder should name the module by file name: $(cat "$D$CONFDIR/eimza.module")"
[ -z "$(find "$D" -name '*.la')" ] || fail "a libtool .la was installed: $(find "$D" -name '*.la')"
if grep -q '^ENABLE_VCARD_TRUE = #' "$B/Makefile"; then # built without --enable-vcard
	[ ! -e "$D$prefix/bin/eimza-vcard" ] || fail "eimza-vcard was installed without --enable-vcard"
fi
for p in eimza-info eimza-pin eimza-onay eimza-register; do
	[ -x "$D$prefix/bin/$p" ] || fail "$p not installed"
	[ -f "$D$prefix/share/man/man1/$p.1" ] || fail "no man page for $p"
	[ -f "$D$prefix/share/bash-completion/completions/$p" ] || fail "no completion for $p"
done
[ -f "$D$prefix/share/doc/eimza/LICENSE" ] || fail "LICENSE not installed"
grep -q 'LESSER GENERAL PUBLIC LICENSE' "$D$prefix/share/doc/eimza/LICENSE" || fail "LICENSE is not the LGPL text"
for f in kamusm-root-v6.pem kamusm-root-v7.pem kamusm-nes-ca-v6.pem kamusm-anchors.list README.md; do
	[ -f "$D$prefix/share/eimza/trust/$f" ] || fail "Kamu SM's trust anchor file $f is not installed"
done
make -s -C "$B" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1 || fail "make uninstall: $(tail -20 "$T/uninstall.log")"
left=$(find "$D" ! -type d)
[ -z "$left" ] || fail "make uninstall left files: $left"
for d in "$prefix/etc/eimza" "$prefix/share/doc/eimza" "$prefix/share/bash-completion" "$prefix/share/locale/tr" \
	"$prefix/share/man/man1" "$prefix/share/eimza"; do
	[ ! -d "$D$d" ] || fail "make uninstall left the folder $d"
done
echo "ok - make install / uninstall (DESTDIR), prefix $prefix"

# ---- configure's folders, in throw-away build trees -------------------------
cfg() { # dir args...: configure only
	local dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && "$top_srcdir/configure" -q "$@" >"$dir/configure.out" 2>&1) ||
		fail "configure $*: $(tail -20 "$dir/configure.out")"
}
def() { sed -n "s/^#define $2 \"\\(.*\\)\"$/\\1/p" "$1/config.h"; }

cfg "$T/usr" --prefix=/usr --enable-akisp11-compat --with-akisp11-dirs="/usr/lib $T/vendor"
[ "$(def "$T/usr" SYSCONFDIR)" = /etc ] || fail "--prefix=/usr: SYSCONFDIR is $(def "$T/usr" SYSCONFDIR), not /etc"
[ "$(def "$T/usr" P11_MODULE_DIR)" = "$MODDIR" ] || fail "--prefix=/usr: P11_MODULE_DIR is $(def "$T/usr" P11_MODULE_DIR)"
[ "$(def "$T/usr" P11_CONFIGS_DIR)" = "$CONFDIR" ] || fail "--prefix=/usr: P11_CONFIGS_DIR is $(def "$T/usr" P11_CONFIGS_DIR)"
[ "$(def "$T/usr" LOCALEDIR)" = /usr/share/locale ] || fail "--prefix=/usr: LOCALEDIR is $(def "$T/usr" LOCALEDIR)"
grep -q -- '-DSYSCONFDIR\|-DP11_MODULE_DIR\|-DLOCALEDIR' "$T/usr/Makefile" &&
	fail "paths are still passed as -D flags (they belong in config.h)"
cp "$T/usr/config.h" "$T/config.h.usr"
cfg "$T/usr" --prefix=/opt/eimza
[ "$(def "$T/usr" SYSCONFDIR)" = /opt/eimza/etc ] || fail "--prefix=/opt/eimza: SYSCONFDIR is $(def "$T/usr" SYSCONFDIR)"
[ "$(def "$T/usr" P11_MODULE_DIR)" = "$MODDIR" ] || fail "--prefix=/opt/eimza: the module should still go to p11-kit's folder"
cmp -s "$T/config.h.usr" "$T/usr/config.h" && fail "a reconfigure with another prefix left config.h unchanged"
echo "ok - configure: /etc for --prefix=/usr, p11-kit's folders whatever the prefix, paths in config.h"

cfg "$T/elsewhere" --prefix=/opt/eimza --with-p11-kit-module-path=/opt/eimza/lib/pkcs11
make -s -C "$T/elsewhere" conf/eimza.module >/dev/null 2>&1 || fail "make conf/eimza.module"
grep -qx 'module: /opt/eimza/lib/pkcs11/eimza-pkcs11.so' "$T/elsewhere/conf/eimza.module" ||
	fail "a module outside p11-kit's folder must be named by absolute path: $(cat "$T/elsewhere/conf/eimza.module")"
echo "ok - eimza.module names a module outside p11-kit's folder by absolute path"

# ---- other distributions' p11-kit layouts (their p11-kit-1.pc variables) ----
# Fedora: /usr/lib64/pkcs11; Arch: /usr/lib/pkcs11. The module goes where
# their p11-kit looks, named by file name, whatever the prefix.
inc=$(pkg-config --cflags p11-kit-1)
for layout in fedora:/usr/lib64 arch:/usr/lib; do
	name=${layout%%:*} lib=${layout#*:}
	mkdir -p "$T/pc-$name"
	cat >"$T/pc-$name/p11-kit-1.pc" <<PC
prefix=/usr
exec_prefix=\${prefix}
libdir=$lib
includedir=/usr/include
datarootdir=\${prefix}/share
datadir=\${datarootdir}
sysconfdir=/etc
pkgdatadir=\${datadir}/p11-kit
p11_module_configs=\${pkgdatadir}/modules
p11_module_path=\${libdir}/pkcs11
proxy_module=\${libdir}/p11-kit-proxy.so
Name: p11-kit
Description: ($name layout, for a test)
Version: 0.25.0
Cflags: $inc
Libs: -lp11-kit
PC
	PKG_CONFIG_PATH=$T/pc-$name cfg "$T/$name"
	[ "$(def "$T/$name" P11_MODULE_DIR)" = "$lib/pkcs11" ] ||
		fail "$name layout: the module goes to $(def "$T/$name" P11_MODULE_DIR), not $lib/pkcs11"
	[ "$(def "$T/$name" P11_CONFIGS_DIR)" = /usr/share/p11-kit/modules ] ||
		fail "$name layout: eimza.module goes to $(def "$T/$name" P11_CONFIGS_DIR)"
	make -s -C "$T/$name" conf/eimza.module >/dev/null 2>&1 || fail "$name: make conf/eimza.module"
	grep -qx 'module: eimza-pkcs11.so' "$T/$name/conf/eimza.module" ||
		fail "$name layout: $(cat "$T/$name/conf/eimza.module")"
done
echo "ok - Fedora (/usr/lib64/pkcs11) and Arch (/usr/lib/pkcs11) layouts from p11-kit's pkg-config"

# ---- the libakisp11 links (the install hooks alone, into a DESTDIR) ----------
cfg "$T/compat" --prefix=/usr --enable-akisp11-compat --with-akisp11-dirs="/usr/lib /usr/lib/multi"
D=$T/compat-dest
make -s -C "$T/compat" install-akisp11 DESTDIR="$D" >"$T/compat.log" 2>&1 || fail "install-akisp11: $(cat "$T/compat.log")"
for d in /usr/lib /usr/lib/multi; do
	[ "$(readlink "$D$d/libakisp11.so")" = "$MODDIR/eimza-pkcs11.so" ] ||
		fail "$d/libakisp11.so does not lead to the module: $(ls -l "$D$d/libakisp11.so" 2>&1)"
done
make -s -C "$T/compat" uninstall-akisp11 DESTDIR="$D" >>"$T/compat.log" 2>&1 || fail "uninstall-akisp11"
[ -z "$(find "$D" ! -type d)" ] || fail "uninstall-akisp11 left: $(find "$D" ! -type d)"
# a vendor library in the way: never overwritten
mkdir -p "$D/usr/lib/multi"
echo vendor >"$D/usr/lib/multi/libakisp11.so"
if make -s -C "$T/compat" install-akisp11 DESTDIR="$D" >"$T/compat.log" 2>&1; then
	fail "install-akisp11 went on over a vendor libakisp11.so"
fi
grep -q "is another library" "$T/compat.log" || fail "no message about the vendor library: $(cat "$T/compat.log")"
[ "$(cat "$D/usr/lib/multi/libakisp11.so")" = vendor ] || fail "the vendor libakisp11.so was changed"
echo "ok - --enable-akisp11-compat links, removed by uninstall, never over a vendor library"
