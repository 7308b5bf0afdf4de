/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the netfilter-verdict plugin's events: sizes locked. */
#ifndef VISTA_PLUGIN_IPTABLES_H
#define VISTA_PLUGIN_IPTABLES_H

#include <vista/event.h>

#define IPT_EV_VERDICT	1	/* netfilter-link mode: a table's verdict */
#define IPT_EV_NFT	2	/* nft_do_chain returned (function mode) */
#define IPT_EV_XT	3	/* ipt_do_table/ip6t_do_table returned */

#define IPT_NAME_MAX	32

/* The tables vista brackets, by their place on the hooks. */
#define IPT_RAW		1
#define IPT_MANGLE	2
#define IPT_NAT		3
#define IPT_FILTER	4
#define IPT_SECURITY	5

struct ipt_event {
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	__u8 pf;		/* NFPROTO_IPV4, NFPROTO_IPV6 */
	__u8 hook;		/* NF_INET_PRE_ROUTING ... */
	__u8 table;		/* IPT_* */
	__u8 verdict;		/* NF_DROP, NF_ACCEPT */
	struct vista_tuple tuple;
	__u64 cost_ns;		/* from entering the table to the verdict */
	char table_name[IPT_NAME_MAX];	/* IPT_EV_NFT: nft table */
	char chain[IPT_NAME_MAX];	/* IPT_EV_NFT: base chain */
};

_Static_assert(sizeof(struct ipt_event) == 216, "ipt_event");

/*
 * Netfilter-link mode: the tables present at start, by netns, family,
 * hook and place (IPT_*), with the names user space found for them.
 */
struct ipt_place_key {
	__u32 netns;
	__u8 pf;
	__u8 hook;
	__u8 table;
	__u8 pad;
};

struct ipt_place_names {
	char table[IPT_NAME_MAX];	/* nft table, legacy table */
	char chain[IPT_NAME_MAX];	/* nft base chain, "" for legacy */
};

#endif /* VISTA_PLUGIN_IPTABLES_H */
