#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make check: every VM scenario on the newest Debian 6.1 cloud kernel, in
# one boot (tests/vm/run.sh; exit 77 = skip when qemu is missing outside CI).
#
# Holds the host end-to-end tier's lock while it runs: an emulated guest
# takes both cores, which would make the host tests' timing flaky (and
# the guest's) under make -j.
exec 9>/tmp/vista-e2e.lock
flock 9
exec "$(dirname "$0")/run.sh" -k 6.1
