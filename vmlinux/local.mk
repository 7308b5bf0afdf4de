# SPDX-License-Identifier: GPL-2.0-only
EXTRA_DIST += %D%/README.md %D%/x86/vmlinux.h
