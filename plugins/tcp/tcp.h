/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the TCP-lifetime plugin's events: __u* only, sizes locked. */
#ifndef VISTA_PLUGIN_TCP_H
#define VISTA_PLUGIN_TCP_H

#include <vista/event.h>

#define TCP_EV_CLOSE	1	/* a connection reached CLOSE */

#define TCP_RST_SENT	0x01
#define TCP_RST_RECV	0x02

#define TCP_CA_NAME_MAX	16

struct tcp_event {
	struct vista_event_hdr hdr;	/* pid/comm: the connection's owner */
	struct vista_tuple tuple;
	__u64 lifetime_ns;	/* birth (SYN_SENT/SYN_RECV/ESTABLISHED) to CLOSE */
	__u64 bytes_received;
	__u64 bytes_sent;
	__u32 srtt_us;		/* smoothed RTT */
	__u32 total_retrans;
	__u32 mark;
	__u8 rst;		/* TCP_RST_* */
	__u8 birth_state;	/* TCP_SYN_SENT, TCP_SYN_RECV, TCP_ESTABLISHED */
	__u8 last_state;	/* the state before CLOSE */
	__u8 pad;		/* pid 0: the owner is not known */
	char ca[TCP_CA_NAME_MAX];	/* congestion control */
};

_Static_assert(sizeof(struct tcp_event) == 176, "tcp_event");

#endif /* VISTA_PLUGIN_TCP_H */
