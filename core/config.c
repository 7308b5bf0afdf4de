// SPDX-License-Identifier: GPL-2.0-only
/*
 * Options and profiles: the row table, the command line, INI profiles and
 * the resolution CLI > profile > default.
 *
 * Each registered row is copied into a struct cfg_row next to its parsed
 * default, so config_get() can hand out the default without creating
 * anything, and row pointers stay valid when more rows are added.
 *
 * Sections hold only values that something set; a value remembers its
 * source so that loading a profile after parsing the command line still
 * leaves the command line in charge.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>

#include "config.h"

#define NSEC_PER_SEC	1000000000ULL

struct cfg_row {
	struct vista_option opt;	/* cfg->rows[i] points here */
	struct config_value def;	/* parsed opt.def, source DEFAULT */
};

size_t config_escape(char *out, size_t size, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned char c;

	for (; (c = *in) && n + 5 < size; in++) {
		if (c >= 0x20 && c != 0x7f) {
			out[n++] = c;
			continue;
		}
		out[n++] = '\\';
		if (c == '\n' || c == '\t') {
			out[n++] = c == '\n' ? 'n' : 't';
		} else {
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return n;
}

void config_err(const char *fmt, ...)
{
	char msg[1024], out[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_escape(out, sizeof(out), msg);
	fprintf(stderr, "%s\n", out);
}

static struct cfg_row *cfg_row_of(const struct vista_option *opt)
{
	return (struct cfg_row *)((char *)opt - offsetof(struct cfg_row, opt));
}

/*
 * Reasons for a bad value. Some are completed when printed (the choices,
 * the maximum), which is why callers compare the pointers.
 */
static const char why_nan[] = "not a number";
static const char why_neg[] = "negative";
static const char why_range[] = "out of range";
static const char why_bool[] = "not a boolean (true or false)";
static const char why_choice[] = "not one of";
static const char why_dur[] = "not a duration (e.g. 100ms, 1s, 1m)";
static const char why_nomem[] = "out of memory";

static void cfg_why(const struct vista_option *opt, const char *why,
		    char *buf, size_t size)
{
	if (why == why_choice && opt->choices)
		snprintf(buf, size, "%s %s", why, opt->choices);
	else if (why == why_range && opt->max &&
		 (opt->type == VISTA_OPT_UINT || opt->type == VISTA_OPT_INT))
		snprintf(buf, size, "%s (max %llu)", why,
			 (unsigned long long)opt->max);
	else
		snprintf(buf, size, "%s", why);
}

/* ---- values --------------------------------------------------------- */

static void value_clear(struct config_value *v)
{
	size_t i;

	free(v->s);
	v->s = NULL;
	for (i = 0; i < v->nr_list; i++)
		free(v->list[i]);
	free(v->list);
	v->list = NULL;
	v->nr_list = 0;
}

static int value_list_add(struct config_value *v, const char *item,
			  size_t len)
{
	char **list;
	char *dup;

	dup = strndup(item, len);
	if (!dup)
		return -ENOMEM;
	list = realloc(v->list, (v->nr_list + 1) * sizeof(*list));
	if (!list) {
		free(dup);
		return -ENOMEM;
	}
	list[v->nr_list++] = dup;
	v->list = list;
	return 0;
}

static bool choice_ok(const char *choices, const char *s, size_t len)
{
	const char *p = choices;

	while (p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n == len && !strncmp(p, s, len))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static int parse_bool(const char *text, bool *b)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(text, yes[i])) {
			*b = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*b = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Go's ParseUint(s, 0, 64) rules: no sign, no spaces, 0x/0 prefixes. */
static int parse_uint(const char *text, __u64 max, __u64 *u,
		      const char **why)
{
	unsigned long long n;
	char *end;

	if (text[0] == '-' && isdigit((unsigned char)text[1])) {
		*why = why_neg;
		return -EINVAL;
	}
	if (!isdigit((unsigned char)text[0])) {
		*why = why_nan;
		return -EINVAL;
	}
	errno = 0;
	n = strtoull(text, &end, 0);
	if (*end) {
		*why = why_nan;
		return -EINVAL;
	}
	if (errno == ERANGE || n > max) {
		*why = why_range;
		return -EINVAL;
	}
	*u = n;
	return 0;
}

/* max != 0 restricts an INT row to 0..max. */
static int parse_int(const char *text, __u64 max, __s64 *i,
		     const char **why)
{
	const char *digits = text;
	long long n;
	char *end;

	if (*digits == '-' || *digits == '+')
		digits++;
	if (!isdigit((unsigned char)*digits)) {
		*why = why_nan;
		return -EINVAL;
	}
	errno = 0;
	n = strtoll(text, &end, 0);
	if (*end) {
		*why = why_nan;
		return -EINVAL;
	}
	if (max && n < 0) {
		*why = why_neg;
		return -EINVAL;
	}
	if (errno == ERANGE || (max && (__u64)n > max)) {
		*why = why_range;
		return -EINVAL;
	}
	*i = n;
	return 0;
}

/* Comma-separated, items trimmed, empty items dropped. */
static int parse_list(const struct vista_option *opt, const char *text,
		      struct config_value *out, const char **why)
{
	const char *p = text;
	int err;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *next = end ? end + 1 : p + strlen(p);

		if (!end)
			end = next;
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if (end > p) {
			if (opt->choices &&
			    !choice_ok(opt->choices, p, end - p)) {
				*why = why_choice;
				return -EINVAL;
			}
			err = value_list_add(out, p, end - p);
			if (err) {
				*why = why_nomem;
				return err;
			}
		}
		p = next;
	}
	return 0;
}

int config_parse_duration(const char *text, __u64 *ns)
{
	static const struct {
		const char *name;
		__u64 mult;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "\u00b5s", 1000 },	/* micro sign */
		{ "\u03bcs", 1000 },	/* Greek mu */
		{ "ms", 1000000 },
		{ "s", NSEC_PER_SEC },
		{ "m", 60 * NSEC_PER_SEC },
		{ "h", 3600 * NSEC_PER_SEC },
	};
	/* What Go's time.Duration holds. */
	const __u64 limit = INT64_MAX;
	const char *p = text;
	__u64 total = 0;

	if (!p || !*p || *p == '-')
		return -EINVAL;
	if (!strcmp(p, "0")) {
		*ns = 0;
		return 0;
	}
	while (*p) {
		const char *start = p, *unit;
		__u64 v = 0, f = 0, mult = 0;
		double scale = 1;
		bool frac = false, overflow = false;
		size_t i, len;

		while (isdigit((unsigned char)*p)) {
			if (v > (limit - (*p - '0')) / 10)
				return -ERANGE;
			v = v * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			const char *fs = ++p;

			/* Digits beyond what fits only add precision. */
			while (isdigit((unsigned char)*p)) {
				if (!overflow && f > (limit - 9) / 10)
					overflow = true;
				if (!overflow) {
					f = f * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
			}
			frac = p > fs;
		}
		if (p == start || (p == start + 1 && *start == '.' && !frac))
			return -EINVAL;

		unit = p;
		while (*p && *p != '.' && !isdigit((unsigned char)*p))
			p++;
		len = p - unit;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strlen(units[i].name) == len &&
			    !strncmp(units[i].name, unit, len)) {
				mult = units[i].mult;
				break;
			}
		}
		if (!mult)
			return -EINVAL;

		if (v > limit / mult)
			return -ERANGE;
		v *= mult;
		if (f) {
			v += (__u64)((double)f * ((double)mult / scale));
			if (v > limit)
				return -ERANGE;
		}
		total += v;
		if (total > limit)
			return -ERANGE;
	}
	*ns = total;
	return 0;
}

/* All or nothing: parse aside, then append to v. */
static int parse_strings(const struct vista_option *opt, const char *text,
			 struct config_value *v, const char **why)
{
	struct config_value tmp = { .opt = opt };
	size_t i;
	int err;

	err = parse_list(opt, text, &tmp, why);
	if (err)
		goto out_clear;
	for (i = 0; i < tmp.nr_list; i++) {
		err = value_list_add(v, tmp.list[i], strlen(tmp.list[i]));
		if (err) {
			*why = why_nomem;
			goto out_clear;
		}
	}
out_clear:
	value_clear(&tmp);
	return err;
}

int config_parse_value(const struct vista_option *opt, const char *text,
		       struct config_value *v, const char **why)
{
	char *s;
	int err;

	v->opt = opt;
	switch (opt->type) {
	case VISTA_OPT_BOOL:
		if (parse_bool(text, &v->b)) {
			*why = why_bool;
			return -EINVAL;
		}
		return 0;
	case VISTA_OPT_UINT:
		return parse_uint(text, opt->max ? opt->max : UINT64_MAX,
				  &v->u, why);
	case VISTA_OPT_INT:
		return parse_int(text, opt->max, &v->i, why);
	case VISTA_OPT_DURATION:
		err = config_parse_duration(text, &v->u);
		if (err) {
			*why = err == -ERANGE ? why_range :
			       text[0] == '-' ? why_neg : why_dur;
			return -EINVAL;
		}
		return 0;
	case VISTA_OPT_ENUM:
		/* Empty means "auto" where there is no default to fall to. */
		if (!*text && !opt->def) {
			free(v->s);
			v->s = NULL;
			return 0;
		}
		if (!opt->choices || !choice_ok(opt->choices, text,
						strlen(text))) {
			*why = why_choice;
			return -EINVAL;
		}
		/* fallthrough */
	case VISTA_OPT_STRING:
		s = strdup(text);
		if (!s) {
			*why = why_nomem;
			return -ENOMEM;
		}
		free(v->s);
		v->s = s;
		return 0;
	case VISTA_OPT_STRINGS:
		return parse_strings(opt, text, v, why);
	}
	*why = "unknown option type";
	return -EINVAL;
}

/* ---- rows ----------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool kind_eq(const char *section, const char *kind, size_t len)
{
	return !strncmp(section, kind, len) && !section[len];
}

static const struct vista_option *row_by_flag(const struct config *cfg,
					      const char *flag, size_t len)
{
	size_t i;

	for (i = 0; i < cfg->nr_rows; i++) {
		const char *f = cfg->rows[i]->flag;

		if (f && !strncmp(f, flag, len) && !f[len])
			return cfg->rows[i];
	}
	return NULL;
}

static const struct vista_option *row_by_short(const struct config *cfg,
					       char c)
{
	size_t i;

	for (i = 0; i < cfg->nr_rows; i++)
		if (cfg->rows[i]->short_flag == c)
			return cfg->rows[i];
	return NULL;
}

/*
 * A row of section kind (len bytes of kind) by INI key, then by flag if
 * by_flag. ini_only skips CLI-only rows (key NULL).
 */
static const struct vista_option *row_in_kind(const struct config *cfg,
					      const char *kind, size_t len,
					      const char *key, bool by_flag,
					      bool ini_only)
{
	const struct vista_option *o;
	size_t i;

	for (i = 0; i < cfg->nr_rows; i++) {
		o = cfg->rows[i];
		if (kind_eq(o->section, kind, len) && str_eq(o->key, key))
			return o;
	}
	if (!by_flag)
		return NULL;
	for (i = 0; i < cfg->nr_rows; i++) {
		o = cfg->rows[i];
		if (ini_only && !o->key)
			continue;
		if (kind_eq(o->section, kind, len) && str_eq(o->flag, key))
			return o;
	}
	return NULL;
}

static bool kind_has_rows(const struct config *cfg, const char *kind)
{
	size_t i;

	for (i = 0; i < cfg->nr_rows; i++)
		if (!strcmp(cfg->rows[i]->section, kind))
			return true;
	return false;
}

static int row_check(const struct config *cfg, const struct vista_option *r,
		     const struct vista_option *added, size_t nr_added)
{
	const struct vista_option *o;
	size_t i, n = cfg->nr_rows + nr_added;

	if (!r->section || (!r->flag && !r->key)) {
		config_err("vista: option row without %s",
			r->section ? "flag or key" : "section");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		o = i < cfg->nr_rows ? cfg->rows[i] :
				       &added[i - cfg->nr_rows];
		if (str_eq(o->flag, r->flag) ||
		    (r->short_flag && o->short_flag == r->short_flag)) {
			config_err("vista: duplicate option --%s",
				r->flag ? r->flag : r->key);
			return -EEXIST;
		}
		if (str_eq(o->section, r->section) && str_eq(o->key, r->key)) {
			config_err("vista: duplicate option %s in [%s]",
				r->key, r->section);
			return -EEXIST;
		}
	}
	return 0;
}

int config_add_rows(struct config *cfg, const struct vista_option *rows,
		    size_t nr)
{
	const struct vista_option **all;
	struct cfg_row *slot;
	const char *why;
	char detail[128];
	size_t i, done;
	int err;

	for (i = 0; i < nr; i++) {
		err = row_check(cfg, &rows[i], rows, i);
		if (err)
			return err;
	}
	all = realloc(cfg->rows, (cfg->nr_rows + nr) * sizeof(*all));
	if (!all && cfg->nr_rows + nr)
		return -ENOMEM;
	cfg->rows = all;

	for (done = 0; done < nr; done++) {
		slot = calloc(1, sizeof(*slot));
		if (!slot) {
			err = -ENOMEM;
			goto out_undo;
		}
		slot->opt = rows[done];
		slot->def.opt = &slot->opt;
		cfg->rows[cfg->nr_rows + done] = &slot->opt;
		if (!rows[done].def)
			continue;
		err = config_parse_value(&slot->opt, rows[done].def,
					 &slot->def, &why);
		if (err) {
			cfg_why(&slot->opt, why, detail, sizeof(detail));
			config_err("vista: --%s: invalid default \"%s\": %s",
				   rows[done].flag ? rows[done].flag :
						     rows[done].key,
				   rows[done].def, detail);
			done++;
			goto out_undo;
		}
	}
	cfg->nr_rows += nr;
	return 0;

out_undo:
	for (i = 0; i < done; i++) {
		slot = cfg_row_of(cfg->rows[cfg->nr_rows + i]);
		value_clear(&slot->def);
		free(slot);
	}
	return err;
}

/* ---- sections ------------------------------------------------------- */

struct config_section *config_section(struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nr_sections; i++)
		if (!strcmp(cfg->sections[i].name, name))
			return &cfg->sections[i];
	return NULL;
}

struct config_section *config_section_add(struct config *cfg,
					  const char *name,
					  enum config_source source)
{
	struct config_section *sec, *secs;
	const char *colon;

	sec = config_section(cfg, name);
	if (sec) {
		if (source > sec->source)
			sec->source = source;
		return sec;
	}
	colon = strchr(name, ':');
	if (!*name || colon == name || (colon && !colon[1])) {
		errno = EINVAL;
		return NULL;
	}
	secs = realloc(cfg->sections,
		       (cfg->nr_sections + 1) * sizeof(*secs));
	if (!secs) {
		errno = ENOMEM;
		return NULL;
	}
	cfg->sections = secs;
	sec = &secs[cfg->nr_sections];
	memset(sec, 0, sizeof(*sec));
	sec->name = strdup(name);
	sec->kind = colon ? strndup(name, colon - name) : strdup(name);
	sec->instance = colon ? strdup(colon + 1) : NULL;
	if (!sec->name || !sec->kind || (colon && !sec->instance)) {
		free(sec->name);
		free(sec->kind);
		free(sec->instance);
		errno = ENOMEM;
		return NULL;
	}
	sec->source = source;
	cfg->nr_sections++;
	return sec;
}

static struct config_value *section_value(struct config_section *sec,
					  const struct vista_option *row)
{
	size_t i;

	for (i = 0; i < sec->nr_values; i++)
		if (sec->values[i].opt == row)
			return &sec->values[i];
	return NULL;
}

/*
 * Parse text and store it in sec unless a stronger source already set the
 * value. The same source replaces, except that STRINGS append (a repeated
 * flag or key adds items).
 */
static int value_set(struct config_section *sec,
		     const struct vista_option *row, const char *text,
		     enum config_source source, const char *file, int line,
		     const char **why)
{
	struct config_value tmp = { .opt = row }, *v, *vals;
	size_t i;
	int err;

	err = config_parse_value(row, text, &tmp, why);
	if (err)
		goto out_clear;
	v = section_value(sec, row);
	if (v && v->source > source)
		goto out_clear;
	if (!v) {
		vals = realloc(sec->values,
			       (sec->nr_values + 1) * sizeof(*vals));
		if (!vals) {
			*why = why_nomem;
			err = -ENOMEM;
			goto out_clear;
		}
		sec->values = vals;
		v = &vals[sec->nr_values++];
		memset(v, 0, sizeof(*v));
	}
	if (v->source == source && row->type == VISTA_OPT_STRINGS) {
		for (i = 0; i < tmp.nr_list; i++) {
			err = value_list_add(v, tmp.list[i],
					     strlen(tmp.list[i]));
			if (err) {
				*why = why_nomem;
				goto out_clear;
			}
		}
		value_clear(&tmp);
	} else {
		value_clear(v);
		*v = tmp;
	}
	v->opt = row;
	v->source = source;
	v->file = file;
	v->line = line;
	return 0;

out_clear:
	value_clear(&tmp);
	return err;
}

const struct config_value *config_get(struct config *cfg,
				      const char *section, const char *key)
{
	const struct vista_option *row;
	struct config_section *sec;
	struct config_value *v;
	const char *colon;
	size_t len;

	if (!section)
		section = "core";
	colon = strchr(section, ':');
	len = colon ? (size_t)(colon - section) : strlen(section);
	row = row_in_kind(cfg, section, len, key, true, false);
	if (!row) {
		section = "core";
		row = row_in_kind(cfg, section, strlen(section), key, true,
				  false);
	}
	if (!row)
		return NULL;
	sec = config_section(cfg, section);
	v = sec ? section_value(sec, row) : NULL;
	return v ? v : &cfg_row_of(row)->def;
}

const struct config_value *config_first_not_yet(struct config *cfg)
{
	struct config_value *v;
	size_t i, j;

	for (i = 0; i < cfg->nr_rows; i++) {
		if (!(cfg->rows[i]->flags & VISTA_OPTF_NOT_YET))
			continue;
		for (j = 0; j < cfg->nr_sections; j++) {
			v = section_value(&cfg->sections[j], cfg->rows[i]);
			if (v && v->source != CONFIG_DEFAULT)
				return v;
		}
	}
	return NULL;
}

/* cfg->filter mirrors the resolved core "filter" value. */
static int sync_filter(struct config *cfg)
{
	const struct config_value *v = config_get(cfg, "core", "filter");
	char *s;

	if (!v || v->opt->type != VISTA_OPT_STRING || !v->s)
		return 0;
	s = *v->s ? strdup(v->s) : NULL;
	if (*v->s && !s)
		return -ENOMEM;
	free(cfg->filter);
	cfg->filter = s;
	return 0;
}

/* ---- lifetime ------------------------------------------------------- */

int config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	return 0;
}

void config_free(struct config *cfg)
{
	struct cfg_row *slot;
	size_t i, j;

	for (i = 0; i < cfg->nr_sections; i++) {
		struct config_section *sec = &cfg->sections[i];

		for (j = 0; j < sec->nr_values; j++)
			value_clear(&sec->values[j]);
		free(sec->values);
		free(sec->name);
		free(sec->kind);
		free(sec->instance);
	}
	free(cfg->sections);
	for (i = 0; i < cfg->nr_rows; i++) {
		slot = cfg_row_of(cfg->rows[i]);
		value_clear(&slot->def);
		free(slot);
	}
	free(cfg->rows);
	free(cfg->filter);
	free(cfg->profile_path);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- command line --------------------------------------------------- */

static bool value_activates(const struct config_value *v)
{
	switch (v->opt->type) {
	case VISTA_OPT_BOOL:
		return v->b;
	case VISTA_OPT_STRING:
	case VISTA_OPT_ENUM:
		return v->s && *v->s;
	default:
		return true;
	}
}

/*
 * Only an activating row (set to something) makes its section count as
 * asked for on the command line; other rows leave a section they create
 * at CONFIG_DEFAULT, so --filter-skb-mark alone loads no tracer.
 */
static int cli_set(struct config *cfg, const struct vista_option *row,
		   const char *text)
{
	struct config_section *sec;
	const char *why = NULL;
	char detail[128];
	int err;

	sec = config_section_add(cfg, row->section, CONFIG_DEFAULT);
	if (!sec) {
		err = -errno;
		config_err("vista: %s", strerror(errno));
		return err;
	}
	err = value_set(sec, row, text, CONFIG_CLI, NULL, 0, &why);
	if (err == -EINVAL) {
		cfg_why(row, why, detail, sizeof(detail));
		config_err("--%s: invalid value \"%s\": %s",
			row->flag, text, detail);
		return err;
	}
	if (err) {
		config_err("vista: %s", strerror(-err));
		return err;
	}
	if ((row->flags & VISTA_OPTF_ACTIVATES) &&
	    value_activates(section_value(sec, row)))
		sec->source = CONFIG_CLI;
	return 0;
}

static char *join_args(const char **args, size_t nr)
{
	size_t i, len = 0;
	char *s, *p;

	for (i = 0; i < nr; i++)
		len += strlen(args[i]) + 1;
	s = malloc(len ? len : 1);
	if (!s)
		return NULL;
	p = s;
	*p = '\0';
	for (i = 0; i < nr; i++) {
		if (i)
			*p++ = ' ';
		p = stpcpy(p, args[i]);
	}
	return s;
}

static int cli_filter(struct config *cfg, const char **args, size_t nr)
{
	const struct vista_option *row;
	char *joined;
	int err;

	joined = join_args(args, nr);
	if (!joined)
		return -ENOMEM;
	row = row_in_kind(cfg, "core", 4, "filter", false, true);
	if (!row || row->type != VISTA_OPT_STRING) {
		free(cfg->filter);
		cfg->filter = joined;
		return 0;
	}
	err = cli_set(cfg, row, joined);
	free(joined);
	return err ? err : sync_filter(cfg);
}

int config_parse_cli(struct config *cfg, int argc, char **argv)
{
	const struct vista_option *row;
	const char **pos;
	size_t nr_pos = 0;
	bool only_pos = false;
	int i, err = 0;

	pos = calloc(argc > 0 ? argc : 1, sizeof(*pos));
	if (!pos)
		return -ENOMEM;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *text;
		size_t len;

		/* Like pflag: "-" is an argument, positionals may mix in. */
		if (only_pos || arg[0] != '-' || !arg[1]) {
			pos[nr_pos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = true;
			continue;
		}
		if (arg[1] == '-') {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
			row = len ? row_by_flag(cfg, name, len) : NULL;
		} else {
			eq = arg[2] == '=' ? arg + 2 : NULL;
			len = eq ? 2 : strlen(arg);
			row = len == 2 ? row_by_short(cfg, arg[1]) : NULL;
			name = arg;
		}
		if (!row) {
			config_err("vista: unknown flag: %.*s",
				(int)(name - arg + len), arg);
			err = -EINVAL;
			goto out_free;
		}
		if (eq) {
			text = eq + 1;
		} else if (row->type == VISTA_OPT_BOOL) {
			text = "true";
		} else if (i + 1 < argc) {
			text = argv[++i];
		} else {
			config_err("--%s: needs a value", row->flag);
			err = -EINVAL;
			goto out_free;
		}
		err = cli_set(cfg, row, text);
		if (err)
			goto out_free;
	}
	if (nr_pos)
		err = cli_filter(cfg, pos, nr_pos);
	if (err == -ENOMEM)
		config_err("vista: %s", strerror(ENOMEM));
out_free:
	free(pos);
	return err;
}

/*
 * "--name" for a bare name, the text itself for "-h"/"--name": where the
 * name ends in arg, or NULL.
 */
static const char *flag_match(const char *arg, const char *flag)
{
	size_t len = strlen(flag);

	if (flag[0] != '-') {
		if (arg[0] != '-' || arg[1] != '-')
			return NULL;
		arg += 2;
	}
	if (strncmp(arg, flag, len))
		return NULL;
	arg += len;
	return *arg == '=' || !*arg ? arg : NULL;
}

int config_scan_flag(int argc, char **argv, const char *flag,
		     const char **out, int max)
{
	const char *rest, *val;
	int i, found = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		rest = flag_match(argv[i], flag);
		if (!rest)
			continue;
		if (*rest == '=')
			val = rest + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			break;
		if (found < max)
			out[found] = val;
		found++;
	}
	return found;
}

bool config_has_flag(int argc, char **argv, const char *flag)
{
	const char *rest;
	bool b;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		rest = flag_match(argv[i], flag);
		if (!rest)
			continue;
		/* A bad value counts as set: the full parse reports it. */
		if (*rest != '=' || parse_bool(rest + 1, &b) || b)
			return true;
	}
	return false;
}

/* ---- profiles ------------------------------------------------------- */

struct prof {
	struct config *cfg;
	FILE *f;
	char *line;		/* getline() buffer */
	size_t cap;
	int lineno;
	long cur;		/* index of the current section, -1: none */
	int io_err;		/* errno of a failed read */
	int err_line;		/* line of our first error, 0: none */
	char msg[512];
};

static void prof_err(struct prof *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void prof_err(struct prof *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err_line)
		return;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	st->err_line = st->lineno;
}

static bool name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

/* Is name (kind[:instance]) a section this profile may declare? */
static int prof_section_check(struct prof *st, const char *name)
{
	struct config *cfg = st->cfg;
	const char *colon = strchr(name, ':'), *dot;
	size_t klen = colon ? (size_t)(colon - name) : strlen(name);
	bool sink = !strncmp(name, "sink.", 5);
	char kind[256], why[sizeof(st->msg)];

	dot = strchr(name, '.');
	if (kind_eq("core", name, klen)) {
		if (!colon)
			return 0;
	} else if ((sink || !strncmp(name, "tracer.", 7)) && dot &&
		   name_ok(dot + 1, klen - (dot + 1 - name)) &&
		   klen < sizeof(kind)) {
		if (colon && !sink) {
			prof_err(st, "only sink sections take an instance name: [%s]",
				 name);
			return -EINVAL;
		}
		if (!colon || name_ok(colon + 1, strlen(colon + 1))) {
			memcpy(kind, name, klen);
			kind[klen] = '\0';
			/* Give the caller a chance to load the plugin. */
			why[0] = '\0';
			if (!kind_has_rows(cfg, kind) && cfg->need_section &&
			    cfg->need_section(cfg, kind, cfg->need_arg, why,
					      sizeof(why)) && why[0]) {
				prof_err(st, "%s", why);
				return -EINVAL;
			}
			if (kind_has_rows(cfg, kind))
				return 0;
		}
	}
	prof_err(st, "unknown section [%s]", name);
	return -EINVAL;
}

static int prof_section(struct prof *st, const char *p)
{
	struct config *cfg = st->cfg;
	struct config_section *sec;
	const char *end, *rest, *start;
	char *name;
	int err = -EINVAL;

	end = strchr(p, ']');
	if (!end) {
		prof_err(st, "syntax error: missing ']'");
		return -EINVAL;
	}
	for (rest = end + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#') {
		prof_err(st, "syntax error: text after ']'");
		return -EINVAL;
	}
	for (start = p + 1; isspace((unsigned char)*start); start++)
		;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	name = strndup(start, end - start);
	if (!name) {
		prof_err(st, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}

	if (prof_section_check(st, name))
		goto out_free;
	sec = config_section(cfg, name);
	if (sec && sec->file) {
		prof_err(st, "duplicate section [%s] (first at line %d)",
			 name, sec->line);
		goto out_free;
	}
	sec = config_section_add(cfg, name, CONFIG_PROFILE);
	if (!sec) {
		err = -errno;
		prof_err(st, "%s", strerror(errno));
		goto out_free;
	}
	sec->file = cfg->profile_path;
	sec->line = st->lineno;
	st->cur = sec - cfg->sections;
	err = 0;
out_free:
	free(name);
	return err;
}

/*
 * inih's reader: one line per call, so its line count is ours. Sections
 * are handled here because inih neither numbers the handler's calls nor
 * reports empty sections. Leading blanks are dropped so that an indented
 * key is a key, not an inih continuation line. Returning NULL after our
 * first error stops the parse there.
 */
static char *prof_read(char *str, int num, void *stream)
{
	struct prof *st = stream;
	ssize_t len;
	char *p;

	if (st->err_line)
		return NULL;
	errno = 0;
	len = getline(&st->line, &st->cap, st->f);
	if (len < 0) {
		if (ferror(st->f))
			st->io_err = errno ? errno : EIO;
		return NULL;
	}
	st->lineno++;
	p = st->line;
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		p[--len] = '\0';
	if (st->lineno == 1 && !strncmp(p, "\xef\xbb\xbf", 3)) {
		p += 3;
		len -= 3;
	}
	/* inih's buffer must also hold "\r\n\0". */
	if (len > num - 3) {
		prof_err(st, "line too long (max %d characters)", num - 3);
		return NULL;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[' && prof_section(st, p))
		return NULL;
	strcpy(str, p);
	return str;
}

static int prof_handler(void *user, const char *section, const char *name,
			const char *value)
{
	struct prof *st = user;
	struct config *cfg = st->cfg;
	const struct vista_option *row;
	struct config_section *sec;
	struct config_value *v;
	const char *why = NULL;
	char detail[128];
	size_t len;
	char *text;
	int err;

	(void)section;	/* prof_read() tracks it, with its line */
	if (!name)	/* a new-section call, if inih was built for them */
		return 1;
	if (st->cur < 0) {
		prof_err(st, "key '%s' is outside of any section", name);
		return 0;
	}
	sec = &cfg->sections[st->cur];
	row = row_in_kind(cfg, sec->kind, strlen(sec->kind), name,
			  strcmp(sec->kind, "core") != 0, true);
	if (!row) {
		prof_err(st, "unknown key '%s' in [%s]", name, sec->name);
		return 0;
	}
	if (!value) {
		prof_err(st, "%s: needs a value", name);
		return 0;
	}
	v = section_value(sec, row);
	if (v && v->file && row->type != VISTA_OPT_STRINGS) {
		prof_err(st, "duplicate key '%s' in [%s] (first at line %d)",
			 name, sec->name, v->line);
		return 0;
	}

	/* Allow value = "..." for values with leading or trailing blanks. */
	len = strlen(value);
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
		text = strndup(value + 1, len - 2);
	else
		text = strdup(value);
	if (!text) {
		prof_err(st, "%s", strerror(ENOMEM));
		return 0;
	}
	err = value_set(sec, row, text, CONFIG_PROFILE, cfg->profile_path,
			st->lineno, &why);
	if (err == -EINVAL) {
		cfg_why(row, why, detail, sizeof(detail));
		prof_err(st, "%s: invalid value \"%s\": %s", name, text,
			 detail);
	} else if (err) {
		prof_err(st, "%s", strerror(-err));
	}
	free(text);
	return !err;
}

int config_load_profile(struct config *cfg, const char *path)
{
	struct prof st = { .cfg = cfg, .cur = -1 };
	int ret, err = -EINVAL;

	if (cfg->profile_path) {
		config_err("%s: only one profile can be used (%s is loaded)",
			path, cfg->profile_path);
		return -EINVAL;
	}
	st.f = fopen(path, "r");
	if (!st.f) {
		config_err("%s: %s", path, strerror(errno));
		return -EINVAL;
	}
	cfg->profile_path = strdup(path);
	if (!cfg->profile_path) {
		config_err("%s: %s", path, strerror(ENOMEM));
		err = -ENOMEM;
		goto out_close;
	}

	ret = ini_parse_stream(prof_read, &st, prof_handler, &st);
	if (st.io_err)
		config_err("%s: %s", path, strerror(st.io_err));
	else if (ret > 0 && (!st.err_line || ret < st.err_line))
		config_err("%s:%d: syntax error", path, ret);
	else if (st.err_line)
		config_err("%s:%d: %s", path, st.err_line, st.msg);
	else if (ret < 0)
		config_err("%s: %s", path, strerror(ENOMEM));
	else
		err = sync_filter(cfg);

	free(st.line);
out_close:
	fclose(st.f);
	return err;
}

/* ---- --help --------------------------------------------------------- */

static int help_cmp(const void *a, const void *b)
{
	const struct vista_option *x = *(const struct vista_option **)a;
	const struct vista_option *y = *(const struct vista_option **)b;

	return strcmp(x->flag, y->flag);
}

/* pflag's rule: no "(default ...)" for a type's zero value. */
static bool help_show_default(const struct vista_option *o)
{
	if (!o->def || !*o->def)
		return false;
	switch (o->type) {
	case VISTA_OPT_BOOL:
		return strcmp(o->def, "false") != 0;
	case VISTA_OPT_UINT:
	case VISTA_OPT_INT:
		return strcmp(o->def, "0") != 0;
	case VISTA_OPT_DURATION:
		return strcmp(o->def, "0") && strcmp(o->def, "0s");
	default:
		return true;
	}
}

/* "  -h, --help" or "      --name metavar", into buf. */
static int help_prefix(const struct vista_option *o, char *buf, size_t size)
{
	const char *metavar = o->type == VISTA_OPT_BOOL ? NULL : o->metavar;

	if (o->short_flag)
		return snprintf(buf, size, "  -%c, --%s%s%s", o->short_flag,
				o->flag, metavar ? " " : "",
				metavar ? metavar : "");
	return snprintf(buf, size, "      --%s%s%s", o->flag,
			metavar ? " " : "", metavar ? metavar : "");
}

void config_print_help(const struct config *cfg, FILE *out)
{
	const struct vista_option **list;
	size_t i, nr = 0;
	char prefix[128];
	int n, width = 0;

	fprintf(out, "Usage: vista [options] [pcap-filter]\n");
	fprintf(out, "    Available pcap-filter: see \"man 7 pcap-filter\"\n");
	fprintf(out, "    Available options:\n");

	list = malloc((cfg->nr_rows ? cfg->nr_rows : 1) * sizeof(*list));
	if (!list)
		return;
	for (i = 0; i < cfg->nr_rows; i++)
		if (cfg->rows[i]->flag)
			list[nr++] = cfg->rows[i];
	qsort(list, nr, sizeof(*list), help_cmp);
	for (i = 0; i < nr; i++) {
		n = help_prefix(list[i], prefix, sizeof(prefix));
		if (n > width)
			width = n;
	}

	/* As pflag: the help column starts 3 past the longest prefix. */
	for (i = 0; i < nr; i++) {
		const struct vista_option *o = list[i];

		n = help_prefix(o, prefix, sizeof(prefix));
		fprintf(out, "%s%*s%s", prefix, width - n + 3, "",
			o->help ? o->help : "");
		if (help_show_default(o)) {
			if (o->type == VISTA_OPT_STRING ||
			    o->type == VISTA_OPT_ENUM)
				fprintf(out, " (default \"%s\")", o->def);
			else if (o->type == VISTA_OPT_STRINGS)
				fprintf(out, " (default [%s])", o->def);
			else
				fprintf(out, " (default %s)", o->def);
		}
		fputc('\n', out);
	}
	free(list);
}
