// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for core/config.c and the core option table: the command
 * line, profiles (fixtures in $VISTA_FIXTURES/profiles), CLI > profile >
 * default, error messages word for word, durations and --help.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "config.h"

#ifndef VISTA_FIXTURES_DIR
#define VISTA_FIXTURES_DIR "tests/fixtures"
#endif

static struct config cfg;

static void setup(void)
{
	cr_assert_eq(config_init(&cfg), 0);
	cr_assert_eq(config_add_rows(&cfg, vista_core_options,
				     vista_nr_core_options), 0);
}

static void teardown(void)
{
	config_free(&cfg);
}

TestSuite(config, .init = setup, .fini = teardown);

/* ---- helpers -------------------------------------------------------- */

static const char *fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("VISTA_FIXTURES");

	if (!dir || !*dir)
		dir = VISTA_FIXTURES_DIR;
	snprintf(path, sizeof(path), "%s/profiles/%s", dir, name);
	return path;
}

/* stderr (fd 2, so unbuffered writes too) goes to a file meanwhile. */
struct capture {
	FILE *tmp;
	int saved;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->tmp = tmpfile();
	cr_assert_not_null(c->tmp);
	c->saved = dup(2);
	cr_assert_geq(c->saved, 0);
	cr_assert_geq(dup2(fileno(c->tmp), 2), 0);
}

/* Returns what was written, to be freed. */
static char *capture_end(struct capture *c)
{
	long size;
	char *buf;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	size = ftell(c->tmp);
	cr_assert_geq(size, 0);
	buf = calloc(1, size + 1);
	cr_assert_not_null(buf);
	rewind(c->tmp);
	cr_assert_eq(fread(buf, 1, size, c->tmp), (size_t)size);
	fclose(c->tmp);
	return buf;
}

/* argv is "vista" then the NULL-terminated arguments. */
static int cli_va(struct config *c, va_list ap)
{
	char *argv[64] = { "vista" };
	int argc = 1;
	char *arg;

	while ((arg = va_arg(ap, char *)) != NULL) {
		cr_assert_lt(argc, 63);
		argv[argc++] = arg;
	}
	return config_parse_cli(c, argc, argv);
}

static int cli(struct config *c, ...)
{
	va_list ap;
	int ret;

	va_start(ap, c);
	ret = cli_va(c, ap);
	va_end(ap);
	return ret;
}

/* The CLI must fail with -EINVAL and exactly this on stderr. */
static void cli_fails(const char *expect, ...)
{
	struct capture cap;
	va_list ap;
	char *out;
	int ret;

	capture_start(&cap);
	va_start(ap, expect);
	ret = cli_va(&cfg, ap);
	va_end(ap);
	out = capture_end(&cap);
	cr_expect_eq(ret, -EINVAL, "ret %d for \"%s\"", ret, expect);
	cr_expect_str_eq(out, expect);
	free(out);
}

static int load(const char *name, char **err)
{
	struct capture cap;
	char *out;
	int ret;

	capture_start(&cap);
	ret = config_load_profile(&cfg, fixture(name));
	out = capture_end(&cap);
	if (err)
		*err = out;
	else
		free(out);
	return ret;
}

/* The profile must fail with "FIXTURE:LINE: msg". */
static void profile_fails(const char *name, int line, const char *msg)
{
	char expect[8192];
	char *out;

	snprintf(expect, sizeof(expect), "%s:%d: %s\n", fixture(name), line,
		 msg);
	cr_assert_eq(load(name, &out), -EINVAL, "%s loaded", name);
	cr_expect_str_eq(out, expect);
	free(out);
}

static const struct config_value *get(const char *section, const char *key)
{
	const struct config_value *v = config_get(&cfg, section, key);

	cr_assert_not_null(v, "no option %s in [%s]", key, section);
	return v;
}

/* ---- command line: every type --------------------------------------- */

Test(config, defaults)
{
	const struct config_value *v;

	cr_assert_eq(cli(&cfg, NULL), 0);
	cr_expect_null(cfg.filter);
	v = get("core", "filter-kprobe-batch");
	cr_expect_eq(v->u, 10);
	cr_expect_eq(v->source, CONFIG_DEFAULT);
	cr_expect_eq(get("core", "kprobe-batch")->u, 10);
	cr_expect_eq(get("sink.pcapng", "snaplen")->u, 256);
	cr_expect_str_eq(get("core", "timestamp")->s, "none");
	cr_expect_null(get("core", "kprobe-backend")->s);
	cr_expect_eq(get("core", "filter-port")->u, 0);
	cr_expect_not(get("core", "output-meta")->b);
	v = get("sink.pcapng", "mode");
	cr_assert_eq(v->nr_list, 2);
	cr_expect_str_eq(v->list[0], "entry");
	cr_expect_str_eq(v->list[1], "exit");
	cr_expect_eq(cfg.nr_sections, 0);
	cr_expect_null(config_first_not_yet(&cfg));
}

Test(config, cli_bool)
{
	cr_assert_eq(cli(&cfg, "--output-meta", "--output-tuple=true",
			 "--output-stack=false", "--all-kmods=yes", "-h",
			 NULL), 0);
	cr_expect(get("core", "output-meta")->b);
	cr_expect_eq(get("core", "output-meta")->source, CONFIG_CLI);
	cr_expect(get("core", "output-tuple")->b);
	cr_expect_not(get("core", "output-stack")->b);
	cr_expect_eq(get("core", "output-stack")->source, CONFIG_CLI);
	cr_expect(get("core", "all-kmods")->b);
	cr_expect(get("core", "help")->b);
	cr_expect_not(get("core", "version")->b);
	/* A bool never takes the next argument: it is a positional. */
	cr_assert_eq(cli(&cfg, "--version", "false", NULL), 0);
	cr_expect(get("core", "version")->b);
	cr_expect_str_eq(cfg.filter, "false");
}

Test(config, cli_uint_int)
{
	cr_assert_eq(cli(&cfg, "--filter-port", "443",
			 "--filter-skb-mark=0xffffffff",
			 "--pcap-snaplen=16384", "--output-limit-lines", "4",
			 NULL), 0);
	cr_expect_eq(get("core", "filter-port")->u, 443);
	cr_expect_eq(get("tracer.skb", "mark")->u, 0xffffffffULL);
	cr_expect_eq(get("tracer.skb", "filter-skb-mark")->u, 0xffffffffULL);
	cr_expect_eq(get("sink.pcapng", "snaplen")->u, 16384);
	cr_expect_eq(get("core", "output-limit-lines")->i, 4);
	cr_expect_eq(get("core", "output-limit-lines")->source, CONFIG_CLI);
}

Test(config, cli_string_enum_duration)
{
	cr_assert_eq(cli(&cfg, "--filter-addr", "10.0.0.1",
			 "--timestamp=relative", "--kprobe-backend",
			 "kprobe-multi", "--filter-protocol", "icmp6",
			 "--filter-tcp-lifetime", "1m30s", "--kernel-btf=",
			 NULL), 0);
	cr_expect_str_eq(get("core", "filter-addr")->s, "10.0.0.1");
	cr_expect_str_eq(get("core", "timestamp")->s, "relative");
	cr_expect_str_eq(get("core", "backend")->s, "kprobe-multi");
	cr_expect_str_eq(get("core", "filter-protocol")->s, "icmp6");
	cr_expect_eq(get("tracer.tcp", "lifetime")->u, 90000000000ULL);
	cr_expect_str_eq(get("core", "kernel-btf")->s, "");
	/* Empty means "auto" for an enum without a default. */
	cr_assert_eq(cli(&cfg, "--filter-protocol=", NULL), 0);
	cr_expect_null(get("core", "filter-protocol")->s);
}

Test(config, cli_strings_append)
{
	const struct config_value *v;

	cr_assert_eq(cli(&cfg, "--kmods", "nf_tables, nf_nat", "--kmods=br",
			 "--pcap-mode", "exit", "--plugin-dir", "/a",
			 "--plugin-dir=/b,/c", NULL), 0);
	v = get("core", "kmods");
	cr_assert_eq(v->nr_list, 3);
	cr_expect_str_eq(v->list[0], "nf_tables");
	cr_expect_str_eq(v->list[1], "nf_nat");
	cr_expect_str_eq(v->list[2], "br");
	v = get("sink.pcapng", "mode");
	cr_assert_eq(v->nr_list, 1);
	cr_expect_str_eq(v->list[0], "exit");
	v = get("core", "plugin-dir");
	cr_assert_eq(v->nr_list, 3);
	cr_expect_str_eq(v->list[2], "/c");
}

Test(config, cli_positional)
{
	cr_assert_eq(cli(&cfg, "icmp", "--output-meta", "and", "host",
			 "1.2.3.4", "--", "--not-a-flag", "-", NULL), 0);
	cr_expect_str_eq(cfg.filter, "icmp and host 1.2.3.4 --not-a-flag -");
	cr_expect_str_eq(get("core", "filter")->s, cfg.filter);
	cr_expect(get("core", "output-meta")->b);
}

Test(config, cli_value_may_look_like_a_flag)
{
	cr_assert_eq(cli(&cfg, "--filter-ifname", "--odd", "--profile",
			 "p.ini", NULL), 0);
	cr_expect_str_eq(get("core", "filter-ifname")->s, "--odd");
	cr_expect_str_eq(get("core", "profile")->s, "p.ini");
}

Test(config, cli_last_wins)
{
	cr_assert_eq(cli(&cfg, "--filter-port", "1", "--filter-port=2",
			 NULL), 0);
	cr_expect_eq(get("core", "filter-port")->u, 2);
}

Test(config, cli_activates_sections)
{
	struct config_section *sec;

	cr_assert_eq(cli(&cfg, "--filter-skb-mark", "5", "--output-sk",
			 "--filter-trace-tc=false", NULL), 0);
	/* Values live in the section, but nothing asked for the plugin. */
	sec = config_section(&cfg, "tracer.skb");
	cr_assert_not_null(sec);
	cr_expect_eq(sec->source, CONFIG_DEFAULT);
	cr_expect_eq(config_section(&cfg, "tracer.sk")->source,
		     CONFIG_DEFAULT);
	cr_expect_eq(config_section(&cfg, "tracer.tcxdp")->source,
		     CONFIG_DEFAULT);

	cr_assert_eq(cli(&cfg, "--filter-trace-skb", "--output-file",
			 "/tmp/x", "--pcap-file=/tmp/y.pcapng", NULL), 0);
	cr_expect_eq(config_section(&cfg, "tracer.skb")->source, CONFIG_CLI);
	sec = config_section(&cfg, "sink.text");
	cr_assert_not_null(sec);
	cr_expect_eq(sec->source, CONFIG_CLI);
	cr_expect_str_eq(sec->kind, "sink.text");
	cr_expect_null(sec->instance);
	cr_expect_eq(config_section(&cfg, "sink.pcapng")->source, CONFIG_CLI);
	cr_expect_str_eq(get("sink.text", "file")->s, "/tmp/x");
}

/* ---- command line: errors ------------------------------------------- */

Test(config, cli_unknown_flag)
{
	cli_fails("vista: unknown flag: --nope\n", "--nope", NULL);
	cli_fails("vista: unknown flag: --nope\n", "--nope=1", NULL);
	cli_fails("vista: unknown flag: -x\n", "-x", NULL);
	cli_fails("vista: unknown flag: -hx\n", "-hx", NULL);
	/* INI-only keys are no flags. */
	cli_fails("vista: unknown flag: --filter\n", "--filter", "x", NULL);
}

/* What the user typed is echoed on one line, control characters escaped
 * (found by tests/fuzz/fuzz_cli: a newline in a flag split the error). */
Test(config, cli_error_escapes_control_characters)
{
	cli_fails("vista: unknown flag: --output-m\\neta\n",
		  "--output-m\neta", NULL);
	cli_fails("--filter-port: invalid value \"8\\t0\\x1b[2J\": not a number\n",
		  "--filter-port", "8\t0\x1b[2J", NULL);
}

Test(config, cli_needs_value)
{
	cli_fails("--filter-port: needs a value\n", "--filter-port", NULL);
	cli_fails("--kmods: needs a value\n", "--output-meta", "--kmods",
		  NULL);
}

Test(config, cli_bad_uint)
{
	cli_fails("--filter-port: invalid value \"65536\": out of range (max 65535)\n",
		  "--filter-port", "65536", NULL);
	cli_fails("--filter-port: invalid value \"-1\": negative\n",
		  "--filter-port=-1", NULL);
	cli_fails("--filter-port: invalid value \"80x\": not a number\n",
		  "--filter-port", "80x", NULL);
	cli_fails("--filter-port: invalid value \"\": not a number\n",
		  "--filter-port=", NULL);
	cli_fails("--filter-skb-mark: invalid value \"0x100000000\": out of range (max 4294967295)\n",
		  "--filter-skb-mark", "0x100000000", NULL);
	cli_fails("--filter-kprobe-batch: invalid value \"99999999999999999999\": out of range (max 18446744073709551615)\n",
		  "--filter-kprobe-batch", "99999999999999999999", NULL);
}

Test(config, cli_bad_int_bool)
{
	cli_fails("--output-limit-lines: invalid value \"-3\": negative\n",
		  "--output-limit-lines", "-3", NULL);
	cli_fails("--output-limit-lines: invalid value \"many\": not a number\n",
		  "--output-limit-lines", "many", NULL);
	cli_fails("--output-meta: invalid value \"maybe\": not a boolean (true or false)\n",
		  "--output-meta=maybe", NULL);
}

Test(config, cli_bad_enum_duration_strings)
{
	cli_fails("--timestamp: invalid value \"utc\": not one of none|relative|absolute\n",
		  "--timestamp", "utc", NULL);
	cli_fails("--filter-protocol: invalid value \"sctp\": not one of tcp|udp|icmp|icmp6\n",
		  "--filter-protocol=sctp", NULL);
	cli_fails("--filter-tcp-lifetime: invalid value \"10\": not a duration (e.g. 100ms, 1s, 1m)\n",
		  "--filter-tcp-lifetime", "10", NULL);
	cli_fails("--filter-tcp-lifetime: invalid value \"-1s\": negative\n",
		  "--filter-tcp-lifetime", "-1s", NULL);
	cli_fails("--filter-tcp-lifetime: invalid value \"9999999999h\": out of range\n",
		  "--filter-tcp-lifetime", "9999999999h", NULL);
	cli_fails("--pcap-mode: invalid value \"entry,both\": not one of entry|exit\n",
		  "--pcap-mode", "entry,both", NULL);
}

Test(config, cli_error_keeps_earlier_values)
{
	cli_fails("vista: unknown flag: --bad\n", "--filter-port", "7",
		  "--bad", NULL);
	cr_expect_eq(get("core", "filter-port")->u, 7);
}

/* ---- profiles ------------------------------------------------------- */

Test(config, profile_good)
{
	struct config_section *sec;
	const struct config_value *v;

	cr_assert_eq(load("good.ini", NULL), 0);
	cr_assert_str_eq(cfg.profile_path, fixture("good.ini"));

	v = get("core", "filter-port");
	cr_expect_eq(v->u, 53);
	cr_expect_eq(v->source, CONFIG_PROFILE);
	cr_expect_str_eq(v->file, cfg.profile_path);
	cr_expect_eq(v->line, 3);
	cr_expect_str_eq(get("core", "timestamp")->s, "absolute");
	cr_expect(get("core", "output-meta")->b);
	cr_expect_eq(get("core", "output-meta")->line, 5);
	v = get("core", "kmods");
	cr_assert_eq(v->nr_list, 3);
	cr_expect_str_eq(v->list[0], "nf_tables");
	cr_expect_str_eq(v->list[1], "nf_conntrack");
	cr_expect_str_eq(v->list[2], "bridge");
	cr_expect_str_eq(get("core", "kprobe-backend")->s, "fentry");
	cr_expect_str_eq(cfg.filter, "udp port 53");
	cr_expect_eq(get("core", "output-limit-lines")->i, 100);

	cr_expect(get("tracer.skb", "trace")->b);
	cr_expect_str_eq(get("tracer.skb", "func")->s, "ip_rcv.*");
	cr_expect_eq(get("tracer.skb", "mark")->u, 0x10);
	cr_expect_str_eq(get("sink.text", "file")->s, "/tmp/vista.txt");

	/* An empty plugin section is recorded too. */
	sec = config_section(&cfg, "tracer.tcxdp");
	cr_assert_not_null(sec);
	cr_expect_eq(sec->source, CONFIG_PROFILE);
	cr_expect_eq(sec->line, 17);
	cr_expect_eq(sec->nr_values, 0);
	cr_expect_eq(config_section(&cfg, "tracer.skb")->line, 12);
	cr_expect_null(config_section(&cfg, "tracer.sk"));
	cr_expect_null(config_first_not_yet(&cfg));
}

Test(config, precedence_cli_profile_default)
{
	const struct config_value *v;

	cr_assert_eq(load("good.ini", NULL), 0);
	cr_assert_eq(cli(&cfg, "--filter-port", "80", "--kmods", "veth",
			 "tcp", NULL), 0);
	v = get("core", "filter-port");
	cr_expect_eq(v->u, 80);
	cr_expect_eq(v->source, CONFIG_CLI);
	cr_expect_null(v->file);
	v = get("core", "timestamp");
	cr_expect_str_eq(v->s, "absolute");
	cr_expect_eq(v->source, CONFIG_PROFILE);
	v = get("core", "filter-kprobe-batch");
	cr_expect_eq(v->u, 10);
	cr_expect_eq(v->source, CONFIG_DEFAULT);
	/* The command line replaces a profile's list, not appends to it. */
	v = get("core", "kmods");
	cr_assert_eq(v->nr_list, 1);
	cr_expect_str_eq(v->list[0], "veth");
	cr_expect_str_eq(cfg.filter, "tcp");
}

Test(config, precedence_profile_after_cli)
{
	cr_assert_eq(cli(&cfg, "--filter-port", "80", "--kmods", "veth",
			 "tcp", NULL), 0);
	cr_assert_eq(load("good.ini", NULL), 0);
	cr_expect_eq(get("core", "filter-port")->u, 80);
	cr_expect_eq(get("core", "filter-port")->source, CONFIG_CLI);
	cr_expect_eq(get("core", "kmods")->nr_list, 1);
	cr_expect_str_eq(get("core", "timestamp")->s, "absolute");
	cr_expect_str_eq(cfg.filter, "tcp");
}

Test(config, profile_unknown_key)
{
	profile_fails("unknown-key.ini", 4,
		      "unknown key 'no-such-key' in [core]");
}

Test(config, profile_unknown_section)
{
	profile_fails("unknown-section.ini", 4, "unknown section [tracer.nope]");
}

Test(config, profile_bad_value)
{
	profile_fails("bad-value.ini", 4,
		      "snaplen: invalid value \"70000\": out of range (max 16384)");
}

Test(config, profile_long_line)
{
	profile_fails("long-line.ini", 3, "line too long (max 197 characters)");
}

Test(config, profile_duplicates)
{
	profile_fails("dup-section.ini", 4,
		      "duplicate section [core] (first at line 1)");
	config_free(&cfg);
	setup();
	profile_fails("dup-key.ini", 3,
		      "duplicate key 'timestamp' in [core] (first at line 2)");
}

Test(config, profile_syntax)
{
	profile_fails("syntax.ini", 2, "syntax error");
}

Test(config, profile_key_outside_section)
{
	profile_fails("outside.ini", 1,
		      "key 'output-meta' is outside of any section");
}

Test(config, profile_instance_on_tracer)
{
	profile_fails("tracer-instance.ini", 2,
		      "only sink sections take an instance name: [tracer.skb:two]");
}

Test(config, profile_unreadable)
{
	char expect[8192];
	char *out;

	snprintf(expect, sizeof(expect), "%s: No such file or directory\n",
		 fixture("missing.ini"));
	cr_assert_eq(load("missing.ini", &out), -EINVAL);
	cr_expect_str_eq(out, expect);
	free(out);
}

Test(config, profile_cli_only_and_flag_keys)
{
	char path[] = "/tmp/vista-test-XXXXXX";
	struct capture cap;
	char expect[256];
	char *out;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	/* The core takes INI keys only; plugin sections take flags too. */
	fputs("[tracer.skb]\nfilter-skb-func = x\noutput-skb = on\n"
	      "[core]\nkprobe-backend = kprobe\n", f);
	fclose(f);

	capture_start(&cap);
	cr_expect_eq(config_load_profile(&cfg, path), -EINVAL);
	out = capture_end(&cap);
	unlink(path);
	snprintf(expect, sizeof(expect),
		 "%s:5: unknown key 'kprobe-backend' in [core]\n", path);
	cr_expect_str_eq(out, expect);
	free(out);
	cr_expect_str_eq(get("tracer.skb", "func")->s, "x");
	cr_expect(get("tracer.skb", "output-skb")->b);
}

Test(config, profile_only_one)
{
	char *out;

	cr_assert_eq(load("good.ini", NULL), 0);
	cr_expect_eq(load("good.ini", &out), -EINVAL);
	cr_expect_neq(strstr(out, "only one profile"), NULL);
	free(out);
}

Test(config, sink_instances)
{
	struct config_section *sec;
	const struct config_value *v;

	cr_assert_eq(load("instances.ini", NULL), 0);
	sec = config_section(&cfg, "sink.text:audit");
	cr_assert_not_null(sec);
	cr_expect_str_eq(sec->kind, "sink.text");
	cr_expect_str_eq(sec->instance, "audit");
	cr_expect_eq(sec->source, CONFIG_PROFILE);
	cr_expect_str_eq(get("sink.text:audit", "file")->s, "/tmp/audit.txt");
	cr_expect_str_eq(get("sink.text", "file")->s, "/tmp/main.txt");

	/* The CLI sets the default instance only. */
	cr_assert_eq(cli(&cfg, "--output-file", "/tmp/cli.txt", NULL), 0);
	cr_expect_str_eq(get("sink.text", "output-file")->s, "/tmp/cli.txt");
	v = get("sink.text:audit", "file");
	cr_expect_str_eq(v->s, "/tmp/audit.txt");
	cr_expect_eq(v->line, 5);
	/* Unset in an instance: the default, not the other instance. */
	cr_expect_null(get("sink.text:other", "file")->s);
}

static const struct vista_option fancy_rows[] = {
	{
		.flag = "fancy-file", .section = "sink.fancy", .key = "file",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "write fancy records to file",
	},
	{
		.section = "sink.fancy", .key = "pretty",
		.type = VISTA_OPT_BOOL, .help = "indent",
	},
};

static int need_calls;

static int need_fancy(struct config *c, const char *kind, void *arg,
		      char *why, size_t len)
{
	cr_expect_eq(arg, &need_calls);
	cr_expect_str_eq(kind, "sink.fancy");
	need_calls++;
	return config_add_rows(c, fancy_rows, 2);
}

/* A plugin that cannot be loaded, already reported: no reason given. */
static int need_nothing(struct config *c, const char *kind, void *arg,
			char *why, size_t len)
{
	need_calls++;
	return -ENOENT;
}

/* A plugin that is not installed: the reason names the package. */
static int need_package(struct config *c, const char *kind, void *arg,
			char *why, size_t len)
{
	need_calls++;
	snprintf(why, len, "no plugin for [%s]: install vista-sink-fancy",
		 kind);
	return -ENOENT;
}

Test(config, profile_loads_plugin_rows)
{
	cfg.need_section = need_fancy;
	cfg.need_arg = &need_calls;
	cr_assert_eq(load("plugin.ini", NULL), 0);
	cr_expect_eq(need_calls, 1);
	cr_expect_str_eq(get("sink.fancy:audit", "file")->s, "/tmp/audit.fancy");
	cr_expect(get("sink.fancy:audit", "pretty")->b);
	cr_expect(get("core", "output-meta")->b);
}

Test(config, profile_plugin_not_found)
{
	cfg.need_section = need_nothing;
	profile_fails("plugin.ini", 4, "unknown section [sink.fancy:audit]");
	cr_expect_eq(need_calls, 1);
}

/* The loader's reason replaces "unknown section", at the section's line. */
Test(config, profile_plugin_not_installed)
{
	cfg.need_section = need_package;
	profile_fails("plugin.ini", 4,
		      "no plugin for [sink.fancy]: install vista-sink-fancy");
	cr_expect_eq(need_calls, 1);
}

/* Rows a plugin marks as accepted but not supported yet. */
static const struct vista_option not_yet_rows[] = {
	{
		.flag = "frob-a", .section = "sink.pcapng", .key = "frob-a",
		.type = VISTA_OPT_STRINGS, .metavar = "strings",
		.help = "not yet", .flags = VISTA_OPTF_NOT_YET,
	},
	{
		.flag = "frob-b", .section = "core", .key = "frob-b",
		.type = VISTA_OPT_BOOL, .help = "not yet either",
		.flags = VISTA_OPTF_NOT_YET,
	},
};

Test(config, not_yet)
{
	const struct config_value *v;

	cr_assert_eq(config_add_rows(&cfg, not_yet_rows, 2), 0);
	cr_assert_eq(load("not-yet.ini", NULL), 0);
	v = config_first_not_yet(&cfg);
	cr_assert_not_null(v);
	cr_expect_str_eq(v->opt->flag, "frob-a");
	cr_expect_eq(v->line, 3);

	/* Rows come first in table order: frob-a wins over frob-b. */
	cr_assert_eq(cli(&cfg, "--frob-b", NULL), 0);
	v = config_first_not_yet(&cfg);
	cr_assert_not_null(v);
	cr_expect_str_eq(v->opt->flag, "frob-a");
	cr_expect_eq(v->source, CONFIG_PROFILE);
}

Test(config, not_yet_flags)
{
	/* Every flag of the reference works now. */
	static const char *const not_yet[] = { NULL };
	static const char *const activates[] = {
		"filter-trace-skb", "filter-skb-drop-stack", "filter-trace-sk",
		"filter-trace-iptables", "filter-trace-tcp", "filter-trace-tc",
		"filter-trace-xdp", "output-file", "output-json", "pcap-file",
	};
	size_t i, j, nr_ny = 0, nr_act = 0;

	for (i = 0; i < vista_nr_core_options; i++) {
		const struct vista_option *o = &vista_core_options[i];
		bool ny = false, act = false;

		for (j = 0; not_yet[j]; j++)
			ny |= o->flag && !strcmp(o->flag, not_yet[j]);
		for (j = 0; j < sizeof(activates) / sizeof(*activates); j++)
			act |= o->flag && !strcmp(o->flag, activates[j]);
		cr_expect_eq(!!(o->flags & VISTA_OPTF_NOT_YET), ny, "%s",
			     o->flag);
		cr_expect_eq(!!(o->flags & VISTA_OPTF_ACTIVATES), act, "%s",
			     o->flag);
		nr_ny += ny;
		nr_act += act;
	}
	cr_expect_eq(nr_ny, 0);
	cr_expect_eq(nr_act, sizeof(activates) / sizeof(*activates));
}

/* ---- lookups and rows ----------------------------------------------- */

Test(config, get_fallbacks)
{
	cr_assert_eq(cli(&cfg, "--output-meta", "--filter-skb-func", "f",
			 NULL), 0);
	/* A plugin asking for a core flag gets the core's value. */
	cr_expect(get("tracer.skb", "output-meta")->b);
	cr_expect_str_eq(get("tracer.skb", "filter-skb-func")->s, "f");
	cr_expect_str_eq(get("tracer.skb", "func")->s, "f");
	cr_expect_null(config_get(&cfg, "tracer.skb", "nope"));
	cr_expect_null(config_get(&cfg, "core", "func"));
}

Test(config, add_rows_duplicates)
{
	static const struct vista_option dup_flag = {
		.flag = "output-meta", .section = "tracer.x", .key = "m",
		.type = VISTA_OPT_BOOL,
	};
	static const struct vista_option dup_key = {
		.flag = "x-trace", .section = "tracer.skb", .key = "trace",
		.type = VISTA_OPT_BOOL,
	};
	static const struct vista_option bad_def = {
		.flag = "x-n", .section = "tracer.x", .key = "n",
		.type = VISTA_OPT_UINT, .max = 9, .def = "10",
	};
	struct capture cap;
	size_t nr = cfg.nr_rows;
	char *out;

	capture_start(&cap);
	cr_expect_eq(config_add_rows(&cfg, &dup_flag, 1), -EEXIST);
	cr_expect_eq(config_add_rows(&cfg, &dup_key, 1), -EEXIST);
	cr_expect_eq(config_add_rows(&cfg, &bad_def, 1), -EINVAL);
	out = capture_end(&cap);
	cr_expect_str_eq(out,
			 "vista: duplicate option --output-meta\n"
			 "vista: duplicate option trace in [tracer.skb]\n"
			 "vista: --x-n: invalid default \"10\": out of range (max 9)\n");
	free(out);
	cr_expect_eq(cfg.nr_rows, nr);
}

Test(config, scan_flags)
{
	char *argv[] = { "vista", "--profile", "a.ini", "--output-meta",
			 "--profile=b.ini", "--list-plugins=false", "-h",
			 "--profile", "c.ini", "--", "--version", NULL };
	int argc = sizeof(argv) / sizeof(*argv) - 1;
	const char *out[2] = { NULL, NULL };

	cr_expect_eq(config_scan_flag(argc, argv, "profile", out, 2), 3);
	cr_expect_str_eq(out[0], "a.ini");
	cr_expect_str_eq(out[1], "b.ini");
	cr_expect_eq(config_scan_flag(argc, argv, "--profile", out, 1), 3);
	cr_expect_eq(config_scan_flag(argc, argv, "plugin-dir", out, 2), 0);
	cr_expect(config_has_flag(argc, argv, "output-meta"));
	cr_expect(config_has_flag(argc, argv, "-h"));
	cr_expect_not(config_has_flag(argc, argv, "list-plugins"));
	cr_expect_not(config_has_flag(argc, argv, "version"));
	cr_expect_not(config_has_flag(argc, argv, "output"));
}

/* ---- durations ------------------------------------------------------ */

Test(config, durations)
{
	static const struct {
		const char *text;
		int ret;
		__u64 ns;
	} t[] = {
		{ "0", 0, 0 },
		{ "0s", 0, 0 },
		{ "10ns", 0, 10 },
		{ "250us", 0, 250000 },
		{ "250\u00b5s", 0, 250000 },
		{ "3\u03bcs", 0, 3000 },
		{ "100ms", 0, 100000000 },
		{ "1s", 0, 1000000000 },
		{ "1.5s", 0, 1500000000 },
		{ ".5s", 0, 500000000 },
		{ "2.s", 0, 2000000000 },
		{ "1m", 0, 60000000000ULL },
		{ "1h30m", 0, 5400000000000ULL },
		{ "1h0.5m1s", 0, 3631000000000ULL },
		{ "2562047h47m16.854775807s", 0, 9223372036854775807ULL },
		{ "2562047h47m16.854775808s", -ERANGE, 0 },
		{ "9223372036854775808ns", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "1", -EINVAL, 0 },
		{ "s", -EINVAL, 0 },
		{ ".s", -EINVAL, 0 },
		{ "1d", -EINVAL, 0 },
		{ "1.2.3s", -EINVAL, 0 },
		{ "-1s", -EINVAL, 0 },
		{ " 1s", -EINVAL, 0 },
		{ "1s ", -EINVAL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		__u64 ns = 12345;
		int ret = config_parse_duration(t[i].text, &ns);

		cr_expect_eq(ret, t[i].ret, "\"%s\": ret %d", t[i].text, ret);
		if (!t[i].ret)
			cr_expect_eq(ns, t[i].ns, "\"%s\": %llu ns", t[i].text,
				     (unsigned long long)ns);
	}
}

/* ---- --help --------------------------------------------------------- */

/* The reference --help, flag column and help text (the spec). */
static const struct {
	const char *flag;
	const char *help;
} reference[] = {
	{ "--all-kmods", "attach to all available kernel modules" },
	{ "--filter-addr string", "filter IP address" },
	{ "--filter-ifname string", "filter skb ifname in --filter-netns (if not specified, use current netns)" },
	{ "--filter-kprobe-batch uint", "batch size for kprobe attaching/detaching (default 10)" },
	{ "--filter-netns string", "filter netns (\"/proc/<pid>/ns/net\", \"inode:<inode>\")" },
	{ "--filter-port uint16", "filter port" },
	{ "--filter-protocol string", "filter protocol, tcp, udp, icmp, empty for any" },
	{ "--filter-sk-func string", "filter kernel sk functions to be probed by name (whole-name match, POSIX extended regular expression)" },
	{ "--filter-sk-mark uint32", "filter sk mark" },
	{ "--filter-skb-drop-stack", "trace kfree_skb and print skb drop stack" },
	{ "--filter-skb-func string", "filter kernel skb functions to be probed by name (whole-name match, POSIX extended regular expression)" },
	{ "--filter-skb-mark uint32", "filter skb mark" },
	{ "--filter-tcp-lifetime duration", "filter TCP lifetime greater than or equal to the given duration (e.g., 100ms, 1s, 1m)" },
	{ "--filter-trace-iptables", "trace iptables" },
	{ "--filter-trace-sk", "trace sock" },
	{ "--filter-trace-skb", "trace skb" },
	{ "--filter-trace-tc", "trace TC bpf progs" },
	{ "--filter-trace-tcp", "trace tcp socket lifetime" },
	{ "--filter-trace-xdp", "trace XDP bpf progs" },
	{ "--filter-track-skb", "trace a packet even if it does not match given filters (e.g., after NAT or tunnel decapsulation)" },
	{ "-h, --help", "display this message and exit" },
	{ "--kernel-btf string", "specify kernel BTF file" },
	{ "--kmods strings", "list of kernel modules names to attach to" },
	{ "--kprobe-backend string", "Tracing backend('kprobe', 'kprobe-multi', 'fentry', 'tracepoint'). Will auto-detect if not specified." },
	{ "--output-file string", "write traces to file" },
	{ "--output-iptables", "print iptables" },
	{ "--output-limit-lines int", "exit the program after the number of events has been received/printed" },
	{ "--output-meta", "print skb metadata" },
	{ "--output-sk", "print sock" },
	{ "--output-skb", "print skb" },
	{ "--output-stack", "print stack" },
	{ "--output-tcp", "print TCP" },
	{ "--output-tuple", "print L4 tuple" },
	{ "--pcap-file string", "write packets to pcap file, only work with --filter-trace-xdp/--filter-trace-tc" },
	{ "--pcap-mode strings", "pcap mode, can be 'entry' and/or 'exit', only work with --pcap-file. Default is 'entry' and 'exit'. 'entry' is to capture packet before BPF prog, 'exit' is to capture packet after BPF prog." },
	{ "--pcap-snaplen uint16", "snapture length of packet for pcap (default 256)" },
	{ "--timestamp string", "print timestamp per event (\"relative\", \"absolute\", \"none\") (default \"none\")" },
	{ "--version", "show vista version and exit" },
};

Test(config, help)
{
	static const char head[] =
		"Usage: vista [options] [pcap-filter]\n"
		"    Available pcap-filter: see \"man 7 pcap-filter\"\n"
		"    Available options:\n";
	const char *p, *prev = NULL;
	size_t size, i;
	char *text;
	FILE *f;
	long col = -1;

	f = open_memstream(&text, &size);
	cr_assert_not_null(f);
	config_print_help(&cfg, f);
	fclose(f);

	cr_expect_eq(strncmp(text, head, strlen(head)), 0, "%s", text);
	for (i = 0; i < sizeof(reference) / sizeof(*reference); i++) {
		char want[512];
		const char *line, *h;

		/* "\n" + flag column, as pflag indents it. */
		snprintf(want, sizeof(want), "\n%s%s ",
			 reference[i].flag[1] == '-' ? "      " : "  ",
			 reference[i].flag);
		line = strstr(text, want);
		cr_assert_not_null(line, "no line for %s", reference[i].flag);
		line++;
		cr_expect_gt(line, prev, "%s out of order", reference[i].flag);
		prev = line;
		h = line + strlen(want) - 1;
		while (*h == ' ')
			h++;
		/* Every help text starts in one column. */
		if (col < 0)
			col = h - line;
		cr_expect_eq(h - line, col, "%s", reference[i].flag);
		cr_expect_eq(strncmp(h, reference[i].help,
				     strlen(reference[i].help)), 0,
			     "%s: %.*s", reference[i].flag,
			     (int)strcspn(h, "\n"), h);
		/* Nothing added after the help unless it is a default. */
		p = h + strlen(reference[i].help);
		cr_expect(*p == '\n' || !strncmp(p, " (default ", 10),
			  "%s: extra text", reference[i].flag);
	}
	/* pflag: help 3 columns past the longest flag column. */
	cr_expect_eq(col, (long)strlen("      --filter-tcp-lifetime duration   "));
	cr_expect_neq(strstr(text, "\n      --profile file "), NULL);
	cr_expect_neq(strstr(text, "\n      --plugin-dir dir "), NULL);
	cr_expect_neq(strstr(text, "\n      --list-plugins "), NULL);
	/* INI-only rows have no flag to show. */
	cr_expect_null(strstr(text, "--filter "));
	free(text);
}
