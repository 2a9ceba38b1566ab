#!/bin/bash
# scripts/setup.sh [CONFIGURE ARGS...]: make this machine ready to build and
# test eimza, then build it. For a fresh Debian 12 machine, as root; safe to
# run again (it installs only what is missing and rebuilds only what changed).
#
#   EIMZA_BUILD_DIR   build directory (default: build/ in the source tree)
#   EIMZA_DEPS        "demo": only what the demo needs (scripts/demo.sh);
#                     anything else: the tests' packages too (scripts/deps.txt)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${EIMZA_BUILD_DIR:-$SRC/build}

# Debian packages: the build, the PC/SC stack with the vpcd reader driver,
# and what the demo runs (pkcs11-tool, python3, the Turkish locale,
# unshare). scripts/deps.txt adds the tests' clients (browsers, Java, ...).
PKGS="build-essential autoconf automake libtool autopoint gettext pkg-config
libssl-dev openssl libpcsclite-dev pcscd vsmartcard-vpcd libp11-kit-dev
check opensc python3 locales util-linux"
if [ "${EIMZA_DEPS:-}" != demo ]; then
	PKGS="$PKGS $(grep -v '^#' "$SRC/scripts/deps.txt" 2>/dev/null | tr '\n' ' ')"
fi

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run as root (sudo) to install them" >&2
		exit 1
	fi
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The Turkish locale, for the tests of Turkish messages.
if ! locale -a 2>/dev/null | grep -qi '^tr_TR\.utf8$'; then
	if [ "$(id -u)" = 0 ]; then
		localedef -i tr_TR -f UTF-8 tr_TR.UTF-8 2>/dev/null || true
	fi
fi

cd "$SRC"
[ -x configure ] || ./autogen.sh
mkdir -p "$BUILD"
cd "$BUILD"
want="$*"
if [ ! -f Makefile ] || [ "$(cat .eimza-configure-args 2>/dev/null)" != "$want" ]; then
	"$SRC/configure" "$@"
	echo "$want" >.eimza-configure-args
fi
make -j"$(nproc)"
