#!/bin/bash
# The PKCS#11 module's behaviour tests (tests/module/test-module, Check)
# through the real PC/SC stack: one round with a card of each of the five
# profiles (AKIS 2.x), one with the RSA profiles on AKIS 1.2, then three that
# pull cards out (slow cards for pulls between two APDUs, then pulls pcscd
# misses), two with a PIN-pad reader (2.x, 1.2), and one that counts pcscd
# round trips.
. "$(dirname "$0")/../testbed/lib.sh"
T="$top_builddir/tests/module/test-module"
rc=0
EIMZA_TEST_ROUND=full "$TB" --card nes-rsa --card seal --card nes-ec --card multi --card seal-rsa -- "$T" || rc=1
# AKIS 1.2 (RSA only: no public source shows EC before 2.5).
EIMZA_TB_GENERATION=1.2 EIMZA_TEST_ROUND=full "$TB" --card nes-rsa --card seal-rsa -- "$T" || rc=1
EIMZA_TEST_ROUND=removal "$TB" --latency rtt=150 --card seal-rsa -- "$T" || rc=1
EIMZA_TEST_ROUND=removal-consent "$TB" --latency rtt=150 --card nes-rsa -- "$T" || rc=1
EIMZA_TEST_ROUND=fast-swap "$TB" --card seal-rsa --card nes-rsa -- "$T" || rc=1
# PINs on a PIN-pad reader's keypad: the NES card in the test bed's PIN-pad
# reader beside a seal in a plain one; on 2.x also a reader that only
# verifies.
EIMZA_TEST_ROUND=pinpad "$TB" --card nes-rsa --pinpad --card seal --card seal-rsa --pinpad-verify \
	-- "$T" || rc=1
EIMZA_TB_GENERATION=1.2 EIMZA_TEST_ROUND=pinpad "$TB" --card nes-rsa --pinpad --card seal-rsa \
	-- "$T" || rc=1
# pcscd round trips per call, counted by a shim in front of pcsc-lite (in the
# sanitizer build the sanitizers' runtime has to come first).
preload="$top_builddir/tests/module/.libs/pcsc-count.so"
if [ "${EIMZA_SANITIZED:-}" = 1 ]; then
	preload="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so):$preload"
fi
EIMZA_TEST_ROUND=roundtrips "$TB" --card seal --card nes-rsa -- env LD_PRELOAD="$preload" "$T" || rc=1
exit $rc
