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
start_vista "$T/full.out" --filter-trace-skb --output-meta --output-tuple \
	--filter-addr "$ADDR_B" --output-file "$T/full/out.txt" \
	--pcap-file "$T/full/out.pcapng" || exit 1
ip netns exec "$NS_A" ping -f -c 2000 -s 200 "$ADDR_B" >/dev/null 2>&1
for i in $(seq 1 50); do
	kill -0 "$VISTA_PID" 2>/dev/null || break
	sleep 0.1
done
stop_vista INT; rc=$?
err=$T/full.out.err
[ "$rc" = 1 ] && pass "full disk: exit 1" || fail "full disk: exit $rc"
grep -q "No space left on device$" "$err" &&
	pass "full disk: $(grep -m1 'No space' "$err")" ||
	fail "full disk: no error line: $(cat "$err")"
[ "$(tail -c 1 "$T/full/out.txt" | od -An -c | tr -d ' ')" = '\n' ] &&
	[ -z "$(grep -vE '^ *(SKB|0x[0-9a-f]+ )' "$T/full/out.txt" | head -1)" ] &&
	pass "full disk: the text ends with a whole line ($(wc -l <"$T/full/out.txt") lines)" ||
	fail "full disk: the text is cut: $(tail -c 120 "$T/full/out.txt")"
if n=$(capture_ok "$T/full/out.pcapng"); then
	said=$(sed -nE 's/.*out.pcapng: ([0-9]+) packets.*/\1/p' "$err")
	[ "$n" -gt 0 ] && [ "$n" = "$said" ] &&
		pass "full disk: the capture reads cleanly, $n packets as said" ||
		fail "full disk: $n packets read, vista said '$said'"
else
	fail "full disk: tshark complains about the capture"
fi
unmount
assert_no_leftovers

# ---- stdout closed by its reader
leftover_baseline
( "$VISTA" --filter-trace-skb --filter-addr "$ADDR_B" 2>"$T/pipe.err"
  echo $? >"$T/pipe.rc" ) | head -c 1 >/dev/null &
for i in $(seq 1 $((START_TIMEOUT * 10))); do
	grep -q "listening for events" "$T/pipe.err" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$NS_A" ping -c 3 -i 0.2 "$ADDR_B" >/dev/null 2>&1
for i in $(seq 1 50); do
	[ -s "$T/pipe.rc" ] && break
	sleep 0.1
done
[ "$(cat "$T/pipe.rc" 2>/dev/null)" = 1 ] &&
	grep -q "^vista: text: stdout: Broken pipe$" "$T/pipe.err" &&
	pass "closed pipe: exit 1, $(grep -m1 'Broken pipe' "$T/pipe.err")" ||
	fail "closed pipe: exit $(cat "$T/pipe.rc" 2>/dev/null): $(cat "$T/pipe.err")"
wait
assert_no_leftovers

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
start_vista "$T/flood.out" --filter-trace-skb --output-meta --output-tuple \
	--output-stack --ring-size 65536 --filter-addr "$ADDR_B" \
	--pcap-file "$T/flood.pcapng" || exit 1
for i in 1 2 3 4; do
	ip netns exec "$NS_A" timeout 4 ping -f -s 1000 "$ADDR_B" \
		>/dev/null 2>&1 &
done
sleep 2.5
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$VISTA_PID/status")
t0=$(date +%s%N)
kill -INT "$VISTA_PID"
wait "$VISTA_PID"; rc=$?
t1=$(date +%s%N)
VISTA_PID=
ms=$(( (t1 - t0) / 1000000 ))
wait
[ "$rc" = 0 ] && [ "$ms" -le "$STOP_MS" ] &&
	pass "overload: stopped in $ms ms after SIGINT" ||
	fail "overload: exit $rc after $ms ms (want 0 within $STOP_MS ms)"
grep -q '^vista: warning: lost [0-9]* events (ring buffer full' \
	"$T/flood.out.err" && pass "overload: lost events reported while running" ||
	fail "overload: no lost-events warning"
summary=$(grep -E '^vista: [0-9]+ events, [0-9]+ lost' "$T/flood.out.err")
lost=$(echo "$summary" | sed -E 's/.* ([0-9]+) lost.*/\1/')
[ "${lost:-0}" -gt 0 ] && pass "overload: $summary" ||
	fail "overload: no lost count at exit: $summary"
# The ring (64 KiB here) and the sinks' buffers are all vista holds.
[ "$hwm" -lt "$RSS_KB" ] && pass "overload: peak RSS $((hwm / 1024)) MiB" ||
	fail "overload: peak RSS $hwm KiB"
n=$(capture_ok "$T/flood.pcapng") &&
	pass "overload: the capture reads cleanly ($n packets)" ||
	fail "overload: tshark complains about the capture"
assert_no_leftovers
finish
