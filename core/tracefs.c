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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void traceable_free(struct traceable *tr)
{
	size_t i;

	for (i = 0; i < tr->nr; i++)
		free(tr->names[i]);
	free(tr->names);
	tr->names = NULL;
	tr->nr = 0;
}

int traceable_load(struct traceable *tr)
{
	const char *dir = tracefs_path();
	char path[256], *line = NULL, *sp;
	size_t cap = 0, alloc = 0;
	char **names;
	FILE *f;
	int ret = 0;

	tr->names = NULL;
	tr->nr = 0;
	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/available_filter_functions", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		/* "name" or "name [module]" */
		sp = strpbrk(line, " \t\n");
		if (sp)
			*sp = '\0';
		if (!*line)
			continue;
		if (tr->nr == alloc) {
			alloc = alloc ? alloc * 2 : 65536;
			names = realloc(tr->names, alloc * sizeof(*names));
			if (!names) {
				ret = -ENOMEM;
				break;
			}
			tr->names = names;
		}
		tr->names[tr->nr] = strdup(line);
		if (!tr->names[tr->nr]) {
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
	qsort(tr->names, tr->nr, sizeof(*tr->names), cmp_str);
}

bool traceable_has(const struct traceable *tr, const char *name)
{
	return bsearch(&name, tr->names, tr->nr, sizeof(*tr->names),
		       cmp_str) != NULL;
}
