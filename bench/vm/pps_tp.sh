#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# Packets/s through a veth: none, every skb tracepoint with a filter matching nothing, and all.
. /vista/scenarios/lib.inc
bench_pps tp 5 --filter-trace-skb --kprobe-backend tracepoint
finish "$BENCH"
