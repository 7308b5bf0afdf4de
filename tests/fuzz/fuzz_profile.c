// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: INI profiles (config_load_profile). Whatever the bytes, the
 * parser must not crash or leak, and a rejected profile must be reported
 * in exactly one line that starts with "FILE:LINE: " (or "FILE: " for
 * what has no line: an unreadable file), naming the input's path.
 */
#include <ctype.h>
#include <stdint.h>
#include "fuzz_common.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	const char *msg, *p;
	size_t lines, plen;
	FILE *f;
	int ret;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/vista-fuzz-%d.ini",
			 (int)getpid());
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	fz_config(&cfg);
	fz_capture();
	ret = config_load_profile(&cfg, path);
	msg = fz_captured(&lines);
	if (ret) {
		plen = strlen(path);
		if (lines != 1)
			fz_fail("a rejection takes exactly one line", msg);
		if (strncmp(msg, path, plen) || msg[plen] != ':')
			fz_fail("a rejection starts with the file", msg);
		p = msg + plen + 1;
		if (isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)*p))
				p++;
			if (*p != ':' || atoi(msg + plen + 1) < 1)
				fz_fail("FILE:LINE: with a line from 1", msg);
			p++;
		}
		if (*p != ' ' || p[1] == '\n')
			fz_fail("a rejection says why", msg);
	} else if (lines) {
		fz_fail("an accepted profile prints nothing", msg);
	}
	config_free(&cfg);
	return 0;
}
