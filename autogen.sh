#!/bin/sh
# Regenerate the build system: autopoint for gettext, then autoreconf.
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all,no-portability
