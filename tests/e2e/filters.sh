#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Filters select in the kernel: an address that carries no traffic yields
# no events; --output-limit-lines stops vista by itself.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

out=$T/none.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	--filter-addr 10.231.254.254 || exit 1
ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
[ "$n" = 0 ] && pass "no events for an idle address" ||
	{ fail "$n events for an idle address"; head -5 "$out"; }
grep -q '^vista: 0 events, 0 lost' "$out.err" && pass "summary says 0 events" ||
	fail "summary: $(grep 'events,' "$out.err")"
assert_no_leftovers

# The netns filter: only B's side of the traffic.
out=$T/netns.txt
start_vista "$out" --filter-trace-skb --output-meta \
	--filter-netns "inode:$NETNS_B" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
other=$(event_lines "$out" | grep -v " netns=$NETNS_B " | head -1)
[ "$n" -gt 0 ] && [ -z "$other" ] && pass "--filter-netns: $n events, all in B" ||
	fail "--filter-netns: $n events, stray: $other"

# --filter-ifname in B's netns: only vb.
out=$T/ifname.txt
start_vista "$out" --filter-trace-skb --output-meta \
	--filter-netns "/run/netns/$NS_B" --filter-ifname vb || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
other=$(event_lines "$out" | grep -v " iface=$IFINDEX_B(vb) " | head -1)
[ "$n" -gt 0 ] && [ -z "$other" ] && pass "--filter-ifname vb: $n events" ||
	fail "--filter-ifname: $n events, stray: $other"

# --filter-port: TCP to 8080 is seen (SYN and RST), to 9090 is not.
out=$T/port.txt
start_vista "$out" --filter-trace-skb --output-tuple --filter-port 8080 || exit 1
ip netns exec "$NS_A" bash -c "echo >/dev/tcp/$ADDR_B/8080" 2>/dev/null
ip netns exec "$NS_A" bash -c "echo >/dev/tcp/$ADDR_B/9090" 2>/dev/null
sleep 0.5
stop_vista INT
syn=$(event_lines "$out" | grep -c -- "->$ADDR_B:8080(tcp)")
other=$(event_lines "$out" | grep -v -e ":8080->" -e ":8080(tcp)" | head -1)
[ "$syn" -gt 0 ] && [ -z "$other" ] && pass "--filter-port 8080: $syn events" ||
	fail "--filter-port 8080: $syn to 8080, stray: $other"

# --filter-skb-mark: only packets that a mangle rule marked 0x42.
ip netns exec "$NS_A" iptables -t mangle -A OUTPUT -p icmp -j MARK --set-mark 0x42
out=$T/mark.txt
start_vista "$out" --filter-trace-skb --output-meta --filter-skb-mark 0x42 || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
ip netns exec "$NS_B" ping -c 1 -W 1 "$ADDR_A" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
other=$(event_lines "$out" | grep -v " mark=0x42 " | head -1)
[ "$n" -gt 0 ] && [ -z "$other" ] && pass "--filter-skb-mark 0x42: $n events" ||
	fail "--filter-skb-mark: $n events, stray: $other"

# --filter-skb-func: a whole-name regex over the skb tracepoints.
out=$T/func.txt
start_vista "$out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--filter-skb-func 'netif_(receive_skb|rx)' || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
funcs=$(event_lines "$out" | awk '{print $4}' | sort -u | tr '\n' ' ')
[ "$funcs" = "netif_receive_skb netif_rx " ] &&
	pass "--filter-skb-func: only $funcs" ||
	fail "--filter-skb-func 'netif_(receive_skb|rx)': got $funcs"
grep -q "attached 2 of 2 skb tracepoints" "$out.err" &&
	pass "2 tracepoints attached" || fail "$(grep attached "$out.err")"

# --output-file and --timestamp relative: the file gets the trace (mode
# 0600), stdout nothing; the first sighting of an skb is 0 ns after itself.
out=$T/file.txt
start_vista "$out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--output-file "$T/trace.txt" --timestamp relative || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
[ ! -s "$out" ] && pass "--output-file: nothing on stdout" ||
	fail "--output-file: stdout has $(wc -l < "$out") lines"
[ "$(stat -c %a "$T/trace.txt")" = 600 ] && pass "trace file mode 0600" ||
	fail "trace file mode $(stat -c %a "$T/trace.txt")"
head -1 "$T/trace.txt" | grep -Eq 'FUNC +TIMESTAMP$' &&
	pass "header has TIMESTAMP" || fail "header: $(head -1 "$T/trace.txt")"
first=$(event_lines "$T/trace.txt" | head -1 | awk '{print $NF}')
later=$(event_lines "$T/trace.txt" | awk -v s="$(event_lines "$T/trace.txt" |
	head -1 | awk '{print $1}')" '$1 == s {n++} $1 == s && n == 2 {print $NF}')
[ "$first" = 0 ] && [ -n "$later" ] && [ "$later" -gt 0 ] &&
	pass "relative timestamps: first 0, then +$later ns" ||
	fail "relative timestamps: first '$first', second '$later'"

# --output-limit-lines 3: exactly three events, then exit 0 on its own.
out=$T/limit.txt
start_vista "$out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--output-limit-lines 3 || exit 1
ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 1 "$ADDR_B" >/dev/null 2>&1
for i in $(seq 1 50); do kill -0 "$VISTA_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VISTA_PID" 2>/dev/null; then
	fail "--output-limit-lines 3: still running"
	stop_vista KILL
else
	wait "$VISTA_PID"; rc=$?; VISTA_PID=
	n=$(event_lines "$out" | wc -l)
	[ "$rc" = 0 ] && [ "$n" = 3 ] && pass "--output-limit-lines 3: 3 events, exit 0" ||
		fail "--output-limit-lines 3: $n events, exit $rc"
fi
assert_no_leftovers
finish
