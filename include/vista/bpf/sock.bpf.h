/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading a struct sock: its netns and tuple, and the shared filters on
 * them (netns, --filter-addr, --filter-port, --filter-protocol; the
 * pcap-filter expression is for packets, not sockets).
 *
 * Include after <vista/bpf/skb.bpf.h>.
 */
#ifndef VISTA_BPF_SOCK_H
#define VISTA_BPF_SOCK_H

#define VISTA_AF_INET		2
#define VISTA_AF_INET6		10

static __always_inline __u32 vista_sk_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline bool vista_v4mapped(const __u8 *a)
{
	int i;

#pragma unroll
	for (i = 0; i < 10; i++)
		if (a[i])
			return false;
	return a[10] == 0xff && a[11] == 0xff;
}

/*
 * Addresses, ports (host order) and protocol of an IPv4/IPv6 socket; a
 * dual-stack socket's IPv4 connection reads as IPv4, as on the wire.
 */
static __always_inline bool vista_sk_tuple(const struct sock *sk,
					   struct vista_tuple *t)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family == VISTA_AF_INET) {
		t->l3proto = VISTA_ETH_P_IP;
		bpf_core_read(t->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(t->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == VISTA_AF_INET6) {
		t->l3proto = VISTA_ETH_P_IPV6;
		bpf_core_read(t->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(t->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return false;
	}
	/* an IPv6 socket talking IPv4 (::ffff:a.b.c.d on both ends) */
	if (family == VISTA_AF_INET6 && vista_v4mapped(t->saddr) &&
	    vista_v4mapped(t->daddr)) {
		t->l3proto = VISTA_ETH_P_IP;
		__builtin_memmove(t->saddr, t->saddr + 12, 4);
		__builtin_memmove(t->daddr, t->daddr + 12, 4);
		__builtin_memset(t->saddr + 4, 0, 12);
		__builtin_memset(t->daddr + 4, 0, 12);
	}
	t->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	t->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	t->l4proto = BPF_CORE_READ(sk, sk_protocol);
	return true;
}

/* The shared filters on a socket; mark: the plugin's (0: any). */
static __always_inline bool
vista_sk_match(const struct vista_filter_cfg *cfg, __u32 netns, __u32 mark,
	       const struct sock *sk, const struct vista_tuple *t)
{
	if ((cfg->flags & VISTA_FILTER_NETNS) && netns != cfg->netns)
		return false;
	if (mark && BPF_CORE_READ(sk, sk_mark) != mark)
		return false;
	return vista_filter_tuple(cfg, t);
}

#endif /* VISTA_BPF_SOCK_H */
