// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the command line (config_parse_cli). The input is split at
 * NUL bytes into arguments. Whatever they are, parsing must not crash or
 * leak, and a rejection must be one line naming the flag ("--flag: ...")
 * or saying what is wrong ("vista: ...").
 */
#include <stdint.h>
#include "fuzz_common.h"

#define FZ_MAX_ARGS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FZ_MAX_ARGS + 2], *buf;
	struct config cfg;
	const char *msg;
	size_t lines, i;
	int argc = 1, ret;

	/* Arguments are C strings: a NUL-terminated copy to split. */
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "vista";
	argv[argc++] = buf;
	for (i = 0; i < size && argc <= FZ_MAX_ARGS; i++)
		if (!buf[i])
			argv[argc++] = buf + i + 1;
	argv[argc] = NULL;

	fz_config(&cfg);
	fz_capture();
	ret = config_parse_cli(&cfg, argc, argv);
	msg = fz_captured(&lines);
	if (ret) {
		if (lines != 1)
			fz_fail("a rejection takes exactly one line", msg);
		if (strncmp(msg, "--", 2) && strncmp(msg, "vista: ", 7))
			fz_fail("a rejection names the flag or vista", msg);
	} else if (lines) {
		fz_fail("an accepted command line prints nothing", msg);
	}
	config_free(&cfg);
	free(buf);
	return 0;
}
