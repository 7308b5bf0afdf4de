// SPDX-License-Identifier: GPL-2.0-only
/*
 * core/pcap.c: the expression built from --filter-addr/--filter-port/
 * --filter-protocol and its precedence, compile errors, the splice on a
 * hand-made program (call offsets, func and line info), and the splice
 * done by the libbpf load callback on a clang-built program with BTF,
 * loaded and run in the kernel (root) against libpcap's bpf_filter().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#define bpf_insn pcap_bpf_insn
#define bpf_program pcap_bpf_program
#include <pcap/pcap.h>
#undef bpf_insn
#undef bpf_program

#include <vista/event.h>
#include "config.h"
#include "pcap.h"

static struct config cfg;

static void setup(void)
{
	cr_assert_eq(config_init(&cfg), 0);
	cr_assert_eq(config_add_rows(&cfg, vista_core_options,
				     vista_nr_core_options), 0);
}

static void teardown(void)
{
	config_free(&cfg);
	pcap_cleanup();
}

TestSuite(pcap, .init = setup, .fini = teardown);

static int parse(int argc, const char **argv)
{
	return config_parse_cli(&cfg, argc, (char **)argv);
}

static char *expr_of(int argc, const char **argv)
{
	char *e = NULL;

	cr_assert_eq(parse(argc, argv), 0);
	cr_assert_eq(pcap_expression(&cfg, &e), 0);
	return e;
}

/* ---- the expression ---------------------------------------------------- */

Test(pcap, expression_from_flags)
{
	const char *a1[] = { "vista", "--filter-addr", "10.0.0.1",
			     "--filter-port", "53" };
	char *e = expr_of(5, a1);

	cr_assert_str_eq(e, "host 10.0.0.1 and (tcp port 53 or udp port 53)");
	free(e);
}

Test(pcap, expression_with_protocol)
{
	const char *a[] = { "vista", "--filter-addr", "2001:db8::1",
			    "--filter-protocol", "udp", "--filter-port", "53" };
	char *e = expr_of(7, a);

	cr_assert_str_eq(e, "host 2001:db8::1 and udp port 53");
	free(e);
}

Test(pcap, expression_protocol_only)
{
	const char *a[] = { "vista", "--filter-protocol", "icmp6" };
	char *e = expr_of(3, a);

	cr_assert_str_eq(e, "icmp6");
	free(e);
}

Test(pcap, expression_none)
{
	const char *a[] = { "vista", "--filter-trace-skb" };

	cr_assert_null(expr_of(2, a));
}

Test(pcap, expression_positional)
{
	const char *a[] = { "vista", "tcp", "and", "dst", "port", "80" };
	char *e = expr_of(6, a);

	cr_assert_str_eq(e, "tcp and dst port 80");
	free(e);
}

Test(pcap, positional_and_flag_is_usage_error)
{
	const char *a[] = { "vista", "--filter-port", "80", "tcp" };
	char *e = NULL;

	cr_assert_eq(parse(4, a), 0);
	cr_assert_eq(pcap_expression(&cfg, &e), -EINVAL);
	cr_assert_null(e);
}

/* ---- compiling ------------------------------------------------------------ */

/* libpcap's verdict, or -1 if expr does not compile for dlt. */
static int oracle(const char *expr, int dlt, const uint8_t *pkt, size_t len)
{
	struct pcap_bpf_program prog;
	pcap_t *p = pcap_open_dead(dlt, 262144);
	u_int v;

	cr_assert_not_null(p);
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		pcap_close(p);
		return -1;
	}
	v = bpf_filter(prog.bf_insns, pkt, len, len);
	pcap_freecode(&prog);
	pcap_close(p);
	return v != 0;
}

/* Ethernet + IPv4 + UDP from 10.9.9.9:53 to 10.0.0.2:4000. */
static size_t udp4_frame(uint8_t *f)
{
	static const uint8_t frame[] = {
		2, 0, 0, 0, 0, 2,  2, 0, 0, 0, 0, 1,  0x08, 0x00,
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0,
		10, 9, 9, 9,  10, 0, 0, 2,
		0, 53, 0x0f, 0xa0, 0, 8, 0, 0,
	};

	memcpy(f, frame, sizeof(frame));
	return sizeof(frame);
}

/*
 * The precedence the issue names: the original's string matches any
 * host's UDP port 53; ours only 10.0.0.1's.
 */
Test(pcap, precedence_of_built_expression)
{
	const char *a[] = { "vista", "--filter-addr", "10.0.0.1",
			    "--filter-port", "53" };
	uint8_t f[64];
	size_t n = udp4_frame(f);
	char *e = expr_of(5, a);

	cr_assert_eq(oracle("host 10.0.0.1 and tcp port 53 or udp port 53",
			    DLT_EN10MB, f, n), 1);
	cr_assert_eq(oracle(e, DLT_EN10MB, f, n), 0);
	f[26 + 3] = 1;	/* source 10.9.9.1 -> 10.0.0.1 is not it either */
	f[26] = 10, f[27] = 0, f[28] = 0, f[29] = 1;
	cr_assert_eq(oracle(e, DLT_EN10MB, f, n), 1);
	free(e);
}

Test(pcap, l2_only_expression_rejects_at_l3)
{
	struct pcap_code code[PCAP_NR_LAYERS];
	char err[256];

	cr_assert_eq(pcap_compile_expr("ether host 02:00:00:00:00:01", code,
				       err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(code[PCAP_L2].cnt, 2);
	cr_assert_eq(code[PCAP_L3].cnt, 2);
	cr_assert_eq(code[PCAP_L3].insns[0].code, BPF_ALU64 | BPF_MOV | BPF_K);
	cr_assert_eq(code[PCAP_L3].insns[0].imm, 0);
	cr_assert_eq(code[PCAP_L3].insns[1].code, BPF_JMP | BPF_EXIT);
	pcap_code_free(code);
}

Test(pcap, syntax_error_has_libpcap_message)
{
	struct pcap_code code[PCAP_NR_LAYERS];
	char err[256] = "";

	cr_assert_eq(pcap_compile_expr("tcp port", code, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "syntax error"), "message: %s", err);
	cr_assert_null(code[PCAP_L2].insns);
}

Test(pcap, protochain_refused_clearly)
{
	struct pcap_code code[PCAP_NR_LAYERS];
	char err[256] = "";

	cr_assert_eq(pcap_compile_expr("ip6 protochain 6", code, err,
				       sizeof(err)), -EOPNOTSUPP);
	cr_assert(strstr(err, "protochain is not supported"), "%s", err);
}

/* ---- the splice on a hand-made program ------------------------------- */

#define INSN(c, d, s, o, i)	((struct bpf_insn){ c, d, s, o, i })
#define CALL(i)		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, i)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV0(i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, i)
#define LD64(s, lo)	INSN(BPF_LD | BPF_IMM | BPF_DW, 0, s, 0, lo)

Test(pcap, splice_fixes_calls_and_info)
{
	const __u64 m = VISTA_PCAP_L2_MAGIC;
	const struct bpf_insn prog[] = {
		/* 0 */ CALL(3),			/* -> 4, the stub */
		/* 1 */ LD64(BPF_PSEUDO_FUNC, 6),	/* -> 8, the tail */
		/* 2 */ INSN(0, 0, 0, 0, 0),
		/* 3 */ EXIT(),
		/* 4 */ LD64(0, (__s32)(__u32)m),
		/* 5 */ INSN(0, 0, 0, 0, (__s32)(__u32)(m >> 32)),
		/* 6 */ MOV0(0),
		/* 7 */ EXIT(),
		/* 8 */ MOV0(7),
		/* 9 */ CALL(-10),			/* back to 0 */
		/* 10 */ EXIT(),
	};
	struct bpf_insn body[5] = {
		MOV0(1), MOV0(2), MOV0(3), MOV0(4), EXIT(),
	};
	struct pcap_code code[PCAP_NR_LAYERS] = {
		[PCAP_L2] = { body, 5 },
		[PCAP_L3] = { body, 5 },
	};
	__u32 fi[3][2] = { { 0, 11 }, { 4, 12 }, { 8, 13 } };
	__u32 li[6][4] = {
		{ 0, 1, 1, 0 }, { 1, 1, 2, 0 }, { 4, 1, 3, 0 },
		{ 6, 1, 4, 0 }, { 8, 1, 5, 0 }, { 9, 1, 6, 0 },
	};
	struct pcap_splice io = {
		.func_info = fi, .func_info_cnt = 3,
		.func_info_rec_size = sizeof(fi[0]),
		.line_info = li, .line_info_cnt = 6,
		.line_info_rec_size = sizeof(li[0]),
	};
	const __u32 (*nfi)[2], (*nli)[4];

	/* one stub (L2) is present: one replaced */
	cr_assert_eq(pcap_splice(prog, 11, code, &io), 1);
	cr_assert_eq(io.cnt, 12);		/* 4 replaced by 5 */
	cr_assert_eq(io.insns[0].imm, 3);	/* the stub did not move */
	cr_assert_eq(io.insns[1].imm, 7);	/* 1 -> 9 */
	cr_assert_eq(io.insns[4].imm, 1);	/* the new body */
	cr_assert_eq(io.insns[8].code, BPF_JMP | BPF_EXIT);
	cr_assert_eq(io.insns[9].imm, 7);	/* the tail, at 9 now */
	cr_assert_eq(io.insns[10].imm, -11);	/* 10 -> 0 */

	cr_assert_neq(io.func_info, (void *)fi);
	nfi = io.func_info;
	cr_assert_eq(io.func_info_cnt, 3);
	cr_assert_eq(nfi[0][0], 0);
	cr_assert_eq(nfi[1][0], 4);
	cr_assert_eq(nfi[2][0], 9);
	cr_assert_eq(nfi[2][1], 13);

	nli = io.line_info;
	cr_assert_eq(io.line_info_cnt, 5);	/* the stub's second line went */
	cr_assert_eq(nli[2][0], 4);
	cr_assert_eq(nli[3][0], 9);
	cr_assert_eq(nli[3][2], 5);
	cr_assert_eq(nli[4][0], 10);
	free(io.insns);
	free(io.func_info);
	free(io.line_info);
}

Test(pcap, splice_without_stub_is_a_no_op)
{
	const struct bpf_insn prog[] = { MOV0(0), EXIT() };
	struct bpf_insn body[2] = { MOV0(1), EXIT() };
	struct pcap_code code[PCAP_NR_LAYERS] = {
		[PCAP_L2] = { body, 2 }, [PCAP_L3] = { body, 2 },
	};
	struct pcap_splice io = {};

	cr_assert_eq(pcap_splice(prog, 2, code, &io), 0);
	cr_assert_null(io.insns);
}

/* ---- the load callback, in the kernel ---------------------------------- */

static const char *fixture_obj(void)
{
	const char *p = getenv("VISTA_PCAP_FIXTURE");

	return p && *p ? p : "tests/fixtures/pcap/splice.bpf.o";
}

struct frame {
	uint8_t b[128];
	size_t len;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void eth(struct frame *f, uint16_t type, int vlan)
{
	static const uint8_t macs[] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t t[2] = { type >> 8, type & 0xff };
	static const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x07 };

	f->len = 0;
	put(f, macs, sizeof(macs));
	if (vlan)
		put(f, tag, sizeof(tag));
	put(f, t, 2);
}

static void ip4(struct frame *f, uint8_t proto, const uint8_t *l4, size_t n,
		uint8_t last)
{
	uint8_t h[20] = { 0x45, 0, 0, (uint8_t)(20 + n), 0, 1, 0, 0, 64, proto,
			  0, 0, 10, 0, 0, 1, 10, 0, 0, last };

	put(f, h, sizeof(h));
	put(f, l4, n);
}

static int frames(struct frame *out)
{
	static const uint8_t syn80[20] = { 0x9c, 0x40, 0, 80, [12] = 0x50,
					   [13] = 0x02 };
	static const uint8_t ack22[20] = { 0x9c, 0x40, 0, 22, [12] = 0x50,
					   [13] = 0x10 };
	static const uint8_t udp53[8] = { 0x9c, 0x40, 0, 53, 0, 8 };
	static const uint8_t echo[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1,
					 2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
					 0, 0, 0, 0, 0, 0, 10, 0, 0, 2 };
	uint8_t ip6[40] = { 0x60, 0, 0, 0, 0, 20, 6, 64,
			    0x20, 0x01, 0x0d, 0xb8, [23] = 1,
			    [24] = 0x20, 0x01, 0x0d, 0xb8, [39] = 2 };
	int n = 0;

	eth(&out[n], 0x0800, 0); ip4(&out[n++], 6, syn80, 20, 2);
	eth(&out[n], 0x0800, 0); ip4(&out[n++], 6, ack22, 20, 3);
	eth(&out[n], 0x0800, 0); ip4(&out[n++], 17, udp53, 8, 2);
	eth(&out[n], 0x0800, 0); ip4(&out[n++], 1, echo, 8, 2);
	eth(&out[n], 0x0806, 0); put(&out[n++], arp, sizeof(arp));
	eth(&out[n], 0x86dd, 0); put(&out[n], ip6, 40);
	put(&out[n++], syn80, 20);
	eth(&out[n], 0x0800, 1); ip4(&out[n++], 17, udp53, 8, 2);  /* VLAN */
	return n;
}

static const char *const kernel_exprs[] = {
	"tcp dst port 80", "tcp[tcpflags] & tcp-syn != 0", "udp port 53",
	"icmp[icmptype] = icmp-echo", "arp", "ip6 and tcp",
	"ip6[6] = 6 and ip6 dst host 2001:db8::2", "vlan and udp",
	"ether src 02:00:00:00:00:01", "ip[8] > 32 and not icmp",
	"(ip[2:2] - ((ip[0] & 0xf) << 2)) > 10",
	"host 10.0.0.1 and (tcp port 22 or udp port 53)",
};

Test(pcap, load_callback_splices_in_kernel)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts,
		    .prog_prepare_load_fn = pcap_prepare_load);
	struct frame fr[16];
	int nfr = frames(fr), id, checked = 0;
	size_t e;

	if (geteuid())
		cr_skip_test("needs root to load BPF programs");
	id = libbpf_register_prog_handler("vista.test_xdp", BPF_PROG_TYPE_XDP,
					  0, &hopts);
	cr_assert_geq(id, 0);
	for (e = 0; e < sizeof(kernel_exprs) / sizeof(*kernel_exprs); e++) {
		struct bpf_object *obj;
		struct bpf_program *prog;
		int i, fd;

		cr_assert_eq(pcap_set_code(kernel_exprs[e], "test"), 0);
		obj = bpf_object__open_file(fixture_obj(), NULL);
		cr_assert_not_null(obj, "open %s", fixture_obj());
		cr_assert_eq(bpf_object__load(obj), 0, "load with '%s'",
			     kernel_exprs[e]);
		prog = bpf_object__find_program_by_name(obj, "splice_test");
		fd = bpf_program__fd(prog);
		for (i = 0; i < nfr; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = fr[i].b,
				    .data_size_in = (__u32)fr[i].len,
				    .repeat = 1);
			int l2, l3;

			cr_assert_eq(bpf_prog_test_run_opts(fd, &ro), 0);
			cr_assert_eq(ro.retval & 1, 1, "the tail call ran");
			l2 = oracle(kernel_exprs[e], DLT_EN10MB, fr[i].b,
				    fr[i].len);
			cr_assert_geq(l2, 0);
			/* an L2-only expression rejects everything at L3 */
			l3 = oracle(kernel_exprs[e], DLT_RAW, fr[i].b + 14,
				    fr[i].len - 14);
			if (l3 < 0)
				l3 = 0;
			cr_assert_eq((ro.retval >> 1) & 1, l2,
				     "'%s' L2 on frame %d", kernel_exprs[e], i);
			cr_assert_eq((ro.retval >> 2) & 1, l3,
				     "'%s' L3 on frame %d", kernel_exprs[e], i);
			checked++;
		}
		bpf_object__close(obj);
	}
	libbpf_unregister_prog_handler(id);
	cr_log_info("%d expression-frame pairs agree with bpf_filter()",
		    checked);
	cr_assert_eq(checked, nfr * (int)(sizeof(kernel_exprs) /
					  sizeof(*kernel_exprs)));
}
