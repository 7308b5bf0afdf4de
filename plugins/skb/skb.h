/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the skb plugin's events: __u* only, sizes locked. */
#ifndef VISTA_PLUGIN_SKB_H
#define VISTA_PLUGIN_SKB_H

#include <vista/event.h>

#define SKB_EV_FUNC	1	/* a tracepoint or function saw the skb */
#define SKB_EV_DROP	2	/* kfree_skb, with a drop reason */

struct skb_event {
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	__u32 reason;		/* enum skb_drop_reason, SKB_EV_DROP only */
	struct vista_tuple tuple;
	__u16 dump_off;		/* --output-skb: the struct as text, */
	__u16 dump_len;		/* bpf_snprintf_btf's length (may exceed */
				/* SKB_DUMP_MAX - 1: truncated) */
	__u16 pkt_off;		/* pcapng: struct vista_pkt + bytes, 0: none */
	__u16 pad;
};

/* Room for the printed sk_buff in a record. */
#define SKB_DUMP_MAX	4096

_Static_assert(sizeof(struct skb_event) == 152, "skb_event");

#endif /* VISTA_PLUGIN_SKB_H */
