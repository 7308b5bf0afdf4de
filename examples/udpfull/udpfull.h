/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the udpfull plugin's events: __u* only, size locked. */
#ifndef UDPFULL_H
#define UDPFULL_H

#include <vista/event.h>

struct udpfull_event {
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	__s32 rc;		/* what __udp_queue_rcv_skb() got: -ENOMEM ... */
	struct vista_tuple tuple;
	__u32 rcvbuf;		/* sk->sk_rcvbuf */
	__u32 rmem;		/* bytes already queued (sk_rmem_alloc) */
	__u16 pkt_off;		/* pcapng: struct vista_pkt + bytes, 0: none */
	__u16 pad;
	__u32 pad2;
};

_Static_assert(sizeof(struct udpfull_event) == 160, "udpfull_event");

#endif /* UDPFULL_H */
