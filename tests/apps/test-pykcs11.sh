#!/bin/bash
# Python: a PyKCS11 script logs in, finds each key by its certificate's
# CKA_ID and signs twice with it (an always-authenticate key with the
# context-specific login it needs before each signature); every signature
# is checked with the `cryptography` package against the certificate, not
# with the module's own C_Verify. The cards' traces show one VERIFY per
# login and per context login, nothing more.
. "$(dirname "$0")/../testbed/lib.sh"
# Debian's python3 (with python3-pykcs11 and python3-cryptography), whatever
# else is first in PATH.
PY=/usr/bin/python3
"$PY" -c 'import PyKCS11' 2>/dev/null || tb_require python3-pykcs11-module
"$PY" -c 'import cryptography' 2>/dev/null || tb_require python3-cryptography-module
tb_enter --card nes-rsa --card nes-ec --card seal
. "$(dirname "$0")/apps-lib.sh"
apps_setup
verifies() { grep -c '^> 00 20 00 81 06' "$1"; }
before=("$(verifies "$EIMZA_TB_CARD0_TRACE")" "$(verifies "$EIMZA_TB_CARD1_TRACE")" "$(verifies "$EIMZA_TB_CARD2_TRACE")")
out=$(PIN_FILE=$W/pin foreign "$PY" - "$EIMZA_MODULE" <<'PY' 2>&1
import os, sys, PyKCS11
from PyKCS11.LowLevel import CKA_ALWAYS_AUTHENTICATE
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

pin = open(os.environ["PIN_FILE"]).read().strip()
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
data = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.".encode()

def check(pub, sig):
    """The signature against the certificate's key, by `cryptography`."""
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            n = len(sig) // 2  # PKCS#11 gives r || s
            der = encode_dss_signature(int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big"))
            pub.verify(der, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False

for slot in lib.getSlotList(tokenPresent=True):
    s = lib.openSession(slot)
    cert = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE)])[0]
    cid, der = (bytes(v) for v in s.getAttributeValue(cert, [PyKCS11.CKA_ID, PyKCS11.CKA_VALUE]))
    pub = x509.load_der_x509_certificate(der).public_key()
    s.login(pin)
    key = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, cid)])[0]
    ktype = s.getAttributeValue(key, [PyKCS11.CKA_KEY_TYPE])[0]
    always = s.getAttributeValue(key, [CKA_ALWAYS_AUTHENTICATE])[0]
    mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS if ktype == PyKCS11.CKK_RSA else PyKCS11.CKM_ECDSA_SHA256)
    good = 0
    for _ in range(2):
        # PyKCS11's sign does SignInit + Sign; an always-authenticate key
        # needs C_Login(CKU_CONTEXT_SPECIFIC) in between: the low level.
        if always:
            rv = s.lib.C_SignInit(s.session, mech.to_native(), key)
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
        good += check(pub, sig)
    print("slot", slot, "always" if always else "plain", "RSA" if ktype == PyKCS11.CKK_RSA else "EC",
          "verified" if good == 2 else "FAILED", good)
    s.logout()
    s.closeSession()
PY
)
echo "$out" >&2
check_match "PyKCS11: two signatures with the always-authenticate RSA key verify" 'always RSA verified 2' "$out"
check_match "PyKCS11: two signatures with the always-authenticate EC key verify" 'always EC verified 2' "$out"
check_match "PyKCS11: two signatures with the seal's EC key (no context login) verify" 'plain EC verified 2' "$out"
check "no failure reported" test "$(grep -c -E 'FAILED|Error|Traceback' <<<"$out")" = 0
# One VERIFY for the login and one per context login; none per signature of
# the seal key.
check_eq "nes-rsa: a login and two context logins reached the card" 3 \
	"$(($(verifies "$EIMZA_TB_CARD0_TRACE") - before[0]))"
check_eq "nes-ec: a login and two context logins reached the card" 3 \
	"$(($(verifies "$EIMZA_TB_CARD1_TRACE") - before[1]))"
check_eq "seal: one login, no VERIFY per signature" 1 "$(($(verifies "$EIMZA_TB_CARD2_TRACE") - before[2]))"
tb_done
