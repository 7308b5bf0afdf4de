#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Bad input gets one clear line naming the flag or FILE:LINE, and the
# documented exit code; never a crash. Needs no network namespaces.
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$T"' EXIT
[ "$(id -u)" = 0 ] && e2e_lock

# expect CODE PATTERN ARGS...: exit code CODE and PATTERN on stderr.
expect() {
	local code=$1 pat=$2 rc
	shift 2
	"$VISTA" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = "$code" ] && grep -qF -- "$pat" "$T/err"; then
		pass "vista $* -> $rc: $(head -1 "$T/err")"
	else
		fail "vista $*: exit $rc (want $code), stderr: $(cat "$T/err")"
	fi
	[ "$rc" -ge 128 ] && fail "vista $*: killed by signal $((rc - 128))"
}

expect 2 "vista: unknown flag: --nope" --nope
expect 2 '--filter-port: invalid value "70000"' --filter-port 70000
expect 2 '--output-limit-lines: invalid value "-1"' --output-limit-lines -1
expect 2 '--timestamp: invalid value "bogus"' --filter-trace-skb --timestamp bogus
expect 2 '--filter-tcp-lifetime: invalid value "-1s"' --filter-trace-tcp \
	--filter-tcp-lifetime -1s
expect 2 '--filter-tcp-lifetime: invalid value "1x"' --filter-trace-tcp \
	--filter-tcp-lifetime 1x
expect 2 '--pcap-mode: invalid value "both": not one of entry|exit' \
	--filter-trace-skb --pcap-mode both
expect 2 '--pcap-snaplen: invalid value "33"' --filter-trace-skb \
	--pcap-file x.pcapng --pcap-snaplen 33
expect 2 'pcap-filter "tcp port": can'"'"'t parse filter expression: syntax error' \
	--filter-trace-skb tcp port
expect 2 'protochain is not supported' --filter-trace-skb ip6 protochain 6
expect 2 '--filter-addr: cannot be combined with a pcap-filter expression ("icmp")' \
	--filter-trace-skb --filter-addr 10.0.0.1 icmp
expect 2 '--track-size: invalid value "0"' --filter-trace-skb \
	--filter-track-skb --track-size 0
expect 2 '--filter-port: icmp has no ports' --filter-trace-skb \
	--filter-protocol icmp --filter-port 80
printf '[core]\n\nfilter = tcp and\n[tracer.skb]\n' >"$T/f.ini"
expect 2 "$T/f.ini:3: filter \"tcp and\": can't parse filter expression" \
	--profile "$T/f.ini"
expect 2 '--kprobe-backend: invalid value "kprobes"' --filter-trace-skb \
	--kprobe-backend kprobes
expect 2 "nothing to trace" --output-meta

printf '[core]\noutput-meta = true\n[tracer.skb]\nbogus = 1\n' >"$T/k.ini"
expect 2 "$T/k.ini:4: unknown key 'bogus' in [tracer.skb]" --profile "$T/k.ini"
printf '[core]\n[traser.skb]\n' >"$T/s.ini"
expect 2 "$T/s.ini:2: unknown section [traser.skb]" --profile "$T/s.ini"
printf '[core]\n\noutput-limit-lines = lots\n' >"$T/v.ini"
expect 2 "$T/v.ini:3: output-limit-lines: invalid value" --profile "$T/v.ini"
expect 2 "$T/nothere.ini" --profile "$T/nothere.ini"
printf '[sink.nothere]\n' >"$T/p.ini"
expect 2 "$T/p.ini:1: no plugin for [sink.nothere] (sink_nothere.so in " \
	--filter-trace-skb --profile "$T/p.ini"
# One line, ending with the package that would bring it.
[ "$(wc -l <"$T/err")" = 1 ] &&
	grep -q '): install vista-sink-nothere$' "$T/err" &&
	pass "a missing plugin names its package" ||
	fail "missing plugin: $(cat "$T/err")"

out=$("$VISTA" --help); rc=$?
for f in all-kmods filter-addr filter-ifname filter-kprobe-batch filter-netns \
	filter-port filter-protocol filter-sk-func filter-sk-mark \
	filter-skb-drop-stack filter-skb-func filter-skb-mark \
	filter-tcp-lifetime filter-trace-iptables filter-trace-sk \
	filter-trace-skb filter-trace-tc filter-trace-tcp filter-trace-xdp \
	filter-track-skb help kernel-btf kmods kprobe-backend output-file \
	output-iptables output-limit-lines output-meta output-sk output-skb \
	output-stack output-tcp output-tuple pcap-file pcap-mode pcap-snaplen \
	timestamp version profile plugin-dir list-plugins output-json; do
	echo "$out" | grep -q -- "--$f\b" || fail "--help lacks --$f"
done
[ "$rc" = 0 ] && pass "--help lists every reference flag" || fail "--help exit $rc"
"$VISTA" --filter-trace-skb -h | grep -q '^Usage: vista \[options\] \[pcap-filter\]' &&
	pass "-h prints the usage" || fail "-h does not print the usage"
"$VISTA" --version | grep -Eq '^vista [0-9]+\.[0-9]+\.[0-9]+ ' &&
	pass "--version" || fail "--version"
"$VISTA" --list-plugins >"$T/list"
grep -Eq '^tracer +skb ' "$T/list" && grep -Eq '^sink +text ' "$T/list" &&
	pass "--list-plugins shows skb and text" ||
	fail "--list-plugins: $(cat "$T/list")"

if [ "$(id -u)" = 0 ]; then
	# Root without capabilities: refused with what it needs, exit 1.
	expect_caps() {
		setpriv --inh-caps=-all --bounding-set=-all "$VISTA" \
			--filter-trace-skb >/dev/null 2>"$T/err"
		rc=$?
		if [ "$rc" = 1 ] && grep -q "needs root, or CAP_BPF" "$T/err"; then
			pass "no capabilities -> 1: $(cat "$T/err")"
		else
			fail "no capabilities: exit $rc: $(cat "$T/err")"
		fi
	}
	expect_caps
	expect 2 '--filter-addr: invalid value "1.2.3"' --filter-trace-skb \
		--filter-addr 1.2.3
	expect 2 '--filter-netns: invalid value "inode:abc"' --filter-trace-skb \
		--filter-netns inode:abc
	expect 2 '--filter-ifname: no interface "nope0"' --filter-trace-skb \
		--filter-ifname nope0
	expect 2 "--filter-skb-func: invalid regular expression '('" \
		--filter-trace-skb --filter-skb-func '('
	expect 1 "no skb tracepoint or function matches --filter-skb-func 'nomatch'" \
		--filter-trace-skb --filter-skb-func nomatch
	ln -s "$T/target" "$T/link"
	expect 1 "$T/link: Too many levels of symbolic links" \
		--filter-trace-skb --output-file "$T/link"
	[ -e "$T/target" ] && fail "followed the symlink" ||
		pass "did not write through the symlink"
	expect 1 "--kernel-btf" --filter-trace-skb --kernel-btf "$T/nothere"
	expect 1 "--kmods: no BTF for module 'nosuchmod' (is it loaded?)" \
		--filter-trace-skb --kmods nosuchmod
	# Code and settings only from files no one else can change.
	mkdir -m 0777 "$T/ww"
	expect 2 "$T/ww: refusing --plugin-dir: world-writable (chmod go-w $T/ww)" \
		--plugin-dir "$T/ww" --list-plugins
	mkdir -m 0755 "$T/ww/sub"
	expect 2 "$T/ww/sub: refusing --plugin-dir: its directory $T/ww is world-writable" \
		--plugin-dir "$T/ww/sub" --list-plugins
	printf '[core]\noutput-meta = true\n[tracer.skb]\n' >"$T/ok.ini"
	chmod 0664 "$T/ok.ini"
	expect 2 "$T/ok.ini: refusing profile: group-writable (chmod go-w $T/ok.ini)" \
		--profile "$T/ok.ini"
	chmod 0644 "$T/ok.ini"
	chown 4242 "$T/ok.ini"
	expect 2 "$T/ok.ini: refusing profile: owned by uid 4242, not by root or the invoking user" \
		--profile "$T/ok.ini"
	# Under sudo the user who ran it is trusted: the profile is read, and
	# the command line after it (its bad value is the one complaint).
	SUDO_UID=4242 "$VISTA" --profile "$T/ok.ini" --output-limit-lines x \
		>/dev/null 2>"$T/err"
	[ "$(cat "$T/err")" = '--output-limit-lines: invalid value "x": not a number' ] &&
		pass "a profile of the user who ran sudo is read" ||
		fail "SUDO_UID's profile: $(cat "$T/err")"
	# A backend the kernel lacks is a clear error, not a fallback.
	if [ ! -e /sys/bus/event_source/devices/kprobe ]; then
		expect 1 "--kprobe-backend kprobe: this kernel cannot: it has no kprobes" \
			--filter-trace-skb --kprobe-backend kprobe
	fi
	assert_no_leftovers
else
	echo "SKIP: capability and runtime-input checks need root"
fi
finish
