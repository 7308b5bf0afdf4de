/* SPDX-License-Identifier: GPL-2.0-only */
/* The core's private state: one run of vista. */
#ifndef VISTA_CORE_CORE_H
#define VISTA_CORE_CORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <vista/plugin.h>
#include "config.h"

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct kbtf;
struct bus;
struct vista_filter_cfg;
struct ksyms;
struct attach_plan;

/* A plugin shared object, opened once. */
struct plugin_file {
	char *path;
	void *dl;
	int fd;			/* what dlopen opened, kept open */
	const struct vista_plugin *desc;
};

/* One instance of a plugin: "tracer.skb", "sink.json:audit". */
struct instance {
	struct vista_ctx ctx;		/* handed to the plugin */
	struct plugin_file *file;
	const struct vista_plugin *desc;
	char *section;			/* config section instance name */
	bool inited, loaded, attached, opened;
	struct attach_plan *plan;	/* backend state (tracers) */
	__u64 events;			/* records decoded / written */
	int write_err;			/* sinks: first write error */
};

/* Every kernel hook a cloned program was attached to; id = index. */
struct target {
	char *name;
};

struct vista {
	struct config cfg;
	char **plugin_dirs;
	size_t nr_plugin_dirs;
	struct plugin_file *files;
	size_t nr_files;
	struct instance **tracers;
	size_t nr_tracers;
	struct instance **sinks;
	size_t nr_sinks;

	struct kbtf *kbtf;
	struct ksyms *ksyms;
	struct bus *bus;
	struct target *targets;
	size_t nr_targets;
	__u32 filter_netns;		/* --filter-netns, 0: all */
	int debug;
};

extern struct vista *vista;
extern volatile sig_atomic_t vista_stop;

/* log.c */
void vlog(enum vista_log_level level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define err(...)  vlog(VISTA_LOG_ERROR, NULL, __VA_ARGS__)
#define warn(...) vlog(VISTA_LOG_WARN, NULL, __VA_ARGS__)
#define info(...) vlog(VISTA_LOG_INFO, NULL, __VA_ARGS__)
#define dbg(...)  vlog(VISTA_LOG_DEBUG, NULL, __VA_ARGS__)
extern int vlog_level;
/* Milliseconds since the first call (main's first step), for the debug
 * log's phase times. */
double vlog_ms(void);

/* loader.c */
int loader_default_dirs(struct vista *v, const char *const *extra,
			size_t nr_extra);
/* Find and load the plugin for a section kind ("tracer.skb"). Returns
 * NULL and logs why (not found, unsafe, ABI mismatch). */
struct plugin_file *loader_load(struct vista *v, const char *kind);
/* 0 if a plugin directory has the file for kind; else -ENOENT and, in
 * why, the one line that names the file, the directories and the package
 * to install (-EINVAL: not a tracer or sink kind). Nothing is logged. */
int loader_missing(const struct vista *v, const char *kind, char *why,
		   size_t len);
/* The package that brings kind's plugin: tracer.NAME is
 * vista-plugin-NAME, sink.NAME vista-sink-NAME. */
void loader_package(const char *kind, char *buf, size_t len);
/* Check that a file or directory may be trusted (what: "plugin",
 * "profile", "--plugin-dir"): it and its directory owned by root or the
 * invoking user and not group- or world-writable, the directories above
 * not writable by others unless sticky. 0 or -errno (logged). */
int loader_check_trust(const char *path, const char *what);
bool loader_in_build_tree(void);
int loader_list(struct vista *v, FILE *out);
void loader_unload_all(struct vista *v);
const char *plugin_kind_prefix(enum vista_plugin_kind kind);

/* host.c */
extern const struct vista_host vista_host_ops;
struct instance *instance_new(struct vista *v, struct plugin_file *file,
			      const char *section, __u16 id);
void instance_free(struct instance *inst);

/* backend.c */
/* Refuse an unknown --kprobe-backend (logged). */
int backend_check_option(void);
int backend_of(struct instance *inst);
const char *backend_name(enum vista_backend b);
void backend_cleanup(void);
int backend_prepare(struct instance *inst, struct bpf_object *obj,
		    const struct vista_attach *req);
int backend_attach(struct instance *inst, struct bpf_object *obj);
void backend_detach(struct instance *inst);
const char *backend_target_name(__u32 id);

/* bus.c */
/* track_size: entries of the --filter-track-skb map, 0 if not tracking. */
struct bus *bus_new(size_t ring_bytes, size_t track_size);
void bus_free(struct bus *bus);
int bus_map_fd(struct bus *bus, const char *name);
int bus_set_filter(struct bus *bus, const void *cfg, size_t size);
const struct vista_filter_cfg *bus_filter(struct bus *bus);
int bus_run(struct bus *bus, __u64 limit);
void bus_drain(struct bus *bus);
void bus_summary(struct bus *bus, FILE *out);

/* filter.c */
struct vista_filter_cfg;
int filter_build(struct config *cfg, struct vista_filter_cfg *out);
int filter_tuple_flags(struct config *cfg, struct vista_filter_cfg *out);

/* ksym.c */
struct ksyms *ksyms_load(void);
void ksyms_free(struct ksyms *ks);
/* "name+0xoff [mod]" into buf; NULL if unknown. */
const char *ksyms_format(const struct ksyms *ks, __u64 addr, char *buf,
			 size_t len);
/* Function name containing addr, or NULL. */
const char *ksyms_name(const struct ksyms *ks, __u64 addr);
struct traceable;
int ksyms_text_names(struct traceable *out);

/* tracefs.c: functions ftrace can trace, sorted by name, then address. */
struct traceable_fn {
	char *name;
	__u64 addr;	/* 0 where the kernel does not list addresses */
};
struct traceable {
	struct traceable_fn *fns;
	size_t nr;
};
const char *tracefs_path(void);
void tracefs_cleanup(void);
int traceable_load(struct traceable *tr, bool want_addrs);
bool traceable_has(const struct traceable *tr, const char *name);
__u64 traceable_addr(const struct traceable *tr, const char *name);
void traceable_sort(struct traceable *tr);
void traceable_free(struct traceable *tr);

/* netns.c */
int netns_parse(const char *spec, __u32 *inode);
__u32 netns_self(void);
const char *netns_ifname(__u32 netns, __u32 ifindex);
int netns_ifindex(__u32 netns, const char *name, __u32 *ifindex);
/* fn(inode, arg) inside each netns (only that one if only != 0). */
int netns_each(__u32 only, int (*fn)(__u32 inode, void *arg), void *arg);
void netns_cleanup(void);

#endif /* VISTA_CORE_CORE_H */
