#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 400
# The full set: every skb function, auto-detected backend. The choice is
# the documented one for this kernel (kprobe-multi with fprobe, else
# kprobe: for ~1,500 functions kprobes attach and detach faster than fentry
# trampolines), a ping's path shows, and detaching leaves nothing behind. The
# detail reports the start-up and attach times.
. /vista/guest-lib.sh
setup_pair
if [ "$(kconfig FPROBE)" = y ]; then want=kprobe-multi; else want=kprobe; fi
out=$T/all.txt
START_TIMEOUT=300
t0=$(cut -d' ' -f1 /proc/uptime)
start_vista "$out" --filter-trace-skb --output-tuple --filter-addr "$ADDR_B" ||
	{ fail "vista did not start"; finish; }
t1=$(cut -d' ' -f1 /proc/uptime)
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4666 "$ADDR_B" >/dev/null 2>&1
sleep 1
t2=$(cut -d' ' -f1 /proc/uptime)
stop_vista INT || fail "exit $?"
t3=$(cut -d' ' -f1 /proc/uptime)
grep -q "backend $want: " "$out.err" && pass "auto chose $want" ||
	fail "auto: want $want: $(grep backend "$out.err")"
req="$ADDR_A->$ADDR_B(icmp request id=4666 seq=1)"
for f in ip_rcv icmp_rcv; do
	grep -F "$req" "$out" | grep -q " $f " && pass "$f seen" ||
		{ fail "$f not seen"; cat "$out.err"; grep -F "$req" "$out" |
			awk '{print $4}' | tr '\n' ' '; echo; }
done
assert_no_leftovers
att=$(grep -o "attached [0-9]* of .*" "$out.err")
finish "$want: $att; listening after $(awk "BEGIN{print $t1 - $t0}")s, stopping took $(awk "BEGIN{print $t3 - $t2}")s"
