/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the TC/XDP plugin's events: __u* only, sizes locked. */
#ifndef VISTA_PLUGIN_TCXDP_H
#define VISTA_PLUGIN_TCXDP_H

#include <vista/event.h>

#define TCX_EV		1	/* a TC or XDP program's entry or exit */

#define TCX_HOOK_TC	1
#define TCX_HOOK_XDP	2

struct tcx_event {
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	__u32 target;		/* index in the plugin's table of programs */
	struct vista_tuple tuple;
	__u64 verdict;		/* exit: what the program returned */
	__u64 cost_ns;		/* exit: since its entry on this CPU, 0: unknown */
	__u32 queue;		/* rx queue, if has_queue */
	__u8 point;		/* VISTA_POINT_ENTRY or _EXIT */
	__u8 hook;		/* TCX_HOOK_* */
	__u8 has_queue;
	__u8 dir;		/* VISTA_DIR_* */
	__u16 pkt_off;		/* pcapng: struct vista_pkt + bytes, 0: none */
	__u16 pad;
	__u32 pad2;
};

_Static_assert(sizeof(struct tcx_event) == 176, "tcx_event");

#endif /* VISTA_PLUGIN_TCXDP_H */
