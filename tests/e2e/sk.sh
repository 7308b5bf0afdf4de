#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-sk with the sock tracepoints of our kernel: a TCP
# connection and a connected UDP socket between two namespaces, filtered
# by address, with --output-sk's SOCK: and SOCKET: lines (states, types,
# the socket's inode as /proc shows it); --filter-sk-func narrows hooks.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

out=$T/sk.txt
start_vista "$out" --filter-trace-sk --output-sk --output-tuple \
	--filter-addr "$ADDR_B" || exit 1
ip netns exec "$NS_B" busybox nc -l -p 8090 >/dev/null &
srv=$!
sleep 0.3
echo hi | ip netns exec "$NS_A" busybox nc "$ADDR_B" 8090
wait "$srv"
ip netns exec "$NS_A" bash -c "exec 3>/dev/udp/$ADDR_B/9999;
	readlink /proc/\$\$/fd/3 >'$T/udp.ino'; echo x >&3; sleep 0.2"
sleep 0.5
stop_vista INT
n=$(event_lines "$out" | wc -l)
other=$(event_lines "$out" | grep -v -e "->$ADDR_B:" -e "$ADDR_B:[0-9]*->" | head -1)
[ "$n" -gt 0 ] && [ -z "$other" ] && pass "--filter-addr on sockets: $n events" ||
	fail "--filter-addr: $n events, stray: $other"
grep -q ' inet_sock_set_state ' "$out" && pass "seen at inet_sock_set_state" ||
	{ fail "no inet_sock_set_state event"; head -20 "$out" "$out.err"; }

tcp="inet_sock_set_state .*->$ADDR_B:8090\\(tcp\\)"
s=$(sub_line "$out" "->$ADDR_B:8090(tcp)" SOCK)
echo "$s" | grep -q ' type=SOCK_STREAM ' && echo "$s" | grep -q ' family=AF_INET' &&
	pass "TCP SOCK: $s" || fail "TCP SOCK line: '$s'"
grep -A2 -E -- "$tcp" "$out" | grep -q '^SOCK: state=TCP_SYN_SENT ' &&
	pass "the client socket in SYN_SENT" || fail "no SOCK: state=TCP_SYN_SENT"
grep -A2 -E -- "$tcp" "$out" | grep -q '^SOCK: state=TCP_ESTABLISHED ' &&
	pass "the client socket ESTABLISHED" || fail "no SOCK: state=TCP_ESTABLISHED"
k=$(grep -A2 -E -- "$tcp" "$out" | grep '^SOCKET: state=SS_CONNECTED ' | head -1)
echo "$k" | grep -Eq '^SOCKET: state=SS_CONNECTED type=SOCK_STREAM flags=0x[0-9a-f]+ inode=[1-9][0-9]*$' &&
	pass "TCP, once connected: $k" || fail "no TCP SOCKET: state=SS_CONNECTED line"

udp="->$ADDR_B:9999\\(udp\\)"
ino=$(sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' "$T/udp.ino")
s=$(sub_line "$out" "->$ADDR_B:9999(udp)" SOCK)
k=$(sub_line "$out" "->$ADDR_B:9999(udp)" SOCKET)
echo "$s" | grep -q '^SOCK: state=TCP_ESTABLISHED .* type=SOCK_DGRAM ' &&
	pass "UDP $s" || { fail "UDP SOCK line: '$s'"; grep -A3 -E -- "$udp" "$out" | head; }
# connect() on UDP does not change the struct socket's state
[ -n "$ino" ] && echo "$k" | grep -q "^SOCKET: state=SS_UNCONNECTED type=SOCK_DGRAM .* inode=$ino$" &&
	pass "UDP SOCKET: inode $ino as /proc shows it" ||
	fail "UDP SOCKET line: '$k' (inode $ino)"

out=$T/func.txt
start_vista "$out" --filter-trace-sk --output-tuple --filter-addr "$ADDR_B" \
	--filter-sk-func inet_sock_set_state || exit 1
ip netns exec "$NS_A" timeout 2 bash -c "echo >/dev/tcp/$ADDR_B/8099" 2>/dev/null
sleep 0.5
stop_vista INT
funcs=$(event_lines "$out" | awk '{print $4}' | sort -u | tr '\n' ' ')
[ "$funcs" = "inet_sock_set_state " ] && pass "--filter-sk-func: only $funcs" ||
	fail "--filter-sk-func inet_sock_set_state: got '$funcs'"
# --filter-sk-mark: ping -m sets SO_MARK on its socket (66 = 0x42).
out=$T/mark.txt
start_vista "$out" --filter-trace-sk --output-sk --filter-sk-mark 0x42 || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -m 66 "$ADDR_B" >/dev/null 2>&1
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
n=$(grep -c '^SOCK: ' "$out")
other=$(grep '^SOCK: ' "$out" | grep -v ' mark=0x42 ' | head -1)
[ "$n" -gt 0 ] && [ -z "$other" ] && pass "--filter-sk-mark 0x42: $n events" ||
	fail "--filter-sk-mark: $n events, stray: $other"
assert_no_leftovers
finish
