#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# Packets/s through a veth: none, fentry on every skb function with a filter matching nothing, and all.
. /vista/scenarios/lib.inc
bench_pps fentry 5 --filter-trace-skb --kprobe-backend fentry
finish "$BENCH"
