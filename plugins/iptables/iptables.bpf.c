// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Netfilter verdicts on kernels without kprobes or fentry: BPF netfilter
 * programs just before (vista_ipt_in_T) and just after (vista_ipt_out_T)
 * each table T's priority on each hook. A packet that passes the filters
 * is marked on entering a table; leaving it clears the mark; a drop with
 * reason NETFILTER_DROP while marked names the table and the hook.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "iptables.h"

#define IPT_NF_DROP	0
#define IPT_NF_ACCEPT	1
#define IPT_NF_STOLEN	2

struct ipt_pending {
	__u64 ts;
	__u8 table;
	__u8 hook;
	__u8 pf;
	__u8 pad[5];
};

/* skb -> the table it is in; LRU: stolen or queued packets age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ipt_pending);
} ipt_pending SEC(".maps");

static __always_inline int ipt_enter(struct bpf_nf_ctx *ctx, __u8 table)
{
	struct sk_buff *skb = ctx->skb;
	const struct nf_hook_state *state = ctx->state;
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	struct ipt_pending p = {};
	__u64 key = (__u64)skb;

	if (!vista_skb_match(skb, 0, &hdr, &meta))
		return IPT_NF_ACCEPT;
	p.ts = bpf_ktime_get_ns();
	p.table = table;
	p.hook = BPF_CORE_READ(state, hook);
	p.pf = BPF_CORE_READ(state, pf);
	bpf_map_update_elem(&ipt_pending, &key, &p, BPF_ANY);
	return IPT_NF_ACCEPT;
}

static __always_inline int ipt_leave(struct bpf_nf_ctx *ctx, __u8 table)
{
	__u64 key = (__u64)ctx->skb;
	struct ipt_pending *p = bpf_map_lookup_elem(&ipt_pending, &key);

	if (p && p->table == table)
		bpf_map_delete_elem(&ipt_pending, &key);
	return IPT_NF_ACCEPT;
}

#define IPT_BRACKET(name, id)						\
SEC(VISTA_SEC_NETFILTER)						\
int vista_ipt_in_##name(struct bpf_nf_ctx *ctx)				\
{									\
	return ipt_enter(ctx, id);					\
}									\
SEC(VISTA_SEC_NETFILTER)						\
int vista_ipt_out_##name(struct bpf_nf_ctx *ctx)			\
{									\
	return ipt_leave(ctx, id);					\
}

IPT_BRACKET(raw, IPT_RAW)
IPT_BRACKET(mangle, IPT_MANGLE)
IPT_BRACKET(nat, IPT_NAT)
IPT_BRACKET(filter, IPT_FILTER)
IPT_BRACKET(security, IPT_SECURITY)

/* kfree_skb(skb, location, reason): a table's DROP. */
SEC(VISTA_SEC_TRACING)
int vista_ipt_drop(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	const struct vista_filter_cfg *cfg = vista_config();
	__u64 key = (__u64)skb, now = bpf_ktime_get_ns();
	struct ipt_pending *p;
	struct ipt_event ev = {};

	p = bpf_map_lookup_elem(&ipt_pending, &key);
	if (!p)
		return 0;
	if ((__u32)ctx[2] != bpf_core_enum_value(enum skb_drop_reason,
					SKB_DROP_REASON_NETFILTER_DROP)) {
		bpf_map_delete_elem(&ipt_pending, &key);
		return 0;
	}
	ev.hdr.netns = vista_skb_netns(skb);
	vista_skb_meta(skb, &ev.meta);
	vista_skb_tuple(skb, &ev.tuple);
	vista_fill_hdr(&ev.hdr, IPT_EV_VERDICT, key);
	ev.pf = p->pf;
	ev.hook = p->hook;
	ev.table = p->table;
	ev.verdict = IPT_NF_DROP;
	ev.cost_ns = now - p->ts;
	bpf_map_delete_elem(&ipt_pending, &key);
	vista_submit(ctx, &ev, sizeof(ev),
		     cfg && (cfg->output & VISTA_OUTPUT_STACK));
	return 0;
}

/*
 * Function mode (fentry works): every run of a rule-set function
 * (nft_do_chain for each nftables base chain, iptables-nft's included;
 * ipt_do_table/ip6t_do_table for iptables-legacy) with its verdict.
 * Entry time by skb: one runs at a time per packet.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
} ipt_fn_ts SEC(".maps");

/* A rule-set function starts on a packet that passes the filters. */
static __always_inline void ipt_fn_start(struct sk_buff *skb)
{
	__u64 key = (__u64)skb, now;
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;

	if (!vista_skb_match(skb, 0, &hdr, &meta))
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&ipt_fn_ts, &key, &now, BPF_ANY);
}

/* ... and returns ret: one event, table and chain names in the kernel. */
static __always_inline void ipt_fn_done(void *ctx, struct sk_buff *skb,
					const struct nf_hook_state *state,
					__u16 kind, __u64 ret,
					const char *table, const char *chain)
{
	const struct vista_filter_cfg *cfg = vista_config();
	__u64 key = (__u64)skb, *start;
	struct ipt_event ev = {};

	start = bpf_map_lookup_elem(&ipt_fn_ts, &key);
	if (!start)
		return;
	ev.cost_ns = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&ipt_fn_ts, &key);
	ev.hdr.netns = vista_skb_netns(skb);
	vista_skb_meta(skb, &ev.meta);
	vista_skb_tuple(skb, &ev.tuple);
	vista_fill_hdr(&ev.hdr, kind, key);
	ev.pf = BPF_CORE_READ(state, pf);
	ev.hook = BPF_CORE_READ(state, hook);
	ev.verdict = ret & 0xff;	/* NF_VERDICT_MASK */
	/*
	 * A chain that drops frees the skb itself with its reason and says
	 * NF_STOLEN with the errno above (NF_DROP_REASON()): a drop.
	 */
	if (ev.verdict == IPT_NF_STOLEN && (ret >> 16))
		ev.verdict = IPT_NF_DROP;
	bpf_probe_read_kernel_str(ev.table_name, sizeof(ev.table_name), table);
	if (chain)
		bpf_probe_read_kernel_str(ev.chain, sizeof(ev.chain), chain);
	vista_submit(ctx, &ev, sizeof(ev),
		     cfg && (cfg->output & VISTA_OUTPUT_STACK));
}

/* nft_do_chain(pkt, priv): priv is the base chain */
SEC(VISTA_SEC_TRACING)
int vista_nft_entry(__u64 *ctx)
{
	struct nft_pktinfo *pkt = (struct nft_pktinfo *)ctx[0];

	ipt_fn_start(BPF_CORE_READ(pkt, skb));
	return 0;
}

SEC(VISTA_SEC_TRACING)
int vista_nft_exit(__u64 *ctx)
{
	struct nft_pktinfo *pkt = (struct nft_pktinfo *)ctx[0];
	const struct nft_chain *chain = (const struct nft_chain *)ctx[1];
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	ipt_fn_done(ctx, BPF_CORE_READ(pkt, skb), BPF_CORE_READ(pkt, state),
		    IPT_EV_NFT, ret, BPF_CORE_READ(chain, table, name),
		    BPF_CORE_READ(chain, name));
	return 0;
}

/*
 * iptables-legacy: ipt_do_table() and ip6t_do_table(). Their argument
 * order changed in 5.16 ((skb, state, table) -> (priv, skb, state)):
 * iptables.c reads it from BTF into these (0-based) positions.
 */
const volatile __u8 ipt_xt_skb = 1;
const volatile __u8 ipt_xt_state = 2;
const volatile __u8 ipt_xt_table = 0;

static __always_inline __u64 ipt_arg(__u64 *ctx, __u8 pos)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, pos, &v);
	return v;
}

static __always_inline int ipt_xt_entry(__u64 *ctx)
{
	ipt_fn_start((struct sk_buff *)ipt_arg(ctx, ipt_xt_skb));
	return 0;
}

static __always_inline int ipt_xt_exit(__u64 *ctx)
{
	const struct xt_table *table =
		(const struct xt_table *)ipt_arg(ctx, ipt_xt_table);
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	ipt_fn_done(ctx, (struct sk_buff *)ipt_arg(ctx, ipt_xt_skb),
		    (const struct nf_hook_state *)ipt_arg(ctx, ipt_xt_state),
		    IPT_EV_XT, ret, table->name, NULL);
	return 0;
}

/* One program per function: a BTF-typed program has one target. */
SEC(VISTA_SEC_TRACING)
int vista_xt4_entry(__u64 *ctx)
{
	return ipt_xt_entry(ctx);
}

SEC(VISTA_SEC_TRACING)
int vista_xt4_exit(__u64 *ctx)
{
	return ipt_xt_exit(ctx);
}

SEC(VISTA_SEC_TRACING)
int vista_xt6_entry(__u64 *ctx)
{
	return ipt_xt_entry(ctx);
}

SEC(VISTA_SEC_TRACING)
int vista_xt6_exit(__u64 *ctx)
{
	return ipt_xt_exit(ctx);
}
