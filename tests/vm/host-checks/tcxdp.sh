#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# On the host, after the guest's tcxdp scenario passed: tshark reads the
# captures it exported (DIR/tcxdp.pcapng, DIR/exit.pcapng,
# DIR/profile.pcapng from the tcxdp-pcap profile) without a
# warning, and its fields say what the guest saw. The XDP program's entry
# and exit, then the TC program's: comments naming program, verdict and
# point, epb_verdict (XDP_PASS = 2, TC_ACT_SHOT = 2) only at exits, the rx
# queue of the XDP frames, inbound direction, one packet id per program
# pair, the interface, 98 bytes captured of 98 and the ping's payload.
#
#   tests/vm/host-checks/tcxdp.sh DIR
set -u
d=$1
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v tshark >/dev/null || { echo "FAIL: no tshark (apt-get install tshark)"; exit 1; }

# rows FILE: one tab-separated line per packet.
rows() {
	tshark -r "$1" -T fields -E separator=/t -e frame.comment \
		-e frame.verdict.ebpf_xdp -e frame.verdict.ebpf_tc \
		-e frame.interface_queue -e frame.packet_flags_direction \
		-e frame.packet_id -e frame.interface_name -e frame.len \
		-e frame.cap_len -e icmp.ident -e data.data 2>"$1.err"
	grep -v 'Running as user "root"' "$1.err" | grep -q . &&
		bad "tshark warns on $(basename "$1"): $(cat "$1.err")"
}
col() { cut -f"$2" <<<"$1"; }
# The direction flag is "inbound" (1), however tshark prints the number.
inbound() { [[ $1 =~ ^(1|0x0*1)$ ]]; }

f=$d/tcxdp.pcapng
[ -s "$f" ] || { echo "FAIL: no $f"; exit 1; }
mapfile -t r < <(rows "$f")
[ "${#r[@]}" = 4 ] && ok "4 packets in tcxdp.pcapng" ||
	bad "${#r[@]} packets in tcxdp.pcapng, not 4: $(printf '%s | ' "${r[@]}")"
want=("test_xdp_pass(xdp) entry " "test_xdp_pass(xdp)=XDP_PASS exit "
	"test_tc_icmp_drop(tc) entry " "test_tc_icmp_drop(tc)=TC_ACT_SHOT exit ")
for i in 0 1 2 3; do
	x=${r[$i]:-}
	c=$(col "$x" 1)
	[[ $c == "${want[$i]}"* && $c == *" netns="*" ifindex="*"(vb) "* ]] &&
		ok "packet $((i + 1)): $c" ||
		bad "packet $((i + 1)) comment: '$c', not '${want[$i]}...(vb)...'"
	[ "$(col "$x" 7)" = vb ] && [ "$(col "$x" 8)" = 98 ] &&
		[ "$(col "$x" 9)" = 98 ] && [ "$(col "$x" 10)" = 4801 ] ||
		bad "packet $((i + 1)): interface/len/caplen/icmp id:" \
			"$(col "$x" 7) $(col "$x" 8) $(col "$x" 9) $(col "$x" 10)"
	[[ $(col "$x" 11) == *5649535441* ]] ||
		bad "packet $((i + 1)): no ping payload in '$(col "$x" 11)'"
	inbound "$(col "$x" 5)" ||
		bad "packet $((i + 1)): direction '$(col "$x" 5)', not inbound"
done
[ -z "$(col "${r[0]:-}" 2)$(col "${r[0]:-}" 3)" ] &&
	[ "$(col "${r[1]:-}" 2)" = 2 ] && [ -z "$(col "${r[1]:-}" 3)" ] &&
	[ -z "$(col "${r[2]:-}" 2)$(col "${r[2]:-}" 3)" ] &&
	[ "$(col "${r[3]:-}" 3)" = 2 ] && [ -z "$(col "${r[3]:-}" 2)" ] &&
	ok "verdicts: XDP_PASS (2) and TC_ACT_SHOT (2) at the exits only" ||
	bad "verdicts (xdp/tc per packet): $(for x in "${r[@]}"; do
		printf '%s/%s ' "$(col "$x" 2)" "$(col "$x" 3)"; done)"
[ "$(col "${r[0]:-}" 4)" = 0 ] && [ "$(col "${r[1]:-}" 4)" = 0 ] &&
	ok "the XDP frames came from rx queue 0" ||
	bad "XDP queue: '$(col "${r[0]:-}" 4)' '$(col "${r[1]:-}" 4)'"
p=$(col "${r[0]:-}" 6) q=$(col "${r[2]:-}" 6)
[ -n "$p" ] && [ "$p" = "$(col "${r[1]:-}" 6)" ] && [ -n "$q" ] &&
	[ "$q" = "$(col "${r[3]:-}" 6)" ] &&
	ok "one packet id per program's entry and exit ($p, $q)" ||
	bad "packet ids: $(for x in "${r[@]}"; do printf '%s ' "$(col "$x" 6)"; done)"

f=$d/exit.pcapng
[ -s "$f" ] || { echo "FAIL: no $f"; exit 1; }
mapfile -t r < <(rows "$f")
c="$(col "${r[0]:-}" 1)|$(col "${r[1]:-}" 1)"
[ "${#r[@]}" = 2 ] && [[ $c == "test_xdp_pass(xdp)=XDP_PASS exit "*"|test_tc_icmp_drop(tc)=TC_ACT_SHOT exit "* ]] &&
	ok "--pcap-mode exit: the two exits only" ||
	bad "--pcap-mode exit: ${#r[@]} packets: $c"
# The tcxdp-pcap profile's capture: the same four points.
f=$d/profile.pcapng
[ -s "$f" ] || { echo "FAIL: no $f"; exit 1; }
mapfile -t r < <(rows "$f")
c=$(for x in "${r[@]}"; do col "$x" 1 | cut -d' ' -f1-2; col "$x" 10; done | tr '\n' ' ')
[ "$c" = "test_xdp_pass(xdp) entry 4806 test_xdp_pass(xdp)=XDP_PASS exit 4806 test_tc_icmp_drop(tc) entry 4806 test_tc_icmp_drop(tc)=TC_ACT_SHOT exit 4806 " ] &&
	ok "profile tcxdp-pcap: the four points of ping 4806" ||
	bad "profile tcxdp-pcap: $c"
[ "$fails" = 0 ]
