// SPDX-License-Identifier: GPL-2.0-only
/* The host vtable: everything a plugin may ask of the core. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "kbtf.h"

static struct instance *inst_of(struct vista_ctx *ctx)
{
	return container_of(ctx, struct instance, ctx);
}

static void host_log(struct vista_ctx *ctx, enum vista_log_level level,
		     const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vlog(level, ctx->name, "%s", msg);
}

static const struct config_value *opt(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v;

	v = config_get(&vista->cfg, inst_of(ctx)->section, key);
	if (!v)
		vlog(VISTA_LOG_DEBUG, ctx->name, "asked for unknown option '%s'",
		     key);
	return v;
}

static bool host_opt_bool(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v = opt(ctx, key);

	return v && v->b;
}

static __u64 host_opt_uint(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v = opt(ctx, key);

	return v ? v->u : 0;
}

static __s64 host_opt_int(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v = opt(ctx, key);

	return v ? v->i : 0;
}

static const char *host_opt_str(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v = opt(ctx, key);

	return v ? v->s : NULL;
}

static const char *const *host_opt_list(struct vista_ctx *ctx,
					const char *key, size_t *nr)
{
	const struct config_value *v = opt(ctx, key);

	*nr = v ? v->nr_list : 0;
	return *nr ? (const char *const *)v->list : NULL;
}

static bool host_opt_is_set(struct vista_ctx *ctx, const char *key)
{
	const struct config_value *v = opt(ctx, key);

	return v && v->source != CONFIG_DEFAULT;
}

static const struct btf *host_btf(struct vista_ctx *ctx)
{
	return vista->kbtf ? vista->kbtf->vmlinux : NULL;
}

static const char *host_enum_name(struct vista_ctx *ctx,
				  const char *enum_type, __s64 value)
{
	return vista->kbtf ? kbtf_enum_name(vista->kbtf, enum_type, value)
			   : NULL;
}

static int host_func_args(struct vista_ctx *ctx, const char *func,
			  const char *sname, const char *ename, __u8 *obj_pos,
			  __u8 *enum_pos)
{
	if (!vista->kbtf)
		return -ENOENT;
	return kbtf_func_args(vista->kbtf, func, sname, ename, obj_pos,
			      enum_pos, NULL);
}

static int host_prepare(struct vista_ctx *ctx, struct bpf_object *obj,
			const struct vista_attach *req)
{
	return backend_prepare(inst_of(ctx), obj, req);
}

static int host_attach(struct vista_ctx *ctx, struct bpf_object *obj)
{
	return backend_attach(inst_of(ctx), obj);
}

static const char *host_target_name(struct vista_ctx *ctx, __u32 target)
{
	return backend_target_name(target);
}

static int host_backend(struct vista_ctx *ctx)
{
	return backend_of(inst_of(ctx));
}

static const char *host_ksym(struct vista_ctx *ctx, __u64 addr)
{
	if (!vista->ksyms)
		vista->ksyms = ksyms_load();
	return vista->ksyms ? ksyms_name(vista->ksyms, addr) : NULL;
}

static const char *host_ifname(struct vista_ctx *ctx, __u32 netns,
			       __u32 ifindex)
{
	return netns_ifname(netns, ifindex);
}

struct netns_call {
	struct vista_ctx *ctx;
	int (*fn)(struct vista_ctx *ctx, __u32 netns, void *arg);
	void *arg;
};

static int netns_call(__u32 inode, void *arg)
{
	struct netns_call *c = arg;

	return c->fn(c->ctx, inode, c->arg);
}

static int host_netns_each(struct vista_ctx *ctx,
			   int (*fn)(struct vista_ctx *ctx, __u32 netns,
				     void *arg), void *arg)
{
	struct netns_call c = { .ctx = ctx, .fn = fn, .arg = arg };

	return netns_each(vista->filter_netns, netns_call, &c);
}

const struct vista_host vista_host_ops = {
	.size = sizeof(struct vista_host),
	.log = host_log,
	.opt_bool = host_opt_bool,
	.opt_uint = host_opt_uint,
	.opt_int = host_opt_int,
	.opt_str = host_opt_str,
	.opt_is_set = host_opt_is_set,
	.btf = host_btf,
	.func_args = host_func_args,
	.enum_name = host_enum_name,
	.prepare = host_prepare,
	.attach = host_attach,
	.target_name = host_target_name,
	.backend = host_backend,
	.ksym = host_ksym,
	.ifname = host_ifname,
	.netns_each = host_netns_each,
	.opt_list = host_opt_list,
};

struct instance *instance_new(struct vista *v, struct plugin_file *file,
			      const char *section, __u16 id)
{
	struct instance *inst = calloc(1, sizeof(*inst));

	if (!inst)
		return NULL;
	inst->section = strdup(section);
	if (!inst->section) {
		free(inst);
		return NULL;
	}
	inst->file = file;
	inst->desc = file->desc;
	inst->ctx.host = &vista_host_ops;
	/* "tracer.skb" -> "skb", "sink.json:audit" -> "json:audit" */
	inst->ctx.name = strchr(inst->section, '.') + 1;
	inst->ctx.plugin_id = id;
	return inst;
}

void instance_free(struct instance *inst)
{
	if (!inst)
		return;
	free(inst->section);
	free(inst);
}
