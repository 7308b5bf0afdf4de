#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# vista --profile drops.ini with the backend it picks itself: on kernels
# with fentry, the drop comes from the kernel's drop function
# (sk_skb_reason_drop on 6.12, kfree_skb_reason on 6.1) with its reason
# and a stack through nf_hook_slow; nothing left behind.
. /vista/guest-lib.sh
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }
out=$T/drops.txt
start_vista "$out" --profile "$VISTA_PROFILES/drops.ini" ||
	{ fail "vista did not start"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4667 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "exit $? after SIGINT"
tuple="$ADDR_A->$ADDR_B(icmp request id=4667 seq=1)"
drop=$(grep -F "$tuple" "$out" |
	grep -E ' (sk_skb_reason_drop|kfree_skb_reason)\(SKB_DROP_REASON_NETFILTER_DROP\) ' |
	head -1)
[ -n "$drop" ] && pass "drop line: $drop" ||
	{ fail "no drop line from the drop function"; cat "$out" "$out.err"; }
grep -q "drops: fentry \(sk_skb_reason_drop\|kfree_skb_reason\), with reasons and stacks" \
	"$out.err" && pass "$(grep -o 'drops: .*' "$out.err")" ||
	fail "mechanism: $(grep drops: "$out.err")"
stack_after "$out" "$tuple" >"$T/stack"
grep -Eq '^nf_hook_slow\+0x[0-9a-f]+$' "$T/stack" &&
	pass "stack names nf_hook_slow" ||
	{ fail "stack lacks nf_hook_slow"; cat "$T/stack"; }
head -1 "$T/stack" | grep -Eq '^(sk_skb_reason_drop|kfree_skb_reason)\+' &&
	pass "stack starts at the drop function" ||
	fail "stack starts at $(head -1 "$T/stack")"
assert_no_leftovers
finish "$(echo "$drop" | grep -oE '(sk_skb_reason_drop|kfree_skb_reason)\([A-Z_]*\)'), $CHECKS checks"
