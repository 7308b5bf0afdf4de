// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A synthetic event source for the benchmarks: on prctl(SYNTH_PRCTL, n,
 * seq) from any task, submit n events through the core's ring buffer, as
 * fast as the kernel can, with bpf_loop(). Every other syscall returns at
 * the first compare.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include "synth.h"

#if defined(__TARGET_ARCH_x86)
#define SYNTH_NR_PRCTL	157
#elif defined(__TARGET_ARCH_arm64)
#define SYNTH_NR_PRCTL	167
#else
#error "synth: add this architecture's prctl syscall number"
#endif

static long synth_one(__u64 i, void *arg)
{
	struct synth_event *ev = arg;

	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->func = (ev->seq + i) % SYNTH_NR_FUNCS;
	ev->tuple.sport = 1024 + (__u16)(ev->seq + i);
	vista_submit(NULL, ev, sizeof(*ev), false);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(synth, struct pt_regs *regs, long id)
{
	struct synth_event ev = {};
	__u64 n;

	if (id != SYNTH_NR_PRCTL || PT_REGS_PARM1_CORE_SYSCALL(regs) != SYNTH_PRCTL)
		return 0;
	n = PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (n > SYNTH_MAX_BATCH)
		n = SYNTH_MAX_BATCH;
	vista_fill_hdr(&ev.hdr, 1, 0xffff888012345600ULL);
	/* The caller's netns, where ifindex 1 is its loopback device. */
	ev.hdr.netns = BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(),
				     nsproxy, net_ns, ns.inum);
	ev.seq = PT_REGS_PARM3_CORE_SYSCALL(regs);
	ev.meta.ifindex = 1;
	ev.meta.len = 60;
	ev.meta.mtu = 65536;
	ev.meta.protocol = 0x0800;
	ev.meta.flags = VISTA_META_HAS_DEV;
	ev.tuple.l3proto = 0x0800;
	ev.tuple.l4proto = 17;
	ev.tuple.saddr[0] = 127;
	ev.tuple.saddr[3] = 1;
	ev.tuple.daddr[0] = 127;
	ev.tuple.daddr[3] = 2;
	ev.tuple.dport = 9;
	bpf_loop(n, synth_one, &ev, 0);
	return 0;
}
