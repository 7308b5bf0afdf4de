// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * skb tracing.
 *
 * vista_skb_tpN: the skb is argument N of a BTF-typed hook; loaded by the
 *   core as tp_btf (tracepoints) or fentry (functions), one clone per
 *   target, each with its target id patched in.
 * vista_skb_kpN: the skb is argument N of a kprobed function; one program
 *   serves every function, which bpf_get_func_ip() names.
 * vista_skb_drop / _kdrop / _fdrop: drops with their reason, from the
 *   kfree_skb tracepoint, or from the kernel's drop function
 *   (kfree_skb_reason, sk_skb_reason_drop) by kprobe or fentry.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "skb.h"

const volatile __u32 skb_mark = 0;	/* --filter-skb-mark, 0: any */
const volatile bool skb_drop_stack = false;
/* Where the drop function takes the skb and the reason (from BTF). */
const volatile __u8 skb_drop_skb_pos = 1;
const volatile __u8 skb_drop_reason_pos = 2;

static __always_inline bool skb_want_stack(bool drop)
{
	const struct vista_filter_cfg *cfg = vista_config();

	if (drop && skb_drop_stack)
		return true;
	return cfg && (cfg->output & VISTA_OUTPUT_STACK);
}

static __always_inline int skb_handle(void *ctx, struct sk_buff *skb,
				      __u16 kind, __u32 target, __u64 func_ip,
				      __u32 reason)
{
	struct skb_event ev = {};

	if (!vista_skb_collect(skb, &ev.hdr, &ev.meta, &ev.tuple))
		return 0;
	if (skb_mark && ev.meta.mark != skb_mark)
		return 0;
	vista_fill_hdr(&ev.hdr, kind, (__u64)skb);
	ev.hdr.target = target;
	ev.hdr.func_ip = func_ip;
	ev.reason = reason;
	vista_submit(ctx, &ev, sizeof(ev), skb_want_stack(kind == SKB_EV_DROP));
	return 0;
}

#define SKB_TRACING_TEMPLATE(pos)					\
SEC(VISTA_SEC_TRACING)						\
int vista_skb_tp##pos(__u64 *ctx)					\
{									\
	return skb_handle(ctx, (struct sk_buff *)ctx[pos - 1],		\
			  SKB_EV_FUNC, vista_target_id(), 0, 0);	\
}

#define SKB_KPROBE_TEMPLATE(pos)					\
SEC(VISTA_SEC_KPROBE)						\
int vista_skb_kp##pos(struct pt_regs *ctx)				\
{									\
	return skb_handle(ctx, (struct sk_buff *)PT_REGS_PARM##pos(ctx),\
			  SKB_EV_FUNC, VISTA_TARGET_NONE,		\
			  bpf_get_func_ip(ctx), 0);			\
}

SKB_TRACING_TEMPLATE(1)
SKB_TRACING_TEMPLATE(2)
SKB_TRACING_TEMPLATE(3)
SKB_TRACING_TEMPLATE(4)
SKB_TRACING_TEMPLATE(5)
SKB_KPROBE_TEMPLATE(1)
SKB_KPROBE_TEMPLATE(2)
SKB_KPROBE_TEMPLATE(3)
SKB_KPROBE_TEMPLATE(4)
SKB_KPROBE_TEMPLATE(5)

/* kfree_skb(skb, location, reason[, rx_sk]): the reason since 5.17. */
SEC(VISTA_SEC_TRACING)	/* kfree_skb, set by skb.c */
int vista_skb_drop(__u64 *ctx)
{
	return skb_handle(ctx, (struct sk_buff *)ctx[0], SKB_EV_DROP,
			  VISTA_TARGET_NONE, 0, (__u32)ctx[2]);
}

/*
 * The positions are .rodata constants, known to the verifier. clang folds
 * a switch of ctx loads into one load at a variable offset, which the
 * verifier refuses for ctx: read pt_regs with a probe read (CORE) instead.
 */
static __always_inline __u64 skb_kprobe_arg(struct pt_regs *ctx, __u8 pos)
{
	switch (pos) {
	case 1: return PT_REGS_PARM1_CORE(ctx);
	case 2: return PT_REGS_PARM2_CORE(ctx);
	case 3: return PT_REGS_PARM3_CORE(ctx);
	case 4: return PT_REGS_PARM4_CORE(ctx);
	default: return PT_REGS_PARM5_CORE(ctx);
	}
}

SEC(VISTA_SEC_KPROBE)
int vista_skb_kdrop(struct pt_regs *ctx)
{
	return skb_handle(ctx,
			  (struct sk_buff *)skb_kprobe_arg(ctx, skb_drop_skb_pos),
			  SKB_EV_DROP, VISTA_TARGET_NONE, bpf_get_func_ip(ctx),
			  (__u32)skb_kprobe_arg(ctx, skb_drop_reason_pos));
}

/* bpf_get_func_arg() (5.17+) takes a variable index, unlike ctx[i]. */
static __always_inline __u64 skb_fentry_arg(__u64 *ctx, __u8 pos)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, pos - 1, &v);
	return v;
}

SEC(VISTA_SEC_TRACING)	/* fentry, set by skb.c */
int vista_skb_fdrop(__u64 *ctx)
{
	return skb_handle(ctx,
			  (struct sk_buff *)skb_fentry_arg(ctx, skb_drop_skb_pos),
			  SKB_EV_DROP, VISTA_TARGET_NONE, bpf_get_func_ip(ctx),
			  (__u32)skb_fentry_arg(ctx, skb_drop_reason_pos));
}
