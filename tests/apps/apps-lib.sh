# tests/apps/apps-lib.sh: shared by the application tests. Sourced after
# tests/testbed/lib.sh and tb_enter.

# A program we did not build loads the module: in the sanitizer run the
# module is instrumented, so the ASan runtime must come first in that
# program (its own leaks are not ours to report).
foreign() {
	if [ "${EIMZA_SANITIZED:-}" = 1 ]; then
		LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
			ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 "$@"
	else
		"$@"
	fi
}

# The same, replacing the calling (sub)shell: `(foreign_exec PROGRAM ...) &`
# leaves the program's own process id in $!.
foreign_exec() {
	if [ "${EIMZA_SANITIZED:-}" = 1 ]; then
		LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)" \
			ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 exec "$@"
	fi
	exec "$@"
}

# The work folder and a PIN file nobody else can read.
apps_setup() {
	W=$EIMZA_TB_DIR/apps
	mkdir -p "$W"
	umask 077
	printf '%s' 123456 >"$W/pin"
	printf 'Kullanıcı servislerine elektronik imzalı olarak girme işlemini onaylıyorum.\n' >"$W/data"
}

# The end-entity certificate of card I in PEM (from the card, through the module).
card_cert() { # card-index out.pem
	local slot id
	slot=$1
	id=$(foreign pkcs11-tool --module "$EIMZA_MODULE" --slot-index "$slot" --list-objects --type cert 2>/dev/null |
		sed -n 's/^ *ID: *//p' | head -1)
	foreign pkcs11-tool --module "$EIMZA_MODULE" --slot-index "$slot" --read-object --type cert --id "$id" \
		--output-file "$2.der" >/dev/null 2>&1 &&
		openssl x509 -inform DER -in "$2.der" -out "$2"
}
