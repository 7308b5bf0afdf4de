#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 420
# --filter-trace-iptables. With fentry/fexit, kprobe/kretprobe and (6.12)
# the kprobe-multi backend: nft_do_chain names the table, base chain,
# hook and verdict of every chain a packet runs: the echo request
# DROPped by B's filter INPUT (iptables-nft), the reply to B's own ping
# ACCEPTed there; the same drop by iptables-legacy through ipt_do_table.
# Forced onto tracepoints: BPF netfilter links name the drop's table,
# chain and hook on 6.4+ (6.12); before 6.4 (6.1) vista says the kernel
# has no netfilter programs, exit 1. Nothing left behind.
. /vista/guest-lib.sh
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" \
	-m icmp --icmp-type echo-request -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }
ipt() { sub_line "$1" "$2" IPTABLES; }

# Every backend that hooks functions: fentry/fexit, kprobe/kretprobe
# (paired per task, not by stack pointer), kprobe-multi where the kernel
# has it (it uses kprobe/kretprobe too).
modes="fentry kprobe"
[ "$(kconfig FPROBE)" = y ] && modes="$modes kprobe-multi"
mech() {
	case $1 in
	fentry) echo "fentry/fexit" ;;
	*) echo "kprobe/kretprobe" ;;
	esac
}

id=4700
for m in $modes; do
	id=$((id + 2))
	out=$T/nft-$m.txt
	start_vista "$out" --filter-trace-iptables --output-iptables \
		--output-tuple --kprobe-backend "$m" icmp ||
		{ fail "$m: vista did not start"; continue; }
	ip netns exec "$NS_A" ping -c 1 -W 1 -e "$id" "$ADDR_B" >/dev/null 2>&1
	ip netns exec "$NS_B" ping -c 1 -W 1 -e "$((id + 1))" "$ADDR_A" >/dev/null 2>&1
	sleep 1
	stop_vista INT || fail "$m: exit $? after SIGINT"
	grep -q "netfilter: $(mech "$m") on nft_do_chain" "$out.err" &&
		pass "$m: $(mech "$m") on nft_do_chain" ||
		fail "$m: mechanism: $(grep netfilter "$out.err")"
	d=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp request id=$id seq=1)")
	echo "$d" | grep -Eq '^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=DROP cost_ns=[1-9][0-9]*$' &&
		pass "$m: drop: $d" ||
		{ fail "$m: no filter/INPUT DROP: '$d'"; cat "$out" "$out.err"; }
	a=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp reply id=$((id + 1)) seq=1)")
	echo "$a" | grep -Eq '^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=ACCEPT cost_ns=[1-9][0-9]*$' &&
		pass "$m: accept: $a" || fail "$m: no ACCEPT of the reply: '$a'"
	grep ' nft_do_chain ' "$out" | grep -q "id=$id" &&
		pass "$m: FUNC is nft_do_chain" || fail "$m: no nft_do_chain line"
	assert_no_leftovers
done

# iptables-legacy: ipt_do_table, its argument order read from BTF.
ip netns exec "$NS_B" iptables -F INPUT
ip netns exec "$NS_B" iptables-legacy -A INPUT -p icmp -s "$ADDR_A" \
	-m icmp --icmp-type echo-request -j DROP ||
	{ fail "cannot add the iptables-legacy rule"; finish; }
for m in $modes; do
	id=$((id + 1))
	out=$T/legacy-$m.txt
	start_vista "$out" --filter-trace-iptables --output-iptables \
		--output-tuple --kprobe-backend "$m" icmp ||
		{ fail "$m: vista did not start"; continue; }
	ip netns exec "$NS_A" ping -c 1 -W 1 -e "$id" "$ADDR_B" >/dev/null 2>&1
	sleep 1
	stop_vista INT || fail "$m: exit $? after SIGINT"
	l=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp request id=$id seq=1)")
	grep ' ipt_do_table ' "$out" | grep -q "id=$id" &&
		echo "$l" | grep -Eq '^IPTABLES: pf=PF_INET table=filter hook=INPUT verdict=DROP cost_ns=[1-9][0-9]*$' &&
		pass "$m: legacy: $l" ||
		{ fail "$m: no ipt_do_table DROP: '$l'"; cat "$out" "$out.err"; }
	assert_no_leftovers
done
ip netns exec "$NS_B" iptables-legacy -F INPUT
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" \
	-m icmp --icmp-type echo-request -j DROP

major=$(uname -r | cut -d. -f1)
minor=$(uname -r | cut -d. -f2)
if [ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 4 ]; }; then
	"$VISTA" --filter-trace-iptables --kprobe-backend tracepoint \
		>"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 1 ] && pass "tracepoints only: exit 1" || fail "exit $rc, want 1"
	grep -q 'netfilter programs need Linux 6.4' "$T/err" &&
		pass "$(grep -m1 'iptables' "$T/err")" ||
		fail "unclear refusal: $(cat "$T/err")"
else
	out=$T/nf.txt
	start_vista "$out" --filter-trace-iptables --output-iptables \
		--output-tuple --kprobe-backend tracepoint icmp ||
		{ fail "vista did not start"; finish; }
	ip netns exec "$NS_A" ping -c 1 -W 1 -e 4685 "$ADDR_B" >/dev/null 2>&1
	ip netns exec "$NS_B" ping -c 1 -W 1 -e 4699 "$ADDR_A" >/dev/null 2>&1
	sleep 1
	stop_vista INT || fail "exit $? after SIGINT"
	# B has iptables-nft's filter/INPUT and iptables-legacy's filter.
	i=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp request id=4685 seq=1)")
	echo "$i" | grep -Eq '^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=DROP cost_ns=[1-9][0-9]*$' &&
		pass "netfilter links: $i" ||
		{ fail "no filter/INPUT drop: '$i'"; cat "$out" "$out.err"; }
	i=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp reply id=4699 seq=1)")
	echo "$i" | grep -Eq '^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=ACCEPT cost_ns=[1-9][0-9]*$' &&
		pass "netfilter links: $i" ||
		{ fail "no filter/INPUT accept: '$i'"; cat "$out" "$out.err"; }
fi
assert_no_leftovers
finish "$CHECKS checks"
