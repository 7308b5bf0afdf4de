// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON sink against golden output: each test writes records through
 * the sink into a file of its own and compares the file whole. The
 * end-to-end test (tests/e2e/json.sh) has jq read real events.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <vista/plugin.h>
#include "stub_host.h"

extern const struct vista_plugin vista_plugin;

static char tmpdir[PATH_MAX - 64];
static char outpath[PATH_MAX];
static struct vista_ctx *ctx;

static void setup(void)
{
	const char *base = getenv("TMPDIR");

	stub_reset();
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_json.XXXXXX",
		 base && base[0] ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	snprintf(outpath, sizeof(outpath), "%s/out.jsonl", tmpdir);
	stub_opt("file", outpath);
	ctx = stub_ctx("json");
}

static void teardown(void)
{
	unlink(outpath);
	rmdir(tmpdir);
}

TestSuite(json, .init = setup, .fini = teardown);

static void open_sink(void)
{
	int err = vista_plugin.sink.open(ctx);

	cr_assert_eq(err, 0, "open: %d, log: %s", err, stub_log());
}

static void write_rec(const struct vista_record *rec)
{
	int err = vista_plugin.sink.write(ctx, rec);

	cr_assert_eq(err, 0, "write: %d, log: %s", err, stub_log());
}

/* Close the sink and compare the whole file with want. */
static void expect_output(const char *want)
{
	char got[8192] = "";
	FILE *f;
	size_t n;

	vista_plugin.sink.close(ctx);
	f = fopen(outpath, "r");
	cr_assert_not_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	cr_assert_str_eq(got, want);
	cr_assert_str_empty(stub_log());
}

static struct vista_event_hdr hdr = { .tid = 4322 };

static struct vista_record rec_base(void)
{
	struct vista_record rec = {
		.hdr = &hdr,
		.plugin = "skb",
		.func = "ip_rcv",
		.obj = 0xffff888003a1c200ULL,
		.ts_ns = 5000,
		.wall_ns = 1716642517123456789ULL,
		.cpu = 1,
		.pid = 4321,
		.netns = 4026531840U,
		.comm = "ping",
	};

	return rec;
}

#define HEAD(func) \
	"{\"v\":1,\"type\":\"event\",\"time_ns\":1716642517123456789," \
	"\"mono_ns\":5000,\"plugin\":\"skb\",\"func\":\"" func "\"," \
	"\"obj\":\"0xffff888003a1c200\",\"cpu\":1,\"pid\":4321," \
	"\"tid\":4322,\"comm\":\"ping\",\"netns\":4026531840"

Test(json, minimal_event)
{
	struct vista_record rec = rec_base();

	open_sink();
	write_rec(&rec);
	expect_output(HEAD("ip_rcv") "}\n");
}

/* meta, tuple, a top-level field, a group, the packet and the stack. */
Test(json, every_part)
{
	struct vista_record rec = rec_base();
	struct vista_skb_meta m = {
		.mark = 0x10, .ifindex = 2, .len = 98, .mtu = 1500,
		.protocol = 0x0800, .pkt_type = 3,
	};
	struct vista_tuple t = {
		.saddr = { 10, 0, 0, 1 }, .daddr = { 10, 0, 0, 2 },
		.sport = 40000, .dport = 80, .l3proto = 0x0800, .l4proto = 6,
		.tcp_flags = 0x12,
	};
	struct vista_field top[1], ipt[3];
	struct vista_group g[2] = {
		{ .name = NULL, .fields = top, .nr_fields = 1 },
		{ .name = "IPTABLES", .fields = ipt, .nr_fields = 3 },
	};
	struct vista_frame st[2] = {
		{ 0xffffffff81000010ULL, "kfree_skb_reason+0x10" },
		{ 0xffffffff81000020ULL, NULL },
	};
	struct vista_packet p = {
		.len = 98, .caplen = 64, .linktype = 1, .dir = 1, .point = 2,
		.verdict_type = 1, .verdict = 2, .has_queue = 1, .queue = 3,
	};

	vista_field_s(&top[0], "reason", "SKB_DROP_REASON_NETFILTER_DROP");
	vista_field_s(&ipt[0], "table", "filter");
	vista_field_u(&ipt[1], "cost_ns", VISTA_FIELD_UINT, 1234);
	vista_field_i(&ipt[2], "delta", -5);
	stub_ifname(4026531840U, 2, "eth0");
	rec.meta = &m;
	rec.ifname = "eth0";
	rec.tuple = &t;
	rec.groups = g;
	rec.nr_groups = 2;
	rec.stack = st;
	rec.nr_stack = 2;
	rec.pkt = &p;
	rec.dump = "{\n\t.len = (unsigned int)98,\n}";
	open_sink();
	write_rec(&rec);
	expect_output(HEAD("ip_rcv")
		",\"reason\":\"SKB_DROP_REASON_NETFILTER_DROP\""
		",\"meta\":{\"mark\":16,\"ifindex\":2,\"ifname\":\"eth0\","
		"\"protocol\":2048,\"mtu\":1500,\"len\":98,"
		"\"pkt_type\":\"OTHERHOST\"}"
		",\"tuple\":{\"family\":\"ipv4\",\"saddr\":\"10.0.0.1\","
		"\"daddr\":\"10.0.0.2\",\"proto\":\"tcp\",\"sport\":40000,"
		"\"dport\":80,\"tcp_flags\":\"SYN|ACK\"}"
		",\"iptables\":{\"table\":\"filter\",\"cost_ns\":1234,"
		"\"delta\":-5}"
		",\"packet\":{\"len\":98,\"caplen\":64,\"linktype\":1,"
		"\"dir\":\"in\",\"point\":\"exit\",\"verdict_type\":\"tc\","
		"\"verdict\":2,\"queue\":3}"
		",\"skb\":\"{\\n\\t.len = (unsigned int)98,\\n}\""
		",\"stack\":[{\"ip\":\"0xffffffff81000010\","
		"\"sym\":\"kfree_skb_reason+0x10\"},"
		"{\"ip\":\"0xffffffff81000020\",\"sym\":null}]}\n");
}

Test(json, ipv6_icmp_tuple)
{
	struct vista_record rec = rec_base();
	struct vista_tuple t = {
		.saddr = { 0xfd, [15] = 1 }, .daddr = { 0xfd, [15] = 2 },
		.l3proto = 0x86DD, .l4proto = 58, .icmp_type = 128,
		.icmp_id = 7, .icmp_seq = 1,
	};

	rec.tuple = &t;
	open_sink();
	write_rec(&rec);
	expect_output(HEAD("ip_rcv")
		",\"tuple\":{\"family\":\"ipv6\",\"saddr\":\"fd00::1\","
		"\"daddr\":\"fd00::2\",\"proto\":\"icmp6\",\"icmp_type\":128,"
		"\"icmp_code\":0,\"icmp_id\":7,\"icmp_seq\":1}}\n");
}

/* Whatever a string holds, the line stays one valid JSON object. */
Test(json, escapes)
{
	struct vista_record rec = rec_base();

	rec.func = "a\"b\\c\nd\te\x01" "f\x7f";
	rec.comm = "";
	open_sink();
	write_rec(&rec);
	expect_output(
		"{\"v\":1,\"type\":\"event\",\"time_ns\":1716642517123456789,"
		"\"mono_ns\":5000,\"plugin\":\"skb\","
		"\"func\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\","
		"\"obj\":\"0xffff888003a1c200\",\"cpu\":1,\"pid\":4321,"
		"\"tid\":4322,\"comm\":\"\",\"netns\":4026531840}\n");
}

Test(json, lost_notice)
{
	struct vista_field f[2];
	struct vista_group g = { .fields = f, .nr_fields = 2 };
	struct vista_record rec = {
		.kind = VISTA_RECORD_LOST, .plugin = "vista", .ts_ns = 7,
		.wall_ns = 8, .groups = &g, .nr_groups = 1, .lost = 30,
	};

	vista_field_u(&f[0], "lost", VISTA_FIELD_UINT, 10);
	vista_field_u(&f[1], "total", VISTA_FIELD_UINT, 30);
	open_sink();
	write_rec(&rec);
	expect_output("{\"v\":1,\"type\":\"lost\",\"time_ns\":8,"
		      "\"mono_ns\":7,\"lost\":10,\"total\":30}\n");
}

/* A full disk: one error, then the sink keeps saying so. */
Test(json, enospc)
{
	struct vista_record rec = rec_base();
	int err = 0, i;

	stub_opt("file", "/dev/full");
	open_sink();
	for (i = 0; i < 100000 && !err; i++)
		err = vista_plugin.sink.write(ctx, &rec);
	if (!err)
		err = vista_plugin.sink.flush(ctx);
	cr_assert_eq(err, -ENOSPC);
	cr_assert_eq(vista_plugin.sink.write(ctx, &rec), -ENOSPC);
	vista_plugin.sink.close(ctx);
	cr_assert_eq(stub_log_count(VISTA_LOG_ERROR), 1);
}
