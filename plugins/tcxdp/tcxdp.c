// SPDX-License-Identifier: GPL-2.0-only
/*
 * TC and XDP programs (--filter-trace-tc, --filter-trace-xdp): every
 * SCHED_CLS (tc and tcx) or XDP program loaded when vista starts gets an
 * fentry program at its entry and an fexit program at its exit, so each
 * packet it sees is reported twice: as it came in, and as it left with
 * the program's verdict ("name(tc)", "name(tc)=TC_ACT_SHOT").
 *
 * The entry function of each program is named by its BTF (bpf_prog_info
 * truncates names to 15 bytes); "name#id" when several programs share a
 * name. Programs without BTF cannot be traced (fentry needs the target's
 * function prototype): skipped with a warning. Subprograms are not traced:
 * their return value is not a verdict, and tail-called programs are
 * programs of their own, traced as such.
 *
 * One copy of the BPF object per traced program (an fentry program
 * attaches to one target); the copies share the core's maps and this
 * plugin's per-CPU scratch and entry maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "tcxdp.h"
#include "tcxdp.skel.h"

#define TCX_ENOTSUPP	524	/* the kernel's ENOTSUPP: no trampoline */

struct tcx_target {
	__u32 id;		/* program id */
	int fd;
	__u8 hook;		/* TCX_HOOK_* */
	char func[128];		/* its entry function, from BTF */
	char label[144];	/* func, or func#id when the name is shared */
	struct tcxdp_bpf *skel;
	struct bpf_link *link[2];	/* entry, exit */
};

struct tcx_state {
	bool want[3];		/* by TCX_HOOK_* */
	struct tcx_target *t;
	size_t nr;
	size_t nr_nobtf;
	char nobtf[256];	/* some of the programs without BTF */
	struct tcxdp_bpf *owner;	/* the copy whose maps the others use */
	size_t nr_attached[3];
	char func[192];
	struct vista_packet pkt;
	struct vista_field fields[7];
	struct vista_group group;
};

static const char *const tcx_hook_names[3] = { "?", "tc", "xdp" };

static int tcx_init(struct vista_ctx *ctx)
{
	struct tcx_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->want[TCX_HOOK_TC] = ctx->host->opt_bool(ctx, "tc");
	st->want[TCX_HOOK_XDP] = ctx->host->opt_bool(ctx, "xdp");
	if (!st->want[TCX_HOOK_TC] && !st->want[TCX_HOOK_XDP]) {
		vista_err(ctx, "nothing to trace: give --filter-trace-tc or "
			  "--filter-trace-xdp ([tracer.tcxdp] tc/xdp = true)");
		return -EINVAL;
	}
	return 0;
}

/* The struct a pointer type (through modifiers and typedefs) points to. */
static const char *tcx_pointee(const struct btf *btf, __u32 type)
{
	const struct btf_type *t = btf__type_by_id(btf, type);

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = btf__type_by_id(btf, t->type);
	while (t && (btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off)
				     : NULL;
}

/*
 * The entry function of program fd (its first func_info) into t->func,
 * if it takes the program's context. 0, -ENODATA without BTF, -ENOENT if
 * the function does not take the context.
 */
static int tcx_entry_func(int fd, const struct bpf_prog_info *info,
			  struct tcx_target *t)
{
	struct bpf_func_info fi = { 0 };
	struct bpf_prog_info two = { 0 };
	__u32 len = sizeof(two);
	const struct btf_type *fn, *proto;
	const char *ctx_name;
	struct btf *btf;
	int ret = -ENOENT;

	if (!info->btf_id || !info->nr_func_info)
		return -ENODATA;
	two.nr_func_info = 1;
	two.func_info_rec_size = sizeof(fi);
	two.func_info = (__u64)(unsigned long)&fi;
	if (bpf_obj_get_info_by_fd(fd, &two, &len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -ENODATA;
	fn = btf__type_by_id(btf, fi.type_id);
	proto = fn && btf_is_func(fn) ? btf__type_by_id(btf, fn->type) : NULL;
	if (proto && btf_is_func_proto(proto) && btf_vlen(proto) >= 1) {
		ctx_name = tcx_pointee(btf, btf_params(proto)[0].type);
		if (ctx_name && !strcmp(ctx_name, t->hook == TCX_HOOK_TC ?
							  "__sk_buff" : "xdp_md")) {
			snprintf(t->func, sizeof(t->func), "%s",
				 btf__name_by_offset(btf, fn->name_off));
			ret = 0;
		}
	}
	btf__free(btf);
	return ret;
}

static void tcx_note_nobtf(struct tcx_state *st, const char *name, __u32 id)
{
	size_t n = strlen(st->nobtf);

	st->nr_nobtf++;
	if (n < sizeof(st->nobtf) - 1)
		snprintf(st->nobtf + n, sizeof(st->nobtf) - n, "%s%s(id %u)",
			 n ? ", " : "", name[0] ? name : "?", id);
}

static int tcx_add(struct tcx_state *st, int fd, __u32 id, __u8 hook,
		   const struct bpf_prog_info *info)
{
	struct tcx_target t = { .id = id, .fd = fd, .hook = hook }, *v;
	int ret;

	ret = tcx_entry_func(fd, info, &t);
	if (ret == -ENODATA)
		tcx_note_nobtf(st, info->name, id);
	if (ret) {
		close(fd);
		return 0;
	}
	v = realloc(st->t, (st->nr + 1) * sizeof(*v));
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	st->t = v;
	st->t[st->nr++] = t;
	return 0;
}

/* Every TC (SCHED_CLS) and XDP program loaded now, as asked for. */
static int tcx_scan(struct vista_ctx *ctx, struct tcx_state *st)
{
	__u32 id = 0;
	size_t i, j;
	int fd, ret;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		__u8 hook;

		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		hook = info.type == BPF_PROG_TYPE_SCHED_CLS ? TCX_HOOK_TC :
		       info.type == BPF_PROG_TYPE_XDP ? TCX_HOOK_XDP : 0;
		if (!hook || !st->want[hook]) {
			close(fd);
			continue;
		}
		ret = tcx_add(st, fd, id, hook, &info);
		if (ret)
			return ret;
	}
	if (errno != ENOENT) {
		ret = -errno;
		vista_err(ctx, "cannot list BPF programs: %s", strerror(-ret));
		return ret;
	}
	/* Names several programs share get the program id. */
	for (i = 0; i < st->nr; i++) {
		bool shared = false;

		for (j = 0; j < st->nr && !shared; j++)
			shared = j != i && !strcmp(st->t[i].func, st->t[j].func);
		snprintf(st->t[i].label, sizeof(st->t[i].label),
			 shared ? "%s#%u" : "%s", st->t[i].func, st->t[i].id);
	}
	return 0;
}

static const char *tcx_wanted(const struct tcx_state *st)
{
	return st->want[TCX_HOOK_TC] && st->want[TCX_HOOK_XDP] ? "TC or XDP" :
	       st->want[TCX_HOOK_TC] ? "TC" : "XDP";
}

/* Load the object's copy for target i (fentry and fexit on it). */
static int tcx_load_one(struct vista_ctx *ctx, struct tcx_state *st,
			size_t i)
{
	struct tcx_target *t = &st->t[i];
	struct tcxdp_bpf *s;
	struct bpf_program *in, *out;
	int ret;

	s = t->skel = tcxdp_bpf__open();
	if (!s)
		return -errno;
	s->rodata->vista_plugin_id = ctx->plugin_id;
	s->rodata->tcx_target = i;
	ret = ctx->host->prepare(ctx, s->obj, NULL);
	if (ret)
		return ret;
	if (st->owner) {
		ret = bpf_map__reuse_fd(s->maps.tcx_entry,
				bpf_map__fd(st->owner->maps.tcx_entry));
		if (!ret)
			ret = bpf_map__reuse_fd(s->maps.tcx_scratch,
				bpf_map__fd(st->owner->maps.tcx_scratch));
	} else {
		ret = bpf_map__set_max_entries(s->maps.tcx_entry, st->nr);
	}
	if (ret)
		return ret;
	in = t->hook == TCX_HOOK_TC ? s->progs.vista_tc_entry
				    : s->progs.vista_xdp_entry;
	out = t->hook == TCX_HOOK_TC ? s->progs.vista_tc_exit
				     : s->progs.vista_xdp_exit;
	bpf_program__set_autoload(s->progs.vista_tc_entry, false);
	bpf_program__set_autoload(s->progs.vista_tc_exit, false);
	bpf_program__set_autoload(s->progs.vista_xdp_entry, false);
	bpf_program__set_autoload(s->progs.vista_xdp_exit, false);
	bpf_program__set_autoload(in, true);
	bpf_program__set_autoload(out, true);
	bpf_program__set_expected_attach_type(in, BPF_TRACE_FENTRY);
	bpf_program__set_expected_attach_type(out, BPF_TRACE_FEXIT);
	ret = bpf_program__set_attach_target(in, t->fd, t->func);
	if (!ret)
		ret = bpf_program__set_attach_target(out, t->fd, t->func);
	if (!ret)
		ret = tcxdp_bpf__load(s);
	return ret;
}

static void tcx_unload_one(struct tcx_target *t)
{
	tcxdp_bpf__destroy(t->skel);
	t->skel = NULL;
}

static int tcx_load(struct vista_ctx *ctx)
{
	struct tcx_state *st = ctx->priv;
	size_t i, loaded = 0, fail = 0;
	int ret, first = 0;

	ret = tcx_scan(ctx, st);
	if (ret)
		return ret;
	if (st->nr_nobtf)
		vista_warn(ctx, "%zu %s program%s without BTF cannot be "
			   "traced: %s%s", st->nr_nobtf, tcx_wanted(st),
			   st->nr_nobtf > 1 ? "s" : "", st->nobtf, strlen(st->nobtf) >= sizeof(st->nobtf) - 1 ?
			   "..." : "");
	if (!st->nr) {
		vista_err(ctx, "no %s program with BTF is loaded: nothing to "
			  "trace", tcx_wanted(st));
		return -ENOENT;
	}
	for (i = 0; i < st->nr; i++) {
		ret = tcx_load_one(ctx, st, i);
		if (!ret) {
			if (!st->owner)
				st->owner = st->t[i].skel;
			loaded++;
			continue;
		}
		if (!first) {
			first = ret;
			fail = i;
		}
		vista_dbg(ctx, "%s (prog id %u): cannot load fentry/fexit: %s",
			  st->t[i].label, st->t[i].id, strerror(-ret));
		tcx_unload_one(&st->t[i]);
	}
	if (loaded && loaded < st->nr)
		vista_warn(ctx, "%zu of %zu programs cannot be traced (%s; "
			   "VISTA_DEBUG=1 names them)", st->nr - loaded, st->nr,
			   strerror(-first));
	if (loaded)
		return 0;
	if (first == -EPERM || first == -EOPNOTSUPP || first == -TCX_ENOTSUPP)
		vista_err(ctx, "this kernel refuses fentry/fexit programs (%s): "
			  "tracing %s programs needs them (BPF trampolines, "
			  "Linux 5.5+)", first == -EPERM ? "EPERM" :
			  "not supported", tcx_wanted(st));
	else
		vista_err(ctx, "cannot load fentry/fexit for %s (prog id %u): "
			  "%s (VISTA_DEBUG=1 shows the verifier's log)",
			  st->t[fail].label, st->t[fail].id, strerror(-first));
	return first;
}

static int tcx_attach(struct vista_ctx *ctx)
{
	struct tcx_state *st = ctx->priv;
	struct tcxdp_bpf *s;
	size_t i;

	for (i = 0; i < st->nr; i++) {
		struct tcx_target *t = &st->t[i];
		bool tc = t->hook == TCX_HOOK_TC;

		s = t->skel;
		if (!s)
			continue;
		/* Entry first: an exit without its entry is not paired. */
		t->link[0] = bpf_program__attach_trace(tc ?
				s->progs.vista_tc_entry :
				s->progs.vista_xdp_entry);
		t->link[1] = !t->link[0] ? NULL :
			     bpf_program__attach_trace(tc ?
				s->progs.vista_tc_exit :
				s->progs.vista_xdp_exit);
		if (!t->link[1]) {
			vista_err(ctx, "cannot attach to %s (prog id %u): %s",
				  t->label, t->id, strerror(errno));
			return -errno;
		}
		st->nr_attached[t->hook]++;
		vista_dbg(ctx, "fentry/fexit on %s(%s), prog id %u", t->label,
			  tcx_hook_names[t->hook], t->id);
	}
	vista_info(ctx, "fentry/fexit on %zu TC and %zu XDP programs (those "
		   "loaded later are not traced)", st->nr_attached[TCX_HOOK_TC],
		   st->nr_attached[TCX_HOOK_XDP]);
	return 0;
}

static const char *tcx_tc_verdict(__s64 v)
{
	static const char *const names[] = {
		"TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
		"TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT",
		"TC_ACT_REDIRECT", "TC_ACT_TRAP",
	};

	if (v == -1)
		return "TC_ACT_UNSPEC";
	return v >= 0 && v < (__s64)(sizeof(names) / sizeof(*names)) ?
	       names[v] : NULL;
}

static const char *tcx_xdp_verdict(__s64 v)
{
	static const char *const names[] = {
		"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	};

	return v >= 0 && v < (__s64)(sizeof(names) / sizeof(*names)) ?
	       names[v] : NULL;
}

static int tcx_decode(struct vista_ctx *ctx, const void *data, size_t size,
		      struct vista_record *rec)
{
	const struct tcx_event *ev = data;
	struct tcx_state *st = ctx->priv;
	struct vista_field *f = st->fields;
	const struct tcx_target *t;
	const char *verdict = NULL;
	bool exit_;
	unsigned int n = 0;

	if (size < sizeof(*ev) || ev->hdr.kind != TCX_EV ||
	    ev->target >= st->nr || ev->hook != st->t[ev->target].hook ||
	    (ev->point != VISTA_POINT_ENTRY && ev->point != VISTA_POINT_EXIT))
		return -EINVAL;
	t = &st->t[ev->target];
	exit_ = ev->point == VISTA_POINT_EXIT;
	if (exit_)
		verdict = t->hook == TCX_HOOK_TC ?
			  tcx_tc_verdict((__s64)ev->verdict) :
			  tcx_xdp_verdict((__s64)ev->verdict);
	/* The reference's "name(tc)"; the exit adds what it returned. */
	if (!exit_)
		snprintf(st->func, sizeof(st->func), "%s(%s)", t->label,
			 tcx_hook_names[t->hook]);
	else if (verdict)
		snprintf(st->func, sizeof(st->func), "%s(%s)=%s", t->label,
			 tcx_hook_names[t->hook], verdict);
	else
		snprintf(st->func, sizeof(st->func), "%s(%s)=%lld", t->label,
			 tcx_hook_names[t->hook], (long long)ev->verdict);
	rec->func = st->func;
	rec->meta = &ev->meta;
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);
	rec->pkt = vista_record_packet(&st->pkt, data, size, ev->pkt_off);
	if (rec->pkt) {
		st->pkt.point = ev->point;
		st->pkt.dir = ev->dir;
		st->pkt.has_queue = ev->has_queue;
		st->pkt.queue = ev->queue;
		if (exit_) {
			st->pkt.verdict_type = t->hook;	/* 1 TC, 2 XDP */
			st->pkt.verdict = ev->verdict;
		}
	}

	/* Fields for structured sinks; text shows them through func. */
	vista_field_s(&f[n++], "prog", t->func);
	vista_field_u(&f[n++], "prog_id", VISTA_FIELD_UINT, t->id);
	vista_field_s(&f[n++], "hook", tcx_hook_names[t->hook]);
	vista_field_s(&f[n++], "point", exit_ ? "exit" : "entry");
	if (exit_) {
		if (verdict)
			vista_field_s(&f[n++], "verdict", verdict);
		vista_field_i(&f[n++], "ret", (__s64)ev->verdict);
		vista_field_u(&f[n++], "cost_ns", VISTA_FIELD_UINT,
			      ev->cost_ns);
	}
	st->group.name = NULL;
	st->group.fields = f;
	st->group.nr_fields = n;
	rec->groups = &st->group;
	rec->nr_groups = 1;
	return 0;
}

static void tcx_detach(struct vista_ctx *ctx)
{
	struct tcx_state *st = ctx->priv;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr; i++) {
		bpf_link__destroy(st->t[i].link[0]);
		bpf_link__destroy(st->t[i].link[1]);
		st->t[i].link[0] = st->t[i].link[1] = NULL;
	}
}

static void tcx_fini(struct vista_ctx *ctx)
{
	struct tcx_state *st = ctx->priv;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr; i++) {
		tcx_unload_one(&st->t[i]);
		close(st->t[i].fd);
	}
	free(st->t);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "tcxdp",
	.kind = VISTA_PLUGIN_TRACER,
	.version = PACKAGE_VERSION,
	.summary = "TC and XDP BPF programs: packets at entry and exit, "
		   "verdicts",
	.tracer = {
		.init = tcx_init,
		.load = tcx_load,
		.attach = tcx_attach,
		.decode = tcx_decode,
		.detach = tcx_detach,
		.fini = tcx_fini,
	},
};
