#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --output-stack on every event (functions and drops): symbol+offset
# frames under each line; --output-skb: the struct sk_buff printed through
# BTF under each line, raw pointers, no NULs, before the stack.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the iptables rule"

# frames_after OUT: for each event line, the number of frame lines that
# follow it ("name+0xoff", optionally " [module]").
frames_after() {
	awk '/^ *0x[0-9a-f]+ / { if (n != "") print n; n = 0; next }
	     /^[A-Za-z_.][A-Za-z0-9_.]*\+0x[0-9a-f]+( \[[a-z0-9_]+\])?$/ { n++ }
	     END { if (n != "") print n }' "$1"
}

out=$T/stack.txt
start_vista "$out" --filter-trace-skb --output-stack \
	--filter-skb-func 'netif_rx|netif_receive_skb' "icmp" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
bare=$(frames_after "$out" | grep -c '^0$')
[ "$n" -gt 0 ] && [ "$bare" = 0 ] &&
	pass "--output-stack: all $n events have frames" ||
	fail "--output-stack: $bare of $n events without a stack"
stack_after "$out" " netif_rx" | grep -Eq '^veth_xmit\+0x[0-9a-f]+( \[veth\])?$' &&
	pass "netif_rx's stack names veth_xmit" ||
	{ fail "netif_rx's stack lacks veth_xmit"; cat "$out"; }
grep -q 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)' "$out" &&
	fail "a drop showed with --filter-skb-func netif_rx|netif_receive_skb" ||
	pass "the function filter holds"

out=$T/skb.txt
start_vista "$out" --filter-trace-skb --output-skb --output-stack \
	--filter-skb-func 'netif_receive_skb' "icmp" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
dumps=$(grep -c '^(struct sk_buff){$' "$out")
[ "$n" -gt 0 ] && [ "$dumps" = "$n" ] &&
	pass "--output-skb: $dumps dumps for $n events" ||
	fail "--output-skb: $dumps dumps for $n events"
awk '/netif_receive_skb$/ { getline; print; exit }' "$out" |
	grep -q '^(struct sk_buff){$' && pass "the dump follows its line" ||
	fail "the line after the event is not the dump"
grep -q '^ \.len = (unsigned int)84,$' "$out" &&
	pass "the echo request's len=84 in the dump" || fail "no .len = 84"
grep -Eq '^ +\.head = \(unsigned char \*\)0x[1-9a-f][0-9a-f]{15},$' "$out" &&
	pass "raw pointers" || fail "pointers are hashed or missing"
[ "$(tr -cd '\000' < "$out" | wc -c)" = 0 ] && pass "no NUL bytes" ||
	fail "NUL bytes in the output"
awk '/^}$/ { getline; print; exit }' "$out" |
	grep -Eq '^[A-Za-z_.][A-Za-z0-9_.]*\+0x[0-9a-f]+' &&
	pass "the stack follows the dump" || fail "no stack after the dump"

# A drop with a stack: every event type has one.
out=$T/drop.txt
start_vista "$out" --filter-skb-drop-stack "icmp" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
stack_after "$out" "kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)" |
	grep -Eq '^nf_hook_slow\+0x[0-9a-f]+$' && pass "the drop's stack" ||
	fail "the drop has no stack through nf_hook_slow"
assert_no_leftovers
finish
