/* SPDX-License-Identifier: GPL-2.0-only */
/* The rule sets of the current netns (tables.c). */
#ifndef VISTA_PLUGIN_IPTABLES_TABLES_H
#define VISTA_PLUGIN_IPTABLES_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "iptables.h"

/* A base chain: where it hooks and what it is called. */
struct ipt_chain {
	__u8 family;		/* NFPROTO_INET, _IPV4, _IPV6, ... */
	__u8 hook;		/* NF_INET_* */
	bool legacy;		/* an iptables-legacy table: no chain name */
	__s32 prio;
	char table[IPT_NAME_MAX];
	char chain[IPT_NAME_MAX];
};

struct ipt_chains {
	struct ipt_chain *v;
	size_t nr, cap;
};

/*
 * Whether nf_tables can be asked without loading it (loaded, built in,
 * or no modules): once per run, not per netns.
 */
bool ipt_nft_present(void);
/* Replace c's contents with the current netns's base chains (nftables'
 * only if nft: ipt_nft_present()). */
int ipt_scan_tables(struct ipt_chains *c, bool nft);
void ipt_chains_free(struct ipt_chains *c);

#endif
