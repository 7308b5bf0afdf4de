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
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
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

/*
 * The fast appenders: a record is a few hundred bytes made of dozens of
 * pieces, and a printf call per piece costs more than the rest of an
 * event's way through vista. These copy, or convert numbers by hand;
 * vista_strbuf_printf() is for what is rare.
 */

/* Room for n more bytes and the NUL; false (oom set) if there is none. */
static inline bool vista_strbuf_room(struct vista_strbuf *sb, size_t n)
{
	size_t cap;
	char *p;

	if (sb->oom)
		return false;
	if (sb->len + n < sb->cap)
		return true;
	for (cap = sb->cap ? sb->cap : 64; cap <= sb->len + n; cap *= 2)
		;
	p = realloc(sb->p, cap);
	if (!p) {
		sb->oom = true;
		return false;
	}
	sb->p = p;
	sb->cap = cap;
	return true;
}

static inline __attribute__((format(printf, 2, 3)))
void vista_strbuf_printf(struct vista_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
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
	if ((size_t)n >= sb->cap - sb->len) {	/* it did not fit: grow */
		if (!vista_strbuf_room(sb, n))
			return;
		va_start(ap, fmt);
		vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += n;
}

static inline void vista_strbuf_put(struct vista_strbuf *sb, const char *s,
				    size_t n)
{
	if (!vista_strbuf_room(sb, n))
		return;
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static inline void vista_strbuf_puts(struct vista_strbuf *sb, const char *s)
{
	vista_strbuf_put(sb, s, strlen(s));
}

static inline void vista_strbuf_putc(struct vista_strbuf *sb, char c)
{
	vista_strbuf_put(sb, &c, 1);
}

/* s (n bytes) right-aligned in width columns, as printf's %*s. */
static inline void vista_strbuf_pad(struct vista_strbuf *sb, const char *s,
				    size_t n, size_t width)
{
	size_t pad = n < width ? width - n : 0;

	if (!vista_strbuf_room(sb, pad + n))
		return;
	memset(sb->p + sb->len, ' ', pad);
	memcpy(sb->p + sb->len + pad, s, n);
	sb->len += pad + n;
	sb->p[sb->len] = '\0';
}

/*
 * v in decimal (base 10) or lower-case hex (16), at least min digits
 * (zero-padded), into out (room for 20 digits, no NUL); returns the
 * number of digits.
 */
static inline size_t vista_fmt_u64(char *out, unsigned long long v,
				   unsigned int base, unsigned int min)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n < min && n < sizeof(tmp))
		tmp[n++] = '0';
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static inline void vista_strbuf_u64(struct vista_strbuf *sb,
				    unsigned long long v)
{
	char d[20];

	vista_strbuf_put(sb, d, vista_fmt_u64(d, v, 10, 1));
}

static inline void vista_strbuf_i64(struct vista_strbuf *sb, long long v)
{
	if (v < 0) {
		vista_strbuf_putc(sb, '-');
		vista_strbuf_u64(sb, -(unsigned long long)v);
	} else {
		vista_strbuf_u64(sb, v);
	}
}

/* "0x" and v in lower-case hex, at least min digits. */
static inline void vista_strbuf_hex(struct vista_strbuf *sb,
				    unsigned long long v, unsigned int min)
{
	char d[22] = "0x";

	vista_strbuf_put(sb, d, 2 + vista_fmt_u64(d + 2, v, 16, min));
}

/*
 * An IPv4 (4 bytes) or IPv6 (16) address in its usual text form into out
 * (INET6_ADDRSTRLEN bytes), NUL-terminated; returns its length. IPv4 by
 * hand, IPv6 through inet_ntop() (the rules for :: are its own).
 */
static inline size_t vista_fmt_addr(char *out, size_t size, int family,
				    const unsigned char *a)
{
	size_t n = 0;
	int i;

	if (family == AF_INET && size >= 16) {
		for (i = 0; i < 4; i++) {
			if (i)
				out[n++] = '.';
			n += vista_fmt_u64(out + n, a[i], 10, 1);
		}
		out[n] = '\0';
		return n;
	}
	if (!inet_ntop(family, a, out, size))
		return 0;
	return strlen(out);
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

/*
 * A write's error for messages. vista restarts writes interrupted by its
 * first SIGINT or SIGTERM; EINTR means a second came while the reader
 * was not reading, and the sink gives up its output.
 */
static inline const char *vista_write_strerror(int err)
{
	return err == EINTR ? "given up on a second signal: the reader "
			      "was not reading" : strerror(err);
}

static inline int vista_stream_error(struct vista_ctx *ctx,
				     struct vista_stream *s, int err)
{
	if (!err)
		err = EIO;
	if (!s->err) {
		s->err = -err;
		vista_err(ctx, "%s: %s", s->name ? s->name : "?",
			  vista_write_strerror(err));
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

/*
 * A write failed (a full disk): what stdio still holds is dropped, not
 * written later by fclose(), and a regular file is cut back to the end
 * of its last complete line: no line is left half written (a record of
 * several lines, a stack, may end early). The file is read back through
 * /proc/self/fd: it was opened write-only. Returns 0, or -errno of a
 * cut that failed (the callers report the write's error, not this).
 */
static inline int vista_stream_cut(struct vista_stream *s)
{
	char path[64], buf[4096];
	off_t end, from, keep = 0;
	struct stat sb;
	ssize_t n;
	int fd, rfd, ret = 0;

	__fpurge(s->fp);
	fd = fileno(s->fp);
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rfd = open(path, O_RDONLY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	for (end = sb.st_size; end > 0; end = from) {
		from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		n = pread(rfd, buf, end - from, from);
		if (n != end - from) {
			ret = -EIO;	/* cannot tell where: leave it */
			goto out;
		}
		while (n > 0 && buf[n - 1] != '\n')
			n--;
		if (n) {
			keep = from + n;
			break;
		}
	}
	if (keep < sb.st_size && ftruncate(fd, keep))
		ret = -errno;
out:
	close(rfd);
	return ret;
}

static inline int vista_stream_write(struct vista_ctx *ctx,
				     struct vista_stream *s, const void *p,
				     size_t n)
{
	if (s->err)
		return s->err;
	errno = 0;
	if (fwrite(p, 1, n, s->fp) != n) {
		int err = errno;

		vista_stream_cut(s);
		return vista_stream_error(ctx, s, err);
	}
	return 0;
}

static inline int vista_stream_flush(struct vista_ctx *ctx,
				     struct vista_stream *s)
{
	if (s->err)
		return s->err;
	errno = 0;
	if (fflush(s->fp)) {
		int err = errno;

		vista_stream_cut(s);
		return vista_stream_error(ctx, s, err);
	}
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
