#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 900
# Startup and detach, fentry on every skb function.
. /vista/scenarios/lib.inc
bench_attach fentry --kprobe-backend fentry
finish "$BENCH"
