/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stub struct vista_host for plugin unit tests: options come from a small
 * key=value table the test fills, log lines go to a buffer, and ifname,
 * ksym, enum_name and target_name answer from canned tables. prepare and
 * attach only count their calls and return what the test asked for.
 *
 * All state is global: Criterion runs each test in its own process.
 * Call stub_reset() in a test's init to start from an empty table.
 */
#ifndef VISTA_TEST_STUB_HOST_H
#define VISTA_TEST_STUB_HOST_H

#include <stdbool.h>
#include <linux/types.h>
#include <vista/plugin.h>

extern const struct vista_host stub_host;

struct stub_calls {
	unsigned int prepare;
	unsigned int attach;
	const struct vista_attach *last_req;	/* of the last prepare() */
	int prepare_ret;			/* returned by prepare() */
	int attach_ret;			/* returned by attach() */
};

extern struct stub_calls stub_calls;

/* Forget options, canned names, log and counters. */
void stub_reset(void);

/* A ctx named name (e.g. "text") on stub_host, priv NULL. */
struct vista_ctx *stub_ctx(const char *name);

/*
 * Set an option as text ("1"/"true"/"yes"/"on" are true for opt_bool);
 * val NULL unsets it. Both strings are copied. Aborts when the table is full.
 */
void stub_opt(const char *key, const char *val);

/* Canned answers; lookups of anything else return NULL. */
void stub_ifname(__u32 netns, __u32 ifindex, const char *name);
void stub_ksym(__u64 addr, const char *name);
void stub_enum(const char *type, __s64 value, const char *name);
void stub_target(__u32 target, const char *name);

/*
 * Everything logged so far, one line per call:
 * "<level> <ctx name>: <message>\n", level one of error, warn, info, debug.
 */
const char *stub_log(void);
/* Number of log calls at level (or at any level for -1). */
unsigned int stub_log_count(int level);

#endif /* VISTA_TEST_STUB_HOST_H */
