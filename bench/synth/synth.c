// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * synth: a synthetic event source for bench/ (not installed). Its BPF
 * program, on the sys_enter tracepoint, submits a batch of events through
 * the core's ring buffer whenever a task calls prctl(SYNTH_PRCTL, n, seq)
 * (bench/synthgen paces those calls); this side decodes them like the skb
 * plugin decodes a function hit (a function name, the packet's metadata
 * and tuple, the interface name), so the bus and the sinks do the same
 * work per event as for real packets, at a rate no sender reaches, and on
 * the same stream every run (a deterministic input for callgrind).
 *
 *   [tracer.synth]      (built by bench/synth/Makefile, --plugin-dir)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "synth.h"
#include "synth.skel.h"

/* Names as long as the skb functions they stand for. */
static const char *const synth_funcs[SYNTH_NR_FUNCS] = {
	"net_dev_queue", "net_dev_start_xmit", "net_dev_xmit",
	"netif_rx_entry", "netif_rx", "netif_receive_skb",
	"consume_skb", "kfree_skb",
};

struct synth_state {
	struct synth_bpf *skel;
	struct bpf_link *link;
};

static const struct vista_option synth_options[] = {
	{
		.section = "tracer.synth", .key = "trace",
		.type = VISTA_OPT_BOOL, .def = "true",
		.help = "submit the events bench/synthgen asks for",
	},
};

static int synth_init(struct vista_ctx *ctx)
{
	ctx->priv = calloc(1, sizeof(struct synth_state));
	return ctx->priv ? 0 : -ENOMEM;
}

static int synth_load(struct vista_ctx *ctx)
{
	struct synth_state *st = ctx->priv;
	int ret;

	st->skel = synth_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	if (ret)
		return ret;
	ret = synth_bpf__load(st->skel);
	if (ret)
		vista_err(ctx, "cannot load: %s", strerror(-ret));
	return ret;
}

static int synth_attach(struct vista_ctx *ctx)
{
	struct synth_state *st = ctx->priv;

	st->link = bpf_program__attach(st->skel->progs.synth);
	if (!st->link) {
		vista_err(ctx, "cannot attach to sys_enter: %s",
			  strerror(errno));
		return -errno;
	}
	vista_info(ctx, "tracepoint sys_enter: events on prctl(0x%x, n, seq)",
		   SYNTH_PRCTL);
	return 0;
}

static int synth_decode(struct vista_ctx *ctx, const void *data,
			size_t size, struct vista_record *rec)
{
	const struct synth_event *ev = data;

	if (size < sizeof(*ev) || ev->func >= SYNTH_NR_FUNCS)
		return -EINVAL;
	rec->func = synth_funcs[ev->func];
	rec->meta = &ev->meta;
	rec->tuple = &ev->tuple;
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);
	return 0;
}

static void synth_detach(struct vista_ctx *ctx)
{
	struct synth_state *st = ctx->priv;

	if (st) {
		bpf_link__destroy(st->link);
		st->link = NULL;
	}
}

static void synth_fini(struct vista_ctx *ctx)
{
	struct synth_state *st = ctx->priv;

	if (!st)
		return;
	synth_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

__attribute__((visibility("default")))
const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "synth",
	.kind = VISTA_PLUGIN_TRACER,
	.version = "1.0",
	.summary = "synthetic events on demand (bench/ only)",
	.options = synth_options,
	.nr_options = 1,
	.tracer = {
		.init = synth_init,
		.load = synth_load,
		.attach = synth_attach,
		.decode = synth_decode,
		.detach = synth_detach,
		.fini = synth_fini,
	},
};
