#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# --pcap-file on our kernel (tracepoints): the pings iptables drops in B
# are written to pcapng next to the text lines; tshark reads the file
# without a warning, and its fields say what vista saw: the event as the
# comment, the interface by name, wire and captured lengths (with the
# default snaplen, and cut by --pcap-snaplen or a profile's [sink.pcapng]
# snaplen; a second [sink.pcapng:NAME] writes its own file with its own),
# the ICMP payload as sent, the skb as the packet id, lost events as drop
# counts. The file is whole after SIGTERM; "-" streams it
# to stdout (no text then); --pcap-snaplen below 34 is a usage error.
. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || setup_failed "no tshark (apt-get install tshark)"
setup_pair
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP ||
	setup_failed "cannot add the rule"

# fields FILE FIELD...: tshark's fields, tab-separated; its stderr apart.
fields() {
	local f=$1
	shift
	tshark -r "$f" -T fields $(printf -- '-e %s ' "$@") 2>"$f.tshark"
}
# tshark must not warn (a bad block length, an unknown option ...).
no_warning() {
	tshark_complaints "$1.tshark" | grep -q . &&
		fail "tshark on $1: $(cat "$1.tshark")" ||
		pass "tshark reads $(basename "$1") without a warning"
}

PAYLOAD=5649535441	# "VISTA", repeated by ping -p
cap=$T/drops.pcapng
out=$T/drops.txt
start_vista "$out" --filter-skb-drop-stack --pcap-file "$cap" --output-meta \
	--filter-netns "/run/netns/$NS_B" icmp || exit 1
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 -p "$PAYLOAD" -e 4711 "$ADDR_B" \
	>/dev/null 2>&1
sleep 0.5
stop_vista TERM || fail "exit $? after SIGTERM"
n=$(event_lines "$out" | grep -c 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)')
[ "$n" = 2 ] && pass "text lines as well (2 drops)" || fail "$n text drops, want 2"
grep -q "pcapng: $cap: 2 packets in 1 interfaces" "$out.err" &&
	pass "$(grep -o 'pcapng: .*' "$out.err")" ||
	fail "no pcapng summary: $(cat "$out.err")"
fields "$cap" frame.comment frame.interface_name frame.len frame.cap_len \
	frame.packet_id ip.src ip.dst icmp.ident data.data >"$T/f.txt"
no_warning "$cap"
[ "$(wc -l <"$T/f.txt")" = 2 ] && pass "2 packets in the file" ||
	fail "$(wc -l <"$T/f.txt") packets: $(cat "$T/f.txt")"
line=$(head -1 "$T/f.txt")
echo "$line" | cut -f1 | grep -q "^kfree_skb(SKB_DROP_REASON_NETFILTER_DROP) netns=$NETNS_B ifindex=$IFINDEX_B(vb) pid=[0-9]* comm=[a-z]* cpu=[0-9]*$" &&
	pass "comment: $(echo "$line" | cut -f1)" || fail "comment: $line"
[ "$(echo "$line" | cut -f2-4)" = "$(printf 'vb\t98\t98')" ] &&
	pass "interface vb, 98 bytes on the wire, all captured" ||
	fail "interface/lengths: $(echo "$line" | cut -f2-4)"
[ "$(echo "$line" | cut -f6-8)" = "$(printf '%s\t%s\t%s' "$ADDR_A" "$ADDR_B" 4711)" ] &&
	pass "the ping: $(echo "$line" | cut -f6-8)" ||
	fail "addresses/id: $(echo "$line" | cut -f6-8)"
# ping -p fills the 56 data bytes after its 16-byte timestamp
echo "$line" | cut -f9 | grep -q "$PAYLOAD$PAYLOAD$PAYLOAD" &&
	pass "payload as sent" || fail "payload: $(echo "$line" | cut -f9)"
# The packet id is the skb (two pings may reuse one: not compared).
bad=
for id in $(cut -f5 "$T/f.txt"); do
	grep -q "^ *$(printf '0x%x' "$id") " "$out" || bad="$bad $id"
done
[ -z "$bad" ] && pass "packet id = the skb of its text line" ||
	fail "packet ids not in the text:$bad"

# A short snaplen: the lengths say what was cut.
cap=$T/short.pcapng
start_vista "$T/short.txt" --filter-skb-drop-stack --pcap-file "$cap" \
	--pcap-snaplen 40 icmp || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4712 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
[ "$(fields "$cap" frame.len frame.cap_len icmp.ident | head -1)" = "$(printf '98\t40\t4712')" ] &&
	pass "--pcap-snaplen 40: 98 on the wire, 40 captured" ||
	fail "snaplen 40: $(fields "$cap" frame.len frame.cap_len icmp.ident)"
no_warning "$cap"

# A profile's [sink.pcapng] does the same (its snaplen key included);
# a second instance, [sink.pcapng:full], writes its own file with its own
# snaplen from the same events (the kernel captures for the larger).
cap=$T/profile.pcapng
printf '[tracer.skb]\ndrop-stack = true\n[sink.pcapng]\nfile = %s\nsnaplen = 64\n[sink.pcapng:full]\nfile = %s\nsnaplen = 1500\n' \
	"$cap" "$T/full.pcapng" >"$T/capture.ini"
start_vista "$T/profile.txt" --profile "$T/capture.ini" icmp || exit 1
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4714 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
[ "$(fields "$cap" frame.len frame.cap_len icmp.ident | head -1)" = "$(printf '98\t64\t4714')" ] &&
	pass "[sink.pcapng] in a profile: 98 on the wire, 64 captured" ||
	fail "profile capture: $(fields "$cap" frame.len frame.cap_len icmp.ident)"
[ "$(fields "$T/full.pcapng" frame.len frame.cap_len icmp.ident | head -1)" = "$(printf '98\t98\t4714')" ] &&
	pass "[sink.pcapng:full]: 98 on the wire, 98 captured" ||
	fail "second instance: $(fields "$T/full.pcapng" frame.len frame.cap_len icmp.ident)"
no_warning "$T/full.pcapng"
event_lines "$T/profile.txt" |
	grep -q 'kfree_skb(SKB_DROP_REASON_NETFILTER_DROP)' &&
	pass "the text lines as well" || fail "no text with two captures"
printf '[tracer.skb]\ndrop-stack = true\n[sink.pcapng:x]\nfile = %s\nsnaplen = 20\n' \
	"$T/x.pcapng" >"$T/bad.ini"
timeout -s KILL 20 "$VISTA" --profile "$T/bad.ini" >/dev/null 2>"$T/bad.err"
rc=$?
[ "$rc" = 2 ] && grep -q "^$T/bad.ini:5: snaplen: invalid value \"20\"" "$T/bad.err" &&
	pass "an instance's bad snaplen: file:line, exit 2" ||
	fail "bad instance snaplen: exit $rc: $(cat "$T/bad.err")"

# Lost events show as epb_dropcount on the next packet written: a flood
# through a tiny ring, then (after vista has read its lost counter, once
# a second) one more ping. No drop rule: ping -f waits for replies.
ip netns exec "$NS_B" iptables -F INPUT
cap=$T/lost.pcapng
start_vista "$T/lost.txt" --filter-trace-skb --ring-size 4096 \
	--pcap-file "$cap" --filter-addr "$ADDR_B" || exit 1
ip netns exec "$NS_A" ping -f -c 3000 "$ADDR_B" >/dev/null 2>&1
sleep 1.5
ip netns exec "$NS_A" ping -c 1 -W 1 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
lost=$(sed -nE 's/^vista: [0-9]+ events, ([0-9]+) lost.*/\1/p' "$T/lost.txt.err")
drops=$(fields "$cap" frame.drop_count | awk '{ n += $1 } END { print n + 0 }')
[ "${lost:-0}" -gt 0 ] && [ "$drops" -gt 0 ] && [ "$drops" -le "$lost" ] &&
	pass "epb_dropcount: $drops of the $lost lost events before the last packet" ||
	fail "drop counts $drops, lost ${lost:-?}"
no_warning "$cap"
ip netns exec "$NS_B" iptables -A INPUT -p icmp -s "$ADDR_A" -j DROP

# "-": the capture on stdout, read by tshark from a pipe.
"$VISTA" --filter-skb-drop-stack --pcap-file - icmp 2>"$T/pipe.err" \
	>"$T/pipe.pcapng" &
VISTA_PID=$!
for i in $(seq 1 $((START_TIMEOUT * 10))); do
	grep -q "listening for events" "$T/pipe.err" && break
	sleep 0.1
done
ip netns exec "$NS_A" ping -c 1 -W 1 -e 4713 "$ADDR_B" >/dev/null 2>&1
sleep 0.5
stop_vista INT
[ "$(tshark -r - -T fields -e icmp.ident <"$T/pipe.pcapng" 2>/dev/null)" = 4713 ] &&
	pass "--pcap-file -: a capture on stdout, no text in it" ||
	fail "stdout capture: $(od -c "$T/pipe.pcapng" | head -3)"

"$VISTA" --filter-skb-drop-stack --pcap-file "$T/x.pcapng" --pcap-snaplen 20 \
	>/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] && grep -q -- '--pcap-snaplen: invalid value "20"' "$T/err" &&
	pass "$(cat "$T/err")" || fail "snaplen 20: exit $rc: $(cat "$T/err")"
assert_no_leftovers
finish
