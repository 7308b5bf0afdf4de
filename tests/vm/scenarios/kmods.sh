#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# --kmods veth adds the module's skb functions (module BTF): veth_xmit
# shows up with the ping's tuple. Without module BTF: skipped.
. /vista/guest-lib.sh
[ -r /sys/kernel/btf/veth ] || skip "no module BTF in $(uname -r)"
setup_pair
out=$T/kmods.txt
start_vista "$out" --filter-trace-skb --output-tuple --kmods veth \
	--filter-skb-func 'veth_xmit' --filter-addr "$ADDR_B" ||
	{ fail "vista did not start"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4665 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "exit $?"
grep -F "$ADDR_A->$ADDR_B(icmp request id=4665 seq=1)" "$out" |
	grep -q ' veth_xmit ' && pass "veth_xmit with the request's tuple" ||
	{ fail "no veth_xmit line"; cat "$out" "$out.err"; }
# Without --kmods the module's functions are not known.
"$VISTA" --filter-trace-skb --filter-skb-func veth_xmit >"$T/o2" 2>"$T/e2"
rc=$?
[ "$rc" = 1 ] && grep -q "no skb tracepoint or function matches" "$T/e2" &&
	pass "without --kmods: no veth_xmit" ||
	fail "without --kmods: exit $rc: $(cat "$T/e2")"
assert_no_leftovers
finish "$(grep -o 'backend [a-z-]*' "$out.err"); veth_xmit traced"
