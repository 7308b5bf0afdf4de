#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# Startup and detach, the tracepoint backend (every skb tracepoint).
. /vista/scenarios/lib.inc
bench_attach tp --kprobe-backend tracepoint
finish "$BENCH"
