#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# The host drops test (tests/e2e/drops.sh) on this kernel, through the
# tracepoint backend: an iptables DROP in one namespace, a ping from the
# other, and vista's drop line with its reason, tuple, netns, interface,
# and the stack through nf_hook_slow; nothing left behind.
. /vista/guest-lib.sh
setup_pair
ping_drop "$T/drops.txt" --profile "$VISTA_PROFILES/drops.ini" \
	--kprobe-backend tracepoint || finish
finish "$(echo "$DROP" | grep -o 'kfree_skb([A-Z_]*)') $ADDR_A->$ADDR_B, $CHECKS checks"
