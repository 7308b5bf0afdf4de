/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Options and profiles: one table of option rows (core/options.c plus rows
 * that plugins bring), and the values of one run, resolved as
 * CLI > profile > default.
 *
 * Values live per section instance: "core", "tracer.skb", "sink.text",
 * "sink.json:audit". A CLI flag sets the value in the default instance of
 * the row's section ("sink.text" for --output-file).
 */
#ifndef VISTA_CORE_CONFIG_H
#define VISTA_CORE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>
#include <vista/plugin.h>

/* Exit codes. */
#define VISTA_EXIT_OK		0
#define VISTA_EXIT_FAIL		1	/* runtime: kernel, privileges, I/O */
#define VISTA_EXIT_USAGE	2	/* bad flag, bad profile */

enum config_source {
	CONFIG_DEFAULT = 0,
	CONFIG_PROFILE,
	CONFIG_CLI,
};

struct config_value {
	const struct vista_option *opt;
	enum config_source source;
	bool b;
	__u64 u;		/* UINT, DURATION (ns) */
	__s64 i;
	char *s;		/* STRING, ENUM; NULL if unset */
	char **list;		/* STRINGS */
	size_t nr_list;
	const char *file;	/* where it was set, for messages */
	int line;
};

struct config_section {
	char *name;		/* "sink.json:audit" */
	char *kind;		/* "sink.json" */
	char *instance;		/* "audit", or NULL for the default instance */
	enum config_source source;
	const char *file;	/* profile that declared it, or NULL */
	int line;
	struct config_value *values;
	size_t nr_values;
};

struct config {
	const struct vista_option **rows;
	size_t nr_rows;
	struct config_section *sections;
	size_t nr_sections;
	char *filter;		/* positional pcap-filter expression, or NULL */
	char *profile_path;	/* strdup'd, outlives values' file pointers */
	/* Called for a profile section whose kind has no rows yet, so the
	 * caller can load the plugin that brings them (may be NULL). On
	 * failure it may say why in one line (why[0] is '\0' otherwise),
	 * which the profile reports at the section's line. */
	int (*need_section)(struct config *cfg, const char *kind, void *arg,
			    char *why, size_t len);
	void *need_arg;
};

/* The core's rows: every flag of the reference --help and vista's own. */
extern const struct vista_option vista_core_options[];
extern const size_t vista_nr_core_options;

int config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Register rows (the core table, a plugin's extra rows). -EEXIST on a
 * duplicate flag or section/key. */
int config_add_rows(struct config *cfg, const struct vista_option *rows,
		    size_t nr);

/*
 * Load an INI profile. Errors are printed to stderr as "FILE:LINE: message"
 * and return -EINVAL (unknown section or key, bad value, unreadable file:
 * "FILE: message").
 */
int config_load_profile(struct config *cfg, const char *path);

/*
 * Parse the command line (argv[0] skipped). Errors are printed as
 * "--flag: message" (or "vista: message") and return -EINVAL. Leftover
 * positional arguments are joined with spaces into cfg->filter.
 */
int config_parse_cli(struct config *cfg, int argc, char **argv);

/* Find an early flag's value(s) before full parsing (--profile,
 * --plugin-dir): returns how many were found, storing up to max. */
int config_scan_flag(int argc, char **argv, const char *flag,
		     const char **out, int max);
bool config_has_flag(int argc, char **argv, const char *flag);

/* Parse a value of an option's type into v (also used for defaults).
 * On error returns -EINVAL and sets *why to a static message. */
int config_parse_value(const struct vista_option *opt, const char *text,
		       struct config_value *v, const char **why);

/* Durations: "100ms", "1s", "1m", "1h30m", "250us", "10ns" -> ns. */
int config_parse_duration(const char *text, __u64 *ns);

/*
 * Errors are one line, whatever the user typed: control characters (a
 * newline in an argument or a profile value) are copied as \n, \t or
 * \xNN, so they neither break the line nor drive the terminal.
 * config_escape() writes in to out (truncating to size) and returns the
 * length; config_err() prints a formatted message so, with a newline.
 */
size_t config_escape(char *out, size_t size, const char *in);
void config_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct config_section *config_section(struct config *cfg, const char *name);
struct config_section *config_section_add(struct config *cfg,
					  const char *name,
					  enum config_source source);

/*
 * The value of key in section (instance name): key is the row's INI key in
 * that section or its flag. Falls back to the "core" section by flag name.
 * Returns NULL if no row matches. The returned value carries the default
 * when nothing set it.
 */
const struct config_value *config_get(struct config *cfg,
				      const char *section, const char *key);

/* Set by the profile or the command line, not a default. */
static inline bool config_is_set(const struct config_value *v)
{
	return v && v->source != CONFIG_DEFAULT;
}

/* First option row set to a value that is flagged VISTA_OPTF_NOT_YET. */
const struct config_value *config_first_not_yet(struct config *cfg);

/* --help text, generated from the rows. */
void config_print_help(const struct config *cfg, FILE *out);

#endif /* VISTA_CORE_CONFIG_H */
