#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-iptables on our kernel (no kprobes, no fentry): BPF
# netfilter links around each table name the family, hook and table of a
# drop, in the netns where it happens: filter/INPUT, raw/PREROUTING,
# mangle/PREROUTING, filter/FORWARD (B routing to a third netns), an IPv6
# filter/OUTPUT drop; accepted packets give no event; --filter-netns limits
# the links to one netns; nothing is left behind.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
add_ipv6

ipt() { sub_line "$1" "$2" IPTABLES; }

# drop_ping OUT ID DEST VISTA-ARGS...: vista with the IPTABLES: line
# around one ping from A.
drop_ping() {
	local out=$1 id=$2 dst=$3
	shift 3
	start_vista "$out" --filter-trace-iptables --output-iptables \
		--output-tuple "$@" || exit 1
	ip netns exec "$NS_A" ping -c 1 -W 1 -e "$id" "$dst" >/dev/null 2>&1
	sleep 0.5
	stop_vista INT
}

ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" \
	-m icmp --icmp-type echo-request -j DROP ||
	setup_failed "cannot add the filter rule"
out=$T/filter.txt
start_vista "$out" --filter-trace-iptables --output-iptables --output-tuple \
	--output-meta icmp || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4681 "$ADDR_B" >/dev/null 2>&1
ip netns exec "$NS_B" ping -c 1 -W 1 -e 4682 "$ADDR_A" >/dev/null 2>&1
sleep 0.5
stop_vista INT
tuple="$ADDR_A->$ADDR_B(icmp request id=4681 seq=1)"
line=$(grep -F "$tuple" "$out" | head -1)
echo "$line" | grep -q ' iptables(filter/INPUT) ' && pass "drop: $line" ||
	{ fail "no iptables(filter/INPUT) event"; cat "$out" "$out.err"; }
echo "$line" | grep -q " netns=$NETNS_B .* iface=$IFINDEX_B(vb) " &&
	pass "in B's netns, on vb" || fail "netns/iface: $line"
i=$(ipt "$out" "$tuple")
echo "$i" | grep -Eq '^IPTABLES: pf=PF_INET table=filter hook=INPUT verdict=DROP cost_ns=[1-9][0-9]*$' &&
	pass "$i" || fail "IPTABLES line: '$i'"
n=$(event_lines "$out" | wc -l)
[ "$n" = 1 ] && pass "accepted packets (B's ping and its reply) give no event" ||
	fail "$n events, want 1"
grep -q 'netfilter: [1-9][0-9]* BPF hooks .* in [1-9][0-9]* netns' "$out.err" &&
	pass "$(grep -o 'netfilter: .* netns;' "$out.err")" ||
	fail "no mechanism line: $(cat "$out.err")"
ip netns exec "$NS_B" iptables -F INPUT

# The raw table drops before conntrack; only B's netns is watched.
ip netns exec "$NS_B" iptables -t raw -A PREROUTING -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the raw rule"
out=$T/raw.txt
drop_ping "$out" 4683 "$ADDR_B" --filter-netns "/run/netns/$NS_B" icmp
i=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp request id=4683 seq=1)")
echo "$i" | grep -q '^IPTABLES: pf=PF_INET table=raw hook=PREROUTING verdict=DROP ' &&
	pass "$i" || { fail "raw drop: '$i'"; cat "$out" "$out.err"; }
grep -q ' in 1 netns' "$out.err" && pass "--filter-netns: links in 1 netns" ||
	fail "--filter-netns: $(grep -o 'in [0-9]* netns' "$out.err")"
ip netns exec "$NS_B" iptables -t raw -F PREROUTING

# A mangle rule can drop too.
ip netns exec "$NS_B" iptables -t mangle -A PREROUTING -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the mangle rule"
out=$T/mangle.txt
drop_ping "$out" 4689 "$ADDR_B" icmp
i=$(ipt "$out" "$ADDR_A->$ADDR_B(icmp request id=4689 seq=1)")
echo "$i" | grep -q '^IPTABLES: pf=PF_INET table=mangle hook=PREROUTING verdict=DROP ' &&
	pass "$i" || { fail "mangle drop: '$i'"; cat "$out" "$out.err"; }
ip netns exec "$NS_B" iptables -t mangle -F PREROUTING

# FORWARD: B routes between A and a third netns C.
NS_C=vista-c-$$
SUB_C=10.232.$(( $$ % 200 + 1 ))
ip netns add "$NS_C" || setup_failed "ip netns add $NS_C"
trap 'ip netns del "$NS_C" 2>/dev/null; cleanup' EXIT
ip link add vb2 netns "$NS_B" type veth peer name vc netns "$NS_C" ||
	setup_failed "veth B-C"
ip -n "$NS_B" addr add "$SUB_C.1/24" dev vb2
ip -n "$NS_C" addr add "$SUB_C.2/24" dev vc
ip -n "$NS_B" link set vb2 up
ip -n "$NS_C" link set vc up
ip -n "$NS_A" route add "$SUB_C.0/24" via "$ADDR_B"
ip -n "$NS_C" route add default via "$SUB_C.1"
ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NS_A" ping -c 1 -W 1 "$SUB_C.2" >/dev/null 2>&1 ||
	setup_failed "A cannot reach C through B"
ip netns exec "$NS_B" iptables -A FORWARD -p icmp -s "$ADDR_A" -d "$SUB_C.2" -j DROP ||
	setup_failed "cannot add the FORWARD rule"
out=$T/fwd.txt
drop_ping "$out" 4690 "$SUB_C.2" icmp
i=$(ipt "$out" "$ADDR_A->$SUB_C.2(icmp request id=4690 seq=1)")
echo "$i" | grep -q '^IPTABLES: pf=PF_INET table=filter hook=FORWARD verdict=DROP ' &&
	pass "$i" || { fail "FORWARD drop: '$i'"; cat "$out" "$out.err"; }
ip netns exec "$NS_B" iptables -F FORWARD

# IPv6, on the way out of A.
ip netns exec "$NS_A" ip6tables -A OUTPUT -p ipv6-icmp \
	--icmpv6-type echo-request -j DROP || setup_failed "cannot add the ip6tables rule"
out=$T/ip6.txt
drop_ping "$out" 4684 fd00:231::2 icmp6	# ping picks IPv6 by the address
i=$(ipt "$out" "[fd00:231::1]->[fd00:231::2](icmp6 request id=4684 seq=1)")
echo "$i" | grep -q '^IPTABLES: pf=PF_INET6 table=filter hook=OUTPUT verdict=DROP ' &&
	pass "$i" || { fail "IPv6 drop: '$i'"; cat "$out" "$out.err"; }
assert_no_leftovers
finish
