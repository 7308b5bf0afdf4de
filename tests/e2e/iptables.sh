#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --filter-trace-iptables on our kernel (no kprobes, no fentry): BPF
# netfilter links around each table's place name the family, hook, table
# (and nftables chain) of each verdict, in the netns where it happens.
# IPv4 and IPv6 each: DROPs in filter/INPUT, raw or mangle/PREROUTING,
# filter/FORWARD (B routing to a third netns C) and filter/OUTPUT; the
# ACCEPT of a packet through a table the netns has (iptables-nft,
# iptables-legacy, a native nft inet table), and no event where a netns
# has no table; --filter-netns limits the links to one netns; nothing is
# left behind.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
add_ipv6

# verdicts OUT TEXT: the IPTABLES: lines of every event containing TEXT.
verdicts() {
	awk -v a="$2" '
		/^ *0x[0-9a-f]+ / { s = index($0, a) > 0; next }
		s && /^IPTABLES: / { print }' "$1"
}

# expect OUT TEXT ERE WHAT: an event with TEXT has an IPTABLES: line
# matching ERE.
expect() {
	local v
	v=$(verdicts "$1" "$2" | grep -E "$3" | head -1)
	[ -n "$v" ] && pass "$4: $v" ||
		{ fail "$4: no '$3' for $2"; cat "$1" "$1.err"; }
}

# pings OUT "ID@DEST ..." VISTA-ARGS...: vista with the IPTABLES: lines
# around one ping from A to each DEST with that ICMP id.
pings() {
	local out=$1 list=$2 p
	shift 2
	start_vista "$out" --filter-trace-iptables --output-iptables \
		--output-tuple "$@" || exit 1
	for p in $list; do
		ip netns exec "$NS_A" ping -c 1 -W 1 -e "${p%%@*}" "${p#*@}" \
			>/dev/null 2>&1
	done
	sleep 0.5
	stop_vista INT
}

req4() { echo "$ADDR_A->$1(icmp request id=$2 seq=1)"; }
req6() { echo "[fd00:231::1]->[$1](icmp6 request id=$2 seq=1)"; }
COST='cost_ns=[1-9][0-9]*$'

# iptables-nft in B: the request dropped in filter/INPUT; B's own ping
# leaves (B has no OUTPUT chain: no event), A has no table (no event),
# the reply passes B's filter/INPUT: ACCEPT.
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
tuple=$(req4 "$ADDR_B" 4681)
line=$(grep -F "$tuple" "$out" | head -1)
echo "$line" | grep -q ' iptables(filter/INPUT) ' && pass "drop: $line" ||
	{ fail "no iptables(filter/INPUT) event"; cat "$out" "$out.err"; }
echo "$line" | grep -q " netns=$NETNS_B .* iface=$IFINDEX_B(vb) " &&
	pass "in B's netns, on vb" || fail "netns/iface: $line"
expect "$out" "$tuple" \
	"^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=DROP $COST" \
	"IPv4 filter/INPUT drop"
expect "$out" "$ADDR_A->$ADDR_B(icmp reply id=4682 seq=1)" \
	"^IPTABLES: pf=PF_INET table=filter chain=INPUT hook=INPUT verdict=ACCEPT $COST" \
	"IPv4 filter/INPUT accept"
n=$(event_lines "$out" | wc -l)
[ "$n" = 2 ] && pass "no event where a netns has no table (2 events)" ||
	fail "$n events, want 2"
grep -q 'netfilter: [1-9][0-9]* BPF hooks .* in [1-9][0-9]* netns, [1-9][0-9]* of them holding a table' "$out.err" &&
	pass "$(grep -o 'netfilter: .* holding a table' "$out.err")" ||
	fail "no mechanism line: $(cat "$out.err")"
ip netns exec "$NS_B" iptables -F INPUT

# The raw table drops before conntrack; only B's netns is watched.
ip netns exec "$NS_B" iptables -t raw -A PREROUTING -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the raw rule"
out=$T/raw.txt
pings "$out" "4683@$ADDR_B" --filter-netns "/run/netns/$NS_B" icmp
expect "$out" "$(req4 "$ADDR_B" 4683)" \
	'^IPTABLES: pf=PF_INET table=raw chain=PREROUTING hook=PREROUTING verdict=DROP ' \
	"IPv4 raw/PREROUTING drop"
grep -q ' in 1 netns' "$out.err" && pass "--filter-netns: links in 1 netns" ||
	fail "--filter-netns: $(grep -o 'in [0-9]* netns' "$out.err")"
ip netns exec "$NS_B" iptables -t raw -F PREROUTING

# A mangle rule can drop too; IPv6 as well.
ip netns exec "$NS_B" iptables -t mangle -A PREROUTING -p icmp -s "$ADDR_A" -j DROP &&
ip netns exec "$NS_B" ip6tables -t mangle -A PREROUTING -p ipv6-icmp \
	--icmpv6-type echo-request -j DROP ||
	setup_failed "cannot add the mangle rules"
out=$T/mangle.txt
pings "$out" "4689@$ADDR_B 4692@fd00:231::2" 'icmp or icmp6'
expect "$out" "$(req4 "$ADDR_B" 4689)" \
	'^IPTABLES: pf=PF_INET table=mangle chain=PREROUTING hook=PREROUTING verdict=DROP ' \
	"IPv4 mangle/PREROUTING drop"
expect "$out" "$(req6 fd00:231::2 4692)" \
	'^IPTABLES: pf=PF_INET6 table=mangle chain=PREROUTING hook=PREROUTING verdict=DROP ' \
	"IPv6 mangle/PREROUTING drop"
ip netns exec "$NS_B" iptables -t mangle -F PREROUTING
ip netns exec "$NS_B" ip6tables -t mangle -F PREROUTING

# IPv6 filter/INPUT: a drop, and (other id) an accept by a rule.
ip netns exec "$NS_B" ip6tables -A INPUT -p ipv6-icmp -m icmp6 \
	--icmpv6-type echo-request -m length --length 104 -j DROP &&
ip netns exec "$NS_B" ip6tables -A INPUT -p ipv6-icmp -j ACCEPT ||
	setup_failed "cannot add the ip6tables INPUT rules"
out=$T/in6.txt
start_vista "$out" --filter-trace-iptables --output-iptables --output-tuple icmp6 ||
	exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4693 fd00:231::2 >/dev/null 2>&1
ip netns exec "$NS_A" ping -c 1 -W 1 -s 100 -e 4694 fd00:231::2 >/dev/null 2>&1
sleep 0.5
stop_vista INT
expect "$out" "$(req6 fd00:231::2 4693)" \
	"^IPTABLES: pf=PF_INET6 table=filter chain=INPUT hook=INPUT verdict=DROP $COST" \
	"IPv6 filter/INPUT drop"
expect "$out" "$(req6 fd00:231::2 4694)" \
	"^IPTABLES: pf=PF_INET6 table=filter chain=INPUT hook=INPUT verdict=ACCEPT $COST" \
	"IPv6 filter/INPUT accept"
ip netns exec "$NS_B" ip6tables -F INPUT

# FORWARD: B routes between A and a third netns C, IPv4 and IPv6.
NS_C=vista-c-$$
SUB_C=10.232.$(( $$ % 200 + 1 ))
ip netns add "$NS_C" || setup_failed "ip netns add $NS_C"
trap 'ip netns del "$NS_C" 2>/dev/null; cleanup' EXIT
ip link add vb2 netns "$NS_B" type veth peer name vc netns "$NS_C" ||
	setup_failed "veth B-C"
ip -n "$NS_B" addr add "$SUB_C.1/24" dev vb2
ip -n "$NS_C" addr add "$SUB_C.2/24" dev vc
ip -n "$NS_B" addr add fd00:232::1/64 dev vb2 nodad
ip -n "$NS_C" addr add fd00:232::2/64 dev vc nodad
ip -n "$NS_B" link set vb2 up
ip -n "$NS_C" link set vc up
ip -n "$NS_A" route add "$SUB_C.0/24" via "$ADDR_B"
ip -n "$NS_C" route add default via "$SUB_C.1"
ip -n "$NS_A" -6 route add fd00:232::/64 via fd00:231::2
ip -n "$NS_C" -6 route add default via fd00:232::1
ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.all.forwarding=1
# The first IPv6 packet may go while B's router discovery settles.
reach() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$NS_A" ping -c 1 -W 1 "$1" >/dev/null 2>&1 &&
			return 0
	done
	setup_failed "A cannot reach $1 through B"
}
reach "$SUB_C.2"
reach fd00:232::2
ip netns exec "$NS_B" iptables -A FORWARD -p icmp -s "$ADDR_A" -d "$SUB_C.2" -j DROP &&
ip netns exec "$NS_B" ip6tables -A FORWARD -p ipv6-icmp -d fd00:232::2 \
	--icmpv6-type echo-request -j DROP ||
	setup_failed "cannot add the FORWARD rules"
out=$T/fwd.txt
pings "$out" "4690@$SUB_C.2 4695@fd00:232::2" 'icmp or icmp6'
expect "$out" "$(req4 "$SUB_C.2" 4690)" \
	'^IPTABLES: pf=PF_INET table=filter chain=FORWARD hook=FORWARD verdict=DROP ' \
	"IPv4 filter/FORWARD drop"
expect "$out" "$(req6 fd00:232::2 4695)" \
	'^IPTABLES: pf=PF_INET6 table=filter chain=FORWARD hook=FORWARD verdict=DROP ' \
	"IPv6 filter/FORWARD drop"
ip netns exec "$NS_B" iptables -F FORWARD
ip netns exec "$NS_B" ip6tables -F FORWARD

# On the way out of A: an IPv4 drop; a native nft inet table (chain at
# the filter priority) accepting IPv6, named by its own table and chain.
ip netns exec "$NS_A" iptables -A OUTPUT -p icmp --icmp-type echo-request -j DROP &&
ip netns exec "$NS_A" nft add table inet vista_t &&
ip netns exec "$NS_A" nft add chain inet vista_t out \
	'{ type filter hook output priority 0; }' ||
	setup_failed "cannot add the OUTPUT rules"
out=$T/out.txt
pings "$out" "4684@$ADDR_B 4696@fd00:231::2" 'icmp or icmp6'
expect "$out" "$(req4 "$ADDR_B" 4684)" \
	'^IPTABLES: pf=PF_INET table=(filter\+vista_t|vista_t\+filter) chain=(OUTPUT\+out|out\+OUTPUT) hook=OUTPUT verdict=DROP ' \
	"IPv4 filter/OUTPUT drop (two chains at priority 0)"
expect "$out" "$(req6 fd00:231::2 4696)" \
	"^IPTABLES: pf=PF_INET6 table=vista_t chain=out hook=OUTPUT verdict=ACCEPT $COST" \
	"IPv6 accept by an nft inet table"
ip netns exec "$NS_A" iptables -F OUTPUT
ip netns exec "$NS_A" nft delete table inet vista_t

# iptables-legacy (in C: a legacy table stays once made): the table is
# named, it has no chain names.
ip netns exec "$NS_C" iptables-legacy -t mangle -A INPUT -p icmp -j ACCEPT ||
	setup_failed "cannot add the iptables-legacy rule"
out=$T/legacy.txt
pings "$out" "4691@$SUB_C.2" icmp
expect "$out" "$(req4 "$SUB_C.2" 4691)" \
	"^IPTABLES: pf=PF_INET table=mangle hook=INPUT verdict=ACCEPT $COST" \
	"iptables-legacy mangle/INPUT accept"
assert_no_leftovers
finish
