#!/bin/bash
# NSS, the stack of Firefox, Thunderbird and LibreOffice: the module added
# to a fresh NSS database with modutil, the card's certificates listed by
# certutil, a CMS signature made by the card with cmsutil and verified.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require modutil certutil cmsutil pkcs11-tool openssl
tb_enter --card nes-rsa --card seal
. "$(dirname "$0")/apps-lib.sh"
apps_setup

DB=sql:$W/nssdb
mkdir -p "$W/nssdb"
certutil -N -d "$DB" --empty-password
out=$(foreign modutil -add eimza -libfile "$EIMZA_MODULE" -dbdir "$DB" -force 2>&1)
check_match "modutil adds the module" 'Module "eimza" added' "$out"
out=$(foreign modutil -list -dbdir "$DB" 2>&1)
check_match "modutil lists its slots and token" 'token: TEST KULLANICI' "$out"
# Trust the test PKI's root so the signatures can be verified.
foreign certutil -A -d "$DB" -n "eimza test root" -t "CT,C,C" -i "$EIMZA_TB_CARD0_ROOTS"
foreign certutil -A -d "$DB" -n "eimza test ca" -t ",," -i "$EIMZA_TB_CARD0_CA"
foreign certutil -A -d "$DB" -n "eimza test root 2" -t "CT,C,C" -i "$EIMZA_TB_CARD1_ROOTS" 2>/dev/null
foreign certutil -A -d "$DB" -n "eimza test ca 2" -t ",," -i "$EIMZA_TB_CARD1_CA" 2>/dev/null

# The certificates are listed without a password: NSS reads them before login.
out=$(foreign certutil -L -h all -d "$DB" </dev/null 2>&1)
check_match "certutil -L -h all lists the NES certificate" 'TEST KULLANICI:NES' "$out"
nick_nes=$(sed -n 's/^\(TEST KULLANICI:[^ ].*[^ ]\) \{2,\}.*/\1/p' <<<"$out" | head -1)
nick_seal=$(grep -v '^TEST KULLANICI' <<<"$out" | sed -n 's/^\([^ ][^:]*:[^ ].*[^ ]\) \{2,\}u,u,u.*/\1/p' | head -1)
check_match "the seal certificate has a token nickname" '^EIMZA TEST' "$nick_seal"

# The seal signs a CMS message through NSS, and NSS verifies it.
foreign cmsutil -S -N "$nick_seal" -i "$W/data" -o "$W/sig.p7" -d "$DB" -f "$W/pin" >"$W/cmsutil.log" 2>&1
check "cmsutil -S signs with the seal's card key" test -s "$W/sig.p7"
check "cmsutil -D verifies it" foreign cmsutil -D -i "$W/sig.p7" -d "$DB" -o "$W/content"
check "the signed content comes back" cmp -s "$W/content" "$W/data"
cp "$W/sig.p7" "$W/bad.p7"
printf 'X' | dd of="$W/bad.p7" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$(foreign cmsutil -D -v -i "$W/bad.p7" -d "$DB" -o "$W/bad" 2>&1)
check_match "a tampered message does not verify" 'DigestMismatch|BAD_SIGNATURE|BadSignature' "$out"
check "openssl cms accepts the message NSS made with the card" \
	openssl cms -verify -binary -inform DER -in "$W/sig.p7" -CAfile "$EIMZA_TB_CARD1_ROOTS" \
	-certfile "$EIMZA_TB_CARD1_CA" -purpose any -out /dev/null
# The NES key: NSS logs in with the password file and finds it. (NSS will not
# use a nonRepudiation-only certificate for e-mail signing, which is what a
# Kamu SM NES certificate is; document signing uses it through other APIs.)
out=$(foreign certutil -K -d "$DB" -h "TEST KULLANICI" -f "$W/pin" 2>&1)
check_match "NSS logs in to the NES token and lists its key" 'rsa .*NES' "$out"
tb_done
