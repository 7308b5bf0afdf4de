// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Netfilter verdicts on kernels without kprobes or fentry: BPF netfilter
 * programs just before (vista_ipt_in_T) and just after (vista_ipt_out_T)
 * each table T's priority on each hook. A packet that passes the filters
 * is marked on entering a table; leaving it is an ACCEPT (reported where
 * user space found the table: ipt_present); a drop with reason
 * NETFILTER_DROP while marked names the table and the hook.
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
	__u32 netns;
	__u8 table;
	__u8 hook;
	__u8 pf;
	__u8 pad;
};

/* skb -> the table it is in; LRU: stolen or queued packets age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ipt_pending);
} ipt_pending SEC(".maps");

/* Filled by iptables.c before attaching, per netns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ipt_place_key);
	__type(value, struct ipt_place_names);
} ipt_present SEC(".maps");

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
	p.netns = BPF_CORE_READ(state, net, ns.inum);
	p.table = table;
	p.hook = BPF_CORE_READ(state, hook);
	p.pf = BPF_CORE_READ(state, pf);
	bpf_map_update_elem(&ipt_pending, &key, &p, BPF_ANY);
	return IPT_NF_ACCEPT;
}

/* An event about skb in netns, all but the comm (the callers know). */
static __always_inline void ipt_event_init(struct ipt_event *ev,
					   struct sk_buff *skb, __u16 kind,
					   __u32 netns)
{
	vista_skb_meta(skb, &ev->meta);
	vista_skb_tuple(skb, &ev->tuple);
	vista_fill_hdr_nocomm(&ev->hdr, kind, (__u64)skb);
	ev->hdr.netns = netns;
}

/* iptables.c: whether netfilter programs may call bpf_get_current_comm. */
const volatile bool ipt_nf_comm = false;

/*
 * One verdict of table p: false if the table is not known to be there.
 * nf: called from a netfilter program (no stacks, maybe no comm).
 */
static __always_inline bool ipt_verdict(void *ctx, struct sk_buff *skb,
					const struct ipt_pending *p,
					__u8 verdict, bool nf)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct ipt_place_key k = {
		.netns = p->netns, .pf = p->pf, .hook = p->hook,
		.table = p->table,
	};
	struct ipt_place_names *names = bpf_map_lookup_elem(&ipt_present, &k);
	struct ipt_event ev = {};

	if (!names && verdict != IPT_NF_DROP)
		return false;
	ipt_event_init(&ev, skb, IPT_EV_VERDICT, p->netns);
	if (!nf || ipt_nf_comm)
		bpf_get_current_comm(ev.hdr.comm, sizeof(ev.hdr.comm));
	ev.pf = p->pf;
	ev.hook = p->hook;
	ev.table = p->table;
	ev.verdict = verdict;
	ev.cost_ns = bpf_ktime_get_ns() - p->ts;
	if (names) {
		__builtin_memcpy(ev.table_name, names->table,
				 sizeof(ev.table_name));
		__builtin_memcpy(ev.chain, names->chain, sizeof(ev.chain));
	}
	vista_submit(ctx, &ev, sizeof(ev),
		     !nf && (cfg->output & VISTA_OUTPUT_STACK));
	return true;
}

/* Leaving the table: every rule at its priority accepted the packet. */
static __always_inline int ipt_leave(struct bpf_nf_ctx *ctx, __u8 table)
{
	struct sk_buff *skb = ctx->skb;
	__u64 key = (__u64)skb;
	struct ipt_pending *p = bpf_map_lookup_elem(&ipt_pending, &key);

	if (!p || p->table != table)
		return IPT_NF_ACCEPT;
	ipt_verdict(ctx, skb, p, IPT_NF_ACCEPT, true);
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
	__u64 key = (__u64)skb;
	struct ipt_pending *p;

	p = bpf_map_lookup_elem(&ipt_pending, &key);
	if (!p)
		return 0;
	if ((__u32)ctx[2] == bpf_core_enum_value(enum skb_drop_reason,
					SKB_DROP_REASON_NETFILTER_DROP))
		ipt_verdict(ctx, skb, p, IPT_NF_DROP, false);
	bpf_map_delete_elem(&ipt_pending, &key);
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

/* A rule-set function returned ret: one event, names from the kernel. */
static __always_inline void ipt_fn_event(void *ctx, struct sk_buff *skb,
					 const struct nf_hook_state *state,
					 __u16 kind, __u64 ret, __u64 start,
					 const char *table, const char *chain)
{
	const struct vista_filter_cfg *cfg = vista_config();
	struct ipt_event ev = {};

	ev.cost_ns = bpf_ktime_get_ns() - start;
	ipt_event_init(&ev, skb, kind, vista_skb_netns(skb));
	bpf_get_current_comm(ev.hdr.comm, sizeof(ev.hdr.comm));
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
		     cfg->output & VISTA_OUTPUT_STACK);
}

/* fexit: the entry time by skb (one rule set runs at a time per packet). */
static __always_inline void ipt_fn_done(void *ctx, struct sk_buff *skb,
					const struct nf_hook_state *state,
					__u16 kind, __u64 ret,
					const char *table, const char *chain)
{
	__u64 key = (__u64)skb, *start, ts;

	start = bpf_map_lookup_elem(&ipt_fn_ts, &key);
	if (!start)
		return;
	ts = *start;
	bpf_map_delete_elem(&ipt_fn_ts, &key);
	ipt_fn_event(ctx, skb, state, kind, ret, ts, table, chain);
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

/*
 * Kprobe mode (kprobes but no fentry): a kprobe at entry, a kretprobe at
 * return. The return has no arguments, so the entry keeps them per task:
 * a task runs one rule set at a time, except when a softirq interrupts
 * it and runs another, which returns first. So each task has a small
 * stack of calls, keyed by pid_tgid, and the CPU for pid 0 (every CPU's
 * idle task has it; they never migrate): nothing that depends on the
 * architecture, such as the stack pointer. A return the kernel misses
 * (kretprobe instances exhausted) leaves a stale call at the bottom;
 * later pairs still match, and a full stack is reset.
 */
#define IPT_KP_DEPTH	4

struct ipt_kp_key {
	__u64 pid_tgid;
	__u32 cpu;
	__u32 pad;
};

struct ipt_kp_call {
	__u64 ts;
	__u64 skb;		/* 0: the packet did not pass the filters */
	__u64 state;
	__u64 obj;		/* nft: the base chain; legacy: the xt_table */
};

struct ipt_kp_stack {
	__u32 depth;
	__u32 pad;
	struct ipt_kp_call call[IPT_KP_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ipt_kp_key);
	__type(value, struct ipt_kp_stack);
} ipt_kp SEC(".maps");

static __always_inline void ipt_kp_key(struct ipt_kp_key *k)
{
	k->pid_tgid = bpf_get_current_pid_tgid();
	k->cpu = (__u32)k->pid_tgid ? 0 : bpf_get_smp_processor_id();
	k->pad = 0;
}

static __always_inline void ipt_kp_push(struct sk_buff *skb, __u64 state,
					__u64 obj)
{
	static const struct ipt_kp_stack empty;
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	struct ipt_kp_stack *st;
	struct ipt_kp_call *c;
	struct ipt_kp_key k;
	__u32 d;

	ipt_kp_key(&k);
	st = bpf_map_lookup_elem(&ipt_kp, &k);
	if (!st) {
		bpf_map_update_elem(&ipt_kp, &k, &empty, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&ipt_kp, &k);
		if (!st)
			return;
	}
	d = st->depth;
	if (d >= IPT_KP_DEPTH)
		d = 0;		/* stale calls whose returns were missed */
	c = &st->call[d & (IPT_KP_DEPTH - 1)];
	c->skb = vista_skb_match(skb, 0, &hdr, &meta) ? (__u64)skb : 0;
	c->state = state;
	c->obj = obj;
	c->ts = bpf_ktime_get_ns();
	st->depth = d + 1;
}

/* The call that just returned, or NULL (not a matching packet). */
static __always_inline struct ipt_kp_call *ipt_kp_pop(void)
{
	struct ipt_kp_stack *st;
	struct ipt_kp_key k;
	__u32 d;

	ipt_kp_key(&k);
	st = bpf_map_lookup_elem(&ipt_kp, &k);
	if (!st || !st->depth)
		return NULL;
	d = --st->depth;
	if (d >= IPT_KP_DEPTH || !st->call[d & (IPT_KP_DEPTH - 1)].skb)
		return NULL;
	return &st->call[d & (IPT_KP_DEPTH - 1)];
}

SEC(VISTA_SEC_KPROBE)
int vista_nft_kp_entry(struct pt_regs *ctx)
{
	struct nft_pktinfo *pkt = (struct nft_pktinfo *)PT_REGS_PARM1(ctx);

	ipt_kp_push(BPF_CORE_READ(pkt, skb), (__u64)BPF_CORE_READ(pkt, state),
		    PT_REGS_PARM2(ctx));
	return 0;
}

SEC(VISTA_SEC_KPROBE)
int vista_nft_kp_exit(struct pt_regs *ctx)
{
	struct ipt_kp_call *c = ipt_kp_pop();
	const struct nft_chain *chain;

	if (!c)
		return 0;
	chain = (const struct nft_chain *)c->obj;
	ipt_fn_event(ctx, (struct sk_buff *)c->skb,
		     (const struct nf_hook_state *)c->state, IPT_EV_NFT,
		     PT_REGS_RC(ctx), c->ts, BPF_CORE_READ(chain, table, name),
		     BPF_CORE_READ(chain, name));
	return 0;
}

static __always_inline __u64 ipt_kp_arg(struct pt_regs *ctx, __u8 pos)
{
	/* _CORE: a ctx field chosen at run time cannot be read directly */
	switch (pos) {
	case 0: return PT_REGS_PARM1_CORE(ctx);
	case 1: return PT_REGS_PARM2_CORE(ctx);
	default: return PT_REGS_PARM3_CORE(ctx);
	}
}

static __always_inline int ipt_xt_kp_entry(struct pt_regs *ctx)
{
	ipt_kp_push((struct sk_buff *)ipt_kp_arg(ctx, ipt_xt_skb),
		    ipt_kp_arg(ctx, ipt_xt_state),
		    ipt_kp_arg(ctx, ipt_xt_table));
	return 0;
}

static __always_inline int ipt_xt_kp_exit(struct pt_regs *ctx)
{
	struct ipt_kp_call *c = ipt_kp_pop();
	const struct xt_table *table;

	if (!c)
		return 0;
	table = (const struct xt_table *)c->obj;
	ipt_fn_event(ctx, (struct sk_buff *)c->skb,
		     (const struct nf_hook_state *)c->state, IPT_EV_XT,
		     PT_REGS_RC(ctx), c->ts, table->name, NULL);
	return 0;
}

SEC(VISTA_SEC_KPROBE)
int vista_xt4_kp_entry(struct pt_regs *ctx)
{
	return ipt_xt_kp_entry(ctx);
}

SEC(VISTA_SEC_KPROBE)
int vista_xt4_kp_exit(struct pt_regs *ctx)
{
	return ipt_xt_kp_exit(ctx);
}

SEC(VISTA_SEC_KPROBE)
int vista_xt6_kp_entry(struct pt_regs *ctx)
{
	return ipt_xt_kp_entry(ctx);
}

SEC(VISTA_SEC_KPROBE)
int vista_xt6_kp_exit(struct pt_regs *ctx)
{
	return ipt_xt_kp_exit(ctx);
}
