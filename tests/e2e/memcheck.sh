#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# valgrind memcheck over end-to-end runs: drops.sh (the main job, text
# sink) and trace.sh (IPv4 and IPv6 tuples, metadata, marks), each vista
# in them run under memcheck. An invalid read or write, a use of uninitialised
# memory or a leak valgrind is sure of makes that vista exit 99, which its
# test sees as a failed exit; every report is printed. MEMCHECK_TESTS
# names other tests (without .sh) to run so ("drops trace pcapng json").
set -u
dir=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${srcdir:-$(cd "$dir/../.." && pwd)}
VISTA=${VISTA:-$(cd "$dir/../.." && pwd)/vista}
if [ "${VISTA_E2E:-}" = skip ]; then
	echo "SKIP: memcheck.sh: VISTA_E2E=skip (the host tier ran elsewhere)"
	exit 77
fi
if [ "${VISTA_MEMCHECK:-}" = skip ]; then
	# scripts/sanitize.sh: valgrind cannot run an ASan build.
	echo "SKIP: memcheck.sh: VISTA_MEMCHECK=skip"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: memcheck.sh needs root (it runs host end-to-end tests)"
	exit 77
fi
command -v valgrind >/dev/null ||
	{ echo "FAIL: valgrind missing (scripts/deps.sh installs it)"; exit 1; }
T=$(mktemp -d /tmp/vista-memcheck.XXXXXX)
trap 'rm -rf "$T"' EXIT

# The tests take the end-to-end lock themselves: not taken here.
cat >"$T/vista" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite \\
	--suppressions="$SRCDIR/tests/valgrind.supp" \\
	--log-file="$T/memcheck.%p" "$VISTA" "\$@"
WRAP
chmod +x "$T/vista"

fails=0
for t in ${MEMCHECK_TESTS:-drops trace}; do
	# Under memcheck vista takes about ten seconds to listen.
	if VISTA=$T/vista START_TIMEOUT=60 sh "$dir/$t.sh" >"$T/$t.log" 2>&1
	then
		echo "ok: $t.sh under memcheck"
	else
		echo "FAIL: $t.sh under memcheck:"
		grep -v '^ok' "$T/$t.log"
		fails=$((fails + 1))
	fi
done
runs=0
for f in "$T"/memcheck.*; do
	[ -e "$f" ] || continue
	runs=$((runs + 1))
	# valgrind 3.19 does not know every bpf() command; it says so.
	if grep -v -- '^--[0-9]*-- WARNING: unhandled eBPF command' "$f" |
	   grep -q .; then
		echo "FAIL: memcheck report for vista pid ${f##*.}:"
		cat "$f"
		fails=$((fails + 1))
	fi
done
if [ "$runs" = 0 ]; then
	echo "FAIL: no vista ran under memcheck"
	exit 1
fi
if [ "$fails" -gt 0 ]; then
	echo "memcheck.sh: $fails check(s) failed"
	exit 1
fi
echo "memcheck.sh: $runs vista runs under memcheck, no reports"
