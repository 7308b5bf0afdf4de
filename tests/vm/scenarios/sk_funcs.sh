#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# --filter-trace-sk through every function backend the kernel has: a TCP
# connection between two namespaces shows tcp_v4_connect (the client's
# socket, still closed, not yet connected) and inet_csk_accept (the
# listener: TCP_LISTEN with its backlog limit), with --output-sk's SOCK:
# and SOCKET: fields; nothing left behind.
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
setup_pair
backends="kprobe fentry"
[ "$(kconfig FPROBE)" = y ] && backends="kprobe kprobe-multi fentry"

for b in $backends; do
	out=$T/$b.txt
	start_vista "$out" --kprobe-backend "$b" --filter-trace-sk \
		--output-sk --output-tuple \
		--filter-sk-func 'tcp_v4_connect|inet_csk_accept' ||
		{ fail "$b: vista did not start"; continue; }
	sleep 5 | ip netns exec "$NS_B" busybox nc -l -p 8090 >/dev/null &
	srv=$!
	sleep 0.5
	echo hi | ip netns exec "$NS_A" timeout 5 busybox nc "$ADDR_B" 8090
	wait "$srv"
	sleep 1
	stop_vista INT || fail "$b: exit $? after SIGINT"
	c=$(sub_line "$out" " tcp_v4_connect " SOCK)
	echo "$c" | grep -Eq '^SOCK: state=TCP_CLOSE .* type=SOCK_STREAM family=AF_INET$' &&
		pass "$b: tcp_v4_connect $c" ||
		{ fail "$b: tcp_v4_connect SOCK: '$c'"; cat "$out"; }
	k=$(sub_line "$out" " tcp_v4_connect " SOCKET)
	echo "$k" | grep -Eq '^SOCKET: state=SS_UNCONNECTED type=SOCK_STREAM flags=0x[0-9a-f]+ inode=[1-9][0-9]*$' &&
		pass "$b: $k" || fail "$b: tcp_v4_connect SOCKET: '$k'"
	a=$(sub_line "$out" " inet_csk_accept " SOCK)
	echo "$a" | grep -Eq '^SOCK: state=TCP_LISTEN .* max_backlog=[1-9][0-9]* .* type=SOCK_STREAM family=AF_INET6?$' &&
		pass "$b: inet_csk_accept $a" ||
		{ fail "$b: inet_csk_accept SOCK: '$a'"; cat "$out"; }
	assert_no_leftovers
done
finish "$backends: $CHECKS checks"
