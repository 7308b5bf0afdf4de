// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pcapng sink (--pcap-file FILE, or [sink.pcapng] file = ...): every
 * record that carries a packet becomes an enhanced packet block. One
 * interface block per (netns, ifindex, link type), written the first
 * time it is needed; each block goes out in one write(), so the file is
 * valid whenever a reader looks, also after SIGINT or SIGTERM. "-" is
 * stdout: vista ... --pcap-file - | wireshark -k -i -
 *
 * --pcap-mode entry,exit picks the packets seen around TC/XDP programs:
 * before the program ran, after it (with its verdict), or both. Packets
 * from other points (kernel functions, drops) are always written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <vista/output.h>
#include <vista/plugin.h>
#include "pcapng.h"

struct pcapng_if {
	__u32 netns, ifindex;
	__u16 linktype;
};

struct pcapng_state {
	int fd;
	char *name;
	__u32 snaplen;
	bool mode[3];		/* by VISTA_POINT_*: written? */
	struct pcapng_buf buf;
	struct pcapng_if *ifs;
	size_t nr_ifs;
	__u64 written, no_packet, not_mode;
	__u64 lost;		/* rec->lost at the last packet written */
	off_t whole;		/* bytes of the blocks written whole */
	int failed;		/* errno of the first failed write */
	struct vista_strbuf comment;	/* the packet's, built by hand */
};

/*
 * One block. A full disk can take part of it: a regular file is then cut
 * back to the blocks written whole, so it stays a valid capture.
 */
static int pc_write(struct vista_ctx *ctx, struct pcapng_state *st)
{
	const __u8 *p = st->buf.p;
	size_t left = st->buf.len;
	struct stat sb;
	ssize_t n;
	int err;

	if (st->failed)
		return -st->failed;
	while (left) {
		n = write(st->fd, p, left);
		if (n < 0) {
			err = errno;
			if (left < st->buf.len && !fstat(st->fd, &sb) &&
			    S_ISREG(sb.st_mode) && ftruncate(st->fd, st->whole))
				vista_warn(ctx, "%s: cannot cut back the block "
					   "written in part: %s", st->name,
					   strerror(errno));
			vista_err(ctx, "%s: %s", st->name,
				  vista_write_strerror(err));
			st->failed = err;
			return -err;
		}
		p += n;
		left -= n;
	}
	st->whole += st->buf.len;
	return 0;
}

/* --pcap-mode: the choices are checked by the option parser. */
static void pc_mode(struct vista_ctx *ctx, struct pcapng_state *st)
{
	const char *const *mode;
	size_t i, n;

	mode = ctx->host->opt_list(ctx, "mode", &n);
	st->mode[VISTA_POINT_NONE] = true;
	st->mode[VISTA_POINT_ENTRY] = !n;
	st->mode[VISTA_POINT_EXIT] = !n;
	for (i = 0; i < n; i++) {
		if (!strcmp(mode[i], "entry"))
			st->mode[VISTA_POINT_ENTRY] = true;
		else if (!strcmp(mode[i], "exit"))
			st->mode[VISTA_POINT_EXIT] = true;
	}
}

/*
 * "func[ entry|exit] netns=N ifindex=I[(name)] pid=P comm=C cpu=N", once
 * per packet: by the appenders, not printf.
 */
static void pc_comment(struct vista_strbuf *sb, const struct vista_record *rec,
		       const struct vista_packet *p)
{
	vista_strbuf_reset(sb);
	vista_strbuf_puts(sb, rec->func ? rec->func : "?");
	if (p->point == VISTA_POINT_ENTRY)
		vista_strbuf_puts(sb, " entry");
	else if (p->point == VISTA_POINT_EXIT)
		vista_strbuf_puts(sb, " exit");
	vista_strbuf_puts(sb, " netns=");
	vista_strbuf_u64(sb, rec->netns);
	vista_strbuf_puts(sb, " ifindex=");
	vista_strbuf_u64(sb, rec->meta ? rec->meta->ifindex : 0);
	if (rec->ifname) {
		vista_strbuf_putc(sb, '(');
		vista_strbuf_puts(sb, rec->ifname);
		vista_strbuf_putc(sb, ')');
	}
	vista_strbuf_puts(sb, " pid=");
	vista_strbuf_u64(sb, rec->pid);
	vista_strbuf_puts(sb, " comm=");
	if (rec->comm)
		vista_strbuf_put(sb, rec->comm, strnlen(rec->comm,
							 VISTA_COMM_LEN));
	vista_strbuf_puts(sb, " cpu=");
	vista_strbuf_u64(sb, rec->cpu);
}

static int pc_open(struct vista_ctx *ctx)
{
	const char *path = ctx->host->opt_str(ctx, "file");
	struct pcapng_state *st = calloc(1, sizeof(*st));
	char os[300] = "Linux", appl[64];
	struct utsname u;
	int ret;

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->fd = -1;
	if (vista_strbuf_init(&st->comment, 256))
		return -ENOMEM;
	st->snaplen = ctx->host->opt_uint(ctx, "snaplen");
	pc_mode(ctx, st);
	st->name = strdup(path && strcmp(path, "-") ? path : "stdout");
	if (!st->name)
		return -ENOMEM;
	if (!path || !path[0]) {
		vista_err(ctx, "no file: give --pcap-file FILE or "
			  "[sink.pcapng] file = FILE ('-' is stdout)");
		return -EINVAL;
	}
	st->fd = vista_open_output(path);
	if (st->fd < 0) {
		ret = st->fd;
		vista_err(ctx, "%s: %s", st->name, strerror(-ret));
		return ret;
	}
	if (!uname(&u))
		snprintf(os, sizeof(os), "%s %s %s", u.sysname, u.release,
			 u.machine);
	snprintf(appl, sizeof(appl), "vista %s", PACKAGE_VERSION);
	ret = pcapng_shb(&st->buf, NULL, os, appl);
	return ret ?: pc_write(ctx, st);
}

/* The interface block's id for the record's (netns, ifindex, link). */
static int pc_ifid(struct vista_ctx *ctx, struct pcapng_state *st,
		   const struct vista_record *rec, __u32 *id)
{
	__u32 ifindex = rec->meta ? rec->meta->ifindex : 0;
	struct pcapng_if *v;
	char name[64], desc[128];
	size_t i;
	int ret;

	for (i = 0; i < st->nr_ifs; i++) {
		if (st->ifs[i].netns == rec->netns &&
		    st->ifs[i].ifindex == ifindex &&
		    st->ifs[i].linktype == rec->pkt->linktype) {
			*id = i;
			return 0;
		}
	}
	v = realloc(st->ifs, (st->nr_ifs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	st->ifs = v;
	if (rec->ifname)
		snprintf(name, sizeof(name), "%s", rec->ifname);
	else
		snprintf(name, sizeof(name), "if%u", ifindex);
	snprintf(desc, sizeof(desc), "netns %u ifindex %u (%s)", rec->netns,
		 ifindex, rec->pkt->linktype == 1 ? "from the Ethernet header"
						  : "from the IP header");
	ret = pcapng_idb(&st->buf, rec->pkt->linktype, st->snaplen, name,
			 desc, ctx->host->opt_str(ctx, "filter"));
	if (!ret)
		ret = pc_write(ctx, st);
	if (ret)
		return ret;
	st->ifs[st->nr_ifs] = (struct pcapng_if){
		rec->netns, ifindex, rec->pkt->linktype,
	};
	*id = st->nr_ifs++;
	return 0;
}

/* epb_flags: direction, and how an inbound packet was addressed. */
static __u32 pc_flags(const struct vista_packet *p)
{
	static const __u32 rx[] = {
		PCAPNG_RX_UNICAST, PCAPNG_RX_BROADCAST, PCAPNG_RX_MULTICAST,
		PCAPNG_RX_PROMISC,	/* PACKET_OTHERHOST */
	};
	__u32 f = p->dir == VISTA_DIR_IN ? PCAPNG_DIR_IN :
		  p->dir == VISTA_DIR_OUT ? PCAPNG_DIR_OUT : 0;

	if (p->dir != VISTA_DIR_OUT && p->pkt_type < 4)
		f |= rx[p->pkt_type];
	return f;
}

static int pc_record(struct vista_ctx *ctx, const struct vista_record *rec)
{
	struct pcapng_state *st = ctx->priv;
	const struct vista_packet *p = rec->pkt;
	struct pcapng_epb e = { 0 };
	int ret;

	if (rec->kind != VISTA_RECORD_EVENT)
		return 0;	/* lost events go into epb_dropcount */
	if (!p) {
		st->no_packet++;
		return 0;
	}
	if (p->point > VISTA_POINT_EXIT || !st->mode[p->point]) {
		st->not_mode++;
		return 0;
	}
	ret = pc_ifid(ctx, st, rec, &e.ifid);
	if (ret)
		return ret;
	pc_comment(&st->comment, rec, p);
	e.ts_ns = rec->wall_ns;
	e.data = p->data;
	/* The kernel captured for the sink that wants the most. */
	e.caplen = p->caplen < st->snaplen ? p->caplen : st->snaplen;
	e.origlen = p->len;
	e.has_verdict = p->verdict_type != 0;
	e.verdict_type = p->verdict_type;
	e.verdict = p->verdict;
	e.comment = st->comment.oom ? "" : st->comment.p;
	e.flags = pc_flags(p);
	e.has_packetid = true;	/* the skb: one packet at several points */
	e.packetid = rec->obj;
	e.has_queue = p->has_queue;
	e.queue = p->queue;
	/* Events lost since the previous packet (counted once a second). */
	e.has_dropcount = rec->lost > st->lost;
	e.dropcount = rec->lost - st->lost;
	ret = pcapng_epb(&st->buf, &e);
	if (!ret)
		ret = pc_write(ctx, st);
	if (!ret) {
		st->written++;
		st->lost = rec->lost;
	}
	return ret;
}

static void pc_close(struct vista_ctx *ctx)
{
	struct pcapng_state *st = ctx->priv;

	if (!st)
		return;
	if (st->fd >= 0) {
		vista_info(ctx, "%s: %llu packets in %zu interfaces%s%s",
			   st->name, (unsigned long long)st->written,
			   st->nr_ifs, st->no_packet ? " (events without a "
			   "packet not written)" : "", st->not_mode ?
			   " (--pcap-mode left some out)" : "");
		close(st->fd);
	}
	pcapng_buf_free(&st->buf);
	vista_strbuf_free(&st->comment);
	free(st->ifs);
	free(st->name);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "pcapng",
	.kind = VISTA_PLUGIN_SINK,
	.version = PACKAGE_VERSION,
	.summary = "packets to a pcapng file (Wireshark), with event comments",
	.sink = {
		.open = pc_open,
		.write = pc_record,
		.close = pc_close,
	},
};
