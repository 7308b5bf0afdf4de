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
 * vista_skb_trk_*: --filter-track-skb bookkeeping, no events: frees,
 *   clones and copies, head reallocation (skb.c picks them per backend).
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include "skb.h"

const volatile __u32 skb_mark = 0;	/* --filter-skb-mark, 0: any */
const volatile bool skb_drop_stack = false;
const volatile bool skb_output_skb = false;	/* --output-skb */
/* Where the drop function takes the skb and the reason (from BTF). */
const volatile __u8 skb_drop_skb_pos = 1;
const volatile __u8 skb_drop_reason_pos = 2;

static __always_inline bool skb_want_stack(bool drop)
{
	const struct vista_filter_cfg *cfg = vista_config();

	if (drop && skb_drop_stack)
		return true;
	return cfg->output & VISTA_OUTPUT_STACK;
}

/*
 * --output-skb: the record carries the struct sk_buff printed through BTF
 * after the event (and its stack, if any).
 */
static __always_inline int skb_submit_dump(void *ctx, struct skb_event *ev,
					   struct sk_buff *skb, bool stack)
{
	const __u32 size = sizeof(*ev) + VISTA_STACK_BYTES + SKB_DUMP_MAX;
	struct btf_ptr p = {
		.ptr = skb,
		.type_id = bpf_core_type_id_kernel(struct sk_buff),
	};
	struct skb_event *rec;
	long n = 0;

	rec = bpf_ringbuf_reserve(&vista_events, size, 0);
	if (!rec) {
		vista_count_lost();
		return 0;
	}
	__builtin_memcpy(rec, ev, sizeof(*ev));
	rec->hdr.size = size;
	rec->hdr.stack_off = 0;
	rec->hdr.stack_nr = 0;
	if (stack) {
		n = bpf_get_stack(ctx, (void *)rec + sizeof(*ev),
				  VISTA_STACK_BYTES, 0);
		rec->hdr.stack_off = sizeof(*ev);
		rec->hdr.stack_nr = n > 0 ? n / sizeof(__u64) : 0;
	}
	rec->dump_off = sizeof(*ev) + VISTA_STACK_BYTES;
	n = bpf_snprintf_btf((void *)rec + sizeof(*ev) + VISTA_STACK_BYTES,
			     SKB_DUMP_MAX, &p, sizeof(p), BTF_F_PTR_RAW);
	rec->dump_len = n > 0 ? (n > 0xffff ? 0xffff : n) : 0;
	bpf_ringbuf_submit(rec, 0);
	return 0;
}

/* Room for one record with a stack and a packet, per CPU. */
struct skb_scratch {
	__u8 buf[sizeof(struct skb_event) + VISTA_STACK_BYTES +
		 sizeof(struct vista_pkt) + VISTA_SNAPLEN_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skb_scratch);
} skb_scratch SEC(".maps");

/*
 * A sink writes packets (pcapng): the record is the event, its stack if
 * any, and the packet's first snaplen bytes, built in the per-CPU scratch
 * and copied into the ring buffer at its real size.
 */
static __always_inline int skb_submit_pkt(void *ctx, struct skb_event *ev,
					  struct sk_buff *skb,
					  struct net_device *dev, bool stack,
					  __u32 snaplen, bool direct)
{
	struct skb_scratch *s;
	struct vista_pkt *p;
	__u32 zero = 0, off, n;

	s = bpf_map_lookup_elem(&skb_scratch, &zero);
	if (!s)
		return 0;
	off = vista_scratch_event(ctx, s->buf, ev, sizeof(*ev), stack);
	p = (struct vista_pkt *)(s->buf + off);
	/* Nothing captured (no header known): the event alone. */
	n = __vista_skb_capture(skb, dev, p, snaplen, direct);
	((struct skb_event *)s->buf)->pkt_off = n ? off : 0;
	vista_scratch_output(s->buf, n ? off + sizeof(*p) + n : off,
			     sizeof(s->buf));
	return 0;
}

/*
 * direct: skb is a BTF-typed pointer (tp_btf, fentry with the skb in a
 * typed argument), read by direct loads; else by probe reads.
 */
static __always_inline int skb_handle(void *ctx, struct sk_buff *skb,
				      __u16 kind, __u32 target, __u64 func_ip,
				      __u32 reason, bool direct)
{
	const struct vista_filter_cfg *cfg;
	struct skb_event ev = {};
	struct net_device *dev;

	if (!skb)
		return 0;
	dev = VISTA_RD(direct, skb, dev);	/* once: see skb.bpf.h */
	if (!__vista_skb_collect(skb, dev, skb_mark, &ev.hdr, &ev.meta,
				 &ev.tuple, direct))
		return 0;
	vista_fill_hdr(&ev.hdr, kind, (__u64)skb);
	ev.hdr.target = target;
	ev.hdr.func_ip = func_ip;
	ev.reason = reason;
	if (skb_output_skb)
		return skb_submit_dump(ctx, &ev, skb,
				       skb_want_stack(kind == SKB_EV_DROP));
	cfg = vista_config();
	if (cfg->snaplen)
		return skb_submit_pkt(ctx, &ev, skb, dev,
				      skb_want_stack(kind == SKB_EV_DROP),
				      cfg->snaplen, direct);
	vista_submit(ctx, &ev, sizeof(ev), skb_want_stack(kind == SKB_EV_DROP));
	return 0;
}

#define SKB_TRACING_TEMPLATE(pos)					\
SEC(VISTA_SEC_TRACING)						\
int vista_skb_tp##pos(__u64 *ctx)					\
{									\
	return skb_handle(ctx, (struct sk_buff *)ctx[pos - 1],		\
			  SKB_EV_FUNC, vista_target_id(), 0, 0, true);	\
}

#define SKB_KPROBE_TEMPLATE(pos)					\
SEC(VISTA_SEC_KPROBE)						\
int vista_skb_kp##pos(struct pt_regs *ctx)				\
{									\
	return skb_handle(ctx, (struct sk_buff *)PT_REGS_PARM##pos(ctx),\
			  SKB_EV_FUNC, VISTA_TARGET_NONE,		\
			  bpf_get_func_ip(ctx), 0, false);		\
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
			  VISTA_TARGET_NONE, 0, (__u32)ctx[2], true);
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
			  (__u32)skb_kprobe_arg(ctx, skb_drop_reason_pos),
			  false);
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
			  (__u32)skb_fentry_arg(ctx, skb_drop_reason_pos),
			  false);
}

/*
 * --filter-track-skb bookkeeping. With functions: __copy_skb_header(new,
 * old) (every clone and copy), pskb_expand_head(skb) and kfree_skbmem(skb)
 * (the end of every sk_buff). With tracepoints only: the frees that
 * consume_skb and kfree_skb announce. skb.c attaches these after the
 * event programs, so a free is reported before it is forgotten.
 */
SEC("kprobe")
int vista_skb_trk_kcopy(struct pt_regs *ctx)
{
	vista_track_copy(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx));
	return 0;
}

SEC("kprobe")
int vista_skb_trk_krealloc(struct pt_regs *ctx)
{
	vista_track_realloc(PT_REGS_PARM1(ctx));
	return 0;
}

SEC("kprobe")
int vista_skb_trk_kfree(struct pt_regs *ctx)
{
	vista_track_forget(PT_REGS_PARM1(ctx));
	return 0;
}

SEC("fentry")
int vista_skb_trk_fcopy(__u64 *ctx)
{
	vista_track_copy(ctx[0], ctx[1]);
	return 0;
}

SEC("fentry")
int vista_skb_trk_frealloc(__u64 *ctx)
{
	vista_track_realloc(ctx[0]);
	return 0;
}

SEC("fentry")
int vista_skb_trk_ffree(__u64 *ctx)
{
	vista_track_forget(ctx[0]);
	return 0;
}

/* consume_skb and kfree_skb tracepoints: the skb is argument 1. */
SEC("tp_btf")
int vista_skb_trk_tpfree(__u64 *ctx)
{
	vista_track_forget(ctx[0]);
	return 0;
}

SEC("tp_btf")
int vista_skb_trk_tpfree2(__u64 *ctx)
{
	vista_track_forget(ctx[0]);
	return 0;
}

/*
 * Where tracking starts when the traced hooks alone would see the packet
 * too late (only drops, or a few functions, after NAT): a packet that
 * matches the filters on its way in (netif_receive_skb), out
 * (net_dev_queue) or, with functions, when it leaves its socket
 * (__ip_local_out, __ip6_local_out: before the OUTPUT chain's NAT) is
 * followed from there, without an event.
 */
static __always_inline int skb_learn(struct sk_buff *skb, bool direct)
{
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;

	if (skb)
		__vista_skb_match(skb, VISTA_RD(direct, skb, dev), skb_mark,
				  &hdr, &meta, direct);
	return 0;
}

SEC(VISTA_SEC_TRACING)
int vista_skb_learn_tp(__u64 *ctx)
{
	return skb_learn((struct sk_buff *)ctx[0], true);
}

SEC(VISTA_SEC_TRACING)
int vista_skb_learn_tp2(__u64 *ctx)
{
	return skb_learn((struct sk_buff *)ctx[0], true);
}

SEC(VISTA_SEC_KPROBE)
int vista_skb_learn_k3(struct pt_regs *ctx)
{
	return skb_learn((struct sk_buff *)PT_REGS_PARM3(ctx), false);
}

SEC(VISTA_SEC_TRACING)
int vista_skb_learn_f3(__u64 *ctx)
{
	return skb_learn((struct sk_buff *)ctx[2], true);
}

SEC(VISTA_SEC_TRACING)
int vista_skb_learn_f3b(__u64 *ctx)
{
	return skb_learn((struct sk_buff *)ctx[2], true);
}
