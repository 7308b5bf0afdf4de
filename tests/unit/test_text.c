// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text sink against golden output: every test writes through the sink
 * into a file of its own, reads it back and compares it whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <vista/plugin.h>
#include "stub_host.h"

extern struct vista_plugin vista_plugin;

/* The header in each --timestamp mode. */
#define HDR_NONE \
	"            SKB/SK    CPU          PROCESS                     FUNC\n"
#define HDR_RELATIVE \
	"            SKB/SK    CPU          PROCESS                     FUNC" \
	"        TIMESTAMP\n"
#define HDR_ABSOLUTE \
	"        TIME             SKB/SK    CPU          PROCESS" \
	"                     FUNC        TIMESTAMP\n"

/* The columns of rec_base() and rec_drop(). */
#define COLS_BASE \
	"0xffff888003a1c200      0     [ping(4321)]                   ip_rcv"
#define COLS_DROP \
	"0xffff990282314000      2     [<empty>(0)]" \
	" kfree_skb(SKB_DROP_REASON_NOT_SPECIFIED)"

static char tmpdir[PATH_MAX - 64];
static char outpath[PATH_MAX];
static struct vista_ctx *ctx;

static void setup(void)
{
	const char *base = getenv("TMPDIR");

	stub_reset();
	setenv("TZ", "UTC", 1);
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_text.XXXXXX",
		 base && base[0] ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	snprintf(outpath, sizeof(outpath), "%s/out.txt", tmpdir);
	stub_opt("file", outpath);
	ctx = stub_ctx("text");
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

TestSuite(text, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------- */

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	cr_assert_not_null(buf);
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		cr_assert_geq(n, 0, "read: %s", strerror(errno));
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	char *buf;

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	buf = slurp_fd(fd);
	close(fd);
	return buf;
}

/* Open only: the header waits for the start (or the first record). */
static void sink_open_raw(const char *ts, bool meta, bool tuple)
{
	int err;

	if (ts)
		stub_opt("timestamp", ts);
	stub_opt("output-meta", meta ? "true" : "false");
	stub_opt("output-tuple", tuple ? "true" : "false");
	err = vista_plugin.sink.open(ctx);
	cr_assert_eq(err, 0, "open: %d, log: %s", err, stub_log());
	cr_assert_not_null(ctx->priv);
}

/* Open and start, as the core does once it listens. */
static void sink_open(const char *ts, bool meta, bool tuple)
{
	int err;

	sink_open_raw(ts, meta, tuple);
	err = vista_plugin.sink.flush(ctx);
	cr_assert_eq(err, 0, "flush: %d, log: %s", err, stub_log());
}

static void sink_write(const struct vista_record *rec)
{
	int err = vista_plugin.sink.write(ctx, rec);

	cr_assert_eq(err, 0, "write: %d, log: %s", err, stub_log());
}

/* Close the sink and compare the whole output file with want. */
static void expect_output(const char *want)
{
	char *got;

	vista_plugin.sink.close(ctx);
	cr_assert_null(ctx->priv);
	got = slurp(outpath);
	cr_assert_str_eq(got, want);
	cr_assert_str_empty(stub_log());
	free(got);
}

static struct vista_record rec_base(void)
{
	struct vista_record rec = {
		.plugin = "skb",
		.func = "ip_rcv",
		.obj = 0xffff888003a1c200ULL,
		.ts_ns = 5000,
		.wall_ns = 1716642517123456789ULL,
		.cpu = 0,
		.pid = 4321,
		.netns = 4026531840U,
		.comm = "ping",
	};

	return rec;
}

static struct vista_skb_meta meta_base(void)
{
	struct vista_skb_meta m = {
		.mark = 0,
		.ifindex = 2,
		.len = 98,
		.mtu = 1500,
		.protocol = 0x0800,
		.pkt_type = 0,
		.flags = VISTA_META_HAS_DEV | VISTA_META_HAS_MAC,
	};

	return m;
}

static void addr4(__u8 *a, __u8 b0, __u8 b1, __u8 b2, __u8 b3)
{
	memset(a, 0, 16);
	a[0] = b0;
	a[1] = b1;
	a[2] = b2;
	a[3] = b3;
}

static void addr6(__u8 *a, const char *s)
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1, "%s", s);
}

static struct vista_tuple tuple4(__u8 l4proto)
{
	struct vista_tuple t = {
		.l3proto = 0x0800,
		.l4proto = l4proto,
	};

	addr4(t.saddr, 192, 168, 241, 1);
	addr4(t.daddr, 192, 168, 241, 133);
	return t;
}

static struct vista_tuple tuple6(__u8 l4proto)
{
	struct vista_tuple t = {
		.l3proto = 0x86dd,
		.l4proto = l4proto,
	};

	addr6(t.saddr, "2001:db8::1");
	addr6(t.daddr, "fe80::aa:bbff:fecc:1");
	return t;
}

/* One record with meta and tuple on, and only the tuple varying. */
static void expect_tuple(const struct vista_tuple *t, const char *want_tail)
{
	struct vista_record rec = rec_base();
	char want[1024];

	rec.tuple = t;
	sink_open(NULL, false, true);
	sink_write(&rec);
	snprintf(want, sizeof(want), "%s%s%s\n", HDR_NONE, COLS_BASE,
		 want_tail);
	expect_output(want);
}

/* ---- the descriptor ------------------------------------------------------ */

Test(text, descriptor)
{
	cr_assert_eq(vista_plugin.abi_major, VISTA_ABI_MAJOR);
	cr_assert_eq(vista_plugin.abi_minor, VISTA_ABI_MINOR);
	cr_assert_eq(vista_plugin.size, sizeof(struct vista_plugin));
	cr_assert_eq(vista_plugin.kind, VISTA_PLUGIN_SINK);
	cr_assert_str_eq(vista_plugin.name, "text");
	cr_assert_not_null(vista_plugin.sink.open);
	cr_assert_not_null(vista_plugin.sink.write);
	cr_assert_not_null(vista_plugin.sink.flush);
	cr_assert_not_null(vista_plugin.sink.close);
	cr_assert_null(vista_plugin.tracer.decode);
}

/* ---- header -------------------------------------------------------------- */

Test(text, header_none)
{
	sink_open("none", false, false);
	expect_output(HDR_NONE);
}

/* A run that fails before it listens: its error alone, no header. */
Test(text, no_header_before_start)
{
	sink_open_raw("none", false, false);
	expect_output("");
}

/* The first record brings the header if it comes first. */
Test(text, header_before_first_record)
{
	struct vista_record rec = rec_base();
	char *got;

	sink_open_raw("none", false, false);
	sink_write(&rec);
	vista_plugin.sink.close(ctx);
	got = slurp(outpath);
	cr_assert(!strncmp(got, HDR_NONE, strlen(HDR_NONE)), "%s", got);
	cr_assert(strstr(got, " ip_rcv"), "%s", got);
	free(got);
}

Test(text, header_default_is_none)
{
	sink_open(NULL, false, false);
	expect_output(HDR_NONE);
}

Test(text, header_relative)
{
	sink_open("relative", false, false);
	expect_output(HDR_RELATIVE);
}

Test(text, header_absolute)
{
	sink_open("absolute", false, false);
	expect_output(HDR_ABSOLUTE);
}

Test(text, bad_timestamp_mode)
{
	stub_opt("timestamp", "sometimes");
	cr_assert_eq(vista_plugin.sink.open(ctx), -EINVAL);
	cr_assert_null(ctx->priv);
	cr_assert_eq(stub_log_count(VISTA_LOG_ERROR), 1);
	cr_assert_str_eq(stub_log(), "error text: --timestamp sometimes: "
			 "use one of none, relative, absolute\n");
	/* nothing was created */
	cr_assert_eq(access(outpath, F_OK), -1);
}

/* ---- records ------------------------------------------------------------- */

/* The README's example line, as a drop. */
Test(text, kfree_skb_icmp_request)
{
	struct vista_skb_meta m = meta_base();
	struct vista_tuple t = tuple4(1);
	struct vista_record rec = rec_base();

	rec.obj = 0xffff990282314000ULL;
	rec.cpu = 2;
	rec.pid = 0;
	rec.comm = "swapper/2";
	rec.func = "kfree_skb(SKB_DROP_REASON_NOT_SPECIFIED)";
	rec.meta = &m;
	rec.ifname = "ens33";
	t.icmp_type = 8;
	t.icmp_id = 23089;
	t.icmp_seq = 0;
	rec.tuple = &t;

	sink_open(NULL, true, true);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_DROP
		      " netns=4026531840 mark=0x0 iface=2(ens33) proto=0x0800"
		      " mtu=1500 len=98 pkt_type=HOST"
		      " 192.168.241.1->192.168.241.133"
		      "(icmp request id=23089 seq=0)\n");
}

Test(text, meta_fields)
{
	struct vista_skb_meta m = meta_base();
	struct vista_record rec = rec_base();

	m.mark = 0xbeef;
	m.ifindex = 7;
	m.len = 1514;
	m.mtu = 9000;
	m.protocol = 0x86dd;
	m.pkt_type = 4;
	rec.netns = 4026532001U;
	rec.meta = &m;
	rec.ifname = "veth0";

	sink_open(NULL, true, false);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE
		      " netns=4026532001 mark=0xbeef iface=7(veth0)"
		      " proto=0x86dd mtu=9000 len=1514 pkt_type=OUTGOING\n");
}

Test(text, iface_without_name_and_unknown_pkt_type)
{
	struct vista_skb_meta m = meta_base();
	struct vista_record rec = rec_base();

	m.ifindex = 3;
	m.pkt_type = 9;
	m.protocol = 0x806;
	rec.meta = &m;
	rec.ifname = NULL;

	sink_open(NULL, true, false);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE
		      " netns=4026531840 mark=0x0 iface=3 proto=0x0806"
		      " mtu=1500 len=98 pkt_type=UNKNOWN(9)\n");
}

Test(text, pkt_type_names)
{
	static const char *const names[] = {
		"HOST", "BROADCAST", "MULTICAST", "OTHERHOST",
		"OUTGOING", "LOOPBACK", "USER", "KERNEL",
	};
	struct vista_skb_meta m = meta_base();
	struct vista_record rec = rec_base();
	char want[4096], *p = want;
	unsigned int i;

	rec.meta = &m;
	sink_open(NULL, true, false);
	p += sprintf(p, "%s", HDR_NONE);
	for (i = 0; i < 8; i++) {
		m.pkt_type = i;
		sink_write(&rec);
		p += sprintf(p, "%s netns=4026531840 mark=0x0 iface=2"
			     " proto=0x0800 mtu=1500 len=98 pkt_type=%s\n",
			     COLS_BASE, names[i]);
	}
	expect_output(want);
}

Test(text, ipv6_tcp)
{
	struct vista_record rec = rec_base();
	struct vista_tuple t = tuple6(6);

	t.sport = 43210;
	t.dport = 443;
	t.tcp_flags = 0x12;
	rec.obj = 0xffff888003a1c200ULL;
	rec.cpu = 11;
	rec.pid = 1234;
	rec.comm = "curl";
	rec.func = "tcp_v6_rcv";
	rec.tuple = &t;

	sink_open(NULL, false, true);
	sink_write(&rec);
	expect_output(HDR_NONE
		      "0xffff888003a1c200     11     [curl(1234)]"
		      "               tcp_v6_rcv"
		      " [2001:db8::1]:43210"
		      "->[fe80::aa:bbff:fecc:1]:443(tcp)\n");
}

Test(text, ipv4_udp)
{
	struct vista_tuple t = tuple4(17);

	t.sport = 5353;
	t.dport = 53;
	expect_tuple(&t, " 192.168.241.1:5353->192.168.241.133:53(udp)");
}

Test(text, icmp_reply)
{
	struct vista_tuple t = tuple4(1);

	t.icmp_type = 0;
	t.icmp_id = 1;
	t.icmp_seq = 65535;
	expect_tuple(&t, " 192.168.241.1->192.168.241.133"
			 "(icmp reply id=1 seq=65535)");
}

/* The original printed nothing for these. */
Test(text, icmp_other_type)
{
	struct vista_tuple t = tuple4(1);

	t.icmp_type = 3;
	t.icmp_code = 1;
	t.icmp_id = 99;
	expect_tuple(&t, " 192.168.241.1->192.168.241.133"
			 "(icmp type=3 code=1)");
}

/* 128 is an echo request only for ICMPv6. */
Test(text, icmp_v6_type_on_v4)
{
	struct vista_tuple t = tuple4(1);

	t.icmp_type = 128;
	expect_tuple(&t, " 192.168.241.1->192.168.241.133"
			 "(icmp type=128 code=0)");
}

Test(text, icmp6_request)
{
	struct vista_tuple t = tuple6(58);

	t.icmp_type = 128;
	t.icmp_id = 4660;
	t.icmp_seq = 7;
	expect_tuple(&t, " [2001:db8::1]->[fe80::aa:bbff:fecc:1]"
			 "(icmp6 request id=4660 seq=7)");
}

Test(text, icmp6_reply)
{
	struct vista_tuple t = tuple6(58);

	t.icmp_type = 129;
	t.icmp_id = 4660;
	t.icmp_seq = 8;
	expect_tuple(&t, " [2001:db8::1]->[fe80::aa:bbff:fecc:1]"
			 "(icmp6 reply id=4660 seq=8)");
}

Test(text, icmp6_other_type)
{
	struct vista_tuple t = tuple6(58);

	t.icmp_type = 135;
	expect_tuple(&t, " [2001:db8::1]->[fe80::aa:bbff:fecc:1]"
			 "(icmp6 type=135 code=0)");
}

Test(text, unknown_l4_proto)
{
	struct vista_tuple t = tuple4(47);

	t.sport = 1;
	t.dport = 2;
	expect_tuple(&t, " 192.168.241.1->192.168.241.133(proto=47)");
}

Test(text, unknown_l3_proto_prints_no_tuple)
{
	struct vista_tuple t = tuple4(6);

	t.l3proto = 0;
	expect_tuple(&t, "");
}

Test(text, pid_zero_is_empty)
{
	struct vista_record rec = rec_base();

	rec.pid = 0;
	rec.comm = "ksoftirqd/0";
	sink_open(NULL, false, false);
	sink_write(&rec);
	expect_output(HDR_NONE "0xffff888003a1c200      0     [<empty>(0)]"
		      "                   ip_rcv\n");
}

Test(text, long_comm_and_func_overflow_columns)
{
	struct vista_record rec = rec_base();

	rec.cpu = 1234567;
	rec.pid = 4194304;
	rec.comm = "a_fifteen_chars";
	rec.func = "a_function_name_longer_than_24";
	sink_open(NULL, false, false);
	sink_write(&rec);
	expect_output(HDR_NONE "0xffff888003a1c200 1234567"
		      " [a_fifteen_chars(4194304)]"
		      " a_function_name_longer_than_24\n");
}

Test(text, meta_and_tuple_absent_while_flags_set)
{
	struct vista_record rec = rec_base();

	sink_open(NULL, true, true);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE "\n");
}

Test(text, meta_and_tuple_present_while_flags_unset)
{
	struct vista_skb_meta m = meta_base();
	struct vista_tuple t = tuple4(6);
	struct vista_record rec = rec_base();

	rec.meta = &m;
	rec.tuple = &t;
	sink_open(NULL, false, false);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE "\n");
}

/* ---- timestamps ---------------------------------------------------------- */

Test(text, relative_per_object)
{
	struct vista_record a = rec_base(), b = rec_base();

	b.obj = 0xffff888003a1d000ULL;
	sink_open("relative", false, false);
	a.ts_ns = 1000;
	sink_write(&a);
	a.ts_ns = 1500;
	sink_write(&a);
	b.ts_ns = 1700;
	sink_write(&b);
	a.ts_ns = 2100;
	sink_write(&a);
	b.ts_ns = 1001700;
	sink_write(&b);
	expect_output(HDR_RELATIVE
		      COLS_BASE "                0\n"
		      COLS_BASE "              500\n"
		      "0xffff888003a1d000      0     [ping(4321)]"
		      "                   ip_rcv                0\n"
		      COLS_BASE "              600\n"
		      "0xffff888003a1d000      0     [ping(4321)]"
		      "                   ip_rcv          1000000\n");
}

/* Events from different CPUs may come slightly out of order. */
Test(text, relative_out_of_order_is_zero)
{
	struct vista_record a = rec_base();

	sink_open("relative", false, false);
	a.ts_ns = 2000;
	sink_write(&a);
	a.ts_ns = 1900;
	sink_write(&a);
	a.ts_ns = 2300;
	sink_write(&a);
	expect_output(HDR_RELATIVE
		      COLS_BASE "                0\n"
		      COLS_BASE "                0\n"
		      COLS_BASE "              300\n");
}

Test(text, relative_object_zero)
{
	struct vista_record a = rec_base();

	a.obj = 0;
	sink_open("relative", false, false);
	a.ts_ns = 10;
	sink_write(&a);
	a.ts_ns = 35;
	sink_write(&a);
	expect_output(HDR_RELATIVE
		      "               0x0      0     [ping(4321)]"
		      "                   ip_rcv                0\n"
		      "               0x0      0     [ping(4321)]"
		      "                   ip_rcv               25\n");
}

/*
 * 65536 objects are remembered: the 65537th evicts the oldest one, whose
 * next event starts again from 0, while the second oldest survives.
 */
Test(text, relative_evicts_oldest)
{
	struct vista_record rec = rec_base();
	const char *tail;
	char *got;
	__u64 i;

	sink_open("relative", false, false);
	for (i = 1; i <= 65537; i++) {
		rec.obj = i << 8;
		rec.ts_ns = i;
		sink_write(&rec);
	}
	rec.obj = 2 << 8;
	rec.ts_ns = 100000;
	sink_write(&rec);
	rec.obj = 1 << 8;
	rec.ts_ns = 100001;
	sink_write(&rec);
	vista_plugin.sink.close(ctx);

	got = slurp(outpath);
	tail = got + strlen(got);
	cr_assert_gt(strlen(got), 200);
	while (tail > got && *--tail != '\n')
		;
	for (i = 0; i < 2; i++)
		while (tail > got && *--tail != '\n')
			;
	cr_assert_str_eq(tail,
			 "\n             0x200      0     [ping(4321)]"
			 "                   ip_rcv            99998\n"
			 "             0x100      0     [ping(4321)]"
			 "                   ip_rcv                0\n");
	free(got);
}

static __u64 skb_like(unsigned int i)
{
	return 0xffff888000000000ULL | (__u64)(i * 2654435761U) << 8;
}

/*
 * Skb-like addresses, with evictions deleting from the middle of probe
 * clusters: every object still remembered must still be found, and every
 * evicted one must be gone.
 */
Test(text, relative_survives_evictions)
{
	const unsigned int extra = 20000, keep = 65536;
	struct vista_record rec = rec_base();
	unsigned int i, kept = 0, gone = 0, lines = 0;
	char *got, *p, *end;

	sink_open("relative", false, false);
	for (i = 1; i <= keep + extra; i++) {
		rec.obj = skb_like(i);
		rec.ts_ns = i;
		sink_write(&rec);
	}
	/* remembered: delta 1000000 each */
	for (i = extra + 1; i <= keep + extra; i++) {
		rec.obj = skb_like(i);
		rec.ts_ns = 1000000 + i;
		sink_write(&rec);
	}
	/* evicted: 0 each */
	for (i = 1; i <= extra; i++) {
		rec.obj = skb_like(i);
		rec.ts_ns = 2000000 + i;
		sink_write(&rec);
	}
	vista_plugin.sink.close(ctx);

	got = slurp(outpath);
	for (p = strchr(got, '\n'); p && p[1]; p = end) {
		end = strchr(p + 1, '\n');
		cr_assert_not_null(end);
		lines++;
		if (lines <= keep + extra)
			continue;
		if (lines <= 2 * keep + extra)
			kept += !strncmp(end - 17, "          1000000", 17);
		else
			gone += !strncmp(end - 17, "                0", 17);
	}
	cr_assert_eq(lines, 2 * keep + 2 * extra);
	cr_assert_eq(kept, keep);
	cr_assert_eq(gone, extra);
	free(got);
}

Test(text, absolute_wall_clock)
{
	struct vista_record rec = rec_base();

	rec.obj = 1;
	rec.cpu = 3;
	rec.pid = 0;
	rec.ts_ns = 98765432101234ULL;
	rec.wall_ns = 1716642517123456789ULL;
	sink_open("absolute", false, false);
	sink_write(&rec);
	rec.wall_ns = 1716595200000999999ULL;	/* midnight */
	rec.ts_ns = 98765432101235ULL;
	sink_write(&rec);
	expect_output(HDR_ABSOLUTE
		      "13:08:37.123                0x1      3     [<empty>(0)]"
		      "                   ip_rcv   98765432101234\n"
		      "00:00:00.000                0x1      3     [<empty>(0)]"
		      "                   ip_rcv   98765432101235\n");
}

Test(text, absolute_uses_local_time)
{
	struct vista_record rec = rec_base();

	setenv("TZ", "CET-1", 1);
	rec.obj = 1;
	rec.wall_ns = 1716642517123456789ULL;
	rec.ts_ns = 1;
	sink_open("absolute", false, false);
	sink_write(&rec);
	expect_output(HDR_ABSOLUTE
		      "14:08:37.123                0x1      0     [ping(4321)]"
		      "                   ip_rcv                1\n");
}

/* ---- groups and stacks --------------------------------------------------- */

Test(text, groups_and_stack)
{
	const struct vista_field top[] = {
		{ .name = "reason", .type = VISTA_FIELD_UINT, .u = 2 },
	};
	const struct vista_field ipt[] = {
		{ .name = "table", .type = VISTA_FIELD_STR, .s = "filter" },
		{ .name = "hook", .type = VISTA_FIELD_UINT, .u = 1 },
		{ .name = "verdict", .type = VISTA_FIELD_STR, .s = "DROP" },
		{ .name = "cost", .type = VISTA_FIELD_UINT,
		  .u = 18446744073709551615ULL },
	};
	const struct vista_field misc[] = {
		{ .name = "flags", .type = VISTA_FIELD_HEX, .u = 0x1a2b },
		{ .name = "delta", .type = VISTA_FIELD_INT, .i = -42 },
		{ .name = "ok", .type = VISTA_FIELD_BOOL, .u = 1 },
		{ .name = "bad", .type = VISTA_FIELD_BOOL, .u = 0 },
		{ .name = "empty", .type = VISTA_FIELD_STR, .s = "" },
	};
	const struct vista_group groups[] = {
		{ .name = NULL, .fields = top, .nr_fields = 1 },
		{ .name = "IPTABLES", .fields = ipt, .nr_fields = 4 },
		{ .name = "MISC", .fields = misc, .nr_fields = 5 },
		{ .name = "EMPTY", .fields = NULL, .nr_fields = 0 },
	};
	const struct vista_frame stack[] = {
		{ .ip = 0xffffffff81b2c3d0ULL, .sym = "kfree_skb_reason+0x0" },
		{ .ip = 0xffffffffc0a01234ULL, .sym = NULL },
		{ .ip = 0xffffffff81b40000ULL,
		  .sym = "nf_hook_slow+0x91 [nf]" },
	};
	struct vista_record rec = rec_base();

	rec.groups = groups;
	rec.nr_groups = 4;
	rec.stack = stack;
	rec.nr_stack = 3;
	sink_open(NULL, false, false);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE "\n"
		      "IPTABLES: table=filter hook=1 verdict=DROP"
		      " cost=18446744073709551615\n"
		      "MISC: flags=0x1a2b delta=-42 ok=true bad=false empty=\n"
		      "EMPTY:\n"
		      "kfree_skb_reason+0x0\n"
		      "0xffffffffc0a01234\n"
		      "nf_hook_slow+0x91 [nf]\n");
}

Test(text, two_frame_stack_with_meta)
{
	const struct vista_frame stack[] = {
		{ .ip = 0xffffffff81b2c3d0ULL, .sym = "kfree_skb_reason+0x0" },
		{ .ip = 0xffffffff81c00000ULL, .sym = "ip_rcv_finish+0x40" },
	};
	struct vista_skb_meta m = meta_base();
	struct vista_record rec = rec_base();

	rec.meta = &m;
	rec.stack = stack;
	rec.nr_stack = 2;
	sink_open(NULL, true, true);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE
		      " netns=4026531840 mark=0x0 iface=2 proto=0x0800"
		      " mtu=1500 len=98 pkt_type=HOST\n"
		      "kfree_skb_reason+0x0\n"
		      "ip_rcv_finish+0x40\n");
}

/* --output-skb: the dump goes under the line, before the stack. */
Test(text, dump_between_line_and_stack)
{
	const struct vista_frame stack[] = {
		{ .ip = 0xffffffff81c00000ULL, .sym = "ip_rcv_finish+0x40" },
	};
	struct vista_record rec = rec_base();

	rec.dump = "(struct sk_buff){\n .len = (unsigned int)84,\n}";
	rec.stack = stack;
	rec.nr_stack = 1;
	sink_open(NULL, false, false);
	sink_write(&rec);
	expect_output(HDR_NONE COLS_BASE "\n"
		      "(struct sk_buff){\n"
		      " .len = (unsigned int)84,\n"
		      "}\n"
		      "ip_rcv_finish+0x40\n");
}

/* A record much larger than the sink's first line buffer. */
Test(text, long_record)
{
	static char big[20000];
	const struct vista_field f[] = {
		{ .name = "blob", .type = VISTA_FIELD_STR, .s = big },
	};
	const struct vista_group g[] = {
		{ .name = "BIG", .fields = f, .nr_fields = 1 },
	};
	struct vista_record rec = rec_base();
	size_t want_len;
	char *want;

	memset(big, 'x', sizeof(big) - 1);
	rec.groups = g;
	rec.nr_groups = 1;
	sink_open(NULL, false, false);
	sink_write(&rec);
	sink_write(&rec);

	want_len = 2 * (strlen(COLS_BASE) + strlen("\nBIG: blob=") +
			sizeof(big)) + strlen(HDR_NONE) + 1;
	want = malloc(want_len);
	cr_assert_not_null(want);
	snprintf(want, want_len, "%s%s\nBIG: blob=%s\n%s\nBIG: blob=%s\n",
		 HDR_NONE, COLS_BASE, big, COLS_BASE, big);
	expect_output(want);
	free(want);
}

/* ---- the output file ----------------------------------------------------- */

Test(text, new_file_is_private)
{
	struct stat sb;

	umask(022);
	sink_open(NULL, false, false);
	cr_assert_eq(stat(outpath, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode %o", sb.st_mode);
	expect_output(HDR_NONE);
}

Test(text, regular_file_is_truncated)
{
	FILE *f = fopen(outpath, "w");

	cr_assert_not_null(f);
	fputs("old content, much longer than the header of the sink that "
	      "replaces it..........................................\n", f);
	fclose(f);
	sink_open(NULL, false, false);
	expect_output(HDR_NONE);
}

Test(text, symlink_is_refused)
{
	char target[PATH_MAX + 16], want[3 * PATH_MAX];
	FILE *f;
	char *got;

	snprintf(target, sizeof(target), "%s/victim", tmpdir);
	f = fopen(target, "w");
	cr_assert_not_null(f);
	fputs("precious\n", f);
	fclose(f);
	cr_assert_eq(symlink(target, outpath), 0);

	cr_assert_eq(vista_plugin.sink.open(ctx), -ELOOP);
	cr_assert_null(ctx->priv);
	snprintf(want, sizeof(want), "error text: %s: %s\n", outpath,
		 strerror(ELOOP));
	cr_assert_str_eq(stub_log(), want);

	got = slurp(target);
	cr_assert_str_eq(got, "precious\n");
	free(got);
}

Test(text, dangling_symlink_is_refused)
{
	char target[PATH_MAX + 16];

	snprintf(target, sizeof(target), "%s/not-there", tmpdir);
	cr_assert_eq(symlink(target, outpath), 0);
	cr_assert_eq(vista_plugin.sink.open(ctx), -ELOOP);
	cr_assert_eq(access(target, F_OK), -1, "the sink created %s", target);
}

Test(text, missing_directory)
{
	char path[PATH_MAX + 16], want[3 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/no/such/dir", tmpdir);
	stub_opt("file", path);
	cr_assert_eq(vista_plugin.sink.open(ctx), -ENOENT);
	snprintf(want, sizeof(want), "error text: %s: %s\n", path,
		 strerror(ENOENT));
	cr_assert_str_eq(stub_log(), want);
}

/* ftruncate() would fail with EINVAL on /dev/null: it must not be tried. */
Test(text, dev_null_is_accepted)
{
	struct stat before, after;
	struct vista_record rec = rec_base();

	cr_assert_eq(stat("/dev/null", &before), 0);
	stub_opt("file", "/dev/null");
	sink_open(NULL, false, false);
	sink_write(&rec);
	cr_assert_eq(vista_plugin.sink.flush(ctx), 0);
	vista_plugin.sink.close(ctx);
	cr_assert_str_empty(stub_log());
	cr_assert_eq(stat("/dev/null", &after), 0);
	cr_assert(S_ISCHR(after.st_mode));
	cr_assert_eq(before.st_rdev, after.st_rdev);
	cr_assert_eq(before.st_mode, after.st_mode);
}

Test(text, fifo_is_accepted)
{
	struct vista_record rec = rec_base();
	int rfd;
	char *got;

	cr_assert_eq(mkfifo(outpath, 0600), 0);
	rfd = open(outpath, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(rfd, 0);
	sink_open(NULL, false, false);
	sink_write(&rec);
	vista_plugin.sink.close(ctx);
	cr_assert_str_empty(stub_log());
	cr_assert_eq(fcntl(rfd, F_SETFL, 0), 0);
	got = slurp_fd(rfd);
	close(rfd);
	cr_assert_str_eq(got, HDR_NONE COLS_BASE "\n");
	free(got);
}

/* Standard output is written through a copy of fd 1, never closed. */
static int redirect_stdout(int *rfd)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	fflush(stdout);
	cr_assert_eq(dup2(p[1], STDOUT_FILENO), STDOUT_FILENO);
	close(p[1]);
	*rfd = p[0];
	return 0;
}

Test(text, stdout_dash)
{
	struct vista_record rec = rec_base();
	int rfd;
	char *got;

	redirect_stdout(&rfd);
	stub_opt("file", "-");
	sink_open(NULL, false, false);
	sink_write(&rec);
	vista_plugin.sink.close(ctx);
	cr_assert_str_empty(stub_log());
	cr_assert_neq(fcntl(STDOUT_FILENO, F_GETFD), -1, "stdout closed");
	close(STDOUT_FILENO);
	got = slurp_fd(rfd);
	cr_assert_str_eq(got, HDR_NONE COLS_BASE "\n");
	free(got);
}

Test(text, stdout_by_default)
{
	struct vista_record rec = rec_base();
	int rfd;
	char *got;

	redirect_stdout(&rfd);
	stub_opt("file", NULL);
	sink_open("relative", false, false);
	sink_write(&rec);
	vista_plugin.sink.close(ctx);
	close(STDOUT_FILENO);
	got = slurp_fd(rfd);
	cr_assert_str_eq(got, HDR_RELATIVE COLS_BASE "                0\n");
	free(got);
}

/* ---- write errors -------------------------------------------------------- */

Test(text, enospc_logged_once)
{
	struct vista_record rec = rec_base();
	char want[256];
	int err, i;

	stub_opt("file", "/dev/full");
	sink_open_raw(NULL, false, false);
	/* stdio may hold the first records: the error shows by the flush */
	err = 0;
	for (i = 0; i < 3 && !err; i++)
		err = vista_plugin.sink.write(ctx, &rec);
	if (!err)
		err = vista_plugin.sink.flush(ctx);
	cr_assert_eq(err, -ENOSPC);
	cr_assert_eq(vista_plugin.sink.write(ctx, &rec), -ENOSPC);
	cr_assert_eq(vista_plugin.sink.flush(ctx), -ENOSPC);
	vista_plugin.sink.close(ctx);
	cr_assert_eq(stub_log_count(-1), 1);
	snprintf(want, sizeof(want), "error text: /dev/full: %s\n",
		 strerror(ENOSPC));
	cr_assert_str_eq(stub_log(), want);
}

/* The start flush writes the header: a full disk shows before tracing. */
Test(text, enospc_at_start)
{
	stub_opt("file", "/dev/full");
	sink_open_raw(NULL, false, false);
	cr_assert_eq(vista_plugin.sink.flush(ctx), -ENOSPC);
	vista_plugin.sink.close(ctx);
	cr_assert_eq(stub_log_count(VISTA_LOG_ERROR), 1);
}

/* Enough records to fill the stdio buffer: write itself must fail. */
Test(text, enospc_from_write)
{
	struct vista_record rec = rec_base();
	int err = 0, i;

	stub_opt("file", "/dev/full");
	sink_open_raw(NULL, false, false);
	for (i = 0; i < 100000 && !err; i++)
		err = vista_plugin.sink.write(ctx, &rec);
	cr_assert_eq(err, -ENOSPC);
	cr_assert_lt(i, 100000);
	cr_assert_eq(vista_plugin.sink.write(ctx, &rec), -ENOSPC);
	vista_plugin.sink.close(ctx);
	cr_assert_eq(stub_log_count(VISTA_LOG_ERROR), 1);
}

Test(text, epipe_on_stdout)
{
	struct vista_record rec = rec_base();
	char want[256];
	int rfd;

	signal(SIGPIPE, SIG_IGN);
	redirect_stdout(&rfd);
	close(rfd);
	stub_opt("file", "-");
	sink_open_raw(NULL, false, false);
	sink_write(&rec);
	cr_assert_eq(vista_plugin.sink.flush(ctx), -EPIPE);
	cr_assert_eq(vista_plugin.sink.write(ctx, &rec), -EPIPE);
	vista_plugin.sink.close(ctx);
	snprintf(want, sizeof(want), "error text: stdout: %s\n",
		 strerror(EPIPE));
	cr_assert_str_eq(stub_log(), want);
}
