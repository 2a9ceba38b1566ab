# tools/vcard/perso: `eimza-vcard init`, the personalization of a virtual
# card. A convenience library: the eimza-vcard main program (runtime/)
# dispatches `init` to vcard_perso_main(). No LIBADD: programs link the
# engine, common/ and OpenSSL themselves (see tools/vcard/engine/local.mk).
noinst_LTLIBRARIES += tools/vcard/perso/libvcard-perso.la
tools_vcard_perso_libvcard_perso_la_SOURCES = \
	tools/vcard/perso/perso.h tools/vcard/perso/perso-main.c \
	tools/vcard/perso/perso-i18n.h \
	tools/vcard/perso/perso-gen.c tools/vcard/perso/perso-gen.h \
	tools/vcard/perso/perso-card.c tools/vcard/perso/perso-card.h \
	tools/vcard/perso/perso-card12.c tools/vcard/perso/perso-card2.c \
	tools/vcard/perso/perso-profile.c tools/vcard/perso/perso-profile.h \
	tools/vcard/perso/perso-pki.c tools/vcard/perso/perso-pki.h \
	tools/vcard/perso/perso-pkcs15.c tools/vcard/perso/perso-pkcs15.h \
	tools/vcard/perso/perso-secret.c tools/vcard/perso/perso-secret.h
tools_vcard_perso_libvcard_perso_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -fPIC
