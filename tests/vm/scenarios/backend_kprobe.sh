#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
# The kprobe backend: a ping's path and an iptables drop (guest-lib.sh).
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
backend_path kprobe
