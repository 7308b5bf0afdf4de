// SPDX-License-Identifier: GPL-2.0-only
/*
 * The benchmarks' packet source: UDP datagrams of SIZE bytes to
 * ADDR:PORT as fast as one thread sends them, for SECONDS; prints how
 * many were sent. The send path runs the whole stack (and vista's
 * programs on it), so the rate is the cost per packet, inverted.
 *
 *   udpflood ADDR PORT SECONDS [SIZE]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[1500] = { 0 };
	unsigned long long sent = 0;
	double end, secs;
	size_t size;
	int fd, i;

	if (argc < 4 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: udpflood ADDR PORT SECONDS [SIZE]\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[2]));
	secs = atof(argv[3]);
	size = argc > 4 ? (size_t)atoi(argv[4]) : 64;
	if (size > sizeof(buf))
		size = sizeof(buf);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("udpflood");
		return 1;
	}
	end = now() + secs;
	while (now() < end)
		for (i = 0; i < 256; i++)
			if (send(fd, buf, size, 0) == (ssize_t)size)
				sent++;
	printf("%llu\n", sent);
	return 0;
}
