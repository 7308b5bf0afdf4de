# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the VM scenarios (sourced by tests/vm/scenarios/*.sh inside
# the guest, under bash; never run on the host). The shape follows
# tests/e2e/lib.sh: a namespace pair joined by a veth, vista in the
# background, output parsed and asserted, nothing of vista left behind.
#
# A scenario ends with finish (PASS if no check failed, else FAIL with the
# first failure), or with skip REASON. /init prints the one VISTA-RESULT
# line from what these write to $VISTA_RESULT_FILE.

set -u
. /vista/env	# VISTA, VISTA_PROFILES, VISTA_KVER

SCENARIO=${VISTA_SCENARIO:-$(basename "$0" .sh)}
RESULT_FILE=${VISTA_RESULT_FILE:-/run/vista-result}
T=$(mktemp -d /tmp/vista-vm.XXXXXX)
NS_A=vista-a
NS_B=vista-b
ADDR_A=10.231.1.1
ADDR_B=10.231.1.2
VISTA_PID=
FAILS=0
FIRST_FAIL=
CHECKS=0
# vista parses BTF and loads programs on an emulated CPU: give it time.
START_TIMEOUT=${VISTA_START_TIMEOUT:-90}

log() { echo "# $*"; }
pass() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	[ -n "$FIRST_FAIL" ] || FIRST_FAIL=$*
	echo "FAIL: $*"
}

. /vista/vista-lib.sh

# result STATUS DETAIL...: the scenario's one result (the first one wins).
result() {
	local st=$1 d
	shift
	[ -s "$RESULT_FILE" ] && return 0
	d=$(echo "$*" | tr -s '\n\t\r ' ' ' | cut -c1-400)
	echo "$st ${d% }" >"$RESULT_FILE"
}

skip() {
	echo "SKIP: $*"
	result SKIP "$*"
	exit 0
}

# finish [DETAIL]: PASS with DETAIL (default: the number of checks), or
# FAIL with the first failure.
finish() {
	if [ "$FAILS" -gt 0 ]; then
		local more=
		[ "$FAILS" -gt 1 ] && more="(and $((FAILS - 1)) more)"
		result FAIL "$FIRST_FAIL" $more
		exit 1
	fi
	result PASS "${1:-$CHECKS checks}"
	exit 0
}

# setup_pair (tests/vista-lib.sh) gives up through this.
setup_failed() {
	fail "$*"
	finish
}

# kconfig NAME: y, m or n for CONFIG_NAME of the running kernel.
kconfig() {
	local v
	if [ -r /proc/config.gz ]; then
		v=$(zcat /proc/config.gz | sed -n "s/^CONFIG_$1=//p")
	else
		v=$(sed -n "s/^CONFIG_$1=//p" "/boot/config-$(uname -r)" \
			2>/dev/null)
	fi
	echo "${v:-n}"
}

# export_file FILE NAME: hand FILE to the host as NAME, base64 on the
# markers' port; tests/vm/run.sh decodes it and runs the scenario's host
# check (tests/vm/host-checks/SCENARIO.sh) on it, with the host's tools.
export_file() {
	{
		echo "VISTA-FILE-BEGIN $SCENARIO $2"
		base64 "$1" | sed "s/^/VISTA-FILE $SCENARIO $2 /"
		echo "VISTA-FILE-END $SCENARIO $2"
	} >/dev/ttyS1
}

have_kprobe_pmu() { [ -d /sys/bus/event_source/devices/kprobe ]; }
have_module_btf() { [ -n "$(ls /sys/kernel/btf | grep -v '^vmlinux$')" ]; }

log "scenario $SCENARIO on $(uname -r)"

# backend_path BACKEND: ICMP across the veth through BACKEND (forced):
# ip_rcv, ip_local_deliver and icmp_rcv in that order with the request's
# tuple; then an iptables DROP, reported through the kernel's drop
# function with its reason; nothing left behind.
backend_path() {
	local b=$1 out req drop fn n1 n2 n3
	setup_pair
	out=$T/path.txt
	start_vista "$out" --filter-trace-skb --output-tuple --output-meta \
		--kprobe-backend "$b" --filter-addr "$ADDR_B" \
		--filter-skb-func 'ip_rcv|ip_local_deliver|icmp_rcv|sk_skb_reason_drop|kfree_skb_reason' ||
		{ fail "vista did not start with --kprobe-backend $b"; finish; }
	ip netns exec "$NS_A" ping -c 1 -W 1 -e 4663 "$ADDR_B" >/dev/null 2>&1
	ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP
	ip netns exec "$NS_A" ping -c 1 -W 1 -e 4664 "$ADDR_B" >/dev/null 2>&1
	sleep 1
	stop_vista INT || fail "exit code $? after SIGINT"

	grep -q "backend $b: forced by --kprobe-backend" "$out.err" &&
		pass "backend $b announced" ||
		fail "no 'backend $b' line: $(head -3 "$out.err")"
	req="$ADDR_A->$ADDR_B(icmp request id=4663 seq=1)"
	n1=$(grep -nF "$req" "$out" | grep -m1 ' ip_rcv ' | cut -d: -f1)
	n2=$(grep -nF "$req" "$out" | grep -m1 ' ip_local_deliver ' | cut -d: -f1)
	n3=$(grep -nF "$req" "$out" | grep -m1 ' icmp_rcv ' | cut -d: -f1)
	if [ -n "$n1" ] && [ -n "$n2" ] && [ -n "$n3" ] &&
	   [ "$n1" -lt "$n2" ] && [ "$n2" -lt "$n3" ]; then
		pass "ip_rcv < ip_local_deliver < icmp_rcv (lines $n1 $n2 $n3)"
	else
		fail "$b: ip_rcv/ip_local_deliver/icmp_rcv not in order ($n1 $n2 $n3)"
		head -20 "$out" "$out.err"
	fi
	grep -F "$req" "$out" | grep ' ip_rcv ' |
		grep -q " iface=$IFINDEX_B(vb) " && pass "ip_rcv on vb" ||
		fail "ip_rcv not on iface $IFINDEX_B(vb)"
	drop=$(grep -F "$ADDR_A->$ADDR_B(icmp request id=4664 seq=1)" "$out" |
		grep -E ' (sk_skb_reason_drop|kfree_skb_reason)\(SKB_DROP_REASON_NETFILTER_DROP\) ' |
		head -1)
	fn=$(echo "$drop" | grep -oE '(sk_skb_reason_drop|kfree_skb_reason)' | head -1)
	[ -n "$drop" ] && pass "drop through $fn with its reason" ||
		{ fail "$b: no NETFILTER_DROP line from the drop function"; cat "$out" "$out.err"; }
	grep -q "drops: .* $fn, with reasons" "$out.err" &&
		pass "$(grep -o 'drops: .*' "$out.err")" ||
		fail "no drops mechanism line"
	bad=$(event_lines "$out" | awk '$4 !~ /^(ip_rcv|ip_local_deliver|icmp_rcv|sk_skb_reason_drop\(|kfree_skb_reason\()/' | head -1)
	[ -z "$bad" ] && pass "only the filtered functions" || fail "stray: $bad"
	assert_no_leftovers
	finish "$b: $(grep -o 'attached .*' "$out.err" | head -1); $fn"
}
