#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
# --filter-trace-iptables with BPF netfilter links: on 6.4+ (6.12) an
# iptables DROP in B's filter INPUT is named with its family, table and
# hook; before 6.4 (6.1) the kernel has no netfilter programs and vista
# says so in one line, exit 1, nothing left behind.
. /vista/guest-lib.sh
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	{ fail "cannot add the iptables rule"; finish; }
major=$(uname -r | cut -d. -f1)
minor=$(uname -r | cut -d. -f2)
if [ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 4 ]; }; then
	"$VISTA" --filter-trace-iptables --output-iptables >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = 1 ] && pass "exit 1" || fail "exit $rc, want 1"
	grep -q 'netfilter programs need Linux 6.4' "$T/err" &&
		pass "$(grep -m1 'iptables' "$T/err")" ||
		fail "unclear refusal: $(cat "$T/err")"
	assert_no_leftovers
	finish "refused clearly on $(uname -r)"
fi
out=$T/nf.txt
start_vista "$out" --filter-trace-iptables --output-iptables --output-tuple icmp ||
	{ fail "vista did not start"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4685 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "exit $? after SIGINT"
i=$(awk -v a="$ADDR_A->$ADDR_B(icmp request id=4685 seq=1)" \
	'index($0, a) && /^ *0x/ { getline; print; exit }' "$out")
echo "$i" | grep -q '^IPTABLES: pf=PF_INET table=filter hook=INPUT verdict=DROP ' &&
	pass "$i" || { fail "no filter/INPUT drop: '$i'"; cat "$out" "$out.err"; }
assert_no_leftovers
finish "$i"
