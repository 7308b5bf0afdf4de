// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * udpfull: a third-party vista tracer, built out of tree against the
 * installed SDK only (pkg-config vista-plugin). It reports UDP datagrams
 * that reached their socket and were dropped there, from the
 * udp_fail_queue_rcv_skb tracepoint, with the socket's receive buffer:
 *
 *   ... udp_fail_queue_rcv_skb(ENOMEM) netns=... 10.0.0.1:5000->10.0.0.2:9(udp)
 *   UDPFULL: rc=-12 rcvbuf=2304 rmem=2304
 *
 * Enable it with a profile section:  [tracer.udpfull]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "udpfull.h"
#include "udpfull.skel.h"

struct udpfull_state {
	struct udpfull_bpf *skel;
	struct bpf_link *link;
	char func[64];
	struct vista_packet pkt;
	struct vista_field fields[3];
	struct vista_group group;
};

/* Its one option: [tracer.udpfull] trace = true (the section alone too). */
static const struct vista_option udpfull_options[] = {
	{
		.section = "tracer.udpfull", .key = "trace",
		.type = VISTA_OPT_BOOL, .def = "true",
		.help = "report UDP datagrams their socket could not queue",
	},
};

static int udpfull_init(struct vista_ctx *ctx)
{
	ctx->priv = calloc(1, sizeof(struct udpfull_state));
	return ctx->priv ? 0 : -ENOMEM;
}

static int udpfull_load(struct vista_ctx *ctx)
{
	struct udpfull_state *st = ctx->priv;
	int ret;

	st->skel = udpfull_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	/* The core's ring buffer, filter config and counters. */
	ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	if (ret)
		return ret;
	ret = udpfull_bpf__load(st->skel);
	if (ret)
		vista_err(ctx, "cannot load: %s (the tracepoint has the skb "
			  "since Linux 6.9)", strerror(-ret));
	return ret;
}

static int udpfull_attach(struct vista_ctx *ctx)
{
	struct udpfull_state *st = ctx->priv;

	st->link = bpf_program__attach(st->skel->progs.udpfull);
	if (!st->link) {
		vista_err(ctx, "cannot attach to udp_fail_queue_rcv_skb: %s",
			  strerror(errno));
		return -errno;
	}
	vista_info(ctx, "tracepoint udp_fail_queue_rcv_skb: UDP datagrams "
		   "their socket could not queue");
	return 0;
}

static int udpfull_decode(struct vista_ctx *ctx, const void *data,
			  size_t size, struct vista_record *rec)
{
	const struct udpfull_event *ev = data;
	struct udpfull_state *st = ctx->priv;

	if (size < sizeof(*ev))
		return -EINVAL;
	snprintf(st->func, sizeof(st->func), "udp_fail_queue_rcv_skb(%s)",
		 ev->rc == -ENOMEM ? "ENOMEM" : ev->rc == -ENOBUFS ?
		 "ENOBUFS" : "error");
	rec->func = st->func;
	rec->meta = &ev->meta;
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);
	rec->pkt = vista_record_packet(&st->pkt, data, size, ev->pkt_off);
	vista_field_i(&st->fields[0], "rc", ev->rc);
	vista_field_u(&st->fields[1], "rcvbuf", VISTA_FIELD_UINT, ev->rcvbuf);
	vista_field_u(&st->fields[2], "rmem", VISTA_FIELD_UINT, ev->rmem);
	st->group.name = "UDPFULL";
	st->group.fields = st->fields;
	st->group.nr_fields = 3;
	rec->groups = &st->group;
	rec->nr_groups = 1;
	return 0;
}

static void udpfull_detach(struct vista_ctx *ctx)
{
	struct udpfull_state *st = ctx->priv;

	if (st) {
		bpf_link__destroy(st->link);
		st->link = NULL;
	}
}

static void udpfull_fini(struct vista_ctx *ctx)
{
	struct udpfull_state *st = ctx->priv;

	if (!st)
		return;
	udpfull_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

__attribute__((visibility("default")))
const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "udpfull",
	.kind = VISTA_PLUGIN_TRACER,
	.version = "1.0",
	.summary = "UDP datagrams dropped at a full socket (example plugin)",
	.options = udpfull_options,
	.nr_options = 1,
	.tracer = {
		.init = udpfull_init,
		.load = udpfull_load,
		.attach = udpfull_attach,
		.decode = udpfull_decode,
		.detach = udpfull_detach,
		.fini = udpfull_fini,
	},
};
