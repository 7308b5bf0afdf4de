// SPDX-License-Identifier: GPL-2.0-only
/*
 * The socket tracer (--filter-trace-sk): every function or tracepoint
 * that takes a struct sock, filtered on the socket's netns, mark and
 * tuple; --output-sk adds the reference's SOCK: and SOCKET: sub-lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "sk.h"
#include "sk.skel.h"

struct sk_state {
	struct sk_bpf *skel;
	const char *func;	/* --filter-sk-func */
	__u32 mark;
	bool output;
	struct vista_field sock[14];
	struct vista_field socket[4];
	struct vista_group groups[2];
};

static int sk_init(struct vista_ctx *ctx)
{
	const struct vista_host *h = ctx->host;
	struct sk_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->func = h->opt_str(ctx, "func");
	if (st->func && !*st->func)
		st->func = NULL;
	st->mark = h->opt_uint(ctx, "mark");
	st->output = h->opt_bool(ctx, "output");
	return 0;
}

static int sk_load(struct vista_ctx *ctx)
{
	struct sk_state *st = ctx->priv;
	struct vista_attach req = {
		.size = sizeof(req),
		.kind = VISTA_OBJ_SOCK,
	};
	int ret;

	st->skel = sk_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	st->skel->rodata->sk_mark = st->mark;
	st->skel->rodata->sk_output = st->output;
	req.func_regex = st->func;
	req.tracing[1] = st->skel->progs.vista_sk_tp1;
	req.tracing[2] = st->skel->progs.vista_sk_tp2;
	req.tracing[3] = st->skel->progs.vista_sk_tp3;
	req.tracing[4] = st->skel->progs.vista_sk_tp4;
	req.tracing[5] = st->skel->progs.vista_sk_tp5;
	req.kprobe[1] = st->skel->progs.vista_sk_kp1;
	req.kprobe[2] = st->skel->progs.vista_sk_kp2;
	req.kprobe[3] = st->skel->progs.vista_sk_kp3;
	req.kprobe[4] = st->skel->progs.vista_sk_kp4;
	req.kprobe[5] = st->skel->progs.vista_sk_kp5;
	ret = ctx->host->prepare(ctx, st->skel->obj, &req);
	if (ret == -ENOENT) {
		vista_err(ctx, "no sock tracepoint or function matches%s%s%s",
			  st->func ? " --filter-sk-func '" : "",
			  st->func ? st->func : "", st->func ? "'" : "");
		return ret;
	}
	if (ret)
		return ret;
	ret = sk_bpf__load(st->skel);
	if (ret) {
		vista_err(ctx, "cannot load BPF programs: %s (VISTA_DEBUG=1 "
			  "shows the verifier's log)", strerror(-ret));
		return ret;
	}
	return 0;
}

static int sk_attach(struct vista_ctx *ctx)
{
	struct sk_state *st = ctx->priv;

	return ctx->host->attach(ctx, st->skel->obj);
}

/* An enum value by its BTF name, or its number. */
static void field_enum(struct vista_ctx *ctx, struct vista_field *f,
		       const char *name, const char *enum_type, __s64 v)
{
	const char *s = ctx->host->enum_name(ctx, enum_type, v);

	if (s) {
		vista_field_s(f, name, s);
	} else {
		vista_field_i(f, name, v);
	}
}

/* AF_* are macros, not in BTF. */
static const char *sk_family_name(unsigned int family)
{
	switch (family) {
	case 1: return "AF_UNIX";
	case 2: return "AF_INET";
	case 10: return "AF_INET6";
	case 16: return "AF_NETLINK";
	case 17: return "AF_PACKET";
	default: return "?";
	}
}

static void sk_groups(struct vista_ctx *ctx, const struct sk_event *ev,
		      struct vista_record *rec)
{
	struct sk_state *st = ctx->priv;
	struct vista_field *f = st->sock;
	unsigned int n = 0;

	field_enum(ctx, &f[n++], "state", "TCP_ESTABLISHED", ev->state);
	vista_field_u(&f[n++], "reuseport", VISTA_FIELD_BOOL, ev->reuseport);
	vista_field_u(&f[n++], "bound_if", VISTA_FIELD_UINT, ev->bound_ifindex);
	vista_field_u(&f[n++], "rx_dst_if",
		      VISTA_FIELD_UINT, ev->rx_dst_ifindex);
	vista_field_u(&f[n++], "backlog", VISTA_FIELD_UINT, ev->backlog);
	vista_field_u(&f[n++], "max_backlog",
		      VISTA_FIELD_UINT, ev->max_backlog);
	vista_field_u(&f[n++], "rcvbuf", VISTA_FIELD_UINT, ev->rcvbuf);
	vista_field_u(&f[n++], "sndbuf", VISTA_FIELD_UINT, ev->sndbuf);
	vista_field_u(&f[n++], "rmem", VISTA_FIELD_UINT, ev->rmem);
	vista_field_u(&f[n++], "wmem_queued",
		      VISTA_FIELD_UINT, ev->wmem_queued);
	vista_field_u(&f[n++], "priority", VISTA_FIELD_UINT, ev->priority);
	vista_field_u(&f[n++], "mark", VISTA_FIELD_HEX, ev->mark);
	field_enum(ctx, &f[n++], "type", "sock_type", ev->type);
	vista_field_s(&f[n++], "family", sk_family_name(ev->family));
	st->groups[0].name = "SOCK";
	st->groups[0].fields = f;
	st->groups[0].nr_fields = n;
	rec->groups = st->groups;
	rec->nr_groups = 1;
	if (!ev->has_socket)
		return;
	f = st->socket;
	n = 0;
	field_enum(ctx, &f[n++], "state", "SS_FREE", ev->sock_state);
	field_enum(ctx, &f[n++], "type", "sock_type", ev->sock_type);
	vista_field_u(&f[n++], "flags", VISTA_FIELD_HEX, ev->sock_flags);
	vista_field_u(&f[n++], "inode", VISTA_FIELD_UINT, ev->inode);
	st->groups[1].name = "SOCKET";
	st->groups[1].fields = f;
	st->groups[1].nr_fields = n;
	rec->nr_groups = 2;
}

static int sk_decode(struct vista_ctx *ctx, const void *data, size_t size,
		     struct vista_record *rec)
{
	const struct sk_event *ev = data;

	if (size < sizeof(*ev) || ev->hdr.kind != SK_EV_FUNC)
		return -EINVAL;
	/* A clone knows its target; a kprobe its address. */
	rec->func = ev->hdr.target != VISTA_TARGET_NONE ?
		    ctx->host->target_name(ctx, ev->hdr.target) :
		    ctx->host->ksym(ctx, ev->hdr.func_ip);
	if (!rec->func)
		return -EINVAL;
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	if (ev->has_info)
		sk_groups(ctx, ev, rec);
	return 0;
}

static void sk_fini(struct vista_ctx *ctx)
{
	struct sk_state *st = ctx->priv;

	if (!st)
		return;
	sk_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "sk",
	.kind = VISTA_PLUGIN_TRACER,
	.version = PACKAGE_VERSION,
	.summary = "sockets (struct sock) at tracepoints and functions",
	.tracer = {
		.init = sk_init,
		.load = sk_load,
		.attach = sk_attach,
		.decode = sk_decode,
		.fini = sk_fini,
	},
};
