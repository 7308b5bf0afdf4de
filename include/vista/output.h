/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Opening a sink's output file the same way in every sink.
 *
 * O_NOFOLLOW: a symlink planted at the output path (vista runs as root)
 * is refused. Only regular files are truncated: /dev/null or a fifo keep
 * whatever they are. New files are 0600. NULL or "-" is stdout (a
 * duplicate, so closing it leaves stdout alone).
 */
#ifndef VISTA_OUTPUT_H
#define VISTA_OUTPUT_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* A writable fd, or -errno. */
static inline int vista_open_output(const char *path)
{
	struct stat sb;
	int fd, err;

	if (!path || !strcmp(path, "-")) {
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 ||
	    (S_ISREG(sb.st_mode) && ftruncate(fd, 0) < 0)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

#endif /* VISTA_OUTPUT_H */
