// SPDX-License-Identifier: GPL-2.0-only
/*
 * The skb tracer: every function or tracepoint that takes a struct
 * sk_buff (--filter-trace-skb), and drops with their reason (with
 * --filter-skb-drop-stack only drops, each with its kernel stack).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <vista/output.h>
#include <vista/plugin.h>
#include "skb.h"
#include "skb.skel.h"

/*
 * --filter-track-skb: bookkeeping and learning programs, where each goes.
 * Functions (kprobe, or fentry with that backend) are optional: on a
 * kernel where one is inlined vista follows less, and says so.
 */
enum { SKB_TRK_COPY, SKB_TRK_REALLOC, SKB_TRK_FREE, SKB_TRK_CONSUME,
       SKB_TRK_KFREE, SKB_TRK_LEARN_RX, SKB_TRK_LEARN_TX, SKB_TRK_LEARN_IP4,
       SKB_TRK_LEARN_IP6, SKB_NR_TRK };

struct skb_trk {
	const char *hook;	/* function or tracepoint */
	const char *what;	/* what is lost without it */
	bool func;
};

static const struct skb_trk skb_trk[SKB_NR_TRK] = {
	[SKB_TRK_COPY] = { "__copy_skb_header", "clones and copies", true },
	[SKB_TRK_REALLOC] = { "pskb_expand_head", "head reallocations", true },
	[SKB_TRK_FREE] = { "kfree_skbmem", "frees", true },
	[SKB_TRK_CONSUME] = { "consume_skb", "frees", false },
	[SKB_TRK_KFREE] = { "kfree_skb", "drops", false },
	[SKB_TRK_LEARN_RX] = { "netif_receive_skb", "received packets", false },
	[SKB_TRK_LEARN_TX] = { "net_dev_queue", "sent packets", false },
	[SKB_TRK_LEARN_IP4] = { "__ip_local_out", "local IPv4 output", true },
	[SKB_TRK_LEARN_IP6] = { "__ip6_local_out", "local IPv6 output", true },
};

struct skb_state {
	struct skb_bpf *skel;
	struct bpf_link *drop_link;
	bool trace;		/* every skb hook */
	bool drop_stack;	/* drops only, with stacks */
	const char *func;	/* --filter-skb-func */
	regex_t func_re;	/* its whole-name form */
	bool has_re;
	__u32 mark;
	struct bpf_program *drop_prog;	/* the one for this backend */
	const char *drop_hook;		/* what it attaches to */
	bool track;			/* --filter-track-skb */
	bool output_skb;		/* --output-skb */
	char dump[SKB_DUMP_MAX + 32];
	struct vista_packet pkt;	/* the record's packet, if any */
	struct bpf_program *trk[SKB_NR_TRK];	/* tracking; NULL: none */
	bool trk_kprobe;			/* attached as kprobes */
	struct bpf_link *trk_link[SKB_NR_TRK];
	char func_buf[192];
	struct vista_field fields[1];
	struct vista_group group;
};

/*
 * Drops have their own programs, which also read the reason: the
 * kfree_skb tracepoint, or the function the kernel drops through
 * (sk_skb_reason_drop since 6.11, kfree_skb_reason before).
 */
static const char *const skb_drop_funcs[] = {
	"sk_skb_reason_drop", "kfree_skb_reason",
};
static const char *const skb_exclude[] = {
	"kfree_skb", "sk_skb_reason_drop", "kfree_skb_reason", NULL,
};

static int skb_init(struct vista_ctx *ctx)
{
	const struct vista_host *h = ctx->host;
	struct skb_state *st;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->trace = h->opt_bool(ctx, "trace");
	st->drop_stack = h->opt_bool(ctx, "drop-stack");
	st->func = h->opt_str(ctx, "func");
	st->mark = h->opt_uint(ctx, "mark");
	st->track = h->opt_bool(ctx, "track");
	st->output_skb = h->opt_bool(ctx, "output-skb");
	if (st->func && !*st->func)
		st->func = NULL;
	if (st->func) {
		char why[128], *whole;
		int rc;

		/* Whole-name match, as the core matches hook names. */
		rc = regcomp(&st->func_re, st->func, REG_EXTENDED | REG_NOSUB);
		if (!rc) {
			regfree(&st->func_re);
			if (asprintf(&whole, "^(%s)$", st->func) < 0)
				goto out_free;
			rc = regcomp(&st->func_re, whole,
				     REG_EXTENDED | REG_NOSUB);
			free(whole);
		}
		if (rc) {
			regerror(rc, &st->func_re, why, sizeof(why));
			vista_err(ctx, "--filter-skb-func: invalid regular "
				  "expression '%s': %s", st->func, why);
			free(st);
			ctx->priv = NULL;
			return -EINVAL;
		}
		st->has_re = true;
	}
	/* A bare [tracer.skb] section means: trace skbs. */
	if (!st->trace && !st->drop_stack)
		st->trace = true;
	/* The reference: drop-stack traces drops only, unless asked for
	 * every function too. */
	if (st->drop_stack && !h->opt_is_set(ctx, "trace"))
		st->trace = false;
	return 0;

out_free:
	free(st);
	ctx->priv = NULL;
	return -ENOMEM;
}

/* Pick the drop program and hook for the backend; NULL hook: none. */
static int skb_pick_drop(struct vista_ctx *ctx, int backend)
{
	struct skb_state *st = ctx->priv;
	__u8 skb_pos, reason_pos;
	size_t i;
	int ret;

	if (backend == VISTA_BACKEND_TRACEPOINT) {
		st->drop_prog = st->skel->progs.vista_skb_drop;
		st->drop_hook = "kfree_skb";
	} else {
		for (i = 0; i < sizeof(skb_drop_funcs) / sizeof(*skb_drop_funcs);
		     i++)
			if (!ctx->host->func_args(ctx, skb_drop_funcs[i],
						  "sk_buff", "skb_drop_reason",
						  &skb_pos, &reason_pos))
				break;
		if (i == sizeof(skb_drop_funcs) / sizeof(*skb_drop_funcs)) {
			/* No drop function in BTF: the tracepoint will do. */
			st->drop_prog = st->skel->progs.vista_skb_drop;
			st->drop_hook = "kfree_skb";
		} else {
			st->drop_hook = skb_drop_funcs[i];
			st->skel->rodata->skb_drop_skb_pos = skb_pos;
			st->skel->rodata->skb_drop_reason_pos = reason_pos;
			st->drop_prog = backend == VISTA_BACKEND_FENTRY ?
					st->skel->progs.vista_skb_fdrop :
					st->skel->progs.vista_skb_kdrop;
		}
	}
	/* --filter-skb-func applies to the drop hook as to any other. */
	if (!st->drop_stack && (!st->trace ||
	    (st->has_re && regexec(&st->func_re, st->drop_hook, 0, NULL, 0)))) {
		st->drop_hook = NULL;
		return 0;
	}
	/* BTF-typed programs name their hook before load (which libbpf
	 * 1.1 does by reading the kernel's BTF, freed by the load only:
	 * not done for a program that will not load). */
	if (st->drop_prog == st->skel->progs.vista_skb_fdrop)
		bpf_program__set_expected_attach_type(st->drop_prog,
						      BPF_TRACE_FENTRY);
	if (st->drop_prog != st->skel->progs.vista_skb_kdrop) {
		ret = bpf_program__set_attach_target(st->drop_prog, 0,
						     st->drop_hook);
		if (ret) {
			vista_err(ctx, "no %s in kernel BTF: %s",
				  st->drop_hook, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The program of each tracking hook for the backend, NULL for none. */
static void skb_trk_progs(struct skb_state *st, bool fentry,
			  struct bpf_program **p)
{
	struct skb_bpf *s = st->skel;

	p[SKB_TRK_COPY] = fentry ? s->progs.vista_skb_trk_fcopy :
				   s->progs.vista_skb_trk_kcopy;
	p[SKB_TRK_REALLOC] = fentry ? s->progs.vista_skb_trk_frealloc :
				      s->progs.vista_skb_trk_krealloc;
	p[SKB_TRK_FREE] = fentry ? s->progs.vista_skb_trk_ffree :
				   s->progs.vista_skb_trk_kfree;
	p[SKB_TRK_CONSUME] = s->progs.vista_skb_trk_tpfree;
	p[SKB_TRK_KFREE] = s->progs.vista_skb_trk_tpfree2;
	p[SKB_TRK_LEARN_RX] = s->progs.vista_skb_learn_tp;
	p[SKB_TRK_LEARN_TX] = s->progs.vista_skb_learn_tp2;
	p[SKB_TRK_LEARN_IP4] = fentry ? s->progs.vista_skb_learn_f3 :
					s->progs.vista_skb_learn_k3;
	p[SKB_TRK_LEARN_IP6] = fentry ? s->progs.vista_skb_learn_f3b :
					s->progs.vista_skb_learn_k3;
}

/* Choose and name the --filter-track-skb programs for the backend. */
static int skb_pick_trk(struct vista_ctx *ctx, int backend)
{
	struct skb_state *st = ctx->priv;
	const struct btf *btf = ctx->host->btf(ctx);
	bool funcs = backend != VISTA_BACKEND_TRACEPOINT;
	bool fentry = backend == VISTA_BACKEND_FENTRY;
	struct bpf_program *all[SKB_NR_TRK];
	int i, ret;

	/* Nothing loads unless chosen below: both flavours off first. */
	skb_trk_progs(st, true, all);
	for (i = 0; i < SKB_NR_TRK; i++)
		bpf_program__set_autoload(all[i], false);
	skb_trk_progs(st, false, all);
	for (i = 0; i < SKB_NR_TRK; i++)
		bpf_program__set_autoload(all[i], false);
	skb_trk_progs(st, fentry, st->trk);
	st->trk_kprobe = funcs && !fentry;
	for (i = 0; i < SKB_NR_TRK; i++) {
		const struct skb_trk *t = &skb_trk[i];

		if (!st->track || (t->func && !funcs)) {
			st->trk[i] = NULL;
			continue;
		}
		/* Inlined on this kernel: no function to hook. */
		if (t->func && btf &&
		    btf__find_by_name_kind(btf, t->hook, BTF_KIND_FUNC) < 0) {
			vista_warn(ctx, "--filter-track-skb: %s is not a "
				   "function on this kernel: %s are not "
				   "followed", t->hook, t->what);
			st->trk[i] = NULL;
			continue;
		}
		bpf_program__set_autoload(st->trk[i], true);
		if (t->func && !fentry)
			continue;
		if (fentry && t->func)
			bpf_program__set_expected_attach_type(st->trk[i],
							BPF_TRACE_FENTRY);
		ret = bpf_program__set_attach_target(st->trk[i], 0, t->hook);
		if (ret) {
			vista_err(ctx, "--filter-track-skb: cannot use %s: %s",
				  t->hook, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* After the event programs, so that a free is reported, then forgotten. */
static void skb_attach_trk(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;
	int i;

	for (i = 0; i < SKB_NR_TRK; i++) {
		if (!st->trk[i])
			continue;
		if (st->trk_kprobe && skb_trk[i].func)
			st->trk_link[i] = bpf_program__attach_kprobe(
				st->trk[i], false, skb_trk[i].hook);
		else
			st->trk_link[i] = bpf_program__attach(st->trk[i]);
		if (!st->trk_link[i])
			vista_warn(ctx, "--filter-track-skb: cannot attach to "
				   "%s (%s): %s are not followed",
				   skb_trk[i].hook, strerror(errno),
				   skb_trk[i].what);
	}
	if (st->track && !st->trk[SKB_TRK_COPY])
		vista_info(ctx, "--filter-track-skb with tracepoints: an skb "
			   "is followed until it is freed, not into its clones "
			   "and copies, nor past a head reallocation");
}

static int skb_load(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;
	struct vista_attach req = {
		.size = sizeof(req),
		.kind = VISTA_OBJ_SKB,
		.exclude = skb_exclude,
	};
	bool have_targets = st->trace;
	int i, ret, backend;

	st->skel = skb_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	st->skel->rodata->skb_mark = st->mark;
	st->skel->rodata->skb_drop_stack = st->drop_stack;
	st->skel->rodata->skb_output_skb = st->output_skb;
	/* 5.10+; 0: the kernel says no, < 0: cannot tell, let load say. */
	if (st->output_skb && !libbpf_probe_bpf_helper(
			BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_snprintf_btf,
			NULL)) {
		vista_err(ctx, "--output-skb: this kernel has no "
			  "bpf_snprintf_btf() helper (Linux 5.10 or later)");
		return -EOPNOTSUPP;
	}

	req.func_regex = st->func;
	req.tracing[1] = st->skel->progs.vista_skb_tp1;
	req.tracing[2] = st->skel->progs.vista_skb_tp2;
	req.tracing[3] = st->skel->progs.vista_skb_tp3;
	req.tracing[4] = st->skel->progs.vista_skb_tp4;
	req.tracing[5] = st->skel->progs.vista_skb_tp5;
	req.kprobe[1] = st->skel->progs.vista_skb_kp1;
	req.kprobe[2] = st->skel->progs.vista_skb_kp2;
	req.kprobe[3] = st->skel->progs.vista_skb_kp3;
	req.kprobe[4] = st->skel->progs.vista_skb_kp4;
	req.kprobe[5] = st->skel->progs.vista_skb_kp5;
	for (i = 1; i <= VISTA_MAX_ARG; i++) {
		bpf_program__set_autoload(req.tracing[i], false);
		bpf_program__set_autoload(req.kprobe[i], false);
	}
	ret = ctx->host->prepare(ctx, st->skel->obj, st->trace ? &req : NULL);
	if (ret == -ENOENT) {
		/* Nothing but (maybe) the drop hook matched. */
		have_targets = false;
		ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	}
	if (ret)
		return ret;
	backend = ctx->host->backend(ctx);
	if (backend < 0)
		return backend;
	ret = skb_pick_drop(ctx, backend);
	if (ret)
		return ret;
	if (!have_targets && !st->drop_hook) {
		vista_err(ctx, "no skb tracepoint or function matches%s%s%s",
			  st->func ? " --filter-skb-func '" : "",
			  st->func ? st->func : "", st->func ? "'" : "");
		return -ENOENT;
	}
	ret = skb_pick_trk(ctx, backend);
	if (ret)
		return ret;
	bpf_program__set_autoload(st->skel->progs.vista_skb_drop,
				  st->drop_hook &&
				  st->drop_prog == st->skel->progs.vista_skb_drop);
	bpf_program__set_autoload(st->skel->progs.vista_skb_kdrop,
				  st->drop_hook &&
				  st->drop_prog == st->skel->progs.vista_skb_kdrop);
	bpf_program__set_autoload(st->skel->progs.vista_skb_fdrop,
				  st->drop_hook &&
				  st->drop_prog == st->skel->progs.vista_skb_fdrop);
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

	if (st->drop_hook) {
		if (st->drop_prog == st->skel->progs.vista_skb_kdrop)
			st->drop_link = bpf_program__attach_kprobe(
				st->drop_prog, false, st->drop_hook);
		else
			st->drop_link = bpf_program__attach(st->drop_prog);
		if (!st->drop_link) {
			ret = -errno;
			vista_err(ctx, "cannot attach to %s: %s",
				  st->drop_hook, strerror(-ret));
			return ret;
		}
		vista_info(ctx, "drops: %s %s, with reasons%s",
			   st->drop_prog == st->skel->progs.vista_skb_drop ?
			   "tracepoint" :
			   st->drop_prog == st->skel->progs.vista_skb_kdrop ?
			   "kprobe" : "fentry",
			   st->drop_hook, st->drop_stack ? " and stacks" : "");
	}
	ret = ctx->host->attach(ctx, st->skel->obj);
	if (!ret)
		skb_attach_trk(ctx);
	return ret;
}

/*
 * The printed sk_buff of an --output-skb record: at most what fit, no
 * NULs or trailing blanks, and a mark where bpf_snprintf_btf cut it.
 */
static const char *skb_dump(struct skb_state *st, const void *data,
			    size_t size)
{
	const struct skb_event *ev = data;
	size_t len = ev->dump_len, room = SKB_DUMP_MAX - 1;
	bool cut = len > room;

	if (!ev->dump_off || !len || ev->dump_off < sizeof(*ev) ||
	    (size_t)ev->dump_off + SKB_DUMP_MAX > size)
		return NULL;
	if (cut)
		len = room;
	memcpy(st->dump, (const char *)data + ev->dump_off, len);
	st->dump[len] = '\0';
	len = strnlen(st->dump, len);
	while (len && (st->dump[len - 1] == '\n' || st->dump[len - 1] == ' '))
		len--;
	snprintf(st->dump + len, sizeof(st->dump) - len, "%s",
		 cut ? "\n... (truncated)" : "");
	return st->dump;
}

/*
 * "func(REASON)" or "func(number)" into buf, cut to its size: once per
 * drop, so by hand rather than through printf.
 */
static void skb_func_reason(char *buf, size_t size, const char *func,
			    const char *reason, __u32 num)
{
	char digits[20];
	size_t n = 0, k;

	k = strlen(func);
	k = k < size - 1 ? k : size - 1;
	memcpy(buf, func, k);
	n = k;
	if (!reason) {
		k = vista_fmt_u64(digits, num, 10, 1);
		reason = digits;
	} else {
		k = strlen(reason);
	}
	if (n + k + 2 < size) {
		buf[n++] = '(';
		memcpy(buf + n, reason, k);
		n += k;
		buf[n++] = ')';
	}
	buf[n] = '\0';
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
	rec->dump = skb_dump(st, data, size);
	rec->pkt = vista_record_packet(&st->pkt, data, size, ev->pkt_off);
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);

	switch (ev->hdr.kind) {
	case SKB_EV_FUNC:
		/* A clone knows its target; a kprobe its address. */
		name = ev->hdr.target != VISTA_TARGET_NONE ?
		       ctx->host->target_name(ctx, ev->hdr.target) :
		       ctx->host->ksym(ctx, ev->hdr.func_ip);
		if (!name)
			return -EINVAL;
		rec->func = name;
		return 0;
	case SKB_EV_DROP:
		name = ev->hdr.func_ip ?
		       ctx->host->ksym(ctx, ev->hdr.func_ip) : "kfree_skb";
		reason = ctx->host->enum_name(ctx, "skb_drop_reason",
					      ev->reason);
		skb_func_reason(st->func_buf, sizeof(st->func_buf),
				name ? name : "?", reason, ev->reason);
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
	int i;

	if (!st)
		return;
	bpf_link__destroy(st->drop_link);
	st->drop_link = NULL;
	for (i = 0; i < SKB_NR_TRK; i++) {
		bpf_link__destroy(st->trk_link[i]);
		st->trk_link[i] = NULL;
	}
}

static void skb_fini(struct vista_ctx *ctx)
{
	struct skb_state *st = ctx->priv;

	if (!st)
		return;
	if (st->has_re)
		regfree(&st->func_re);
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
