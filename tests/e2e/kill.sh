#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kill cycles: vista is started KILL_CYCLES times (default 100) with one
# of several configurations (skb with tracking and a capture, the drops
# profile, sockets, TCP lifetimes, netfilter verdicts) and stopped by
# SIGINT, SIGTERM or SIGKILL after a random delay: during BTF reading,
# loading, attaching or while tracing a ping. After every cycle: no vista
# BPF program, link, kprobe or ftrace hook, tc qdisc or filter, or pinned
# object remains, and (after SIGINT/SIGTERM: exit 0) tracefs is mounted
# as before. KILL_SEED makes a run repeatable.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
CYCLES=${KILL_CYCLES:-100}
SEED=${KILL_SEED:-$(date +%s)}
log "seed $SEED, $CYCLES cycles (KILL_SEED=$SEED repeats this run)"

# Random numbers for the whole run, from the seed: signal, delay (ms),
# configuration. Half the delays fall in the first 300 ms, where
# start-up (BTF, load, attach) takes place on this host.
awk -v seed="$SEED" -v n="$CYCLES" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++)
		printf "%d %d %d\n", int(rand() * 3),
			int(rand() * (rand() < 0.5 ? 300 : 1500)),
			int(rand() * 5)
}' >"$T/plan"

cat >"$T/ipt.ini" <<INI
[core]
filter-netns = /run/netns/$NS_B
[tracer.iptables]
INI
config() {
	case $1 in
	0) echo "--filter-trace-skb --output-meta --output-tuple
		--filter-track-skb --filter-addr $ADDR_B
		--pcap-file $T/k.pcapng" ;;
	1) echo "--profile $SRCDIR/profiles/drops.ini" ;;
	2) echo "--filter-trace-sk --output-meta" ;;
	3) echo "--filter-trace-tcp" ;;
	4) echo "--profile $T/ipt.ini" ;;
	esac
}

# What vista must leave as it found: tc on both ends, pins, tracefs.
state() {
	ip netns exec "$NS_A" tc qdisc show
	ip netns exec "$NS_A" tc filter show dev va ingress 2>/dev/null
	ip netns exec "$NS_B" tc qdisc show
	ip netns exec "$NS_B" tc filter show dev vb ingress 2>/dev/null
	find /sys/fs/bpf 2>/dev/null | sort
}
tracefs_mounted() { grep -c ' tracefs ' /proc/mounts; }

ip netns exec "$NS_A" ping -i 0.05 "$ADDR_B" >/dev/null 2>&1 &
PING=$!
trap 'kill $PING 2>/dev/null; cleanup' EXIT
state >"$T/state.before"
bad=0 started=0 tracing=0 n=0
nint=0 nterm=0 nkill=0
while read -r s ms c; do
	n=$((n + 1))
	sig=$(echo INT TERM KILL | cut -d' ' -f$((s + 1)))
	mounted=$(tracefs_mounted)
	what="cycle $n: config $c"
	# shellcheck disable=SC2046
	kill_cycle "$what" "$sig" "$ms" $(config "$c") || bad=$((bad + 1))
	[ "$KILL_WHEN" = tracing ] && tracing=$((tracing + 1)) ||
		started=$((started + 1))
	what="$what, SIG$sig after $ms ms"
	state >"$T/state.after"
	if ! cmp -s "$T/state.before" "$T/state.after"; then
		fail "$what changed tc or pins: $(diff "$T/state.before" "$T/state.after")"
		bad=$((bad + 1))
	fi
	if [ "$sig" != KILL ] && [ "$(tracefs_mounted)" != "$mounted" ]; then
		fail "$what left tracefs mounted"
		bad=$((bad + 1))
	fi
	case $sig in
	INT) nint=$((nint + 1)) ;;
	TERM) nterm=$((nterm + 1)) ;;
	KILL) nkill=$((nkill + 1)) ;;
	esac
done <"$T/plan"
[ "$n" = "$CYCLES" ] && [ "$bad" = 0 ] &&
	pass "$n cycles (SIGINT $nint, SIGTERM $nterm, SIGKILL $nkill; $started while starting, $tracing while tracing): nothing left behind" ||
	fail "$bad of $n cycles left state or exited wrongly (seed $SEED)"
finish
