// SPDX-License-Identifier: GPL-2.0-only
/* One-line messages on stderr: "vista: [who: ]message". */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "config.h"
#include "core.h"

int vlog_level = VISTA_LOG_INFO;

double vlog_ms(void)
{
	static struct timespec t0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = now;
	return (now.tv_sec - t0.tv_sec) * 1e3 +
	       (now.tv_nsec - t0.tv_nsec) / 1e6;
}

void vlog(enum vista_log_level level, const char *who, const char *fmt, ...)
{
	static const char *const tag[] = {
		[VISTA_LOG_ERROR] = "",
		[VISTA_LOG_WARN] = "warning: ",
		[VISTA_LOG_INFO] = "",
		[VISTA_LOG_DEBUG] = "debug: ",
	};
	char msg[1024], out[4096];
	va_list ap;

	if ((int)level > vlog_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Names from the user or the kernel: one line, whatever they hold. */
	config_escape(out, sizeof(out), msg);
	fprintf(stderr, "vista: %s%s%s%s\n", tag[level], who ? who : "",
		who ? ": " : "", out);
}
