/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the socket plugin's events: __u* only, sizes locked. */
#ifndef VISTA_PLUGIN_SK_H
#define VISTA_PLUGIN_SK_H

#include <vista/event.h>

#define SK_EV_FUNC	1	/* a tracepoint or function saw the sock */

struct sk_event {
	struct vista_event_hdr hdr;
	struct vista_tuple tuple;
	/* struct sock (--output-sk: SOCK:) */
	__u32 bound_ifindex;
	__u32 rx_dst_ifindex;
	__u32 backlog;
	__u32 max_backlog;
	__u32 rcvbuf;
	__u32 sndbuf;
	__u32 rmem;		/* receive queue bytes */
	__u32 wmem_queued;	/* send queue bytes */
	__u32 priority;
	__u32 mark;
	__u16 family;
	__u16 type;		/* enum sock_type */
	__u8 state;		/* TCP_* states */
	__u8 reuseport;
	__u8 has_socket;
	__u8 has_info;
	/* its struct socket (SOCKET:) */
	__u32 sock_state;	/* enum socket_state */
	__u32 sock_type;
	__u64 sock_flags;
	__u64 inode;
};

_Static_assert(sizeof(struct sk_event) == 192, "sk_event");

#endif /* VISTA_PLUGIN_SK_H */
