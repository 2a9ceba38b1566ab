# conf/: the p11-kit registration, installed into p11-kit's module config
# folder (configure: --with-p11-kit-module-configs), and the module's
# optional configuration file.
#
# eimza.module names the module by file name when it is installed in
# p11-kit's own module folder (p11-kit looks there for relative names), and
# by absolute path when --with-p11-kit-module-path put it elsewhere.
p11configdir = $(p11_configs_dir)
p11config_DATA = conf/eimza.module
EXTRA_DIST += conf/eimza.module.in
CLEANFILES += conf/eimza.module
conf/eimza.module: $(srcdir)/conf/eimza.module.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && \
	if test "$(p11_module_dir)" = "$(P11KIT_MODULE_PATH)"; then \
		m=eimza-pkcs11.so; else m='$(p11_module_dir)/eimza-pkcs11.so'; fi && \
	sed -e "s|@MODULE[@]|$$m|" $(srcdir)/conf/eimza.module.in >$@.tmp && mv $@.tmp $@

# The module's optional configuration, installed as an example.
eimzaconfdir = $(sysconfdir)/eimza
dist_eimzaconf_DATA = conf/eimza.conf

# libtool installs a .la next to every library; p11-kit and applications
# want only the .so in the PKCS#11 folder. (p11moduledir is a data folder
# to automake: no "exec" in its name.)
install-data-hook: install-p11module-tidy install-akisp11
install-p11module-tidy:
	rm -f '$(DESTDIR)$(p11moduledir)/eimza-pkcs11.la'

# --enable-akisp11-compat: libakisp11.so links to the module in the folders
# where applications written for the vendor's library look for it. The
# vendor's own library is never overwritten: an install stops instead.
install-akisp11:
	@test '$(enable_akisp11_compat)' = yes || exit 0; \
	for d in $(akisp11_dirs); do \
		l="$(DESTDIR)$$d/libakisp11.so"; \
		if test -e "$$l" && test ! -L "$$l"; then \
			echo "$$d/libakisp11.so is another library (the vendor's?): not replaced." >&2; \
			echo "Remove the vendor package first (docs/install.md, 'libakisp11')." >&2; exit 1; fi; \
		$(MKDIR_P) "$(DESTDIR)$$d" && \
		echo "ln -sfn $(p11moduledir)/eimza-pkcs11.so $$l" && \
		ln -sfn '$(p11moduledir)/eimza-pkcs11.so' "$$l" || exit 1; \
	done
uninstall-akisp11:
	@test '$(enable_akisp11_compat)' = yes || exit 0; \
	for d in $(akisp11_dirs); do \
		l="$(DESTDIR)$$d/libakisp11.so"; \
		if test -L "$$l" && test "`readlink "$$l"`" = '$(p11moduledir)/eimza-pkcs11.so'; then \
			echo "rm -f $$l"; rm -f "$$l"; fi; \
	done
.PHONY: install-p11module-tidy install-akisp11 uninstall-akisp11

# make uninstall also removes the folders the install created, when they
# are empty: eimza's own (sysconfdir/eimza, docdir) and, climbing up, the
# ones below the prefix's standard folders (man1, locale/tr/LC_MESSAGES,
# bash-completion/completions, ...). The standard folders themselves and
# anything outside the prefix (p11-kit's folders) stay.
# libtool's uninstall reads the .la that install-p11module-tidy removed, so
# the module itself is removed here.
uninstall-hook: uninstall-p11module uninstall-akisp11 uninstall-eimza-dirs
uninstall-p11module:
	rm -f '$(DESTDIR)$(p11moduledir)/eimza-pkcs11.so'
uninstall-eimza-dirs: uninstall-p11module uninstall-akisp11
	@keep=' $(prefix) $(exec_prefix) $(bindir) $(libdir) $(datarootdir) $(datadir) $(mandir) $(sysconfdir) $(includedir) / '; \
	for d in '$(eimzaconfdir)' '$(docdir)' '$(p11moduledir)' '$(p11configdir)' '$(bashcompletiondir)' \
		'$(trustdir)' \
		'$(localedir)/tr/LC_MESSAGES' '$(man1dir)' '$(man8dir)' $(akisp11_dirs); do \
		case $$d in '$(prefix)'/*) ;; *) continue ;; esac; \
		while case $$keep in *" $$d "*) false ;; *) true ;; esac && \
			test -d "$(DESTDIR)$$d" && rmdir "$(DESTDIR)$$d" 2>/dev/null; do \
			echo "rmdir $(DESTDIR)$$d"; d=`dirname "$$d"`; done; \
	done
.PHONY: uninstall-p11module uninstall-eimza-dirs
