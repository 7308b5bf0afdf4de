// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCP-lifetime tracer (--filter-trace-tcp): one event per connection
 * when it closes, with its lifetime, owner and, with --output-tcp, the
 * reference's TCP: sub-line. Tracepoints only: it works on every kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "tcp.h"
#include "tcp.skel.h"

enum { TCP_P_STATE, TCP_P_SEND_RST, TCP_P_RECV_RST, TCP_P_DESTROY,
       TCP_P_ACCEPT, TCP_NR_PROGS };

/* Tracepoint of each program; required ones stop vista when missing. */
static const struct {
	const char *tp;
	bool required;
	const char *without;
} tcp_hooks[TCP_NR_PROGS] = {
	[TCP_P_STATE] = { "inet_sock_set_state", true, NULL },
	[TCP_P_SEND_RST] = { "tcp_send_reset", false, "resets sent" },
	[TCP_P_RECV_RST] = { "tcp_receive_reset", false, "resets received" },
	[TCP_P_DESTROY] = { "tcp_destroy_sock", true, NULL },
	[TCP_P_ACCEPT] = { "sys_exit", false,
			   "the owner of accepted connections" },
};

struct tcp_state {
	struct tcp_bpf *skel;
	struct bpf_program *prog[TCP_NR_PROGS];
	struct bpf_link *link[TCP_NR_PROGS];
	__u64 min_lifetime;
	bool output;
	char states[32];	/* "SYN_SENT->FIN_WAIT2" */
	char ca[TCP_CA_NAME_MAX + 1];	/* the event's, terminated */
	struct vista_field fields[10];
	struct vista_group group;
};

static int tcp_init(struct vista_ctx *ctx)
{
	struct tcp_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->min_lifetime = ctx->host->opt_uint(ctx, "lifetime");
	st->output = ctx->host->opt_bool(ctx, "output");
	return 0;
}

static bool has_tracepoint(const struct btf *btf, const char *tp)
{
	char name[128];

	if (!btf)
		return true;	/* let the load say */
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) >= 0;
}

static int tcp_load(struct vista_ctx *ctx)
{
	struct tcp_state *st = ctx->priv;
	const struct btf *btf = ctx->host->btf(ctx);
	int i, ret;

	st->skel = tcp_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	st->skel->rodata->tcp_min_lifetime = st->min_lifetime;
	st->prog[TCP_P_STATE] = st->skel->progs.vista_tcp_state;
	st->prog[TCP_P_SEND_RST] = st->skel->progs.vista_tcp_send_reset;
	st->prog[TCP_P_RECV_RST] = st->skel->progs.vista_tcp_recv_reset;
	st->prog[TCP_P_DESTROY] = st->skel->progs.vista_tcp_destroy;
	st->prog[TCP_P_ACCEPT] = st->skel->progs.vista_tcp_accept;
	ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	if (ret)
		return ret;
	for (i = 0; i < TCP_NR_PROGS; i++) {
		if (!has_tracepoint(btf, tcp_hooks[i].tp)) {
			if (tcp_hooks[i].required) {
				vista_err(ctx, "this kernel has no %s "
					  "tracepoint", tcp_hooks[i].tp);
				return -ENOENT;
			}
			vista_warn(ctx, "no %s tracepoint: no %s",
				   tcp_hooks[i].tp, tcp_hooks[i].without);
			bpf_program__set_autoload(st->prog[i], false);
			st->prog[i] = NULL;
			continue;
		}
		ret = bpf_program__set_attach_target(st->prog[i], 0,
						     tcp_hooks[i].tp);
		if (ret) {
			vista_err(ctx, "cannot use the %s tracepoint: %s",
				  tcp_hooks[i].tp, strerror(-ret));
			return ret;
		}
	}
	ret = tcp_bpf__load(st->skel);
	if (ret) {
		vista_err(ctx, "cannot load BPF programs: %s (VISTA_DEBUG=1 "
			  "shows the verifier's log)", strerror(-ret));
		return ret;
	}
	return 0;
}

static int tcp_attach(struct vista_ctx *ctx)
{
	struct tcp_state *st = ctx->priv;
	int i, ret;

	for (i = 0; i < TCP_NR_PROGS; i++) {
		if (!st->prog[i])
			continue;
		st->link[i] = bpf_program__attach(st->prog[i]);
		if (!st->link[i]) {
			ret = -errno;
			vista_err(ctx, "cannot attach to the %s tracepoint: %s",
				  tcp_hooks[i].tp, strerror(-ret));
			return ret;
		}
	}
	vista_info(ctx, "TCP connections: tracepoints inet_sock_set_state, "
		   "tcp_send_reset, tcp_receive_reset, tcp_destroy_sock; "
		   "owners of accepted connections from sys_exit");
	return 0;
}

static const char *tcp_state_name(unsigned int s)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};

	return s < sizeof(names) / sizeof(*names) && names[s] ? names[s]
							      : "?";
}

static int tcp_decode(struct vista_ctx *ctx, const void *data, size_t size,
		      struct vista_record *rec)
{
	const struct tcp_event *ev = data;
	struct tcp_state *st = ctx->priv;
	struct vista_field *f = st->fields;
	unsigned int n = 0;

	if (size < sizeof(*ev) || ev->hdr.kind != TCP_EV_CLOSE)
		return -EINVAL;
	rec->func = "tcp_lifetime";
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	if (!st->output)
		return 0;
	vista_field_u(&f[n++], "lifetime_ns",
		      VISTA_FIELD_UINT, ev->lifetime_ns);
	vista_field_u(&f[n++], "rx_bytes",
		      VISTA_FIELD_UINT, ev->bytes_received);
	vista_field_u(&f[n++], "tx_bytes", VISTA_FIELD_UINT, ev->bytes_sent);
	vista_field_u(&f[n++], "srtt_us", VISTA_FIELD_UINT, ev->srtt_us);
	vista_field_u(&f[n++], "retrans", VISTA_FIELD_UINT, ev->total_retrans);
	vista_field_u(&f[n++], "mark", VISTA_FIELD_HEX, ev->mark);
	vista_field_s(&f[n++], "cc", ev->ca[0] ?
		      vista_record_str(st->ca, ev->ca, sizeof(ev->ca)) : "?");
	vista_field_u(&f[n++], "rst_sent", VISTA_FIELD_BOOL,
		!!(ev->rst & TCP_RST_SENT));
	vista_field_u(&f[n++], "rst_recv", VISTA_FIELD_BOOL,
		!!(ev->rst & TCP_RST_RECV));
	snprintf(st->states, sizeof(st->states), "%s->%s",
		 tcp_state_name(ev->birth_state),
		 tcp_state_name(ev->last_state));
	vista_field_s(&f[n++], "states", st->states);
	st->group.name = "TCP";
	st->group.fields = f;
	st->group.nr_fields = n;
	rec->groups = &st->group;
	rec->nr_groups = 1;
	return 0;
}

static void tcp_detach(struct vista_ctx *ctx)
{
	struct tcp_state *st = ctx->priv;
	int i;

	for (i = 0; st && i < TCP_NR_PROGS; i++) {
		bpf_link__destroy(st->link[i]);
		st->link[i] = NULL;
	}
}

static void tcp_fini(struct vista_ctx *ctx)
{
	struct tcp_state *st = ctx->priv;

	if (!st)
		return;
	tcp_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "tcp",
	.kind = VISTA_PLUGIN_TRACER,
	.version = PACKAGE_VERSION,
	.summary = "TCP connection lifetimes, resets and owners (tracepoints)",
	.tracer = {
		.init = tcp_init,
		.load = tcp_load,
		.attach = tcp_attach,
		.decode = tcp_decode,
		.detach = tcp_detach,
		.fini = tcp_fini,
	},
};
