// SPDX-License-Identifier: GPL-2.0-only
/*
 * floor: the least any tracer can cost on these tracepoints. Attaches a
 * BPF program that does nothing (return 0) to each raw tracepoint named
 * on the command line, says "attached N", and holds them until SIGINT or
 * SIGTERM; its links go with its file descriptors. bench/run.sh measures
 * pps with it next to vista: what is left between the two is vista's.
 *
 *   floor TRACEPOINT...
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const struct bpf_insn ret0[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int prog, i, n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: floor TRACEPOINT...\n");
		return 2;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "floor", "GPL",
			     ret0, 2, NULL);
	if (prog < 0) {
		fprintf(stderr, "floor: cannot load: %s\n", strerror(errno));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (bpf_raw_tracepoint_open(argv[i], prog) < 0)
			fprintf(stderr, "floor: %s: %s\n", argv[i],
				strerror(errno));
		else
			n++;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "floor: attached %d of %d\n", n, argc - 1);
	while (!stop)
		pause();
	return 0;
}
