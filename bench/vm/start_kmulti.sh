#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 600
# Startup and detach, kprobe-multi on every skb function.
. /vista/scenarios/lib.inc
[ "$(kconfig FPROBE)" = y ] || skip "no kprobe-multi (fprobe) in $(uname -r)"
bench_attach kmulti --kprobe-backend kprobe-multi
finish "$BENCH"
