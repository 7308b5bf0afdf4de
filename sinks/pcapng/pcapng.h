/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcapng blocks (section header, interface description, enhanced packet)
 * built in memory in the host's byte order, one block per call, so the
 * sink writes each with one write(): a reader never sees half a block.
 */
#ifndef VISTA_SINK_PCAPNG_H
#define VISTA_SINK_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcapng_buf {
	uint8_t *p;
	size_t len, cap;
};

/* epb_flags (pcapng: direction in bits 0-1, reception type in 2-4). */
#define PCAPNG_DIR_IN		1
#define PCAPNG_DIR_OUT		2
#define PCAPNG_RX_UNICAST	(1 << 2)
#define PCAPNG_RX_MULTICAST	(2 << 2)
#define PCAPNG_RX_BROADCAST	(3 << 2)
#define PCAPNG_RX_PROMISC	(4 << 2)

/* epb_verdict types */
#define PCAPNG_VERDICT_HW	0
#define PCAPNG_VERDICT_TC	1
#define PCAPNG_VERDICT_XDP	2

struct pcapng_epb {
	uint32_t ifid;
	uint64_t ts_ns;			/* the IDB says if_tsresol = 9 */
	const void *data;
	uint32_t caplen, origlen;
	bool has_verdict;		/* epb_verdict, written first */
	uint8_t verdict_type;
	uint64_t verdict;
	const char *comment;		/* opt_comment, or NULL */
	uint32_t flags;			/* epb_flags, 0: not written */
	bool has_packetid;
	uint64_t packetid;
	bool has_queue;
	uint32_t queue;
	bool has_dropcount;
	uint64_t dropcount;
};

/* Each resets b and builds one block in it; -ENOMEM on failure. */
int pcapng_shb(struct pcapng_buf *b, const char *hardware, const char *os,
	       const char *appl);
int pcapng_idb(struct pcapng_buf *b, uint16_t linktype, uint32_t snaplen,
	       const char *name, const char *description, const char *filter);
int pcapng_epb(struct pcapng_buf *b, const struct pcapng_epb *e);
void pcapng_buf_free(struct pcapng_buf *b);

#endif
