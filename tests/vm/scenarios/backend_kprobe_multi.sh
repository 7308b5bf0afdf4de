#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
# The kprobe-multi backend: a ping's path and an iptables drop; on a kernel
# without fprobe (6.1 cloud) forcing it must fail with a clear message and
# leave nothing behind.
. /vista/guest-lib.sh
if [ "$(kconfig FPROBE)" != y ]; then
	LINKS_BEFORE=$(link_count)
	KPROBES_BEFORE=$(kprobe_count)
	FTRACE_BEFORE=$(ftrace_count)
	"$VISTA" --filter-trace-skb --kprobe-backend kprobe-multi \
		>"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 1 ] && pass "exit 1" || fail "exit $rc, want 1"
	grep -q -- "--kprobe-backend kprobe-multi: this kernel cannot: Operation not supported" \
		"$T/err" && pass "$(cat "$T/err")" ||
		fail "unclear refusal: $(cat "$T/err")"
	assert_no_leftovers
	finish "refused clearly: $(head -1 "$T/err")"
fi
# Where tracefs lists ftrace's addresses (6.5 on), functions are attached
# by address, so the kernel need not look their names up.
if [ -e /sys/kernel/tracing/available_filter_functions_addrs ]; then
	VISTA_DEBUG=1 start_vista "$T/addr" --filter-trace-skb \
		--kprobe-backend kprobe-multi --filter-skb-func '^ip_rcv$' ||
		{ fail "vista did not start"; finish; }
	stop_vista INT || fail "exit code $? after SIGINT"
	grep -q "kprobe-multi: 1 functions (argument 1) by address" \
		"$T/addr.err" && pass "attached by address" ||
		fail "not by address: $(grep 'kprobe-multi:' "$T/addr.err")"
fi
backend_path kprobe-multi
