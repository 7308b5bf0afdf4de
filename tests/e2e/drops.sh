#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# vista --profile drops.ini shows a real iptables drop: the reason, the
# tuple as on the wire, the interface and netns, and the stack.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
ping_drop "$T/drops.txt" --profile "$SRCDIR/profiles/drops.ini"
finish
