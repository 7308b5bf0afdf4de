// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach backends: how a plugin's template programs reach their targets.
 *
 * tracepoint (tp_btf) and fentry: a BTF-typed program is verified against
 * one hook's prototype, so a template is loaded once by libbpf (which does
 * the CO-RE relocations and map fd fix-ups) and then cloned from its final
 * instructions, one program per target, each with its target id patched
 * into the VISTA_TARGET_MAGIC immediate.
 *
 * kprobe: one program per argument position, attached to every function
 * by its own perf kprobe, from --filter-kprobe-batch threads at once.
 *
 * kprobe-multi: one program and one link per argument position for all
 * its functions (fprobe), filtered through available_filter_functions
 * first because one bad symbol fails the whole link.
 *
 * Auto-detection, best first (see doc/design.md for the measurements):
 * fentry for a few functions (lowest cost per hit, one load each),
 * kprobe-multi, kprobe, fentry, and the tracepoints as the last resort.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "core.h"
#include "kbtf.h"

/* Up to this many functions, auto-detection prefers fentry: few program
 * loads, and the cheapest hook per packet. */
#define FENTRY_AUTO_MAX		64

struct attach_plan {
	enum vista_backend backend;
	enum vista_obj_kind kind;
	struct bpf_program *tmpl[VISTA_MAX_ARG + 1];
	struct kbtf_target *targets;	/* owned */
	size_t nr_targets;
	int *fds;			/* clones: their link fds */
	size_t nr_fds;
	struct bpf_link **links;	/* kprobe, kprobe-multi */
	size_t nr_links;
};

static const char *const backend_names[] = {
	[VISTA_BACKEND_TRACEPOINT] = "tracepoint",
	[VISTA_BACKEND_KPROBE] = "kprobe",
	[VISTA_BACKEND_KPROBE_MULTI] = "kprobe-multi",
	[VISTA_BACKEND_FENTRY] = "fentry",
};

/* What this kernel can do, probed once. */
static struct {
	bool done, fentry_done;
	bool kprobe, kprobe_multi, fentry;
	int fentry_err, kprobe_multi_err;
} feat;

static struct traceable traceable;	/* available_filter_functions */
static bool traceable_done, traceable_addrs;
static struct traceable text_syms;	/* kallsyms text symbols */
static bool text_syms_done;

static const char *kind_name(enum vista_obj_kind kind)
{
	return kind == VISTA_OBJ_SOCK ? "sock" : "skb";
}

const char *backend_name(enum vista_backend b)
{
	return b >= VISTA_BACKEND_TRACEPOINT && b <= VISTA_BACKEND_FENTRY ?
	       backend_names[b] : "?";
}

/* With addresses for kprobe-multi only: the kernel takes longer to list
 * them (0.9 s against 0.5 s in the 6.12 guest). */
static const struct traceable *get_traceable(bool addrs)
{
	if (!traceable_done || (addrs && !traceable_addrs)) {
		traceable_free(&traceable);
		traceable_done = true;
		traceable_addrs = addrs;
		if (traceable_load(&traceable, addrs))
			dbg("available_filter_functions is not readable");
	}
	return &traceable;
}

/*
 * kprobe-multi attaches all of an argument position's functions in one
 * link, which fails whole for one function ftrace cannot hook: without
 * ftrace's list to leave those out it is no choice.
 */
static bool kprobe_multi_listed(void)
{
	return get_traceable(true)->nr > 0;
}

static const struct traceable *get_text_syms(void)
{
	if (!text_syms_done) {
		text_syms_done = true;
		if (ksyms_text_names(&text_syms))
			dbg("/proc/kallsyms is not readable");
	}
	return &text_syms;
}

static int trivial_prog(enum bpf_prog_type type, enum bpf_attach_type at,
			__u32 btf_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = at,
		.attach_btf_id = btf_id,
	);

	return bpf_prog_load(type, "vista_probe", "GPL", insns,
			     ARRAY_SIZE(insns), &opts);
}

/*
 * A function with BTF to try the mechanisms on: exported ones that every
 * kernel lets ftrace and kprobes hook (without reading tracefs, which a
 * kernel without such mechanisms does not need mounted).
 */
static const char *probe_function(__u32 *btf_id)
{
	static const char *const cands[] = {
		"kfree_skb_reason", "sk_skb_reason_drop", "consume_skb",
		"ip_rcv", "tcp_v4_rcv", "__netif_receive_skb",
	};
	__s32 id;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cands); i++) {
		id = btf__find_by_name_kind(vista->kbtf->vmlinux, cands[i],
					    BTF_KIND_FUNC);
		if (id > 0) {
			*btf_id = id;
			return cands[i];
		}
	}
	return NULL;
}

/*
 * What the kernel can hook functions with. kprobe-multi without attaching
 * anything: a link of zero functions is EINVAL where the kernel has it
 * and EOPNOTSUPP where it does not (no text patching: under emulation
 * that costs a noticeable part of a second).
 */
static void probe_kernel(void)
{
	LIBBPF_OPTS(bpf_link_create_opts, mopts);
	const char *syms[1] = { "vista_probe" };
	int fd, link;

	if (feat.done)
		return;
	feat.done = true;
	feat.kprobe = !access("/sys/bus/event_source/devices/kprobe/type",
			      F_OK);
	fd = trivial_prog(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0);
	if (fd >= 0) {
		mopts.kprobe_multi.syms = syms;
		mopts.kprobe_multi.cnt = 0;
		link = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &mopts);
		feat.kprobe_multi = link < 0 && errno == EINVAL;
		feat.kprobe_multi_err = feat.kprobe_multi ? 0 :
					link >= 0 ? EINVAL : errno;
		if (link >= 0)
			close(link);
		close(fd);
	} else {
		feat.kprobe_multi_err = errno;
	}
	dbg("kernel: kprobe %d, kprobe-multi %d (%s), probed at %.0f ms",
	    feat.kprobe, feat.kprobe_multi, strerror(feat.kprobe_multi_err),
	    vlog_ms());
}

/*
 * fentry: only an attach tells (the load passes where the trampoline
 * cannot be made), and detaching a trampoline waits for the kernel, so
 * only when the choice depends on it.
 */
static bool fentry_ok(void)
{
	__u32 btf_id = 0;
	int fd, link;

	if (feat.fentry_done)
		return feat.fentry;
	feat.fentry_done = true;
	feat.fentry_err = ENOENT;
	if (!probe_function(&btf_id))
		return false;
	fd = trivial_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, btf_id);
	if (fd >= 0) {
		link = bpf_raw_tracepoint_open(NULL, fd);
		feat.fentry = link >= 0;
		feat.fentry_err = link >= 0 ? 0 : errno;
		if (link >= 0)
			close(link);
		close(fd);
	} else {
		feat.fentry_err = errno;
	}
	dbg("kernel: fentry %d (%s)", feat.fentry,
	    strerror(feat.fentry_err));
	return feat.fentry;
}

static const char *forced_backend(void)
{
	const struct config_value *v;

	v = config_get(&vista->cfg, "core", "kprobe-backend");
	return v && v->s && *v->s ? v->s : NULL;
}

static bool forced_is(const char *name)
{
	const char *forced = forced_backend();

	return forced && !strcmp(forced, name);
}

/*
 * The backend for nr function targets: the forced one if the kernel has
 * it, else the best available. why explains the choice in a few words.
 */
static int backend_choose(size_t nr, enum vista_backend *out,
			  const char **why)
{
	const char *forced = forced_backend();
	enum vista_backend b;

	probe_kernel();
	if (forced) {
		for (b = VISTA_BACKEND_TRACEPOINT; b <= VISTA_BACKEND_FENTRY; b++)
			if (!strcmp(forced, backend_names[b]))
				break;
		if ((b == VISTA_BACKEND_KPROBE && !feat.kprobe) ||
		    (b == VISTA_BACKEND_KPROBE_MULTI && !feat.kprobe_multi) ||
		    (b == VISTA_BACKEND_FENTRY && !fentry_ok())) {
			err("--kprobe-backend %s: this kernel cannot: %s",
			    forced,
			    b == VISTA_BACKEND_KPROBE ?
				"it has no kprobes (CONFIG_KPROBES)" :
			    b == VISTA_BACKEND_KPROBE_MULTI ?
				strerror(feat.kprobe_multi_err) :
				strerror(feat.fentry_err));
			return -EOPNOTSUPP;
		}
		if (b == VISTA_BACKEND_KPROBE_MULTI && !kprobe_multi_listed()) {
			err("--kprobe-backend kprobe-multi: ftrace's list of "
			    "traceable functions (tracefs) is not readable, and "
			    "one function ftrace cannot hook would fail the "
			    "whole link: mount tracefs, or use --kprobe-backend "
			    "kprobe");
			return -EOPNOTSUPP;
		}
		*out = b;
		*why = "forced by --kprobe-backend";
		return 0;
	}
	if (nr <= FENTRY_AUTO_MAX && fentry_ok()) {
		*out = VISTA_BACKEND_FENTRY;
		*why = "few functions: one trampoline each, cheapest per packet";
	} else if (feat.kprobe_multi && kprobe_multi_listed()) {
		*out = VISTA_BACKEND_KPROBE_MULTI;
		*why = "one link per argument position for all functions";
	} else if (feat.kprobe) {
		*out = VISTA_BACKEND_KPROBE;
		*why = feat.kprobe_multi ? "kprobe-multi needs the list of "
					   "traceable functions in tracefs" :
		       fentry_ok() ?
			"no kprobe-multi; for this many functions kprobes "
			"attach and detach faster than fentry trampolines" :
			"no kprobe-multi and no fentry";
	} else if (fentry_ok()) {
		*out = VISTA_BACKEND_FENTRY;
		*why = "no kprobes";
	} else {
		*out = VISTA_BACKEND_TRACEPOINT;
		*why = feat.fentry_err == EPERM ?
			"this kernel has no kprobes and refuses fentry (EPERM)" :
			"this kernel has no kprobes and no fentry";
	}
	return 0;
}

int backend_check_option(void)
{
	const char *forced = forced_backend();

	if (!forced || !strcmp(forced, "tracepoint") ||
	    !strcmp(forced, "kprobe") || !strcmp(forced, "kprobe-multi") ||
	    !strcmp(forced, "fentry"))
		return 0;
	err("--kprobe-backend %s: unknown backend (kprobe, kprobe-multi, "
	    "fentry, tracepoint)", forced);
	return -EINVAL;
}

/* The plan's backend, or the one a plugin without targets would get. */
int backend_of(struct instance *inst)
{
	enum vista_backend b;
	const char *why;
	int ret;

	if (inst->plan)
		return inst->plan->backend;
	ret = backend_choose(1, &b, &why);
	return ret ? ret : (int)b;
}

const char *backend_target_name(__u32 id)
{
	if (id >= vista->nr_targets)
		return NULL;
	return vista->targets[id].name;
}

static int target_add(const char *name, __u32 *id)
{
	struct target *t;

	t = realloc(vista->targets, (vista->nr_targets + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	vista->targets = t;
	t[vista->nr_targets].name = strdup(name);
	if (!t[vista->nr_targets].name)
		return -ENOMEM;
	*id = vista->nr_targets++;
	return 0;
}

static int reuse_shared_maps(struct instance *inst, struct bpf_object *obj)
{
	static const char *const shared[] = {
		"vista_events", "vista_cfg", "vista_lost", "vista_track",
		"vista_track_stats",
	};
	struct bpf_map *map;
	size_t i;
	int fd, ret;

	for (i = 0; i < ARRAY_SIZE(shared); i++) {
		map = bpf_object__find_map_by_name(obj, shared[i]);
		if (!map)
			continue;
		fd = bus_map_fd(vista->bus, shared[i]);
		if (fd < 0)
			return fd;
		ret = bpf_map__reuse_fd(map, fd);
		if (ret) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "cannot share map %s: %s", shared[i],
			     strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The filter config as a constant: into the object's vista_cfg_ro
 * (<vista/bpf/vista.bpf.h>, ABI 1.5), found by its offset in the .rodata
 * section's BTF. A plugin built for 1.5 reads its config only there: not
 * finding it is an error, not filters silently off.
 */
static int fill_cfg_ro(struct instance *inst, struct bpf_object *obj)
{
	const struct vista_filter_cfg *cfg = bus_filter(vista->bus);
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vi;
	const struct btf_type *t;
	const void *init;
	size_t size;
	__u8 *data;
	int id = -1, i, ret;

	init = map ? bpf_map__initial_value(map, &size) : NULL;
	if (btf && init)
		id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		goto missing;
	t = btf__type_by_id(btf, id);
	for (i = 0, vi = btf_var_secinfos(t); i < btf_vlen(t); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type);

		if (!var || strcmp(btf__name_by_offset(btf, var->name_off),
				   "vista_cfg_ro"))
			continue;
		if (vi->size != sizeof(*cfg) || vi->offset + vi->size > size) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "vista_cfg_ro: %u bytes at %u, not a struct "
			     "vista_filter_cfg in .rodata", vi->size,
			     vi->offset);
			return -EINVAL;
		}
		data = malloc(size);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, size);
		memcpy(data + vi->offset, cfg, sizeof(*cfg));
		ret = bpf_map__set_initial_value(map, data, size);
		free(data);
		return ret;
	}
missing:
	if (inst->desc->abi_minor < 5)
		return 0;	/* it reads the vista_cfg map */
	vlog(VISTA_LOG_ERROR, inst->ctx.name, "no vista_cfg_ro in the BPF "
	     "object's .rodata BTF (include <vista/bpf/vista.bpf.h>, build "
	     "with clang -g)");
	return -EINVAL;	/* not -ENOENT: that means "no target" */
}

static bool excluded(const struct vista_attach *req, const char *name)
{
	const char *const *e;

	for (e = req->exclude; e && *e; e++)
		if (!strcmp(*e, name))
			return true;
	return false;
}

/* Templates load only for the positions that have targets. */
static void disable_templates(const struct vista_attach *req)
{
	int i;

	for (i = 1; i <= VISTA_MAX_ARG; i++) {
		if (req->tracing[i])
			bpf_program__set_autoload(req->tracing[i], false);
		if (req->kprobe[i])
			bpf_program__set_autoload(req->kprobe[i], false);
	}
}

static bool is_tracing(enum vista_backend b)
{
	return b == VISTA_BACKEND_TRACEPOINT || b == VISTA_BACKEND_FENTRY;
}

/* Keep the targets a template and (for functions) ftrace can serve. */
static void filter_targets(struct attach_plan *plan,
			   const struct vista_attach *req, size_t *untraceable)
{
	const struct traceable *tr = NULL;
	struct bpf_program *const *tmpl;
	struct kbtf_target *t;
	size_t i, kept = 0;

	tmpl = is_tracing(plan->backend) ? req->tracing : req->kprobe;
	/* ftrace must be able to hook it for fentry and kprobe-multi; a
	 * kprobe only needs a symbol (notrace functions are fine). */
	if (plan->backend == VISTA_BACKEND_KPROBE)
		tr = get_text_syms();
	else if (plan->backend != VISTA_BACKEND_TRACEPOINT)
		tr = get_traceable(plan->backend ==
				   VISTA_BACKEND_KPROBE_MULTI);
	*untraceable = 0;
	for (i = 0; i < plan->nr_targets; i++) {
		t = &plan->targets[i];
		if (excluded(req, t->name) || t->pos > VISTA_MAX_ARG ||
		    !tmpl[t->pos]) {
			free(t->name);
			continue;
		}
		/* Inlined functions have BTF but no probe point. */
		if (tr && tr->nr && !traceable_has(tr, t->name)) {
			(*untraceable)++;
			free(t->name);
			continue;
		}
		plan->targets[kept++] = *t;
	}
	plan->nr_targets = kept;
}

static int find_targets(struct instance *inst, struct attach_plan *plan,
			const struct vista_attach *req, bool tracepoints)
{
	char errbuf[256];
	regex_t re;
	int ret;

	if (req->func_regex) {
		ret = kbtf_regcomp(&re, req->func_regex, errbuf,
				   sizeof(errbuf));
		if (ret) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "invalid function regex '%s': %s",
			     req->func_regex, errbuf);
			return ret;
		}
	}
	ret = kbtf_find_targets(vista->kbtf, req->kind, tracepoints,
				req->func_regex ? &re : NULL, &plan->targets,
				&plan->nr_targets);
	if (req->func_regex)
		regfree(&re);
	return ret;
}

int backend_prepare(struct instance *inst, struct bpf_object *obj,
		    const struct vista_attach *req)
{
	struct attach_plan *plan;
	size_t i, untraceable = 0;
	const char *why;
	int ret;

	ret = reuse_shared_maps(inst, obj);
	if (!ret)
		ret = fill_cfg_ro(inst, obj);
	if (ret || !req)
		return ret;
	if (req->size < sizeof(*req) || req->kind < VISTA_OBJ_SKB ||
	    req->kind > VISTA_OBJ_SOCK)
		return -EINVAL;

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	plan->kind = req->kind;

	/*
	 * Functions first, the choice depends on how many there are; unless
	 * the kernel can hook no function at all (then tracefs is not even
	 * looked at) or the user asked for the tracepoints.
	 */
	probe_kernel();
	if ((!feat.kprobe && !feat.kprobe_multi && !fentry_ok() &&
	     !forced_backend()) ||
	    forced_is("tracepoint")) {
		ret = backend_choose(0, &plan->backend, &why);
	} else {
		ret = find_targets(inst, plan, req, false);
		if (ret)
			goto out_free;
		/* Counted as the likelier function backend sees them: a
		 * forced kprobe needs no tracefs, fentry no addresses. */
		if (forced_is("kprobe"))
			plan->backend = VISTA_BACKEND_KPROBE;
		else if (forced_is("fentry") || !feat.kprobe_multi)
			plan->backend = VISTA_BACKEND_FENTRY;
		else
			plan->backend = VISTA_BACKEND_KPROBE_MULTI;
		filter_targets(plan, req, &untraceable);
		ret = backend_choose(plan->nr_targets, &plan->backend, &why);
	}
	if (ret)
		goto out_free;
	if (plan->backend == VISTA_BACKEND_TRACEPOINT) {
		kbtf_targets_free(plan->targets, plan->nr_targets);
		plan->targets = NULL;
		plan->nr_targets = 0;
		ret = find_targets(inst, plan, req, true);
		if (ret)
			goto out_free;
		filter_targets(plan, req, &untraceable);
	} else if (plan->backend == VISTA_BACKEND_KPROBE &&
		   !forced_is("kprobe")) {
		/* kprobes need no ftrace: filter again, by symbol only. */
		kbtf_targets_free(plan->targets, plan->nr_targets);
		plan->targets = NULL;
		plan->nr_targets = 0;
		ret = find_targets(inst, plan, req, false);
		if (ret)
			goto out_free;
		filter_targets(plan, req, &untraceable);
	}
	if (!plan->nr_targets) {	/* the plugin decides what it means */
		ret = -ENOENT;
		goto out_free;
	}

	disable_templates(req);
	for (i = 0; i < plan->nr_targets; i++) {
		struct kbtf_target *t = &plan->targets[i];
		struct bpf_program *p;

		if (plan->tmpl[t->pos])
			continue;
		p = is_tracing(plan->backend) ? req->tracing[t->pos]
					      : req->kprobe[t->pos];
		plan->tmpl[t->pos] = p;
		bpf_program__set_autoload(p, true);
		switch (plan->backend) {
		case VISTA_BACKEND_FENTRY:
			bpf_program__set_expected_attach_type(p,
							BPF_TRACE_FENTRY);
			/* verified against the first target, like tp_btf */
			__attribute__((fallthrough));
		case VISTA_BACKEND_TRACEPOINT:
			/* 0: no target program; libbpf finds module BTF */
			ret = bpf_program__set_attach_target(p, 0, t->name);
			break;
		case VISTA_BACKEND_KPROBE_MULTI:
			ret = bpf_program__set_expected_attach_type(p,
						BPF_TRACE_KPROBE_MULTI);
			break;
		default:
			ret = 0;
		}
		if (ret)
			goto out_free;
	}
	vlog(VISTA_LOG_INFO, inst->ctx.name, "backend %s: %s",
	     backend_name(plan->backend), why);
	vlog(VISTA_LOG_DEBUG, inst->ctx.name, "%zu targets chosen at %.0f ms",
	     plan->nr_targets, vlog_ms());
	if (untraceable)
		vlog(VISTA_LOG_DEBUG, inst->ctx.name,
		     "%zu %s functions have BTF but no probe point "
		     "(inlined, or notrace for ftrace): skipped", untraceable,
		     kind_name(req->kind));
	inst->plan = plan;
	return 0;

out_free:
	kbtf_targets_free(plan->targets, plan->nr_targets);
	free(plan);
	return ret;
}

static int plan_keep_fd(struct attach_plan *plan, int fd)
{
	int *fds = realloc(plan->fds, (plan->nr_fds + 1) * sizeof(*fds));

	if (!fds)
		return -ENOMEM;
	plan->fds = fds;
	fds[plan->nr_fds++] = fd;
	return 0;
}

/* Indexes of the 64-bit immediate loads holding VISTA_TARGET_MAGIC. */
static size_t find_magic(const struct bpf_insn *insns, size_t cnt,
			 size_t *at, size_t max)
{
	const __u64 m = VISTA_TARGET_MAGIC;
	size_t i, n = 0;

	for (i = 0; i + 1 < cnt; i++) {
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[i].src_reg == 0 && (__u32)insns[i].imm == (__u32)m &&
		    (__u32)insns[i + 1].imm == (__u32)(m >> 32) && n < max)
			at[n++] = i;
		i++;	/* second half of the wide instruction */
	}
	return n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What attaching did, for the summary line. */
#define MAX_SKIP_REASONS	6

struct attach_stats {
	size_t attached;
	size_t skipped;
	int first_why;		/* errno of the first skip */
	struct {
		int err;
		size_t n;
		const char *example;
	} why[MAX_SKIP_REASONS];	/* skips by errno; the rest in the last */
};

static void stats_skip(struct attach_stats *st, int why, const char *name)
{
	size_t i;

	st->skipped++;
	if (!st->first_why)
		st->first_why = why;
	for (i = 0; i < MAX_SKIP_REASONS - 1; i++)
		if (!st->why[i].n || st->why[i].err == why)
			break;
	if (!st->why[i].n) {
		st->why[i].err = why;
		st->why[i].example = name;
	}
	st->why[i].n++;
}

/* "; skipped 5: 3 (e.g. add_grec) Cannot assign ..., 2 (...) ..." */
static void stats_format(const struct attach_stats *st, char *buf,
			 size_t len)
{
	size_t i, off;

	if (!st->skipped) {
		buf[0] = '\0';
		return;
	}
	off = snprintf(buf, len, "; skipped %zu:", st->skipped);
	for (i = 0; i < MAX_SKIP_REASONS && st->why[i].n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s %zu %s (e.g. %s)",
				i ? "," : "", st->why[i].n,
				strerror(st->why[i].err), st->why[i].example);
}

/* On a terminal: how far attaching (or detaching) is, every 100 ms. */
static void progress_verb(struct instance *inst, const char *verb,
			  size_t done, size_t total)
{
	static double last;
	double now;

	if (!isatty(STDERR_FILENO))
		return;
	now = now_ms();
	if (done != total && now - last < 100)
		return;
	last = now;
	fprintf(stderr, "\rvista: %s: %s %zu/%zu%s", inst->ctx.name, verb,
		done, total, done == total ? "\r\033[K" : "");
}

static void progress(struct instance *inst, size_t done, size_t total)
{
	progress_verb(inst, "attaching", done, total);
}

/* ---- tracing clones: tp_btf and fentry ---------------------------- */

struct clone_work {
	struct instance *inst;
	struct attach_plan *plan;
	struct attach_stats *st;
	const struct bpf_insn *insns[VISTA_MAX_ARG + 1];	/* templates */
	size_t cnt[VISTA_MAX_ARG + 1];
	size_t magic[VISTA_MAX_ARG + 1][8];
	size_t nr_magic[VISTA_MAX_ARG + 1];
	__u32 *ids;			/* target id of each plan target */
	pthread_mutex_t lock;
	size_t next, done;
	int fatal;
};

/* Load and attach one clone: 0, 1 (skipped, *why set) or -errno. */
static int clone_attach(struct clone_work *w, struct bpf_insn *insns,
			size_t i, int *why)
{
	const struct kbtf_target *t = &w->plan->targets[i];
	struct attach_plan *plan = w->plan;
	char log[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type =
			plan->backend == VISTA_BACKEND_FENTRY ?
				BPF_TRACE_FENTRY : BPF_TRACE_RAW_TP,
		.attach_btf_id = t->btf_id,
		.attach_btf_obj_fd = t->btf_obj_fd,
		.log_buf = log,
		.log_size = sizeof(log),
	);
	size_t k;
	int fd, link, ret;

	if (t->btf_obj_fd < 0) {	/* module BTF we could not open */
		*why = ENOENT;
		return 1;
	}
	for (k = 0; k < w->nr_magic[t->pos]; k++) {
		insns[w->magic[t->pos][k]].imm = w->ids[i];
		insns[w->magic[t->pos][k] + 1].imm = 0;
	}
	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING,
			   bpf_program__name(plan->tmpl[t->pos]),
			   "Dual BSD/GPL", insns, w->cnt[t->pos], &opts);
	if (fd < 0) {
		*why = errno;
		vlog(VISTA_LOG_DEBUG, w->inst->ctx.name,
		     "%s: load failed: %s%s%.300s", t->name, strerror(errno),
		     log[0] ? ": " : "", log);
		return 1;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0) {
		*why = errno;
		vlog(VISTA_LOG_DEBUG, w->inst->ctx.name,
		     "%s: attach failed: %s", t->name, strerror(errno));
		close(fd);
		return 1;
	}
	/* The link holds the program: one fd per target, not two. */
	close(fd);
	pthread_mutex_lock(&w->lock);
	ret = plan_keep_fd(plan, link);
	pthread_mutex_unlock(&w->lock);
	if (ret)
		close(link);
	return ret;
}

static void *clone_worker(void *arg)
{
	struct clone_work *w = arg;
	struct bpf_insn *insns[VISTA_MAX_ARG + 1] = {};
	size_t i;
	int ret, why = 0, pos;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->plan->nr_targets || w->fatal || vista_stop)
			break;
		/* Each worker patches its own copy of the template. */
		pos = w->plan->targets[i].pos;
		if (!insns[pos]) {
			insns[pos] = malloc(w->cnt[pos] * sizeof(**insns));
			if (!insns[pos]) {
				w->fatal = -ENOMEM;
				break;
			}
			memcpy(insns[pos], w->insns[pos],
			       w->cnt[pos] * sizeof(**insns));
		}
		ret = clone_attach(w, insns[pos], i, &why);
		pthread_mutex_lock(&w->lock);
		if (ret < 0 && !w->fatal)
			w->fatal = ret;
		else if (ret > 0)
			stats_skip(w->st, why, w->plan->targets[i].name);
		else if (!ret)
			w->st->attached++;
		w->done++;
		progress(w->inst, w->done, w->plan->nr_targets);
		pthread_mutex_unlock(&w->lock);
	}
	for (pos = 1; pos <= VISTA_MAX_ARG; pos++)
		free(insns[pos]);
	return NULL;
}

/* One program load per target: spread them over the CPUs. */
static int attach_clones(struct instance *inst, struct attach_plan *plan,
			 struct attach_stats *st)
{
	struct clone_work w = {
		.inst = inst, .plan = plan, .st = st,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, nthreads, started = 0;
	pthread_t th[16];
	int ret = 0, pos;

	for (pos = 1; pos <= VISTA_MAX_ARG; pos++) {
		struct bpf_program *p = plan->tmpl[pos];

		if (!p)
			continue;
		w.insns[pos] = bpf_program__insns(p);
		w.cnt[pos] = bpf_program__insn_cnt(p);
		w.nr_magic[pos] = find_magic(w.insns[pos], w.cnt[pos],
					     w.magic[pos],
					     ARRAY_SIZE(w.magic[pos]));
		if (!w.nr_magic[pos]) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "template %s does not call vista_target_id()",
			     bpf_program__name(p));
			return -EINVAL;
		}
	}
	w.ids = calloc(plan->nr_targets, sizeof(*w.ids));
	if (!w.ids)
		return -ENOMEM;
	for (i = 0; i < plan->nr_targets && !ret; i++)
		ret = target_add(plan->targets[i].name, &w.ids[i]);
	if (ret)
		goto out;

	nthreads = ncpu > 1 ? (size_t)ncpu : 1;
	if (nthreads > ARRAY_SIZE(th))
		nthreads = ARRAY_SIZE(th);
	if (nthreads > plan->nr_targets)
		nthreads = plan->nr_targets;
	for (i = 0; i < nthreads; i++)
		if (!pthread_create(&th[i], NULL, clone_worker, &w))
			started++;
	if (!started)
		clone_worker(&w);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	ret = w.fatal;
out:
	free(w.ids);
	return ret;
}

/* ---- kprobe-multi ------------------------------------------------- */

/*
 * By address where tracefs lists them (6.5 on): given names, the kernel
 * walks all its symbols to find them, which under emulation is most of
 * the attach.
 */
static int attach_kprobe_multi(struct instance *inst,
			       struct attach_plan *plan,
			       struct attach_stats *st)
{
	const struct traceable *tr = get_traceable(true);
	struct bpf_link *link;
	const char **syms;
	unsigned long *addrs;
	size_t i, n;
	int pos, ret = 0;

	plan->links = calloc(VISTA_MAX_ARG, sizeof(*plan->links));
	syms = calloc(plan->nr_targets, sizeof(*syms));
	addrs = calloc(plan->nr_targets, sizeof(*addrs));
	if (!plan->links || !syms || !addrs) {
		ret = -ENOMEM;
		goto out;
	}
	for (pos = 1; pos <= VISTA_MAX_ARG; pos++) {
		LIBBPF_OPTS(bpf_kprobe_multi_opts, opts);
		bool by_addr = true;

		if (!plan->tmpl[pos])
			continue;
		for (i = 0, n = 0; i < plan->nr_targets; i++) {
			if (plan->targets[i].pos != pos)
				continue;
			syms[n] = plan->targets[i].name;
			addrs[n] = traceable_addr(tr, syms[n]);
			by_addr &= addrs[n] != 0;
			n++;
		}
		if (by_addr)
			opts.addrs = addrs;
		else
			opts.syms = syms;
		opts.cnt = n;
		link = bpf_program__attach_kprobe_multi_opts(plan->tmpl[pos],
							     NULL, &opts);
		if (!link) {
			ret = -errno;
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "kprobe-multi link for %zu functions (argument "
			     "%d) failed: %s", n, pos, strerror(-ret));
			break;
		}
		dbg("kprobe-multi: %zu functions (argument %d) by %s", n, pos,
		    by_addr ? "address" : "name");
		plan->links[plan->nr_links++] = link;
		st->attached += n;
		progress(inst, st->attached, plan->nr_targets);
	}
out:
	free(addrs);
	free(syms);
	return ret;
}

/* ---- kprobe: batches of threads ----------------------------------- */

struct kprobe_work {
	struct instance *inst;
	struct attach_plan *plan;
	struct attach_stats *st;
	pthread_mutex_t lock;
	size_t next;		/* next target to take */
	size_t done;
	int fatal;		/* -errno that stops everything */
	const char *fatal_name;
};

static void *kprobe_worker(void *arg)
{
	struct kprobe_work *w = arg;
	struct attach_plan *plan = w->plan;
	struct bpf_link *link;
	size_t i;
	int e;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= plan->nr_targets || w->fatal || vista_stop)
			return NULL;
		link = bpf_program__attach_kprobe(
			plan->tmpl[plan->targets[i].pos], false,
			plan->targets[i].name);
		e = link ? 0 : errno;
		pthread_mutex_lock(&w->lock);
		if (link) {
			plan->links[i] = link;
			w->st->attached++;
		} else if (e == ENOENT || e == EADDRNOTAVAIL || e == EINVAL) {
			/* not probeable here: skipped and counted */
			stats_skip(w->st, e, plan->targets[i].name);
		} else if (!w->fatal) {
			w->fatal = -e;
			w->fatal_name = plan->targets[i].name;
		}
		w->done++;
		progress(w->inst, w->done, plan->nr_targets);
		pthread_mutex_unlock(&w->lock);
	}
}

static size_t kprobe_batch(void)
{
	const struct config_value *v;

	v = config_get(&vista->cfg, "core", "filter-kprobe-batch");
	return v && v->u ? (v->u > 256 ? 256 : v->u) : 10;
}

static int attach_kprobes(struct instance *inst, struct attach_plan *plan,
			  struct attach_stats *st)
{
	struct kprobe_work w = {
		.inst = inst, .plan = plan, .st = st,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	size_t nthreads = kprobe_batch(), i, started = 0;
	pthread_t *th;

	plan->links = calloc(plan->nr_targets, sizeof(*plan->links));
	th = calloc(nthreads, sizeof(*th));
	if (!plan->links || !th) {
		free(th);
		return -ENOMEM;
	}
	plan->nr_links = plan->nr_targets;
	for (i = 0; i < nthreads; i++)
		if (!pthread_create(&th[i], NULL, kprobe_worker, &w))
			started++;
	if (!started)		/* no threads: do it here */
		kprobe_worker(&w);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (w.fatal) {
		vlog(VISTA_LOG_ERROR, inst->ctx.name,
		     "kprobe on %s failed: %s", w.fatal_name,
		     strerror(-w.fatal));
		return w.fatal;
	}
	return 0;
}

/*
 * Removing a kprobe or a trampoline waits for RCU grace periods, for each
 * one: measured under TCG, closing 1,600 fentry links one by one takes
 * minutes. Done from several threads, the waits overlap.
 */
struct detach_work {
	struct instance *inst;
	struct bpf_link **links;	/* either these */
	int *fds;			/* or these */
	size_t nr;
	size_t next, done;
	pthread_mutex_t lock;
};

static void *detach_worker(void *arg)
{
	struct detach_work *w = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->nr)
			return NULL;
		if (w->links)
			bpf_link__destroy(w->links[i]);
		else
			close(w->fds[i]);
		pthread_mutex_lock(&w->lock);
		progress_verb(w->inst, "detaching", ++w->done, w->nr);
		pthread_mutex_unlock(&w->lock);
	}
}

static void detach_all(struct instance *inst, struct bpf_link **links,
		       int *fds, size_t nr)
{
	struct detach_work w = {
		.inst = inst, .links = links, .fds = fds, .nr = nr,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	size_t nthreads = nr > 16 ? kprobe_batch() : 1, i, started = 0;
	pthread_t th[256];

	for (i = 0; i < nthreads && i < ARRAY_SIZE(th); i++)
		if (!pthread_create(&th[i], NULL, detach_worker, &w))
			started++;
	if (!started)
		detach_worker(&w);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* ------------------------------------------------------------------- */

int backend_attach(struct instance *inst, struct bpf_object *obj)
{
	struct attach_plan *plan = inst->plan;
	struct attach_stats st = {};
	double t0 = now_ms();
	char skipped[512];
	int ret;

	if (!plan)
		return 0;
	switch (plan->backend) {
	case VISTA_BACKEND_KPROBE_MULTI:
		ret = attach_kprobe_multi(inst, plan, &st);
		break;
	case VISTA_BACKEND_KPROBE:
		ret = attach_kprobes(inst, plan, &st);
		break;
	default:
		ret = attach_clones(inst, plan, &st);
	}
	progress(inst, plan->nr_targets, plan->nr_targets);
	if (vista_stop)
		return -EINTR;
	if (ret)
		return ret;
	stats_format(&st, skipped, sizeof(skipped));
	vlog(VISTA_LOG_INFO, inst->ctx.name,
	     "attached %zu of %zu %s %s in %.0f ms%s", st.attached,
	     plan->nr_targets, kind_name(plan->kind),
	     plan->backend == VISTA_BACKEND_TRACEPOINT ? "tracepoints"
						       : "functions",
	     now_ms() - t0, skipped);
	if (!st.attached) {
		vlog(VISTA_LOG_ERROR, inst->ctx.name,
		     "could not attach to any target: %s",
		     strerror(st.first_why));
		return st.first_why ? -st.first_why : -ENOENT;
	}
	return 0;
}

void backend_detach(struct instance *inst)
{
	struct attach_plan *plan = inst->plan;
	double t0 = now_ms();
	size_t i, n = 0;

	if (!plan)
		return;
	/* Compact the kprobe links (skipped targets left holes). */
	for (i = 0; i < plan->nr_links; i++)
		if (plan->links[i])
			plan->links[n++] = plan->links[i];
	detach_all(inst, plan->links, NULL, n);
	free(plan->links);
	detach_all(inst, NULL, plan->fds, plan->nr_fds);
	free(plan->fds);
	/* The kernel's share of stopping (tests subtract it). */
	vlog(VISTA_LOG_DEBUG, inst->ctx.name,
	     "detached %zu links in %.0f ms (%s)", n + plan->nr_fds,
	     now_ms() - t0, backend_name(plan->backend));
	kbtf_targets_free(plan->targets, plan->nr_targets);
	free(plan);
	inst->plan = NULL;
}

void backend_cleanup(void)
{
	traceable_free(&traceable);
	traceable_done = false;
	traceable_free(&text_syms);
	text_syms_done = false;
	tracefs_cleanup();
}
