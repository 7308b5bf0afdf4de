// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The udp_fail_queue_rcv_skb tracepoint: a UDP datagram that reached its
 * socket and could not be queued (the receive buffer is full, or memory
 * accounting refused it). Built only against the installed vista SDK.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "udpfull.h"

/* Room for the event, a stack and a captured packet, per CPU. */
struct udpfull_scratch {
	__u8 buf[sizeof(struct udpfull_event) + VISTA_STACK_BYTES +
		 sizeof(struct vista_pkt) + VISTA_SNAPLEN_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct udpfull_scratch);
} udpfull_scratch SEC(".maps");

/* Since Linux 6.9 the tracepoint has the skb: (rc, sk, skb). */
SEC("tp_btf/udp_fail_queue_rcv_skb")
int BPF_PROG(udpfull, int rc, struct sock *sk, struct sk_buff *skb)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct udpfull_event ev = {};
	struct udpfull_scratch *s;
	struct vista_pkt *p;
	bool stack;
	__u32 zero = 0, off, n;

	vista_fill_hdr(&ev.hdr, 1, (__u64)skb);
	if (!vista_skb_collect(skb, 0, &ev.hdr, &ev.meta, &ev.tuple))
		return 0;
	ev.rc = rc;
	ev.rcvbuf = BPF_CORE_READ(sk, sk_rcvbuf);
	ev.rmem = BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	stack = cfg->output & VISTA_OUTPUT_STACK;
	if (!cfg->snaplen)
		return vista_submit(ctx, &ev, sizeof(ev), stack);
	s = bpf_map_lookup_elem(&udpfull_scratch, &zero);
	if (!s)
		return 0;
	off = vista_scratch_event(ctx, s->buf, &ev, sizeof(ev), stack);
	p = (struct vista_pkt *)(s->buf + off);
	n = vista_skb_capture(skb, p, cfg->snaplen);
	((struct udpfull_event *)s->buf)->pkt_off = n ? off : 0;
	vista_scratch_output(s->buf, n ? off + sizeof(*p) + n : off,
			     sizeof(s->buf));
	return 0;
}
