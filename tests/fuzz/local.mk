# tests/fuzz: libFuzzer targets (docs/fuzzing.md), one per surface that
# reads what others wrote:
#   fuzz-p15     the PKCS#15 parsers and the DER reader
#   fuzz-card    the card layer against a hostile card (both dialects)
#   fuzz-module  the whole module (PKCS#11 front, token, card side) against
#                a hostile card in the scripted reader
#   fuzz-onay    eimza-onay verify's input
# and fuzz-seeds, which makes their seed corpora from virtual cards.
#
# With --enable-fuzzing (clang) the targets link libFuzzer and `make fuzz`
# runs each for FUZZ_SECONDS. Otherwise they are plain programs
# (standalone.c) that run a corpus, and `make check` runs every seed and
# every checked-in input through them (test-fuzz-corpus.sh).
FUZZ_TARGETS = tests/fuzz/fuzz-p15 tests/fuzz/fuzz-card tests/fuzz/fuzz-module \
	tests/fuzz/fuzz-onay
FUZZ_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz-util.c
FUZZ_CARD = tests/fuzz/fuzz-input.h tests/fuzz/fuzz-input.c tests/fuzz/sessions.h
if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS) tests/fuzz/fuzz-seeds
FUZZ_MAIN =
else
check_PROGRAMS += $(FUZZ_TARGETS) tests/fuzz/fuzz-seeds
check_LTLIBRARIES += tests/fuzz/libfuzz-standalone.la
tests_fuzz_libfuzz_standalone_la_SOURCES = tests/fuzz/standalone.c tests/fuzz/fuzz.h
FUZZ_MAIN = tests/fuzz/libfuzz-standalone.la
TESTS += tests/fuzz/test-fuzz-corpus.sh
endif
dist_check_SCRIPTS += tests/fuzz/test-fuzz-corpus.sh
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/corpus

tests_fuzz_fuzz_p15_SOURCES = tests/fuzz/fuzz-p15.c $(FUZZ_COMMON) $(FUZZ_CARD)
tests_fuzz_fuzz_p15_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_p15_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_p15_LDADD = $(FUZZ_MAIN) module/libeimza-cardcore.la module/libeimza-replay.la \
	common/libeimza-common.la $(CRYPTO_LIBS)

tests_fuzz_fuzz_card_SOURCES = tests/fuzz/fuzz-card.c tests/fuzz/card-session.c \
	$(FUZZ_COMMON) $(FUZZ_CARD)
tests_fuzz_fuzz_card_CFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_card_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_card_LDADD = $(FUZZ_MAIN) module/libeimza-cardcore.la module/libeimza-replay.la \
	common/libeimza-common.la $(CRYPTO_LIBS)

# The PKCS#11 front as the module links it (module/local.mk), with the card
# core and the scripted reader in place of libeimza-cardside.la.
tests_fuzz_fuzz_module_SOURCES = tests/fuzz/fuzz-module.c tests/fuzz/module-session.c \
	$(FUZZ_COMMON) $(FUZZ_CARD)
tests_fuzz_fuzz_module_CFLAGS = $(FUZZ_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_module_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_module_LDADD = $(FUZZ_MAIN) module/libeimza-p11.la module/libeimza-cardcore.la \
	module/libeimza-replay.la common/libeimza-common.la $(CRYPTO_LIBS) -lpthread

tests_fuzz_fuzz_onay_SOURCES = tests/fuzz/fuzz-onay.c $(FUZZ_COMMON)
tests_fuzz_fuzz_onay_CFLAGS = $(FUZZ_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_onay_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_onay_LDADD = $(FUZZ_MAIN) tools/onay/libeimza-onay.la

tests_fuzz_fuzz_seeds_SOURCES = tests/fuzz/fuzz-seeds.c tests/fuzz/card-session.c \
	tests/fuzz/module-session.c $(FUZZ_CARD)
tests_fuzz_fuzz_seeds_CFLAGS = $(FUZZ_CFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_seeds_LDADD = module/libeimza-p11.la module/libeimza-cardcore.la \
	module/libeimza-replay.la tools/onay/libeimza-onay.la tools/vcard/engine/libvcard.la \
	tools/vcard/engine/libvcard-atr.la common/libeimza-common.la $(CRYPTO_LIBS) -lpthread

# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS_RUN="card module"]: each target
# for N seconds (two at a time, FUZZ_JOBS); fails on any finding. The seeds
# are made fresh each time (tests/fuzz/seeds), the corpora grow across runs
# (tests/fuzz/run/corpus), findings land in tests/fuzz/run/findings/TARGET/.
FUZZ_SECONDS = 60
FUZZ_TARGETS_RUN = p15 card module onay
if FUZZING
fuzz: $(FUZZ_TARGETS:=$(EXEEXT)) tests/fuzz/fuzz-seeds$(EXEEXT) tools/vcard/eimza-vcard$(EXEEXT)
	SRCDIR='$(abs_top_srcdir)' bash $(srcdir)/tests/fuzz/fuzz.sh seeds tests/fuzz/seeds
	SRCDIR='$(abs_top_srcdir)' bash $(srcdir)/tests/fuzz/fuzz.sh run $(FUZZ_SECONDS) \
		tests/fuzz/seeds tests/fuzz/run $(FUZZ_TARGETS_RUN)
else
fuzz:
	@echo "make fuzz: this build has no libFuzzer targets; configure with" >&2
	@echo "  CC=clang ../configure --enable-fuzzing   (docs/fuzzing.md)" >&2
	@exit 1
endif
.PHONY: fuzz
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/seeds tests/fuzz/run
.PHONY: clean-fuzz
