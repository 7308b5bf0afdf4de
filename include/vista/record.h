/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A record is one decoded event as every sink sees it. Tracer plugins fill
 * records from their ring-buffer events (their decode op); sinks format them
 * (text, JSON, pcapng). So a third-party plugin's events reach every sink,
 * and sinks never know which plugin produced a record.
 *
 * Everything a record points to stays valid only during the sink's write op.
 */
#ifndef VISTA_RECORD_H
#define VISTA_RECORD_H

#include <stddef.h>
#include <string.h>
#include <linux/types.h>
#include <vista/event.h>

enum vista_field_type {
	VISTA_FIELD_UINT = 1,	/* printed in decimal */
	VISTA_FIELD_HEX,	/* unsigned, printed as 0x... */
	VISTA_FIELD_INT,
	VISTA_FIELD_BOOL,
	VISTA_FIELD_STR,
};

/* A typed, named value: JSON uses the type, text prints name=value. */
struct vista_field {
	const char *name;
	enum vista_field_type type;
	union {
		__u64 u;
		__s64 i;
		const char *s;
	};
};

/* Set f to an unsigned (UINT, HEX, BOOL) value. */
static inline void vista_field_u(struct vista_field *f, const char *name,
				 enum vista_field_type type, __u64 v)
{
	f->name = name;
	f->type = type;
	f->u = v;
}

/* Set f to a signed value. */
static inline void vista_field_i(struct vista_field *f, const char *name,
				 __s64 v)
{
	f->name = name;
	f->type = VISTA_FIELD_INT;
	f->i = v;
}

/* Set f to a string that lives as long as the record. */
static inline void vista_field_s(struct vista_field *f, const char *name,
				 const char *s)
{
	f->name = name;
	f->type = VISTA_FIELD_STR;
	f->s = s;
}

/*
 * A group of fields printed by the text sink as a sub-line
 * "\nNAME: k=v k=v" (the reference's IPTABLES:, TCP:, SOCK: lines).
 * A group whose name is NULL holds top-level fields (e.g. the drop reason):
 * the text sink shows them only through the record's func string.
 */
struct vista_group {
	const char *name;
	const struct vista_field *fields;
	unsigned int nr_fields;
};

struct vista_frame {
	__u64 ip;
	const char *sym;	/* "func+0x1a [module]", or NULL if unknown */
};

#define VISTA_MAX_GROUPS	8

/* skb->pkt_type by name (PACKET_HOST ...), NULL beyond the known ones. */
static inline const char *vista_pkt_type_name(unsigned int t)
{
	static const char *const names[] = {
		"HOST", "BROADCAST", "MULTICAST", "OTHERHOST",
		"OUTGOING", "LOOPBACK", "USER", "KERNEL",
	};

	return t < sizeof(names) / sizeof(*names) ? names[t] : NULL;
}

/* ABI 1.3: a captured packet (struct vista_pkt on the wire). */
struct vista_packet {
	const __u8 *data;	/* from the first header */
	__u32 caplen;		/* bytes at data */
	__u32 len;		/* on the wire, from the same header */
	__u16 linktype;		/* VISTA_LINKTYPE_* */
	__u8 dir;		/* VISTA_DIR_* */
	__u8 pkt_type;		/* PACKET_HOST, _BROADCAST, ... */
	__u8 verdict_type;	/* 0 none, 1 TC, 2 XDP (epb_verdict) */
	__u8 has_queue;
	__u8 point;		/* ABI 1.4: VISTA_POINT_* */
	__u8 pad;
	__u32 queue;		/* rx queue, if has_queue */
	__u64 verdict;		/* the program's return value */
};

struct vista_record {
	const struct vista_event_hdr *hdr;
	const char *plugin;	/* name of the plugin that produced it */
	const char *func;	/* "ip_rcv", "kfree_skb(SKB_DROP_REASON_...)" */
	__u64 obj;		/* skb or sock address */
	__u64 ts_ns;		/* CLOCK_MONOTONIC */
	__u64 wall_ns;		/* CLOCK_REALTIME, converted by the core */
	__u32 cpu;
	__u32 pid;
	__u32 netns;
	const char *comm;

	const struct vista_skb_meta *meta;	/* NULL if the event has none */
	const char *ifname;			/* name of meta->ifindex or NULL */
	const struct vista_tuple *tuple;	/* NULL if none */

	const struct vista_group *groups;
	unsigned int nr_groups;

	const struct vista_frame *stack;	/* filled in by the core */
	unsigned int nr_stack;

	/* ABI 1.1: the object printed through BTF (--output-skb), several
	 * lines without a trailing newline, or NULL. */
	const char *dump;

	/* ABI 1.3: the packet (sinks that write packets), or NULL. */
	const struct vista_packet *pkt;
	/* ABI 1.3: events lost so far (as last read, once a second). */
	__u64 lost;

	/*
	 * ABI 1.4: what the record is. VISTA_RECORD_LOST: the core read
	 * that events were lost (hdr, func and obj are NULL/0; one top-level
	 * group holds "lost", the new ones, and "total"); only sinks built
	 * for 1.4 or later get these.
	 */
	__u32 kind;
};

#define VISTA_RECORD_EVENT	0
#define VISTA_RECORD_LOST	1

/*
 * Decoders: a fixed-size string field of an event (max bytes, maybe not
 * NUL-terminated when the record is malformed) as a C string in buf
 * (max + 1 bytes).
 */
static inline const char *vista_record_str(char *buf, const char *s,
					   size_t max)
{
	size_t n = strnlen(s, max);

	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Decoders: the packet at offset off of a ring-buffer record of size
 * bytes (struct vista_pkt, then the bytes) into *pkt. Returns pkt, or
 * NULL if off is 0, not aligned for struct vista_pkt, or the record is
 * too short for what it claims.
 */
static inline const struct vista_packet *
vista_record_packet(struct vista_packet *pkt, const void *data, size_t size,
		    size_t off)
{
	const struct vista_pkt *p = (const struct vista_pkt *)
				    ((const char *)data + off);

	if (!off || off % _Alignof(struct vista_pkt) ||
	    off + sizeof(*p) > size || off + sizeof(*p) + p->caplen > size)
		return NULL;
	pkt->data = (const __u8 *)(p + 1);
	pkt->caplen = p->caplen;
	pkt->len = p->len < p->caplen ? p->caplen : p->len;
	pkt->linktype = p->linktype;
	pkt->dir = p->dir;
	pkt->pkt_type = p->pkt_type;
	pkt->verdict_type = 0;
	pkt->has_queue = 0;
	pkt->point = VISTA_POINT_NONE;
	pkt->pad = 0;
	pkt->queue = 0;
	pkt->verdict = 0;
	return pkt;
}

#endif /* VISTA_RECORD_H */
