#!/bin/bash
# Java's SunPKCS11, the provider the Turkish e-signature applications use:
# keytool lists the card's certificate and key, jarsigner signs a jar with
# the card, and a small Java program signs and verifies; with the NES key
# (always-authenticate) SunPKCS11 makes no context login: one signature per
# login (the login's PIN as its consent), the next refused cleanly.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require java javac keytool jarsigner jar
tb_enter --card seal --card nes-rsa
. "$(dirname "$0")/apps-lib.sh"
apps_setup

slot=$(foreign pkcs11-tool --module "$EIMZA_MODULE" -L 2>/dev/null | sed -n 's/^Slot 0 (0x\([0-9a-f]*\)).*/\1/p')
cat >"$W/seal.cfg" <<CFG
name = eimza
library = $EIMZA_MODULE
slot = $((16#$slot))
CFG
P11="-providerClass sun.security.pkcs11.SunPKCS11 -providerArg $W/seal.cfg"
out=$(foreign keytool -list -keystore NONE -storetype PKCS11 $P11 -storepass:file "$W/pin" 2>&1)
check_match "keytool lists the card's key entry" 'PrivateKeyEntry' "$out"
alias=$(sed -n 's/^\(.*\), PrivateKeyEntry.*/\1/p' <<<"$out" | head -1)
check_match "the entry is named after the certificate label" 'Mali Mühür|Mühür|EC' "$alias"

# jarsigner signs with the card and verifies.
mkdir -p "$W/jar"
echo "merhaba" >"$W/jar/hello.txt"
(cd "$W/jar" && jar cf "$W/test.jar" hello.txt)
foreign jarsigner -keystore NONE -storetype PKCS11 $P11 -storepass:file "$W/pin" \
	-sigalg SHA384withECDSA "$W/test.jar" "$alias" >"$W/jarsigner.log" 2>&1
out=$(jarsigner -verify -verbose "$W/test.jar" 2>&1)
check_match "jarsigner: the jar signed by the card verifies" 'jar verified' "$out"

# A program: KeyStore over PKCS#11, Signature with the card, verify in Java.
cat >"$W/Sign.java" <<'JAVA'
import java.nio.file.*;
import java.security.*;
import java.security.cert.X509Certificate;
import java.util.Collections;

public class Sign {
    public static void main(String[] a) throws Exception {
        Provider p = Security.getProvider("SunPKCS11").configure(a[0]);
        char[] pin = Files.readString(Path.of(a[1])).trim().toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, pin);
        int times = a.length > 2 ? Integer.parseInt(a[2]) : 1;
        for (String alias : Collections.list(ks.aliases())) {
            if (!ks.isKeyEntry(alias)) continue;
            for (int n = 0; n < times; n++) {
                PrivateKey k = (PrivateKey) ks.getKey(alias, null);
                X509Certificate c = (X509Certificate) ks.getCertificate(alias);
                String alg = k.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA384withECDSA";
                byte[] data = "Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.".getBytes("UTF-8");
                Signature s = Signature.getInstance(alg, p);
                s.initSign(k);
                s.update(data);
                byte[] sig;
                try {
                    sig = s.sign();
                } catch (ProviderException e) {
                    System.out.println(alias + " " + alg + " not signed: " + e.getMessage());
                    continue;
                }
                Signature v = Signature.getInstance(alg);
                v.initVerify(c.getPublicKey());
                v.update(data);
                System.out.println(alias + " " + alg + " " + (v.verify(sig) ? "verified" : "FAILED"));
            }
        }
    }
}
JAVA
javac -d "$W" "$W/Sign.java" 2>&1
out=$(foreign java -cp "$W" Sign "$W/seal.cfg" "$W/pin" 2>&1)
check_match "a Java program signs with the card and verifies" 'SHA384withECDSA verified' "$out"
# The EC key's parameters are a named curve: SunEC accepts the public key.
check "no failure" test "$(grep -c FAILED <<<"$out")" = 0

# The NES card: its key has CKA_ALWAYS_AUTHENTICATE (one PIN per
# signature). SunPKCS11 (OpenJDK 17) lists it but never makes the context
# login such a key needs (it has no call for C_Login(CKU_CONTEXT_SPECIFIC)).
# The module takes KeyStore.load's login PIN as the consent for the one
# signature that follows it (docs/module.md, login_consent): the first
# signature is made and verifies; the second is refused with
# CKR_USER_NOT_LOGGED_IN before the card is asked (no second PSO, no VERIFY
# beyond the login's).
nslot=$(foreign pkcs11-tool --module "$EIMZA_MODULE" -L 2>/dev/null | sed -n 's/^Slot 1 (0x\([0-9a-f]*\)).*/\1/p')
cat >"$W/nes.cfg" <<CFG
name = eimza-nes
library = $EIMZA_MODULE
slot = $((16#$nslot))
CFG
out=$(foreign keytool -list -keystore NONE -storetype PKCS11 -providerClass sun.security.pkcs11.SunPKCS11 \
	-providerArg "$W/nes.cfg" -storepass:file "$W/pin" 2>&1)
check_match "keytool lists the NES key entry" 'NES .*PrivateKeyEntry' "$out"
psos=$(grep -c '^> [01]0 2A' "$EIMZA_TB_CARD1_TRACE")
verifies=$(grep -c '^> 00 20 00 81 06' "$EIMZA_TB_CARD1_TRACE")
out=$(foreign java -cp "$W" Sign "$W/nes.cfg" "$W/pin" 2 2>&1)
check_match "Java's first signature with the NES key (the login's consent) verifies" \
	'^NES .*SHA256withRSA verified' "$(head -1 <<<"$out")"
check_match "Java's second signature with the NES key: refused, no context login" \
	'^NES .*not signed: .*CKR_USER_NOT_LOGGED_IN' "$(sed -n 2p <<<"$out")"
check_eq "one PSO reached the NES card" $((psos + 1)) "$(grep -c '^> [01]0 2A' "$EIMZA_TB_CARD1_TRACE")"
check_eq "only KeyStore.load's login reached the NES card" $((verifies + 1)) \
	"$(grep -c '^> 00 20 00 81 06' "$EIMZA_TB_CARD1_TRACE")"
tb_done
