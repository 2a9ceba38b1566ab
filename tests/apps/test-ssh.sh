#!/bin/bash
# OpenSSH: `ssh -I eimza-pkcs11.so` logs in to a private sshd on this machine
# with the NES key (CKA_ALWAYS_AUTHENTICATE: OpenSSH never makes a context
# login, so the module takes the PIN of its C_Login as the consent for that
# one signature) and with the seal key. The PIN comes from SSH_ASKPASS; the
# card's trace shows one VERIFY per login, never more, and no signature
# without one. SSH_DEBUG=-vv shows the client's side.
. "$(dirname "$0")/../testbed/lib.sh"
tb_require ssh ssh-keygen /usr/sbin/sshd setsid
tb_enter --card nes-rsa --card seal
. "$(dirname "$0")/apps-lib.sh"
apps_setup

VERIFY="> 00 20 00 81 06"
verifies() { grep -c "^$VERIFY" "$1" 2>/dev/null || true; }
signatures() { grep -c '^> 00 2A 9E 9A' "$1" 2>/dev/null || true; }

# A private sshd: its own host key, port and authorized_keys, no PAM.
mkdir -p /run/sshd "$W/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host" </dev/null
port=$((20000 + $$ % 20000))
cat >"$W/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $W/ssh/host
PidFile $W/ssh/sshd.pid
AuthorizedKeysFile $W/ssh/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
LogLevel VERBOSE
EOF
/usr/sbin/sshd -f "$W/ssh/sshd_config" -E "$W/ssh/sshd.log"
for _ in $(seq 50); do [ -s "$W/ssh/sshd.pid" ] && break; sleep 0.1; done
check "sshd started" test -s "$W/ssh/sshd.pid"

# The PIN for ssh, as a desktop's askpass program gives it (never argv).
printf '#!/bin/sh\ncat %s\n' "$W/pin" >"$W/ssh/askpass"
chmod 700 "$W/ssh/askpass"

# The public keys ssh sees on the tokens, one per card.
keys=$(foreign ssh-keygen -D "$EIMZA_MODULE" 2>/dev/null)
check_eq "ssh-keygen -D lists one key per card" 2 "$(grep -c . <<<"$keys")"
nes_key=$(grep '^ssh-rsa' <<<"$keys" | head -1)
seal_key=$(grep '^ecdsa-sha2-nistp384' <<<"$keys" | head -1)
check_match "the NES key is RSA" '^ssh-rsa ' "$nes_key"
check_match "the seal key is EC P-384" '^ecdsa-sha2-nistp384 ' "$seal_key"

# One ssh login with `key` authorized; prints what the remote command said.
login() { # key
	printf '%s\n' "$1" >"$W/ssh/authorized_keys"
	SSH_ASKPASS="$W/ssh/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
		foreign setsid -w ssh -F /dev/null -I "$EIMZA_MODULE" -p "$port" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=no -o ConnectTimeout=20 ${SSH_DEBUG:-} "$(id -un)@127.0.0.1" echo signed-in-by-card \
		</dev/null 2>"$W/ssh/client.err"
}

for key in nes seal; do
	card=$EIMZA_TB_CARD0_TRACE
	[ $key = seal ] && card=$EIMZA_TB_CARD1_TRACE
	v0=$(verifies "$card")
	s0=$(signatures "$card")
	pubkey=$nes_key
	[ $key = seal ] && pubkey=$seal_key
	out=$(login "$pubkey")
	check_eq "ssh logs in with the $key key" signed-in-by-card "$out"
	[ "$out" = signed-in-by-card ] || sed 's/^/# /' "$W/ssh/client.err"
	check_eq "the $key card: one VERIFY for the login" 1 $(($(verifies "$card") - v0))
	check_eq "the $key card: one signature" 1 $(($(signatures "$card") - s0))
	alg=RSA
	[ $key = seal ] && alg=ECDSA
	check_match "sshd accepted the $key key" "Accepted publickey for $(id -un) from 127.0.0.1 port [0-9]+ ssh2: $alg " \
		"$(tail -n 5 "$W/ssh/sshd.log")"
done

# With the consent off the qualified key cannot sign without a context login,
# which ssh never makes: the login fails and the card signs nothing.
s0=$(signatures "$EIMZA_TB_CARD0_TRACE")
out=$(EIMZA_LOGIN_CONSENT=0 login "$nes_key")
check_eq "login_consent=no: ssh cannot sign with the NES key" "" "$out"
check_eq "login_consent=no: the NES card made no signature" 0 $(($(signatures "$EIMZA_TB_CARD0_TRACE") - s0))

kill "$(cat "$W/ssh/sshd.pid")" 2>/dev/null
tb_done
