#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 420
# Overload and output errors (tests/e2e/faults.sh on the host's
# tracepoints) through the function backends, where one packet is many
# events: for each backend the kernel has, a flood through a 64 KiB ring
# into the text sink with stacks loses events, says so while running and
# at exit, keeps memory bounded and stops soon after SIGINT. With the
# automatic backend, a full disk (text and pcapng at once) and a closed
# stdout pipe each end vista with one clear line and exit 1; the capture
# left on the full disk is read by tshark on the host
# (host-checks/faults.sh). Nothing stays attached.
. /vista/guest-lib.sh
have_kprobe_pmu || skip "no kprobes in $(uname -r)"
setup_pair
# The ping's path, both ways: a dozen events per packet. Few, because
# the kernel's detaching under emulation takes about 150 ms a function
# with fentry and 40 ms with kprobes.
funcs='ip_rcv|ip_rcv_core|ip_rcv_finish|ip_local_deliver|ip_local_deliver_finish|ip_protocol_deliver_rcu|icmp_rcv|icmp_reply|ip_send_skb|ip_local_out|__ip_local_out|ip_output|ip_finish_output|ip_finish_output2'
# What vista itself does after SIGINT (stop polling, drain the ring,
# close the sinks) takes at most a second on the host; 2 s here on an
# emulated CPU. Detaching is the kernel's: it waits for RCU grace
# periods for every kprobe and trampoline, which takes seconds under
# emulation (and 60 s is a hang).
OWN_MS=2000 TOTAL_MS=60000
FAULT_EXIT_WAIT=60
# Under emulation the floods end before SIGINT: detaching patches the
# kernel's text (ftrace call sites), and with a flood running through
# that code on the other emulated CPU the 6.12 guest oopsed twice in five
# runs, and once more when vista left on the full disk during a flood
# (an int3 at ip_rcv_core+0x1 that the kernel's text_poke handler did
# not claim; once a call to address 0). On a real CPU the kernel
# patches its text safely, and the host's faults.sh keeps its floods
# running through SIGINT.
# vista leaves on a full disk by itself, so the disk is filled by 50
# pings a second (a dozen fill it).
FLOOD_SECONDS=2 FULL_PING="-i 0.02 -c 300"
backends="kprobe fentry"
[ "$(kconfig FPROBE)" = y ] && backends="kprobe-multi kprobe fentry"
detail=
for b in $backends; do
	fault_overload "$OWN_MS" "$TOTAL_MS" 65536 --kprobe-backend "$b" \
		--filter-skb-func "$funcs"
	detail="$detail; $b: $OVERLOAD"
done

mkdir "$T/full"
mount -t tmpfs -o size=96k tmpfs "$T/full" ||
	{ fail "cannot mount a tmpfs"; finish; }
fault_full_disk "$T/full" --filter-skb-func "$funcs"
log "full disk: $(grep -o 'backend [a-z-]*' "$T/full.out.err" | head -1)"
echo "$FULL_SAID" >"$T/full.said"
export_file "$T/full/out.pcapng" full.pcapng
export_file "$T/full.said" full.said
umount "$T/full"
assert_no_leftovers

fault_closed_pipe --filter-skb-func "$funcs"
finish "${detail#; }"
