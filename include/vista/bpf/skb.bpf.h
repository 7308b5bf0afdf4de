/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading packets from a struct sk_buff and applying the shared filters
 * (netns, mark, ifindex, and the pcap-filter expression, which also
 * carries --filter-addr/--filter-port/--filter-protocol). Every plugin
 * that sees skbs uses these, so a filter means the same thing everywhere.
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

static __always_inline __u32 vista_skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;
	__u32 inum = 0;

	if (dev)
		inum = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (!inum) {
		sk = BPF_CORE_READ(skb, sk);
		if (sk)
			inum = BPF_CORE_READ(sk, __sk_common.skc_net.net,
					     ns.inum);
	}
	return inum;
}

static __always_inline void vista_skb_meta(struct sk_buff *skb,
					   struct vista_skb_meta *m)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	m->mark = BPF_CORE_READ(skb, mark);
	m->len = BPF_CORE_READ(skb, len);
	m->protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	m->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	m->flags = 0;
	if (dev) {
		m->ifindex = BPF_CORE_READ(dev, ifindex);
		m->mtu = BPF_CORE_READ(dev, mtu);
		m->flags |= VISTA_META_HAS_DEV;
	}
	if (BPF_CORE_READ(skb, mac_header) != (__u16)~0U)
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
static __always_inline bool vista_skb_view(struct sk_buff *skb, void **start,
					   void **end, bool *l2)
{
	void *head = BPF_CORE_READ(skb, head);
	__u16 mac = BPF_CORE_READ(skb, mac_header);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	struct net_device *dev = BPF_CORE_READ(skb, dev);

	if (!head)
		return false;
	*end = head + BPF_CORE_READ(skb, tail);
	*l2 = mac != (__u16)~0U && mac != nh;
	if (*l2 && dev) {
		unsigned short type = BPF_CORE_READ(dev, type);

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
static __always_inline bool vista_skb_pcap(struct sk_buff *skb)
{
	void *start, *end;
	bool l2;

	if (!vista_skb_view(skb, &start, &end, &l2))
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
static __always_inline __u32 vista_skb_capture(struct sk_buff *skb,
					       struct vista_pkt *p,
					       __u32 snaplen)
{
	void *start, *end, *data;
	__u32 n;
	bool l2;

	if (!vista_skb_view(skb, &start, &end, &l2) || end <= start)
		return 0;
	data = BPF_CORE_READ(skb, data);
	/* skb->len counts from skb->data; the view may start before it */
	n = vista_mem_capture(start, end,
			      BPF_CORE_READ(skb, len) + (__u32)(data - start),
			      l2 ? VISTA_LINKTYPE_ETHERNET : VISTA_LINKTYPE_RAW,
			      p, snaplen);
	p->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
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
static __always_inline bool vista_skb_tuple(struct sk_buff *skb,
					    struct vista_tuple *t)
{
	void *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);

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
static __always_inline bool vista_track_has(struct sk_buff *skb)
{
	__u64 key = (__u64)skb, head = (__u64)BPF_CORE_READ(skb, head);
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
 * expression)? hdr->netns and m are filled on the way. With
 * --filter-track-skb, an skb that matched once passes until it is freed,
 * whatever it looks like by then (NAT, tunnels). For programs that only
 * mark packets; vista_skb_collect() also reads the tuple for an event.
 */
static __always_inline bool vista_skb_match(struct sk_buff *skb, __u32 mark,
					    struct vista_event_hdr *hdr,
					    struct vista_skb_meta *m)
{
	const struct vista_filter_cfg *cfg = vista_config();
	bool track;

	if (!cfg || !skb)
		return false;
	hdr->netns = vista_skb_netns(skb);
	vista_skb_meta(skb, m);
	track = cfg->flags & VISTA_FILTER_TRACK;
	if (track && vista_track_has(skb))
		return true;
	if (!vista_filter_where(cfg, hdr->netns, m))
		return false;
	if (mark && m->mark != mark)
		return false;
	if ((cfg->flags & VISTA_FILTER_PCAP) && !vista_skb_pcap(skb))
		return false;
	if (track)
		vista_track_add((__u64)skb, (__u64)BPF_CORE_READ(skb, head));
	return true;
}

/* Header, meta and tuple of skb if it passes the filters. */
static __always_inline bool vista_skb_collect(struct sk_buff *skb,
					      __u32 mark,
					      struct vista_event_hdr *hdr,
					      struct vista_skb_meta *m,
					      struct vista_tuple *t)
{
	if (!vista_skb_match(skb, mark, hdr, m))
		return false;
	vista_skb_tuple(skb, t);
	return true;
}

#endif /* VISTA_BPF_SKB_H */
