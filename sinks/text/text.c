// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text sink: one line per record, in the original tool's format
 * ("SKB/SK CPU PROCESS FUNC" columns, then meta, tuple, group sub-lines and
 * stack frames).
 *
 * Each record is built in a buffer and handed to stdio with one fwrite, so
 * lines never interleave with other writers of the same stream.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vista/output.h>
#include <vista/plugin.h>

#define TEXT_STDIO_BUF		(256 * 1024)
#define TEXT_LINE_BUF		4096

/*
 * --timestamp relative remembers the last timestamp of this many objects;
 * beyond it the oldest one is forgotten (its next event prints 0 again).
 */
#define TEXT_LAST_MAX		65536
/* a power of two, at most half full */
#define TEXT_LAST_SLOTS		(2 * TEXT_LAST_MAX)

#define TEXT_ETH_P_IP		0x0800
#define TEXT_ETH_P_IPV6		0x86dd

enum text_ts {
	TEXT_TS_NONE,
	TEXT_TS_RELATIVE,
	TEXT_TS_ABSOLUTE,
};

struct text_last {
	__u64 obj;		/* 0: free slot */
	__u64 ts;
};

struct text_state {
	struct vista_stream out;	/* the first error logged once */
	enum text_ts ts_mode;
	bool meta;
	bool tuple;

	struct vista_strbuf sb;	/* the record being built */
	bool header_done;	/* the column header is out */

	/* --timestamp relative: obj -> last ts, evicted in insertion order */
	struct text_last *last;
	__u64 *order;		/* ring of TEXT_LAST_MAX keys */
	unsigned int head;
	unsigned int count;
	bool zero_seen;		/* obj 0 cannot live in the table */
	__u64 zero_ts;
};

/* The record's buffer, and the appenders of <vista/output.h> on it. */
#define text_out(st, ...) vista_strbuf_printf(&(st)->sb, __VA_ARGS__)
#define text_puts(st, s) vista_strbuf_puts(&(st)->sb, s)
#define text_u64(st, v) vista_strbuf_u64(&(st)->sb, v)
#define text_hex(st, v, min) vista_strbuf_hex(&(st)->sb, v, min)

/* " key=" */
static void text_key(struct text_state *st, const char *key)
{
	vista_strbuf_putc(&st->sb, ' ');
	text_puts(st, key);
	vista_strbuf_putc(&st->sb, '=');
}

/* ---- relative timestamps ------------------------------------------------ */

static unsigned int text_hash(__u64 obj)
{
	return (obj * 0x9e3779b97f4a7c15ULL) >> 47;	/* 17 bits */
}

_Static_assert(TEXT_LAST_SLOTS == 1 << 17, "text_hash width");

static struct text_last *text_last_find(struct text_state *st, __u64 obj)
{
	unsigned int i = text_hash(obj);

	while (st->last[i].obj && st->last[i].obj != obj)
		i = (i + 1) & (TEXT_LAST_SLOTS - 1);
	return &st->last[i];
}

/* Linear probing: shift later members of the cluster back into the hole. */
static void text_last_del(struct text_state *st, __u64 obj)
{
	unsigned int mask = TEXT_LAST_SLOTS - 1;
	unsigned int i = text_last_find(st, obj) - st->last;
	unsigned int j = i, k;

	if (!st->last[i].obj)
		return;
	for (;;) {
		j = (j + 1) & mask;
		if (!st->last[j].obj)
			break;
		k = text_hash(st->last[j].obj);
		/* stays if its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->last[i] = st->last[j];
		i = j;
	}
	st->last[i].obj = 0;
}

/* ns since the previous event of obj, 0 for its first one */
static __u64 text_relative(struct text_state *st, __u64 obj, __u64 ts)
{
	struct text_last *e;
	__u64 *last;
	__u64 delta = 0;

	if (!obj) {
		last = st->zero_seen ? &st->zero_ts : NULL;
		st->zero_seen = true;
		if (!last) {
			st->zero_ts = ts;
			return 0;
		}
	} else {
		e = text_last_find(st, obj);
		if (!e->obj) {
			if (st->count == TEXT_LAST_MAX) {
				text_last_del(st, st->order[st->head]);
				st->order[st->head] = obj;
				st->head = (st->head + 1) % TEXT_LAST_MAX;
				e = text_last_find(st, obj);
			} else {
				st->order[(st->head + st->count) %
					  TEXT_LAST_MAX] = obj;
				st->count++;
			}
			e->obj = obj;
			e->ts = ts;
			return 0;
		}
		last = &e->ts;
	}

	/* events of different CPUs may arrive slightly out of order */
	if (ts > *last) {
		delta = ts - *last;
		*last = ts;
	}
	return delta;
}

/* ---- formatting ---------------------------------------------------------- */

static void text_wall(struct text_state *st, __u64 wall_ns)
{
	time_t sec = wall_ns / 1000000000ULL;
	unsigned int ms = wall_ns % 1000000000ULL / 1000000;
	char hms[16] = "??:??:??";
	char col[32];
	struct tm tm;

	if (localtime_r(&sec, &tm))
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(col, sizeof(col), "%s.%03u", hms, ms);
	text_out(st, "%12s ", col);
}

static void text_meta(struct text_state *st, const struct vista_record *rec)
{
	const struct vista_skb_meta *m = rec->meta;
	const char *type = vista_pkt_type_name(m->pkt_type);

	text_key(st, "netns");
	text_u64(st, rec->netns);
	text_key(st, "mark");
	text_hex(st, m->mark, 1);
	text_key(st, "iface");
	text_u64(st, m->ifindex);
	if (rec->ifname) {
		vista_strbuf_putc(&st->sb, '(');
		text_puts(st, rec->ifname);
		vista_strbuf_putc(&st->sb, ')');
	}
	text_key(st, "proto");
	text_hex(st, m->protocol, 4);
	text_key(st, "mtu");
	text_u64(st, m->mtu);
	text_key(st, "len");
	text_u64(st, m->len);
	text_key(st, "pkt_type");
	if (type) {
		text_puts(st, type);
	} else {
		text_puts(st, "UNKNOWN(");
		text_u64(st, m->pkt_type);
		vista_strbuf_putc(&st->sb, ')');
	}
}

/* An address, IPv6 in brackets (so a port can follow). */
static void text_addr(struct text_state *st, int family, const __u8 *addr)
{
	char a[INET6_ADDRSTRLEN];
	size_t n = vista_fmt_addr(a, sizeof(a), family, addr);

	if (family == AF_INET6)
		vista_strbuf_putc(&st->sb, '[');
	if (n)
		vista_strbuf_put(&st->sb, a, n);
	else
		vista_strbuf_putc(&st->sb, '?');
	if (family == AF_INET6)
		vista_strbuf_putc(&st->sb, ']');
}

static void text_tuple(struct text_state *st, const struct vista_tuple *t)
{
	const char *proto;
	int family;
	int req, rep;

	if (t->l3proto == TEXT_ETH_P_IP)
		family = AF_INET;
	else if (t->l3proto == TEXT_ETH_P_IPV6)
		family = AF_INET6;
	else
		return;
	vista_strbuf_putc(&st->sb, ' ');
	text_addr(st, family, t->saddr);
	if (t->l4proto == 6 || t->l4proto == 17) {	/* src:port->dst:port */
		vista_strbuf_putc(&st->sb, ':');
		text_u64(st, t->sport);
		text_puts(st, "->");
		text_addr(st, family, t->daddr);
		vista_strbuf_putc(&st->sb, ':');
		text_u64(st, t->dport);
		text_puts(st, t->l4proto == 6 ? "(tcp)" : "(udp)");
		return;
	}
	text_puts(st, "->");
	text_addr(st, family, t->daddr);

	switch (t->l4proto) {
	case 1:
		proto = "(icmp";
		req = 8;
		rep = 0;
		break;
	case 58:
		proto = "(icmp6";
		req = 128;
		rep = 129;
		break;
	default:
		text_puts(st, "(proto=");
		text_u64(st, t->l4proto);
		vista_strbuf_putc(&st->sb, ')');
		return;
	}

	text_puts(st, proto);
	if (t->icmp_type == req || t->icmp_type == rep) {
		text_puts(st, t->icmp_type == req ? " request" : " reply");
		text_key(st, "id");
		text_u64(st, t->icmp_id);
		text_key(st, "seq");
		text_u64(st, t->icmp_seq);
	} else {
		text_key(st, "type");
		text_u64(st, t->icmp_type);
		text_key(st, "code");
		text_u64(st, t->icmp_code);
	}
	vista_strbuf_putc(&st->sb, ')');
}

static void text_field(struct text_state *st, const struct vista_field *f)
{
	text_key(st, f->name ? f->name : "?");
	switch (f->type) {
	case VISTA_FIELD_UINT:
		text_u64(st, f->u);
		break;
	case VISTA_FIELD_HEX:
		text_hex(st, f->u, 1);
		break;
	case VISTA_FIELD_INT:
		vista_strbuf_i64(&st->sb, f->i);
		break;
	case VISTA_FIELD_BOOL:
		text_puts(st, f->u ? "true" : "false");
		break;
	case VISTA_FIELD_STR:
		text_puts(st, f->s ? f->s : "");
		break;
	default:
		vista_strbuf_putc(&st->sb, '?');
		break;
	}
}

static void text_format(struct text_state *st, const struct vista_record *rec)
{
	const char *comm = rec->comm && rec->comm[0] ? rec->comm : "<empty>";
	char col[VISTA_COMM_LEN + 32];
	const char *func = rec->func ? rec->func : "?";
	unsigned int i, j;
	size_t n;
	__u64 ts;

	if (!rec->pid)
		comm = "<empty>";
	if (st->ts_mode == TEXT_TS_ABSOLUTE)
		text_wall(st, rec->wall_ns);
	/* "%18s %6s %16s %24s": object, CPU, [comm(pid)], function */
	col[0] = '0';
	col[1] = 'x';
	n = 2 + vista_fmt_u64(col + 2, rec->obj, 16, 1);
	vista_strbuf_pad(&st->sb, col, n, 18);
	vista_strbuf_putc(&st->sb, ' ');
	vista_strbuf_pad(&st->sb, col, vista_fmt_u64(col, rec->cpu, 10, 1),
			 6);
	vista_strbuf_putc(&st->sb, ' ');
	col[0] = '[';
	n = 1 + strnlen(comm, VISTA_COMM_LEN);
	memcpy(col + 1, comm, n - 1);
	col[n++] = '(';
	n += vista_fmt_u64(col + n, rec->pid, 10, 1);
	col[n++] = ')';
	col[n++] = ']';
	vista_strbuf_pad(&st->sb, col, n, 16);
	vista_strbuf_putc(&st->sb, ' ');
	vista_strbuf_pad(&st->sb, func, strlen(func), 24);
	if (st->ts_mode != TEXT_TS_NONE) {
		ts = st->ts_mode == TEXT_TS_RELATIVE ?
		     text_relative(st, rec->obj, rec->ts_ns) : rec->ts_ns;
		vista_strbuf_putc(&st->sb, ' ');
		vista_strbuf_pad(&st->sb, col, vista_fmt_u64(col, ts, 10, 1),
				 16);
	}

	if (st->meta && rec->meta)
		text_meta(st, rec);
	if (st->tuple && rec->tuple)
		text_tuple(st, rec->tuple);

	for (i = 0; rec->groups && i < rec->nr_groups; i++) {
		const struct vista_group *g = &rec->groups[i];

		if (!g->name)
			continue;
		vista_strbuf_putc(&st->sb, '\n');
		text_puts(st, g->name);
		vista_strbuf_putc(&st->sb, ':');
		for (j = 0; g->fields && j < g->nr_fields; j++)
			text_field(st, &g->fields[j]);
	}

	if (rec->dump) {
		vista_strbuf_putc(&st->sb, '\n');
		text_puts(st, rec->dump);
	}

	for (i = 0; rec->stack && i < rec->nr_stack; i++) {
		vista_strbuf_putc(&st->sb, '\n');
		if (rec->stack[i].sym)
			text_puts(st, rec->stack[i].sym);
		else
			text_hex(st, rec->stack[i].ip, 1);
	}

	vista_strbuf_putc(&st->sb, '\n');
}

/* ---- sink ops ------------------------------------------------------------ */

static int text_parse_opts(struct vista_ctx *ctx, struct text_state *st)
{
	const struct vista_host *h = ctx->host;
	const char *ts = h->opt_str(ctx, "timestamp");

	if (!ts || !strcmp(ts, "none")) {
		st->ts_mode = TEXT_TS_NONE;
	} else if (!strcmp(ts, "relative")) {
		st->ts_mode = TEXT_TS_RELATIVE;
	} else if (!strcmp(ts, "absolute")) {
		st->ts_mode = TEXT_TS_ABSOLUTE;
	} else {
		vista_err(ctx,
			  "--timestamp %s: use one of none, relative, absolute",
			  ts);
		return -EINVAL;
	}
	st->meta = h->opt_bool(ctx, "output-meta");
	st->tuple = h->opt_bool(ctx, "output-tuple");
	return 0;
}

static void text_free(struct vista_ctx *ctx, struct text_state *st)
{
	if (!st)
		return;
	vista_stream_close(ctx, &st->out);
	free(st->last);
	free(st->order);
	vista_strbuf_free(&st->sb);
	free(st);
}

/* Options and buffers; NULL with errno set (and logged) on failure. */
static struct text_state *text_new(struct vista_ctx *ctx)
{
	struct text_state *st;
	int err = -ENOMEM;

	st = calloc(1, sizeof(*st));
	if (!st)
		goto out_nomem;
	err = text_parse_opts(ctx, st);
	if (err)
		goto out_free;

	err = -ENOMEM;
	if (vista_strbuf_init(&st->sb, TEXT_LINE_BUF))
		goto out_nomem;
	if (st->ts_mode == TEXT_TS_RELATIVE) {
		st->last = calloc(TEXT_LAST_SLOTS, sizeof(*st->last));
		st->order = calloc(TEXT_LAST_MAX, sizeof(*st->order));
		if (!st->last || !st->order)
			goto out_nomem;
	}
	return st;

out_nomem:
	vista_err(ctx, "out of memory");
out_free:
	text_free(ctx, st);
	errno = -err;
	return NULL;
}

static int text_open(struct vista_ctx *ctx)
{
	struct text_state *st;
	int err;

	st = text_new(ctx);
	if (!st)
		return -errno;
	/* the local time zone may have changed since the core started */
	tzset();
	err = vista_stream_open(ctx, &st->out, ctx->host->opt_str(ctx, "file"),
				TEXT_STDIO_BUF);
	if (err) {
		text_free(ctx, st);
		return err;
	}
	ctx->priv = st;
	return 0;
}

/*
 * The column header, once vista listens (its first flush) or before the
 * first record: a run that fails to start prints its error alone.
 */
static void text_header(struct text_state *st)
{
	if (st->header_done)
		return;
	st->header_done = true;
	if (st->ts_mode == TEXT_TS_ABSOLUTE)
		fprintf(st->out.fp, "%12s ", "TIME");
	fprintf(st->out.fp, "%18s %6s %16s %24s", "SKB/SK", "CPU", "PROCESS",
		"FUNC");
	if (st->ts_mode != TEXT_TS_NONE)
		fprintf(st->out.fp, " %16s", "TIMESTAMP");
	fputc('\n', st->out.fp);
}

static int text_write(struct vista_ctx *ctx, const struct vista_record *rec)
{
	struct text_state *st = ctx->priv;

	if (st->out.err)
		return st->out.err;
	/* lost events: the core says so on stderr */
	if (rec->kind != VISTA_RECORD_EVENT)
		return 0;
	text_header(st);

	vista_strbuf_reset(&st->sb);
	text_format(st, rec);
	if (st->sb.oom)
		return vista_stream_error(ctx, &st->out, ENOMEM);
	return vista_stream_write(ctx, &st->out, st->sb.p, st->sb.len);
}

static int text_flush(struct vista_ctx *ctx)
{
	struct text_state *st = ctx->priv;

	if (st->out.err)
		return st->out.err;
	text_header(st);
	return vista_stream_flush(ctx, &st->out);
}

static void text_close(struct vista_ctx *ctx)
{
	/* fp wraps our own descriptor (a dup of stdout at most) */
	text_free(ctx, ctx->priv);
	ctx->priv = NULL;
}

/* The one exported symbol, even when built with -fvisibility=hidden. */
__attribute__((visibility("default")))
struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "text",
	.kind = VISTA_PLUGIN_SINK,
	.version = "0.1.0",
	.summary = "one line per event, in the original vista's format",
	.sink = {
		.open = text_open,
		.write = text_write,
		.flush = text_flush,
		.close = text_close,
	},
};
