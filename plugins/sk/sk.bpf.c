// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Socket tracing: every function or tracepoint that takes a struct sock.
 *
 * vista_sk_tpN: the sock is argument N of a BTF-typed hook (tp_btf for
 *   tracepoints, fentry for functions), one clone per target;
 * vista_sk_kpN: the sock is argument N of a kprobed function.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include <vista/bpf/sock.bpf.h>
#include "sk.h"

const volatile __u32 sk_mark = 0;	/* --filter-sk-mark, 0: any */
const volatile bool sk_output = false;	/* --output-sk */

static __always_inline void sk_info(struct sock *sk, struct sk_event *ev)
{
	struct socket *sock = BPF_CORE_READ(sk, sk_socket);

	ev->has_info = 1;
	ev->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	ev->reuseport = BPF_CORE_READ_BITFIELD_PROBED(sk,
						__sk_common.skc_reuseport);
	ev->bound_ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	if (bpf_core_field_exists(sk->sk_rx_dst_ifindex))
		ev->rx_dst_ifindex = BPF_CORE_READ(sk, sk_rx_dst_ifindex);
	ev->backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	ev->max_backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	ev->rcvbuf = BPF_CORE_READ(sk, sk_rcvbuf);
	ev->sndbuf = BPF_CORE_READ(sk, sk_sndbuf);
	ev->rmem = BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	ev->wmem_queued = BPF_CORE_READ(sk, sk_wmem_queued);
	ev->priority = BPF_CORE_READ(sk, sk_priority);
	ev->mark = BPF_CORE_READ(sk, sk_mark);
	ev->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev->type = BPF_CORE_READ(sk, sk_type);
	if (!sock)
		return;
	ev->has_socket = 1;
	ev->sock_state = BPF_CORE_READ(sock, state);
	ev->sock_type = BPF_CORE_READ(sock, type);
	ev->sock_flags = BPF_CORE_READ(sock, flags);
	/* struct socket_alloc: the socket, then its inode */
	ev->inode = BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino);
}

static __always_inline int sk_handle(void *ctx, struct sock *sk, __u32 target,
				     __u64 func_ip)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct sk_event ev = {};

	if (!sk)
		return 0;
	ev.hdr.netns = vista_sk_netns(sk);
	vista_sk_tuple(sk, &ev.tuple);
	if (!vista_sk_match(cfg, ev.hdr.netns, sk_mark, sk, &ev.tuple))
		return 0;
	vista_fill_hdr(&ev.hdr, SK_EV_FUNC, (__u64)sk);
	ev.hdr.target = target;
	ev.hdr.func_ip = func_ip;
	if (sk_output)
		sk_info(sk, &ev);
	vista_submit(ctx, &ev, sizeof(ev), cfg->output & VISTA_OUTPUT_STACK);
	return 0;
}

#define SK_TRACING_TEMPLATE(pos)					\
SEC(VISTA_SEC_TRACING)							\
int vista_sk_tp##pos(__u64 *ctx)					\
{									\
	return sk_handle(ctx, (struct sock *)ctx[pos - 1],		\
			 vista_target_id(), 0);				\
}

#define SK_KPROBE_TEMPLATE(pos)						\
SEC(VISTA_SEC_KPROBE)							\
int vista_sk_kp##pos(struct pt_regs *ctx)				\
{									\
	return sk_handle(ctx, (struct sock *)PT_REGS_PARM##pos(ctx),	\
			 VISTA_TARGET_NONE, bpf_get_func_ip(ctx));	\
}

SK_TRACING_TEMPLATE(1)
SK_TRACING_TEMPLATE(2)
SK_TRACING_TEMPLATE(3)
SK_TRACING_TEMPLATE(4)
SK_TRACING_TEMPLATE(5)
SK_KPROBE_TEMPLATE(1)
SK_KPROBE_TEMPLATE(2)
SK_KPROBE_TEMPLATE(3)
SK_KPROBE_TEMPLATE(4)
SK_KPROBE_TEMPLATE(5)
