#!/bin/bash
# The libakisp11 drop-in, on a machine where eimza-akisp11-compat (or make
# install --enable-akisp11-compat) is installed: applications configured for
# the vendor's /usr/lib/libakisp11.so use eimza unchanged. Java SunPKCS11
# with library=/usr/lib/libakisp11.so lists the card (keytool) and signs a
# jar (jarsigner), and PyKCS11 loading that path signs; both against a
# virtual card in the test bed. Run by .ci/run (needs the installed files);
# top_builddir and top_srcdir name the build tree with the test bed.
. "$top_srcdir/tests/testbed/lib.sh"
tb_require java keytool jarsigner jar openssl
tb_enter --card seal
. "$top_srcdir/tests/apps/apps-lib.sh"
apps_setup
LIB=${EIMZA_AKISP11:-/usr/lib/libakisp11.so}
check "$LIB is there" test -e "$LIB"
check "$LIB leads to the eimza module" test "$(basename "$(readlink -f "$LIB")")" = eimza-pkcs11.so

slot=$(pkcs11-tool --module "$LIB" -L 2>/dev/null | sed -n 's/^Slot 0 (0x\([0-9a-f]*\)).*/\1/p')
check_match "pkcs11-tool through $LIB sees the card" '^[0-9a-f]+$' "$slot"
cat >"$W/akis.cfg" <<CFG
name = AKIS
library = $LIB
slot = $((16#${slot:-0}))
CFG
P11="-providerClass sun.security.pkcs11.SunPKCS11 -providerArg $W/akis.cfg"
# shellcheck disable=SC2086
out=$(keytool -list -keystore NONE -storetype PKCS11 $P11 -storepass:file "$W/pin" 2>&1)
check_match "keytool lists the card's key entry through $LIB" 'PrivateKeyEntry' "$out"
alias=$(sed -n 's/^\(.*\), PrivateKeyEntry.*/\1/p' <<<"$out" | head -1)
mkdir -p "$W/jar"
echo "merhaba" >"$W/jar/hello.txt"
(cd "$W/jar" && jar cf "$W/test.jar" hello.txt)
# shellcheck disable=SC2086
jarsigner -keystore NONE -storetype PKCS11 $P11 -storepass:file "$W/pin" \
	-sigalg SHA384withECDSA "$W/test.jar" "$alias" >"$W/jarsigner.log" 2>&1
out=$(jarsigner -verify -verbose -certs "$W/test.jar" 2>&1)
check_match "jarsigner signed through $LIB and the jar verifies" 'jar verified' "$out"
check_match "the jar's signer is the card's certificate" 'EIMZA TEST' "$out"
check "the card made the signature (PSO in its trace)" grep -q '^> 00 *2A *9E *9A\|^> 002A9E9A' "$EIMZA_TB_CARD0_TRACE"

# PyKCS11 loading the vendor's path
out=$(PIN_FILE=$W/pin /usr/bin/python3 - "$LIB" <<'PY' 2>&1
import os, sys, PyKCS11
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
print("library:", lib.getInfo().libraryDescription.strip())
slot = lib.getSlotList(tokenPresent=True)[0]
s = lib.openSession(slot)
s.login(open(os.environ["PIN_FILE"]).read().strip())
key = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)])[0]
sig = s.sign(key, b"akisp11 drop-in", PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256))
print("signature bytes:", len(sig))
s.logout()
PY
)
check_match "PyKCS11 loads $LIB and gets eimza" 'library: .*AKIS' "$out"
check_match "PyKCS11 signs through $LIB" 'signature bytes: (64|96|132)' "$out"
tb_done
