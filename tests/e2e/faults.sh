#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Output files, their errors, and overload. New output files are 0600,
# regular files are truncated and a fifo stays one. A read-only path, a
# full disk (a small tmpfs) and a closed stdout pipe each end vista with
# one clear line and exit 1, the files holding whole records only (text
# ends with a complete line; the pcapng capture reads cleanly). SIGINT
# waits for a slow reader; a second one gives up on a reader that has
# stopped reading, and vista still detaches. A flood through a small
# ring into slow sinks loses events, says so, keeps memory bounded, and
# vista still stops within a second of SIGINT, leaving a valid capture.
# Nothing stays attached.
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

# The bounds of stopping and memory are the release build's:
# scripts/sanitize.sh sets VISTA_SANITIZERS, under which every event
# costs several times more (formatting a stack is instrumented) and ASan
# keeps shadow memory and a quarantine of freed blocks.
if [ -n "${VISTA_SANITIZERS:-}" ]; then
	STOP_MS=5000 RSS_KB=262144
else
	STOP_MS=1000 RSS_KB=65536
fi

# ---- a slow reader: SIGINT while a write waits for it
# Into a reader taking 80 KB/s most writes block. The first signal must
# not fail them (it did: "Interrupted system call", exit 1, the rest of
# the output lost): vista stops reading the ring, detaches, and writes
# out what is left (a 4 KiB ring and its buffers) at the reader's pace.
# Whether SIGINT meets a blocked write here is chance (a stdio write
# already in part done just returns short); stuck_reader below checks
# that for certain.
mkfifo "$T/slow.fifo"
(
	exec <"$T/slow.fifo"
	while [ "$(dd bs=4096 count=1 status=none | wc -c)" -gt 0 ]; do
		sleep 0.05
	done
) &
READER=$!
VISTA_DEBUG=1 \
start_vista "$T/slow.out" --filter-trace-skb --output-meta --output-tuple \
	--ring-size 4096 --filter-addr "$ADDR_B" --output-file "$T/slow.fifo" ||
	exit 1
FLOODS=
for i in 1 2; do
	ip netns exec "$NS_A" timeout 30 ping -f -s 1000 "$ADDR_B" \
		>/dev/null 2>&1 &
	FLOODS="$FLOODS $!"
done
sleep 2
t0=$(now_ms)
kill -INT "$VISTA_PID"
wait "$VISTA_PID"; rc=$?
t1=$(now_ms)
VISTA_PID=
kill $FLOODS 2>/dev/null
wait $FLOODS "$READER" 2>/dev/null
ms=$((t1 - t0))
det=$(detach_ms "$T/slow.out.err")
[ "$rc" = 0 ] && [ $((ms - det)) -le "$STOP_MS" ] &&
	pass "slow reader: stopped in $ms ms after SIGINT, $det ms of it detaching" ||
	fail "slow reader: exit $rc after $ms ms, $det ms of it detaching (want 0 within $STOP_MS ms besides detaching): $(grep -v "^vista: debug" "$T/slow.out.err" | tail -2)"
grep -q '^vista: [0-9]* events, [1-9][0-9]* lost' "$T/slow.out.err" &&
	pass "slow reader: $(grep '^vista: [0-9]* events' "$T/slow.out.err")" ||
	fail "slow reader: no lost count: $(tail -3 "$T/slow.out.err")"
assert_no_leftovers

# ---- a reader that stopped reading: the first signal waits for it, the
# second gives the output up, and vista still detaches.
# stuck_reader SINK FILE ARGS...: vista ARGS writes SINK's output into
# the fifo FILE, which a reader opens and never reads.
stuck_reader() {
	local sink=$1 fifo=$2 reader flood rc t0 t1 line
	shift 2
	mkfifo "$fifo"
	sleep 300 <"$fifo" &
	reader=$!
	start_vista "$T/stuck.out" --filter-trace-skb --output-meta \
		--output-tuple --filter-addr "$ADDR_B" "$@" || exit 1
	# Through both signals: the sink is blocked in write() at the first
	# (the pipe and the stdio buffer take a fraction of a second's).
	ip netns exec "$NS_A" timeout 30 ping -f -s 1000 "$ADDR_B" \
		>/dev/null 2>&1 &
	flood=$!
	sleep 1
	kill -INT "$VISTA_PID"
	sleep 1
	kill -0 "$VISTA_PID" 2>/dev/null &&
		pass "stuck reader ($sink): vista waits for it after the first SIGINT" ||
		fail "stuck reader ($sink): vista gone after the first SIGINT: $(tail -2 "$T/stuck.out.err")"
	t0=$(now_ms)
	signal_wait INT; rc=$?
	t1=$(now_ms)
	kill "$reader" "$flood" 2>/dev/null
	wait "$reader" "$flood" 2>/dev/null
	line="vista: $sink: $fifo: given up on a second signal: the reader was not reading"
	[ "$rc" = 1 ] && [ $((t1 - t0)) -le $((STOP_MS + 1000)) ] &&
		grep -qxF "$line" "$T/stuck.out.err" &&
		pass "stuck reader ($sink): the second SIGINT: exit 1 after $((t1 - t0)) ms, $line" ||
		fail "stuck reader ($sink): the second SIGINT: exit $rc after $((t1 - t0)) ms: $(grep -E "^vista: (text|pcapng):" "$T/stuck.out.err")"
	assert_no_leftovers
	rm -f "$fifo"
}
stuck_reader text "$T/stuck.fifo" --output-file "$T/stuck.fifo"
stuck_reader pcapng "$T/stuck.fifo" --output-file "$T/stuck.txt" \
	--pcap-file "$T/stuck.fifo"

# ---- overload: a flood through a small ring into slow sinks
fault_overload "$STOP_MS" "$STOP_MS" "$RSS_KB" --pcap-file "$T/flood.pcapng"
n=$(capture_ok "$T/flood.pcapng") &&
	pass "overload: the capture reads cleanly ($n packets)" ||
	fail "overload: tshark complains about the capture"
finish
