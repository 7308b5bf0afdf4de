// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach backends: how a plugin's template programs reach their targets.
 *
 * tracepoint (tp_btf): a tp_btf program is verified against one
 * tracepoint's prototype, so the template is loaded once by libbpf (which
 * does CO-RE relocation and map fd fixups) and then cloned from its final
 * instructions, one program per tracepoint, each with its target id
 * patched into the VISTA_TARGET_MAGIC immediate.
 *
 * kprobe, kprobe-multi and fentry are not implemented yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core.h"
#include "kbtf.h"

enum backend {
	BACKEND_TRACEPOINT = 1,
	BACKEND_KPROBE,
	BACKEND_KPROBE_MULTI,
	BACKEND_FENTRY,
};

struct attach_plan {
	struct bpf_program *tmpl[VISTA_MAX_ARG + 1];
	struct kbtf_target *targets;	/* all candidates, owned */
	size_t nr_targets;
	int *fds;			/* links and programs to close */
	size_t nr_fds;
	enum vista_obj_kind kind;
};

static const char *kind_name(enum vista_obj_kind kind)
{
	return kind == VISTA_OBJ_SOCK ? "sock" : "skb";
}

static bool kernel_has_kprobes(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK);
}

/* Which backend: --kprobe-backend, or the best one this kernel allows. */
static int backend_choose(enum backend *out, const char **why)
{
	const struct config_value *v;
	const char *name;

	v = config_get(&vista->cfg, "core", "kprobe-backend");
	name = v ? v->s : NULL;
	if (!name || !strcmp(name, "tracepoint")) {
		*out = BACKEND_TRACEPOINT;
		if (name)
			*why = "forced by --kprobe-backend";
		else if (!kernel_has_kprobes())
			*why = "this kernel has no kprobes";
		else
			*why = "the kprobe, kprobe-multi and fentry backends "
			       "are not implemented yet";
		return 0;
	}
	err("--kprobe-backend %s: not supported yet (this version attaches "
	    "through tracepoints: use --kprobe-backend tracepoint or leave it "
	    "unset)", name);
	return -EOPNOTSUPP;
}

int backend_check_option(void)
{
	enum backend b;
	const char *why;

	return backend_choose(&b, &why);
}

const char *backend_target_name(__u32 id)
{
	if (id >= vista->nr_targets)
		return NULL;
	return vista->targets[id].name;
}

static int target_add(const char *name, bool tracepoint, __u32 *id)
{
	struct target *t;

	t = realloc(vista->targets, (vista->nr_targets + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	vista->targets = t;
	t[vista->nr_targets].name = strdup(name);
	if (!t[vista->nr_targets].name)
		return -ENOMEM;
	t[vista->nr_targets].tracepoint = tracepoint;
	*id = vista->nr_targets++;
	return 0;
}

static int reuse_shared_maps(struct instance *inst, struct bpf_object *obj)
{
	static const char *const shared[] = {
		"vista_events", "vista_cfg", "vista_lost",
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
		if (req->tp[i])
			bpf_program__set_autoload(req->tp[i], false);
		if (req->kprobe[i])
			bpf_program__set_autoload(req->kprobe[i], false);
		if (req->fentry[i])
			bpf_program__set_autoload(req->fentry[i], false);
	}
}

int backend_prepare(struct instance *inst, struct bpf_object *obj,
		    const struct vista_attach *req)
{
	struct attach_plan *plan;
	struct kbtf_target *t;
	char errbuf[256];
	enum backend b;
	const char *why;
	regex_t re;
	size_t i, kept;
	int ret;

	ret = reuse_shared_maps(inst, obj);
	if (ret || !req)
		return ret;
	if (req->size < sizeof(*req) || req->kind < VISTA_OBJ_SKB ||
	    req->kind > VISTA_OBJ_SOCK)
		return -EINVAL;
	ret = backend_choose(&b, &why);
	if (ret)
		return ret;

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	plan->kind = req->kind;
	if (req->func_regex) {
		ret = kbtf_regcomp(&re, req->func_regex, errbuf,
				   sizeof(errbuf));
		if (ret) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "invalid function regex '%s': %s",
			     req->func_regex, errbuf);
			goto out_free;
		}
	}
	ret = kbtf_find_targets(vista->kbtf, req->kind, true,
				req->func_regex ? &re : NULL, &plan->targets,
				&plan->nr_targets);
	if (req->func_regex)
		regfree(&re);
	if (ret)
		goto out_free;

	/* Keep the targets a template can serve, minus exclusions. */
	for (i = 0, kept = 0; i < plan->nr_targets; i++) {
		t = &plan->targets[i];
		if (excluded(req, t->name) || t->pos > VISTA_MAX_ARG ||
		    !req->tp[t->pos]) {
			free(t->name);
			continue;
		}
		plan->targets[kept++] = *t;
	}
	plan->nr_targets = kept;

	disable_templates(req);
	for (i = 0; i < plan->nr_targets; i++) {
		t = &plan->targets[i];
		if (plan->tmpl[t->pos])
			continue;
		/* libbpf verifies the template against the first target. */
		plan->tmpl[t->pos] = req->tp[t->pos];
		bpf_program__set_autoload(req->tp[t->pos], true);
		/* 0: not a program; libbpf finds module BTF by name. */
		ret = bpf_program__set_attach_target(req->tp[t->pos], 0,
						     t->name);
		if (ret)
			goto out_free;
	}
	if (!plan->nr_targets) {	/* the plugin decides what it means */
		ret = -ENOENT;
		goto out_free;
	}
	vlog(VISTA_LOG_INFO, inst->ctx.name,
	     "backend tracepoint (tp_btf): %s", why);
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

static int clone_attach(struct instance *inst, struct attach_plan *plan,
			struct bpf_program *tmpl, struct bpf_insn *insns,
			size_t cnt, const size_t *magic, size_t nr_magic,
			const struct kbtf_target *t, int *why)
{
	char log[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_TRACE_RAW_TP,
		.attach_btf_id = t->btf_id,
		.attach_btf_obj_fd = t->btf_obj_fd,
		.log_buf = log,
		.log_size = sizeof(log),
	);
	__u32 id;
	size_t i;
	int fd, link, ret;

	if (t->btf_obj_fd < 0) {	/* module BTF we could not open */
		*why = ENOENT;
		return 1;
	}
	ret = target_add(t->name, true, &id);
	if (ret)
		return ret;
	for (i = 0; i < nr_magic; i++) {
		insns[magic[i]].imm = id;
		insns[magic[i] + 1].imm = 0;
	}
	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, bpf_program__name(tmpl),
			   "Dual BSD/GPL", insns, cnt, &opts);
	if (fd < 0) {
		*why = errno;
		vlog(VISTA_LOG_DEBUG, inst->ctx.name, "%s: load failed: %s%s%.300s",
		     t->name, strerror(errno), log[0] ? ": " : "", log);
		return 1;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0) {
		*why = errno;
		vlog(VISTA_LOG_DEBUG, inst->ctx.name, "%s: attach failed: %s",
		     t->name, strerror(errno));
		close(fd);
		return 1;
	}
	if (plan_keep_fd(plan, fd) || plan_keep_fd(plan, link)) {
		close(link);
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

int backend_attach(struct instance *inst, struct bpf_object *obj)
{
	struct attach_plan *plan = inst->plan;
	size_t magic[VISTA_MAX_ARG + 1][8], nr_magic[VISTA_MAX_ARG + 1] = {};
	struct bpf_insn *insns[VISTA_MAX_ARG + 1] = {};
	size_t cnt[VISTA_MAX_ARG + 1] = {}, i, attached = 0, skipped = 0;
	bool tty = isatty(STDERR_FILENO);
	int ret = 0, why = 0, first_why = 0, pos;
	double t0 = now_ms();

	if (!plan)
		return 0;
	for (pos = 1; pos <= VISTA_MAX_ARG; pos++) {
		struct bpf_program *p = plan->tmpl[pos];

		if (!p)
			continue;
		cnt[pos] = bpf_program__insn_cnt(p);
		insns[pos] = malloc(cnt[pos] * sizeof(struct bpf_insn));
		if (!insns[pos]) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(insns[pos], bpf_program__insns(p),
		       cnt[pos] * sizeof(struct bpf_insn));
		/* Found before any patching: clones overwrite the magic. */
		nr_magic[pos] = find_magic(insns[pos], cnt[pos], magic[pos],
					   ARRAY_SIZE(magic[pos]));
		if (!nr_magic[pos]) {
			vlog(VISTA_LOG_ERROR, inst->ctx.name,
			     "template %s does not call vista_target_id()",
			     bpf_program__name(p));
			ret = -EINVAL;
			goto out;
		}
	}

	for (i = 0; i < plan->nr_targets && !vista_stop; i++) {
		const struct kbtf_target *t = &plan->targets[i];

		pos = t->pos;
		ret = clone_attach(inst, plan, plan->tmpl[pos], insns[pos],
				   cnt[pos], magic[pos], nr_magic[pos], t, &why);
		if (ret < 0)
			goto out;
		if (ret) {
			skipped++;
			if (!first_why)
				first_why = why;
		} else {
			attached++;
		}
		ret = 0;
		if (tty)
			fprintf(stderr, "\rvista: %s: attaching %zu/%zu",
				inst->ctx.name, i + 1, plan->nr_targets);
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (vista_stop) {
		ret = -EINTR;
		goto out;
	}
	vlog(VISTA_LOG_INFO, inst->ctx.name,
	     "attached %zu of %zu %s tracepoints in %.0f ms%s%s%s",
	     attached, plan->nr_targets, kind_name(plan->kind),
	     now_ms() - t0, skipped ? " (skipped: first because " : "",
	     skipped ? strerror(first_why) : "", skipped ? ")" : "");
	if (!attached) {
		vlog(VISTA_LOG_ERROR, inst->ctx.name,
		     "could not attach to any tracepoint: %s",
		     strerror(first_why));
		ret = first_why ? -first_why : -ENOENT;
	}
out:
	for (pos = 1; pos <= VISTA_MAX_ARG; pos++)
		free(insns[pos]);
	return ret;
}

void backend_detach(struct instance *inst)
{
	struct attach_plan *plan = inst->plan;
	size_t i;

	if (!plan)
		return;
	/* Reverse order: each link goes before the program it runs. */
	for (i = plan->nr_fds; i-- > 0;)
		close(plan->fds[i]);
	free(plan->fds);
	kbtf_targets_free(plan->targets, plan->nr_targets);
	free(plan);
	inst->plan = NULL;
}
