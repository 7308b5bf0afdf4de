// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * skb tracing. Templates vista_skb_tpN run on every tracepoint whose N-th
 * argument is the skb: the core loads one clone per tracepoint and patches
 * its target id in. vista_skb_drop runs on kfree_skb with its drop reason.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "skb.h"

const volatile __u32 skb_mark = 0;	/* --filter-skb-mark, 0: any */
const volatile bool skb_drop_stack = false;

static __always_inline bool skb_want_stack(bool drop)
{
	const struct vista_filter_cfg *cfg = vista_config();

	if (drop && skb_drop_stack)
		return true;
	return cfg && (cfg->output & VISTA_OUTPUT_STACK);
}

static __always_inline int skb_handle(void *ctx, struct sk_buff *skb,
				      __u16 kind, __u32 target, __u32 reason)
{
	struct skb_event ev = {};

	if (!vista_skb_collect(skb, &ev.hdr, &ev.meta, &ev.tuple))
		return 0;
	if (skb_mark && ev.meta.mark != skb_mark)
		return 0;
	vista_fill_hdr(&ev.hdr, kind, (__u64)skb);
	ev.hdr.target = target;
	ev.reason = reason;
	vista_submit(ctx, &ev, sizeof(ev), skb_want_stack(kind == SKB_EV_DROP));
	return 0;
}

#define SKB_TP_TEMPLATE(pos)						\
SEC("tp_btf")								\
int vista_skb_tp##pos(__u64 *ctx)					\
{									\
	return skb_handle(ctx, (struct sk_buff *)ctx[pos - 1],		\
			  SKB_EV_FUNC, vista_target_id(), 0);		\
}

SKB_TP_TEMPLATE(1)
SKB_TP_TEMPLATE(2)
SKB_TP_TEMPLATE(3)
SKB_TP_TEMPLATE(4)
SKB_TP_TEMPLATE(5)

/* kfree_skb(skb, location, reason[, rx_sk]): the reason since 5.17. */
SEC("tp_btf/kfree_skb")
int vista_skb_drop(__u64 *ctx)
{
	return skb_handle(ctx, (struct sk_buff *)ctx[0], SKB_EV_DROP,
			  VISTA_TARGET_NONE, (__u32)ctx[2]);
}
