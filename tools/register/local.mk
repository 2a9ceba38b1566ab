# tools/register: eimza-register, the module in Firefox, Thunderbird and
# Chromium/Chrome (NSS databases through modutil, enterprise policies).
bin_PROGRAMS += tools/register/eimza-register
tools_register_eimza_register_SOURCES = \
	tools/register/register.h tools/register/reg-main.c tools/register/reg-nss.c \
	tools/register/reg-policy.c tools/register/reg-json.h tools/register/reg-json.c
tools_register_eimza_register_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tools_register_eimza_register_LDADD = tools/common/libeimza-tools.la
dist_man_MANS += tools/register/eimza-register.1
