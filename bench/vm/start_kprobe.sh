#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# Startup and detach, plain kprobes on every skb function, default batch (10).
. /vista/scenarios/lib.inc
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
bench_attach kprobe --kprobe-backend kprobe
finish "$BENCH"
