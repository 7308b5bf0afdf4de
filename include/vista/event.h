/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire format between BPF programs and user space.
 *
 * Included from BPF code (after vmlinux.h) and from user space (after
 * <linux/types.h>). Only __u* types, no pointers, no bool, no bare enums:
 * every struct's size is locked below so both sides agree.
 */
#ifndef VISTA_EVENT_H
#define VISTA_EVENT_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define VISTA_COMM_LEN		16
#define VISTA_TARGET_NONE	0xffffffffU
#define VISTA_STACK_DEPTH	64

/* Magic that the core replaces with a target id in each cloned program. */
#define VISTA_TARGET_MAGIC	0x5653544154474554ULL

/*
 * Programs in these sections get the pcap-filter expression: the core
 * writes it into the vista_pcap_l2()/vista_pcap_l3() stubs, which it finds
 * by these magics, when libbpf loads the program. "vista.tracing" is a
 * BTF-typed program (tp_btf unless the loader sets fentry/fexit),
 * "vista.kprobe" a kprobe (or kprobe-multi), "vista.netfilter" a netfilter
 * hook program (its links: the plugin's).
 */
#define VISTA_SEC_TRACING	"vista.tracing"
#define VISTA_SEC_KPROBE	"vista.kprobe"
#define VISTA_SEC_NETFILTER	"vista.netfilter"	/* BPF_PROG_TYPE_NETFILTER */
#define VISTA_PCAP_L2_MAGIC	0x5653544150434c32ULL	/* "VSTAPCL2" */
#define VISTA_PCAP_L3_MAGIC	0x5653544150434c33ULL

/* Every ring-buffer record starts with this header. */
struct vista_event_hdr {
	__u32 size;		/* whole record, header included */
	__u16 plugin_id;	/* set by the core at load (rodata) */
	__u16 kind;		/* plugin-defined event kind */
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 obj;		/* skb or sock address */
	__u64 func_ip;		/* probed function address, 0 if none */
	__u32 target;		/* core target index, VISTA_TARGET_NONE if none */
	__u32 cpu;
	__u32 pid;		/* thread group id */
	__u32 tid;
	__u16 stack_off;	/* offset of the kernel stack in the record */
	__u16 stack_nr;		/* its number of frames (u64 ips), 0 if none */
	__u32 netns;		/* netns inode of the object, 0 if unknown */
	char comm[VISTA_COMM_LEN];
};

/* Packet metadata read from an skb (the text sink's --output-meta). */
struct vista_skb_meta {
	__u32 mark;
	__u32 ifindex;
	__u32 len;
	__u32 mtu;
	__u16 protocol;		/* skb->protocol, host byte order */
	__u8 pkt_type;		/* PACKET_HOST ... */
	__u8 flags;		/* VISTA_META_* */
};

#define VISTA_META_HAS_DEV	0x01
#define VISTA_META_HAS_MAC	0x02

/* The packet's L3/L4 identity (the text sink's --output-tuple). */
struct vista_tuple {
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;		/* host byte order */
	__u16 dport;
	__u16 l3proto;		/* ETH_P_IP or ETH_P_IPV6, 0 if none */
	__u8 l4proto;		/* IPPROTO_* */
	__u8 tcp_flags;		/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 icmp_id;		/* host byte order, as on the wire */
	__u16 icmp_seq;
	__u16 pad;
};

/* In-kernel filters, one entry in the shared "vista_cfg" array map. */
struct vista_filter_cfg {
	__u32 flags;		/* VISTA_FILTER_* */
	__u32 netns;		/* netns inode */
	__u32 mark;		/* skb mark */
	__u32 ifindex;
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
	__u16 port;		/* host byte order */
	__u8 l4proto;
	__u8 output;		/* VISTA_OUTPUT_* */
	__u32 snaplen;		/* packet bytes to capture, 0: none */
};

#define VISTA_FILTER_NETNS	0x01
#define VISTA_FILTER_MARK	0x02
#define VISTA_FILTER_IFINDEX	0x04
#define VISTA_FILTER_ADDR4	0x08
#define VISTA_FILTER_ADDR6	0x10
#define VISTA_FILTER_PORT	0x20
#define VISTA_FILTER_PROTO	0x40
#define VISTA_FILTER_PCAP	0x80	/* a pcap-filter expression is set */
#define VISTA_FILTER_TRACK	0x100	/* --filter-track-skb */

#define VISTA_OUTPUT_STACK	0x01

/*
 * A captured packet in a record (where the plugin's event says): this
 * header, then caplen bytes from the packet's first header (Ethernet for
 * LINKTYPE_ETHERNET, IP for LINKTYPE_RAW). len is the length on the wire
 * from that header; caplen < len when snaplen or the linear part of the
 * skb ended first.
 */
struct vista_pkt {
	__u32 len;
	__u16 caplen;
	__u16 linktype;		/* VISTA_LINKTYPE_* (pcap LINKTYPE_ values) */
	__u8 dir;		/* VISTA_DIR_* */
	__u8 pkt_type;		/* skb->pkt_type: PACKET_HOST ... */
	__u16 pad;
	__u32 pad2;
};

#define VISTA_LINKTYPE_ETHERNET	1
#define VISTA_LINKTYPE_RAW	101	/* raw IPv4 or IPv6 */
#define VISTA_DIR_UNKNOWN	0
#define VISTA_DIR_IN		1
#define VISTA_DIR_OUT		2
/* Where a program saw the packet: around another BPF program (TC, XDP). */
#define VISTA_POINT_NONE	0
#define VISTA_POINT_ENTRY	1	/* before it ran */
#define VISTA_POINT_EXIT	2	/* after, with its verdict */
#define VISTA_SNAPLEN_MIN	34	/* Ethernet + IPv4 headers */
#define VISTA_SNAPLEN_MAX	16384

/*
 * --filter-track-skb: the shared "vista_track" LRU hash maps the address
 * of every followed skb to its head (its data buffer), or to
 * VISTA_TRACK_PENDING after a clone, copy or head reallocation, until the
 * next sighting tells the new head. An address seen with another head
 * holds another packet (its free went unseen): the entry is dropped.
 * "vista_track_stats" counts, per CPU, entries added, removed on free,
 * and dropped as stale; the core derives evictions from them.
 */
#define VISTA_TRACK_PENDING	0ULL
#define VISTA_TRACK_ADDED	0
#define VISTA_TRACK_REMOVED	1
#define VISTA_TRACK_STALE	2
#define VISTA_TRACK_NR_STATS	3

_Static_assert(sizeof(struct vista_event_hdr) == 72, "vista_event_hdr");
_Static_assert(sizeof(struct vista_skb_meta) == 20, "vista_skb_meta");
_Static_assert(sizeof(struct vista_tuple) == 48, "vista_tuple");
_Static_assert(sizeof(struct vista_filter_cfg) == 40, "vista_filter_cfg");
_Static_assert(sizeof(struct vista_pkt) == 16, "vista_pkt");

#endif /* VISTA_EVENT_H */
