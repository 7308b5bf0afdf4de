/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the profile and command-line harnesses share: a config with the
 * core's rows and a plugin's and a sink's of every option type, and
 * stderr captured per input to check the one-line error rule.
 */
#ifndef VISTA_FUZZ_COMMON_H
#define VISTA_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

/* A plugin's and a sink's rows: every option type, as plugins declare. */
static const struct vista_option fz_rows[] = {
	{ "fz-bool", 0, "tracer.fz", "bool", VISTA_OPT_BOOL, "bool", "false",
	  0, NULL, "b", VISTA_OPTF_ACTIVATES },
	{ "fz-uint", 0, "tracer.fz", "uint", VISTA_OPT_UINT, "uint16", "7",
	  65535, NULL, "u", 0 },
	{ "fz-int", 0, "tracer.fz", "int", VISTA_OPT_INT, "int", "0", 0,
	  NULL, "i", 0 },
	{ "fz-str", 0, "tracer.fz", "str", VISTA_OPT_STRING, "string", NULL,
	  0, NULL, "s", 0 },
	{ "fz-strs", 0, "tracer.fz", "strs", VISTA_OPT_STRINGS, "strings",
	  NULL, 0, NULL, "ss", 0 },
	{ "fz-dur", 0, "tracer.fz", "dur", VISTA_OPT_DURATION, "duration",
	  "1s", 0, NULL, "d", 0 },
	{ "fz-enum", 0, "tracer.fz", "enum", VISTA_OPT_ENUM, "mode", "a", 0,
	  "a|bb|ccc", "e", 0 },
	{ "fz-later", 0, "tracer.fz", "later", VISTA_OPT_BOOL, "bool",
	  "false", 0, NULL, "n", VISTA_OPTF_NOT_YET },
	{ NULL, 0, "sink.fzs", "file", VISTA_OPT_STRING, "string", NULL, 0,
	  NULL, "f", 0 },
	{ NULL, 0, "sink.fzs", "limit", VISTA_OPT_UINT, "uint", "0",
	  (__u64)-1, NULL, "l", 0 },
};

static void fz_config(struct config *cfg)
{
	if (config_init(cfg) ||
	    config_add_rows(cfg, vista_core_options, vista_nr_core_options) ||
	    config_add_rows(cfg, fz_rows, sizeof(fz_rows) / sizeof(*fz_rows)))
		abort();
}

/* stderr goes to a file while an input runs. */
static FILE *fz_err;
static int fz_saved_err = -1;

static void fz_capture(void)
{
	fflush(stderr);
	if (!fz_err) {
		fz_err = tmpfile();
		fz_saved_err = dup(2);
		if (!fz_err || fz_saved_err < 0)
			abort();
	}
	if (ftruncate(fileno(fz_err), 0) || fseek(fz_err, 0, SEEK_SET) ||
	    dup2(fileno(fz_err), 2) < 0)
		abort();
}

/* What was written (NUL-terminated, static), stderr restored. */
static const char *fz_captured(size_t *lines)
{
	static char buf[8192];
	size_t n, i;

	fflush(stderr);
	dup2(fz_saved_err, 2);
	fflush(fz_err);
	rewind(fz_err);
	n = fread(buf, 1, sizeof(buf) - 1, fz_err);
	buf[n] = '\0';
	for (i = 0, *lines = 0; i < n; i++)
		*lines += buf[i] == '\n';
	return buf;
}

/* A broken rule: say which, with the message, and stop the fuzzer. */
static void fz_fail(const char *rule, const char *msg)
{
	fprintf(stderr, "fuzz: %s:\n%s\n", rule, msg);
	abort();
}

#endif /* VISTA_FUZZ_COMMON_H */
