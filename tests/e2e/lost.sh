#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Lost events are counted and reported, never hidden: a ping flood through
# a tiny ring buffer must lose events, say so while running and at exit,
# and every event it does print must be counted in the summary.
. "$(dirname "$0")/lib.sh"
need_root
setup_pair

out=$T/lost.txt
start_vista "$out" --filter-trace-skb --output-tuple --ring-size 4096 \
	--filter-addr "$ADDR_B" || exit 1
ip netns exec "$NS_A" ping -f -c 3000 "$ADDR_B" >/dev/null 2>&1
# The warning comes from the running vista (checked once a second),
# before anything stops it.
warned=
for i in $(seq 1 30); do
	grep -q '^vista: warning: lost [0-9]* events (ring buffer full' \
		"$out.err" && { warned=1; break; }
	sleep 0.1
done
[ -n "$warned" ] && pass "warned while running" || fail "no warning while running"
stop_vista INT; rc=$?
[ "$rc" = 0 ] && pass "exit 0" || fail "exit code $rc"

summary=$(grep -E '^vista: [0-9]+ events, [0-9]+ lost' "$out.err")
events=$(echo "$summary" | sed -E 's/^vista: ([0-9]+) events.*/\1/')
lost=$(echo "$summary" | sed -E 's/.* ([0-9]+) lost.*/\1/')
lines=$(event_lines "$out" | wc -l)
[ -n "$lost" ] && [ "$lost" -gt 0 ] && pass "summary: $summary" ||
	fail "no lost events reported: $summary"
[ "$events" = "$lines" ] && pass "$lines lines printed = $events counted" ||
	fail "$lines lines printed, summary says $events"
assert_no_leftovers
finish
