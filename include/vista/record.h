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
};

#endif /* VISTA_RECORD_H */
