/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel BTF discovery: vmlinux (or --kernel-btf) plus module BTF, the
 * functions and tracepoints whose parameters include a struct sk_buff * or
 * struct sock *, and enum value names (drop reasons, TCP states).
 */
#ifndef VISTA_CORE_KBTF_H
#define VISTA_CORE_KBTF_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <vista/plugin.h>

struct btf;

struct kbtf_module {
	char *name;
	struct btf *btf;	/* split BTF on top of vmlinux */
	int fd;			/* kernel BTF object fd, -1 if from a file */
};

struct kbtf {
	struct btf *vmlinux;
	struct kbtf_module *mods;
	size_t nr_mods;
};

/* A function or tracepoint taking the object of interest. */
struct kbtf_target {
	char *name;		/* function, or tracepoint without btf_trace_ */
	__u32 btf_id;		/* FUNC id, or the btf_trace_<name> TYPEDEF id */
	int btf_obj_fd;		/* 0 for vmlinux, the module's BTF fd */
	const char *module;	/* NULL for vmlinux */
	__u8 pos;		/* 1-based position of the first such param */
	__u8 nr_args;		/* parameters (tracepoints: without __data) */
	bool tracepoint;
};

/*
 * Load kernel BTF. path: NULL for /sys/kernel/btf/vmlinux. Modules: those
 * named in kmods (NULL-terminated, may be NULL), or all of
 * /sys/kernel/btf/<mod> with all_kmods. Returns NULL and sets errno; the
 * message says what failed.
 */
struct kbtf *kbtf_load(const char *path, const char *const *kmods,
		       bool all_kmods);
/* Wrap an already parsed BTF (takes ownership); for tests. */
struct kbtf *kbtf_from_btf(struct btf *btf);
void kbtf_free(struct kbtf *kb);

/*
 * Scan one BTF for targets: FUNCs whose parameters 1..5 include a pointer
 * (through const/volatile/typedef) to struct sk_buff (VISTA_OBJ_SKB) or
 * struct sock (VISTA_OBJ_SOCK); or, with tracepoints, the btf_trace_<name>
 * typedefs whose prototype (after the leading void *__data) does. re, if
 * not NULL, must match the whole name. Appends to *out (realloc'd) and
 * *nr. Returns 0 or -errno.
 */
int kbtf_scan(const struct btf *btf, enum vista_obj_kind kind,
	      bool tracepoints, const regex_t *re, const char *module,
	      int btf_obj_fd, struct kbtf_target **out, size_t *nr);

/* kbtf_scan over vmlinux and every loaded module. */
int kbtf_find_targets(const struct kbtf *kb, enum vista_obj_kind kind,
		      bool tracepoints, const regex_t *re,
		      struct kbtf_target **out, size_t *nr);
void kbtf_targets_free(struct kbtf_target *t, size_t nr);

/*
 * Positions (1-based, within the first VISTA_MAX_ARG) of func's first
 * struct sname * parameter and of its first enum ename parameter, and
 * func's BTF id, from vmlinux BTF. -ENOENT if func or either is missing.
 */
int kbtf_func_args(const struct kbtf *kb, const char *func,
		   const char *sname, const char *ename, __u8 *obj_pos,
		   __u8 *enum_pos, __u32 *btf_id);

/* Name of value in enum enum_name (searched in vmlinux), or NULL. */
const char *kbtf_enum_name(const struct kbtf *kb, const char *enum_name,
			   __s64 value);

/* Compile a whole-name regex ("^(...)$", POSIX ERE). -EINVAL on error,
 * with the regerror text in errbuf. */
int kbtf_regcomp(regex_t *re, const char *pattern, char *errbuf,
		 size_t errlen);

#endif /* VISTA_CORE_KBTF_H */
