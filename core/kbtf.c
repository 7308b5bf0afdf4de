// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel BTF discovery: see kbtf.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "kbtf.h"

#define KBTF_SYSFS		"/sys/kernel/btf"
#define KBTF_VMLINUX		KBTF_SYSFS "/vmlinux"
#define KBTF_TP_PREFIX		"btf_trace_"
/* Valid BTF has no reference cycles; this only bounds a corrupt file. */
#define KBTF_MAX_RESOLVE	32

struct kbtf_enum_val {
	__s64 value;
	__u32 idx;		/* declaration order: the first alias wins */
	const char *name;	/* in the BTF string section */
};

struct kbtf_enum {
	char *name;
	struct kbtf_enum_val *vals;	/* by value; NULL: no such enum */
	size_t nr;
};

/*
 * struct kbtf as the callers see it, plus caches only this file knows.
 * Every struct kbtf comes from kbtf_alloc(), so the cast is always valid.
 */
struct kbtf_priv {
	struct kbtf pub;
	struct kbtf_enum *enums;
	size_t nr_enums;
};

static struct kbtf_priv *kbtf_priv(const struct kbtf *kb)
{
	return (struct kbtf_priv *)((char *)kb -
				    offsetof(struct kbtf_priv, pub));
}

static struct kbtf *kbtf_alloc(void)
{
	struct kbtf_priv *p = calloc(1, sizeof(*p));

	return p ? &p->pub : NULL;
}

void kbtf_free(struct kbtf *kb)
{
	struct kbtf_priv *p;
	size_t i;

	if (!kb)
		return;
	p = kbtf_priv(kb);
	for (i = 0; i < p->nr_enums; i++) {
		free(p->enums[i].name);
		free(p->enums[i].vals);
	}
	free(p->enums);
	for (i = 0; i < kb->nr_mods; i++) {
		btf__free(kb->mods[i].btf);
		if (kb->mods[i].fd >= 0)
			close(kb->mods[i].fd);
		free(kb->mods[i].name);
	}
	free(kb->mods);
	btf__free(kb->vmlinux);
	free(p);
}

struct kbtf *kbtf_from_btf(struct btf *btf)
{
	struct kbtf *kb;

	if (!btf) {
		errno = EINVAL;
		return NULL;
	}
	kb = kbtf_alloc();
	if (!kb)
		return NULL;
	kb->vmlinux = btf;
	return kb;
}

/* ---- loading ------------------------------------------------------- */

static int kbtf_load_vmlinux(struct kbtf *kb, const char *path)
{
	const char *who = path ? "--kernel-btf" : "vista";
	int err;

	if (!path) {
		path = KBTF_VMLINUX;
		if (access(path, R_OK)) {
			err = -errno;
			if (err == -ENOENT)
				fprintf(stderr,
					"vista: no kernel BTF at %s: the kernel needs CONFIG_DEBUG_INFO_BTF=y, or pass --kernel-btf FILE\n",
					path);
			else
				fprintf(stderr, "vista: cannot read %s: %s\n",
					path, strerror(-err));
			return err;
		}
	}
	kb->vmlinux = btf__parse(path, NULL);
	if (!kb->vmlinux) {
		err = -errno;
		fprintf(stderr, "%s: cannot load BTF from '%s': %s\n", who,
			path, strerror(-err));
		return err;
	}
	return 0;
}

static struct kbtf_module *kbtf_mod_by_name(struct kbtf *kb, const char *name)
{
	size_t i;

	for (i = 0; i < kb->nr_mods; i++)
		if (!strcmp(kb->mods[i].name, name))
			return &kb->mods[i];
	return NULL;
}

/*
 * Parse /sys/kernel/btf/<name> on top of vmlinux. A module that is not
 * there is an error only when the user asked for it by name; with
 * --all-kmods it was merely unloaded since the directory was read.
 */
static int kbtf_add_mod(struct kbtf *kb, const char *name, bool requested)
{
	struct kbtf_module *mods, *m;
	char path[PATH_MAX];
	struct stat st;
	struct btf *btf;
	int err;

	if (kbtf_mod_by_name(kb, name))
		return 0;
	if (!*name || strchr(name, '/') || name[0] == '.' ||
	    !strcmp(name, "vmlinux")) {
		fprintf(stderr, "--kmods: '%s' is not a module name\n", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), KBTF_SYSFS "/%s", name);
	if (stat(path, &st)) {
		err = -errno;
		if (err != -ENOENT)
			goto out_err;
		if (!requested)
			return 0;
		fprintf(stderr,
			"--kmods: no BTF for module '%s' (is it loaded?)\n",
			name);
		return err;
	}

	btf = btf__parse_split(path, kb->vmlinux);
	if (!btf) {
		err = -errno;
		if (err == -ENOENT && !requested)
			return 0;
		goto out_err;
	}
	mods = realloc(kb->mods, (kb->nr_mods + 1) * sizeof(*mods));
	if (!mods) {
		err = -ENOMEM;
		goto out_btf;
	}
	kb->mods = mods;
	m = &mods[kb->nr_mods];
	m->name = strdup(name);
	if (!m->name) {
		err = -ENOMEM;
		goto out_btf;
	}
	m->btf = btf;
	m->fd = -1;
	kb->nr_mods++;
	return 0;

out_btf:
	btf__free(btf);
out_err:
	fprintf(stderr, "%s: cannot load BTF of module '%s': %s\n",
		requested ? "--kmods" : "--all-kmods", name, strerror(-err));
	return err;
}

static int kbtf_mod_filter(const struct dirent *de)
{
	return de->d_name[0] != '.' && strcmp(de->d_name, "vmlinux");
}

static int kbtf_add_all_mods(struct kbtf *kb)
{
	struct dirent **ents;
	int i, n, err = 0;

	/* Sorted, so that targets come out in the same order every run. */
	n = scandir(KBTF_SYSFS, &ents, kbtf_mod_filter, alphasort);
	if (n < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		fprintf(stderr, "--all-kmods: cannot list %s: %s\n",
			KBTF_SYSFS, strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (!err)
			err = kbtf_add_mod(kb, ents[i]->d_name, false);
		free(ents[i]);
	}
	free(ents);
	return err;
}

/*
 * Attaching to a module function needs the module's kernel BTF object
 * (attach_btf_obj_fd). Walk all BTF objects once and match them by name.
 * Without privileges this fails; listing targets still works, so warn
 * once and leave fd at -1.
 */
static void kbtf_find_mod_fds(struct kbtf *kb)
{
	size_t left = kb->nr_mods, i;
	__u32 id = 0;
	int err = 0;

	while (left) {
		struct bpf_btf_info info;
		struct kbtf_module *m;
		__u32 len = sizeof(info);
		char name[64];
		int fd;

		err = bpf_btf_get_next_id(id, &id);
		if (err)
			break;
		fd = bpf_btf_get_fd_by_id(id);
		if (fd == -ENOENT)
			continue;	/* freed since get_next_id */
		if (fd < 0) {
			err = fd;
			break;
		}
		memset(&info, 0, sizeof(info));
		/* Also keeps valgrind, which does not know the syscall, quiet */
		memset(name, 0, sizeof(name));
		info.name = (__u64)(uintptr_t)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf)
			goto next;
		name[sizeof(name) - 1] = '\0';
		m = kbtf_mod_by_name(kb, name);
		if (!m || m->fd >= 0)
			goto next;
		m->fd = fd;
		left--;
		continue;
next:
		close(fd);
	}
	if (!left)
		return;
	if (err && err != -ENOENT) {
		fprintf(stderr,
			"vista: warning: cannot look up kernel BTF objects (%s): module functions cannot be attached\n",
			strerror(-err));
		return;
	}
	for (i = 0; i < kb->nr_mods; i++)
		if (kb->mods[i].fd < 0)
			fprintf(stderr,
				"vista: warning: no kernel BTF object for module '%s': its functions cannot be attached\n",
				kb->mods[i].name);
}

struct kbtf *kbtf_load(const char *path, const char *const *kmods,
		       bool all_kmods)
{
	struct kbtf *kb;
	int err = 0;

	kb = kbtf_alloc();
	if (!kb)
		return NULL;
	err = kbtf_load_vmlinux(kb, path);
	if (err)
		goto out_free;
	for (; kmods && *kmods && !err; kmods++)
		err = kbtf_add_mod(kb, *kmods, true);
	if (!err && all_kmods)
		err = kbtf_add_all_mods(kb);
	if (err)
		goto out_free;
	if (kb->nr_mods)
		kbtf_find_mod_fds(kb);
	return kb;

out_free:
	kbtf_free(kb);
	errno = -err;
	return NULL;
}

/* ---- scanning ------------------------------------------------------ */

/* The type behind id, through const/volatile/restrict/type tags/typedefs. */
static const struct btf_type *kbtf_skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (++depth > KBTF_MAX_RESOLVE)
			return NULL;
		t = btf__type_by_id(btf, t->type);
	}
	return t;
}

/* Is type id a pointer to struct sname (both sides through modifiers)? */
static bool kbtf_is_obj_ptr(const struct btf *btf, __u32 id,
			    const char *sname)
{
	const struct btf_type *t = kbtf_skip_mods(btf, id);

	if (!t || !btf_is_ptr(t))
		return false;
	t = kbtf_skip_mods(btf, t->type);
	if (!t)
		return false;
	/* A module may only forward-declare the struct. */
	if (!btf_is_struct(t) && !(btf_is_fwd(t) && !btf_kflag(t)))
		return false;
	return !strcmp(btf__name_by_offset(btf, t->name_off), sname);
}

/*
 * 1-based position of the first parameter among the VISTA_MAX_ARG after
 * the first skip that points to struct sname, or 0. *nr_args excludes the
 * skipped ones and a trailing "...".
 */
static int kbtf_proto_pos(const struct btf *btf, const struct btf_type *proto,
			  unsigned int skip, const char *sname,
			  unsigned int *nr_args)
{
	const struct btf_param *p = btf_params(proto);
	unsigned int vlen = btf_vlen(proto), i;

	if (vlen && !p[vlen - 1].type)
		vlen--;
	*nr_args = vlen > skip ? vlen - skip : 0;
	for (i = skip; i < vlen && i - skip < VISTA_MAX_ARG; i++)
		if (kbtf_is_obj_ptr(btf, p[i].type, sname))
			return i - skip + 1;
	return 0;
}

static int kbtf_func_pos(const struct btf *btf, const struct btf_type *t,
			 const char *sname, const char **name,
			 unsigned int *nr_args)
{
	const struct btf_type *proto;

	/*
	 * An extern FUNC is only a declaration: nothing to attach to. A
	 * FUNC's vlen is its linkage (libbpf 1.1 has no btf_func_linkage()).
	 */
	if (!btf_is_func(t) || btf_vlen(t) == BTF_FUNC_EXTERN)
		return 0;
	proto = btf__type_by_id(btf, t->type);
	if (!proto || !btf_is_func_proto(proto))
		return 0;
	*name = btf__name_by_offset(btf, t->name_off);
	return kbtf_proto_pos(btf, proto, 0, sname, nr_args);
}

/* TYPEDEF btf_trace_<name> -> PTR -> FUNC_PROTO(void *__data, args...) */
static int kbtf_tp_pos(const struct btf *btf, const struct btf_type *t,
		       const char *sname, const char **name,
		       unsigned int *nr_args)
{
	const struct btf_type *proto, *data;
	const char *tname;

	if (!btf_is_typedef(t))
		return 0;
	tname = btf__name_by_offset(btf, t->name_off);
	if (!tname || strncmp(tname, KBTF_TP_PREFIX,
			      sizeof(KBTF_TP_PREFIX) - 1))
		return 0;
	proto = btf__type_by_id(btf, t->type);
	if (!proto || !btf_is_ptr(proto))
		return 0;
	proto = btf__type_by_id(btf, proto->type);
	if (!proto || !btf_is_func_proto(proto) || !btf_vlen(proto))
		return 0;
	data = kbtf_skip_mods(btf, btf_params(proto)[0].type);
	if (!data || !btf_is_ptr(data))
		return 0;
	*name = tname + sizeof(KBTF_TP_PREFIX) - 1;
	return kbtf_proto_pos(btf, proto, 1, sname, nr_args);
}

int kbtf_func_args(const struct kbtf *kb, const char *func,
		   const char *sname, const char *ename, __u8 *obj_pos,
		   __u8 *enum_pos, __u32 *btf_id)
{
	const struct btf *btf = kb->vmlinux;
	const struct btf_type *t, *proto, *pt;
	const struct btf_param *p;
	unsigned int i, vlen;
	__s32 id;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	proto = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -ENOENT;
	p = btf_params(proto);
	vlen = btf_vlen(proto);
	*obj_pos = *enum_pos = 0;
	for (i = 0; i < vlen && i < VISTA_MAX_ARG; i++) {
		if (!*obj_pos && kbtf_is_obj_ptr(btf, p[i].type, sname))
			*obj_pos = i + 1;
		pt = kbtf_skip_mods(btf, p[i].type);
		if (!*enum_pos && pt && btf_is_any_enum(pt) &&
		    !strcmp(btf__name_by_offset(btf, pt->name_off), ename))
			*enum_pos = i + 1;
	}
	if (btf_id)
		*btf_id = id;
	return *obj_pos && *enum_pos ? 0 : -ENOENT;
}

struct kbtf_name_idx {
	const char *name;
	size_t idx;
};

static int kbtf_name_idx_cmp(const void *a, const void *b)
{
	const struct kbtf_name_idx *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Static functions of the same name can appear several times in one BTF;
 * keep the first of each name, in BTF order.
 */
static int kbtf_dedup(struct kbtf_target *t, size_t *nr)
{
	struct kbtf_name_idx *ni;
	size_t i, j;

	if (*nr < 2)
		return 0;
	ni = malloc(*nr * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	for (i = 0; i < *nr; i++) {
		ni[i].name = t[i].name;
		ni[i].idx = i;
	}
	qsort(ni, *nr, sizeof(*ni), kbtf_name_idx_cmp);
	/* j: the first, kept, entry of the current run of equal names */
	for (i = 1, j = 0; i < *nr; i++) {
		if (strcmp(ni[i].name, ni[j].name)) {
			j = i;
			continue;
		}
		free(t[ni[i].idx].name);
		t[ni[i].idx].name = NULL;
	}
	free(ni);
	for (i = 0, j = 0; i < *nr; i++)
		if (t[i].name)
			t[j++] = t[i];
	*nr = j;
	return 0;
}

static const char *kbtf_obj_struct(enum vista_obj_kind kind)
{
	switch (kind) {
	case VISTA_OBJ_SKB:
		return "sk_buff";
	case VISTA_OBJ_SOCK:
		return "sock";
	}
	return NULL;
}

int kbtf_scan(const struct btf *btf, enum vista_obj_kind kind,
	      bool tracepoints, const regex_t *re, const char *module,
	      int btf_obj_fd, struct kbtf_target **out, size_t *nr)
{
	struct kbtf_target *found = NULL, *tmp;
	size_t nr_found = 0, cap = 0, i;
	const char *sname = kbtf_obj_struct(kind);
	const struct btf *base;
	__u32 id, end;
	int err;

	if (!btf || !sname || !out || !nr)
		return -EINVAL;
	/* Of a split BTF, only its own types: the base is scanned once. */
	base = btf__base_btf(btf);
	id = base ? btf__type_cnt(base) : 1;
	end = btf__type_cnt(btf);
	for (; id < end; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = NULL;
		unsigned int nr_args;
		int pos;

		if (!t)
			continue;
		if (tracepoints)
			pos = kbtf_tp_pos(btf, t, sname, &name, &nr_args);
		else
			pos = kbtf_func_pos(btf, t, sname, &name, &nr_args);
		if (pos <= 0 || !name || !*name)
			continue;
		if (re && regexec(re, name, 0, NULL, 0))
			continue;
		if (nr_found == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(found, cap * sizeof(*found));
			if (!tmp) {
				err = -ENOMEM;
				goto out_free;
			}
			found = tmp;
		}
		tmp = &found[nr_found];
		memset(tmp, 0, sizeof(*tmp));
		tmp->name = strdup(name);
		if (!tmp->name) {
			err = -ENOMEM;
			goto out_free;
		}
		tmp->btf_id = id;
		tmp->btf_obj_fd = btf_obj_fd;
		tmp->module = module;
		tmp->pos = pos;
		tmp->nr_args = nr_args > UINT8_MAX ? UINT8_MAX : nr_args;
		tmp->tracepoint = tracepoints;
		nr_found++;
	}

	err = kbtf_dedup(found, &nr_found);
	if (err)
		goto out_free;
	if (!nr_found)
		goto out_free;
	tmp = realloc(*out, (*nr + nr_found) * sizeof(*tmp));
	if (!tmp) {
		err = -ENOMEM;
		goto out_free;
	}
	memcpy(tmp + *nr, found, nr_found * sizeof(*tmp));
	*out = tmp;
	*nr += nr_found;
	free(found);
	return 0;

out_free:
	for (i = 0; i < nr_found; i++)
		free(found[i].name);
	free(found);
	return err;
}

int kbtf_find_targets(const struct kbtf *kb, enum vista_obj_kind kind,
		      bool tracepoints, const regex_t *re,
		      struct kbtf_target **out, size_t *nr)
{
	size_t nr0, i;
	int err;

	if (!kb || !out || !nr)
		return -EINVAL;
	nr0 = *nr;
	err = kbtf_scan(kb->vmlinux, kind, tracepoints, re, NULL, 0, out, nr);
	for (i = 0; !err && i < kb->nr_mods; i++)
		err = kbtf_scan(kb->mods[i].btf, kind, tracepoints, re,
				kb->mods[i].name, kb->mods[i].fd, out, nr);
	if (err) {
		for (i = nr0; i < *nr; i++)
			free((*out)[i].name);
		*nr = nr0;
	}
	return err;
}

void kbtf_targets_free(struct kbtf_target *t, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(t[i].name);
	free(t);
}

/* ---- enums --------------------------------------------------------- */

static int kbtf_enum_val_cmp(const void *a, const void *b)
{
	const struct kbtf_enum_val *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Values of enum t sorted, aliases dropped; e->vals stays NULL if empty. */
static int kbtf_enum_fill(const struct btf *btf, const struct btf_type *t,
			  struct kbtf_enum *e)
{
	unsigned int vlen = btf_vlen(t), i;
	bool is_signed = btf_kflag(t);
	size_t j;

	if (!vlen)
		return 0;
	e->vals = calloc(vlen, sizeof(*e->vals));
	if (!e->vals)
		return -ENOMEM;
	for (i = 0; i < vlen; i++) {
		struct kbtf_enum_val *v = &e->vals[i];
		__u32 name_off;

		if (btf_is_enum(t)) {
			const struct btf_enum *en = btf_enum(t) + i;

			name_off = en->name_off;
			v->value = is_signed ? (__s64)en->val :
					       (__s64)(__u32)en->val;
		} else {
			const struct btf_enum64 *en = btf_enum64(t) + i;

			/* name_off is the first member, see btf_enum64_value */
			name_off = *(const __u32 *)en;
			v->value = (__s64)btf_enum64_value(en);
		}
		v->idx = i;
		v->name = btf__name_by_offset(btf, name_off);
	}
	qsort(e->vals, vlen, sizeof(*e->vals), kbtf_enum_val_cmp);
	for (i = 1, j = 1; i < vlen; i++)
		if (e->vals[i].value != e->vals[j - 1].value)
			e->vals[j++] = e->vals[i];
	e->nr = j;
	return 0;
}

/*
 * The cached enum of this name, built on first use (also when the enum
 * does not exist, so that a missing one is not searched again per event).
 * Not thread-safe: the core decodes events on one thread.
 */
/* The enum (named or not) that has an enumerator called member. */
static __s32 kbtf_enum_with(const struct btf *btf, const char *member)
{
	__u32 id, n = btf__type_cnt(btf), i;
	const struct btf_type *t;

	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (btf_is_enum(t)) {
			const struct btf_enum *m = btf_enum(t);

			for (i = 0; i < btf_vlen(t); i++)
				if (!strcmp(btf__name_by_offset(btf,
						m[i].name_off), member))
					return id;
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *m = btf_enum64(t);

			for (i = 0; i < btf_vlen(t); i++)
				if (!strcmp(btf__name_by_offset(btf,
						m[i].name_off), member))
					return id;
		}
	}
	return -ENOENT;
}

static struct kbtf_enum *kbtf_enum_get(struct kbtf_priv *p, const char *name)
{
	const struct btf *btf = p->pub.vmlinux;
	const struct btf_type *t = NULL;
	struct kbtf_enum *enums, *e;
	__s32 id;
	size_t i;

	for (i = 0; i < p->nr_enums; i++)
		if (!strcmp(p->enums[i].name, name))
			return &p->enums[i];

	id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	/* "TCP_ESTABLISHED": the anonymous enum it belongs to */
	if (id < 0 && name[0] >= 'A' && name[0] <= 'Z')
		id = kbtf_enum_with(btf, name);
	if (id > 0)
		t = btf__type_by_id(btf, id);

	enums = realloc(p->enums, (p->nr_enums + 1) * sizeof(*enums));
	if (!enums)
		return NULL;
	p->enums = enums;
	e = &enums[p->nr_enums];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return NULL;
	if (t && kbtf_enum_fill(btf, t, e)) {
		free(e->name);
		return NULL;
	}
	p->nr_enums++;
	return e;
}

const char *kbtf_enum_name(const struct kbtf *kb, const char *enum_name,
			   __s64 value)
{
	struct kbtf_enum *e;
	size_t lo, hi;

	if (!kb || !kb->vmlinux || !enum_name)
		return NULL;
	e = kbtf_enum_get(kbtf_priv(kb), enum_name);
	if (!e)
		return NULL;
	lo = 0;
	hi = e->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->vals[mid].value == value)
			return e->vals[mid].name;
		if (e->vals[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- regex --------------------------------------------------------- */

int kbtf_regcomp(regex_t *re, const char *pattern, char *errbuf,
		 size_t errlen)
{
	char *whole;
	int ret;

	/*
	 * Compile the pattern alone first: "a)|(b" would otherwise close our
	 * group early and escape the anchors.
	 */
	ret = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (ret)
		goto out_err;
	regfree(re);
	if (asprintf(&whole, "^(%s)$", pattern) < 0)
		return -ENOMEM;
	ret = regcomp(re, whole, REG_EXTENDED | REG_NOSUB);
	free(whole);
	if (ret)
		goto out_err;
	return 0;

out_err:
	if (errbuf && errlen)
		regerror(ret, re, errbuf, errlen);
	return -EINVAL;
}
