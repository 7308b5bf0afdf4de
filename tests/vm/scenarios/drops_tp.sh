#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# The host drops test (tests/e2e/drops.sh) on this kernel, through the
# tracepoint backend: an iptables DROP in one namespace, a ping from the
# other, and vista's drop line with its reason, tuple, netns, interface,
# and the stack through nf_hook_slow; nothing left behind.
. /vista/guest-lib.sh
setup_pair

ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }

out=$T/drops.txt
start_vista "$out" --profile "$VISTA_PROFILES/drops.ini" \
	--kprobe-backend tracepoint || { fail "vista did not start"; finish; }
# id 4660 = 0x1234: printed byte-swapped it would read 13330.
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4660 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT
rc=$?

[ "$rc" = 0 ] && pass "exit 0 after SIGINT" || fail "exit code $rc after SIGINT"
head -1 "$out" | grep -Eq '^ +SKB/SK +CPU +PROCESS +FUNC$' &&
	pass "header" || fail "header: $(head -1 "$out")"

tuple="$ADDR_A->$ADDR_B(icmp request id=4660 seq=1)"
drop=$(grep -F "kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)" "$out" |
	grep -F "$tuple" | head -1)
if [ -n "$drop" ]; then
	pass "drop line: $drop"
else
	fail "no NETFILTER_DROP line for $tuple"
	cat "$out" "$out.err"
fi
echo "$drop" | grep -q " netns=$NETNS_B " && pass "netns=$NETNS_B" ||
	fail "netns is not $NETNS_B"
echo "$drop" | grep -q " iface=$IFINDEX_B(vb) " &&
	pass "iface=$IFINDEX_B(vb)" || fail "iface is not $IFINDEX_B(vb)"
echo "$drop" | grep -q " proto=0x0800 " && pass "proto=0x0800" ||
	fail "proto is not 0x0800"
echo "$drop" | grep -q " len=84 " && pass "len=84" || fail "len is not 84"
grep -F "icmp request id=4660 seq=2)" "$out" | grep -q NETFILTER_DROP &&
	pass "second ping dropped too" || fail "second ping (seq=2) missing"

# The stack follows the drop line: nf_hook_slow freed the packet.
awk -v a="$tuple" '
	index($0, a) { s = 1; next }
	s && /^ *0x[0-9a-f]+ / { exit }
	s { print }' "$out" >"$T/stack"
grep -Eq '^nf_hook_slow\+0x[0-9a-f]+$' "$T/stack" &&
	pass "stack names nf_hook_slow ($(wc -l <"$T/stack") frames)" ||
	{ fail "stack lacks nf_hook_slow"; cat "$T/stack"; }

grep -q "drops: tracepoint kfree_skb, with reasons and stacks" "$out.err" &&
	pass "mechanism announced" || fail "no mechanism line on stderr"
grep -Eq '^vista: [0-9]+ events, 0 lost' "$out.err" &&
	pass "summary: $(grep -E '^vista: [0-9]+ events' "$out.err")" ||
	fail "no summary on stderr"
assert_no_leftovers
finish "$(echo "$drop" | grep -o 'kfree_skb([A-Z_]*)') $tuple, $CHECKS checks"
