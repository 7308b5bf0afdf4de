#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VM tier: boot each kernel once under qemu (TCG) with an initramfs of
# the freshly built vista, run the scenarios in it, report one line per
# scenario and a summary per kernel. See doc/vm.md.
#
#   tests/vm/run.sh [-k 6.1|6.12|all] [-s SCENARIO[,SCENARIO...]] [-t SECONDS]
#
# -k   kernel series (default all)
# -s   scenarios (tests/vm/scenarios/NAME.sh; default all); NAME:SECONDS
#      gives one its own timeout
# -t   hard limit for one boot (default: 60 + the scenarios' timeouts)
#
# Exit 0 when every scenario passed or skipped, 1 when one failed, had no
# result, or the VM did not finish; 77 (skip) when qemu is missing, unless
# CI=true, where that is a failure. Environment: VISTA_BUILDDIR (the build
# to test), VISTA_VM_CACHE (/var/cache/vista-vm), VISTA_VM_RESULTS (console
# logs, default $VISTA_VM_CACHE/results), VISTA_VM_TIMEOUT (= -t),
# VISTA_VM_ENV ("NAME=VALUE ...", exported to the scenarios in the guest),
# VISTA_VM_ACCEL (tcg), VISTA_VM_QEMU (qemu-system-x86_64), VISTA_VM=skip
# (skip the tier), VISTA_VM_SCENARIOS (another directory of scenarios of
# the same shape: bench/vm).
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}

QEMU=${VISTA_VM_QEMU:-qemu-system-x86_64}
series=all
scenarios=
boot_timeout=${VISTA_VM_TIMEOUT:-}
while getopts k:s:t:h o; do
	case $o in
	k) series=$OPTARG ;;
	s) scenarios=$(echo "$OPTARG" | tr ',' ' ') ;;
	t) boot_timeout=$OPTARG ;;
	*) usage ;;
	esac
done
[ $OPTIND -gt $# ] || usage
[ "$series" = all ] && series=$VM_SERIES

skip_or_fail() {
	echo "vm: ============================================================"
	echo "vm: $*"
	echo "vm: ============================================================"
	if [ "${CI:-}" = true ]; then
		echo "vm: FAIL: CI must run the VM tier"
		exit 1
	fi
	echo "SKIP: the VM tier did not run"
	exit 77
}

if [ "${VISTA_VM:-}" = skip ]; then
	echo "SKIP: VISTA_VM=skip (the VM tier ran elsewhere)"
	exit 77
fi
[ "$(id -u)" = 0 ] ||
	skip_or_fail "the VM tier needs root (apt-get, mknod, $VM_CACHE)"
command -v "$QEMU" >/dev/null ||
	(vm_need_pkgs qemu-system-x86_64:qemu-system-x86) || true
command -v "$QEMU" >/dev/null ||
	skip_or_fail "$QEMU is missing: apt-get install qemu-system-x86"

# Scenarios and their timeouts ("# timeout: N" in a scenario's header).
# probe first: it says what the kernel offers before anything else runs.
[ -n "$scenarios" ] || scenarios=$(cd "$VM_SCENARIOS" &&
	ls -- *.sh | sed 's/\.sh$//' | sort | awk '$0 == "probe" { print;
		next } { l = l " " $0 } END { print l }' | tr '\n' ' ')
scenarios=$(echo $scenarios)
cmdline_list=
sum=0
names=
for s in $scenarios; do
	# NAME:SECONDS overrides the scenario's own timeout.
	[[ $s =~ ^([a-z0-9_]+)(:([0-9]+))?$ ]] ||
		vm_die "bad scenario $s (NAME[:SECONDS], NAME of [a-z0-9_])"
	s=${BASH_REMATCH[1]}
	t=${BASH_REMATCH[3]}
	f=$VM_SCENARIOS/$s.sh
	[ -f "$f" ] || vm_die "no scenario $s ($f)"
	[ -n "$t" ] ||
		t=$(sed -n 's/^# timeout: *\([0-9][0-9]*\)$/\1/p' "$f" | head -1)
	t=${t:-120}
	sum=$((sum + t))
	cmdline_list=${cmdline_list:+$cmdline_list,}$s:$t
	names="$names $s"
done
scenarios=${names# }
boot_timeout=${boot_timeout:-$((60 + sum))}

kernels=$("$VM_DIR/kernels.sh" "$series")
# Another scenario set gets its own cached images.
img_suffix=
[ "$VM_SCENARIOS" = "$VM_DIR/scenarios" ] ||
	img_suffix=-$(echo "$VM_SCENARIOS" | sha256sum | cut -c1-8)

work=$(mktemp -d /tmp/vista-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
vm_stage_vista "$work/stage"

# initramfs KVER: the cached image for KVER, rebuilt when anything that
# goes into it changed (the vista build, this tier, the host's tools).
initramfs() {
	local kver=$1 img=$VM_CACHE/initramfs/$1$2.cpio.gz key
	key=$( {
		echo "$kver"
		(cd "$work/stage" &&
			find . -printf '%p %m %l\n' | LC_ALL=C sort &&
			find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum)
		(cd "$VM_DIR" && sha256sum common.sh mkinitramfs.sh init.sh \
			guest-lib.sh ../vista-lib.sh modules.list)
		(cd "$VM_SCENARIOS" && sha256sum ./*.sh $(ls ./*.inc 2>/dev/null))
		cat "$VM_CACHE/kernels/$kver/modroot/modules.list"
		dpkg-query -W busybox-static bash dash iproute2 iptables \
			iputils-ping bpftool jq util-linux coreutils kmod \
			libc6 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1)
	if [ -f "$img" ] && [ "$(cat "$img.key" 2>/dev/null)" = "$key" ]; then
		echo "$img"
		return 0
	fi
	VISTA_STAGE=$work/stage "$VM_DIR/mkinitramfs.sh" "$kver" "$img" >&2 ||
		return 1
	echo "$key" >"$img.key"
	echo "$img"
}

# host_check SCENARIO KVER CONSOLE: decode the files the scenario
# exported (export_file in guest-lib.sh) and run its host check on them:
# its output goes to the test log, its first FAIL line to stdout.
host_check() {
	local sc=$1 kver=$2 c=$3 d=$work/files/$sc out rc=0
	rm -rf "$d"
	mkdir -p "$d"
	grep -o "VISTA-FILE-BEGIN $sc .*" "$c" | while read -r _ _ name; do
		case $name in */*|.*|'') continue ;; esac
		grep -o "VISTA-FILE $sc $name .*" "$c" |
			sed "s/^VISTA-FILE $sc $name //" | base64 -d >"$d/$name" ||
			echo "FAIL: $name: not base64"
		grep -q "VISTA-FILE-END $sc $name" "$c" ||
			echo "FAIL: $name: cut short"
	done >"$d.log" 2>&1
	VISTA_KVER=$kver bash "$VM_DIR/host-checks/$sc.sh" "$d" >>"$d.log" 2>&1 ||
		rc=1
	sed "s/^/vm $kver: $sc (host) | /" "$d.log" >&2
	out=$(grep -m1 '^FAIL' "$d.log")
	[ "$rc" = 0 ] && [ -z "$out" ] && return 0
	echo "${out:-exit $rc}"
	return 1
}

rc=0
while read -r s kver kdir <&3; do
	vm_lock "initramfs-$kver"
	img=$(initramfs "$kver" "$img_suffix") ||
		vm_die "no initramfs for $kver"
	results=${VISTA_VM_RESULTS:-$VM_CACHE/results}/$kver
	mkdir -p "$results"
	append="console=ttyS0 panic=-1 quiet vista.scenarios=$cmdline_list"
	for kv in ${VISTA_VM_ENV:-}; do
		append="$append vista.env.$kv"
	done
	# A kernel can die in its own boot under emulation (seen once: an
	# int3 oops while 6.12 patched its text, before init ran): that says
	# nothing about vista, so such a boot is tried once more.
	for attempt in 1 2; do
		stamp=$(date +%Y%m%d-%H%M%S)-$$
		log=$results/console-$stamp.log
		marks=$results/markers-$stamp.log
		# One boot at a time: two emulated guests on this machine's
		# cores would slow each other past their timeouts.
		vm_lock boot
		echo "vm $kver: booting (timeout ${boot_timeout}s): $scenarios"
		t0=$(date +%s.%N)
		qrc=0
		timeout -k 10 "$boot_timeout" "$QEMU" \
			-nographic -no-reboot -m 2048 -smp 2 -nic none \
			-serial mon:stdio -serial "file:$marks" \
			-accel "${VISTA_VM_ACCEL:-tcg}" -cpu max \
			-kernel "$kdir/vmlinuz" -initrd "$img" \
			-append "$append" \
			</dev/null >"$log" 2>&1 || qrc=$?
		t1=$(date +%s.%N)
		flock -u 8
		ls -t "$results"/*.log | tail -n +41 | xargs -r rm -f
		# The markers' own port first: the console's lines can be
		# broken by kernel messages (and start with firmware escape
		# codes).
		cat "$marks" "$log" 2>/dev/null | tr -d '\r' >"$work/console"
		c=$work/console
		if grep -q VISTA-BOOTED "$c" || [ "$attempt" = 2 ]; then
			break
		fi
		echo "vm $kver: the kernel died before vista's init ran" \
			"(console: $log): booting once more"
	done

	pass=0 fail=0 skip=0
	for sc in $scenarios; do
		line=$(grep -o "VISTA-RESULT $sc .*" "$c" | head -1 || true)
		line=${line#"VISTA-RESULT $sc "}
		case $line in
		PASS*) pass=$((pass + 1)) ;;
		SKIP*) skip=$((skip + 1)) ;;
		FAIL*) fail=$((fail + 1)) ;;
		*)
			line="FAIL no result"
			fail=$((fail + 1))
			;;
		esac
		# The guest passed: what it exported, checked on the host.
		case $line in
		PASS*)
			if [ -f "$VM_DIR/host-checks/$sc.sh" ]; then
				hline=$(host_check "$sc" "$kver" "$work/console") ||
					{ line="FAIL host check: $hline"
					  pass=$((pass - 1)) fail=$((fail + 1)); }
			fi
			;;
		esac
		echo "vm $kver: $sc $line"
		case $line in
		FAIL*)
			# The scenario's own output, for the test log.
			tr -d '\r' <"$log" |
				sed -n "/=== $sc (/,/VISTA-RESULT $sc /p" |
				sed "s/^/vm $kver: | /"
			;;
		esac
	done
	done=yes
	if ! grep -q VISTA-DONE "$c"; then
		done=no
		if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
			echo "vm $kver: FAIL: no VISTA-DONE:" \
				"killed after ${boot_timeout}s"
		else
			echo "vm $kver: FAIL: no VISTA-DONE (qemu exit $qrc)"
		fi
		echo "vm $kver: the console's last lines:"
		tr -d '\r' <"$log" | tail -40 | sed "s/^/vm $kver: | /"
	fi
	booted=$(sed -n 's/.*VISTA-BOOTED [^ ]* \([0-9.]*\).*/\1/p' "$c" |
		head -1)
	done_at=$(sed -n 's/.*VISTA-DONE \([0-9.]*\).*/\1/p' "$c" | head -1)
	echo "vm $kver: $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.1f", b - a }')s wall, guest booted at" \
		"${booted:-?}s, done at ${done_at:-?}s; console: $log"
	echo "vm $kver: $pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ] && [ "$done" = yes ] || rc=1
done 3<<<"$kernels"
exit $rc
