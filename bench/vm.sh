#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vista's benchmarks in the VM kernels (root; qemu under TCG, as the VM
# test tier boots them): startup to listening, the attach itself, CPU time
# (ours: user; the kernel's: sys), detach and peak RSS per backend tracing
# every skb function; and packets/s through a veth with no tracing, a
# filter matching nothing and one matching all, per backend. Each figure
# sits next to the same run's baseline; nothing fails on speed. Writes
# bench/results/DATE-vm.md (DATE-vm-SCENARIO-....md with -s).
#
#   bench/vm.sh [-k 6.1|6.12|all] [-s SCENARIO,...]   (bench/vm/*.sh)
#
# The original tool, measured in the same VMs (issue #9): about 8 s from
# start to listening with kprobe-multi (6.12), 36 s (6.12) and 55 s (6.1)
# to attach plain kprobes, 60 to 75 s to detach them.
set -u
cd "$(dirname "$0")/.."
series=all scen=
while getopts k:s: o; do
	case $o in
	k) series=$OPTARG ;;
	s) scen=$OPTARG ;;
	*) sed -n 's/^#   //p' "$0" >&2; exit 2 ;;
	esac
done
T=$(mktemp -d /tmp/vista-bench-vm.XXXXXX)
trap 'rm -rf "$T"' EXIT
VISTA_VM_SCENARIOS=$PWD/bench/vm tests/vm/run.sh -k "$series" \
	${scen:+-s "$scen"} >"$T/out" 2>"$T/err"
rc=$?
grep -E '^vm [0-9.]+[^:]*: [a-z0-9_]+ (PASS|FAIL|SKIP)' "$T/out" >"$T/res"
[ "$rc" = 0 ] || { echo "bench/vm: the VM run failed (exit $rc):"; cat "$T/out"; }

# val KVER KEY: a number from the scenario lines of kernel KVER.
val() {
	grep "^vm $1: " "$T/res" | grep -o " $2=[^ ]*" | head -1 | cut -d= -f2
}
# rate N TIME UNIT: N per second over TIME (in 1/UNIT s).
rate() { awk -v n="$1" -v t="$2" -v u="$3" 'BEGIN { if (t == "" || t == 0) print "-"; else printf "%.0f", n * u / t }'; }

# A run of some scenarios does not overwrite the day's full run.
out=bench/results/$(date +%F)-vm${scen:+-$(echo "$scen" | tr , -)}.md
{
	echo "# vista VM benchmarks, $(date -u '+%F %H:%M UTC')"
	echo
	echo "qemu TCG on $(nproc) host CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), 2 guest CPUs; vista $(build/vista --version | awk '{ print $2 }'). Every skb function (tracepoints for the tracepoint backend); user/sys: vista's CPU time until it listened; detach: SIGINT to exit, dsys its kernel time."
	for k in $(awk '{ print $2 }' "$T/res" | tr -d : | sort -uV); do
		echo
		echo "## $k"
		echo
		echo "| backend | targets | start to listening (s) | attach (ms) | attach (targets/s) | user (s) | sys (s) | detach (s) | detach (targets/s) | detach sys (s) | peak RSS (MiB) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		for b in tp kmulti fentry kprobe kprobe1; do
			n=$(val "$k" ${b}_n)
			[ -n "$n" ] || continue
			echo "| $b | $n | $(val "$k" ${b}_start) | $(val "$k" ${b}_attach) | $(rate "$n" "$(val "$k" ${b}_attach)" 1000) | $(val "$k" ${b}_user) | $(val "$k" ${b}_sys) | $(val "$k" ${b}_detach) | $(rate "$n" "$(val "$k" ${b}_detach)" 1) | $(val "$k" ${b}_dsys) | $(val "$k" ${b}_rss) |"
		done
		echo
		echo "| backend | pps, no tracing | filter matching nothing | ratio | matching all | ratio |"
		echo "|---|---|---|---|---|---|"
		for b in tp kmulti fentry; do
			[ -n "$(val "$k" ${b}_base)" ] || continue
			echo "| $b | $(val "$k" ${b}_base) | $(val "$k" ${b}_nomatch) | $(val "$k" ${b}_nomatch_r) | $(val "$k" ${b}_match) | $(val "$k" ${b}_match_r) |"
		done
		echo
		echo "Scenario lines:"
		echo
		grep "^vm $k: " "$T/res" | sed 's/^/    /'
	done
} >"$out"
cat "$out"
exit $rc
