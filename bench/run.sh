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
#             a filter that matches nothing, and one that matches all;
#             and with a program that does nothing on each (the floor)
#   events    events/s through the bus to the text sink on /dev/null, and
#             the share lost (ring buffer full), default ring and 16 MiB
#   rss       vista's peak resident memory while tracing all of them
#   sinks     events/s and loss through the JSON and pcapng sinks
#   synthetic one-second bursts of 1 to 3 million events/s from a BPF
#             program (bench/synth) through the bus to the text and JSON
#             sinks: delivered and lost
#   callgrind instructions per event in vista's user space (decode, the
#             core's bookkeeping, the sink's write and flush), per sink,
#             counted by callgrind inside on_event() and the flushes only,
#             on a live burst and on the synthetic stream (exact)
#   bpftrace  pps with bpftrace on the same tracepoints (those with an
#             skbaddr field) and a predicate on the skb's mark that
#             matches nothing: the tool a user might pick instead
# bench/vm.sh measures the VM backends (kprobe, kprobe-multi, fentry).
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
BPID=
cleanup() {
	[ -n "$BPID" ] && kill -KILL "$BPID" 2>/dev/null
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

# The pcapng sink, whole packets (its text lines go with it, as in the
# reference, to /dev/null).
printf '[tracer.skb]\n[sink.pcapng]\nfile = %s\nsnaplen = 1500\n' \
	"$T/bench.pcapng" >"$T/pcapng.ini"

# The synthetic source (bench/synth): a BPF program on sys_enter that
# submits batches of events through the core's ring buffer when synthgen
# asks (prctl), paced to a rate no UDP sender reaches here.
SYN=
if make -s -C bench/synth O="$T/synth" >"$T/synth.log" 2>&1; then
	SYN=$T/synth
	printf '[tracer.synth]\n' >"$T/synth.ini"
else
	echo "bench: cannot build bench/synth: $(tail -1 "$T/synth.log")"
fi
# synth_burst RATE ARGS...: a one-second burst of RATE events/s to vista
# with ARGS; prints "EVENTS LOST".
synth_burst() {
	local rate=$1
	shift
	vista_start --plugin-dir "$SYN" --profile "$T/synth.ini" "$@"
	"$SYN/synthgen" "$rate" 1 >/dev/null
	sleep 0.5
	vista_stop
	echo "$EVENTS $LOST"
}

# Every tracepoint that takes an skb (vista --filter-trace-skb attaches to
# these: kfree_skb for drops, the rest for the path).
SKB_TPS=$(bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
	sed -nE 's/^typedef void \(\*btf_trace_([a-z0-9_]+)\)\(void \*, (.*)\);$/\1|\2/p' |
	grep -E '\|(.*, )?(const )?struct sk_buff \*(,|$)' | cut -d'|' -f1)
NR_TPS=$(echo $SKB_TPS | wc -w)

# The floor (bench/floor.c): a program that does nothing on each of them.
FLOOR=
[ -n "$SKB_TPS" ] && cc -O2 -o "$T/floor" bench/floor.c -lbpf && FLOOR=$T/floor
floor_pps() {
	local pid out
	[ -n "$FLOOR" ] || { echo -; return; }
	# shellcheck disable=SC2086
	"$FLOOR" $SKB_TPS 2>"$T/floor.err" &
	pid=$!
	sleep 0.5
	out=$(calc "$(flood) / $DUR" 0)
	kill -INT "$pid"
	wait "$pid"
	grep -q "attached $NR_TPS of" "$T/floor.err" &&
		echo "$out" || echo -
}

# bpftrace: a program on every tracepoint with an skb argument and an
# skbaddr field (perf tracepoints: bpftrace 0.17 has no raw ones).
BT_PROG=
if [ "$DUR" != 1 ] && ! command -v bpftrace >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace \
		>/dev/null 2>&1 || echo "bench: no bpftrace (apt-get failed)"
fi
if command -v bpftrace >/dev/null && [ -n "$SKB_TPS" ]; then
	mountpoint -q /sys/kernel/tracing ||
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	for tp in $SKB_TPS; do
		f=$(ls /sys/kernel/tracing/events/*/"$tp"/format 2>/dev/null | head -1)
		[ -n "$f" ] && grep -q 'field:[^;]* skbaddr;' "$f" || continue
		c=$(basename "$(dirname "$(dirname "$f")")")
		echo "tracepoint:$c:$tp /((struct sk_buff *)args->skbaddr)->mark == 0x7ffffff1/ { @n = count(); }"
	done >"$T/skb.bt"
	[ -s "$T/skb.bt" ] && BT_PROG=$T/skb.bt
fi
bpftrace_start() {
	local i
	[ -n "$BT_PROG" ] || return 1
	bpftrace "$BT_PROG" >"$T/bt.out" 2>&1 &
	BPID=$!
	for i in $(seq 1 600); do
		grep -q '^Attaching' "$T/bt.out" && { sleep 1; return 0; }
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: bpftrace did not start: $(tail -2 "$T/bt.out")"
	bpftrace_stop
	BT_PROG=
	return 1
}
bpftrace_stop() {
	kill -INT "$BPID" 2>/dev/null
	wait "$BPID"
	BPID=
}

# The exec of vista itself, the baseline for startup.
t0=$(now)
"$VISTA" --version >/dev/null
EXEC=$(calc "$(now) - $t0")

# Synthetic bursts, SINK:RATE: the text sink at 1, 2 and 3 million
# events/s, with --output-meta --output-tuple, and JSON.
SYNTH_RUNS="text:1000000 text:2000000 text:3000000 text_meta:1000000
	text_meta:2000000 json:500000 json:1000000"
[ "$DUR" = 1 ] && SYNTH_RUNS="text:1000000"
synth_args() {
	case $1 in
	text_meta) echo --output-meta --output-tuple ;;
	json) echo --output-json ;;
	esac
}
: >"$T/rows"
: >"$T/synth_rows"
for r in $(seq 1 "$REPS"); do
	base=$(flood)
	base_pps=$(calc "$base / $DUR" 0)
	vista_start --filter-trace-skb 'udp port 9'
	nm=$(flood)
	vista_stop
	ATTACHED=$(grep -o 'attached [0-9]* of [0-9]*' "$T/err" | head -1)
	nm_start=$STARTUP nm_rss=$RSS_KB
	vista_start --filter-trace-skb 'udp port 9999'
	m=$(flood)
	vista_stop
	m_events=$EVENTS m_lost=$LOST m_rss=$RSS_KB
	vista_start --filter-trace-skb --ring-size 16777216 'udp port 9999'
	flood >/dev/null
	vista_stop
	r16="$EVENTS $LOST $RSS_KB"
	vista_start --filter-trace-skb --output-json 'udp port 9999'
	flood >/dev/null
	vista_stop
	rjson="$EVENTS $LOST"
	vista_start --profile "$T/pcapng.ini" --filter-trace-skb 'udp port 9999'
	flood >/dev/null
	vista_stop
	bt=-
	if bpftrace_start; then
		bt=$(calc "$(flood) / $DUR" 0)
		bpftrace_stop
	fi
	if [ -n "$SYN" ]; then
		for sr in $SYNTH_RUNS; do
			echo "${sr%:*} ${sr#*:} $(synth_burst "${sr#*:}" \
				$(synth_args "${sr%:*}"))" >>"$T/synth_rows"
		done
	fi
	fl=$(floor_pps)
	echo "$base_pps $(calc "$nm / $DUR" 0) $(calc "$m / $DUR" 0)" \
		"$nm_start $m_events $m_lost ${r16% *} $nm_rss $m_rss ${r16##* }" \
		"$rjson $EVENTS $LOST $bt $fl" >>"$T/rows"
done

col() { awk -v c="$1" '{ print $c }' "$T/rows" | median; }
base=$(col 1) nm=$(col 2) m=$(col 3) start=$(col 4)
ev=$(col 5) lo=$(col 6) ev16=$(col 7) lo16=$(col 8)
rss=$(printf '%s\n' "$(col 9)" "$(col 10)" | sort -g | tail -1) rss16=$(col 11)
evj=$(col 12) loj=$(col 13) evp=$(col 14) lop=$(col 15)
bt=$(awk '$16 != "-" { print $16 }' "$T/rows" | median)
fl=$(awk '$17 != "-" { print $17 }' "$T/rows" | median)

# callgrind NAME SOURCE ARGS...: instructions per event in vista with
# ARGS, counted only inside on_event() (decode, bookkeeping, the sinks'
# write) and the sinks' flushes. SOURCE udp: a 0.2 s flood through the skb
# plugin; vista is slow under valgrind and loses most of it, only the
# events it decoded count (stable to about 1 %). SOURCE synth: 20,000
# synthetic events at 10,000/s into a 16 MiB ring, none lost: the same
# stream every run, so the count is exact and a regression shows.
CG=
callgrind() {
	local name=$1 src=$2 ir ev lo i
	shift 2
	command -v valgrind >/dev/null || { CG="$CG $name=-:0:0"; return; }
	if [ "$src" = synth ]; then
		[ -n "$SYN" ] || { CG="$CG $name=-:0:0"; return; }
		set -- --plugin-dir "$SYN" --profile "$T/synth.ini" \
			--ring-size 16777216 --output-file /dev/null "$@"
	fi
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" \
		--toggle-collect=on_event --toggle-collect=text_flush \
		--toggle-collect=json_flush \
		"$VISTA" "$@" >/dev/null 2>"$T/err" &
	VPID=$!
	for i in $(seq 1 1800); do
		grep -q 'listening for events' "$T/err" && break
		kill -0 "$VPID" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$src" = synth ]; then
		"$SYN/synthgen" 10000 2 >/dev/null
		sleep 2
	else
		ip netns exec "$NS_A" "$T/udpflood" "$ADDR_B" 9999 0.2 >/dev/null
		sleep "$([ "$DUR" = 1 ] && echo 3 || echo 10)"
	fi
	kill -INT "$VPID"
	wait "$VPID"
	VPID=
	ev=$(sed -nE 's/^vista: ([0-9]+) events, .*/\1/p' "$T/err")
	lo=$(sed -nE 's/^vista: [0-9]+ events, ([0-9]+) lost.*/\1/p' "$T/err")
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$T/cg.out" 2>/dev/null)
	if [ "${ev:-0}" -gt 0 ] && [ -n "$ir" ]; then
		CG="$CG $name=$((ir / ev)):$ev:${lo:-0}"
	else
		CG="$CG $name=-:0:0"
	fi
}
callgrind text udp --filter-trace-skb --output-file /dev/null 'udp port 9999'
callgrind text_meta udp --filter-trace-skb --output-meta --output-tuple \
	--output-file /dev/null 'udp port 9999'
callgrind json udp --filter-trace-skb --output-json 'udp port 9999'
callgrind text_pcapng udp --profile "$T/pcapng.ini" --filter-trace-skb \
	--output-file /dev/null 'udp port 9999'
callgrind synth_text synth
callgrind synth_text_meta synth --output-meta --output-tuple
callgrind synth_json synth --output-json
cg() { echo "$CG" | tr ' ' '\n' | sed -n "s/^$1=//p" | cut -d: -f"${2:-1}"; }
share() { calc "100 * $2 / ($1 + $2 + ($1 + $2 == 0))" 1; }

# srow SINK RATE COLUMN: the median of a column of the synthetic rows.
srow() {
	awk -v k="$1" -v r="$2" -v c="$3" '$1 == k && $2 == r { print $c }' \
		"$T/synth_rows" | median
}

out=bench/results/$(date +%F).md
{
	echo "# vista benchmarks, $(date -u '+%F %H:%M UTC') ($DUR s runs, medians of $REPS)"
	echo
	echo "Machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), kernel $(uname -r);" \
		"vista $("$VISTA" --version | awk '{ print $2 }'), backend tracepoint (every skb tracepoint: $ATTACHED, plus kfree_skb for drops)."
	echo
	echo "| figure | value | baseline | ratio |"
	echo "|---|---|---|---|"
	echo "| startup to listening | $(calc "$start * 1000" 0) ms | exec of vista --version $(calc "$EXEC * 1000" 0) ms | $(calc "$start / $EXEC" 1) |"
	echo "| pps, filter matching nothing | $nm | $base (no tracing) | $(calc "$nm / $base") |"
	echo "| pps, filter matching all | $m | $base (no tracing) | $(calc "$m / $base") |"
	if [ -n "$fl" ]; then
		echo "| pps, a program doing nothing on each of the $NR_TPS skb tracepoints (the floor) | $fl | $base (no tracing) | $(calc "$fl / $base") |"
		echo "| pps, vista's filter matching nothing against the floor | $nm | $fl (floor) | $(calc "$nm / $fl") |"
	fi
	echo "| events/s to text on /dev/null, default ring | $(calc "$ev / $DUR" 0) | lost $(share "$ev" "$lo")% | |"
	echo "| events/s to text on /dev/null, 16 MiB ring | $(calc "$ev16 / $DUR" 0) | lost $(share "$ev16" "$lo16")% | |"
	echo "| peak RSS, default ring | $(calc "$rss / 1024" 1) MiB | | |"
	echo "| peak RSS, 16 MiB ring | $(calc "$rss16 / 1024" 1) MiB | | |"
	echo "| events/s to JSON on /dev/null, default ring | $(calc "$evj / $DUR" 0) | lost $(share "$evj" "$loj")% | |"
	echo "| events/s to pcapng (whole packets) and text, default ring | $(calc "$evp / $DUR" 0) | lost $(share "$evp" "$lop")% | |"
	for s in text text_meta json text_pcapng; do
		echo "| instructions per event, $s sink (callgrind, live burst) | $(cg $s) | over $(cg $s 2) events | |"
	done
	for s in text text_meta json; do
		echo "| instructions per event, $s sink (callgrind, synthetic stream) | $(cg synth_$s) | over $(cg synth_$s 2) events, $(cg synth_$s 3) lost | |"
	done
	for sr in $SYNTH_RUNS; do
		k=${sr%:*} rate=${sr#*:}
		e=$(srow "$k" "$rate" 3) l=$(srow "$k" "$rate" 4)
		[ -n "$e" ] && echo "| synthetic 1 s burst of $rate events to $k on /dev/null, default ring: delivered | $e | lost $(share "$e" "$l")% | |"
	done
	if [ -n "$bt" ]; then
		echo "| pps, bpftrace on $(wc -l <"$T/skb.bt") of the tracepoints, predicate matching nothing | $bt | $base (no tracing) | $(calc "$bt / $base") |"
		echo "| pps, vista's filter matching nothing against bpftrace's | $nm | $bt (bpftrace) | $(calc "$nm / $bt") |"
	fi
	echo
	echo "Synthetic bursts (sink rate events lost):"
	echo
	sed 's/^/    /' "$T/synth_rows"
	echo
	echo "Raw rows (base_pps nomatch_pps match_pps startup_s events lost events_16M lost_16M rss_kb rss_kb_match rss_kb_16M events_json lost_json events_pcapng lost_pcapng bpftrace_pps floor_pps):"
	echo
	sed 's/^/    /' "$T/rows"
} >"$out"
cat "$out"

# The smoke (CI) checks that every figure was measured, not its value.
missing=
[ -n "$SYN" ] && [ -n "$(srow text 1000000 3)" ] || missing="$missing synthetic"
[ -n "$fl" ] || missing="$missing floor"
[ -n "$start" ] && [ "${nm:-0}" -gt 0 ] && [ "${ev:-0}" -gt 0 ] ||
	missing="$missing pps/events"
if command -v valgrind >/dev/null; then
	for s in text json synth_text synth_json; do
		[ "$(cg $s)" != - ] || missing="$missing callgrind:$s"
	done
fi
[ -z "$missing" ] || { echo "bench: not measured:$missing" >&2; exit 1; }
