#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Output files, their errors, and overload. New output files are 0600,
# regular files are truncated and a fifo stays one. A read-only path, a
# full disk (a small tmpfs) and a closed stdout pipe each end vista with
# one clear line and exit 1, the files holding whole records only (text
# ends with a complete line; the pcapng capture reads cleanly); a flood
# through a small ring into slow sinks loses events, says so, keeps
# memory bounded, and vista still stops within a second of SIGINT,
# leaving a valid capture. Nothing stays attached.
. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || { echo "FAIL: tshark missing"; exit 1; }
MNT=
# vista first (it may hold a file on the mount), then the mount.
unmount() {
	[ -n "$VISTA_PID" ] && kill -KILL "$VISTA_PID" 2>/dev/null &&
		wait "$VISTA_PID" 2>/dev/null
	[ -n "$MNT" ] && umount -l "$MNT" 2>/dev/null
	MNT=
}
trap 'unmount; cleanup' EXIT
setup_pair

# capture_ok FILE: tshark reads it whole, without complaint; prints the
# packet count.
capture_ok() {
	local n
	n=$(tshark -r "$1" -T fields -e frame.number 2>"$T/tshark.err" |
		wc -l)
	if tshark_complaints "$T/tshark.err" | grep -q .; then
		echo "# tshark: $(cat "$T/tshark.err")" >&2
		return 1
	fi
	echo "$n"
}

# ---- output files: new ones 0600, regular ones truncated, a fifo kept
umask 022
printf 'old contents\n' >"$T/old.txt"
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" &
start_vista "$T/files.out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--output-file "$T/new.txt" --pcap-file "$T/new.pcapng" || exit 1
stop_vista INT
[ "$(stat -c %a "$T/new.txt")" = 600 ] &&
	[ "$(stat -c %a "$T/new.pcapng")" = 600 ] &&
	pass "new output files are 0600 (umask 022)" ||
	fail "modes $(stat -c %a "$T/new.txt") $(stat -c %a "$T/new.pcapng")"
start_vista "$T/files2.out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--output-file "$T/old.txt" || exit 1
stop_vista INT
grep -q "old contents" "$T/old.txt" && fail "old.txt not truncated" ||
	pass "a regular file is truncated"
start_vista "$T/files3.out" --filter-trace-skb --filter-addr "$ADDR_B" \
	--output-file "$T/fifo" || exit 1
stop_vista INT
wait
[ -p "$T/fifo" ] && grep -q "FUNC" "$T/fifo.out" &&
	pass "a fifo is written to and stays a fifo" ||
	fail "fifo: $(ls -l "$T/fifo"): $(head -2 "$T/fifo.out")"
assert_no_leftovers

# ---- a read-only path: refused before anything is attached
mkdir "$T/ro"
mount -t tmpfs -o ro,size=64k tmpfs "$T/ro" && MNT=$T/ro
leftover_baseline
"$VISTA" --filter-trace-skb --output-file "$T/ro/out.txt" >/dev/null \
	2>"$T/ro.err"
rc=$?
[ "$rc" = 1 ] && grep -q "^vista: text: $T/ro/out.txt: Read-only file system$" \
	"$T/ro.err" && ! grep -q "listening" "$T/ro.err" &&
	pass "read-only: exit 1, $(head -1 "$T/ro.err")" ||
	fail "read-only: exit $rc: $(cat "$T/ro.err")"
unmount
assert_no_leftovers

# ---- a full disk, text and pcapng at once
mkdir "$T/full"
mount -t tmpfs -o size=96k tmpfs "$T/full" && MNT=$T/full
fault_full_disk "$T/full"
if n=$(capture_ok "$T/full/out.pcapng"); then
	[ "$n" -gt 0 ] && [ "$n" = "$FULL_SAID" ] &&
		pass "full disk: the capture reads cleanly, $n packets as said" ||
		fail "full disk: $n packets read, vista said '$FULL_SAID'"
else
	fail "full disk: tshark complains about the capture"
fi
unmount
assert_no_leftovers

# ---- stdout closed by its reader
fault_closed_pipe

# ---- overload: a flood through a small ring into slow sinks
# The bounds are the release build's: scripts/sanitize.sh sets
# VISTA_SANITIZERS, under which every event costs several times more
# (formatting a stack is instrumented) and ASan keeps shadow memory and
# a quarantine of freed blocks.
if [ -n "${VISTA_SANITIZERS:-}" ]; then
	STOP_MS=5000 RSS_KB=262144
else
	STOP_MS=1000 RSS_KB=65536
fi
fault_overload "$STOP_MS" "$STOP_MS" "$RSS_KB" --pcap-file "$T/flood.pcapng"
n=$(capture_ok "$T/flood.pcapng") &&
	pass "overload: the capture reads cleanly ($n packets)" ||
	fail "overload: tshark complains about the capture"
finish
