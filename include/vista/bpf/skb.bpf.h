/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading packets from a struct sk_buff and applying the shared filters
 * (netns, mark, ifindex, and the pcap-filter expression, which also
 * carries --filter-addr/--filter-port/--filter-protocol). Every plugin
 * that sees skbs uses these, so a filter means the same thing everywhere.
 *
 * Two ways to read the kernel's structures. The plain helpers
 * (vista_skb_collect() ...) read each field with a probe-read helper call
 * and work in every program type. The _btf ones (vista_skb_collect_btf()
 * ...) need skb as a BTF-typed pointer, as tp_btf, fentry and fexit
 * programs get their arguments: they load fields directly, which the
 * verifier turns into guarded loads the JIT inlines, with no helper call
 * (several times cheaper; the packet bytes are still probe reads). Both
 * read the same fields the same way.
 *
 * Loading a pointer field from the skb a tracing program is given (a
 * trusted pointer) is expensive to verify: measured on 6.18, a clone with
 * such loads on several paths took 80 ms to verify, 7 ms without. So
 * skb->dev is loaded once by the callers of the __vista_skb_*() bodies
 * and handed down, and skb->sk (needed only for packets without a device)
 * is a probe read.
 *
 *   vista_skb_collect[_btf]   filters, then header, meta and tuple
 *   vista_skb_match[_btf]     filters, then header and meta
 *   vista_skb_netns[_btf], vista_skb_meta[_btf], vista_skb_tuple[_btf],
 *   vista_skb_view[_btf], vista_skb_pcap[_btf], vista_skb_capture[_btf],
 *   vista_track_has[_btf]
 *
 * (defined at the end by VISTA_SKB_READERS over the __vista_skb_*()
 * bodies).
 *
 * Include after <vista/bpf/vista.bpf.h>.
 */
#ifndef VISTA_BPF_SKB_H
#define VISTA_BPF_SKB_H

#define VISTA_ETH_P_IP		0x0800
#define VISTA_ETH_P_IPV6	0x86DD
#define VISTA_IPPROTO_ICMP	1
#define VISTA_IPPROTO_TCP	6
#define VISTA_IPPROTO_UDP	17
#define VISTA_IPPROTO_ICMPV6	58

/*
 * p->field, by direct load or by probe read. direct is a compile-time
 * constant wherever this is used (the functions are always inlined), so
 * only one of the two is compiled.
 */
#define VISTA_RD(direct, p, field) \
	((direct) ? (p)->field : BPF_CORE_READ(p, field))
#define VISTA_RD_BITFIELD(direct, p, field) \
	((direct) ? BPF_CORE_READ_BITFIELD(p, field) : \
		    BPF_CORE_READ_BITFIELD_PROBED(p, field))

/* dev: skb->dev, loaded by the caller. */
static __always_inline __u32 __vista_skb_netns(struct sk_buff *skb,
					       struct net_device *dev,
					       bool direct)
{
	struct sock *sk;
	struct net *net;
	__u32 inum = 0;

	if (dev) {
		net = VISTA_RD(direct, dev, nd_net.net);
		if (net)
			inum = VISTA_RD(direct, net, ns.inum);
	}
	if (!inum) {
		sk = BPF_CORE_READ(skb, sk);
		if (sk)
			inum = BPF_CORE_READ(sk, __sk_common.skc_net.net,
					     ns.inum);
	}
	return inum;
}

static __always_inline void __vista_skb_meta(struct sk_buff *skb,
					     struct net_device *dev,
					     struct vista_skb_meta *m,
					     bool direct)
{
	m->mark = VISTA_RD(direct, skb, mark);
	m->len = VISTA_RD(direct, skb, len);
	m->protocol = bpf_ntohs(VISTA_RD(direct, skb, protocol));
	m->pkt_type = VISTA_RD_BITFIELD(direct, skb, pkt_type);
	m->flags = 0;
	m->ifindex = 0;
	m->mtu = 0;
	if (dev) {
		m->ifindex = VISTA_RD(direct, dev, ifindex);
		m->mtu = VISTA_RD(direct, dev, mtu);
		m->flags |= VISTA_META_HAS_DEV;
	}
	if (VISTA_RD(direct, skb, mac_header) != (__u16)~0U)
		m->flags |= VISTA_META_HAS_MAC;
}

/*
 * A fresh skb's network_header is 0 until the stack sets it (the IP
 * header never sits at the very start of the buffer); ~0 is "unset" too.
 */
static __always_inline bool vista_skb_nh_set(__u16 nh)
{
	return nh && nh != (__u16)~0U;
}

#define VISTA_ARPHRD_ETHER	1
#define VISTA_ARPHRD_LOOPBACK	772

/*
 * Where the packet starts in skb's linear data, as pcap would see it:
 * the Ethernet header (mac_header) on Ethernet-like devices when it is
 * set and differs from the network header, else the IP header. false if
 * neither is known.
 */
static __always_inline bool __vista_skb_view(struct sk_buff *skb,
					     struct net_device *dev,
					     void **start, void **end,
					     bool *l2, bool direct)
{
	void *head = VISTA_RD(direct, skb, head);
	__u16 mac = VISTA_RD(direct, skb, mac_header);
	__u16 nh = VISTA_RD(direct, skb, network_header);

	if (!head)
		return false;
	*end = head + VISTA_RD(direct, skb, tail);
	*l2 = mac != (__u16)~0U && mac != nh;
	if (*l2 && dev) {
		unsigned short type = VISTA_RD(direct, dev, type);

		*l2 = type == VISTA_ARPHRD_ETHER ||
		      type == VISTA_ARPHRD_LOOPBACK;
	}
	if (*l2) {
		*start = head + mac;
		return true;
	}
	if (!vista_skb_nh_set(nh))
		return false;
	*start = head + nh;
	return true;
}

/*
 * The pcap-filter expression on the skb's linear data: from the Ethernet
 * header when the skb has one (a MAC header distinct from the network
 * header, on an Ethernet-like device), else from the network header
 * (locally generated packets before the neighbour layer, tunnels, L3
 * devices). Paged data beyond the linear part is not seen.
 */
static __always_inline bool __vista_skb_pcap(struct sk_buff *skb,
					     struct net_device *dev,
					     bool direct)
{
	void *start, *end;
	bool l2;

	if (!__vista_skb_view(skb, dev, &start, &end, &l2, direct))
		return false;
	return l2 ? vista_pcap_l2(start, end) : vista_pcap_l3(start, end);
}

/*
 * The packet for pcapng: p, then up to snaplen bytes of kernel memory
 * [start, end), into room for VISTA_SNAPLEN_MAX bytes after p. len is the
 * packet's length on the wire from start; the caller sets p->dir. Returns
 * the number of bytes after p.
 */
static __always_inline __u32 vista_mem_capture(void *start, void *end,
					       __u32 len, __u16 linktype,
					       struct vista_pkt *p,
					       __u32 snaplen)
{
	__u64 n;	/* 64 bits: the verifier keeps the bounds below */

	p->len = len;
	p->linktype = linktype;
	p->dir = VISTA_DIR_UNKNOWN;
	p->pkt_type = 0;
	p->pad = 0;
	p->pad2 = 0;
	n = end > start ? end - start : 0;
	if (n > snaplen)
		n = snaplen;
	if (n > VISTA_SNAPLEN_MAX)
		n = VISTA_SNAPLEN_MAX;
	if (n && bpf_probe_read_kernel(p + 1, n, start))
		n = 0;
	p->caplen = n;
	return n;
}

/*
 * The packet for pcapng (the filter config's snaplen > 0): p, then up to
 * snaplen bytes of skb from its first header (the view the pcap filter
 * sees), into room for VISTA_SNAPLEN_MAX bytes after p. Returns the
 * number of bytes after p, 0 if the skb has no known header.
 */
static __always_inline __u32 __vista_skb_capture(struct sk_buff *skb,
						 struct net_device *dev,
						 struct vista_pkt *p,
						 __u32 snaplen, bool direct)
{
	void *start, *end, *data;
	__u32 n;
	bool l2;

	if (!__vista_skb_view(skb, dev, &start, &end, &l2, direct) ||
	    end <= start)
		return 0;
	data = VISTA_RD(direct, skb, data);
	/* skb->len counts from skb->data; the view may start before it */
	n = vista_mem_capture(start, end,
			      VISTA_RD(direct, skb, len) +
			      (__u32)(data - start),
			      l2 ? VISTA_LINKTYPE_ETHERNET : VISTA_LINKTYPE_RAW,
			      p, snaplen);
	p->pkt_type = VISTA_RD_BITFIELD(direct, skb, pkt_type);
	return n;
}

/* Skip IPv6 extension headers (bounded); returns the L4 protocol. */
static __always_inline __u8 vista_ipv6_l4(void *head, __u32 *off,
					  __u8 nexthdr)
{
	struct { __u8 nexthdr; __u8 len; } ext;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (nexthdr != 0 && nexthdr != 43 && nexthdr != 60 &&
		    nexthdr != 44)
			break;
		if (bpf_probe_read_kernel(&ext, sizeof(ext), head + *off))
			break;
		/* A fragment header is 8 bytes whatever its len byte says. */
		*off += nexthdr == 44 ? 8 : (ext.len + 1) * 8;
		nexthdr = ext.nexthdr;
	}
	return nexthdr;
}

/*
 * The L3/L4 tuple of the IPv4 or IPv6 header at head + nh (kernel
 * memory). false if there is none.
 */
static __always_inline bool vista_l3_tuple(void *head, __u32 nh,
					   struct vista_tuple *t)
{
	__u32 l4off;
	__u8 ver;

	if (bpf_probe_read_kernel(&ver, 1, head + nh))
		return false;
	ver >>= 4;

	if (ver == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return false;
		t->l3proto = VISTA_ETH_P_IP;
		__builtin_memcpy(t->saddr, &ip.saddr, 4);
		__builtin_memcpy(t->daddr, &ip.daddr, 4);
		t->l4proto = ip.protocol;
		/* Later fragments carry no L4 header. */
		if (ip.frag_off & bpf_htons(0x1fff))
			return true;
		l4off = nh + ip.ihl * 4;
	} else if (ver == 6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return false;
		t->l3proto = VISTA_ETH_P_IPV6;
		__builtin_memcpy(t->saddr, &ip6.saddr, 16);
		__builtin_memcpy(t->daddr, &ip6.daddr, 16);
		l4off = nh + sizeof(ip6);
		t->l4proto = vista_ipv6_l4(head, &l4off, ip6.nexthdr);
	} else {
		return false;
	}

	switch (t->l4proto) {
	case VISTA_IPPROTO_TCP: {
		struct { __be16 sport, dport; __u32 seq, ack; __u8 off, flags; }
			tcp;

		if (!bpf_probe_read_kernel(&tcp, sizeof(tcp), head + l4off)) {
			t->sport = bpf_ntohs(tcp.sport);
			t->dport = bpf_ntohs(tcp.dport);
			t->tcp_flags = tcp.flags;
		}
		break;
	}
	case VISTA_IPPROTO_UDP: {
		struct { __be16 sport, dport; } udp;

		if (!bpf_probe_read_kernel(&udp, sizeof(udp), head + l4off)) {
			t->sport = bpf_ntohs(udp.sport);
			t->dport = bpf_ntohs(udp.dport);
		}
		break;
	}
	case VISTA_IPPROTO_ICMP:
	case VISTA_IPPROTO_ICMPV6: {
		struct { __u8 type, code; __be16 csum, id, seq; } icmp;

		if (!bpf_probe_read_kernel(&icmp, sizeof(icmp), head + l4off)) {
			t->icmp_type = icmp.type;
			t->icmp_code = icmp.code;
			t->icmp_id = bpf_ntohs(icmp.id);
			t->icmp_seq = bpf_ntohs(icmp.seq);
		}
		break;
	}
	}
	return true;
}

/*
 * Read the L3/L4 tuple from the skb's linear data at its network header.
 * Returns false if the skb carries no IPv4/IPv6 header there yet.
 */
static __always_inline bool __vista_skb_tuple(struct sk_buff *skb,
					      struct vista_tuple *t,
					      bool direct)
{
	void *head = VISTA_RD(direct, skb, head);
	__u16 nh = VISTA_RD(direct, skb, network_header);

	if (!vista_skb_nh_set(nh) || !head)
		return false;
	return vista_l3_tuple(head, nh, t);
}

static __always_inline bool vista_addr_eq(const __u8 *a, const __u8 *b,
					  int n)
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++) {
		if (i >= n)
			break;
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* The filters on where a packet is; a filter that is not set matches. */
static __always_inline bool
vista_filter_where(const struct vista_filter_cfg *cfg, __u32 netns,
		   const struct vista_skb_meta *m)
{
	__u32 f = cfg->flags;

	if ((f & VISTA_FILTER_NETNS) && netns != cfg->netns)
		return false;
	if ((f & VISTA_FILTER_MARK) && m->mark != cfg->mark)
		return false;
	if ((f & VISTA_FILTER_IFINDEX) && m->ifindex != cfg->ifindex)
		return false;
	return true;
}

/*
 * --filter-addr/--filter-port/--filter-protocol on a tuple, for objects
 * that are not packets (sockets). Packets get them through the pcap
 * expression the core builds from them.
 */
static __always_inline bool
vista_filter_tuple(const struct vista_filter_cfg *cfg,
		   const struct vista_tuple *t)
{
	__u32 f = cfg->flags;

	if (f & VISTA_FILTER_ADDR4) {
		if (t->l3proto != VISTA_ETH_P_IP ||
		    (!vista_addr_eq(t->saddr, cfg->addr, 4) &&
		     !vista_addr_eq(t->daddr, cfg->addr, 4)))
			return false;
	}
	if (f & VISTA_FILTER_ADDR6) {
		if (t->l3proto != VISTA_ETH_P_IPV6 ||
		    (!vista_addr_eq(t->saddr, cfg->addr, 16) &&
		     !vista_addr_eq(t->daddr, cfg->addr, 16)))
			return false;
	}
	if ((f & VISTA_FILTER_PROTO) && t->l4proto != cfg->l4proto)
		return false;
	if (f & VISTA_FILTER_PORT) {
		if (t->l4proto != VISTA_IPPROTO_TCP &&
		    t->l4proto != VISTA_IPPROTO_UDP)
			return false;
		if (t->sport != cfg->port && t->dport != cfg->port)
			return false;
	}
	return true;
}

/* ---- --filter-track-skb (the maps are in <vista/bpf/vista.bpf.h>) ---- */

static __always_inline void vista_track_count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&vista_track_stats, &what);

	if (n)
		(*n)++;
}

/* Is skb followed? A pending entry learns its head here. */
static __always_inline bool __vista_track_has(struct sk_buff *skb,
					      bool direct)
{
	__u64 key = (__u64)skb, head = (__u64)VISTA_RD(direct, skb, head);
	__u64 *h = bpf_map_lookup_elem(&vista_track, &key);

	if (!h)
		return false;
	if (*h == head)
		return true;
	if (*h == VISTA_TRACK_PENDING) {
		*h = head;
		return true;
	}
	/* Another head at this address: another packet. */
	if (!bpf_map_delete_elem(&vista_track, &key))
		vista_track_count(VISTA_TRACK_STALE);
	return false;
}

static __always_inline void vista_track_add(__u64 skb, __u64 head)
{
	if (!bpf_map_update_elem(&vista_track, &skb, &head, BPF_NOEXIST))
		vista_track_count(VISTA_TRACK_ADDED);
}

/* The skb is freed: forget it. */
static __always_inline void vista_track_forget(__u64 skb)
{
	if (!bpf_map_delete_elem(&vista_track, &skb))
		vista_track_count(VISTA_TRACK_REMOVED);
}

/* nskb was cloned or copied from skb (its head is not known yet). */
static __always_inline void vista_track_copy(__u64 nskb, __u64 skb)
{
	if (bpf_map_lookup_elem(&vista_track, &skb))
		vista_track_add(nskb, VISTA_TRACK_PENDING);
}

/* skb's head is about to be reallocated (pskb_expand_head). */
static __always_inline void vista_track_realloc(__u64 skb)
{
	__u64 *h = bpf_map_lookup_elem(&vista_track, &skb);

	if (h)
		*h = VISTA_TRACK_PENDING;
}

/*
 * Does skb pass the filters (netns, ifindex, mark unless 0, then the pcap
 * expression)? If so, hdr->netns and m are filled (not otherwise: a
 * packet that does not match costs only the reads its filters need).
 * With --filter-track-skb, an skb that matched once passes until it is
 * freed, whatever it looks like by then (NAT, tunnels). For programs that
 * only mark packets; vista_skb_collect() also reads the tuple for an
 * event.
 */
static __always_inline bool __vista_skb_match(struct sk_buff *skb,
					      struct net_device *dev,
					      __u32 mark,
					      struct vista_event_hdr *hdr,
					      struct vista_skb_meta *m,
					      bool direct)
{
	const struct vista_filter_cfg *cfg = vista_config();
	__u32 f, netns = 0;
	bool track;

	if (!skb)
		return false;
	f = cfg->flags;
	track = f & VISTA_FILTER_TRACK;
	if (track && __vista_track_has(skb, direct))
		goto matched;
	if (f & VISTA_FILTER_NETNS) {
		netns = __vista_skb_netns(skb, dev, direct);
		if (netns != cfg->netns)
			return false;
	}
	if ((f & VISTA_FILTER_MARK) &&
	    VISTA_RD(direct, skb, mark) != cfg->mark)
		return false;
	if (mark && VISTA_RD(direct, skb, mark) != mark)
		return false;
	if ((f & VISTA_FILTER_IFINDEX) &&
	    (!dev || VISTA_RD(direct, dev, ifindex) != cfg->ifindex))
		return false;
	if ((f & VISTA_FILTER_PCAP) && !__vista_skb_pcap(skb, dev, direct))
		return false;
	if (track)
		vista_track_add((__u64)skb,
				(__u64)VISTA_RD(direct, skb, head));
matched:
	hdr->netns = netns ? netns : __vista_skb_netns(skb, dev, direct);
	__vista_skb_meta(skb, dev, m, direct);
	return true;
}

/* Header, meta and tuple of skb if it passes the filters. */
static __always_inline bool __vista_skb_collect(struct sk_buff *skb,
						struct net_device *dev,
						__u32 mark,
						struct vista_event_hdr *hdr,
						struct vista_skb_meta *m,
						struct vista_tuple *t,
						bool direct)
{
	if (!__vista_skb_match(skb, dev, mark, hdr, m, direct))
		return false;
	__vista_skb_tuple(skb, t, direct);
	return true;
}

/*
 * The public helpers: by probe reads (any program), and _btf (skb a
 * BTF-typed pointer: tp_btf, fentry, fexit). skb may be NULL.
 */
#define VISTA_SKB_DEV(direct, skb) \
	((skb) ? VISTA_RD(direct, skb, dev) : (struct net_device *)0)
#define VISTA_SKB_READERS(sfx, direct)					\
static __always_inline __attribute__((unused)) __u32			\
vista_skb_netns##sfx(struct sk_buff *skb)				\
{ return __vista_skb_netns(skb, VISTA_SKB_DEV(direct, skb), direct); }	\
static __always_inline __attribute__((unused)) void			\
vista_skb_meta##sfx(struct sk_buff *skb, struct vista_skb_meta *m)	\
{ __vista_skb_meta(skb, VISTA_SKB_DEV(direct, skb), m, direct); }	\
static __always_inline __attribute__((unused)) bool			\
vista_skb_view##sfx(struct sk_buff *skb, void **start, void **end,	\
		    bool *l2)						\
{									\
	return __vista_skb_view(skb, VISTA_SKB_DEV(direct, skb), start,	\
				end, l2, direct);			\
}									\
static __always_inline __attribute__((unused)) bool			\
vista_skb_pcap##sfx(struct sk_buff *skb)				\
{ return __vista_skb_pcap(skb, VISTA_SKB_DEV(direct, skb), direct); }	\
static __always_inline __attribute__((unused)) __u32			\
vista_skb_capture##sfx(struct sk_buff *skb, struct vista_pkt *p,	\
		       __u32 snaplen)					\
{									\
	return __vista_skb_capture(skb, VISTA_SKB_DEV(direct, skb), p,	\
				   snaplen, direct);			\
}									\
static __always_inline __attribute__((unused)) bool			\
vista_skb_tuple##sfx(struct sk_buff *skb, struct vista_tuple *t)	\
{ return __vista_skb_tuple(skb, t, direct); }				\
static __always_inline __attribute__((unused)) bool			\
vista_track_has##sfx(struct sk_buff *skb)				\
{ return __vista_track_has(skb, direct); }				\
static __always_inline __attribute__((unused)) bool			\
vista_skb_match##sfx(struct sk_buff *skb, __u32 mark,			\
		     struct vista_event_hdr *hdr,			\
		     struct vista_skb_meta *m)				\
{									\
	return __vista_skb_match(skb, VISTA_SKB_DEV(direct, skb), mark,	\
				 hdr, m, direct);			\
}									\
static __always_inline __attribute__((unused)) bool			\
vista_skb_collect##sfx(struct sk_buff *skb, __u32 mark,			\
		       struct vista_event_hdr *hdr,			\
		       struct vista_skb_meta *m, struct vista_tuple *t)	\
{									\
	return __vista_skb_collect(skb, VISTA_SKB_DEV(direct, skb), mark,	\
				   hdr, m, t, direct);			\
}

VISTA_SKB_READERS(, false)
VISTA_SKB_READERS(_btf, true)

#endif /* VISTA_BPF_SKB_H */
