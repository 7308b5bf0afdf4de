#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# Stopped in the middle of attaching every skb function (SIGINT, SIGTERM)
# or killed (SIGKILL), vista leaves no kprobe, ftrace hook, BPF link or
# program behind, and the catchable signals end it with exit 0.
. /vista/guest-lib.sh

# interrupt BACKEND SIGNAL: start, signal 3 s into attaching, check.
interrupt() {
	local b=$1 sig=$2 rc want=0
	LINKS_BEFORE=$(link_count)
	KPROBES_BEFORE=$(kprobe_count)
	FTRACE_BEFORE=$(ftrace_count)
	"$VISTA" --filter-trace-skb --kprobe-backend "$b" >"$T/out" 2>"$T/err" &
	VISTA_PID=$!
	sleep 3
	grep -q "listening for events" "$T/err" &&
		log "$b: already listening after 3 s: not mid-attach"
	kill -"$sig" "$VISTA_PID"
	wait "$VISTA_PID"
	rc=$?
	VISTA_PID=
	[ "$sig" = KILL ] && want=137
	[ "$rc" = "$want" ] && pass "$b SIG$sig mid-attach: exit $rc" ||
		fail "$b SIG$sig mid-attach: exit $rc, want $want: $(tail -2 "$T/err")"
	assert_no_leftovers
}

have_kprobe_pmu || skip "no kprobes in $(uname -r)"
interrupt kprobe INT
interrupt kprobe KILL
interrupt fentry TERM
[ "$(kconfig FPROBE)" = y ] && interrupt kprobe-multi TERM
finish "$CHECKS checks"
