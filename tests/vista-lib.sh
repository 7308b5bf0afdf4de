# SPDX-License-Identifier: GPL-2.0-only
# What the host end-to-end tests (tests/e2e/lib.sh) and the VM scenarios
# (tests/vm/guest-lib.sh) share: running vista in the background, and
# checking that nothing of it outlives it; a pair of network namespaces.
# The includer defines VISTA, log, pass, fail and setup_failed, and NS_A,
# NS_B, ADDR_A, ADDR_B; START_TIMEOUT is how long vista may take to listen.

START_TIMEOUT=${START_TIMEOUT:-20}

# Whatever a test leaves: vista, the namespaces, the temporary folder $T.
cleanup() {
	[ -n "$VISTA_PID" ] && kill -KILL "$VISTA_PID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# What assert_no_leftovers compares with: taken before each vista run.
leftover_baseline() {
	LINKS_BEFORE=$(link_count)
	KPROBES_BEFORE=$(kprobe_count)
	FTRACE_BEFORE=$(ftrace_count)
}

# start_vista OUT ARGS...: run vista in the background until it listens
# ("listening for events" on stderr, in OUT.err).
start_vista() {
	local out=$1 i
	shift
	leftover_baseline
	log "vista $*"
	"$VISTA" "$@" >"$out" 2>"$out.err" &
	VISTA_PID=$!
	for i in $(seq 1 $((START_TIMEOUT * 10))); do
		grep -q "listening for events" "$out.err" 2>/dev/null && {
			log "vista listening after $((i / 10)).$((i % 10))s"
			return 0
		}
		if ! kill -0 "$VISTA_PID" 2>/dev/null; then
			wait "$VISTA_PID"
			echo "vista exited early ($?):"
			cat "$out.err"
			VISTA_PID=
			return 1
		fi
		sleep 0.1
	done
	echo "vista did not start listening in ${START_TIMEOUT}s:"
	cat "$out.err"
	return 1
}

# stop_vista [SIG]: stop it and return its exit code.
stop_vista() {
	local rc
	kill -"${1:-INT}" "$VISTA_PID" 2>/dev/null
	wait "$VISTA_PID"
	rc=$?
	VISTA_PID=
	return $rc
}

vista_progs() {
	bpftool -j prog show 2>/dev/null |
		jq -r '.[] | select((.name // "") | startswith("vista")) |
			"\(.id):\(.name)"' | tr '\n' ' '
}
link_count() { bpftool -j link show 2>/dev/null | jq length; }
# Every kprobe of the kernel, perf-attached ones included (they are not in
# kprobe_events).
kprobe_count() {
	if [ -r /sys/kernel/debug/kprobes/list ]; then
		wc -l </sys/kernel/debug/kprobes/list
	else
		echo 0
	fi
}

# Functions ftrace patches: kprobe-multi (fprobe) and fentry trampolines
# show here, not in the kprobes list.
ftrace_count() {
	local f
	f=$(tracefs)/enabled_functions
	# Readable by mode, and yet refused under some lockdowns.
	{ wc -l <"$f"; } 2>/dev/null || echo 0
}

# No BPF program, link, kprobe or ftrace hook of vista may outlive it.
assert_no_leftovers() {
	local progs links kprobes ftrace i
	# The kernel frees closed programs from a work queue, a moment after
	# the last fd is gone (longer on an emulated CPU).
	for i in $(seq 1 100); do
		progs=$(vista_progs)
		[ -z "$progs" ] && break
		sleep 0.1
	done
	links=$(link_count)
	kprobes=$(kprobe_count)
	ftrace=$(ftrace_count)
	if [ -n "$progs" ]; then
		fail "BPF programs of vista remain: $progs"
	else
		pass "no vista BPF program remains"
	fi
	if [ -n "${LINKS_BEFORE:-}" ] && [ "$links" != "$LINKS_BEFORE" ]; then
		fail "BPF links: $LINKS_BEFORE before vista, $links after"
	else
		pass "no BPF link left behind ($links)"
	fi
	if [ -n "${KPROBES_BEFORE:-}" ] && [ "$kprobes" != "$KPROBES_BEFORE" ]
	then
		fail "kprobes: $KPROBES_BEFORE before vista, $kprobes after"
	else
		pass "no kprobe left behind ($kprobes)"
	fi
	if [ -n "${FTRACE_BEFORE:-}" ] && [ "$ftrace" != "$FTRACE_BEFORE" ]; then
		fail "ftrace: $FTRACE_BEFORE functions hooked before vista," \
			"$ftrace after"
	else
		pass "no ftrace hook left behind ($ftrace)"
	fi
}

# Event lines: the SKB/SK column starts with 0x.
# wait_handlers PID: until vista has set its SIGINT and SIGTERM handlers
# (SigCgt bits 2 and 15), at most 2 s. Before that nothing of vista has
# run, and a signal meets the shell's choice for a background job:
# SIGINT ignored (then vista would trace on), SIGTERM the default.
wait_handlers() {
	local i cgt
	for i in $(seq 1 200); do
		cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" \
			2>/dev/null)
		[ -n "$cgt" ] || return 0	# gone
		[ $((0x${cgt#"${cgt%????}"} & 0x4002)) = $((0x4002)) ] &&
			return 0
		sleep 0.01
	done
}

# signal_wait SIG: send SIG to VISTA_PID and wait for it; SIGKILL after
# KILL_WAIT seconds (default 30), so that a vista deaf to the signal fails
# the test instead of hanging it. Returns vista's exit status.
signal_wait() {
	local dog rc
	kill -"$1" "$VISTA_PID"
	( sleep "${KILL_WAIT:-30}"; kill -KILL "$VISTA_PID" 2>/dev/null ) &
	dog=$!
	# bash says "Killed" of a job killed by a signal: the status says it.
	wait "$VISTA_PID" 2>/dev/null; rc=$?
	# SIGKILL: a subshell just forked still has this shell's handlers,
	# and SIGTERM there ran the EXIT trap's cleanup, removing $T under
	# the running test (cycle 32 of 100 in the 6.1 guest). Its sleep
	# outlives it by at most KILL_WAIT seconds.
	kill -KILL "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	VISTA_PID=
	return $rc
}

# signal_exit_ok SIG RC: vista's exit status RC after SIG is right: 0
# for SIGINT and SIGTERM, 137 for SIGKILL.
signal_exit_ok() {
	case "$1:$2" in
	KILL:137|INT:0|TERM:0) return 0 ;;
	*) return 1 ;;
	esac
}

# kill_cycle WHAT SIG MS ARGS...: vista ARGS stopped by SIG MS
# milliseconds after its handlers are set (kill.sh, the VM's
# kill_cycles.sh). KILL_WHEN says whether
# it was still starting or already tracing. A wrong exit status (0 for
# SIGINT and SIGTERM) or kernel state left behind fails, naming WHAT, and
# returns 1.
kill_cycle() {
	local what=$1 sig=$2 ms=$3 rc bad=0
	shift 3
	leftover_baseline
	"$VISTA" "$@" >/dev/null 2>"$T/kill.err" &
	VISTA_PID=$!
	wait_handlers "$VISTA_PID"
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	grep -q "listening for events" "$T/kill.err" &&
		KILL_WHEN=tracing || KILL_WHEN=starting
	signal_wait "$sig"; rc=$?
	if ! signal_exit_ok "$sig" "$rc"; then
		fail "$what, SIG$sig after $ms ms: exit $rc: $(tail -2 "$T/kill.err")"
		bad=1
	fi
	assert_no_leftovers >"$T/kill.left"
	if grep '^FAIL' "$T/kill.left"; then
		fail "$what, SIG$sig after $ms ms left kernel state"
		bad=1
	fi
	return $bad
}

event_lines() { grep -E '^ *0x[0-9a-f]+ ' "$1"; }

# all_lines OUT TEXT: every event line contains TEXT (and there is one).
all_lines() {
	local n bad
	n=$(event_lines "$1" | wc -l)
	bad=$(event_lines "$1" | grep -vF -- "$2" | head -1)
	[ "$n" -gt 0 ] && [ -z "$bad" ] && return 0
	echo "# $n events; first without '$2': $bad"
	return 1
}

tracefs() {
	if [ -d /sys/kernel/tracing/events ]; then
		echo /sys/kernel/tracing
	else
		echo /sys/kernel/debug/tracing
	fi
}

# Two namespaces, veth va (in A) <-> vb (in B); sets NETNS_B, IFINDEX_B.
setup_pair() {
	ip netns add "$NS_A" && ip netns add "$NS_B" ||
		setup_failed "ip netns add"
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B" ||
		setup_failed "ip link add type veth"
	ip -n "$NS_A" addr add "$ADDR_A/24" dev va
	ip -n "$NS_B" addr add "$ADDR_B/24" dev vb
	ip -n "$NS_A" link set va up
	ip -n "$NS_B" link set vb up
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	NETNS_B=$(stat -L -c %i "/run/netns/$NS_B")
	IFINDEX_B=$(ip -n "$NS_B" -o link show vb | cut -d: -f1)
}

# IPv6 on the pair: fd00:231::1 (A) and fd00:231::2 (B), no DAD wait.
add_ipv6() {
	ip -n "$NS_A" addr add fd00:231::1/64 dev va nodad
	ip -n "$NS_B" addr add fd00:231::2/64 dev vb nodad
}

# sub_line OUT TEXT NAME: the "NAME:" sub-line under the first event line
# containing TEXT (IPTABLES:, TCP:, SOCK:, SOCKET:).
sub_line() {
	awk -v a="$2" -v n="$3:" '
		/^ *0x[0-9a-f]+ / { if (s) exit; s = index($0, a) > 0; next }
		s && index($0, n) == 1 { print; exit }' "$1"
}

# stack_after OUT TEXT: the stack frames under the first event line
# containing TEXT.
stack_after() {
	awk -v a="$2" '
		index($0, a) { s = 1; next }
		s && /^ *0x[0-9a-f]+ / { exit }
		s { print }' "$1"
}

# ping_drop OUT ARGS...: an iptables DROP of ICMP from A in B, vista ARGS
# (a drops profile) while A pings B twice (id 4660 = 0x1234: printed
# byte-swapped it would read 13330), then SIGINT: exit 0, check_ping_drop,
# nothing left behind. Needs setup_pair; returns 1 (after fail) if the rule
# or vista could not be set up.
ping_drop() {
	local out=$1 rc
	shift
	ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
		{ fail "cannot add the iptables rule"; return 1; }
	start_vista "$out" "$@" || { fail "vista did not start"; return 1; }
	ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4660 "$ADDR_B" \
		>/dev/null 2>&1
	sleep 1
	stop_vista INT
	rc=$?
	[ "$rc" = 0 ] && pass "exit 0 after SIGINT" ||
		fail "exit code $rc after SIGINT"
	check_ping_drop "$out"
	assert_no_leftovers
}

# check_ping_drop OUT: two pings from A (id 4660) dropped by iptables in
# B, as vista --profile drops.ini prints them with the kfree_skb
# tracepoint: the header, the reason, the tuple as on the wire (4660 =
# 0x1234 would read 13330 byte-swapped), netns, interface, protocol,
# length, and a stack through nf_hook_slow. Sets DROP to the drop line.
check_ping_drop() {
	local out=$1 tuple="$ADDR_A->$ADDR_B(icmp request id=4660 seq=1)"

	head -1 "$out" | grep -Eq '^ +SKB/SK +CPU +PROCESS +FUNC$' &&
		pass "header" || fail "header: $(head -1 "$out")"
	DROP=$(grep -F "kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)" "$out" |
		grep -F "$tuple" | head -1)
	if [ -n "$DROP" ]; then
		pass "drop line: $DROP"
	else
		fail "no NETFILTER_DROP line for $tuple"
		cat "$out" "$out.err"
	fi
	echo "$DROP" | grep -q " netns=$NETNS_B " && pass "netns=$NETNS_B" ||
		fail "netns is not $NETNS_B"
	echo "$DROP" | grep -q " iface=$IFINDEX_B(vb) " &&
		pass "iface=$IFINDEX_B(vb)" || fail "iface is not $IFINDEX_B(vb)"
	echo "$DROP" | grep -q " proto=0x0800 " && pass "proto=0x0800" ||
		fail "proto is not 0x0800"
	echo "$DROP" | grep -q " len=84 " && pass "len=84" ||
		fail "len is not 84"
	grep -F "icmp request id=4660 seq=2)" "$out" | grep -q NETFILTER_DROP &&
		pass "second ping dropped too" ||
		fail "second ping (seq=2) missing"
	# The stack follows the drop line: nf_hook_slow freed the packet.
	stack_after "$out" "$tuple" >"$T/stack"
	grep -Eq '^nf_hook_slow\+0x[0-9a-f]+$' "$T/stack" &&
		pass "stack names nf_hook_slow ($(wc -l <"$T/stack") frames)" ||
		{ fail "stack lacks nf_hook_slow"; cat "$T/stack"; }
	grep -q "drops: tracepoint kfree_skb, with reasons and stacks" \
		"$out.err" && pass "mechanism announced" ||
		fail "no mechanism line on stderr"
	grep -Eq '^vista: [0-9]+ events, 0 lost' "$out.err" &&
		pass "summary: $(grep -E '^vista: [0-9]+ events' "$out.err")" ||
		fail "no summary on stderr"
}

# ---- output errors and overload (tests/e2e/faults.sh on the host's
# tracepoints, tests/vm/scenarios/faults.sh through function backends).
# FAULT_EXIT_WAIT: how many seconds vista may take to exit on its own
# after a write error (detaching included).
FAULT_EXIT_WAIT=${FAULT_EXIT_WAIT:-5}

# fault_full_disk DIR ARGS...: vista ARGS writing text (DIR/out.txt) and
# pcapng (DIR/out.pcapng) at once onto DIR, a full 96 KiB tmpfs the
# caller mounted, while A pings B (FULL_PING: a flood of 2000 unless
# said otherwise): exit 1 with the "No space left on
# device" line, and the text ends with a whole line. The capture is the
# caller's to check (tshark runs on the host only): FULL_SAID is the
# packet count vista said it holds.
fault_full_disk() {
	local dir=$1 err=$1.out.err rc i
	shift
	FULL_SAID=
	start_vista "$dir.out" --filter-trace-skb --output-meta \
		--output-tuple --filter-addr "$ADDR_B" \
		--output-file "$dir/out.txt" --pcap-file "$dir/out.pcapng" \
		"$@" || { fail "full disk: vista did not start"; return 1; }
	# shellcheck disable=SC2086
	ip netns exec "$NS_A" ping ${FULL_PING:--f -c 2000} -s 200 "$ADDR_B" \
		>/dev/null 2>&1
	for i in $(seq 1 $((FAULT_EXIT_WAIT * 10))); do
		kill -0 "$VISTA_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_vista INT; rc=$?
	[ "$rc" = 1 ] && pass "full disk: exit 1" || fail "full disk: exit $rc"
	grep -q "No space left on device$" "$err" &&
		pass "full disk: $(grep -m1 'No space' "$err")" ||
		fail "full disk: no error line: $(cat "$err")"
	[ "$(tail -c 1 "$dir/out.txt" | od -An -c | tr -d ' ')" = '\n' ] &&
		[ -z "$(grep -vE '^ *(SKB|0x[0-9a-f]+ )' "$dir/out.txt" |
			head -1)" ] &&
		pass "full disk: the text ends with a whole line ($(wc -l <"$dir/out.txt") lines)" ||
		fail "full disk: the text is cut: $(tail -c 120 "$dir/out.txt")"
	FULL_SAID=$(sed -nE 's/.*out.pcapng: ([0-9]+) packets.*/\1/p' "$err")
}

# fault_closed_pipe ARGS...: vista ARGS writing to a pipe whose reader
# leaves after one byte, while A pings B: exit 1 with the broken pipe's
# line, nothing left behind.
fault_closed_pipe() {
	local i
	leftover_baseline
	rm -f "$T/pipe.rc"
	( "$VISTA" --filter-trace-skb --filter-addr "$ADDR_B" "$@" \
		2>"$T/pipe.err"
	  echo $? >"$T/pipe.rc" ) | head -c 1 >/dev/null &
	for i in $(seq 1 $((START_TIMEOUT * 10))); do
		grep -q "listening for events" "$T/pipe.err" 2>/dev/null &&
			break
		sleep 0.1
	done
	ip netns exec "$NS_A" ping -c 3 -i 0.2 "$ADDR_B" >/dev/null 2>&1
	for i in $(seq 1 $((FAULT_EXIT_WAIT * 10))); do
		[ -s "$T/pipe.rc" ] && break
		sleep 0.1
	done
	[ "$(cat "$T/pipe.rc" 2>/dev/null)" = 1 ] &&
		grep -q "^vista: text: stdout: Broken pipe$" "$T/pipe.err" &&
		pass "closed pipe: exit 1, $(grep -m1 'Broken pipe' "$T/pipe.err")" ||
		fail "closed pipe: exit $(cat "$T/pipe.rc" 2>/dev/null): $(cat "$T/pipe.err")"
	wait
	assert_no_leftovers
}

# now_ms: milliseconds since boot, in 10 ms steps (/proc/uptime:
# busybox's date has no %N).
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# detach_ms ERR: the ms the kernel took detaching, summed over vista's
# debug lines in ERR (VISTA_DEBUG=1); tests bound vista's own share of
# stopping apart from it.
detach_ms() {
	sed -n 's/.*: detached [0-9]* links in \([0-9]*\) ms.*/\1/p' "$1" |
		awk '{ s += $1 } END { print s + 0 }'
}

# fault_overload OWN_MS TOTAL_MS RSS_KB ARGS...: vista ARGS (stacks, a
# 64 KiB ring) while four floods from A to B exceed what the text sink
# can write: lost events are warned about while running and counted at
# exit, the peak RSS stays under RSS_KB, and vista exits 0 within
# TOTAL_MS of SIGINT, of which vista's own share (all but the kernel's
# detaching, which vista reports) is at most OWN_MS. The floods last
# FLOOD_SECONDS (4: SIGINT comes after 2.5). Sets OVERLOAD to a summary;
# nothing left behind.
fault_overload() {
	local own_ms=$1 total_ms=$2 rss_kb=$3 hwm t0 t1 ms det rc i summary lost
	shift 3
	VISTA_DEBUG=1 \
	start_vista "$T/flood.out" --filter-trace-skb --output-meta \
		--output-tuple --output-stack --ring-size 65536 \
		--filter-addr "$ADDR_B" "$@" ||
		{ fail "overload: vista did not start"; return 1; }
	for i in 1 2 3 4; do
		ip netns exec "$NS_A" timeout "${FLOOD_SECONDS:-4}" \
			ping -f -s 1000 "$ADDR_B" \
			>/dev/null 2>&1 &
	done
	sleep 2.5
	hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$VISTA_PID/status")
	t0=$(now_ms)
	kill -INT "$VISTA_PID"
	wait "$VISTA_PID"; rc=$?
	t1=$(now_ms)
	VISTA_PID=
	ms=$((t1 - t0))
	wait
	det=$(detach_ms "$T/flood.out.err")
	[ "$rc" = 0 ] && [ "$ms" -le "$total_ms" ] &&
		[ $((ms - det)) -le "$own_ms" ] &&
		pass "overload: stopped in $ms ms after SIGINT, $det ms of it detaching" ||
		fail "overload: exit $rc after $ms ms, $det ms of it detaching (want 0 within $total_ms ms, $own_ms ms besides detaching)"
	grep -q '^vista: warning: lost [0-9]* events (ring buffer full' \
		"$T/flood.out.err" &&
		pass "overload: lost events reported while running" ||
		fail "overload: no lost-events warning"
	summary=$(grep -E '^vista: [0-9]+ events, [0-9]+ lost' \
		"$T/flood.out.err")
	lost=$(echo "$summary" | sed -E 's/.* ([0-9]+) lost.*/\1/')
	[ "${lost:-0}" -gt 0 ] && pass "overload: $summary" ||
		fail "overload: no lost count at exit: $summary"
	# The ring and the sinks' buffers are all vista holds.
	[ "$hwm" -lt "$rss_kb" ] &&
		pass "overload: peak RSS $((hwm / 1024)) MiB" ||
		fail "overload: peak RSS $hwm KiB"
	OVERLOAD="$summary; stopped in $ms ms ($det detaching); peak RSS $((hwm / 1024)) MiB"
	assert_no_leftovers
}
