#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# On the host, after the guest's faults scenario passed: tshark reads the
# capture vista left on the full disk (DIR/full.pcapng) without a
# warning, and it holds as many packets as vista said (DIR/full.said).
#
#   tests/vm/host-checks/faults.sh DIR
set -u
d=$1
command -v tshark >/dev/null || { echo "FAIL: no tshark (apt-get install tshark)"; exit 1; }
[ -s "$d/full.pcapng" ] || { echo "FAIL: no $d/full.pcapng"; exit 1; }
n=$(tshark -r "$d/full.pcapng" -T fields -e frame.number 2>"$d/tshark.err" |
	wc -l)
if grep -v 'Running as user "root"' "$d/tshark.err" | grep -q .; then
	echo "FAIL: tshark complains: $(cat "$d/tshark.err")"
	exit 1
fi
said=$(cat "$d/full.said" 2>/dev/null)
if [ "$n" -gt 0 ] && [ "$n" = "$said" ]; then
	echo "ok: the full disk's capture reads cleanly, $n packets as said"
else
	echo "FAIL: the full disk's capture: $n packets read, vista said '$said'"
	exit 1
fi
