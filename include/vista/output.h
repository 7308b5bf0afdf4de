/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every sink needs: its output file opened the same way, a growable
 * buffer to format a record into, and a buffered stream that keeps (and
 * logs once) its first error.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <vista/plugin.h>

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

/*
 * A record's text: len bytes at p (NUL-terminated), cap allocated. A
 * failed allocation sets oom and drops what follows: the sink checks oom
 * once per record.
 */
struct vista_strbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static inline int vista_strbuf_init(struct vista_strbuf *sb, size_t cap)
{
	sb->p = malloc(cap);
	sb->len = 0;
	sb->cap = sb->p ? cap : 0;
	sb->oom = !sb->p;
	if (sb->p)
		sb->p[0] = '\0';
	return sb->p ? 0 : -ENOMEM;
}

static inline void vista_strbuf_reset(struct vista_strbuf *sb)
{
	sb->len = 0;
	sb->oom = !sb->p;
}

static inline void vista_strbuf_free(struct vista_strbuf *sb)
{
	free(sb->p);
	sb->p = NULL;
	sb->len = sb->cap = 0;
}

static inline __attribute__((format(printf, 2, 3)))
void vista_strbuf_printf(struct vista_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	if (sb->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->oom = true;
		return;
	}
	if ((size_t)n < sb->cap - sb->len) {
		sb->len += n;
		return;
	}
	for (cap = sb->cap; cap < sb->len + n + 1; cap *= 2)
		;
	p = realloc(sb->p, cap);
	if (!p) {
		sb->oom = true;
		return;
	}
	sb->p = p;
	sb->cap = cap;
	va_start(ap, fmt);
	vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += n;
}

/*
 * A sink's buffered output: its file (vista_open_output()), line-buffered
 * on a terminal and fully buffered elsewhere. The first error is logged
 * (with the sink's name and the file's) and returned by every later call.
 */
struct vista_stream {
	FILE *fp;
	char *name;		/* the path, or "stdout", for messages */
	char *buf;
	int err;		/* the first error, -errno, or 0 */
};

static inline int vista_stream_error(struct vista_ctx *ctx,
				     struct vista_stream *s, int err)
{
	if (!err)
		err = EIO;
	if (!s->err) {
		s->err = -err;
		vista_err(ctx, "%s: %s", s->name ? s->name : "?",
			  strerror(err));
	}
	return s->err;
}

/* path NULL, "" or "-": stdout. 0, or -errno (logged). */
static inline int vista_stream_open(struct vista_ctx *ctx,
				    struct vista_stream *s, const char *path,
				    size_t bufsize)
{
	int fd;

	memset(s, 0, sizeof(*s));
	if (path && (!path[0] || !strcmp(path, "-")))
		path = NULL;
	s->name = strdup(path ? path : "stdout");
	s->buf = malloc(bufsize);
	if (!s->name || !s->buf)
		return vista_stream_error(ctx, s, ENOMEM);
	fd = vista_open_output(path);
	if (fd < 0)
		return vista_stream_error(ctx, s, -fd);
	s->fp = fdopen(fd, "w");
	if (!s->fp) {
		close(fd);
		return vista_stream_error(ctx, s, errno);
	}
	setvbuf(s->fp, s->buf, isatty(fd) ? _IOLBF : _IOFBF, bufsize);
	return 0;
}

static inline int vista_stream_write(struct vista_ctx *ctx,
				     struct vista_stream *s, const void *p,
				     size_t n)
{
	if (s->err)
		return s->err;
	errno = 0;
	if (fwrite(p, 1, n, s->fp) != n)
		return vista_stream_error(ctx, s, errno);
	return 0;
}

static inline int vista_stream_flush(struct vista_ctx *ctx,
				     struct vista_stream *s)
{
	if (s->err)
		return s->err;
	errno = 0;
	if (fflush(s->fp))
		return vista_stream_error(ctx, s, errno);
	return 0;
}

/* Flush (unless it already failed), close, free. */
static inline void vista_stream_close(struct vista_ctx *ctx,
				      struct vista_stream *s)
{
	if (s->fp) {
		vista_stream_flush(ctx, s);
		errno = 0;
		if (fclose(s->fp) && !s->err)
			vista_stream_error(ctx, s, errno);
		s->fp = NULL;
	}
	free(s->buf);
	free(s->name);
	s->buf = s->name = NULL;
}

#endif /* VISTA_OUTPUT_H */
