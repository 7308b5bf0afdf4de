#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The plugin SDK, as a third party uses it: vista installed into a
# temporary root, examples/udpfull built out of tree with nothing but
# pkg-config vista-plugin (headers, vmlinux.h, the BPF target), loaded
# with --plugin-dir, and its events (UDP datagrams dropped at a socket
# whose receive buffer is full, from the udp_fail_queue_rcv_skb
# tracepoint) written by the text, JSON and pcapng sinks of one run.
. "$(dirname "$0")/lib.sh"
need_root
for c in pkg-config clang bpftool tshark jq make cc; do
	command -v $c >/dev/null || setup_failed "$c missing (scripts/deps.sh)"
done
B=${top_builddir:-$(dirname "$VISTA")}

# vista's own install, staged; pkg-config sees it as if it were /.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$B" install DESTDIR="$T/stage" >"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; setup_failed "make install DESTDIR failed"; }
pc=$(find "$T/stage" -name vista-plugin.pc | head -1)
[ -n "$pc" ] || setup_failed "make install put no vista-plugin.pc"
export PKG_CONFIG_SYSROOT_DIR="$T/stage"
export PKG_CONFIG_LIBDIR="$(dirname "$pc"):$(pkg-config --variable pc_path pkg-config)"
v=$("$VISTA" --version | awk '{ print $2 }')
[ "$(pkg-config --modversion vista-plugin)" = "$v" ] &&
	pass "vista-plugin.pc: version $v" ||
	fail "vista-plugin.pc version $(pkg-config --modversion vista-plugin), vista $v"
h=$T/stage$(pkg-config --variable=includedir vista-plugin | sed "s|^$T/stage||")/vista/plugin.h
abi=$(awk '$2 == "VISTA_ABI_MAJOR" || $2 == "VISTA_ABI_MINOR" { print $3 }' "$h" | tr '\n' .)
[ "$(pkg-config --variable=abi_major vista-plugin).$(pkg-config --variable=abi_minor vista-plugin)." = "$abi" ] &&
	pass "ABI ${abi%.} in the .pc and the installed header" ||
	fail "ABI: .pc $(pkg-config --variable=abi_major vista-plugin).$(pkg-config --variable=abi_minor vista-plugin), header $abi"

# The example, out of tree: a copy, built against the staged SDK only.
cp -r "$SRCDIR/examples/udpfull" "$T/ex"
make -C "$T/ex" >"$T/ex.log" 2>&1 && [ -f "$T/ex/tracer_udpfull.so" ] &&
	pass "examples/udpfull builds with pkg-config vista-plugin" ||
	{ cat "$T/ex.log"; setup_failed "the example does not build"; }
grep -q -- "-I$T/stage/" "$T/ex.log" && ! grep -q -- "-I$SRCDIR" "$T/ex.log" &&
	pass "it found the headers in the staged install, not the source tree" ||
	fail "include paths: $(grep -o -- '-I[^ ]*' "$T/ex.log" | sort -u | tr '\n' ' ')"
mkdir "$T/pd"
make -C "$T/ex" install PLUGINDIR="$T/pd" >/dev/null 2>&1
"$VISTA" --plugin-dir "$T/pd" --list-plugins | grep -Eq "^tracer +udpfull .*$T/pd/tracer_udpfull.so$" &&
	pass "--list-plugins shows it" ||
	fail "not listed: $("$VISTA" --plugin-dir "$T/pd" --list-plugins)"

# Real events: a socket that never reads, datagrams it cannot queue.
${CC:-cc} -O2 -o "$T/udp_hold" "$SRCDIR/tests/fixtures/udp_hold.c" ||
	setup_failed "cannot build udp_hold"
setup_pair
cat >"$T/udp.ini" <<EOT
[core]
output-meta = true
output-tuple = true
[tracer.udpfull]
[sink.text]
file = $T/udp.txt
[sink.json]
file = $T/udp.jsonl
[sink.pcapng]
file = $T/udp.pcapng
EOT
start_vista "$T/udp.out" --plugin-dir "$T/pd" --profile "$T/udp.ini" ||
	exit 1
ip netns exec "$NS_B" "$T/udp_hold" "$ADDR_B" 9999 4 >"$T/hold" &
sleep 0.5
ip netns exec "$NS_A" bash -c "for i in \$(seq 1 40); do
	printf 'vista-sdk-%02d' \$i >/dev/udp/$ADDR_B/9999; done"
sleep 1
stop_vista INT || fail "exit $? after SIGINT"
wait
n=$(event_lines "$T/udp.txt" | grep -c " udp_fail_queue_rcv_skb(ENOMEM) netns=$NETNS_B .*iface=$IFINDEX_B(vb) .* $ADDR_A:[0-9]*->$ADDR_B:9999(udp)")
[ "$n" -gt 0 ] && pass "text: $n drops at the full socket" ||
	{ fail "no udpfull line in the text"; cat "$T/udp.txt" "$T/udp.out.err"; }
grep -Eq '^UDPFULL: rc=-12 rcvbuf=[0-9]+ rmem=[0-9]+$' "$T/udp.txt" &&
	pass "$(grep -m1 '^UDPFULL:' "$T/udp.txt")" || fail "no UDPFULL: sub-line"
j=$(jq -c 'select(.plugin == "udpfull" and .udpfull.rc == -12
	and .udpfull.rcvbuf > 0 and .tuple.dport == 9999
	and .tuple.daddr == "'"$ADDR_B"'")' "$T/udp.jsonl" | wc -l)
[ "$j" = "$n" ] && pass "JSON: the same $j events, with the plugin's group" ||
	fail "JSON: $j events, text $n"
p=$(tshark -r "$T/udp.pcapng" -Y 'udp.dstport == 9999' -T fields \
	-e frame.comment -e data.data 2>/dev/null)
c=$(echo "$p" | grep -c '^udp_fail_queue_rcv_skb(ENOMEM) netns=')
d=$(echo "$p" | grep -c "$(printf 'vista-sdk-' | od -An -tx1 | tr -d ' \n')")
[ "$c" = "$n" ] && [ "$d" = "$n" ] &&
	pass "pcapng: $c datagrams with their payload, the event as comment" ||
	fail "pcapng: $c comments, $d payloads, want $n: $(echo "$p" | head -2)"
assert_no_leftovers
finish
