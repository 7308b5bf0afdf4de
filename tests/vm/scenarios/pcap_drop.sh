#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# 'dst host B and tcp port 8080' through every function backend the kernel
# has, with an iptables DROP of that port in B: the SYN at ip_output (no
# MAC header yet: the L3 filter), at ip_rcv (the L2 filter) and dropped
# through the kernel's drop function with NETFILTER_DROP; a ping in
# between never shows; nothing left behind.
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport 8080 -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }
backends="kprobe fentry"
[ "$(kconfig FPROBE)" = y ] && backends="kprobe kprobe-multi fentry"
expr="dst host $ADDR_B and tcp port 8080"
for b in $backends; do
	out=$T/$b.txt
	start_vista "$out" --kprobe-backend "$b" --filter-trace-skb \
		--output-tuple \
		--filter-skb-func 'ip_output|ip_rcv|icmp_rcv|sk_skb_reason_drop|kfree_skb_reason' \
		"$expr" || { fail "$b: vista did not start"; continue; }
	ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
	ip netns exec "$NS_A" timeout 2 bash -c \
		"echo >/dev/tcp/$ADDR_B/8080" 2>/dev/null
	sleep 1
	stop_vista INT || fail "$b: exit $? after SIGINT"
	syn="->$ADDR_B:8080(tcp)"
	grep -F -- "$syn" "$out" | grep -q ' ip_output ' &&
		pass "$b: SYN at ip_output (L3)" ||
		{ fail "$b: no SYN at ip_output"; cat "$out" "$out.err"; }
	grep -F -- "$syn" "$out" | grep -q ' ip_rcv ' &&
		pass "$b: SYN at ip_rcv (L2)" || fail "$b: no SYN at ip_rcv"
	grep -F -- "$syn" "$out" | grep -Eq ' (sk_skb_reason_drop|kfree_skb_reason)\(SKB_DROP_REASON_NETFILTER_DROP\) ' &&
		pass "$b: the SYN's drop with its reason" ||
		fail "$b: no NETFILTER_DROP of the SYN"
	bad=$(event_lines "$out" | grep -vF -- "$syn" | head -1)
	[ -z "$bad" ] && pass "$b: nothing else ($(event_lines "$out" | wc -l) events)" ||
		fail "$b: stray event: $bad"
	assert_no_leftovers
done
finish "$backends: $CHECKS checks"
