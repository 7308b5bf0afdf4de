// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plugin loader. A section kind maps to a file name: "tracer.skb" is
 * tracer_skb.so, "sink.text" is sink_text.so. Directories are searched in
 * order: every --plugin-dir, the build tree when vista runs from it, then
 * the install directory. A file is dlopen'd only if it and its directory
 * are owned by root or the invoking user and writable by nobody else (and
 * no one else can rename a directory above them), and only through the
 * descriptor it was checked on. Profiles and --plugin-dir get the same
 * check.
 */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core.h"

#ifndef VISTA_PLUGIN_DIR
#define VISTA_PLUGIN_DIR "/usr/local/lib/vista"
#endif

const char *plugin_kind_prefix(enum vista_plugin_kind kind)
{
	return kind == VISTA_PLUGIN_SINK ? "sink" : "tracer";
}

static int add_dir(struct vista *v, const char *dir)
{
	char **dirs;
	size_t i;

	for (i = 0; i < v->nr_plugin_dirs; i++)
		if (!strcmp(v->plugin_dirs[i], dir))
			return 0;
	dirs = realloc(v->plugin_dirs, (v->nr_plugin_dirs + 1) * sizeof(*dirs));
	if (!dirs)
		return -ENOMEM;
	v->plugin_dirs = dirs;
	dirs[v->nr_plugin_dirs] = strdup(dir);
	if (!dirs[v->nr_plugin_dirs])
		return -ENOMEM;
	v->nr_plugin_dirs++;
	return 0;
}

/* Is the running binary the build tree's (./vista or libtool's .libs/)? */
bool loader_in_build_tree(void)
{
#ifdef VISTA_BUILDDIR
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (!realpath(VISTA_BUILDDIR, build))
		return false;
	dirname(exe);
	return !strcmp(exe, build) ||
	       (!strncmp(exe, build, strlen(build)) &&
		!strcmp(exe + strlen(build), "/.libs"));
#else
	return false;
#endif
}

/* When the running binary is the build tree's, its plugins come first. */
static void add_build_tree(struct vista *v)
{
#ifdef VISTA_BUILDDIR
	static const char *const pats[] = {
		VISTA_BUILDDIR "/plugins/*/.libs",
		VISTA_BUILDDIR "/sinks/*/.libs",
	};
	size_t i, j;
	glob_t g;

	if (!loader_in_build_tree())
		return;
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		if (glob(pats[i], GLOB_ONLYDIR, NULL, &g))
			continue;
		for (j = 0; j < g.gl_pathc; j++)
			add_dir(v, g.gl_pathv[j]);
		globfree(&g);
	}
#endif
}

int loader_default_dirs(struct vista *v, const char *const *extra,
			size_t nr_extra)
{
	size_t i;
	int ret;

	for (i = 0; i < nr_extra; i++) {
		if (access(extra[i], F_OK)) {
			ret = -errno;
			err("--plugin-dir %s: %s", extra[i], strerror(-ret));
			return ret;
		}
		ret = loader_check_trust(extra[i], "--plugin-dir");
		if (ret)
			return ret;
		ret = add_dir(v, extra[i]);
		if (ret)
			return ret;
	}
	add_build_tree(v);
	return add_dir(v, VISTA_PLUGIN_DIR);
}

/*
 * Whose files vista trusts: root's, the real user's and, when root runs
 * it through sudo, the files of the user who ran sudo (who could run
 * anything as root anyway).
 */
static bool trusted_uid(uid_t uid)
{
	const char *sudo = getenv("SUDO_UID");
	char *end;
	unsigned long u;

	if (uid == 0 || uid == getuid())
		return true;
	if (getuid() != 0 || !sudo || !*sudo)
		return false;
	errno = 0;
	u = strtoul(sudo, &end, 10);
	return !errno && !*end && u == uid;
}

/* A file or the directory it is in: trusted owner, writable by nobody
 * else. */
static int check_stat(const char *path, const struct stat *st,
		      const char *what)
{
	if (!trusted_uid(st->st_uid)) {
		err("%s: refusing %s: owned by uid %u, not by root or the "
		    "invoking user", path, what, (unsigned int)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		err("%s: refusing %s: %s-writable (chmod go-w %s)", path, what,
		    st->st_mode & S_IWOTH ? "world" : "group", path);
		return -EPERM;
	}
	return 0;
}

/*
 * The directories above: whoever can write to one could rename what is
 * below it, so each is owned by a trusted user and writable by no one
 * else, unless it is sticky (/tmp), where others cannot rename what
 * they do not own.
 */
static int check_ancestors(const char *dir, const char *what)
{
	char up[PATH_MAX];
	struct stat st;

	snprintf(up, sizeof(up), "%s", dir);
	while (strcmp(up, "/")) {
		dirname(up);
		if (stat(up, &st)) {
			int ret = -errno;

			err("%s: %s", up, strerror(-ret));
			return ret;
		}
		if (!trusted_uid(st.st_uid)) {
			err("%s: refusing %s: its directory %s is owned by uid "
			    "%u, not by root or the invoking user", dir, what,
			    up, (unsigned int)st.st_uid);
			return -EPERM;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(st.st_mode & S_ISVTX)) {
			err("%s: refusing %s: its directory %s is %s-writable "
			    "(chmod go-w %s)", dir, what, up,
			    st.st_mode & S_IWOTH ? "world" : "group", up);
			return -EPERM;
		}
	}
	return 0;
}

int loader_check_trust(const char *path, const char *what)
{
	char real[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	int ret;

	if (!realpath(path, real) || stat(real, &st)) {
		ret = -errno;
		err("%s: %s", path, strerror(errno));
		return ret;
	}
	ret = check_stat(real, &st, what);
	if (ret || S_ISDIR(st.st_mode))
		return ret ? ret : check_ancestors(real, what);
	snprintf(dir, sizeof(dir), "%s", real);
	dirname(dir);
	if (stat(dir, &st)) {
		ret = -errno;
		err("%s: %s", dir, strerror(errno));
		return ret;
	}
	ret = check_stat(dir, &st, what);
	return ret ? ret : check_ancestors(dir, what);
}

static struct plugin_file *open_file(struct vista *v, const char *path,
				     const char *want_kind)
{
	const struct vista_plugin *desc;
	struct plugin_file *f;
	char real[PATH_MAX], dir[PATH_MAX], fdpath[64], kind[160];
	struct stat st;
	void *dl;
	size_t i;
	int fd;

	if (!realpath(path, real)) {
		err("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (i = 0; i < v->nr_files; i++)
		if (!strcmp(v->files[i].path, real))
			return &v->files[i];

	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("%s: %s", real, strerror(errno));
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s", real);
	dirname(dir);
	if (fstat(fd, &st) || check_stat(real, &st, "plugin") ||
	    loader_check_trust(dir, "plugin")) {
		close(fd);
		return NULL;
	}
	/*
	 * dlopen what was checked, not whatever the path points to now. The
	 * fd stays open while the plugin is loaded: glibc knows a library by
	 * its name, and a reused "/proc/self/fd/N" would alias another one.
	 */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	dl = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		close(fd);
		err("%s: cannot load plugin: %s", real, dlerror());
		return NULL;
	}
	desc = dlsym(dl, VISTA_PLUGIN_SYMBOL);
	if (!desc) {
		err("%s: not a vista plugin (no '%s' symbol)", real,
		    VISTA_PLUGIN_SYMBOL);
		goto out_close;
	}
	if (desc->abi_major != VISTA_ABI_MAJOR) {
		err("%s: plugin built for vista plugin ABI %u, this vista "
		    "speaks ABI %u: rebuild the plugin against vista %s", real,
		    desc->abi_major, VISTA_ABI_MAJOR, PACKAGE_VERSION);
		goto out_close;
	}
	/* Records carry no size: a newer plugin could read past them. */
	if (desc->abi_minor > VISTA_ABI_MINOR) {
		err("%s: plugin built for vista plugin ABI %u.%u, this vista "
		    "speaks %u.%u: rebuild the plugin against vista %s, or "
		    "upgrade vista", real, desc->abi_major, desc->abi_minor,
		    VISTA_ABI_MAJOR, VISTA_ABI_MINOR, PACKAGE_VERSION);
		goto out_close;
	}
	if (desc->size < sizeof(*desc) || !desc->name ||
	    (desc->kind != VISTA_PLUGIN_TRACER &&
	     desc->kind != VISTA_PLUGIN_SINK)) {
		err("%s: malformed plugin descriptor: rebuild the plugin "
		    "against vista %s", real, PACKAGE_VERSION);
		goto out_close;
	}
	snprintf(kind, sizeof(kind), "%s.%s", plugin_kind_prefix(desc->kind),
		 desc->name);
	if (want_kind && strcmp(kind, want_kind)) {
		err("%s: provides [%s], not [%s]", real, kind, want_kind);
		goto out_close;
	}

	/* Preallocated (ensure_files): instances keep pointers into it. */
	f = &v->files[v->nr_files++];
	f->path = strdup(real);
	f->dl = dl;
	f->fd = fd;
	f->desc = desc;
	if (desc->nr_options &&
	    config_add_rows(&v->cfg, desc->options, desc->nr_options)) {
		err("%s: its options clash with options already known", real);
		return NULL;
	}
	return f;

out_close:
	dlclose(dl);
	close(fd);
	return NULL;
}

/* Plugin files are kept in one array allocated once, large enough. */
#define MAX_PLUGIN_FILES 64

static int ensure_files(struct vista *v)
{
	if (v->files)
		return 0;
	v->files = calloc(MAX_PLUGIN_FILES, sizeof(*v->files));
	return v->files ? 0 : -ENOMEM;
}

/* "tracer.skb" -> "tracer_skb.so"; -EINVAL for a kind that is neither. */
static int kind_file(const char *kind, char *buf, size_t len)
{
	const char *dot = strchr(kind, '.');

	if (!dot || (strncmp(kind, "tracer.", 7) && strncmp(kind, "sink.", 5)))
		return -EINVAL;
	snprintf(buf, len, "%.*s_%s.so", (int)(dot - kind), kind, dot + 1);
	return 0;
}

/* The first plugin directory holding name, into path; -ENOENT if none. */
static int find_file(const struct vista *v, const char *name, char *path,
		     size_t len)
{
	size_t i;

	for (i = 0; i < v->nr_plugin_dirs; i++) {
		snprintf(path, len, "%s/%s", v->plugin_dirs[i], name);
		if (!access(path, F_OK))
			return 0;
	}
	return -ENOENT;
}

/*
 * Packages split vista by plugin, so the package is named by rule, not by
 * a table: tracer NAME comes in vista-plugin-NAME, sink NAME in
 * vista-sink-NAME (lower case, '_' as '-': package names allow neither).
 */
void loader_package(const char *kind, char *buf, size_t len)
{
	const char *name = strchr(kind, '.');
	size_t n;

	n = snprintf(buf, len, "vista-%s-",
		     strncmp(kind, "sink.", 5) ? "plugin" : "sink");
	for (name = name ? name + 1 : ""; *name && n + 1 < len; name++)
		buf[n++] = *name == '_' ? '-' : tolower((unsigned char)*name);
	if (n < len)
		buf[n] = '\0';
}

/*
 * "no plugin for [KIND] (FILE in DIR, DIR): install PACKAGE". Directories
 * are named while they fit ("DIR, 6 more"): the package must not be cut.
 */
static void missing_msg(const struct vista *v, const char *kind,
			const char *name, char *why, size_t len)
{
	char pkg[256], tail[300];
	size_t n, i, more;
	const char *sep;

	loader_package(kind, pkg, sizeof(pkg));
	snprintf(tail, sizeof(tail), "): install %s", pkg);
	n = snprintf(why, len, "no plugin for [%s] (%s in ", kind, name);
	for (i = 0; i < v->nr_plugin_dirs && n < len; i++) {
		sep = i ? ", " : "";
		/* room for ", N more" while more directories follow */
		more = i + 1 < v->nr_plugin_dirs ? 24 : 0;
		if (n + strlen(sep) + strlen(v->plugin_dirs[i]) + strlen(tail) +
		    more >= len) {
			n += snprintf(why + n, len - n, i ? "%s%zu more" :
				      "%s%zu directories", sep,
				      v->nr_plugin_dirs - i);
			break;
		}
		n += snprintf(why + n, len - n, "%s%s", sep,
			      v->plugin_dirs[i]);
	}
	if (n < len)
		snprintf(why + n, len - n, "%s", tail);
}

int loader_missing(const struct vista *v, const char *kind, char *why,
		   size_t len)
{
	char name[256], path[PATH_MAX + 256];
	int ret;

	ret = kind_file(kind, name, sizeof(name));
	if (ret)
		return ret;
	ret = find_file(v, name, path, sizeof(path));
	if (ret)
		missing_msg(v, kind, name, why, len);
	return ret;
}

struct plugin_file *loader_load(struct vista *v, const char *kind)
{
	char name[256], path[PATH_MAX + 256], why[1024];

	if (ensure_files(v))
		return NULL;
	if (v->nr_files >= MAX_PLUGIN_FILES) {
		err("too many plugins");
		return NULL;
	}
	if (kind_file(kind, name, sizeof(name)))
		return NULL;
	if (find_file(v, name, path, sizeof(path))) {
		missing_msg(v, kind, name, why, sizeof(why));
		err("%s", why);
		return NULL;
	}
	return open_file(v, path, kind);
}

int loader_list(struct vista *v, FILE *out)
{
	char pat[PATH_MAX];
	struct plugin_file *f;
	size_t i, j;
	glob_t g;
	int k;

	if (ensure_files(v))
		return -ENOMEM;
	fprintf(out, "%-8s %-12s %-8s %s\n", "KIND", "NAME", "VERSION", "PATH");
	for (i = 0; i < v->nr_plugin_dirs; i++) {
		for (k = 0; k < 2; k++) {
			snprintf(pat, sizeof(pat), "%s/%s_*.so",
				 v->plugin_dirs[i], k ? "sink" : "tracer");
			if (glob(pat, 0, NULL, &g))
				continue;
			for (j = 0; j < g.gl_pathc; j++) {
				if (v->nr_files >= MAX_PLUGIN_FILES)
					break;
				f = open_file(v, g.gl_pathv[j], NULL);
				if (!f)
					continue;
				fprintf(out, "%-8s %-12s %-8s %s\n",
					plugin_kind_prefix(f->desc->kind),
					f->desc->name,
					f->desc->version ? f->desc->version : "-",
					f->path);
			}
			globfree(&g);
		}
	}
	return 0;
}

void loader_unload_all(struct vista *v)
{
	size_t i;

	for (i = 0; i < v->nr_files; i++) {
		dlclose(v->files[i].dl);
		close(v->files[i].fd);
		free(v->files[i].path);
	}
	free(v->files);
	v->files = NULL;
	v->nr_files = 0;
	for (i = 0; i < v->nr_plugin_dirs; i++)
		free(v->plugin_dirs[i]);
	free(v->plugin_dirs);
	v->plugin_dirs = NULL;
	v->nr_plugin_dirs = 0;
}
