#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The shipped profiles on our kernel, each found by name (the build
# tree's profiles/ when vista runs from its build tree): path follows a
# ping through the stack's tracepoints with tuple and metadata;
# tcp-lifetime reports a connection with its TCP: line; firewall names
# the netfilter verdict and the drop with its stack; drops by name with
# or without .ini. An unknown name says where it looked, exit 2.
# tcxdp-pcap needs fentry: tests/vm/scenarios/tcxdp.sh runs it.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

# path: the request's own lines, all with tuple and interface.
out=$T/path.txt
start_vista "$out" --profile path "icmp and host $ADDR_B" || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4901 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT || fail "path: exit $? after SIGINT"
req="$ADDR_A->$ADDR_B(icmp request id=4901 seq=1)"
fns=$(grep -F "$req" "$out" | awk '{ print $4 }' | sort -u | tr '\n' ' ')
n=$(echo "$fns" | wc -w)
[ "$n" -ge 3 ] && pass "path: the request at $n points: $fns" ||
	{ fail "path: $n points: '$fns'"; cat "$out"; }
bad=$(event_lines "$out" | grep -v ' iface=' | head -1)
[ -z "$bad" ] && pass "path: every line has the metadata" ||
	fail "path: no metadata: $bad"
grep -q 'tracking: ' "$out.err" && pass "path: tracking is on" ||
	fail "path: no tracking summary"

# tcp-lifetime: one connection, both ends, with TCP:.
out=$T/tcp.txt
start_vista "$out" --profile tcp-lifetime || exit 1
sleep 2 | ip netns exec "$NS_B" busybox nc -l -p 8091 >/dev/null &
srv=$!
sleep 0.3
printf 'hi\n' | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8091
wait "$srv"
sleep 0.5
stop_vista INT || fail "tcp-lifetime: exit $? after SIGINT"
c=$(grep -F -- "->$ADDR_B:8091(tcp)" "$out" | grep ' tcp_lifetime ' | head -1)
t=$(sub_line "$out" "->$ADDR_B:8091(tcp)" TCP)
[ -n "$c" ] && echo "$t" | grep -q '^TCP: lifetime_ns=[0-9]' &&
	pass "tcp-lifetime: $c / $(echo "$t" | cut -c1-60)..." ||
	{ fail "tcp-lifetime: '$c' '$t'"; cat "$out"; }

# firewall: the verdict and the drop's stack.
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the rule"
out=$T/fw.txt
start_vista "$out" --profile firewall icmp || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4902 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT || fail "firewall: exit $? after SIGINT"
req="$ADDR_A->$ADDR_B(icmp request id=4902 seq=1)"
v=$(sub_line "$out" "$req" IPTABLES)
echo "$v" | grep -q 'table=filter .*hook=INPUT verdict=DROP' &&
	pass "firewall: $v" || { fail "firewall: no DROP verdict: '$v'"; cat "$out"; }
grep -F "$req" "$out" | grep -q 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)' &&
	stack_after "$out" 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)' |
	grep -q '^nf_hook_slow' &&
	pass "firewall: the drop, with its stack" ||
	fail "firewall: no drop with a stack through nf_hook_slow"

# drops by name, with and without .ini.
for name in drops drops.ini; do
	out=$T/$name.txt
	start_vista "$out" --profile "$name" || exit 1
	ip netns exec "$NS_A" ping -c 1 -W 1 -e 4903 "$ADDR_B" >/dev/null 2>&1
	sleep 0.5
	stop_vista INT
	grep -F "(icmp request id=4903 seq=1)" "$out" |
		grep -q 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)' &&
		pass "--profile $name" || fail "--profile $name: no drop"
done

"$VISTA" --profile nosuch >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] && grep -q '^--profile nosuch: no such file, and no nosuch.ini among the profiles in ' "$T/err" &&
	pass "unknown profile: $(cat "$T/err")" ||
	fail "unknown profile: exit $rc: $(cat "$T/err")"
assert_no_leftovers
finish
