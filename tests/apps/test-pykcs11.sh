#!/bin/bash
# Python: a PyKCS11 script logs in, finds the key by the certificate's
# CKA_ID, signs (with the context-specific login an always-authenticate key
# needs) and verifies with the public key.
. "$(dirname "$0")/../testbed/lib.sh"
# Debian's python3 (with python3-pykcs11), whatever else is first in PATH.
PY=/usr/bin/python3
tb_require openssl
"$PY" -c 'import PyKCS11' 2>/dev/null || tb_require python3-pykcs11-module
tb_enter --card nes-rsa --card nes-ec
. "$(dirname "$0")/apps-lib.sh"
apps_setup
out=$(PIN_FILE=$W/pin foreign "$PY" - "$EIMZA_MODULE" <<'PY' 2>&1
import sys, PyKCS11
from PyKCS11.LowLevel import CKA_ALWAYS_AUTHENTICATE
pin = open(__import__("os").environ["PIN_FILE"]).read().strip()
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
data = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.".encode()
for slot in lib.getSlotList(tokenPresent=True):
    s = lib.openSession(slot)
    cert = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE)])[0]
    cid = bytes(s.getAttributeValue(cert, [PyKCS11.CKA_ID])[0])
    s.login(pin)
    key = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, cid)])[0]
    pub = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_ID, cid)])[0]
    ktype = s.getAttributeValue(key, [PyKCS11.CKA_KEY_TYPE])[0]
    always = s.getAttributeValue(key, [CKA_ALWAYS_AUTHENTICATE])[0]
    mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS if ktype == PyKCS11.CKK_RSA else PyKCS11.CKM_ECDSA_SHA256)
    # PyKCS11's sign does SignInit + Sign; an always-authenticate key needs
    # C_Login(CKU_CONTEXT_SPECIFIC) in between, so drive the low level.
    if always:
        native = mech.to_native()
        rv = s.lib.C_SignInit(s.session, native, key)
        assert rv == 0, hex(rv)
        rv = s.lib.C_Login(s.session, PyKCS11.CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(pin))
        assert rv == 0, hex(rv)
        out, d = PyKCS11.ckbytelist(), PyKCS11.ckbytelist(data)
        rv = s.lib.C_Sign(s.session, d, out)  # the size
        assert rv == 0, hex(rv)
        rv = s.lib.C_Sign(s.session, d, out)
        assert rv == 0, hex(rv)
        sig = bytes(out)
    else:
        sig = bytes(s.sign(key, data, mech))
    ok = s.verify(pub, data, sig, mech)
    print("slot", slot, "always" if always else "plain", "RSA" if ktype == PyKCS11.CKK_RSA else "EC", "verified" if ok else "FAILED")
    s.logout()
    s.closeSession()
PY
)
echo "$out" >&2
check_match "PyKCS11 signs and verifies with the always-authenticate RSA key" 'always RSA verified' "$out"
check_match "PyKCS11 signs and verifies with the EC key" 'EC verified' "$out"
check "no failure reported" test "$(grep -c FAILED <<<"$out")" = 0
tb_done
