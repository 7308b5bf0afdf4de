// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TC and XDP programs seen from outside: fentry at a program's entry,
 * fexit at its exit (with its verdict). tcxdp.c opens this object once
 * per traced program and points the two programs of its kind at it;
 * tcx_target tells the events apart. The per-CPU scratch and entry maps
 * are shared by all copies.
 *
 * The kernel hands a TC program's fentry the struct sk_buff behind the
 * __sk_buff, and an XDP program's the struct xdp_buff behind the xdp_md.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "tcxdp.h"

const volatile __u32 tcx_target = 0;

/*
 * When the traced program's entry last matched on this CPU, by target
 * (0: it did not). A program runs to its exit on the CPU it entered on,
 * so its exit is reported whenever its entry was, and gets the time the
 * program took. Sized by tcxdp.c to the number of targets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tcx_entry SEC(".maps");

/* Room for one record with a stack and a packet, per CPU. */
struct tcx_scratch {
	__u8 buf[sizeof(struct tcx_event) + VISTA_STACK_BYTES +
		 sizeof(struct vista_pkt) + VISTA_SNAPLEN_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcx_scratch);
} tcx_scratch SEC(".maps");

#define TCX_ETH_HLEN	14
#define TCX_ETH_P_8021Q	0x8100
#define TCX_ETH_P_8021AD	0x88A8

/*
 * Entry: remember whether this one matched. Exit: whether the entry did
 * (then it is reported whatever the program made of the packet), and the
 * time since.
 */
static __always_inline bool tcx_pair(struct tcx_event *ev, bool matched)
{
	__u32 key = tcx_target;
	__u64 *at = bpf_map_lookup_elem(&tcx_entry, &key), now;

	if (!at)
		return false;
	if (ev->point == VISTA_POINT_ENTRY) {
		*at = matched ? ev->hdr.ts_ns : 0;
		return false;
	}
	now = ev->hdr.ts_ns;
	if (!*at)
		return false;
	ev->cost_ns = now > *at ? now - *at : 0;
	*at = 0;
	return true;
}

static __always_inline bool tcx_want_stack(const struct vista_filter_cfg *cfg)
{
	return cfg->output & VISTA_OUTPUT_STACK;
}

/*
 * The record: the event, its stack if asked for, and (a pcapng sink is
 * configured) the packet's first snaplen bytes from [start, end), built
 * in the per-CPU scratch and copied to the ring buffer at its real size.
 */
static __always_inline int tcx_submit(void *ctx, struct tcx_event *ev,
				      const struct vista_filter_cfg *cfg,
				      void *start, void *end, __u32 len,
				      __u16 linktype, __u8 pkt_type)
{
	struct tcx_scratch *s;
	struct vista_pkt *p;
	__u32 zero = 0, off, n;

	if (!cfg->snaplen)
		return vista_submit(ctx, ev, sizeof(*ev), tcx_want_stack(cfg));
	s = bpf_map_lookup_elem(&tcx_scratch, &zero);
	if (!s)
		return 0;
	off = vista_scratch_event(ctx, s->buf, ev, sizeof(*ev),
				  tcx_want_stack(cfg));
	p = (struct vista_pkt *)(s->buf + off);
	n = vista_mem_capture(start, end, len, linktype, p, cfg->snaplen);
	p->dir = ev->dir;
	p->pkt_type = pkt_type;
	((struct tcx_event *)s->buf)->pkt_off = n ? off : 0;
	return vista_scratch_output(s->buf, n ? off + sizeof(*p) + n : off,
				    sizeof(s->buf));
}

static __always_inline int tcx_tc(void *ctx, struct sk_buff *skb, __u8 point,
				  __u64 verdict)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct tcx_event ev = {};
	void *start, *end, *data;
	bool l2, matched;
	__u16 qm;

	if (!skb)
		return 0;
	vista_fill_hdr(&ev.hdr, TCX_EV, (__u64)skb);
	ev.point = point;
	matched = vista_skb_match(skb, 0, &ev.hdr, &ev.meta);
	if (!tcx_pair(&ev, matched) && !matched)
		return 0;
	if (!matched) {		/* the exit of an entry reported */
		ev.hdr.netns = vista_skb_netns(skb);
		vista_skb_meta(skb, &ev.meta);
	}
	ev.target = tcx_target;
	ev.hook = TCX_HOOK_TC;
	ev.verdict = point == VISTA_POINT_EXIT ? verdict : 0;
	vista_skb_tuple(skb, &ev.tuple);
	ev.dir = VISTA_DIR_UNKNOWN;
	if (bpf_core_field_exists(skb->tc_at_ingress))
		ev.dir = BPF_CORE_READ_BITFIELD_PROBED(skb, tc_at_ingress) ?
			 VISTA_DIR_IN : VISTA_DIR_OUT;
	/* Received: the rx queue plus one, 0 if the driver did not say. */
	qm = BPF_CORE_READ(skb, queue_mapping);
	if (ev.dir == VISTA_DIR_IN && qm) {
		ev.has_queue = 1;
		ev.queue = qm - 1;
	}
	if (!cfg->snaplen || !vista_skb_view(skb, &start, &end, &l2))
		return tcx_submit(ctx, &ev, cfg, NULL, NULL, 0, 0, 0);
	data = BPF_CORE_READ(skb, data);
	/* skb->len counts from skb->data; the view may start before it */
	return tcx_submit(ctx, &ev, cfg, start, end,
			  ev.meta.len + (__u32)(data - start),
			  l2 ? VISTA_LINKTYPE_ETHERNET : VISTA_LINKTYPE_RAW,
			  ev.meta.pkt_type);
}

/* How eth_type_trans() will classify the frame (PACKET_HOST ...). */
static __always_inline __u8 tcx_eth_pkt_type(const __u8 *dst,
					     struct net_device *dev)
{
	__u8 own[6] = {};
	const unsigned char *addr;
	int i;

	if (dst[0] & 1) {
		for (i = 0; i < 6; i++)
			if (dst[i] != 0xff)
				return 2;	/* PACKET_MULTICAST */
		return 1;			/* PACKET_BROADCAST */
	}
	addr = BPF_CORE_READ(dev, dev_addr);
	if (addr && !bpf_probe_read_kernel(own, sizeof(own), addr) &&
	    !vista_addr_eq(dst, own, 6))
		return 3;			/* PACKET_OTHERHOST */
	return 0;				/* PACKET_HOST */
}

static __always_inline int tcx_xdp(void *ctx, struct xdp_buff *xdp,
				   __u8 point, __u64 verdict)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct { __u8 dst[6], src[6]; __be16 proto; __be16 tci, proto2; } eth;
	struct xdp_rxq_info *rxq;
	struct net_device *dev;
	struct tcx_event ev = {};
	void *data, *end;
	__u32 nh = TCX_ETH_HLEN;
	__u16 proto;
	bool matched;

	if (!xdp)
		return 0;
	vista_fill_hdr(&ev.hdr, TCX_EV, (__u64)xdp);
	ev.point = point;
	data = BPF_CORE_READ(xdp, data);
	end = BPF_CORE_READ(xdp, data_end);
	rxq = BPF_CORE_READ(xdp, rxq);
	dev = rxq ? BPF_CORE_READ(rxq, dev) : NULL;
	if (!data || end < data + TCX_ETH_HLEN || !dev ||
	    bpf_probe_read_kernel(&eth, sizeof(eth), data))
		__builtin_memset(&eth, 0, sizeof(eth));
	proto = bpf_ntohs(eth.proto);
	if ((proto == TCX_ETH_P_8021Q || proto == TCX_ETH_P_8021AD) &&
	    end >= data + TCX_ETH_HLEN + 4) {
		proto = bpf_ntohs(eth.proto2);
		nh += 4;
	}
	ev.hdr.netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : 0;
	ev.meta.len = end > data ? end - data : 0;
	ev.meta.protocol = proto;
	if (dev) {
		ev.meta.ifindex = BPF_CORE_READ(dev, ifindex);
		ev.meta.mtu = BPF_CORE_READ(dev, mtu);
		ev.meta.pkt_type = tcx_eth_pkt_type(eth.dst, dev);
		ev.meta.flags = VISTA_META_HAS_DEV | VISTA_META_HAS_MAC;
	}
	matched = vista_filter_where(cfg, ev.hdr.netns, &ev.meta) &&
		  (!(cfg->flags & VISTA_FILTER_PCAP) ||
		   vista_pcap_l2(data, end));
	if (!tcx_pair(&ev, matched) && !matched)
		return 0;
	ev.target = tcx_target;
	ev.hook = TCX_HOOK_XDP;
	ev.verdict = point == VISTA_POINT_EXIT ? verdict : 0;
	if ((proto == VISTA_ETH_P_IP || proto == VISTA_ETH_P_IPV6) &&
	    end > data + nh)
		vista_l3_tuple(data, nh, &ev.tuple);
	ev.dir = VISTA_DIR_IN;
	ev.has_queue = 1;
	ev.queue = BPF_CORE_READ(rxq, queue_index);
	return tcx_submit(ctx, &ev, cfg, data, end, ev.meta.len,
			  VISTA_LINKTYPE_ETHERNET, ev.meta.pkt_type);
}

SEC(VISTA_SEC_TRACING)
int BPF_PROG(vista_tc_entry, struct sk_buff *skb)
{
	tcx_tc(ctx, skb, VISTA_POINT_ENTRY, 0);
	return 0;	/* fentry/fexit on a BPF program must return 0 */
}

SEC(VISTA_SEC_TRACING)
int BPF_PROG(vista_tc_exit, struct sk_buff *skb, int ret)
{
	tcx_tc(ctx, skb, VISTA_POINT_EXIT, (__u64)(__s64)ret);
	return 0;	/* fentry/fexit on a BPF program must return 0 */
}

SEC(VISTA_SEC_TRACING)
int BPF_PROG(vista_xdp_entry, struct xdp_buff *xdp)
{
	tcx_xdp(ctx, xdp, VISTA_POINT_ENTRY, 0);
	return 0;	/* fentry/fexit on a BPF program must return 0 */
}

SEC(VISTA_SEC_TRACING)
int BPF_PROG(vista_xdp_exit, struct xdp_buff *xdp, int ret)
{
	tcx_xdp(ctx, xdp, VISTA_POINT_EXIT, (__u64)(__s64)ret);
	return 0;	/* fentry/fexit on a BPF program must return 0 */
}
