#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build the fuzz harnesses (clang, libFuzzer, ASan, UBSan) and run each
# for a bounded time from its checked-in seed corpus
# (tests/fuzz/corpus/NAME), then the cBPF differential run (as root: it
# runs programs in the kernel). Any crash, sanitizer report, broken rule
# or mismatch fails the run; the inputs that failed are kept in
# OUT/artifacts.
#
#   tests/fuzz/run.sh [-t SECONDS] [-p PAIRS] [-s SEED] [-b BUILDDIR] [-o OUT]
#
# -t: seconds per harness (default 30), -p: cBPF program-packet pairs
# (default 1000000), -s: the seed of every harness and of the cBPF run
# (default: the time; printed, so a failure can be repeated). BUILDDIR
# is a configured and built tree (default build/); OUT defaults to
# BUILDDIR/fuzz. The longer run:
#   tests/fuzz/run.sh -t 3600 -p 100000000
set -eu
cd "$(dirname "$0")/../.."
secs=30 pairs=1000000 seed=$(date +%s) build=build out=
while getopts t:p:s:b:o: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	p) pairs=$OPTARG ;;
	s) seed=$OPTARG ;;
	b) build=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-p PAIRS] [-s SEED] [-b BUILDDIR] [-o OUT]" >&2
	   exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
out=${out:-$build/fuzz}
mkdir -p "$out/artifacts"
make -s -C tests/fuzz B="$build" O="$out"
list=$(make -s -C tests/fuzz B="$build" O="$out" list)
harnesses=$(echo "$list" | sed -n 's/^harnesses: //p')
tools=$(echo "$list" | sed -n 's/^tools: //p')

echo "fuzz: seed $seed (-s $seed repeats this run)"
fails=0
for h in $harnesses; do
	name=${h#fuzz_}
	seeds=tests/fuzz/corpus/$name
	work=$out/corpus-$name
	mkdir -p "$work"
	# New inputs go to work; the seeds stay as checked in.
	if "$out/$h" -seed="$seed" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
		"$work" "$seeds" >"$out/$name.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$out/$name.log")
		cov=$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1)
		echo "fuzz: $name: $execs inputs in ${secs}s, $cov," \
			"$(ls "$seeds" | wc -l) seeds, no failure"
	else
		echo "fuzz: $name: FAILED (log: $out/$name.log):"
		grep -E '^(fuzz:|==[0-9]+==ERROR|SUMMARY|artifact_prefix|.*runtime error)' \
			"$out/$name.log" | head -20
		fails=$((fails + 1))
	fi
done
for t in $tools; do
	case $t in
	cbpf_diff)
		if [ "$(id -u)" != 0 ]; then
			echo "fuzz: cbpf_diff: needs root (BPF_PROG_TEST_RUN)"
			fails=$((fails + 1))
			continue
		fi
		if "$out/cbpf_diff" --pairs "$pairs" --seed "$seed" \
			>"$out/cbpf_diff.log" 2>&1
		then
			tail -1 "$out/cbpf_diff.log" | sed 's/^/fuzz: /'
		else
			echo "fuzz: cbpf_diff: FAILED (log: $out/cbpf_diff.log):"
			head -40 "$out/cbpf_diff.log"
			fails=$((fails + 1))
		fi
		;;
	esac
done
[ "$fails" = 0 ] || { echo "fuzz: $fails failed"; exit 1; }
