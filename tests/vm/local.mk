# SPDX-License-Identifier: GPL-2.0-only
# The VM tier (doc/vm.md): one boot per kernel runs every scenario.
# Included from tests/local.mk. VISTA_VM=skip skips it (make distcheck).
VM_TESTS = %D%/vm-6.1.sh %D%/vm-6.12.sh
TESTS += $(VM_TESTS)
# scenarios/ as a folder: a new scenario is one new file, nothing to list.
EXTRA_DIST += $(VM_TESTS) %D%/local.mk %D%/common.sh %D%/kernels.sh \
	%D%/mkinitramfs.sh %D%/run.sh %D%/init.sh %D%/guest-lib.sh \
	%D%/modules.list %D%/scenarios %D%/host-checks
