#!/bin/bash
# scripts/demo.sh: the main job, on the virtual card. Installs what is
# missing, builds, then shows eimza at work through the real PC/SC stack:
# a private pcscd, the vpcd reader driver and a virtual AKIS card. It
# installs only what the demo needs (scripts/test.sh installs the rest).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${EIMZA_BUILD_DIR:-$SRC/build}
EIMZA_DEPS=demo bash "$SRC/scripts/setup.sh" "$@"
exec "$BUILD/tests/testbed/eimza-testbed" --card nes-rsa --timeout 120 -- \
	bash "$SRC/scripts/demo-inside.sh"
