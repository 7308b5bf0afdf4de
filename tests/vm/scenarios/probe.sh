#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
# What the guest kernel offers vista (the detail of the result line), and
# that the guest is fit for the other scenarios: BTF, tracefs, bpffs, the
# modules, the installed vista and its plugins.
. /vista/guest-lib.sh

tf=$(tracefs)
[ -r /sys/kernel/btf/vmlinux ] && pass "vmlinux BTF" ||
	fail "no /sys/kernel/btf/vmlinux"
[ -d "$tf/events" ] && pass "tracefs at $tf" || fail "no tracefs"
grep -q ' /sys/fs/bpf bpf ' /proc/mounts && pass "bpffs" || fail "no bpffs"
[ -d /sys/module/veth ] && pass "veth loaded" || fail "veth not loaded"

"$VISTA" --version >"$T/version" 2>&1 && pass "$(cat "$T/version")" ||
	fail "vista --version: $(cat "$T/version")"
"$VISTA" --list-plugins >"$T/plugins" 2>&1
for p in "tracer *skb" "sink *text"; do
	grep -Eq "^$p .* /usr/local/lib/vista/" "$T/plugins" &&
		pass "installed plugin: $p" ||
		{ fail "--list-plugins lacks $p"; cat "$T/plugins"; }
done

kp=no
have_kprobe_pmu && kp=yes
aff=no
[ -r "$tf/available_filter_functions" ] &&
	aff="yes($(wc -l <"$tf/available_filter_functions"))"
mbtf=no
have_module_btf &&
	mbtf="yes($(ls /sys/kernel/btf | grep -vc '^vmlinux$'))"
cfg=
for c in KPROBES KPROBE_EVENTS FPROBE FUNCTION_TRACER \
	DYNAMIC_FTRACE_WITH_DIRECT_CALLS DEBUG_INFO_BTF DEBUG_INFO_BTF_MODULES \
	BPF_JIT; do
	cfg="$cfg $c=$(kconfig $c)"
done
# Module BTF must be there whenever the kernel builds it.
if [ "$(kconfig DEBUG_INFO_BTF_MODULES)" = y ]; then
	[ -r /sys/kernel/btf/veth ] && pass "module BTF (veth)" ||
		fail "DEBUG_INFO_BTF_MODULES=y but no /sys/kernel/btf/veth"
fi

detail="kprobe_pmu=$kp filter_functions=$aff module_btf=$mbtf$cfg"
log "$detail"
finish "$(uname -r): $detail"
