# data/trust: Kamu SM's public trust anchors (README.md says where each was
# published and against what it was checked). gen-anchors.sh checks their
# fingerprints and compiles them into the tools (tools/common/local.mk);
# they are also installed for `openssl cms -verify -CAfile`.
KAMUSM_ANCHOR_FILES = \
	data/trust/kamusm-root-v6.pem \
	data/trust/kamusm-root-v7.pem \
	data/trust/kamusm-nes-ca-v6.pem
trustdir = $(pkgdatadir)/trust
dist_trust_DATA = $(KAMUSM_ANCHOR_FILES) data/trust/kamusm-anchors.list data/trust/README.md
EXTRA_DIST += data/trust/gen-anchors.sh
