#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --output-json and [sink.json] on our kernel: the pings iptables drops in
# B come out as JSON Lines that jq reads, one object per event, with the
# schema's fields (doc/json.md): version, type, function, drop reason,
# skb, netns, metadata with the interface name, the tuple, the stack as an
# array. A flood through a 4 KiB ring shows lost-event records that add
# up to the lost total. One run writes text, two JSON streams and pcapng
# from the same events; two sinks on stdout is a usage error.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the rule"

out=$T/drops.jsonl
start_vista "$out" --filter-skb-drop-stack --output-json \
	--filter-netns "/run/netns/$NS_B" icmp || exit 1
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4801 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT || fail "exit $? after SIGINT"
jq -e . "$out" >/dev/null && pass "jq reads every line" ||
	fail "not JSON Lines: $(head -c 300 "$out")"
n=$(grep -c . "$out")
[ "$n" = 2 ] && pass "2 lines, no text header" || fail "$n lines: $(head -3 "$out")"
q='select(.v == 1 and .type == "event" and .plugin == "skb"
	and .func == "kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)"
	and .reason == "SKB_DROP_REASON_NETFILTER_DROP"
	and (.obj | test("^0x[0-9a-f]+$")) and .netns == '"$NETNS_B"'
	and (.time_ns | type) == "number" and (.cpu | type) == "number"
	and .meta.ifindex == '"$IFINDEX_B"' and .meta.ifname == "vb"
	and .meta.len == 84 and .meta.protocol == 2048
	and .tuple.family == "ipv4" and .tuple.saddr == "'"$ADDR_A"'"
	and .tuple.daddr == "'"$ADDR_B"'" and .tuple.proto == "icmp"
	and .tuple.icmp_id == 4801 and .tuple.icmp_type == 8
	and ([.stack[].sym] | any(startswith("nf_hook_slow"))))'
n=$(jq -c "$q" "$out" | wc -l)
[ "$n" = 2 ] && pass "both drops with every field (jq: $(jq -c '{func,obj,netns,ifname: .meta.ifname,tuple}' "$out" | head -1))" ||
	fail "$n of 2 events match the schema: $(head -1 "$out")"

# Lost events are records of their own, and they add up.
ip netns exec "$NS_B" iptables -F INPUT
out=$T/lost.jsonl
start_vista "$out" --filter-trace-skb --output-json --ring-size 4096 \
	--filter-addr "$ADDR_B" || exit 1
ip netns exec "$NS_A" ping -f -c 3000 "$ADDR_B" >/dev/null 2>&1
sleep 1.5
stop_vista INT || fail "flood: exit $? after SIGINT"
lost=$(sed -nE 's/^vista: [0-9]+ events, ([0-9]+) lost.*/\1/p' "$out.err")
sum=$(jq -s '[.[] | select(.type == "lost") | .lost] | add // 0' "$out")
last=$(jq -s '[.[] | select(.type == "lost") | .total] | last // 0' "$out")
[ "${lost:-0}" -gt 0 ] && [ "$sum" = "$lost" ] && [ "$last" = "$lost" ] &&
	pass "lost records: $(jq -c 'select(.type == "lost")' "$out" | head -1) ... add up to $lost" ||
	fail "lost records add up to $sum (last total $last), vista lost ${lost:-?}"
n=$(jq -c 'select(.type == "event")' "$out" | wc -l)
e=$(sed -nE 's/^vista: ([0-9]+) events,.*/\1/p' "$out.err")
[ "$n" = "$e" ] && pass "$n event records, as counted" ||
	fail "$n event records, vista counted $e"

# One run, four sinks: text and JSON files, JSON on stdout, pcapng.
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP
cat >"$T/multi.ini" <<EOT
[tracer.skb]
drop-stack = true
[sink.text]
file = $T/multi.txt
[sink.json]
[sink.json:audit]
file = $T/audit.jsonl
[sink.pcapng]
file = $T/multi.pcapng
EOT
start_vista "$T/multi.out" --profile "$T/multi.ini" icmp || exit 1
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -e 4802 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT || fail "four sinks: exit $? after SIGINT"
t=$(event_lines "$T/multi.txt" | awk '{ print $1 }' | sort | tr '\n' ' ')
j=$(jq -r .obj "$T/multi.out" | sort | tr '\n' ' ')
a=$(jq -r .obj "$T/audit.jsonl" | sort | tr '\n' ' ')
p=$(tshark -r "$T/multi.pcapng" -T fields -e frame.packet_id 2>/dev/null |
	while read -r id; do printf '0x%x\n' "$id"; done | sort | tr '\n' ' ')
[ "$(echo "$t" | wc -w)" = 2 ] && [ "$t" = "$j" ] && [ "$t" = "$a" ] &&
	[ "$t" = "$p" ] && pass "text, JSON (stdout and audit) and pcapng: the same 2 skbs" ||
	fail "sinks disagree: text '$t' json '$j' audit '$a' pcapng '$p'"

# Two sinks on stdout: a usage error before anything is loaded.
printf '[tracer.skb]\ndrop-stack = true\n[sink.text]\n[sink.json:x]\n' >"$T/two.ini"
timeout -s KILL 20 "$VISTA" --profile "$T/two.ini" >"$T/two.out" 2>"$T/two.err"
rc=$?
[ "$rc" = 2 ] && grep -qx 'vista: \[sink.text\] and \[sink.json:x\] both write to stdout: give one of them a file (file = PATH, --output-file, --pcap-file)' "$T/two.err" &&
	[ ! -s "$T/two.out" ] && pass "two sinks on stdout: one line, exit 2" ||
	fail "two sinks on stdout: exit $rc: $(cat "$T/two.err")"
finish
