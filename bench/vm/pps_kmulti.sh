#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 600
# Packets/s through a veth: none, kprobe-multi on every skb function with a filter matching nothing, and all.
. /vista/scenarios/lib.inc
[ "$(kconfig FPROBE)" = y ] || skip "no kprobe-multi (fprobe) in $(uname -r)"
bench_pps kmulti 5 --filter-trace-skb --kprobe-backend kprobe-multi
finish "$BENCH"
