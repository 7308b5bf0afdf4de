#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 360
# --filter-trace-tc and --filter-trace-xdp (fentry/fexit on BPF programs):
# on B's veth, an XDP program that passes everything and a TC ingress
# program that drops ICMP. A ping from A is seen four times, in order:
# at the XDP program's entry and exit (XDP_PASS), at the TC program's
# entry and exit (TC_ACT_SHOT), each named from BTF (the TC program's
# name is longer than bpf_prog_info keeps), on vb in B's netns with the
# request's tuple. A TC program without BTF is skipped with a warning.
# The pcapng capture goes to the host (tests/vm/host-checks/tcxdp.sh):
# tshark reads verdicts, queue, direction, packet ids, names, bytes.
# --pcap-mode exit writes only the exits; the shipped tcxdp-pcap profile
# by name does the same as the flags; JSON carries the program's id,
# point, verdict and run time; a filter that matches nothing
# gives no event; the skb the TC program shot is the one the kernel drops
# next (with --filter-skb-drop-stack); with two programs of one name,
# each is named name#id. Nothing left behind.
. /vista/guest-lib.sh
F=/vista/bpf
PAYLOAD=5649535441	# "VISTA", repeated by ping -p
setup_pair
tc -n "$NS_B" qdisc add dev vb clsact &&
	tc -n "$NS_B" filter add dev vb ingress bpf da \
		obj "$F/tc_icmp_drop.bpf.o" sec tc ||
	setup_failed "cannot load the TC program"
ip -n "$NS_B" link set dev vb xdp obj "$F/xdp_pass.bpf.o" sec xdp ||
	setup_failed "cannot load the XDP program"
# The same TC program without BTF, on a veth inside A (no traffic).
ip -n "$NS_A" link add d0 type veth peer name d1 && ip -n "$NS_A" link set d0 up &&
	tc -n "$NS_A" qdisc add dev d0 clsact &&
	tc -n "$NS_A" filter add dev d0 ingress bpf da \
		obj "$F/tc_icmp_drop_nobtf.bpf.o" sec tc ||
	setup_failed "cannot load the TC program without BTF"
TC_ID=$(tc -n "$NS_B" filter show dev vb ingress |
	sed -n 's/.* id \([0-9][0-9]*\) .*/\1/p' | head -1)
log "TC program id ${TC_ID:-?}"

# The program tokens of the lines with the request id=ID, in order.
funcs() {
	grep -F "$ADDR_A->$ADDR_B(icmp request id=$2 seq=1)" "$1" |
		grep -oE ' test_[a-z_]+(#[0-9]+)?\((tc|xdp)\)(=[A-Z_]+)? ' |
		tr -d ' ' | tr '\n' ' '
}

out=$T/tcxdp.txt
cap=$T/tcxdp.pcapng
start_vista "$out" --filter-trace-tc --filter-trace-xdp --output-meta \
	--output-tuple --pcap-file "$cap" icmp ||
	{ fail "vista did not start"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -p "$PAYLOAD" -e 4801 "$ADDR_B" \
	>/dev/null 2>&1 && fail "the ping went through the TC program"
sleep 1
stop_vista INT || fail "exit $? after SIGINT"
grep -q 'fentry/fexit on 1 TC and 1 XDP programs' "$out.err" &&
	pass "$(grep -o 'fentry/fexit on .*' "$out.err")" ||
	fail "attach line: $(cat "$out.err")"
grep -q '1 TC or XDP program without BTF cannot be traced: test_tc_icmp_dr(id [0-9]*)' \
	"$out.err" && pass "the program without BTF: skipped, named" ||
	fail "no warning for the program without BTF: $(cat "$out.err")"
grep -F 'id=4801 seq=1)' "$out" | sed 's/^/# | /'
f=$(funcs "$out" 4801)
[ "$f" = "test_xdp_pass(xdp) test_xdp_pass(xdp)=XDP_PASS test_tc_icmp_drop(tc) test_tc_icmp_drop(tc)=TC_ACT_SHOT " ] &&
	pass "in order: $f" || { fail "points: '$f'"; cat "$out" "$out.err"; }
n=$(grep -F "(icmp request id=4801 seq=1)" "$out" |
	grep -c " netns=$NETNS_B mark=0x0 iface=$IFINDEX_B(vb) proto=0x0800 mtu=1500 len=98 pkt_type=HOST ")
[ "$n" = 4 ] && pass "4 events on vb in B's netns, 98 bytes, HOST" ||
	fail "$n of 4 events with B's netns, vb, len 98: $(grep -F id=4801 "$out")"
export_file "$cap" tcxdp.pcapng
assert_no_leftovers

# Only the exits in the capture; the text has all four.
out=$T/exit.txt
start_vista "$out" --filter-trace-tc --filter-trace-xdp \
	--output-tuple --pcap-file "$T/exit.pcapng" --pcap-mode exit icmp ||
	{ fail "vista did not start with --pcap-mode exit"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -p "$PAYLOAD" -e 4802 "$ADDR_B" \
	>/dev/null 2>&1
sleep 1
stop_vista INT || fail "--pcap-mode exit: exit $? after SIGINT"
n=$(funcs "$out" 4802 | wc -w)
[ "$n" = 4 ] && pass "--pcap-mode exit: 4 text events" ||
	fail "--pcap-mode exit: $n text events"
export_file "$T/exit.pcapng" exit.pcapng
assert_no_leftovers

# A filter that matches nothing: no event at either program.
out=$T/udp.txt
start_vista "$out" --filter-trace-tc --filter-trace-xdp --output-tuple udp ||
	{ fail "vista did not start with a udp filter"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4803 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "udp filter: exit $? after SIGINT"
n=$(event_lines "$out" | wc -l)
[ "$n" = 0 ] && pass "udp filter: no ICMP event" ||
	fail "udp filter: $n events: $(event_lines "$out" | head -2)"

# The shipped profile, found by name: both programs, the capture in
# ./vista.pcapng (read by tshark on the host).
mkdir "$T/cwd" && cd "$T/cwd" || setup_failed "no scratch directory"
start_vista "$T/prof.txt" --profile tcxdp-pcap icmp ||
	{ fail "vista did not start with --profile tcxdp-pcap"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4806 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "profile: exit $? after SIGINT"
f=$(funcs "$T/prof.txt" 4806)
[ "$f" = "test_xdp_pass(xdp) test_xdp_pass(xdp)=XDP_PASS test_tc_icmp_drop(tc) test_tc_icmp_drop(tc)=TC_ACT_SHOT " ] &&
	pass "--profile tcxdp-pcap: $f" ||
	{ fail "--profile tcxdp-pcap: '$f'"; cat "$T/prof.txt" "$T/prof.txt.err"; }
[ -s vista.pcapng ] && export_file vista.pcapng profile.pcapng ||
	fail "--profile tcxdp-pcap wrote no ./vista.pcapng"
cd / || true
assert_no_leftovers

# JSON: the program's fields for programs (id, hook, point, verdict, the
# time it ran).
out=$T/tc.jsonl
start_vista "$out" --filter-trace-tc --output-json icmp ||
	{ fail "vista did not start with --output-json"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4807 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "json: exit $? after SIGINT"
q='select(.tuple.icmp_id == 4807 and .plugin == "tcxdp"
	and .prog == "test_tc_icmp_drop" and .prog_id == '"${TC_ID:-0}"'
	and .hook == "tc")'
e=$(jq -c "$q | select(.point == \"entry\" and .verdict == null)" "$out" | wc -l)
x=$(jq -c "$q | select(.point == \"exit\" and .verdict == \"TC_ACT_SHOT\"
	and .ret == 2 and .cost_ns > 0)" "$out" | wc -l)
[ "$e" = 1 ] && [ "$x" = 1 ] &&
	pass "JSON: entry, and exit with TC_ACT_SHOT, ret 2, cost_ns $(jq "$q | .cost_ns // empty" "$out")" ||
	{ fail "JSON: $e entries, $x exits"; cat "$out"; }
assert_no_leftovers

# With the drops: the skb the TC program shot is the one the kernel
# frees next, with its reason (the two plugins side by side).
out=$T/drop.txt
start_vista "$out" --filter-trace-tc --filter-skb-drop-stack --output-tuple \
	icmp || { fail "vista did not start with drops"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4805 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "with drops: exit $? after SIGINT"
req="$ADDR_A->$ADDR_B(icmp request id=4805 seq=1)"
shot=$(grep -F "$req" "$out" | grep -F 'test_tc_icmp_drop(tc)=TC_ACT_SHOT' |
	awk '{ print $1 }')
drop=$(grep -F "$req" "$out" | grep -oE '^ *0x[0-9a-f]+ .* [a-z_]+\(SKB_DROP_REASON_[A-Z_]+\)' |
	head -1)
[ -n "$shot" ] && [ "$(echo "$drop" | awk '{ print $1 }')" = "$shot" ] &&
	pass "TC_ACT_SHOT, then the drop of skb $shot: ${drop##* }" ||
	{ fail "no drop of the shot skb '$shot': '$drop'"; cat "$out"; }
assert_no_leftovers

# A second program of the same name (A's d0, egress): names get the id.
tc -n "$NS_A" filter add dev d0 egress bpf da obj "$F/tc_icmp_drop.bpf.o" \
	sec tc || setup_failed "cannot load the second TC program"
out=$T/twins.txt
start_vista "$out" --filter-trace-tc --output-tuple icmp ||
	{ fail "vista did not start with two programs of one name"; finish; }
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4804 "$ADDR_B" >/dev/null 2>&1
sleep 1
stop_vista INT || fail "two programs: exit $? after SIGINT"
grep -q 'fentry/fexit on 2 TC and 0 XDP programs' "$out.err" &&
	pass "two TC programs traced" ||
	fail "two programs: $(grep -o 'fentry/fexit on .*' "$out.err")"
f=$(funcs "$out" 4804)
[ "$f" = "test_tc_icmp_drop#$TC_ID(tc) test_tc_icmp_drop#$TC_ID(tc)=TC_ACT_SHOT " ] &&
	pass "named by id: $f" || { fail "two programs: '$f'"; cat "$out"; }
assert_no_leftovers
finish "$(grep -o 'fentry/fexit on .*' "$T/tcxdp.txt.err")"
