#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-tcp with the tracepoints of our kernel: real connections
# between two namespaces. A short one (both ends, owners by pid, exact
# byte counts), one refused with RST, one IPv6, and a long one across a
# --filter-tcp-lifetime threshold that a short one does not pass.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
add_ipv6

tcp_line() { sub_line "$1" "$2" TCP; }
# val LINE NAME: the value of NAME=... in LINE.
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

out=$T/short.txt
start_vista "$out" --filter-trace-tcp --output-tcp --output-tuple || exit 1
# A background job's stdin is /dev/null: keep the servers' open, or they
# close their side at once.
sleep 3 | ip netns exec "$NS_B" busybox nc -l -p 8090 >"$T/got" &
srv=$!
sleep 0.3
printf 'hello vista\n' | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8090 &
cli=$!
wait "$cli"
wait "$srv"
ip netns exec "$NS_A" timeout 2 bash -c "echo >/dev/tcp/$ADDR_B/8099" \
	2>/dev/null
sleep 0.5
stop_vista INT
grep -q 'hello vista' "$T/got" && pass "12 bytes went through" ||
	fail "nc did not deliver"

c=$(grep -F -- "->$ADDR_B:8090(tcp)" "$out" | grep ' tcp_lifetime ' | head -1)
s=$(grep -F -- "$ADDR_B:8090->$ADDR_A:" "$out" | grep ' tcp_lifetime ' | head -1)
[ -n "$c" ] && pass "client side: $c" || { fail "no client event"; cat "$out"; }
[ -n "$s" ] && pass "server side: $s" || fail "no server event"
echo "$c" | grep -q "($cli)\]" && pass "client owner is nc (pid $cli)" ||
	fail "client owner: $c (want pid $cli)"
echo "$s" | grep -q "($srv)\]" && pass "server owner is the accepting nc (pid $srv)" ||
	fail "server owner: $s (want pid $srv)"
ct=$(tcp_line "$out" "$c")
st=$(tcp_line "$out" "$s")
# bytes_received counts the peer's FIN too
rx=$(val "$st" rx_bytes)
[ "$(val "$ct" tx_bytes)" = 12 ] && [ -n "$rx" ] && [ "$rx" -ge 12 ] &&
	[ "$rx" -le 13 ] &&
	pass "bytes: client sent 12, server received $rx (12 + FIN)" ||
	fail "bytes: client '$ct' / server '$st'"
lt=$(val "$ct" lifetime_ns)
[ -n "$lt" ] && [ "$lt" -gt 0 ] && [ "$lt" -lt 5000000000 ] &&
	pass "client lifetime ${lt} ns" || fail "client lifetime '$lt'"
echo "$ct" | grep -q 'states=SYN_SENT->' && echo "$st" | grep -q 'states=SYN_RECV->' &&
	pass "born SYN_SENT (client) and SYN_RECV (server)" ||
	fail "birth states: '$ct' / '$st'"
echo "$ct" | grep -q ' cc=[a-z]' && pass "congestion control named" ||
	fail "no cc in '$ct'"

r=$(grep -F -- "->$ADDR_B:8099(tcp)" "$out" | grep ' tcp_lifetime ' | head -1)
rt=$(tcp_line "$out" "$r")
[ -n "$r" ] && echo "$rt" | grep -q 'rst_recv=true' &&
	echo "$rt" | grep -q 'states=SYN_SENT->SYN_SENT' &&
	pass "refused: $rt" || { fail "refused connection: '$r' '$rt'"; }

# A server that closes with unread data resets the connection.
out=$T/rst.txt
start_vista "$out" --filter-trace-tcp --output-tcp --output-tuple || exit 1
ip netns exec "$NS_B" busybox nc -l -p 8093 -e sleep 5 &
srv=$!
sleep 0.3
(echo unread; sleep 2) | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8093 &
cli=$!
sleep 0.5
pkill -f '^sleep 5$' 2>/dev/null || kill "$srv"
wait "$cli" "$srv" 2>/dev/null
sleep 0.5
stop_vista INT
st=$(tcp_line "$out" "$ADDR_B:8093->$ADDR_A:")
ct=$(tcp_line "$out" "->$ADDR_B:8093(tcp)")
echo "$st" | grep -q 'rst_sent=true' && pass "server: $st" ||
	{ fail "no rst_sent on the server side: '$st'"; cat "$out"; }
echo "$ct" | grep -q 'rst_recv=true' && pass "client: rst_recv=true" ||
	fail "no rst_recv on the client side: '$ct'"

# IPv6, and the lifetime threshold: 1.2 s passes 1s, the quick one not.
out=$T/long.txt
start_vista "$out" --filter-trace-tcp --output-tcp --output-tuple \
	--filter-tcp-lifetime 1s || exit 1
sleep 3 | ip netns exec "$NS_B" busybox nc -l -p 8091 >/dev/null &
srv=$!
sleep 3 | ip netns exec "$NS_B" busybox nc -l -p 8092 >/dev/null &
srv2=$!
sleep 0.3
(echo long; sleep 1.2) | ip netns exec "$NS_A" busybox nc fd00:231::2 8091 &
cli=$!
echo short | ip netns exec "$NS_A" busybox nc fd00:231::2 8092
wait "$cli" "$srv" "$srv2"
sleep 0.5
stop_vista INT
l=$(grep -F -- "[fd00:231::1]:" "$out" | grep -F -- "->[fd00:231::2]:8091(tcp)" |
	grep ' tcp_lifetime ' | head -1)
[ -n "$l" ] && pass "IPv6 long connection: $l" || { fail "no IPv6 event"; cat "$out"; }
lt=$(val "$(tcp_line "$out" "$l")" lifetime_ns)
[ -n "$lt" ] && [ "$lt" -ge 1000000000 ] && [ "$lt" -lt 10000000000 ] &&
	pass "lifetime ${lt} ns >= 1s" || fail "long lifetime '$lt'"
grep -q ':8092' "$out" && fail "the short connection passed --filter-tcp-lifetime 1s" ||
	pass "the short connection is filtered out"
assert_no_leftovers
finish
