#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the VM tier's guest (dash): mount what vista and the scenarios
# need, load the modules, run the scenarios named on the kernel command
# line, print one result line for each, power off.
#
#   vista.scenarios=NAME[:SECONDS][,NAME[:SECONDS]...]   (default: all)
#   vista.timeout=SECONDS   per scenario without its own (default 120)
#   vista.env.NAME=VALUE    exported to the scenarios (VISTA_VM_ENV)
#
# Output markers, on the console and again on the second serial port,
# where no kernel message can break a line (tests/vm/run.sh reads that one
# first, and matches markers anywhere in a line):
#   VISTA-BOOTED <kernel> <uptime>
#   VISTA-RESULT <scenario> <PASS|FAIL|SKIP> <one-line detail>
#   VISTA-DONE <uptime>
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
HOME=/root
export PATH HOME

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t bpf bpf /sys/fs/bpf
mkdir -p /run/netns
hostname vista-vm
ip link set lo up

uptime() { cut -d' ' -f1 /proc/uptime; }
mark() {
	echo "$*"
	echo "$*" >/dev/ttyS1 2>/dev/null
}

off() {
	mark "VISTA-DONE $(uptime)"
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

# One modprobe for all: each kmod start costs on an emulated CPU.
modprobe -a $(cat /etc/modules) 2>/dev/null
missing=
for m in $(cat /etc/modules); do
	[ -d "/sys/module/$m" ] || missing="$missing $m"
done
[ -n "$missing" ] && echo "vm: modules not loaded:$missing"

mark "VISTA-BOOTED $(uname -r) $(uptime)"

list=
timeout=120
for arg in $(cat /proc/cmdline); do
	case $arg in
	vista.scenarios=*) list=$(echo "${arg#*=}" | tr ',' ' ') ;;
	vista.timeout=*) timeout=${arg#*=} ;;
	vista.env.*=*) export "${arg#vista.env.}" ;;
	esac
done
if [ -z "$list" ]; then
	for f in /vista/scenarios/*.sh; do
		f=${f##*/}
		list="$list ${f%.sh}"
	done
fi

# Whatever a scenario left running or configured must not touch the next.
reset() {
	kill -KILL -1 2>/dev/null
	ip -all netns delete 2>/dev/null
	iptables-nft -F 2>/dev/null
	iptables-legacy -F 2>/dev/null
}

for s in $list; do
	name=${s%%:*}
	t=$timeout
	[ "$name" != "$s" ] && t=${s#*:}
	f=/vista/scenarios/$name.sh
	res=/run/vista-result
	rm -f "$res"
	if [ ! -f "$f" ]; then
		mark "VISTA-RESULT $name FAIL no $f in the initramfs"
		continue
	fi
	start=$(uptime)
	echo "=== $name (at ${start}s, timeout ${t}s)"
	VISTA_SCENARIO=$name VISTA_RESULT_FILE=$res \
		timeout -k 5 "$t" bash "$f" </dev/null
	rc=$?
	reset
	line=$(head -1 "$res" 2>/dev/null)
	case $line in
	PASS*|FAIL*|SKIP*) ;;
	*)
		case $rc in
		124|137) line="FAIL timed out after ${t}s" ;;
		*) line="FAIL exited $rc without a result" ;;
		esac
		;;
	esac
	echo "=== $name: exit $rc after $(awk -v a="$start" -v b="$(uptime)" \
		'BEGIN { printf "%.1f", b - a }')s"
	mark "VISTA-RESULT $name $line"
done
off
