#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# SIGINT, SIGTERM or SIGKILL at any moment of start-up (BTF, load,
# attach) or while tracing: vista leaves no BPF program or link behind,
# and the catchable signals end it with exit 0.
. "$(dirname "$0")/lib.sh"
need_root

for sig in INT TERM KILL; do
	for delay in 0.01 0.05 0.1 0.2 0.4 1; do
		LINKS_BEFORE=$(link_count)
		"$VISTA" --filter-trace-skb --output-meta --output-tuple \
			>/dev/null 2>"$T/err" &
		VISTA_PID=$!
		wait_handlers "$VISTA_PID"
		sleep "$delay"
		signal_wait "$sig"; rc=$?
		signal_exit_ok "$sig" "$rc" ||
			fail "SIG$sig after ${delay}s: exit $rc: $(tail -2 "$T/err")"
		assert_no_leftovers >"$T/left"
		grep '^FAIL' "$T/left" && fail "SIG$sig after ${delay}s left state"
	done
	pass "SIG$sig at 6 moments: clean"
done
finish
