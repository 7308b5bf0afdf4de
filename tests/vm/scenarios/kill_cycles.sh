#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 200
# Kill cycles in the guest, where kprobes, kprobe-multi and fentry exist:
# KILL_CYCLES runs (default 3; the full hundred with
# VISTA_VM_ENV=KILL_CYCLES=100 tests/vm/run.sh -s kill_cycles:3000) of a
# random backend tracing the receive and transmit functions, stopped by
# SIGINT, SIGTERM or SIGKILL after a random delay: while probing, loading,
# attaching (kprobes attach one by one here) or tracing a ping. After
# every cycle no kprobe, ftrace hook, BPF link or vista program remains;
# the catchable signals exit 0. KILL_SEED repeats a run.
. /vista/guest-lib.sh
CYCLES=${KILL_CYCLES:-3}
KILL_WAIT=300	# detaching kprobes or trampolines under emulation
SEED=${KILL_SEED:-$(date +%s)}
log "seed $SEED, $CYCLES cycles"

backends=
have_kprobe_pmu && backends="$backends kprobe"
[ "$(kconfig FPROBE)" = y ] && backends="$backends kprobe-multi"
[ "$(kconfig FUNCTION_TRACER)" = y ] && backends="$backends fentry"
read -ra bk <<<"$backends"
nb=${#bk[@]}
[ "$nb" -gt 0 ] || skip "no kprobe, kprobe-multi or fentry in $(uname -r)"

ping -i 0.1 127.0.0.1 >/dev/null 2>&1 &
PING=$!
bad=0 n=0 tracing=0 started=0
awk -v seed="$SEED" -v n="$CYCLES" -v nb="$nb" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++)
		printf "%d %d %d\n", int(rand() * 3), int(rand() * 4000),
			int(rand() * nb)
}' >"$T/plan"
while read -r s ms b; do
	n=$((n + 1))
	sig=$(echo INT TERM KILL | cut -d' ' -f$((s + 1)))
	backend=${bk[$b]}
	kill_cycle "cycle $n: $backend" "$sig" "$ms" --filter-trace-skb \
		--kprobe-backend "$backend" --filter-skb-func '.*(_rcv|_xmit).*' ||
		bad=$((bad + 1))
	[ "$KILL_WHEN" = tracing ] && tracing=$((tracing + 1)) ||
		started=$((started + 1))
done <"$T/plan"
kill "$PING" 2>/dev/null
[ "$n" = "$CYCLES" ] && [ "$bad" = 0 ] &&
	pass "$n cycles over$backends ($started while starting, $tracing while tracing): nothing left" ||
	fail "$bad of $n cycles left state or exited wrongly (seed $SEED)"
finish "$n cycles over$backends ($started starting, $tracing tracing), seed $SEED: nothing left"
