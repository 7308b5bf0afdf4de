#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vista's benchmarks on this host (root): every figure next to a baseline
# taken in the same run, as a ratio, because shared machines are noisy.
# Absolute numbers are printed but never asserted; nothing here fails on
# speed. Writes bench/results/DATE.md (machine, kernel, raw numbers).
#
#   bench/run.sh [--smoke]       (--smoke: 1 s runs, 1 repetition, for CI)
#
# Measured (issue #9; the VM backends and callgrind come next):
#   startup   time from exec to "listening", tracing every skb tracepoint,
#             against the exec of `vista --version`
#   pps       UDP packets/s one sender pushes through a veth pair with no
#             tracing (baseline), vista tracing every skb tracepoint with
#             a filter that matches nothing, and one that matches all
#   events    events/s through the bus to the text sink on /dev/null, and
#             the share lost (ring buffer full), default ring and 16 MiB
#   rss       vista's peak resident memory while tracing all of them
set -u
cd "$(dirname "$0")/.."
VISTA=${VISTA:-$PWD/build/vista}
DUR=5 REPS=3
[ "${1:-}" = --smoke ] && DUR=1 REPS=1
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, BPF)"; exit 1; }
[ -x "$VISTA" ] || { echo "bench: no $VISTA (./scripts/test.sh --build-only)"; exit 1; }
T=$(mktemp -d /tmp/vista-bench.XXXXXX)
NS_A=vista-bench-a NS_B=vista-bench-b
ADDR_A=10.232.0.1 ADDR_B=10.232.0.2
VPID=
cleanup() {
	[ -n "$VPID" ] && kill -KILL "$VPID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cc -O2 -o "$T/udpflood" bench/udpflood.c || exit 1
ip netns add "$NS_A" && ip netns add "$NS_B" &&
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B" &&
	ip -n "$NS_A" addr add "$ADDR_A/24" dev va &&
	ip -n "$NS_B" addr add "$ADDR_B/24" dev vb &&
	ip -n "$NS_A" link set va up && ip -n "$NS_B" link set vb up ||
	{ echo "bench: cannot set up the veth pair"; exit 1; }
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }

# vista_start ARGS...: run vista until it listens; sets VPID, STARTUP (s).
vista_start() {
	local t0 i
	t0=$(now)
	"$VISTA" "$@" --output-file /dev/null >/dev/null 2>"$T/err" &
	VPID=$!
	for i in $(seq 1 600); do
		grep -q 'listening for events' "$T/err" && break
		kill -0 "$VPID" 2>/dev/null || { cat "$T/err"; exit 1; }
		sleep 0.01
	done
	STARTUP=$(calc "$(now) - $t0")
}

# vista_stop: SIGINT; sets EVENTS, LOST, RSS_KB (peak).
vista_stop() {
	RSS_KB=$(awk '/^VmHWM/ { print $2 }' "/proc/$VPID/status")
	kill -INT "$VPID"
	wait "$VPID"
	VPID=
	EVENTS=$(sed -nE 's/^vista: ([0-9]+) events, ([0-9]+) lost.*/\1/p' "$T/err")
	LOST=$(sed -nE 's/^vista: ([0-9]+) events, ([0-9]+) lost.*/\2/p' "$T/err")
}

flood() { ip netns exec "$NS_A" "$T/udpflood" "$ADDR_B" 9999 "$DUR"; }

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The exec of vista itself, the baseline for startup.
t0=$(now)
"$VISTA" --version >/dev/null
EXEC=$(calc "$(now) - $t0")

: >"$T/rows"
for r in $(seq 1 "$REPS"); do
	base=$(flood)
	base_pps=$(calc "$base / $DUR" 0)
	vista_start --filter-trace-skb 'udp port 9'
	nm=$(flood)
	vista_stop
	nm_start=$STARTUP nm_rss=$RSS_KB
	vista_start --filter-trace-skb 'udp port 9999'
	m=$(flood)
	vista_stop
	m_events=$EVENTS m_lost=$LOST m_rss=$RSS_KB
	vista_start --filter-trace-skb --ring-size 16777216 'udp port 9999'
	flood >/dev/null
	vista_stop
	echo "$base_pps $(calc "$nm / $DUR" 0) $(calc "$m / $DUR" 0)" \
		"$nm_start $m_events $m_lost $EVENTS $LOST $nm_rss $m_rss $RSS_KB" \
		>>"$T/rows"
done

col() { awk -v c="$1" '{ print $c }' "$T/rows" | median; }
base=$(col 1) nm=$(col 2) m=$(col 3) start=$(col 4)
ev=$(col 5) lo=$(col 6) ev16=$(col 7) lo16=$(col 8)
rss=$(printf '%s\n' "$(col 9)" "$(col 10)" | sort -g | tail -1) rss16=$(col 11)
share() { calc "100 * $2 / ($1 + $2 + ($1 + $2 == 0))" 1; }

out=bench/results/$(date +%F).md
{
	echo "# vista benchmarks, $(date -u '+%F %H:%M UTC') ($DUR s runs, medians of $REPS)"
	echo
	echo "Machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r);" \
		"vista $("$VISTA" --version | awk '{ print $2 }'), backend tracepoint (every skb tracepoint: $(grep -o 'attached [0-9]* of [0-9]*' "$T/err" | head -1))."
	echo
	echo "| figure | value | baseline | ratio |"
	echo "|---|---|---|---|"
	echo "| startup to listening | $(calc "$start * 1000" 0) ms | exec of vista --version $(calc "$EXEC * 1000" 0) ms | $(calc "$start / $EXEC" 1) |"
	echo "| pps, filter matching nothing | $nm | $base (no tracing) | $(calc "$nm / $base") |"
	echo "| pps, filter matching all | $m | $base (no tracing) | $(calc "$m / $base") |"
	echo "| events/s to text on /dev/null, default ring | $(calc "$ev / $DUR" 0) | lost $(share "$ev" "$lo")% | |"
	echo "| events/s to text on /dev/null, 16 MiB ring | $(calc "$ev16 / $DUR" 0) | lost $(share "$ev16" "$lo16")% | |"
	echo "| peak RSS, default ring | $(calc "$rss / 1024" 1) MiB | | |"
	echo "| peak RSS, 16 MiB ring | $(calc "$rss16 / 1024" 1) MiB | | |"
	echo
	echo "Raw rows (base_pps nomatch_pps match_pps startup_s events lost events_16M lost_16M rss_kb...):"
	echo
	sed 's/^/    /' "$T/rows"
} >"$out"
cat "$out"
