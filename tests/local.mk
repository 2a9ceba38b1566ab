# tests/: Check unit tests per layer, behaviour tests through the real PC/SC
# stack (tests/testbed), outside clients and applications.
include tests/common/local.mk
include tests/card/local.mk
include tests/cache/local.mk
include tests/vcard-engine/local.mk
include tests/vcard-perso/local.mk
include tests/testbed/local.mk
include tests/module/local.mk
include tests/clients/local.mk
include tests/tools/local.mk
include tests/onay/local.mk
include tests/apps/local.mk
include tests/install/local.mk
include tests/fuzz/local.mk
include tests/mutation/local.mk
