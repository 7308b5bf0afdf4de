#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# The host drops test (tests/e2e/drops.sh) on this kernel, through the
# tracepoint backend: an iptables DROP in one namespace, a ping from the
# other, and vista's drop line with its reason, tuple, netns, interface,
# and the stack through nf_hook_slow; nothing left behind.
. /vista/guest-lib.sh
setup_pair

ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }

out=$T/drops.txt
start_vista "$out" --profile "$VISTA_PROFILES/drops.ini" \
	--kprobe-backend tracepoint || { fail "vista did not start"; finish; }
# id 4660 = 0x1234: printed byte-swapped it would read 13330.
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4660 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT
rc=$?

[ "$rc" = 0 ] && pass "exit 0 after SIGINT" || fail "exit code $rc after SIGINT"
check_ping_drop "$out"
assert_no_leftovers
finish "$(echo "$DROP" | grep -o 'kfree_skb([A-Z_]*)') $ADDR_A->$ADDR_B, $CHECKS checks"
