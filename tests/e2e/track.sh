#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-track-skb with the tracepoint backend: a SYN matched by its
# original destination is still reported after an iptables DNAT rewrote
# it (and not without the flag), also when only drops are traced; the LRU
# map counts what it forgets, and evictions when it is too small.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
ADDR_C=${ADDR_B%.2}.3
ip -n "$NS_B" addr add "$ADDR_C/24" dev vb
ip netns exec "$NS_B" iptables -t nat -A PREROUTING -d "$ADDR_B" -p tcp \
	--dport 8080 -j DNAT --to-destination "$ADDR_C:9090" ||
	setup_failed "cannot add the DNAT rule"
expr="dst host $ADDR_B and tcp port 8080"
syn() {
	ip netns exec "$NS_A" timeout 2 bash -c "echo >/dev/tcp/$ADDR_B/8080" \
		2>/dev/null
	sleep 0.5
}

# Without tracking, the rewritten packet no longer matches.
out=$T/plain.txt
start_vista "$out" --filter-trace-skb --output-tuple "$expr" || exit 1
syn
stop_vista INT
grep -q -- "->$ADDR_B:8080(tcp)" "$out" && pass "the SYN before DNAT" ||
	fail "no SYN to $ADDR_B:8080"
grep -q -- "->$ADDR_C:9090(tcp)" "$out" &&
	fail "without --filter-track-skb the DNATed SYN showed" ||
	pass "without tracking: nothing after DNAT"

# With tracking: the same skb, after DNAT, up to its drop (no socket).
out=$T/track.txt
start_vista "$out" --filter-trace-skb --output-tuple --filter-track-skb \
	"$expr" || exit 1
syn
stop_vista INT
skb=$(grep -- "->$ADDR_B:8080(tcp)" "$out" | grep ' netif_receive_skb ' |
	awk '{print $1}' | head -1)
after=$(grep -- "->$ADDR_C:9090(tcp)" "$out" | head -1)
[ -n "$after" ] && pass "after DNAT: $after" ||
	{ fail "no event after DNAT"; cat "$out"; }
[ -n "$skb" ] && [ "$(echo "$after" | awk '{print $1}')" = "$skb" ] &&
	pass "the same skb ($skb)" || fail "not the same skb: $skb / $after"
grep -- "->$ADDR_C:9090(tcp)" "$out" |
	grep -q 'kfree_skb(SKB_DROP_REASON_NO_SOCKET)' &&
	pass "followed to its drop" || fail "its drop is missing"
sum=$(grep 'vista: tracking:' "$out.err")
echo "$sum" | grep -Eq 'tracking: [1-9][0-9]* skbs followed, [1-9][0-9]* freed, .* 0 evicted$' &&
	pass "$sum" || fail "tracking summary: '$sum'"

# Drops only: tracking does not need --filter-trace-skb.
out=$T/drops.txt
start_vista "$out" --filter-skb-drop-stack --output-tuple --filter-track-skb \
	"$expr" || exit 1
syn
stop_vista INT
grep -- "->$ADDR_C:9090(tcp)" "$out" |
	grep -q 'kfree_skb(SKB_DROP_REASON_NO_SOCKET)' &&
	pass "drops only: the DNATed SYN's drop" ||
	{ fail "drops only: no drop after DNAT"; cat "$out"; }

# Evictions: 100 datagrams held in a slow qdisc do not fit in 16 entries.
ip netns exec "$NS_A" tc qdisc add dev va root tbf rate 8kbit burst 1600 \
	latency 30s || setup_failed "cannot add a tbf qdisc"
out=$T/evict.txt
start_vista "$out" --filter-trace-skb --filter-track-skb --track-size 16 \
	"udp port 9999" || exit 1
ip netns exec "$NS_A" bash -c \
	"for i in \$(seq 100); do echo \$i > /dev/udp/$ADDR_B/9999; done"
sleep 1
stop_vista INT
sum=$(grep 'vista: tracking:' "$out.err")
echo "$sum" | grep -Eq ' [1-9][0-9]* evicted \(the map was full: raise --track-size\)$' &&
	pass "$sum" || fail "no evictions counted: '$sum'"
assert_no_leftovers
finish
