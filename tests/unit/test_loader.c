// SPDX-License-Identifier: GPL-2.0-only
/*
 * The plugin loader against fixture plugins: a good one, one built for
 * another ABI, one without a descriptor, and unsafe files and directories.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core.h"

static struct vista v;
static char dir[64];

static const char *fixtures(void)
{
	const char *d = getenv("VISTA_TEST_PLUGINS");

	return d ? d : "tests/fixtures/plugins/.libs";
}

static void copy_plugin(const char *name, mode_t mode)
{
	char src[512], dst[512], buf[8192];
	ssize_t n;
	int in, out;

	snprintf(src, sizeof(src), "%s/%s", fixtures(), name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	in = open(src, O_RDONLY);
	cr_assert(in >= 0, "fixture %s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert(write(out, buf, n) == n);
	close(in);
	close(out);
	cr_assert(chmod(dst, mode) == 0);
}

static void setup(void)
{
	const char *dirs[1];

	snprintf(dir, sizeof(dir), "/tmp/vista-loader.XXXXXX");
	cr_assert(mkdtemp(dir));
	cr_assert(chmod(dir, 0755) == 0);
	memset(&v, 0, sizeof(v));
	cr_assert(config_init(&v.cfg) == 0);
	cr_assert(config_add_rows(&v.cfg, vista_core_options,
				  vista_nr_core_options) == 0);
	dirs[0] = dir;
	/* Only the test directory (the default dir does not exist here). */
	cr_assert(loader_default_dirs(&v, dirs, 1) == 0);
	cr_assert_str_eq(v.plugin_dirs[0], dir);
	copy_plugin("tracer_good.so", 0644);
	copy_plugin("tracer_badabi.so", 0644);
	copy_plugin("tracer_newminor.so", 0644);
	copy_plugin("tracer_nosym.so", 0644);
	cr_redirect_stderr();
}

static void teardown(void)
{
	char cmd[128];

	loader_unload_all(&v);
	config_free(&v.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert(system(cmd) == 0);
}

/* Everything written to stderr so far (the pipe is read only once). */
static char *stderr_text(void)
{
	static char buf[8192];
	static size_t len;
	FILE *f = cr_get_redirected_stderr();

	fflush(stderr);
	len += fread(buf + len, 1, sizeof(buf) - 1 - len, f);
	buf[len] = '\0';
	return buf;
}

TestSuite(loader, .init = setup, .fini = teardown);

Test(loader, good_plugin_loads_with_its_options)
{
	struct plugin_file *f = loader_load(&v, "tracer.good");
	const struct config_value *knob;

	cr_assert_not_null(f, "stderr: %s", stderr_text());
	cr_assert_str_eq(f->desc->name, "good");
	cr_assert_str_eq(f->desc->version, "1.2.3");
	cr_assert_eq(f->desc->kind, VISTA_PLUGIN_TRACER);
	/* Its option rows joined the table. */
	knob = config_get(&v.cfg, "tracer.good", "knob");
	cr_assert_not_null(knob);
	/* Loading again gives the same file, not a second dlopen. */
	cr_assert_eq(loader_load(&v, "tracer.good"), f);
	cr_assert_eq(v.nr_files, 1);
}

Test(loader, abi_mismatch_says_what_to_rebuild)
{
	cr_assert_null(loader_load(&v, "tracer.badabi"));
	cr_assert(strstr(stderr_text(), "built for vista plugin ABI 2, this "
				       "vista speaks ABI 1: rebuild the "
				       "plugin against vista"),
		  "stderr: %s", stderr_text());
}

/* Records carry no size: a newer minor could read what we never fill. */
Test(loader, newer_minor_refused)
{
	char want[160];

	cr_assert_null(loader_load(&v, "tracer.newminor"));
	snprintf(want, sizeof(want), "built for vista plugin ABI %d.%d, this "
		 "vista speaks %d.%d: rebuild the plugin against vista",
		 VISTA_ABI_MAJOR, VISTA_ABI_MINOR + 1, VISTA_ABI_MAJOR,
		 VISTA_ABI_MINOR);
	cr_assert(strstr(stderr_text(), want), "stderr: %s", stderr_text());
}

Test(loader, no_descriptor)
{
	cr_assert_null(loader_load(&v, "tracer.nosym"));
	cr_assert(strstr(stderr_text(), "not a vista plugin (no "
				       "'vista_plugin' symbol)"));
}

Test(loader, world_writable_plugin_refused)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tracer_good.so", dir);
	cr_assert(chmod(path, 0666) == 0);
	cr_assert_null(loader_load(&v, "tracer.good"));
	cr_assert(strstr(stderr_text(), "tracer_good.so: refusing plugin: "
				       "world-writable"),
		  "stderr: %s", stderr_text());
}

Test(loader, group_writable_directory_refused)
{
	cr_assert(chmod(dir, 0775) == 0);
	cr_assert_null(loader_load(&v, "tracer.good"));
	cr_assert(strstr(stderr_text(), "refusing plugin: group-writable"),
		  "stderr: %s", stderr_text());
	cr_assert(strstr(stderr_text(), dir));
}

Test(loader, foreign_owner_refused)
{
	char path[512];

	if (geteuid() != 0)
		cr_skip_test("chown needs root");
	snprintf(path, sizeof(path), "%s/tracer_good.so", dir);
	cr_assert(chown(path, 12345, 12345) == 0);
	cr_assert_null(loader_load(&v, "tracer.good"));
	cr_assert(strstr(stderr_text(), "owned by uid 12345, not by root or "
				       "the invoking user"),
		  "stderr: %s", stderr_text());
}

/* The searched directories as the loader names them. */
static const char *dirs_text(void)
{
	static char buf[1024];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v.nr_plugin_dirs; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
			      v.plugin_dirs[i]);
	return buf;
}

/* One line: the section, the file, where it was looked for, and the
 * package that brings it. */
Test(loader, missing_plugin_names_its_package)
{
	char expect[512];

	cr_assert_null(loader_load(&v, "sink.nothere"));
	snprintf(expect, sizeof(expect), "vista: no plugin for [sink.nothere] "
		 "(sink_nothere.so in %s): install vista-sink-nothere\n",
		 dirs_text());
	cr_assert_str_eq(stderr_text(), expect);
}

Test(loader, missing_reports_without_logging)
{
	char why[512], expect[512];

	cr_assert_eq(loader_missing(&v, "tracer.good", why, sizeof(why)), 0);
	cr_assert_eq(loader_missing(&v, "tracer.tcp", why, sizeof(why)),
		     -ENOENT);
	snprintf(expect, sizeof(expect), "no plugin for [tracer.tcp] "
		 "(tracer_tcp.so in %s): install vista-plugin-tcp",
		 dirs_text());
	cr_assert_str_eq(why, expect);
	cr_assert_eq(loader_missing(&v, "core", why, sizeof(why)), -EINVAL);
	/* Nothing was loaded, nothing was said. */
	cr_assert_eq(v.nr_files, 0);
	cr_assert_str_eq(stderr_text(), "");
}

/* Every searched directory is named, in search order. */
Test(loader, missing_names_every_directory)
{
	char why[512], expect[512], sub[128];
	const char *more[] = { sub };

	snprintf(sub, sizeof(sub), "%s/more", dir);
	cr_assert(mkdir(sub, 0755) == 0);
	cr_assert(loader_default_dirs(&v, more, 1) == 0);
	cr_assert_eq(v.nr_plugin_dirs, 3);
	cr_assert_eq(loader_missing(&v, "sink.json", why, sizeof(why)),
		     -ENOENT);
	snprintf(expect, sizeof(expect), "no plugin for [sink.json] "
		 "(sink_json.so in %s, %s, %s): install vista-sink-json", dir,
		 v.plugin_dirs[1], sub);
	cr_assert_str_eq(why, expect);
}

/* --plugin-dir must exist, and no one else may change what is in it. */
Test(loader, plugin_dir_missing_or_unsafe_refused)
{
	char sub[128];
	const char *more[] = { sub };

	snprintf(sub, sizeof(sub), "%s/nothere", dir);
	cr_assert_eq(loader_default_dirs(&v, more, 1), -ENOENT);
	cr_assert(strstr(stderr_text(), "--plugin-dir "),
		  "stderr: %s", stderr_text());
	cr_assert(strstr(stderr_text(), "/nothere: No such file or directory"),
		  "stderr: %s", stderr_text());
	cr_assert(mkdir(sub, 0755) == 0);
	cr_assert(chmod(sub, 0777) == 0);
	cr_assert_eq(loader_default_dirs(&v, more, 1), -EPERM);
	cr_assert(strstr(stderr_text(), "/nothere: refusing --plugin-dir: "
				       "world-writable"),
		  "stderr: %s", stderr_text());
}

/* Too many directories for the line: they are cut, the package is not. */
Test(loader, missing_cuts_directories_not_the_package)
{
	char why[200], more[8][64];
	const char *dirs[8];
	size_t i;

	for (i = 0; i < 8; i++) {
		snprintf(more[i], sizeof(more[i]),
			 "%s/a-rather-long-plugin-directory-%zu", dir, i);
		cr_assert(mkdir(more[i], 0755) == 0);
		dirs[i] = more[i];
	}
	cr_assert(loader_default_dirs(&v, dirs, 8) == 0);
	cr_assert_eq(loader_missing(&v, "tracer.tcp", why, sizeof(why)),
		     -ENOENT);
	cr_assert(strlen(why) < sizeof(why) - 1, "why: %s", why);
	cr_assert(strstr(why, " more): install vista-plugin-tcp") &&
		  !strcmp(why + strlen(why) - 24, "install vista-plugin-tcp"),
		  "why: %s", why);
	cr_assert(!strncmp(why, "no plugin for [tracer.tcp] (tracer_tcp.so "
			   "in ", 41), "why: %s", why);
	/* Not even one directory fits. */
	cr_assert_eq(loader_missing(&v, "tracer.tcp", why, 100), -ENOENT);
	cr_assert_str_eq(why, "no plugin for [tracer.tcp] (tracer_tcp.so in "
			 "10 directories): install vista-plugin-tcp");
}

/* The package name comes by rule, never from a table. */
Test(loader, package_by_rule)
{
	char pkg[64];

	loader_package("tracer.skb", pkg, sizeof(pkg));
	cr_assert_str_eq(pkg, "vista-plugin-skb");
	loader_package("tracer.iptables", pkg, sizeof(pkg));
	cr_assert_str_eq(pkg, "vista-plugin-iptables");
	loader_package("sink.pcapng", pkg, sizeof(pkg));
	cr_assert_str_eq(pkg, "vista-sink-pcapng");
	loader_package("sink.json", pkg, sizeof(pkg));
	cr_assert_str_eq(pkg, "vista-sink-json");
	/* Package names have no '_' and no capitals. */
	loader_package("tracer.My_Proto", pkg, sizeof(pkg));
	cr_assert_str_eq(pkg, "vista-plugin-my-proto");
	/* Cut, still terminated. */
	loader_package("tracer.averyverylongname", pkg, 16);
	cr_assert_str_eq(pkg, "vista-plugin-av");
}

Test(loader, wrong_kind_in_file_refused)
{
	char src[512], dst[512];

	/* A tracer's file renamed to pose as a sink. */
	snprintf(src, sizeof(src), "%s/tracer_good.so", dir);
	snprintf(dst, sizeof(dst), "%s/sink_good.so", dir);
	cr_assert(rename(src, dst) == 0);
	cr_assert_null(loader_load(&v, "sink.good"));
	cr_assert(strstr(stderr_text(), "provides [tracer.good], not "
				       "[sink.good]"));
}

Test(loader, list_shows_good_and_skips_bad)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert(loader_list(&v, f) == 0);
	fclose(f);
	cr_assert(strstr(out, "tracer   good         1.2.3"), "list: %s", out);
	cr_assert_null(strstr(out, "badabi "));
	free(out);
}
