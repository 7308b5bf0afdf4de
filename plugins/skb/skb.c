// SPDX-License-Identifier: GPL-2.0-only
/*
 * The skb tracer: every tracepoint that carries a struct sk_buff
 * (--filter-trace-skb) and drops with their reason (kfree_skb; with
 * --filter-skb-drop-stack only drops, each with its kernel stack).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "skb.h"
#include "skb.skel.h"

struct skb_state {
	struct skb_bpf *skel;
	struct bpf_link *drop_link;
	bool trace;		/* every skb tracepoint */
	bool drop_stack;	/* drops only, with stacks */
	bool drops;		/* attach the kfree_skb program */
	const char *func;	/* --filter-skb-func */
	__u32 mark;
	char func_buf[192];
	struct vista_field fields[1];
	struct vista_group group;
};

/* kfree_skb has its own program, which also reports the reason. */
static const char *const skb_exclude[] = { "kfree_skb", NULL };

static int skb_init(struct vista_ctx *ctx)
{
	const struct vista_host *h = ctx->host;
	struct skb_state *st;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->trace = h->opt_bool(ctx, "trace");
	st->drop_stack = h->opt_bool(ctx, "drop-stack");
	st->func = h->opt_str(ctx, "func");
	st->mark = h->opt_uint(ctx, "mark");
	if (st->func && !*st->func)
		st->func = NULL;
	st->drops = true;
	if (st->func) {
		char why[128], *whole;
		regex_t re;
		int rc;

		/* Whole-name match, as the core matches tracepoint names. */
		if (asprintf(&whole, "^(%s)$", st->func) < 0) {
			free(st);
			return -ENOMEM;
		}
		rc = regcomp(&re, st->func, REG_EXTENDED | REG_NOSUB);
		if (!rc) {
			regfree(&re);
			rc = regcomp(&re, whole, REG_EXTENDED | REG_NOSUB);
		}
		free(whole);
		if (rc) {
			regerror(rc, &re, why, sizeof(why));
			vista_err(ctx, "--filter-skb-func: invalid regular "
				  "expression '%s': %s", st->func, why);
			free(st);
			return -EINVAL;
		}
		/* kfree_skb is one of the skb tracepoints: filtered too. */
		st->drops = !regexec(&re, "kfree_skb", 0, NULL, 0);
		regfree(&re);
	}
	/* A bare [tracer.skb] section means: trace skbs. */
	if (!st->trace && !st->drop_stack)
		st->trace = true;
	/* The reference: drop-stack traces kfree_skb only, unless asked for
	 * every function too. */
	if (st->drop_stack && !h->opt_is_set(ctx, "trace"))
		st->trace = false;
	if (st->drop_stack)
		st->drops = true;
	ctx->priv = st;
	return 0;
}

static int skb_load(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;
	struct vista_attach req = {
		.size = sizeof(req),
		.kind = VISTA_OBJ_SKB,
		.exclude = skb_exclude,
	};
	int ret;

	st->skel = skb_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	st->skel->rodata->skb_mark = st->mark;
	st->skel->rodata->skb_drop_stack = st->drop_stack;

	req.func_regex = st->func;
	req.tp[1] = st->skel->progs.vista_skb_tp1;
	req.tp[2] = st->skel->progs.vista_skb_tp2;
	req.tp[3] = st->skel->progs.vista_skb_tp3;
	req.tp[4] = st->skel->progs.vista_skb_tp4;
	req.tp[5] = st->skel->progs.vista_skb_tp5;
	ret = ctx->host->prepare(ctx, st->skel->obj, st->trace ? &req : NULL);
	if (ret == -ENOENT && st->drops) {
		/* Only kfree_skb matched: its own program serves it. */
		st->trace = false;
		ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	} else if (ret == -ENOENT) {
		vista_err(ctx, "no skb tracepoint matches%s%s%s",
			  st->func ? " --filter-skb-func '" : "",
			  st->func ? st->func : "", st->func ? "'" : "");
	}
	if (ret)
		return ret;
	if (!st->trace) {
		int i;

		for (i = 1; i <= VISTA_MAX_ARG; i++)
			bpf_program__set_autoload(req.tp[i], false);
	}
	bpf_program__set_autoload(st->skel->progs.vista_skb_drop, st->drops);
	ret = skb_bpf__load(st->skel);
	if (ret) {
		vista_err(ctx, "cannot load BPF programs: %s (VISTA_DEBUG=1 "
			  "shows the verifier's log)", strerror(-ret));
		return ret;
	}
	return 0;
}

static int skb_attach(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;
	int ret;

	if (st->drops) {
		st->drop_link =
			bpf_program__attach(st->skel->progs.vista_skb_drop);
		if (!st->drop_link) {
			ret = -errno;
			vista_err(ctx, "cannot attach to tracepoint kfree_skb: "
				  "%s", strerror(-ret));
			return ret;
		}
		vista_info(ctx, "drops: tracepoint kfree_skb, with reasons%s",
			   st->drop_stack ? " and stacks" : "");
	}
	if (!st->trace)
		return 0;
	return ctx->host->attach(ctx, st->skel->obj);
}

static int skb_decode(struct vista_ctx *ctx, const void *data, size_t size,
		      struct vista_record *rec)
{
	const struct skb_event *ev = data;
	struct skb_state *st = ctx->priv;
	const char *reason, *name;

	if (size < sizeof(*ev))
		return -EINVAL;
	rec->meta = &ev->meta;
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);

	switch (ev->hdr.kind) {
	case SKB_EV_FUNC:
		name = ctx->host->target_name(ctx, ev->hdr.target);
		if (!name)
			return -EINVAL;
		rec->func = name;
		return 0;
	case SKB_EV_DROP:
		reason = ctx->host->enum_name(ctx, "skb_drop_reason",
					      ev->reason);
		if (reason)
			snprintf(st->func_buf, sizeof(st->func_buf),
				 "kfree_skb(%s)", reason);
		else
			snprintf(st->func_buf, sizeof(st->func_buf),
				 "kfree_skb(%u)", ev->reason);
		rec->func = st->func_buf;
		st->fields[0].name = "reason";
		if (reason) {
			st->fields[0].type = VISTA_FIELD_STR;
			st->fields[0].s = reason;
		} else {
			st->fields[0].type = VISTA_FIELD_UINT;
			st->fields[0].u = ev->reason;
		}
		st->group.name = NULL;
		st->group.fields = st->fields;
		st->group.nr_fields = 1;
		rec->groups = &st->group;
		rec->nr_groups = 1;
		return 0;
	}
	return -EINVAL;
}

static void skb_detach(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;

	if (!st)
		return;
	bpf_link__destroy(st->drop_link);
	st->drop_link = NULL;
}

static void skb_fini(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;

	if (!st)
		return;
	skb_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "skb",
	.kind = VISTA_PLUGIN_TRACER,
	.version = PACKAGE_VERSION,
	.summary = "packets (struct sk_buff) at tracepoints, drops with reasons",
	.tracer = {
		.init = skb_init,
		.load = skb_load,
		.attach = skb_attach,
		.decode = skb_decode,
		.detach = skb_detach,
		.fini = skb_fini,
	},
};
