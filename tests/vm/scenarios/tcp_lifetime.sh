#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# --filter-trace-tcp on this kernel's tracepoints (the same BPF object as
# on the host, relocated by CO-RE): both ends of a connection with their
# owners, byte counts and birth states; a refused one with its reset.
. /vista/guest-lib.sh
setup_pair
out=$T/tcp.txt
start_vista "$out" --filter-trace-tcp --output-tcp --output-tuple ||
	{ fail "vista did not start"; finish; }
sleep 5 | ip netns exec "$NS_B" busybox nc -l -p 8090 >/dev/null &
srv=$!
sleep 0.5
printf 'hello vista\n' | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8090 &
cli=$!
wait "$cli" "$srv"
ip netns exec "$NS_A" timeout 2 bash -c "echo >/dev/tcp/$ADDR_B/8099" 2>/dev/null
sleep 1
stop_vista INT || fail "exit $? after SIGINT"
c=$(grep -F -- "->$ADDR_B:8090(tcp)" "$out" | grep ' tcp_lifetime ' | head -1)
s=$(grep -F -- "$ADDR_B:8090->$ADDR_A:" "$out" | grep ' tcp_lifetime ' | head -1)
echo "$c" | grep -q "($cli)\]" && pass "client owned by pid $cli" ||
	{ fail "client event: '$c'"; cat "$out" "$out.err"; }
echo "$s" | grep -q "($srv)\]" && pass "server owned by the accepting pid $srv" ||
	fail "server event: '$s'"
ct=$(sub_line "$out" "->$ADDR_B:8090(tcp)" TCP)
st=$(sub_line "$out" "$ADDR_B:8090->$ADDR_A:" TCP)
echo "$ct" | grep -q ' tx_bytes=12 .*states=SYN_SENT->' && pass "client: $ct" ||
	fail "client TCP: '$ct'"
echo "$st" | grep -Eq ' rx_bytes=1[23] .*states=SYN_RECV->' && pass "server: $st" ||
	fail "server TCP: '$st'"
rt=$(sub_line "$out" "->$ADDR_B:8099(tcp)" TCP)
echo "$rt" | grep -q 'rst_recv=true .*states=SYN_SENT->SYN_SENT' &&
	pass "refused: $rt" || fail "refused: '$rt'"
assert_no_leftovers
finish "$CHECKS checks"
