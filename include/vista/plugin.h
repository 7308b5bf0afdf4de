/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The vista plugin ABI.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * VISTA_PLUGIN_SYMBOL, a struct vista_plugin. The core dlopens it, checks
 * abi_major, and hands it a struct vista_host: a table of functions the
 * plugin calls instead of linking against the core (plugins link with
 * -no-undefined and never resolve symbols from the vista binary).
 *
 * Versioning: abi_major changes when a struct below changes incompatibly;
 * 1.1 appended vista_record.dump, 1.2 vista_host.netns_each, 1.3
 * vista_record.pkt and .lost, 1.4 vista_host.opt_list,
 * vista_packet.point and vista_record.kind (lost-event notices), 1.5
 * vista_host.prepare fills the object's vista_cfg_ro (the filter config
 * as a constant, <vista/bpf/vista.bpf.h>).
 * the core refuses plugins of another major. abi_minor grows when members
 * are appended; every struct here carries its size so that both sides can
 * tell which members the other knows.
 *
 * Lifecycle of a tracer: init (read options) -> load (open the BPF object,
 * host->prepare, load) -> attach (host->attach) -> decode (per event) ->
 * detach -> fini. Of a sink: open -> flush (when vista starts listening:
 * begin the output) -> write (per record) -> flush -> close.
 * Every op returns 0 or a negative errno and logs its own error once.
 */
#ifndef VISTA_PLUGIN_H
#define VISTA_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <vista/record.h>

#define VISTA_ABI_MAJOR		1
#define VISTA_ABI_MINOR		5
#define VISTA_PLUGIN_SYMBOL	"vista_plugin"

struct btf;
struct bpf_object;
struct bpf_program;

enum vista_plugin_kind {
	VISTA_PLUGIN_TRACER = 1,
	VISTA_PLUGIN_SINK = 2,
};

enum vista_log_level {
	VISTA_LOG_ERROR = 0,
	VISTA_LOG_WARN,
	VISTA_LOG_INFO,
	VISTA_LOG_DEBUG,
};

/* ---- options ------------------------------------------------------ */

enum vista_opt_type {
	VISTA_OPT_BOOL = 1,
	VISTA_OPT_UINT,		/* 0 .. max */
	VISTA_OPT_INT,
	VISTA_OPT_STRING,
	VISTA_OPT_STRINGS,	/* comma-separated; repeating the flag appends */
	VISTA_OPT_DURATION,	/* "100ms", "1s", "1m"; read as ns with opt_uint */
	VISTA_OPT_ENUM,		/* one of choices, "a|b|c" */
};

/* Accepted, but vista exits with "--flag: not supported yet". */
#define VISTA_OPTF_NOT_YET	0x01
/* Setting it loads the plugin that owns the option's section. */
#define VISTA_OPTF_ACTIVATES	0x02

/*
 * One row describes an option once: its CLI flag, its INI section and key,
 * its type, default and help. --help, the CLI parser and the profile parser
 * all come from these rows.
 */
struct vista_option {
	const char *flag;	/* long flag without "--"; NULL: INI only */
	char short_flag;	/* e.g. 'h', or 0 */
	const char *section;	/* "core", "tracer.skb", "sink.text" */
	const char *key;	/* INI key in that section */
	enum vista_opt_type type;
	const char *metavar;	/* as in --help: "string", "uint16" ... */
	const char *def;	/* default as text, NULL for none */
	__u64 max;		/* VISTA_OPT_UINT: largest value */
	const char *choices;	/* VISTA_OPT_ENUM: "a|b|c" */
	const char *help;
	unsigned int flags;	/* VISTA_OPTF_* */
};

/* ---- attaching ------------------------------------------------------ */

enum vista_obj_kind {
	VISTA_OBJ_SKB = 1,	/* functions/tracepoints taking struct sk_buff * */
	VISTA_OBJ_SOCK = 2,	/* ... taking struct sock * */
};

#define VISTA_MAX_ARG	5

/*
 * "Run these programs on every target taking an object of this kind."
 * Templates are indexed by the object's argument position (1..5). The core
 * picks the backend and the targets (from BTF) and uses the matching set:
 *
 * tracing[]: BTF-typed programs whose ctx is the u64 argument array
 *            (SEC(VISTA_SEC_TRACING)); loaded as tp_btf for tracepoints
 *            or as fentry for functions, one clone per target;
 * kprobe[]:  pt_regs programs (SEC(VISTA_SEC_KPROBE)); attached as
 *            kprobes or as one kprobe-multi link per position.
 *
 * Programs in the VISTA_SEC_* sections (<vista/event.h>) get the
 * pcap-filter expression written into the vista_pcap_l2()/_l3() stubs
 * when libbpf loads them; vista_skb_match() calls them.
 *
 * A clone learns its target from vista_target_id() (tracing) and a kprobe
 * from bpf_get_func_ip(); host->target_name() and host->ksym() turn either
 * back into a name.
 */
struct vista_attach {
	__u32 size;			/* sizeof(struct vista_attach) */
	enum vista_obj_kind kind;
	const char *func_regex;		/* whole-name POSIX ERE, NULL: all */
	const char *const *exclude;	/* NULL-terminated names to skip */
	struct bpf_program *tracing[VISTA_MAX_ARG + 1];
	struct bpf_program *kprobe[VISTA_MAX_ARG + 1];
};

/* The mechanism the core chose (host->backend()). */
enum vista_backend {
	VISTA_BACKEND_TRACEPOINT = 1,
	VISTA_BACKEND_KPROBE,
	VISTA_BACKEND_KPROBE_MULTI,
	VISTA_BACKEND_FENTRY,
};

/* ---- the host --------------------------------------------------------- */

struct vista_ctx;

struct vista_host {
	__u32 size;		/* sizeof(struct vista_host) in the core */

	void (*log)(struct vista_ctx *ctx, enum vista_log_level level,
		    const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/*
	 * Options by key: a key of the plugin's own section ("file",
	 * "drop-stack"), or a flag of the core's table ("output-meta").
	 * CLI > profile > default is already resolved.
	 */
	bool (*opt_bool)(struct vista_ctx *ctx, const char *key);
	__u64 (*opt_uint)(struct vista_ctx *ctx, const char *key);
	__s64 (*opt_int)(struct vista_ctx *ctx, const char *key);
	const char *(*opt_str)(struct vista_ctx *ctx, const char *key);
	bool (*opt_is_set)(struct vista_ctx *ctx, const char *key);

	/* vmlinux BTF (or --kernel-btf), owned by the core. */
	const struct btf *(*btf)(struct vista_ctx *ctx);
	/*
	 * Where kernel function func takes its first struct sname * and its
	 * first enum ename (1-based), from BTF. -ENOENT if it has not both.
	 */
	int (*func_args)(struct vista_ctx *ctx, const char *func,
			 const char *sname, const char *ename, __u8 *obj_pos,
			 __u8 *enum_pos);
	/*
	 * Name of an enum value from kernel BTF, or NULL. enum_type is the
	 * enum's name ("skb_drop_reason"), or for an anonymous enum one of
	 * its enumerators ("TCP_ESTABLISHED").
	 */
	const char *(*enum_name)(struct vista_ctx *ctx, const char *enum_type,
				 __s64 value);

	/*
	 * Before bpf_object__load(): make obj use the core's shared maps
	 * (events, config, lost counters), write the filter config into its
	 * vista_cfg_ro (ABI 1.5) and prepare the templates of req
	 * (NULL if the plugin attaches nothing through the core). -ENOENT,
	 * not logged: no target matches (the plugin says what that means).
	 */
	int (*prepare)(struct vista_ctx *ctx, struct bpf_object *obj,
		       const struct vista_attach *req);
	/* After load: clone and attach the templates prepare() set up. */
	int (*attach)(struct vista_ctx *ctx, struct bpf_object *obj);
	const char *(*target_name)(struct vista_ctx *ctx, __u32 target);
	/* The backend in use: the user's choice or the best one the kernel
	 * has (probed once). Negative errno if the forced one is missing. */
	int (*backend)(struct vista_ctx *ctx);

	/* Kernel symbol of addr as "name", or NULL. */
	const char *(*ksym)(struct vista_ctx *ctx, __u64 addr);
	/* Interface name in a netns (by inode), cached; NULL if unknown. */
	const char *(*ifname)(struct vista_ctx *ctx, __u32 netns,
			      __u32 ifindex);

	/*
	 * ABI 1.2. Call fn inside each network namespace the filters select
	 * (--filter-netns, else every one /run/netns and /proc show), with
	 * the calling thread moved into it (for objects that belong to a
	 * netns, such as netfilter links). Stops at fn's first error.
	 */
	int (*netns_each)(struct vista_ctx *ctx,
			  int (*fn)(struct vista_ctx *ctx, __u32 netns,
				    void *arg), void *arg);

	/*
	 * ABI 1.4. The items of a list option (VISTA_OPT_STRINGS), *nr of
	 * them; NULL and 0 if it has none.
	 */
	const char *const *(*opt_list)(struct vista_ctx *ctx, const char *key,
				       size_t *nr);
};

/* What the core knows about a plugin instance; priv is the plugin's. */
struct vista_ctx {
	const struct vista_host *host;
	const char *name;	/* instance: "skb", "text", "json:audit" */
	__u16 plugin_id;	/* goes into the BPF object's vista_plugin_id */
	void *priv;
};

/* ---- plugin descriptor ------------------------------------------------ */

struct vista_tracer_ops {
	int (*init)(struct vista_ctx *ctx);
	int (*load)(struct vista_ctx *ctx);
	int (*attach)(struct vista_ctx *ctx);
	/*
	 * Fill rec from one ring-buffer record of this plugin. The core has
	 * already filled the header-derived fields; the plugin sets func and
	 * whatever else it has. Return -EINVAL for a malformed record.
	 */
	int (*decode)(struct vista_ctx *ctx, const void *data, size_t size,
		      struct vista_record *rec);
	void (*detach)(struct vista_ctx *ctx);
	void (*fini)(struct vista_ctx *ctx);
};

struct vista_sink_ops {
	int (*open)(struct vista_ctx *ctx);
	int (*write)(struct vista_ctx *ctx, const struct vista_record *rec);
	int (*flush)(struct vista_ctx *ctx);
	void (*close)(struct vista_ctx *ctx);
};

struct vista_plugin {
	/* These three stay first in every ABI version. */
	__u32 abi_major;
	__u32 abi_minor;
	__u32 size;		/* sizeof(struct vista_plugin) */

	const char *name;	/* section: "tracer.<name>" or "sink.<name>" */
	enum vista_plugin_kind kind;
	const char *version;
	const char *summary;
	/* Extra option rows, beyond the core's table (third-party plugins). */
	const struct vista_option *options;
	unsigned int nr_options;

	struct vista_tracer_ops tracer;
	struct vista_sink_ops sink;
};

#define VISTA_PLUGIN_INIT			\
	.abi_major = VISTA_ABI_MAJOR,		\
	.abi_minor = VISTA_ABI_MINOR,		\
	.size = sizeof(struct vista_plugin)

/* Logging shortcuts; the core prefixes the instance name. */
#define vista_err(ctx, ...)  (ctx)->host->log((ctx), VISTA_LOG_ERROR, __VA_ARGS__)
#define vista_warn(ctx, ...) (ctx)->host->log((ctx), VISTA_LOG_WARN, __VA_ARGS__)
#define vista_info(ctx, ...) (ctx)->host->log((ctx), VISTA_LOG_INFO, __VA_ARGS__)
#define vista_dbg(ctx, ...)  (ctx)->host->log((ctx), VISTA_LOG_DEBUG, __VA_ARGS__)

#endif /* VISTA_PLUGIN_H */
