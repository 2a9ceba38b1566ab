# conf/: the p11-kit registration, installed into p11-kit's module config
# folder (configure: --with-p11-kit-module-configs).
p11configdir = $(p11_configs_dir)
dist_p11config_DATA = conf/eimza.module

# The module's optional configuration, installed as an example.
eimzaconfdir = $(sysconfdir)/eimza
dist_eimzaconf_DATA = conf/eimza.conf
