#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 240
# --output-stack and --output-skb through every function backend: the
# stack under __dev_forward_skb names veth_xmit with its module ([veth]); the
# struct sk_buff is printed through BTF under each line, raw pointers, no
# NULs; nothing left behind.
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
setup_pair
backends="kprobe fentry"
[ "$(kconfig FPROBE)" = y ] && backends="kprobe kprobe-multi fentry"
for b in $backends; do
	out=$T/$b.txt
	start_vista "$out" --kprobe-backend "$b" --filter-trace-skb \
		--output-stack --output-skb --filter-skb-func '__dev_forward_skb' \
		"icmp and dst host $ADDR_B" ||
		{ fail "$b: vista did not start"; continue; }
	ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
	sleep 1
	stop_vista INT || fail "$b: exit $? after SIGINT"
	stack_after "$out" " __dev_forward_skb" >"$T/stack"
	grep -Eq '^veth_xmit\+0x[0-9a-f]+ \[veth\]$' "$T/stack" &&
		pass "$b: $(grep -m1 veth_xmit "$T/stack")" ||
		{ fail "$b: no 'veth_xmit+0x.. [veth]' frame"; cat "$out"; }
	head -1 "$T/stack" | grep -q '^(struct sk_buff){$' &&
		pass "$b: the sk_buff printed under the line" ||
		fail "$b: no dump under the line"
	grep -Eq '^ +\.head = \(unsigned char \*\)0x[1-9a-f][0-9a-f]{15},$' "$out" &&
		pass "$b: raw pointers" ||
		fail "$b: no raw .head pointer"
	[ "$(tr -cd '\000' < "$out" | wc -c)" = 0 ] && pass "$b: no NULs" ||
		fail "$b: NUL bytes in the output"
	assert_no_leftovers
done
finish "$backends: $CHECKS checks"
