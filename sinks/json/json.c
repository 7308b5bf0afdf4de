// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON sink (--output-json, or [sink.json] / [sink.json:NAME]): JSON
 * Lines, one object per record, every field of it (doc/json.md is the
 * schema, "v" its version). Numbers are numbers, addresses strings,
 * times in ns; lost-event notices are records of their own
 * ({"type":"lost"}), so a consumer sees where the stream has holes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vista/output.h>
#include <vista/plugin.h>

#define JSON_SCHEMA	1
#define JSON_LINE_BUF	4096
#define JSON_STDIO_BUF	(1 << 16)
#define JSON_ETH_P_IP	0x0800
#define JSON_ETH_P_IPV6	0x86DD

struct json_state {
	struct vista_stream out;
	bool first;		/* the next member is its object's first */
	struct vista_strbuf sb;
};

/* Pieces of the record, by the appenders of <vista/output.h>. */
#define json_puts(st, s) vista_strbuf_puts(&(st)->sb, s)
#define json_putc(st, c) vista_strbuf_putc(&(st)->sb, c)

/* A JSON string: quotes, backslashes and control bytes escaped. */
/* Bytes a JSON string takes as they are: not '"', '\\', controls, DEL. */
static bool json_plain[256];

static void __attribute__((constructor)) json_plain_init(void)
{
	unsigned int c;

	for (c = 0x20; c < 256; c++)
		json_plain[c] = c != '"' && c != '\\' && c != 0x7f;
}

static void json_str(struct json_state *st, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[6] = "\\u00";
	size_t n;

	json_putc(st, '"');
	while (*p) {
		/* a run of bytes that need no escape, in one go */
		for (n = 0; json_plain[p[n]]; n++)
			;
		if (n) {
			vista_strbuf_put(&st->sb, (const char *)p, n);
			p += n;
			continue;
		}
		if (*p == '"' || *p == '\\') {
			esc[1] = *p;
			vista_strbuf_put(&st->sb, esc, 2);
		} else if (*p == '\n') {
			json_puts(st, "\\n");
		} else if (*p == '\t') {
			json_puts(st, "\\t");
		} else {
			esc[1] = 'u';
			vista_fmt_u64(esc + 2, *p, 16, 4);
			vista_strbuf_put(&st->sb, esc, 6);
		}
		p++;
	}
	json_putc(st, '"');
}

/* { ... }: members after the first get their comma from json_key(). */
static void json_begin(struct json_state *st)
{
	json_putc(st, '{');
	st->first = true;
}

static void json_end(struct json_state *st)
{
	json_putc(st, '}');
	st->first = false;
}

/* ,"key": for keys that come from plugins (escaped). */
static void json_key(struct json_state *st, const char *key)
{
	if (!st->first)
		json_putc(st, ',');
	st->first = false;
	json_str(st, key);
	json_putc(st, ':');
}

/* ,"key": for the schema's own keys (plain ASCII), in one piece. */
static void json_skey(struct json_state *st, const char *key)
{
	size_t n = strlen(key);
	char *p;

	if (!vista_strbuf_room(&st->sb, n + 4))
		return;
	p = st->sb.p + st->sb.len;
	if (!st->first)
		*p++ = ',';
	st->first = false;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	*p = '\0';
	st->sb.len = p - st->sb.p;
}

static void json_u64(struct json_state *st, const char *key, __u64 v)
{
	json_skey(st, key);
	vista_strbuf_u64(&st->sb, v);
}

/* Addresses and masks: strings, so no reader rounds them. */
static void json_hexval(struct json_state *st, __u64 v)
{
	json_putc(st, '"');
	vista_strbuf_hex(&st->sb, v, 1);
	json_putc(st, '"');
}

static void json_hex(struct json_state *st, const char *key, __u64 v)
{
	json_skey(st, key);
	json_hexval(st, v);
}

static void json_kstr(struct json_state *st, const char *key, const char *s)
{
	json_skey(st, key);
	if (s)
		json_str(st, s);
	else
		json_puts(st, "null");
}

static void json_field(struct json_state *st, const struct vista_field *f)
{
	json_key(st, f->name ? f->name : "?");
	switch (f->type) {
	case VISTA_FIELD_UINT:
		vista_strbuf_u64(&st->sb, f->u);
		break;
	case VISTA_FIELD_HEX:
		json_hexval(st, f->u);
		break;
	case VISTA_FIELD_INT:
		vista_strbuf_i64(&st->sb, f->i);
		break;
	case VISTA_FIELD_BOOL:
		json_puts(st, f->u ? "true" : "false");
		break;
	case VISTA_FIELD_STR:
		json_str(st, f->s);
		break;
	default:
		json_puts(st, "null");
	}
}

static void json_meta(struct json_state *st, const struct vista_record *rec)
{
	const struct vista_skb_meta *m = rec->meta;

	json_skey(st, "meta");
	json_begin(st);
	json_u64(st, "mark", m->mark);
	json_u64(st, "ifindex", m->ifindex);
	json_kstr(st, "ifname", rec->ifname);
	json_u64(st, "protocol", m->protocol);
	json_u64(st, "mtu", m->mtu);
	json_u64(st, "len", m->len);
	if (vista_pkt_type_name(m->pkt_type))
		json_kstr(st, "pkt_type", vista_pkt_type_name(m->pkt_type));
	else
		json_u64(st, "pkt_type", m->pkt_type);
	json_end(st);
}

static void json_tuple(struct json_state *st, const struct vista_tuple *t)
{
	static const char *const tcp_flags[] = {
		"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR",
	};
	char a[INET6_ADDRSTRLEN], flags[64] = "";
	int family = t->l3proto == JSON_ETH_P_IP ? AF_INET : AF_INET6;
	const char *proto;
	unsigned int i;
	size_t n;

	if (t->l3proto != JSON_ETH_P_IP && t->l3proto != JSON_ETH_P_IPV6)
		return;
	json_skey(st, "tuple");
	json_begin(st);
	json_kstr(st, "family", family == AF_INET ? "ipv4" : "ipv6");
	json_kstr(st, "saddr", vista_fmt_addr(a, sizeof(a), family, t->saddr) ?
		  a : NULL);
	json_kstr(st, "daddr", vista_fmt_addr(a, sizeof(a), family, t->daddr) ?
		  a : NULL);
	proto = t->l4proto == 6 ? "tcp" : t->l4proto == 17 ? "udp" :
		t->l4proto == 1 ? "icmp" : t->l4proto == 58 ? "icmp6" : NULL;
	if (proto)
		json_kstr(st, "proto", proto);
	else
		json_u64(st, "proto", t->l4proto);
	if (t->l4proto == 6 || t->l4proto == 17) {
		json_u64(st, "sport", t->sport);
		json_u64(st, "dport", t->dport);
	}
	if (t->l4proto == 6) {
		for (i = 0, n = 0; i < 8; i++) {
			if (!(t->tcp_flags & (1u << i)))
				continue;
			if (n)
				flags[n++] = '|';
			memcpy(flags + n, tcp_flags[i], 3);
			n += 3;
		}
		flags[n] = '\0';
		json_kstr(st, "tcp_flags", flags);
	}
	if (t->l4proto == 1 || t->l4proto == 58) {
		json_u64(st, "icmp_type", t->icmp_type);
		json_u64(st, "icmp_code", t->icmp_code);
		json_u64(st, "icmp_id", t->icmp_id);
		json_u64(st, "icmp_seq", t->icmp_seq);
	}
	json_end(st);
}

static void json_packet(struct json_state *st, const struct vista_packet *p)
{
	static const char *const dirs[] = { NULL, "in", "out" };
	static const char *const points[] = { NULL, "entry", "exit" };

	json_skey(st, "packet");
	json_begin(st);
	json_u64(st, "len", p->len);
	json_u64(st, "caplen", p->caplen);
	json_u64(st, "linktype", p->linktype);
	if (p->dir && p->dir < 3)
		json_kstr(st, "dir", dirs[p->dir]);
	if (p->point && p->point < 3)
		json_kstr(st, "point", points[p->point]);
	if (p->verdict_type) {
		json_kstr(st, "verdict_type", p->verdict_type == 1 ? "tc" :
			  p->verdict_type == 2 ? "xdp" : "?");
		json_skey(st, "verdict");
		vista_strbuf_i64(&st->sb, p->verdict);
	}
	if (p->has_queue)
		json_u64(st, "queue", p->queue);
	json_end(st);
}

/* A group's key: its name in lower case ("IPTABLES" -> "iptables"). */
static void json_group(struct json_state *st, const struct vista_group *g)
{
	char key[32];
	unsigned int i;

	for (i = 0; g->name[i] && i < sizeof(key) - 1; i++)
		key[i] = g->name[i] >= 'A' && g->name[i] <= 'Z' ?
			 g->name[i] - 'A' + 'a' : g->name[i];
	key[i] = '\0';
	json_key(st, key);
	json_begin(st);
	for (i = 0; g->fields && i < g->nr_fields; i++)
		json_field(st, &g->fields[i]);
	json_end(st);
}

/* What every record starts with: schema version, type, time. */
static void json_head(struct json_state *st, const char *type,
		      const struct vista_record *rec)
{
	json_begin(st);
	json_u64(st, "v", JSON_SCHEMA);
	json_kstr(st, "type", type);
	json_u64(st, "time_ns", rec->wall_ns);
	json_u64(st, "mono_ns", rec->ts_ns);
}

/* The fields of groups without a name, as members of the record. */
static void json_top_fields(struct json_state *st,
			    const struct vista_record *rec)
{
	unsigned int i, j;

	for (i = 0; rec->groups && i < rec->nr_groups; i++)
		for (j = 0; !rec->groups[i].name && j <
			    rec->groups[i].nr_fields; j++)
			json_field(st, &rec->groups[i].fields[j]);
}

static void json_event(struct json_state *st, const struct vista_record *rec)
{
	unsigned int i;

	json_head(st, "event", rec);
	json_kstr(st, "plugin", rec->plugin);
	json_kstr(st, "func", rec->func);
	json_hex(st, "obj", rec->obj);
	json_u64(st, "cpu", rec->cpu);
	json_u64(st, "pid", rec->pid);
	if (rec->hdr)
		json_u64(st, "tid", rec->hdr->tid);
	json_kstr(st, "comm", rec->comm);
	json_u64(st, "netns", rec->netns);
	/* Top-level fields (a drop reason, a program's verdict ...). */
	json_top_fields(st, rec);
	if (rec->meta)
		json_meta(st, rec);
	if (rec->tuple)
		json_tuple(st, rec->tuple);
	for (i = 0; rec->groups && i < rec->nr_groups; i++)
		if (rec->groups[i].name)
			json_group(st, &rec->groups[i]);
	if (rec->pkt)
		json_packet(st, rec->pkt);
	if (rec->dump)
		json_kstr(st, "skb", rec->dump);
	if (rec->stack) {
		json_skey(st, "stack");
		json_putc(st, '[');
		for (i = 0; i < rec->nr_stack; i++) {
			if (i)
				json_putc(st, ',');
			json_begin(st);
			json_hex(st, "ip", rec->stack[i].ip);
			json_kstr(st, "sym", rec->stack[i].sym);
			json_end(st);
		}
		json_putc(st, ']');
	}
	json_end(st);
	json_putc(st, '\n');
}

/* Events lost since the previous notice: the core tells every second. */
static void json_lost(struct json_state *st, const struct vista_record *rec)
{
	json_head(st, "lost", rec);
	json_top_fields(st, rec);	/* lost, total */
	json_end(st);
	json_putc(st, '\n');
}

static void json_free(struct vista_ctx *ctx, struct json_state *st)
{
	if (!st)
		return;
	vista_stream_close(ctx, &st->out);
	vista_strbuf_free(&st->sb);
	free(st);
}

static int json_open(struct vista_ctx *ctx)
{
	struct json_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st || vista_strbuf_init(&st->sb, JSON_LINE_BUF)) {
		vista_err(ctx, "out of memory");
		free(st);
		return -ENOMEM;
	}
	err = vista_stream_open(ctx, &st->out,
				ctx->host->opt_str(ctx, "file"),
				JSON_STDIO_BUF);
	if (err) {
		json_free(ctx, st);
		return err;
	}
	ctx->priv = st;
	return 0;
}

static int json_write(struct vista_ctx *ctx, const struct vista_record *rec)
{
	struct json_state *st = ctx->priv;

	if (st->out.err)
		return st->out.err;
	vista_strbuf_reset(&st->sb);
	if (rec->kind == VISTA_RECORD_LOST)
		json_lost(st, rec);
	else
		json_event(st, rec);
	if (st->sb.oom)
		return vista_stream_error(ctx, &st->out, ENOMEM);
	return vista_stream_write(ctx, &st->out, st->sb.p, st->sb.len);
}

static int json_flush(struct vista_ctx *ctx)
{
	struct json_state *st = ctx->priv;

	return vista_stream_flush(ctx, &st->out);
}

static void json_close(struct vista_ctx *ctx)
{
	json_free(ctx, ctx->priv);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "json",
	.kind = VISTA_PLUGIN_SINK,
	.version = PACKAGE_VERSION,
	.summary = "JSON Lines: one object per event, every field",
	.sink = {
		.open = json_open,
		.write = json_write,
		.flush = json_flush,
		.close = json_close,
	},
};
