#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# vista --profile drops.ini shows a real iptables drop: the reason, the
# tuple as on the wire, the interface and netns, and the stack.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	{ echo "FAIL: cannot add the iptables rule"; exit 1; }

out=$T/drops.txt
start_vista "$out" --profile "$SRCDIR/profiles/drops.ini" || exit 1
# id 4660 = 0x1234: printed byte-swapped it would read 13330.
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4660 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT; rc=$?

[ "$rc" = 0 ] && pass "exit 0 after SIGINT" || fail "exit code $rc after SIGINT"
check_ping_drop "$out"
assert_no_leftovers
finish
