# tools/pin: eimza-pin, PIN status, change and unlock through PKCS#11.
bin_PROGRAMS += tools/pin/eimza-pin
tools_pin_eimza_pin_SOURCES = tools/pin/pin-main.c
tools_pin_eimza_pin_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tools_pin_eimza_pin_LDADD = tools/common/libeimza-tools.la
dist_man_MANS += tools/pin/eimza-pin.1
