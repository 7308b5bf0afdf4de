#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 300
# Without tracefs, ftrace's list of traceable functions is unknown. vista
# runs in a mount namespace of its own where /sys/kernel is a tmpfs that
# holds only the BTF: tracefs is not there and cannot be mounted (the
# mount point is missing), while the checks outside still read it.
# - vista says so in one warning with the command that mounts it;
# - fentry attaches anyway (one program per function: one that cannot be
#   hooked is skipped);
# - automatic choice takes kprobes, not kprobe-multi, whose one link per
#   argument position would fail whole on one function ftrace cannot
#   hook; forcing kprobe-multi is refused in one line, exit 1;
# - a forced kprobe needs no tracefs and does not mention it.
# Where tracefs is only not mounted, vista mounts it in its namespace and
# unmounts it at exit. Nothing is left behind.
. /vista/guest-lib.sh
setup_pair

# wrapper FILE SETUP: a vista that runs in a mount namespace of its own,
# kept at $T/ns while it lives, after the shell commands SETUP. unshare
# execs, so the pid start_vista signals is vista's.
REAL_VISTA=$VISTA
mkdir -p "$T/btf"
: >"$T/ns"
wrapper() {
	{
		echo '#!/bin/sh'
		echo "exec unshare --mount=$T/ns --propagation private sh -ec '$2"
		echo "	exec \"\$0\" \"\$@\"' $REAL_VISTA \"\$@\""
	} >"$1"
	chmod 0755 "$1"
}
# /sys/kernel a tmpfs holding only the BTF: no tracefs, no mount point.
wrapper "$T/vista-without-tracefs" "
	mount --bind /sys/kernel/btf $T/btf
	mount -t tmpfs -o size=64k vista-hide /sys/kernel
	mkdir /sys/kernel/btf
	mount --move $T/btf /sys/kernel/btf"
# tracefs unmounted (and debugfs, which would mount it on a look).
wrapper "$T/vista-tracefs-unmounted" "
	umount -l /sys/kernel/debug
	umount -l /sys/kernel/tracing"
VISTA=$T/vista-without-tracefs
tracefs_mounts() { grep -c ' tracefs ' /proc/mounts; }
warning="tracefs is not mounted and mounting it failed (No such file or directory): mount it with 'mount -t tracefs nodev /sys/kernel/tracing'"

# run NAME WANT_BACKEND WANT_WARNING ARGS...: trace a ping without
# tracefs; the request's ip_rcv must show.
run() {
	local name=$1 want=$2 warn=$3 out=$T/$1.txt req mounts
	shift 3
	mounts=$(tracefs_mounts)
	start_vista "$out" --filter-trace-skb --output-tuple \
		--filter-addr "$ADDR_B" "$@" ||
		{ fail "$name: vista did not start"; cat "$out.err"; }
	if [ -n "$VISTA_PID" ]; then
		ip netns exec "$NS_A" ping -c 1 -W 1 -e 4667 "$ADDR_B" \
			>/dev/null 2>&1
		sleep 1
		stop_vista INT || fail "$name: exit $? after SIGINT"
	fi
	grep -q "backend $want: " "$out.err" &&
		pass "$name: $(grep -o "backend $want: .*" "$out.err")" ||
		fail "$name: want backend $want: $(grep backend "$out.err")"
	if [ "$warn" = yes ]; then
		[ "$(grep -cF "warning: $warning" "$out.err")" = 1 ] &&
			pass "$name: one warning about tracefs" ||
			fail "$name: want one tracefs warning: $(grep tracefs "$out.err")"
	else
		grep -q tracefs "$out.err" &&
			fail "$name: tracefs mentioned: $(grep tracefs "$out.err")" ||
			pass "$name: tracefs not mentioned"
	fi
	req="$ADDR_A->$ADDR_B(icmp request id=4667 seq=1)"
	grep -F "$req" "$out" | grep -q ' ip_rcv ' &&
		pass "$name: the ping's ip_rcv" ||
		{ fail "$name: no ip_rcv for the ping"; cat "$out.err"; }
	[ "$(tracefs_mounts)" = "$mounts" ] &&
		pass "$name: no tracefs mount added" ||
		fail "$name: tracefs mounts $mounts before, $(tracefs_mounts) after"
	umount "$T/ns" 2>/dev/null
	assert_no_leftovers
	detail="$detail; $name: $(grep -o 'attached [0-9]* of [0-9]*' "$out.err" | head -1)"
}

detail=
# Few functions: fentry, one program each.
run fentry fentry yes --filter-skb-func 'ip_rcv|ip_rcv_core|icmp_rcv'
if [ "$(kconfig FPROBE)" = y ]; then
	# Many functions: kprobes, and the reason says why not kprobe-multi.
	run auto kprobe yes --filter-skb-func '(ip|ip6|ipv6|icmp|icmpv6)_.*'
	grep -q "backend kprobe: kprobe-multi needs the list of traceable functions in tracefs" \
		"$T/auto.txt.err" && pass "the reason names tracefs" ||
		fail "reason: $(grep backend "$T/auto.txt.err")"
	# Forced kprobe-multi: refused in one line.
	leftover_baseline
	"$VISTA" --filter-trace-skb --kprobe-backend kprobe-multi \
		>"$T/km" 2>"$T/km.err"
	rc=$?
	umount "$T/ns" 2>/dev/null
	[ "$rc" = 1 ] && pass "kprobe-multi forced: exit 1" ||
		fail "kprobe-multi forced: exit $rc, want 1"
	want="vista: --kprobe-backend kprobe-multi: ftrace's list of traceable functions (tracefs) is not readable, and one function ftrace cannot hook would fail the whole link: mount tracefs, or use --kprobe-backend kprobe"
	grep -qxF "$want" "$T/km.err" && pass "$want" ||
		fail "kprobe-multi forced: $(cat "$T/km.err")"
	[ "$(grep -vc 'warning: ' "$T/km.err")" = 1 ] &&
		pass "one error line" ||
		fail "more than one error line: $(cat "$T/km.err")"
	assert_no_leftovers
fi
run kprobe kprobe no --kprobe-backend kprobe --filter-skb-func ip_rcv

# Not mounted, but mountable: vista mounts tracefs, uses it (kprobe-multi
# by address where the kernel has it) and unmounts it at exit.
VISTA=$T/vista-tracefs-unmounted
start_vista "$T/mount.txt" --filter-trace-skb --output-tuple \
	--filter-addr "$ADDR_B" --filter-skb-func '(ip|ip6|ipv6|icmp|icmpv6)_.*' ||
	{ fail "mount: vista did not start"; cat "$T/mount.txt.err"; finish; }
inside=$(nsenter --mount="$T/ns" grep ' tracefs ' /proc/mounts)
[ "$(echo "$inside" | awk '$3 == "tracefs" { print $2 }')" = /sys/kernel/tracing ] &&
	pass "mount: vista mounted tracefs on /sys/kernel/tracing" ||
	fail "mount: tracefs in vista's namespace: '$inside'"
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4668 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "mount: exit $? after SIGINT"
inside=$(nsenter --mount="$T/ns" grep -c ' tracefs ' /proc/mounts)
[ "$inside" = 0 ] && pass "mount: unmounted at exit" ||
	fail "mount: $inside tracefs mounts left in vista's namespace"
umount "$T/ns"
grep -q tracefs "$T/mount.txt.err" &&
	fail "mount: tracefs mentioned: $(grep tracefs "$T/mount.txt.err")" ||
	pass "mount: no word about tracefs"
grep -F "$ADDR_A->$ADDR_B(icmp request id=4668 seq=1)" "$T/mount.txt" |
	grep -q ' ip_rcv ' && pass "mount: the ping's ip_rcv" ||
	fail "mount: no ip_rcv for the ping"
assert_no_leftovers
detail="$detail; mount: $(grep -o 'backend [a-z-]*' "$T/mount.txt.err" | head -1)"
finish "${detail#; }"
