# tests/mutation: `make mutation-check` applies each deliberate bug of
# tests/mutation/mutations.txt to a scratch copy of the source tree, builds
# it and runs the tests the bug names; it fails when a bug survives (no
# named test failed), when a bug's original text no longer occurs exactly
# once, or when a named test fails without any bug (docs/testing.md).
# MUTATIONS="name ..." runs only those; MUTATION_ARGS="--keep" keeps the
# scratch tree. CI runs it in the --enable-werror build (.ci/run).
EXTRA_DIST += tests/mutation/mutation-check.py tests/mutation/mutations.txt
mutation-check: all
	python3 $(abs_top_srcdir)/tests/mutation/mutation-check.py --srcdir $(abs_top_srcdir) \
		--builddir $(abs_top_builddir) $(foreach m,$(MUTATIONS),--only $(m)) $(MUTATION_ARGS)
.PHONY: mutation-check
