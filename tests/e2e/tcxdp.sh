#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-tc / --filter-trace-xdp on our kernel, which refuses
# fentry/fexit (the VM tier traces programs: tests/vm/scenarios/tcxdp.sh).
# With a TC program loaded on a veth in a netns, vista names the missing
# mechanism in one line and exits 1, after warning about the program it
# could not trace anyway (no BTF), with no column header on stdout and
# nothing left behind. With no XDP program loaded, it says so, exit 1.
. "$(dirname "$0")/lib.sh"
need_root
command -v tc >/dev/null || setup_failed "no tc (apt-get install iproute2)"
F=${VISTA_TCXDP_FIXTURES:-}
[ -f "$F/tc_icmp_drop.bpf.o" ] ||
	setup_failed "no TC program in '$F' (make check builds it)"
setup_pair
tc -n "$NS_B" qdisc add dev vb clsact &&
	tc -n "$NS_B" filter add dev vb ingress bpf da \
		obj "$F/tc_icmp_drop.bpf.o" sec tc ||
	setup_failed "cannot load the TC program"
ip -n "$NS_A" link add d0 type veth peer name d1 &&
	tc -n "$NS_A" qdisc add dev d0 clsact &&
	tc -n "$NS_A" filter add dev d0 ingress bpf da \
		obj "$F/tc_icmp_drop_nobtf.bpf.o" sec tc ||
	setup_failed "cannot load the TC program without BTF"
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1 &&
	setup_failed "the TC program does not drop ICMP"

# run ARGS...: vista in the foreground (10 s at most); sets RC.
run() {
	leftover_baseline
	log "vista $*"
	timeout -s INT 10 "$VISTA" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	sed 's/^/# | /' "$T/err"
}

run --filter-trace-tc --filter-trace-xdp icmp
if [ "$RC" = 0 ] || [ "$RC" = 124 ]; then
	echo "SKIP: this kernel runs fentry programs: the VM tier covers them"
	exit 77
fi
[ "$RC" = 1 ] && pass "exit 1" || fail "exit $RC, not 1"
grep -qx 'vista: tcxdp: this kernel refuses fentry/fexit programs (EPERM): tracing TC or XDP programs needs them (BPF trampolines, Linux 5.5+)' "$T/err" &&
	pass "the refusal, in one line" || fail "no refusal line"
grep -Eq '^vista: warning: tcxdp: 1 TC or XDP program without BTF cannot be traced: ([^ ]+, )*test_tc_icmp_dr\(id [0-9]+\)' "$T/err" &&
	pass "the program without BTF is named" ||
	fail "no warning naming test_tc_icmp_dr"
n=$(grep -cv '^vista: pcap-filter: icmp$' "$T/err")
[ "$n" = 2 ] && pass "no other line on stderr" || fail "$n lines on stderr"
[ ! -s "$T/out" ] && pass "nothing on stdout" ||
	fail "stdout: $(head -2 "$T/out")"
assert_no_leftovers

# The same refusal for skb functions by fentry, asked for by name.
run --filter-trace-skb --kprobe-backend fentry
[ "$RC" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	grep -qx 'vista: --kprobe-backend fentry: this kernel cannot: Operation not permitted' "$T/err" &&
	pass "--kprobe-backend fentry: exit 1, one line" ||
	fail "--kprobe-backend fentry: exit $RC: $(cat "$T/err")"
assert_no_leftovers

# No XDP program anywhere: nothing to trace.
n=$(bpftool -j prog show 2>/dev/null | jq '[.[] | select(.type == "xdp")] | length')
if [ "$n" = 0 ]; then
	run --filter-trace-xdp
	[ "$RC" = 1 ] &&
		grep -qx 'vista: tcxdp: no XDP program with BTF is loaded: nothing to trace' "$T/err" &&
		pass "no XDP program: said, exit 1" ||
		fail "no XDP program: exit $RC: $(cat "$T/err")"
else
	log "$n XDP programs are loaded here: the 'none loaded' case is not checked"
fi
finish
