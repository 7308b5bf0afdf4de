// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracefs: where it is (mounting it if it is nowhere, and unmounting what
 * we mounted at exit), and the functions ftrace can trace
 * (available_filter_functions), which kprobe-multi and fentry need.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "core.h"

#define TRACEFS_MAGIC_NR	0x74726163
#define DEBUGFS_MAGIC_NR	0x64626720

static const char *tracefs_dir;
static bool we_mounted;

static bool is_fs(const char *dir, long magic)
{
	struct statfs sf;

	return !statfs(dir, &sf) && sf.f_type == magic;
}

const char *tracefs_path(void)
{
	if (tracefs_dir)
		return tracefs_dir;
	if (is_fs("/sys/kernel/tracing", TRACEFS_MAGIC_NR))
		return tracefs_dir = "/sys/kernel/tracing";
	if (is_fs("/sys/kernel/debug/tracing", TRACEFS_MAGIC_NR))
		return tracefs_dir = "/sys/kernel/debug/tracing";
	if (!mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		we_mounted = true;
		dbg("mounted tracefs on /sys/kernel/tracing");
		return tracefs_dir = "/sys/kernel/tracing";
	}
	warn("tracefs is not mounted and mounting it failed (%s): mount it "
	     "with 'mount -t tracefs nodev /sys/kernel/tracing'",
	     strerror(errno));
	return NULL;
}

void tracefs_cleanup(void)
{
	if (we_mounted && umount("/sys/kernel/tracing"))
		warn("cannot unmount the tracefs vista mounted: %s",
		     strerror(errno));
	we_mounted = false;
	tracefs_dir = NULL;
}

static int cmp_fn(const void *a, const void *b)
{
	const struct traceable_fn *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->addr < y->addr ? -1 : x->addr > y->addr;
}

void traceable_free(struct traceable *tr)
{
	size_t i;

	for (i = 0; i < tr->nr; i++)
		free(tr->fns[i].name);
	free(tr->fns);
	tr->fns = NULL;
	tr->nr = 0;
}

static FILE *open_list(const char *dir, bool *addrs)
{
	char path[256];
	FILE *f;

	/* Since 6.5 the list comes with each function's ftrace address,
	 * which kprobe-multi can attach to without looking up names. */
	if (*addrs) {
		snprintf(path, sizeof(path),
			 "%s/available_filter_functions_addrs", dir);
		f = fopen(path, "re");
		*addrs = f != NULL;
		if (f)
			return f;
	}
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	return fopen(path, "re");
}

int traceable_load(struct traceable *tr, bool want_addrs)
{
	const char *dir = tracefs_path();
	char *line = NULL, *name, *end;
	size_t cap = 0, alloc = 0;
	struct traceable_fn *fns;
	unsigned long long addr;
	bool addrs = want_addrs;
	FILE *f;
	int ret = 0;

	tr->fns = NULL;
	tr->nr = 0;
	if (!dir)
		return -ENOENT;
	f = open_list(dir, &addrs);
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* "[addr ]name[ [module]]" */
		name = line;
		addr = 0;
		if (addrs) {
			addr = strtoull(line, &name, 16);
			name += strspn(name, " \t");
		}
		end = name + strcspn(name, " \t\n");
		*end = '\0';
		if (!*name)
			continue;
		if (tr->nr == alloc) {
			alloc = alloc ? alloc * 2 : 65536;
			fns = realloc(tr->fns, alloc * sizeof(*fns));
			if (!fns) {
				ret = -ENOMEM;
				break;
			}
			tr->fns = fns;
		}
		tr->fns[tr->nr].addr = addr;
		tr->fns[tr->nr].name = strdup(name);
		if (!tr->fns[tr->nr].name) {
			ret = -ENOMEM;
			break;
		}
		tr->nr++;
	}
	free(line);
	fclose(f);
	if (ret) {
		traceable_free(tr);
		return ret;
	}
	traceable_sort(tr);
	return 0;
}

void traceable_sort(struct traceable *tr)
{
	qsort(tr->fns, tr->nr, sizeof(*tr->fns), cmp_fn);
}

/* The first of the functions called name (static functions can share
 * one); NULL if there is none. */
static const struct traceable_fn *find_fn(const struct traceable *tr,
					  const char *name)
{
	size_t lo = 0, hi = tr->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(tr->fns[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < tr->nr && !strcmp(tr->fns[lo].name, name) ?
	       &tr->fns[lo] : NULL;
}

bool traceable_has(const struct traceable *tr, const char *name)
{
	return find_fn(tr, name) != NULL;
}

/* Where ftrace hooks the function called name: where several share the
 * name, the lowest address (given the name, the kernel too picks the
 * first it can hook in address order); 0 if unknown. */
__u64 traceable_addr(const struct traceable *tr, const char *name)
{
	const struct traceable_fn *fn = find_fn(tr, name);

	return fn ? fn->addr : 0;
}
