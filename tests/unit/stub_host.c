// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stub host for plugin unit tests (see stub_host.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stub_host.h"

/* The host ops have fixed signatures; most stubs ignore some arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define STUB_MAX_OPTS	32
#define STUB_MAX_NAMES	32
#define STUB_LOG_SIZE	16384

struct stub_kv {
	char *key;
	char *val;
};

/* One canned name; which of the keys matter depends on the table. */
struct stub_name {
	__u64 a;
	__u64 b;
	char *type;
	char *name;
};

enum stub_table {
	STUB_IFNAME,
	STUB_KSYM,
	STUB_ENUM,
	STUB_TARGET,
	STUB_NR_TABLES,
};

static struct stub_kv stub_opts[STUB_MAX_OPTS];
static struct stub_name stub_names[STUB_NR_TABLES][STUB_MAX_NAMES];
static char stub_log_buf[STUB_LOG_SIZE];
static size_t stub_log_len;
static unsigned int stub_log_counts[VISTA_LOG_DEBUG + 1];
static struct vista_ctx stub_ctx_buf;

struct stub_calls stub_calls;

static void *stub_xstrdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		abort();
	return p;
}

void stub_reset(void)
{
	unsigned int i, t;

	for (i = 0; i < STUB_MAX_OPTS; i++) {
		free(stub_opts[i].key);
		free(stub_opts[i].val);
	}
	memset(stub_opts, 0, sizeof(stub_opts));
	for (t = 0; t < STUB_NR_TABLES; t++) {
		for (i = 0; i < STUB_MAX_NAMES; i++) {
			free(stub_names[t][i].type);
			free(stub_names[t][i].name);
		}
	}
	memset(stub_names, 0, sizeof(stub_names));
	stub_log_buf[0] = '\0';
	stub_log_len = 0;
	memset(stub_log_counts, 0, sizeof(stub_log_counts));
	memset(&stub_calls, 0, sizeof(stub_calls));
	memset(&stub_ctx_buf, 0, sizeof(stub_ctx_buf));
}

struct vista_ctx *stub_ctx(const char *name)
{
	stub_ctx_buf.host = &stub_host;
	stub_ctx_buf.name = name;
	stub_ctx_buf.plugin_id = 1;
	stub_ctx_buf.priv = NULL;
	return &stub_ctx_buf;
}

static struct stub_kv *stub_find(const char *key)
{
	unsigned int i;

	for (i = 0; i < STUB_MAX_OPTS; i++)
		if (stub_opts[i].key && !strcmp(stub_opts[i].key, key))
			return &stub_opts[i];
	return NULL;
}

void stub_opt(const char *key, const char *val)
{
	struct stub_kv *kv = stub_find(key);
	unsigned int i;

	if (!kv && !val)
		return;
	if (!kv) {
		for (i = 0; i < STUB_MAX_OPTS && stub_opts[i].key; i++)
			;
		if (i == STUB_MAX_OPTS) {
			fprintf(stderr, "stub_opt: table full (%s)\n", key);
			abort();
		}
		kv = &stub_opts[i];
		kv->key = stub_xstrdup(key);
	}
	free(kv->val);
	kv->val = NULL;
	if (!val) {
		free(kv->key);
		kv->key = NULL;
		return;
	}
	kv->val = stub_xstrdup(val);
}

static void stub_name_add(enum stub_table t, __u64 a, __u64 b,
			  const char *type, const char *name)
{
	unsigned int i;

	for (i = 0; i < STUB_MAX_NAMES && stub_names[t][i].name; i++)
		;
	if (i == STUB_MAX_NAMES) {
		fprintf(stderr, "stub: name table %d full\n", t);
		abort();
	}
	stub_names[t][i].a = a;
	stub_names[t][i].b = b;
	stub_names[t][i].type = stub_xstrdup(type);
	stub_names[t][i].name = stub_xstrdup(name);
}

static const char *stub_name_get(enum stub_table t, __u64 a, __u64 b,
				 const char *type)
{
	const struct stub_name *n;
	unsigned int i;

	for (i = 0; i < STUB_MAX_NAMES; i++) {
		n = &stub_names[t][i];
		if (!n->name)
			break;
		if (n->a != a || n->b != b)
			continue;
		if (type && (!n->type || strcmp(n->type, type)))
			continue;
		return n->name;
	}
	return NULL;
}

void stub_ifname(__u32 netns, __u32 ifindex, const char *name)
{
	stub_name_add(STUB_IFNAME, netns, ifindex, NULL, name);
}

void stub_ksym(__u64 addr, const char *name)
{
	stub_name_add(STUB_KSYM, addr, 0, NULL, name);
}

void stub_enum(const char *type, __s64 value, const char *name)
{
	stub_name_add(STUB_ENUM, (__u64)value, 0, type, name);
}

void stub_target(__u32 target, const char *name)
{
	stub_name_add(STUB_TARGET, target, 0, NULL, name);
}

const char *stub_log(void)
{
	return stub_log_buf;
}

unsigned int stub_log_count(int level)
{
	unsigned int i, n = 0;

	if (level >= 0)
		return level <= VISTA_LOG_DEBUG ? stub_log_counts[level] : 0;
	for (i = 0; i <= VISTA_LOG_DEBUG; i++)
		n += stub_log_counts[i];
	return n;
}

/* ---- the host ops --------------------------------------------------- */

static void stub_vappend(const char *fmt, va_list ap)
{
	size_t room = sizeof(stub_log_buf) - stub_log_len;
	int n;

	n = vsnprintf(stub_log_buf + stub_log_len, room, fmt, ap);
	if (n > 0)
		stub_log_len += (size_t)n < room ? (size_t)n : room - 1;
}

static __attribute__((format(printf, 1, 2)))
void stub_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stub_vappend(fmt, ap);
	va_end(ap);
}

static __attribute__((format(printf, 3, 4)))
void stub_log_op(struct vista_ctx *ctx, enum vista_log_level level,
		 const char *fmt, ...)
{
	static const char *const names[] = {
		"error", "warn", "info", "debug",
	};
	va_list ap;

	if (level <= VISTA_LOG_DEBUG)
		stub_log_counts[level]++;
	stub_append("%s %s: ", level <= VISTA_LOG_DEBUG ? names[level] : "?",
		    ctx && ctx->name ? ctx->name : "?");
	va_start(ap, fmt);
	stub_vappend(fmt, ap);
	va_end(ap);
	stub_append("\n");
}

static const char *stub_opt_str(struct vista_ctx *ctx, const char *key)
{
	struct stub_kv *kv = stub_find(key);

	return kv ? kv->val : NULL;
}

static bool stub_opt_bool(struct vista_ctx *ctx, const char *key)
{
	const char *v = stub_opt_str(ctx, key);

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

static __u64 stub_opt_uint(struct vista_ctx *ctx, const char *key)
{
	const char *v = stub_opt_str(ctx, key);

	return v ? strtoull(v, NULL, 0) : 0;
}

static __s64 stub_opt_int(struct vista_ctx *ctx, const char *key)
{
	const char *v = stub_opt_str(ctx, key);

	return v ? strtoll(v, NULL, 0) : 0;
}

static bool stub_opt_is_set(struct vista_ctx *ctx, const char *key)
{
	return stub_find(key) != NULL;
}

static const struct btf *stub_btf(struct vista_ctx *ctx)
{
	return NULL;
}

static const char *stub_enum_name(struct vista_ctx *ctx,
				  const char *enum_type, __s64 value)
{
	return stub_name_get(STUB_ENUM, (__u64)value, 0, enum_type);
}

static int stub_prepare(struct vista_ctx *ctx, struct bpf_object *obj,
			const struct vista_attach *req)
{
	stub_calls.prepare++;
	stub_calls.last_req = req;
	return stub_calls.prepare_ret;
}

static int stub_attach(struct vista_ctx *ctx, struct bpf_object *obj)
{
	stub_calls.attach++;
	return stub_calls.attach_ret;
}

static const char *stub_target_name(struct vista_ctx *ctx, __u32 target)
{
	return stub_name_get(STUB_TARGET, target, 0, NULL);
}

static const char *stub_ksym_op(struct vista_ctx *ctx, __u64 addr)
{
	return stub_name_get(STUB_KSYM, addr, 0, NULL);
}

static const char *stub_ifname_op(struct vista_ctx *ctx, __u32 netns,
				  __u32 ifindex)
{
	return stub_name_get(STUB_IFNAME, netns, ifindex, NULL);
}

const struct vista_host stub_host = {
	.size = sizeof(struct vista_host),
	.log = stub_log_op,
	.opt_bool = stub_opt_bool,
	.opt_uint = stub_opt_uint,
	.opt_int = stub_opt_int,
	.opt_str = stub_opt_str,
	.opt_is_set = stub_opt_is_set,
	.btf = stub_btf,
	.enum_name = stub_enum_name,
	.prepare = stub_prepare,
	.attach = stub_attach,
	.target_name = stub_target_name,
	.ksym = stub_ksym_op,
	.ifname = stub_ifname_op,
};
