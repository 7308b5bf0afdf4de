#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
# pcap-filter expressions with the backend vista picks: TCP flags (the SYN,
# not the RST that answers it), an ip6[...] expression (ICMPv6 echo
# requests by header bytes), and arithmetic that needs libpcap's scratch
# memory (TCP segments that carry payload); at L3 on the way out and L2 on
# the way in.
. /vista/guest-lib.sh
setup_pair
add_ipv6

# seen_at OUT FUNC...: each FUNC has an event line.
seen_at() {
	local out=$1 f
	shift
	for f in "$@"; do
		grep -q " $f " "$out" && pass "seen at $f" ||
			fail "not seen at $f"
	done
}

out=$T/syn.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	--filter-skb-func 'ip_output|ip_rcv|tcp_v4_rcv' \
	"tcp[tcpflags] = tcp-syn" || { fail "vista did not start"; finish; }
ip netns exec "$NS_A" timeout 2 bash -c "echo >/dev/tcp/$ADDR_B/8080" 2>/dev/null
sleep 1
stop_vista INT
all_lines "$out" "->$ADDR_B:8080(tcp)" && pass "tcp-syn: only the SYN" ||
	{ fail "tcp-syn expression"; cat "$out"; }
seen_at "$out" ip_output ip_rcv tcp_v4_rcv

out=$T/ip6.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	--filter-skb-func 'ip6_output|ipv6_rcv|icmpv6_rcv' \
	"ip6[6] = 58 and ip6[40] = 128 and ip6 dst host fd00:231::2" ||
	{ fail "vista did not start"; finish; }
ip netns exec "$NS_A" ping -6 -c 1 -W 1 -e 4676 fd00:231::2 >/dev/null 2>&1
sleep 1
stop_vista INT
all_lines "$out" "[fd00:231::1]->[fd00:231::2](icmp6 request id=4676 seq=1)" &&
	pass "ip6[...]: the echo request only" ||
	{ fail "ip6 expression"; cat "$out"; }
seen_at "$out" ip6_output ipv6_rcv icmpv6_rcv

out=$T/payload.txt
ip netns exec "$NS_B" busybox nc -l -p 8081 >"$T/received" &
nc=$!
sleep 0.5
start_vista "$out" --filter-trace-skb --output-tuple --output-meta \
	--filter-skb-func 'ip_output|ip_rcv|tcp_v4_rcv' \
	"tcp port 8081 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0" ||
	{ fail "vista did not start"; finish; }
printf 'vista-payload-4677\n' |
	ip netns exec "$NS_A" timeout 5 busybox nc "$ADDR_B" 8081
sleep 1
stop_vista INT
kill "$nc" 2>/dev/null
wait "$nc" 2>/dev/null
grep -q vista-payload-4677 "$T/received" && pass "the payload arrived" ||
	fail "nc did not deliver the payload"
all_lines "$out" "->$ADDR_B:8081(tcp)" && pass "payload: A to B only" ||
	{ fail "payload expression"; cat "$out"; }
seen_at "$out" ip_output ip_rcv tcp_v4_rcv
# At ip_output the length is IP + TCP + payload: 20 + 20 (+ options) + 19.
small=$(grep ' ip_output ' "$out" | grep -oE ' len=[0-9]+ ' |
	tr -dc '0-9\n' | awk '$1 < 59' | head -1)
[ -z "$small" ] && pass "no segment without payload" ||
	fail "a segment of len $small matched"
assert_no_leftovers
finish "syn, ip6[], scratch memory: $CHECKS checks"
