// SPDX-License-Identifier: GPL-2.0-only
/* pcapng blocks in memory (pcapng.h); the layout is the IETF draft's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pcapng.h"

#define BT_SHB	0x0A0D0D0Au
#define BT_IDB	0x00000001u
#define BT_EPB	0x00000006u

#define OPT_END		0
#define OPT_COMMENT	1
#define SHB_HARDWARE	2
#define SHB_OS		3
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9
#define IF_FILTER	11
#define EPB_FLAGS	2
#define EPB_DROPCOUNT	4
#define EPB_PACKETID	5
#define EPB_QUEUE	6
#define EPB_VERDICT	7

static int put(struct pcapng_buf *b, const void *p, size_t n)
{
	size_t pad = (4 - n % 4) % 4;

	if (b->len + n + pad > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *q;

		while (cap < b->len + n + pad)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	memset(b->p + b->len + n, 0, pad);
	b->len += n + pad;
	return 0;
}

static int put32(struct pcapng_buf *b, uint32_t v)
{
	return put(b, &v, sizeof(v));
}

/* An option: code, length, value padded to 32 bits. */
static int opt(struct pcapng_buf *b, uint16_t code, const void *v,
	       uint16_t len)
{
	uint16_t h[2] = { code, len };

	return put(b, h, sizeof(h)) ?: put(b, v, len);
}

static int opt_str(struct pcapng_buf *b, uint16_t code, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n)
		return 0;
	return opt(b, code, s, n > 0xfff0 ? 0xfff0 : n);
}

static void begin(struct pcapng_buf *b, uint32_t type)
{
	uint32_t h[2] = { type, 0 };

	b->len = 0;
	put(b, h, sizeof(h));
}

/* Options end, trailing length, and the length in the header. */
static int end(struct pcapng_buf *b, bool options)
{
	uint32_t total;
	int ret = 0;

	if (options)
		ret = opt(b, OPT_END, NULL, 0);
	if (!ret)
		ret = put32(b, b->len + 4);
	if (ret || b->len < 12)
		return -ENOMEM;
	total = b->len;
	memcpy(b->p + 4, &total, 4);
	return 0;
}

int pcapng_shb(struct pcapng_buf *b, const char *hardware, const char *os,
	       const char *appl)
{
	uint32_t bom = 0x1A2B3C4D;
	uint16_t ver[2] = { 1, 0 };
	int64_t section_len = -1;

	begin(b, BT_SHB);
	return put32(b, bom) ?: put(b, ver, sizeof(ver)) ?:
	       put(b, &section_len, sizeof(section_len)) ?:
	       opt_str(b, SHB_HARDWARE, hardware) ?: opt_str(b, SHB_OS, os) ?:
	       opt_str(b, SHB_USERAPPL, appl) ?: end(b, true);
}

int pcapng_idb(struct pcapng_buf *b, uint16_t linktype, uint32_t snaplen,
	       const char *name, const char *description, const char *filter)
{
	uint16_t lt[2] = { linktype, 0 };
	uint8_t tsresol = 9;	/* nanoseconds */
	int ret;

	begin(b, BT_IDB);
	ret = put(b, lt, sizeof(lt)) ?: put32(b, snaplen) ?:
	      opt_str(b, IF_NAME, name) ?:
	      opt_str(b, IF_DESCRIPTION, description) ?:
	      opt(b, IF_TSRESOL, &tsresol, 1);
	if (!ret && filter && filter[0]) {
		/* if_filter: a first byte 0 says "libpcap filter string" */
		size_t n = strlen(filter);
		uint8_t *v = malloc(n + 1);

		if (!v)
			return -ENOMEM;
		v[0] = 0;
		memcpy(v + 1, filter, n);
		ret = opt(b, IF_FILTER, v, n + 1 > 0xfff0 ? 0xfff0 : n + 1);
		free(v);
	}
	return ret ?: end(b, true);
}

int pcapng_epb(struct pcapng_buf *b, const struct pcapng_epb *e)
{
	uint32_t h[5] = {
		e->ifid, (uint32_t)(e->ts_ns >> 32), (uint32_t)e->ts_ns,
		e->caplen, e->origlen,
	};
	bool options = e->has_verdict || (e->comment && e->comment[0]) ||
		       e->flags || e->has_packetid || e->has_queue ||
		       e->has_dropcount;
	int ret;

	begin(b, BT_EPB);
	ret = put(b, h, sizeof(h)) ?: put(b, e->data, e->caplen);
	if (!ret && e->has_verdict) {
		uint8_t v[9] = { e->verdict_type };

		memcpy(v + 1, &e->verdict, 8);
		ret = opt(b, EPB_VERDICT, v, sizeof(v));
	}
	if (!ret)
		ret = opt_str(b, OPT_COMMENT, e->comment);
	if (!ret && e->flags)
		ret = opt(b, EPB_FLAGS, &e->flags, 4);
	if (!ret && e->has_packetid)
		ret = opt(b, EPB_PACKETID, &e->packetid, 8);
	if (!ret && e->has_queue)
		ret = opt(b, EPB_QUEUE, &e->queue, 4);
	if (!ret && e->has_dropcount)
		ret = opt(b, EPB_DROPCOUNT, &e->dropcount, 8);
	return ret ?: end(b, options);
}

void pcapng_buf_free(struct pcapng_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
