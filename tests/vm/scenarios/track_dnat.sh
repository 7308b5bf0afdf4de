#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# --filter-track-skb through every function backend the kernel has: a SYN
# matched as 'dst host B and tcp port 8080' and rewritten by an iptables
# DNAT rule to C:9090 still appears after the rewrite (ip_local_deliver,
# tcp_v4_rcv, its drop), which it does not without the flag; the
# clone/copy, realloc and free hooks attach (no warning); the LRU map
# accounts for every skb; nothing left behind.
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
setup_pair
ADDR_C=10.231.1.3
ip -n "$NS_B" addr add "$ADDR_C/24" dev vb
ip netns exec "$NS_B" iptables -t nat -A PREROUTING -d "$ADDR_B" -p tcp \
	--dport 8080 -j DNAT --to-destination "$ADDR_C:9090" ||
	{ fail "cannot add the DNAT rule"; finish; }
funcs='ip_rcv|ip_local_deliver|tcp_v4_rcv|sk_skb_reason_drop|kfree_skb_reason'
expr="dst host $ADDR_B and tcp port 8080"
syn() {
	ip netns exec "$NS_A" timeout 2 bash -c \
		"echo >/dev/tcp/$ADDR_B/8080" 2>/dev/null
	sleep 1
}

out=$T/plain.txt
start_vista "$out" --filter-trace-skb --output-tuple \
	--filter-skb-func "$funcs" "$expr" || { fail "vista did not start"; finish; }
syn
stop_vista INT
grep -q -- "->$ADDR_C:9090(tcp)" "$out" &&
	fail "without --filter-track-skb the DNATed SYN showed" ||
	pass "without tracking: nothing after DNAT"

backends="kprobe fentry"
[ "$(kconfig FPROBE)" = y ] && backends="kprobe kprobe-multi fentry"
for b in $backends; do
	out=$T/$b.txt
	start_vista "$out" --kprobe-backend "$b" --filter-trace-skb \
		--output-tuple --filter-track-skb --filter-skb-func "$funcs" \
		"$expr" || { fail "$b: vista did not start"; continue; }
	syn
	stop_vista INT || fail "$b: exit $? after SIGINT"
	grep -- "->$ADDR_B:8080(tcp)" "$out" | grep -q ' ip_rcv ' &&
		pass "$b: SYN at ip_rcv before DNAT" || fail "$b: no SYN at ip_rcv"
	for f in ip_local_deliver tcp_v4_rcv; do
		grep -- "->$ADDR_C:9090(tcp)" "$out" | grep -q " $f " &&
			pass "$b: after DNAT at $f" ||
			{ fail "$b: nothing after DNAT at $f"; cat "$out"; }
	done
	grep -- "->$ADDR_C:9090(tcp)" "$out" |
		grep -Eq '(sk_skb_reason_drop|kfree_skb_reason)\(SKB_DROP_REASON_NO_SOCKET\)' &&
		pass "$b: followed to its drop" || fail "$b: drop after DNAT missing"
	grep -q 'warning: --filter-track-skb' "$out.err" &&
		fail "$b: $(grep -m1 'warning: --filter-track-skb' "$out.err")" ||
		pass "$b: clone, realloc and free hooks attached"
	sum=$(grep 'vista: tracking:' "$out.err")
	echo "$sum" | grep -Eq 'tracking: [1-9][0-9]* skbs followed, [1-9][0-9]* freed, .* 0 evicted$' &&
		pass "$b: $sum" || fail "$b: tracking summary '$sum'"
	assert_no_leftovers
done

# Drops only: learned on the way in, reported after DNAT.
out=$T/drops.txt
start_vista "$out" --filter-skb-drop-stack --output-tuple --filter-track-skb \
	"$expr" || { fail "vista did not start"; finish; }
syn
stop_vista INT
grep -- "->$ADDR_C:9090(tcp)" "$out" | grep -q 'SKB_DROP_REASON_NO_SOCKET' &&
	pass "drops only: the DNATed SYN's drop" ||
	{ fail "drops only: no drop after DNAT"; cat "$out" "$out.err"; }
finish "$backends: $CHECKS checks"
