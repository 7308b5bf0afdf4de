// SPDX-License-Identifier: GPL-2.0-only
/*
 * gendoc: the man pages and the bash completion, from their templates and
 * the option table (core/options.c), at build time, so that they list
 * exactly the flags, keys, types, defaults and choices that --help, the
 * command line and the profile parser know.
 *
 *   gendoc TEMPLATE > OUTPUT
 *
 * copies TEMPLATE, replacing @VERSION@, @PLUGINDIR@ and @PROFILEDIR@, and
 * a line that is only one of these directives:
 *
 *   @OPTIONS@  the OPTIONS of vista(8): every row with a flag, by section
 *   @KEYS@     the keys of vista.ini(5): every row with a key, by section
 *   @BASH@     the flags and their values, as shell code for completion
 *
 * A build-time program rather than a hidden "vista --dump-options" mode:
 * the shipped binary keeps exactly the flags of its table (a hidden flag
 * would live outside it, or show up in --help and in this very page), and
 * generating the pages needs neither libbpf, libelf nor libpcap at run
 * time. It registers the rows with config_add_rows() like vista does, so a
 * table vista would refuse (a duplicate, a bad default) fails the build.
 * (Cross builds would need it built for the build machine: BPF_ARCH is
 * x86 only today, so this is not handled.)
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#ifndef VISTA_PLUGIN_DIR
#define VISTA_PLUGIN_DIR "/usr/local/lib/vista"
#endif
#ifndef VISTA_PROFILE_DIR
#define VISTA_PROFILE_DIR "/usr/local/share/vista/profiles"
#endif

static const struct vista_option **gd_rows;
static size_t gd_nr_rows;
static bool gd_troff;	/* escape substituted text for troff */

/* ---- troff ------------------------------------------------------------ */

/*
 * Text for a troff line: backslashes and minus signs escaped (so that
 * "--flag" renders as ASCII hyphen-minus and can be copied), and a line
 * that would start with a control character made literal.
 */
static void tr_text(FILE *out, const char *s, bool line_start)
{
	if (line_start && (*s == '.' || *s == '\''))
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void tr_bold(FILE *out, const char *prefix, const char *s)
{
	fputs("\\fB", out);
	tr_text(out, prefix, false);
	tr_text(out, s, false);
	fputs("\\fR", out);
}

/* "a|b|c" as "\fBa\fR, \fBb\fR, \fBc\fR" */
static void tr_choices(FILE *out, const char *choices)
{
	const char *p = choices;
	char item[128];

	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		tr_bold(out, "", item);
		p = bar ? bar + 1 : NULL;
		if (p)
			fputs(", ", out);
	}
}

/* ---- rows ------------------------------------------------------------- */

static int section_rank(const char *section)
{
	if (!strcmp(section, "core"))
		return 0;
	if (!strncmp(section, "tracer.", 7))
		return 1;
	return 2;
}

/* Core first, then the tracers, then the sinks, each kind by name. */
static int section_cmp(const struct vista_option *x,
		       const struct vista_option *y)
{
	int d = section_rank(x->section) - section_rank(y->section);

	return d ? d : strcmp(x->section, y->section);
}

/* Rows with a flag, by section then flag. */
static int row_cmp(const void *a, const void *b)
{
	const struct vista_option *x = *(const struct vista_option **)a;
	const struct vista_option *y = *(const struct vista_option **)b;
	int d = section_cmp(x, y);

	return d ? d : strcmp(x->flag, y->flag);
}

/* Rows with a key, by section then key. */
static int key_cmp(const void *a, const void *b)
{
	const struct vista_option *x = *(const struct vista_option **)a;
	const struct vista_option *y = *(const struct vista_option **)b;
	int d = section_cmp(x, y);

	return d ? d : strcmp(x->key, y->key);
}

/* Rows with a flag, by flag (as --help lists them). */
static int flag_cmp(const void *a, const void *b)
{
	const struct vista_option *x = *(const struct vista_option **)a;
	const struct vista_option *y = *(const struct vista_option **)b;

	return strcmp(x->flag, y->flag);
}

/* The rows with a flag (or with a key), sorted by cmp; free() it. */
static const struct vista_option **
select_rows(bool by_key, int (*cmp)(const void *, const void *), size_t *nr)
{
	const struct vista_option **list;
	size_t i, n = 0;

	list = calloc(gd_nr_rows ? gd_nr_rows : 1, sizeof(*list));
	if (!list)
		return NULL;
	for (i = 0; i < gd_nr_rows; i++)
		if (by_key ? gd_rows[i]->key != NULL : gd_rows[i]->flag != NULL)
			list[n++] = gd_rows[i];
	qsort(list, n, sizeof(*list), cmp);
	*nr = n;
	return list;
}

/*
 * The core's rows are many: grouped by what they are about. A row that no
 * rule names lands in the general group, so none is ever left out.
 */
enum core_group { CG_GENERAL, CG_ATTACH, CG_FILTER, CG_OUTPUT, CG_NR };

static const char *const core_group_title[CG_NR] = {
	[CG_GENERAL] = "General options",
	[CG_ATTACH] = "Kernel BTF and attaching",
	[CG_FILTER] = "Filters",
	[CG_OUTPUT] = "Output",
};

static enum core_group core_group_of(const struct vista_option *o)
{
	static const char *const attach[] = {
		"kernel-btf", "kmods", "all-kmods", "kprobe-backend",
		"filter-kprobe-batch",
	};
	size_t i;

	for (i = 0; i < sizeof(attach) / sizeof(attach[0]); i++)
		if (!strcmp(o->flag, attach[i]))
			return CG_ATTACH;
	if (!strncmp(o->flag, "filter-", 7))
		return CG_FILTER;
	if (!strncmp(o->flag, "output-", 7) || !strcmp(o->flag, "timestamp"))
		return CG_OUTPUT;
	return CG_GENERAL;
}

/* What the built-in plugins are; others get a generic title. */
static const struct {
	const char *section;
	const char *title;
} plugin_titles[] = {
	{ "tracer.skb", "Packets: the skb tracer" },
	{ "tracer.sk", "Sockets: the sk tracer" },
	{ "tracer.tcp", "TCP connection lifetimes: the tcp tracer" },
	{ "tracer.iptables", "Netfilter verdicts: the iptables tracer" },
	{ "tracer.tcxdp", "TC and XDP programs: the tcxdp tracer" },
	{ "sink.text", "Text output: the text sink" },
	{ "sink.pcapng", "Packet capture: the pcapng sink" },
	{ "sink.json", "JSON Lines: the json sink" },
};

/* "the skb tracer" from "tracer.skb" */
static void plugin_name(FILE *out, const char *section)
{
	const char *dot = strchr(section, '.');

	fputs("the ", out);
	tr_text(out, dot ? dot + 1 : section, false);
	fputs(section_rank(section) == 1 ? " tracer" : " sink", out);
}

static void section_title(FILE *out, const char *section)
{
	size_t i;

	fputs(".SS \"", out);
	for (i = 0; i < sizeof(plugin_titles) / sizeof(plugin_titles[0]); i++) {
		if (!strcmp(plugin_titles[i].section, section)) {
			tr_text(out, plugin_titles[i].title, false);
			break;
		}
	}
	if (i == sizeof(plugin_titles) / sizeof(plugin_titles[0])) {
		fputs(section_rank(section) == 1 ? "Tracer " : "Sink ", out);
		tr_text(out, strchr(section, '.') + 1, false);
	}
	fputs(" ([", out);
	tr_text(out, section, false);
	fputs("])\"\n", out);
}

/* What a value looks like: "uint16", "none|relative|absolute" ... */
static void value_shape(FILE *out, const struct vista_option *o)
{
	switch (o->type) {
	case VISTA_OPT_BOOL:
		fputs("\\fBtrue\\fR|\\fBfalse\\fR", out);
		return;
	case VISTA_OPT_ENUM:
		fputs("\\fI", out);
		tr_text(out, o->choices, false);
		fputs("\\fR", out);
		return;
	default:
		fputs("\\fI", out);
		tr_text(out, o->metavar ? o->metavar : "string", false);
		fputs("\\fR", out);
	}
}

/*
 * The facts about a row's value that the help text does not always say:
 * choices, range, default, list rules. One line of sentences.
 */
static void value_facts(FILE *out, const struct vista_option *o)
{
	switch (o->type) {
	case VISTA_OPT_ENUM:
		fputs("One of: ", out);
		tr_choices(out, o->choices);
		fputs(". ", out);
		break;
	case VISTA_OPT_STRINGS:
		/*
		 * Directories (--plugin-dir) are scanned before the options
		 * are parsed, one per flag: a comma is part of the name.
		 */
		if (o->metavar && !strcmp(o->metavar, "dir")) {
			fputs("Repeatable, one directory each time. ", out);
			break;
		}
		fputs("A comma-separated list", out);
		if (o->choices) {
			fputs(" of ", out);
			tr_choices(out, o->choices);
		}
		fputs("; repeating it adds items. ", out);
		break;
	case VISTA_OPT_UINT:
		if (o->max && o->max != UINT64_MAX)
			fprintf(out, "At most %llu. ",
				(unsigned long long)o->max);
		break;
	case VISTA_OPT_INT:
		if (o->max == INT64_MAX)
			fputs("Not negative. ", out);
		else if (o->max)
			fprintf(out, "0 to %llu. ",
				(unsigned long long)o->max);
		break;
	case VISTA_OPT_DURATION:
		fputs("A duration such as 250us, 100ms, 1s, 1m or 1h30m. ",
		      out);
		break;
	default:
		break;
	}
	if (o->def && *o->def) {
		fputs("Default: ", out);
		tr_bold(out, "", o->def);
		fputs(". ", out);
	}
	if (o->flags & VISTA_OPTF_ACTIVATES) {
		fputs("Setting it loads ", out);
		plugin_name(out, o->section);
		fputs(". ", out);
	}
	if (o->flags & VISTA_OPTF_NOT_YET)
		fputs("Not supported yet: vista refuses it. ", out);
}

/* ---- @OPTIONS@: vista(8) ---------------------------------------------- */

static void man8_option(FILE *out, const struct vista_option *o)
{
	fputs(".TP\n", out);
	if (o->short_flag) {
		char s[2] = { o->short_flag, 0 };

		tr_bold(out, "-", s);
		fputs(", ", out);
	}
	tr_bold(out, "--", o->flag);
	if (o->type != VISTA_OPT_BOOL && o->metavar) {
		fputs(" \\fI", out);
		tr_text(out, o->metavar, false);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	tr_text(out, o->help ? o->help : "", true);
	fputs("\n.br\n", out);
	value_facts(out, o);
	if (o->key) {
		fputs("Profile: ", out);
		tr_bold(out, "", o->key);
		fputs(" in ", out);
		tr_bold(out, "[", o->section);
		fputs("\\fB]\\fR.\n", out);
	} else {
		fputs("Command line only.\n", out);
	}
}

static int gen_options(FILE *out)
{
	const struct vista_option **list;
	const char *section = NULL;
	size_t i, nr;
	int g;

	list = select_rows(false, row_cmp, &nr);
	if (!list)
		return -ENOMEM;
	/* The core's rows in their groups, then each plugin's. */
	for (g = 0; g < CG_NR; g++) {
		bool titled = false;

		for (i = 0; i < nr; i++) {
			if (strcmp(list[i]->section, "core") ||
			    core_group_of(list[i]) != (enum core_group)g)
				continue;
			if (!titled)
				fprintf(out, ".SS \"%s\"\n",
					core_group_title[g]);
			titled = true;
			man8_option(out, list[i]);
		}
	}
	for (i = 0; i < nr; i++) {
		if (!strcmp(list[i]->section, "core"))
			continue;
		if (!section || strcmp(section, list[i]->section)) {
			section = list[i]->section;
			section_title(out, section);
		}
		man8_option(out, list[i]);
	}
	free(list);
	return 0;
}

/* ---- @KEYS@: vista.ini(5) --------------------------------------------- */

static void man5_key(FILE *out, const struct vista_option *o)
{
	fputs(".TP\n", out);
	tr_bold(out, "", o->key);
	fputs(" = ", out);
	value_shape(out, o);
	fputc('\n', out);
	tr_text(out, o->help ? o->help : "", true);
	fputs("\n.br\n", out);
	value_facts(out, o);
	if (o->flag) {
		fputs("Flag: ", out);
		tr_bold(out, "--", o->flag);
		fputs(".\n", out);
	} else {
		fputs("No command-line flag.\n", out);
	}
}

static int gen_keys(FILE *out)
{
	const struct vista_option **list;
	const char *section = NULL;
	size_t i, nr;

	list = select_rows(true, key_cmp, &nr);
	if (!list)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (!section || strcmp(section, list[i]->section)) {
			section = list[i]->section;
			fputs(".SS \"[", out);
			tr_text(out, section, false);
			fputs("]\"\n", out);
			if (strcmp(section, "core")) {
				fputs("Keys of ", out);
				plugin_name(out, section);
				fputs("; a key may also be written as its "
				      "flag's name.\n", out);
			}
		}
		man5_key(out, list[i]);
	}
	free(list);
	return 0;
}

/* ---- @BASH@: completion --------------------------------------------- */

/* Words of "a|b|c" separated by spaces (choices hold no shell syntax). */
static void sh_words(FILE *out, const char *choices)
{
	for (; *choices; choices++)
		fputc(*choices == '|' ? ' ' : *choices, out);
}

/*
 * How to complete a row's value: a kind the completion script acts on
 * (enum, list, file, dir, value; bool for flags that take none).
 */
static const char *sh_kind(const struct vista_option *o)
{
	switch (o->type) {
	case VISTA_OPT_BOOL:
		return "bool";
	case VISTA_OPT_ENUM:
		return "enum";
	case VISTA_OPT_STRINGS:
		if (o->choices)
			return "list";
		break;
	default:
		break;
	}
	if (o->metavar && !strcmp(o->metavar, "dir"))
		return "dir";
	if ((o->metavar && !strcmp(o->metavar, "file")) ||
	    (o->key && !strcmp(o->key, "file")))
		return "file";
	return "value";
}

static bool sh_safe(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.|", *s))
			return false;
	return true;
}

static int gen_bash(FILE *out)
{
	const struct vista_option **list;
	size_t i, nr;

	list = select_rows(false, flag_cmp, &nr);
	if (!list)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (!sh_safe(list[i]->flag) ||
		    (list[i]->choices && !sh_safe(list[i]->choices))) {
			fprintf(stderr, "gendoc: --%s: not a plain word\n",
				list[i]->flag);
			free(list);
			return -EINVAL;
		}
	}

	fputs("# Every flag, as --help lists them.\n_vista_flags='", out);
	for (i = 0; i < nr; i++) {
		if (list[i]->short_flag)
			fprintf(out, "-%c ", list[i]->short_flag);
		fprintf(out, "--%s%s", list[i]->flag, i + 1 < nr ? " " : "");
	}
	fputs("'\n\n", out);

	fputs("# _vista_arg FLAG: sets _vista_kind (bool, enum, list, file, "
	      "dir, value,\n# or empty for an unknown flag) and _vista_words "
	      "(the choices).\n_vista_arg()\n{\n"
	      "\t_vista_words=\n\tcase $1 in\n", out);
	for (i = 0; i < nr; i++) {
		const struct vista_option *o = list[i];

		fputs("\t", out);
		if (o->short_flag)
			fprintf(out, "-%c | ", o->short_flag);
		fprintf(out, "--%s) _vista_kind=%s", o->flag, sh_kind(o));
		if (o->choices) {
			fputs(" _vista_words='", out);
			sh_words(out, o->choices);
			fputs("'", out);
		}
		fputs(" ;;\n", out);
	}
	fputs("\t*) _vista_kind= ;;\n\tesac\n}\n", out);
	free(list);
	return 0;
}

/* ---- templates -------------------------------------------------------- */

static void put_subst(FILE *out, const char *line)
{
	static const struct {
		const char *name;
		const char *value;
	} vars[] = {
		{ "@VERSION@", PACKAGE_VERSION },
		{ "@PLUGINDIR@", VISTA_PLUGIN_DIR },
		{ "@PROFILEDIR@", VISTA_PROFILE_DIR },
	};
	const char *p = line;
	size_t i;

	while (*p) {
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			size_t n = strlen(vars[i].name);

			if (strncmp(p, vars[i].name, n))
				continue;
			if (gd_troff)
				tr_text(out, vars[i].value, p == line);
			else
				fputs(vars[i].value, out);
			p += n;
			break;
		}
		if (i == sizeof(vars) / sizeof(vars[0]))
			fputc(*p++, out);
	}
}

static int gen(const char *path, FILE *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;
	FILE *in;

	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "gendoc: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!ret && (len = getline(&line, &cap, in)) >= 0) {
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!strcmp(line, "@OPTIONS@"))
			ret = gen_options(out);
		else if (!strcmp(line, "@KEYS@"))
			ret = gen_keys(out);
		else if (!strcmp(line, "@BASH@"))
			ret = gen_bash(out);
		else {
			put_subst(out, line);
			fputc('\n', out);
		}
	}
	if (!ret && ferror(in)) {
		fprintf(stderr, "gendoc: %s: read error\n", path);
		ret = -EIO;
	}
	free(line);
	fclose(in);
	return ret;
}

int main(int argc, char **argv)
{
	struct config cfg;
	size_t len;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: gendoc TEMPLATE > OUTPUT\n");
		return 2;
	}
	len = strlen(argv[1]);
	gd_troff = !(len >= 8 && !strcmp(argv[1] + len - 8, ".bash.in"));

	if (config_init(&cfg) ||
	    config_add_rows(&cfg, vista_core_options, vista_nr_core_options))
		return 1;
	gd_rows = cfg.rows;
	gd_nr_rows = cfg.nr_rows;

	ret = gen(argv[1], stdout);
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		fprintf(stderr, "gendoc: write error\n");
		ret = -EIO;
	}
	config_free(&cfg);
	return ret ? 1 : 0;
}
