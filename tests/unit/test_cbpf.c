// SPDX-License-Identifier: GPL-2.0-only
/*
 * core/cbpf.c: error paths, and the differential test of issue #4: every
 * expression of tests/fixtures/cbpf/expressions.txt, compiled for
 * DLT_EN10MB and DLT_RAW, translated and run in the kernel with
 * BPF_PROG_TEST_RUN on every generated packet, must give the same verdict
 * as libpcap's bpf_filter().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

/* libpcap and the kernel both name a struct bpf_insn: rename libpcap's. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include "cbpf.h"

_Static_assert(sizeof(struct pcap_bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

/* XDP test runs need ETH_HLEN bytes: packets go after this much padding. */
#define CB_PAD		ETH_HLEN
#define CB_NR_PKTS	400
#define CB_MAX_PKT	1600

struct cb_pkt {
	uint8_t data[CB_MAX_PKT];
	size_t len;
};

/* Classic program of @expr for @dlt; 0, or -EINVAL with @msg set. */
static int cb_compile(const char *expr, int dlt, struct bpf_program *prog,
		      char *msg, size_t msglen)
{
	pcap_t *p = pcap_open_dead(dlt, 65535);
	int ret = 0;

	cr_assert_not_null(p);
	if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(msg, msglen, "%s", pcap_geterr(p));
		ret = -EINVAL;
	}
	pcap_close(p);
	return ret;
}

/*
 * XDP wrapper: call filter(data + CB_PAD, data_end), return 1 on a match,
 * 0 otherwise. The subprogram follows at index 7.
 */
static int cb_load(const struct bpf_insn *sub, size_t sub_len, char *log,
		   size_t loglen)
{
	static const struct bpf_insn head[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
		  offsetof(struct xdp_md, data_end), 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_1,
		  offsetof(struct xdp_md, data), 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, CB_PAD },
		{ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 3 },
		{ BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 1, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	size_t nhead = sizeof(head) / sizeof(head[0]);
	size_t n = nhead + sub_len;
	struct bpf_insn *insns = calloc(n, sizeof(*insns));
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log,
		    .log_size = loglen, .log_level = 1);
	int fd;

	cr_assert_not_null(insns);
	memcpy(insns, head, sizeof(head));
	memcpy(insns + nhead, sub, sub_len * sizeof(*sub));
	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "cbpf_test", "GPL", insns, n,
			   &opts);
	if (fd < 0 && errno == ENOSPC) {
		/* log too small for a successful-but-chatty load: retry */
		opts.log_level = 0;
		opts.log_buf = NULL;
		opts.log_size = 0;
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "cbpf_test", "GPL",
				   insns, n, &opts);
	}
	free(insns);
	return fd < 0 ? -errno : fd;
}

static int cb_run(int fd, const uint8_t *pkt, size_t len, __u32 *verdict)
{
	uint8_t buf[CB_PAD + CB_MAX_PKT] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
		    .data_size_in = (__u32)(CB_PAD + len), .repeat = 1);

	memcpy(buf + CB_PAD, pkt, len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	*verdict = opts.retval;
	return 0;
}

/* xorshift64*: the packets must be the same on every run. */
static uint64_t cb_seed = 0x7669737461ULL;

static uint32_t cb_rand(void)
{
	cb_seed ^= cb_seed >> 12;
	cb_seed ^= cb_seed << 25;
	cb_seed ^= cb_seed >> 27;
	return (uint32_t)((cb_seed * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t cb_pick(const uint32_t *v, size_t n)
{
	return v[cb_rand() % n];
}

#define CB_PICK(a)	cb_pick(a, sizeof(a) / sizeof(a[0]))

static const uint32_t cb_v4[] = {
	0x0a000001, 0x0a000002, 0xc0a8010a, 0xac100504, 0x0a0000ff,
	0xe0000001, 0x08080808, 0xc0a80001,
};
static const uint32_t cb_ports[] = {
	22, 53, 80, 443, 8080, 5000, 5050, 1500, 30000, 65535, 0, 8050,
};
static const uint8_t cb_v6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0xfe, 0x80, [15] = 1 },
	{ 0xff, 0x02, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb9, 0x12, 0x34, [15] = 7 },
};
static const uint8_t cb_macs[][6] = {
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 },
	{ 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
	{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
};

static void cb_put16(uint8_t *p, uint32_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void cb_put32(uint8_t *p, uint32_t v)
{
	cb_put16(p, v >> 16);
	cb_put16(p + 2, v);
}

/* L4 header and payload at @p; returns its length. */
static size_t cb_l4(uint8_t *p, int proto)
{
	size_t len, pay = cb_rand() % 4 ? cb_rand() % 64 : cb_rand() % 1200;
	size_t i;

	switch (proto) {
	case 6: {
		size_t doff = 5 + (cb_rand() % 3 ? 0 : cb_rand() % 11);

		cb_put16(p, CB_PICK(cb_ports));
		cb_put16(p + 2, CB_PICK(cb_ports));
		cb_put32(p + 4, cb_rand() % 2 ? 0 : cb_rand());
		cb_put32(p + 8, cb_rand());
		p[12] = doff << 4;
		p[13] = cb_rand() % 3 ? (uint8_t[]){ 0x02, 0x12, 0x10, 0x18,
			0x11, 0x04, 0x29, 0x00 }[cb_rand() % 8] : cb_rand();
		cb_put16(p + 14, cb_rand());
		for (i = 20; i < doff * 4; i++)
			p[i] = (uint8_t[]){ 1, 2, 4, 8 }[cb_rand() % 4];
		len = doff * 4;
		if (cb_rand() % 4 == 0 && pay >= 4)
			memcpy(p + len, "GET ", 4);
		else if (pay >= 4)
			cb_put32(p + len, cb_rand());
		break;
	}
	case 17:
		cb_put16(p, CB_PICK(cb_ports));
		cb_put16(p + 2, cb_rand() % 5 ? CB_PICK(cb_ports) :
			 cb_rand() % 0x10000);
		cb_put16(p + 4, 8 + pay);
		len = 8;
		break;
	case 1:
	case 58: {
		static const uint32_t t4[] = { 0, 3, 8, 11, 5, 13 };
		static const uint32_t t6[] = { 128, 129, 133, 134, 135, 136,
					       1, 3 };

		p[0] = proto == 1 ? CB_PICK(t4) : CB_PICK(t6);
		p[1] = cb_rand() % 2 ? 0 : cb_rand() % 16;
		cb_put32(p + 4, cb_rand() % 2 ? 0 : cb_rand());
		len = 8;
		break;
	}
	default:
		len = 0;
		break;
	}
	for (i = len; i < len + pay && i < 1300; i++)
		if (!(proto == 6 && i < len + 4))
			p[i] = cb_rand() % 3 ? 0 : cb_rand();
	return len + (pay < 1300 ? pay : 1300);
}

static size_t cb_ipv4(uint8_t *p)
{
	static const uint32_t protos[] = { 6, 6, 17, 17, 1, 47, 132, 0 };
	size_t ihl = cb_rand() % 5 ? 5 : 6 + cb_rand() % 10, i, len;
	int proto = CB_PICK(protos);
	uint32_t frag = 0;

	p[0] = 0x40 | ihl;
	p[1] = cb_rand() % 3 ? 0 : cb_rand();
	cb_put16(p + 4, cb_rand());
	switch (cb_rand() % 6) {
	case 0:
		frag = 0x2000 | (cb_rand() % 3 ? 0 : cb_rand() % 0x1fff);
		break;
	case 1:
		frag = cb_rand() % 0x1fff;
		break;
	case 2:
		frag = 0x4000;
		break;
	}
	cb_put16(p + 6, frag);
	p[8] = (uint8_t[]){ 64, 128, 255, 1, 0, 3 }[cb_rand() % 6];
	p[9] = proto;
	cb_put32(p + 12, CB_PICK(cb_v4));
	cb_put32(p + 16, cb_rand() % 8 ? CB_PICK(cb_v4) : cb_rand());
	if (cb_rand() % 10 == 0)	/* src == dst */
		memcpy(p + 16, p + 12, 4);
	for (i = 20; i < ihl * 4; i++)
		p[i] = (uint8_t[]){ 0x94, 0x44, 0x83, 0x01, 0x00, 0x07 }
			[cb_rand() % 6];
	len = ihl * 4 + cb_l4(p + ihl * 4, proto);
	/* total length sometimes lies, as on the wire */
	cb_put16(p + 2, cb_rand() % 8 ? len : cb_rand() % 0x10000);
	return len;
}

static size_t cb_ipv6(uint8_t *p)
{
	static const uint32_t protos[] = { 6, 17, 58, 58, 0, 44, 59 };
	int proto = CB_PICK(protos), l4 = proto;
	size_t hlen = 40, len;

	p[0] = 0x60 | (cb_rand() % 4 ? 0 : cb_rand() % 16);
	p[1] = cb_rand() % 2 ? 0 : cb_rand();
	p[6] = proto;
	p[7] = (uint8_t[]){ 64, 255, 1, 128 }[cb_rand() % 4];
	memcpy(p + 8, cb_v6[cb_rand() % 5], 16);
	memcpy(p + 24, cb_v6[cb_rand() % 5], 16);
	if (proto == 0 || proto == 44) {
		/* hop-by-hop or fragment header before the real L4 */
		l4 = (int[]){ 6, 17, 58 }[cb_rand() % 3];
		p[40] = l4;
		p[41] = 0;
		if (proto == 44)
			cb_put16(p + 42, cb_rand() % 0x10000);
		hlen = 48;
	}
	len = hlen + (proto == 59 ? 0 : cb_l4(p + hlen, l4));
	cb_put16(p + 4, len - 40);
	return len;
}

static size_t cb_arp(uint8_t *p)
{
	cb_put16(p, 1);
	cb_put16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	cb_put16(p + 6, 1 + cb_rand() % 2);
	memcpy(p + 8, cb_macs[cb_rand() % 2], 6);
	cb_put32(p + 14, CB_PICK(cb_v4));
	memset(p + 18, 0, 6);
	cb_put32(p + 24, CB_PICK(cb_v4));
	return 28;
}

static void cb_gen(struct cb_pkt *pk)
{
	uint8_t *p = pk->data;
	size_t off = 12, len, tags = 0;
	uint32_t kind = cb_rand() % 10;

	memset(pk, 0, sizeof(*pk));
	memcpy(p, cb_macs[cb_rand() % 5], 6);
	memcpy(p + 6, cb_macs[cb_rand() % 2], 6);
	if (cb_rand() % 5 == 0)
		tags = 1 + cb_rand() % 2;
	while (tags--) {
		cb_put16(p + off, tags && cb_rand() % 2 ? 0x88a8 : 0x8100);
		cb_put16(p + off + 2, (cb_rand() % 8) << 13 |
			 (uint32_t[]){ 100, 200, 300, 1 }[cb_rand() % 4]);
		off += 4;
	}
	if (kind < 5) {
		cb_put16(p + off, 0x0800);
		len = cb_ipv4(p + off + 2);
	} else if (kind < 8) {
		cb_put16(p + off, 0x86dd);
		len = cb_ipv6(p + off + 2);
	} else if (kind < 9) {
		cb_put16(p + off, cb_rand() % 4 ? 0x0806 : 0x8035);
		len = cb_arp(p + off + 2);
	} else {
		cb_put16(p + off, (uint32_t[]){ 0x88cc, 0x0800, 0x86dd,
			0x0000 }[cb_rand() % 4]);
		len = cb_rand() % 100;
		for (size_t i = 0; i < len; i++)
			p[off + 2 + i] = cb_rand();
	}
	pk->len = off + 2 + len;
	/* truncated captures, some shorter than an Ethernet header */
	if (cb_rand() % 8 == 0)
		pk->len = cb_rand() % (pk->len + 1);
}

static char **cb_read_lines(size_t *n)
{
	const char *dir = getenv("VISTA_FIXTURES");
	char path[4096], line[1024], **v = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cbpf/expressions.txt",
		 dir ? dir : "tests/fixtures");
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s (set VISTA_FIXTURES)", path,
			   strerror(errno));
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		cr_assert_not_null(v);
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

struct cb_stats {
	size_t progs, pairs, matches, mismatches, l2_only;
};

/* One expression for one link type against every packet. */
static void cb_diff(const char *expr, int dlt, const struct cb_pkt *pkts,
		    size_t npkts, struct cb_stats *st)
{
	static char log[1 << 20];
	struct bpf_program prog;
	struct bpf_insn *ebpf;
	size_t ebpf_len, i, skip = dlt == DLT_RAW ? ETH_HLEN : 0;
	char msg[PCAP_ERRBUF_SIZE + 256];
	int fd, ret;

	if (cb_compile(expr, dlt, &prog, msg, sizeof(msg))) {
		/* L2-only expressions ("arp", "ether ...") on raw IP */
		cr_assert_eq(dlt, DLT_RAW, "'%s' does not compile: %s", expr,
			     msg);
		st->l2_only++;
		return;
	}
	ret = cbpf_to_ebpf((const struct sock_filter *)prog.bf_insns,
			   prog.bf_len, &ebpf, &ebpf_len, msg, sizeof(msg));
	cr_assert_eq(ret, 0, "'%s' (dlt %d): %s", expr, dlt, msg);
	fd = cb_load(ebpf, ebpf_len, log, sizeof(log));
	cr_assert_geq(fd, 0, "'%s' (dlt %d): verifier: %s\n%s", expr, dlt,
		      strerror(-fd), log);
	st->progs++;
	for (i = 0; i < npkts; i++) {
		const uint8_t *d = pkts[i].data + skip;
		size_t len = pkts[i].len > skip ? pkts[i].len - skip : 0;
		u_int want = bpf_filter(prog.bf_insns, d, len, len);
		__u32 got = 0;

		ret = cb_run(fd, d, len, &got);
		cr_assert_eq(ret, 0, "test run: %s", strerror(-ret));
		st->pairs++;
		st->matches += !!want;
		if (!!want != !!got) {
			st->mismatches++;
			cr_log_error("mismatch: '%s' dlt %d packet %zu (len %zu): libpcap %u, eBPF %u",
				     expr, dlt, i, len, want, got);
		}
	}
	close(fd);
	free(ebpf);
	pcap_freecode(&prog);
}

Test(cbpf, differential, .timeout = 600)
{
	struct cb_stats st = { 0 };
	struct cb_pkt *pkts;
	char **exprs;
	size_t nexprs, i;

	if (geteuid() != 0)
		cr_skip_test("BPF_PROG_TEST_RUN needs root: run as root");
	exprs = cb_read_lines(&nexprs);
	pkts = calloc(CB_NR_PKTS, sizeof(*pkts));
	cr_assert_not_null(pkts);
	for (i = 0; i < CB_NR_PKTS; i++)
		cb_gen(&pkts[i]);

	for (i = 0; i < nexprs; i++) {
		cb_diff(exprs[i], DLT_EN10MB, pkts, CB_NR_PKTS, &st);
		cb_diff(exprs[i], DLT_RAW, pkts, CB_NR_PKTS, &st);
	}
	printf("cbpf differential: %zu expressions, %d packets, %zu programs loaded (%zu L2-only skipped for DLT_RAW), %zu pairs (%zu matching), %zu mismatches\n",
	       nexprs, CB_NR_PKTS, st.progs, st.l2_only, st.pairs,
	       st.matches, st.mismatches);
	cr_assert_eq(st.mismatches, 0, "%zu mismatches", st.mismatches);
	/* a corpus where nothing (or everything) matches proves nothing */
	cr_assert_gt(st.matches, st.pairs / 20);
	cr_assert_lt(st.matches, st.pairs - st.pairs / 20);
	for (i = 0; i < nexprs; i++)
		free(exprs[i]);
	free(exprs);
	free(pkts);
}

static int cb_translate(const struct sock_filter *f, size_t n, char *err,
			size_t errlen)
{
	struct bpf_insn *out = NULL;
	size_t out_len = 0;
	int ret = cbpf_to_ebpf(f, n, &out, &out_len, err, errlen);

	free(out);
	return ret;
}

Test(cbpf, empty_program)
{
	char err[256];

	cr_assert_eq(cb_translate(NULL, 0, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "empty cBPF program");
}

Test(cbpf, unsupported_opcode)
{
	/* RET X is valid in Linux cBPF but not in bpf_filter() */
	const struct sock_filter f[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 12 },
		{ BPF_RET | BPF_X, 0, 0, 0 },
	};
	const struct sock_filter g[] = {
		{ 0xffff, 0, 0, 0 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	char err[256];

	cr_assert_eq(cb_translate(f, 2, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "instruction 1: unsupported opcode 0x000e"),
		  "%s", err);
	cr_assert_eq(cb_translate(g, 2, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "instruction 0"), "%s", err);
}

Test(cbpf, malformed_programs)
{
	const struct sock_filter noret[] = {
		{ BPF_LD | BPF_W | BPF_ABS, 0, 0, 12 },
	};
	const struct sock_filter far[] = {
		{ BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	const struct sock_filter back[] = {
		{ BPF_JMP | BPF_JA, 0, 0, (__u32)-1 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	const struct sock_filter mem[] = {
		{ BPF_ST, 0, 0, 16 },
		{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	char err[256];

	cr_assert_eq(cb_translate(noret, 1, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "return"), "%s", err);
	cr_assert_eq(cb_translate(far, 2, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "out of the program"), "%s", err);
	cr_assert_eq(cb_translate(back, 2, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "backward"), "%s", err);
	cr_assert_eq(cb_translate(mem, 2, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "M[16]"), "%s", err);
}

/* Shape of the output: starts with the bounds guard, ends with return 0. */
Test(cbpf, translation_shape)
{
	const struct sock_filter f[] = {
		{ BPF_RET | BPF_K, 0, 0, 65535 },
	};
	struct bpf_insn *out = NULL;
	size_t n = 0;

	cr_assert_eq(cbpf_to_ebpf(f, 1, &out, &n, NULL, 0), 0);
	cr_assert_gt(n, 4);
	cr_assert_eq(out[n - 1].code, BPF_JMP | BPF_EXIT);
	cr_assert_eq(out[n - 2].imm, 0);
	free(out);
}

/* protochain loops backwards: refused with a message, not mistranslated */
Test(cbpf, protochain_refused)
{
	struct bpf_program prog;
	struct bpf_insn *out = NULL;
	size_t n = 0;
	char err[256], msg[PCAP_ERRBUF_SIZE];

	cr_assert_eq(cb_compile("ip6 protochain 6", DLT_EN10MB, &prog, msg,
				sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(cbpf_to_ebpf((const struct sock_filter *)prog.bf_insns,
				  prog.bf_len, &out, &n, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "backward jump"), "%s", err);
	cr_assert_null(out);
	pcap_freecode(&prog);
}
