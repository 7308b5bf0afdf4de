// SPDX-License-Identifier: GPL-2.0-only
/*
 * vista: where did my packet go, and why was it dropped?
 *
 * main() wires the pieces: options and profile, plugins, kernel BTF, the
 * event bus, tracers and sinks; then polls until SIGINT/SIGTERM or
 * --output-limit-lines, and tears everything down in reverse.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>
#include <vista/event.h>
#include "core.h"
#include "kbtf.h"
#include "pcap.h"

#ifndef VISTA_PROFILE_DIR
#define VISTA_PROFILE_DIR "/usr/local/share/vista/profiles"
#endif

#define MAX_INSTANCES	32

struct vista *vista;
volatile sig_atomic_t vista_stop;
static bool listening;

/*
 * The first SIGINT or SIGTERM asks for a clean stop: a write blocked on
 * a slow reader is restarted and completes (SA_RESTART), so no output
 * is lost. The second interrupts such a write: for a reader that has
 * stopped reading, the sinks give up with EINTR and vista still
 * detaches and exits.
 */
static void on_signal(int sig)
{
	struct sigaction sa = { .sa_handler = on_signal };

	vista_stop = 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	/* libbpf's own messages are multi-line and for developers; vista
	 * says what failed in one line. Show them with VISTA_DEBUG=1. */
	if (vlog_level < VISTA_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* One fd per attached target: thousands with fentry or tp_btf clones. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return 0;	/* cannot tell: let the kernel say */
	if (has_cap(data, CAP_SYS_ADMIN))
		return 0;
	if (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))
		return 0;
	err("needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (to load "
	    "BPF programs and name interfaces in other netns): run it with "
	    "sudo");
	return -EPERM;
}

/* A profile by path, or by name among the installed ones. */
/*
 * --profile NAME: a path as given; else NAME(.ini) among the installed
 * profiles, or the source tree's when vista runs from its build tree
 * (those first, as for plugins). NULL (said) if there is none.
 */
static const char *find_profile(const char *arg, char *buf, size_t len)
{
	const char *dirs[] = { NULL, VISTA_PROFILE_DIR };
	size_t i;

	if (strchr(arg, '/') || !access(arg, F_OK))
		return arg;
#ifdef VISTA_SRCDIR
	if (loader_in_build_tree())
		dirs[0] = VISTA_SRCDIR "/profiles";
#endif
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!dirs[i])
			continue;
		snprintf(buf, len, "%s/%s%s", dirs[i], arg,
			 strstr(arg, ".ini") ? "" : ".ini");
		if (!access(buf, F_OK))
			return buf;
	}
	fprintf(stderr, "--profile %s: no such file, and no %s%s among the "
		"profiles in %s%s%s\n", arg, arg,
		strstr(arg, ".ini") ? "" : ".ini", VISTA_PROFILE_DIR,
		dirs[0] ? " or " : "", dirs[0] ? dirs[0] : "");
	return NULL;
}

static bool has_short_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* A profile's section of a kind no loaded row knows: load its plugin, or
 * say which package brings it (the profile reports it at its line). */
static int need_section(struct config *cfg, const char *kind, void *arg,
			char *why, size_t len)
{
	int ret = loader_missing(vista, kind, why, len);

	if (ret)
		return ret;
	return loader_load(vista, kind) ? 0 : -ENOENT;
}

/* A section's plugin; a missing one is named with the package that brings
 * it, at the profile line that asked for it if a profile did. */
static struct plugin_file *section_plugin(const struct config_section *s)
{
	char why[1024];

	if (loader_missing(vista, s->kind, why, sizeof(why)) != -ENOENT)
		return loader_load(vista, s->kind);
	if (s->file)
		fprintf(stderr, "%s:%d: %s\n", s->file, s->line, why);
	else
		err("%s", why);
	return NULL;
}

static int add_instance(const char *section, struct plugin_file *f)
{
	struct instance *inst, ***list;
	size_t *nr;

	if (f->desc->kind == VISTA_PLUGIN_TRACER) {
		list = &vista->tracers;
		nr = &vista->nr_tracers;
	} else {
		list = &vista->sinks;
		nr = &vista->nr_sinks;
	}
	if (!*list)
		*list = calloc(MAX_INSTANCES, sizeof(**list));
	if (!*list || *nr >= MAX_INSTANCES)
		return -ENOMEM;
	/* Tracer ids are 1-based: 0 in an event means "nobody's". */
	inst = instance_new(vista, f, section, *nr + 1);
	if (!inst)
		return -ENOMEM;
	(*list)[(*nr)++] = inst;
	return 0;
}

/*
 * One sink on stdout at most: text and JSON write there unless given a
 * file, pcapng only when asked ("-"); two would interleave their output.
 * Sinks without a "file" option are not judged.
 */
static int check_stdout(void)
{
	const char *first = NULL;
	size_t i;

	for (i = 0; i < vista->nr_sinks; i++) {
		const char *sec = vista->sinks[i]->section;
		const struct config_value *f = config_get(&vista->cfg, sec,
							  "file");
		bool pcapng = !strncmp(sec, "sink.pcapng", 11) &&
			      (!sec[11] || sec[11] == ':');
		bool unset = !f || !f->s || !f->s[0];

		if (!f || !(unset ? !pcapng : !strcmp(f->s, "-")))
			continue;
		if (first) {
			fprintf(stderr, "vista: [%s] and [%s] both write to "
				"stdout: give one of them a file (file = PATH, "
				"--output-file, --pcap-file)\n", first, sec);
			return -EINVAL;
		}
		first = sec;
	}
	return 0;
}

/* One instance per [tracer.X] / [sink.X[:I]] section; text by default. */
static int make_instances(void)
{
	struct config *cfg = &vista->cfg;
	struct plugin_file *f;
	size_t i;
	int ret;

	for (i = 0; i < cfg->nr_sections; i++) {
		struct config_section *s = &cfg->sections[i];

		/* A section only holding values of non-activating flags is
		 * not a request to load its plugin. */
		if (!strcmp(s->kind, "core") || s->source == CONFIG_DEFAULT)
			continue;
		f = section_plugin(s);
		if (!f)
			return -ENOENT;
		ret = add_instance(s->name, f);
		if (ret)
			return ret;
	}
	if (!vista->nr_tracers) {
		fprintf(stderr, "vista: nothing to trace: give "
			"--filter-trace-skb or --filter-skb-drop-stack, or a "
			"profile with a [tracer.NAME] section (see --help)\n");
		return -EINVAL;
	}
	/*
	 * Text unless another event stream is configured: a pcapng capture
	 * comes with the text lines, as in the reference, except when it
	 * takes stdout itself.
	 */
	for (i = 0; i < vista->nr_sinks; i++) {
		const struct config_value *file;

		if (strncmp(vista->sinks[i]->section, "sink.pcapng", 11))
			return check_stdout();
		file = config_get(cfg, vista->sinks[i]->section, "file");
		if (file && file->s && !strcmp(file->s, "-"))
			return check_stdout();
	}
	if (!config_section_add(cfg, "sink.text", CONFIG_DEFAULT))
		return -ENOMEM;
	f = loader_load(vista, "sink.text");
	if (!f)
		return -ENOENT;
	return add_instance("sink.text", f) ?: check_stdout();
}

static int check_not_yet(void)
{
	const struct config_value *v = config_first_not_yet(&vista->cfg);

	if (v) {
		fprintf(stderr, "--%s: not supported yet\n", v->opt->flag ?
			v->opt->flag : v->opt->key);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * The pcap-filter expression (positional, the profile's "filter", or one
 * built from --filter-addr/--filter-port/--filter-protocol), compiled
 * before any plugin opens its BPF object: usage errors come first.
 */
static int setup_pcap(void)
{
	const struct config_value *v = config_get(&vista->cfg, "core",
						  "filter");
	struct vista_filter_cfg fcfg = {};
	char who[4096];
	char *expr;
	int ret;

	ret = filter_tuple_flags(&vista->cfg, &fcfg);
	if (ret)
		return ret;
	ret = pcap_register_sections();
	if (ret) {
		err("cannot register the vista BPF sections with libbpf: %s",
		    strerror(-ret));
		return ret;
	}
	ret = pcap_expression(&vista->cfg, &expr);
	if (ret)
		return ret;
	if (v && v->source == CONFIG_PROFILE && v->file)
		snprintf(who, sizeof(who), "%s:%d: filter", v->file, v->line);
	else
		snprintf(who, sizeof(who), "pcap-filter");
	ret = pcap_set_code(expr, who);
	if (!ret && expr)
		info("pcap-filter: %s", expr);
	free(expr);
	return ret;
}

static int load_kernel_btf(void)
{
	const struct config_value *path, *kmods, *all;
	const char **mods = NULL;
	size_t i;

	path = config_get(&vista->cfg, "core", "kernel-btf");
	kmods = config_get(&vista->cfg, "core", "kmods");
	all = config_get(&vista->cfg, "core", "all-kmods");
	if (kmods && kmods->nr_list) {
		mods = calloc(kmods->nr_list + 1, sizeof(*mods));
		if (!mods)
			return -ENOMEM;
		for (i = 0; i < kmods->nr_list; i++)
			mods[i] = kmods->list[i];
	}
	vista->kbtf = kbtf_load(path && path->s && *path->s ? path->s : NULL,
				mods, all && all->b);
	free(mods);
	return vista->kbtf ? 0 : -errno;
}

static void teardown(void)
{
	size_t i;

	for (i = vista->nr_tracers; i-- > 0;) {
		struct instance *t = vista->tracers[i];

		if (t->attached && t->desc->tracer.detach)
			t->desc->tracer.detach(&t->ctx);
		backend_detach(t);
		t->attached = false;
	}
	if (vista->bus)
		bus_drain(vista->bus);
	for (i = 0; i < vista->nr_sinks; i++) {
		struct instance *s = vista->sinks[i];

		if (s->opened && s->desc->sink.close)
			s->desc->sink.close(&s->ctx);
		s->opened = false;
	}
	for (i = vista->nr_tracers; i-- > 0;) {
		struct instance *t = vista->tracers[i];

		if (t->inited && t->desc->tracer.fini)
			t->desc->tracer.fini(&t->ctx);
		t->inited = false;
	}
}

static void free_all(void)
{
	size_t i;

	for (i = 0; i < vista->nr_tracers; i++)
		instance_free(vista->tracers[i]);
	for (i = 0; i < vista->nr_sinks; i++)
		instance_free(vista->sinks[i]);
	free(vista->tracers);
	free(vista->sinks);
	for (i = 0; i < vista->nr_targets; i++)
		free(vista->targets[i].name);
	free(vista->targets);
	bus_free(vista->bus);
	kbtf_free(vista->kbtf);
	ksyms_free(vista->ksyms);
	netns_cleanup();
	backend_cleanup();
	pcap_cleanup();
	config_free(&vista->cfg);
	loader_unload_all(vista);
}

static int run(void)
{
	struct vista_filter_cfg fcfg;
	const struct config_value *lim, *ring, *track;
	size_t i;
	int ret;

	ret = filter_build(&vista->cfg, &fcfg);
	if (ret)
		return VISTA_EXIT_USAGE;
	if (pcap_expr())
		fcfg.flags |= VISTA_FILTER_PCAP;
	if (fcfg.flags & VISTA_FILTER_NETNS)
		vista->filter_netns = fcfg.netns;
	ring = config_get(&vista->cfg, "core", "ring-size");
	if (!ring || ring->u < 4096 || (ring->u & (ring->u - 1))) {
		fprintf(stderr, "--ring-size: invalid value \"%llu\": not a "
			"power of two of at least 4096\n",
			ring ? (unsigned long long)ring->u : 0ULL);
		return VISTA_EXIT_USAGE;
	}
	ret = load_kernel_btf();
	if (ret)
		return VISTA_EXIT_FAIL;
	dbg("kernel BTF read at %.0f ms", vlog_ms());
	track = config_get(&vista->cfg, "core", "track-size");
	if (!track || !track->u) {
		fprintf(stderr, "--track-size: invalid value \"0\": at least "
			"1 entry\n");
		return VISTA_EXIT_USAGE;
	}
	vista->bus = bus_new(ring->u, (fcfg.flags & VISTA_FILTER_TRACK) ?
				      track->u : 0);
	if (!vista->bus || bus_set_filter(vista->bus, &fcfg, sizeof(fcfg)))
		return VISTA_EXIT_FAIL;

	for (i = 0; i < vista->nr_sinks; i++) {
		struct instance *s = vista->sinks[i];

		ret = s->desc->sink.open ? s->desc->sink.open(&s->ctx) : 0;
		if (ret)
			return VISTA_EXIT_FAIL;
		s->opened = true;
	}
	for (i = 0; i < vista->nr_tracers && !vista_stop; i++) {
		struct instance *t = vista->tracers[i];
		const struct vista_tracer_ops *ops = &t->desc->tracer;

		ret = ops->init ? ops->init(&t->ctx) : 0;
		if (ret)	/* init only reads options: -EINVAL is usage */
			return ret == -EINVAL ? VISTA_EXIT_USAGE
					      : VISTA_EXIT_FAIL;
		t->inited = true;
		ret = ops->load ? ops->load(&t->ctx) : 0;
		if (ret)
			return VISTA_EXIT_FAIL;
		t->loaded = true;
		dbg("%s: loaded at %.0f ms", t->ctx.name, vlog_ms());
		ret = ops->attach ? ops->attach(&t->ctx) : 0;
		t->attached = true;	/* detach whatever part did attach */
		if (ret)
			return vista_stop ? VISTA_EXIT_OK : VISTA_EXIT_FAIL;
		dbg("%s: attached at %.0f ms", t->ctx.name, vlog_ms());
	}
	if (vista_stop)
		return VISTA_EXIT_OK;

	info("listening for events (Ctrl-C to stop)");
	listening = true;
	/* Sinks start their output now (the text sink its header). */
	for (i = 0; i < vista->nr_sinks; i++) {
		struct instance *s = vista->sinks[i];

		if (s->desc->sink.flush && s->desc->sink.flush(&s->ctx))
			return VISTA_EXIT_FAIL;
	}
	lim = config_get(&vista->cfg, "core", "output-limit-lines");
	ret = bus_run(vista->bus, lim && lim->i > 0 ? lim->i : 0);
	return ret ? VISTA_EXIT_FAIL : VISTA_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *dirs[16], *profile = NULL;
	struct sigaction sa = {
		.sa_handler = on_signal, .sa_flags = SA_RESTART,
	};
	static struct vista v;
	char pbuf[4096];
	int ndirs, code;

	vista = &v;
	vlog_ms();	/* the debug log's phase times count from here */
	if (getenv("VISTA_DEBUG"))
		vlog_level = VISTA_LOG_DEBUG;
	libbpf_set_print(libbpf_log);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (config_init(&v.cfg) ||
	    config_add_rows(&v.cfg, vista_core_options, vista_nr_core_options))
		return VISTA_EXIT_FAIL;
	v.cfg.need_section = need_section;

	if (config_has_flag(argc, argv, "help") || has_short_help(argc, argv)) {
		config_print_help(&v.cfg, stdout);
		code = VISTA_EXIT_OK;
		goto out;
	}
	if (config_has_flag(argc, argv, "version")) {
		printf("vista %s (plugin ABI %u.%u)\n", PACKAGE_VERSION,
		       VISTA_ABI_MAJOR, VISTA_ABI_MINOR);
		code = VISTA_EXIT_OK;
		goto out;
	}
	ndirs = config_scan_flag(argc, argv, "plugin-dir", dirs,
				 ARRAY_SIZE(dirs));
	if (ndirs < 0 || loader_default_dirs(&v, dirs, ndirs)) {
		code = VISTA_EXIT_USAGE;
		goto out;
	}
	if (config_has_flag(argc, argv, "list-plugins")) {
		code = loader_list(&v, stdout) ? VISTA_EXIT_FAIL
					       : VISTA_EXIT_OK;
		goto out;
	}
	if (config_scan_flag(argc, argv, "profile", &profile, 1) > 0 &&
	    (!(profile = find_profile(profile, pbuf, sizeof(pbuf))) ||
	     loader_check_trust(profile, "profile") ||
	     config_load_profile(&v.cfg, profile))) {
		code = VISTA_EXIT_USAGE;
		goto out;
	}
	if (config_parse_cli(&v.cfg, argc, argv) || check_not_yet() ||
	    backend_check_option() || setup_pcap()) {
		code = VISTA_EXIT_USAGE;
		goto out;
	}
	code = make_instances();
	if (code) {
		code = code == -EINVAL ? VISTA_EXIT_USAGE : VISTA_EXIT_FAIL;
		goto out;
	}
	if (check_privileges()) {
		code = VISTA_EXIT_FAIL;
		goto out;
	}

	raise_nofile();
	code = run();
	teardown();
	if (listening)
		bus_summary(v.bus, stderr);
out:
	free_all();
	return code;
}
