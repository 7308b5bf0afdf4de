#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# pcap-filter expressions in the kernel, on real namespace traffic with the
# tracepoint backend: a matching and a non-matching expression, IPv6, ARP
# (L2 only), TCP flags, an expression that needs libpcap's scratch memory,
# and the L3 view on a device without an Ethernet header (tun).
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
add_ipv6

# 1. Echo requests to B only: not the replies, not B's own pings.
out=$T/match.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	"icmp[icmptype] = icmp-echo and dst host $ADDR_B" || exit 1
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4671 "$ADDR_B" >/dev/null 2>&1
ip netns exec "$NS_B" ping -c 1 -W 1 -e 4672 "$ADDR_A" >/dev/null 2>&1
sleep 0.5
stop_vista INT
grep -q "pcap-filter: icmp\[icmptype\] = icmp-echo and dst host $ADDR_B" \
	"$out.err" && pass "the expression is announced" ||
	fail "no pcap-filter line: $(head -3 "$out.err")"
all_lines "$out" "$ADDR_A->$ADDR_B(icmp request id=4671 seq=" &&
	pass "only A's echo requests to B ($(event_lines "$out" | wc -l) events)" ||
	fail "echo-request expression let other packets through"
n=$(event_lines "$out" | grep -c "seq=2)")
[ "$n" -gt 0 ] && pass "both requests seen" || fail "second request missing"
for f in net_dev_queue netif_receive_skb; do
	grep -q " $f " "$out" && pass "seen at $f" || fail "not seen at $f"
done

# 2. An expression nothing matches: no events at all.
out=$T/nomatch.txt
start_vista "$out" --filter-trace-skb "udp port 9 or tcp port 7" || exit 1
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
[ "$n" = 0 ] && pass "non-matching expression: no events" ||
	{ fail "non-matching expression: $n events"; head -3 "$out"; }

# 3. IPv6: ICMPv6 echo requests by address.
out=$T/ip6.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	"icmp6 and ip6 dst host fd00:231::2 and ip6[40] = 128" || exit 1
ip netns exec "$NS_A" ping -6 -c 1 -W 1 -e 4673 fd00:231::2 >/dev/null 2>&1
sleep 0.5
stop_vista INT
all_lines "$out" "[fd00:231::1]->[fd00:231::2](icmp6 request id=4673 seq=1)" &&
	pass "IPv6 echo request by ip6 dst host and ip6[40]" ||
	fail "IPv6 expression"

# 4. ARP exists only at L2: requests and replies, no IP packet.
out=$T/arp.txt
start_vista "$out" --filter-trace-skb --output-meta arp || exit 1
ip -n "$NS_A" neigh flush dev va
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
all_lines "$out" "proto=0x0806" &&
	pass "arp: $(event_lines "$out" | wc -l) events, all ARP" ||
	fail "arp expression"
grep -q " pkt_type=BROADCAST" "$out" && pass "the broadcast request is there" ||
	fail "no broadcast ARP request"

# 5. TCP flags: the SYN to a closed port, not the RST that answers it.
out=$T/syn.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	"tcp[tcpflags] = tcp-syn and tcp port 8080" || exit 1
ip netns exec "$NS_A" bash -c "echo >/dev/tcp/$ADDR_B/8080" 2>/dev/null
sleep 0.5
stop_vista INT
all_lines "$out" "->$ADDR_B:8080(tcp)" && pass "only the SYN" ||
	fail "tcp-syn expression"

# 6. Scratch memory: TCP segments that carry payload (libpcap keeps the
# header lengths in M[]), so not the handshake and not the pure ACKs.
out=$T/payload.txt
ip netns exec "$NS_B" busybox nc -l -p 8081 >"$T/received" &
NC=$!
sleep 0.3
expr="tcp port 8081 and (ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0"
start_vista "$out" --filter-trace-skb --output-tuple --output-meta "$expr" ||
	exit 1
printf 'vista-payload-4674\n' | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8081
sleep 0.5
stop_vista INT
kill "$NC" 2>/dev/null
wait "$NC" 2>/dev/null
grep -q vista-payload-4674 "$T/received" && pass "the payload arrived" ||
	fail "nc did not deliver the payload"
all_lines "$out" "->$ADDR_B:8081(tcp)" && pass "payload segments, A to B" ||
	fail "payload expression"
# On the wire: 14 Ethernet + 20 IP + 20 TCP (+ options) + 19 payload.
small=$(grep ' net_dev_queue ' "$out" | grep -oE ' len=[0-9]+ ' |
	tr -dc '0-9\n' | awk '$1 < 73' | head -1)
grep -q ' net_dev_queue ' "$out" && [ -z "$small" ] &&
	pass "no segment without payload left A" ||
	fail "a segment of len '$small' matched (or none left A)"

# 7. A device without an Ethernet header (tun): the L3 view.
ip netns exec "$NS_A" ip tuntap add dev vtun mode tun &&
	ip -n "$NS_A" link set vtun up &&
	ip -n "$NS_A" addr add 10.232.0.1/24 dev vtun ||
	fail "cannot create a tun device"
out=$T/tun.txt
start_vista "$out" --filter-trace-skb --output-tuple --output-meta \
	"icmp and dst host 10.232.0.2" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4675 10.232.0.2 >/dev/null 2>&1
sleep 0.5
stop_vista INT
all_lines "$out" "(vtun) " && pass "L3 view on tun: $(event_lines "$out" | wc -l) events" ||
	fail "no events on the tun device"
grep -F "10.232.0.1->10.232.0.2(icmp request id=4675 seq=1)" "$out" |
	grep -q " net_dev_queue " && pass "net_dev_queue on vtun matched at L3" ||
	fail "net_dev_queue on vtun missing"
assert_no_leftovers
finish
