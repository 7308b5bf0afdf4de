#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build vista with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-san/ and run the unit and host end-to-end tiers with it (as root;
# the VM tier runs the normal build). Every report goes to a file in
# build-san/sanitizers/; any report, or a failed test, fails the run.
# (The VM tier and the valgrind run are the normal build's.)
set -e
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi
mkdir -p build-san
cd build-san
[ -f Makefile ] || ../configure --disable-silent-rules --enable-sanitizers
make -j"$(nproc)"
reports=$PWD/sanitizers
rm -rf "$reports"
mkdir -p "$reports"
ASAN_OPTIONS=log_path=$reports/asan:detect_leaks=1:abort_on_error=0
UBSAN_OPTIONS=log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1
# Tests with time or memory bounds apply the sanitized build's.
VISTA_SANITIZERS=1
export ASAN_OPTIONS UBSAN_OPTIONS VISTA_SANITIZERS
rc=0
# valgrind cannot run an ASan build; five kill cycles (the normal build
# ran the hundred).
make check VISTA_VM=skip VISTA_MEMCHECK=skip KILL_CYCLES=5 ||
	{ cat test-suite.log; rc=1; }
n=$(find "$reports" -type f | wc -l)
if [ "$n" != 0 ]; then
	echo "sanitize: $n report(s):"
	for f in "$reports"/*; do
		echo "== $f"
		head -60 "$f"
	done
	exit 1
fi
[ "$rc" = 0 ] || exit 1
echo "sanitize: $(sed -n 's/^# PASS: *//p' test-suite.log) tests passed under ASan and UBSan, no reports"
