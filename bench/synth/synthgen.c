// SPDX-License-Identifier: GPL-2.0-only
/*
 * synthgen: ask the synth plugin (vista running with [tracer.synth]) for
 * RATE events per second during SECONDS, in batches of BATCH events
 * (default 1000) at evenly spaced moments on an absolute schedule, so a
 * late batch does not shift the ones after it. Prints the events asked
 * for and the time it took.
 *
 *   synthgen RATE SECONDS [BATCH]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include "synth.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long arg(const char *s, const char *what, double *d)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v <= 0) {
		fprintf(stderr, "synthgen: %s: not a positive number: %s\n",
			what, s);
		exit(2);
	}
	if (d)
		*d = v;
	return (unsigned long long)v;
}

int main(int argc, char **argv)
{
	unsigned long long rate, batch = 1000, total, done = 0, n;
	struct timespec at;
	double secs, t0, due;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: synthgen RATE SECONDS [BATCH]\n");
		return 2;
	}
	rate = arg(argv[1], "RATE", NULL);
	arg(argv[2], "SECONDS", &secs);
	if (argc == 4)
		batch = arg(argv[3], "BATCH", NULL);
	if (batch > SYNTH_MAX_BATCH)
		batch = SYNTH_MAX_BATCH;
	total = (unsigned long long)(rate * secs);
	t0 = now();
	while (done < total) {
		n = total - done < batch ? total - done : batch;
		/* EINVAL from the kernel: the plugin already did its work. */
		prctl(SYNTH_PRCTL, n, done, 0, 0);
		done += n;
		due = t0 + (double)done / rate;	/* when the next batch is */
		at.tv_sec = (time_t)due;
		at.tv_nsec = (long)((due - at.tv_sec) * 1e9);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at,
				       NULL) == EINTR)
			;
	}
	printf("%llu %.6f\n", done, now() - t0);
	return 0;
}
