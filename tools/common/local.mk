# tools/common: the library eimza-info, eimza-pin and eimza-onay share
# (module loading, PIN entry, messages, certificates, JSON). See tool.h.
noinst_LTLIBRARIES += tools/common/libeimza-tools.la
tools_common_libeimza_tools_la_SOURCES = \
	tools/common/tool.h \
	tools/common/tool-i18n.c \
	tools/common/tool-args.c \
	tools/common/tool-module.c \
	tools/common/tool-vendor.c \
	tools/common/tool-secret.c \
	tools/common/tool-login.c \
	tools/common/tool-messages.c \
	tools/common/tool-cert.c \
	tools/common/tool-time.c \
	tools/common/tool-sign.c \
	tools/common/tool-json.c \
	tools/common/tool-p11kit.h \
	tools/common/tool-p11kit.c \
	tools/common/tool-nssdb.h \
	tools/common/tool-nssdb.c \
	tools/common/tool-trust.h \
	tools/common/tool-trust.c
# Kamu SM's trust anchors, compiled in after data/trust/gen-anchors.sh has
# checked every fingerprint: a changed byte fails the build.
nodist_tools_common_libeimza_tools_la_SOURCES = tools/common/kamusm-anchors.c
tools/common/kamusm-anchors.c: $(srcdir)/data/trust/gen-anchors.sh \
		$(srcdir)/data/trust/kamusm-anchors.list $(KAMUSM_ANCHOR_FILES)
	$(AM_V_GEN)$(MKDIR_P) tools/common && \
	$(SHELL) $(srcdir)/data/trust/gen-anchors.sh $(srcdir)/data/trust >$@.tmp && mv $@.tmp $@
CLEANFILES += tools/common/kamusm-anchors.c
tools_common_libeimza_tools_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(P11KIT_CFLAGS)
tools_common_libeimza_tools_la_LIBADD = common/libeimza-common.la \
	$(CRYPTO_LIBS) $(P11KIT_LIBS) $(DL_LIBS) $(LTLIBINTL)

# Bash completion: one script, installed under each command's name (bash
# loads completions/NAME on first use of NAME).
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = tools/common/completions/eimza-info tools/common/completions/eimza-pin \
	tools/common/completions/eimza-onay tools/common/completions/eimza-register
EXTRA_DIST += tools/common/eimza.bash-completion
CLEANFILES += $(bashcompletion_DATA)
tools/common/completions/eimza-info tools/common/completions/eimza-pin tools/common/completions/eimza-onay \
tools/common/completions/eimza-register: $(srcdir)/tools/common/eimza.bash-completion
	$(AM_V_GEN)$(MKDIR_P) tools/common/completions && cp $(srcdir)/tools/common/eimza.bash-completion $@
