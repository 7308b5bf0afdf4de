#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-skb --output-tuple over every skb tracepoint: a ping's
# request is queued in A and received in B, in that order, with its tuple.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

out=$T/trace.txt
start_vista "$out" --filter-trace-skb --output-tuple --output-meta \
	--filter-addr "$ADDR_B" --filter-protocol icmp || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4661 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista TERM; rc=$?
[ "$rc" = 0 ] && pass "exit 0 after SIGTERM" || fail "exit code $rc after SIGTERM"

req="$ADDR_A->$ADDR_B(icmp request id=4661 seq=1)"
rep="$ADDR_B->$ADDR_A(icmp reply id=4661 seq=1)"
nq=$(grep -nF "$req" "$out" | grep -m1 ' net_dev_queue ' | cut -d: -f1)
nr=$(grep -nF "$req" "$out" | grep -m1 ' netif_receive_skb ' | cut -d: -f1)
if [ -n "$nq" ] && [ -n "$nr" ] && [ "$nq" -lt "$nr" ]; then
	pass "request: net_dev_queue (line $nq) before netif_receive_skb (line $nr)"
else
	fail "request path net_dev_queue -> netif_receive_skb not seen in order"
	cat "$out"
fi
grep -F "$req" "$out" | grep ' netif_receive_skb ' |
	grep -q " iface=$IFINDEX_B(vb) " && pass "received on vb" ||
	fail "netif_receive_skb not on iface $IFINDEX_B(vb)"
grep -F "$rep" "$out" | grep -q ' net_dev_queue ' && pass "reply queued" ||
	fail "reply not seen"
# Every line names its function and matches the filters.
bad=$(event_lines "$out" | grep -v -e "$ADDR_B" | head -1)
[ -z "$bad" ] && pass "every event involves $ADDR_B" || fail "unfiltered: $bad"
bad=$(event_lines "$out" | awk '$4 == "" || $4 ~ /^netns=/' | head -1)
[ -z "$bad" ] && pass "every line names its function" || fail "no func: $bad"
assert_no_leftovers

# IPv6: address and protocol filters, and the bracketed tuple.
V6_A=fd00:231::1 V6_B=fd00:231::2
ip -n "$NS_A" addr add "$V6_A/64" dev va nodad
ip -n "$NS_B" addr add "$V6_B/64" dev vb nodad
out=$T/trace6.txt
start_vista "$out" --filter-trace-skb --output-tuple --output-meta \
	--filter-addr "$V6_B" --filter-protocol icmp6 || exit 1
ip netns exec "$NS_A" ping -6 -c 1 -W 1 -e 4662 "$V6_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
req6="[$V6_A]->[$V6_B](icmp6 request id=4662 seq=1)"
grep -F "$req6" "$out" | grep ' netif_receive_skb ' | grep -q ' proto=0x86dd ' &&
	pass "IPv6 request received: $req6" || { fail "no IPv6 request $req6"; cat "$out"; }
grep -qF "[$V6_B]->[$V6_A](icmp6 reply id=4662 seq=1)" "$out" &&
	pass "IPv6 reply" || fail "no IPv6 reply"
bad=$(event_lines "$out" | grep -v "(icmp6 " | head -1)
[ -z "$bad" ] && pass "only icmp6" || fail "not icmp6: $bad"
assert_no_leftovers

# VISTA_DEBUG: when each phase of the start ended, in order, in ms.
out=$T/debug.txt
export VISTA_DEBUG=1
start_vista "$out" --filter-trace-skb --filter-skb-mark 0x7ffffff3 || exit 1
unset VISTA_DEBUG
stop_vista INT
phases=$(sed -nE 's/^vista: debug: (.*) at ([0-9]+) ms$/\2 \1/p' "$out.err" |
	sed -E 's/^([0-9]+) (kernel: .*), probed$/\1 kernel probed/;
		s/^([0-9]+) skb: [0-9]+ targets chosen$/\1 targets chosen/')
want="kernel BTF read|kernel probed|targets chosen|skb: loaded|skb: attached"
[ "$(echo "$phases" | cut -d' ' -f2- | paste -sd'|')" = "$want" ] &&
	echo "$phases" | awk '$1 < prev { exit 1 } { prev = $1 }' &&
	pass "VISTA_DEBUG phases: $(echo "$phases" | paste -sd, )" ||
	fail "VISTA_DEBUG phases: $(echo "$phases" | paste -sd, )"
assert_no_leftovers
finish
