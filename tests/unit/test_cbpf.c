// SPDX-License-Identifier: GPL-2.0-only
/*
 * core/cbpf.c: error paths, and the differential test of issue #4: every
 * expression of tests/fixtures/cbpf/expressions.txt, compiled for
 * DLT_EN10MB and DLT_RAW, translated and run in the kernel with
 * BPF_PROG_TEST_RUN on every generated packet, must give the same verdict
 * as libpcap's bpf_filter(). The packets and the XDP wrapper are in
 * cbpf_gen.c, shared with the fuzzer tests/fuzz/cbpf_diff.c.
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

#include <linux/if_ether.h>
#include "cbpf.h"
#include "cbpf_gen.h"

_Static_assert(sizeof(struct pcap_bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

#define CB_NR_PKTS	400

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
	cb_srand(CB_SEED_DEFAULT);
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

/*
 * Dead code, which the classic checker and bpf_filter() accept, is left
 * out of the translation: the verifier refuses unreachable instructions
 * (found by tests/fuzz/cbpf_diff). Loaded and run where root can.
 */
Test(cbpf, unreachable_code_left_out)
{
	const struct sock_filter f[] = {
		{ BPF_JMP | BPF_JA, 0, 0, 1 },
		{ BPF_MISC | BPF_TAX, 0, 0, 0 },	/* never runs */
		{ BPF_RET | BPF_K, 0, 0, 1 },
		{ BPF_RET | BPF_K, 0, 0, 0 },		/* never runs */
	};
	static const uint8_t pkt[64];
	struct bpf_insn *out = NULL;
	char log[4096];
	size_t n = 0, i;
	__u32 verdict = 0;
	int fd;

	cr_assert_eq(cbpf_to_ebpf(f, 4, &out, &n, NULL, 0), 0);
	for (i = 0; i < n; i++)
		cr_assert_neq(out[i].code, BPF_ALU | BPF_MOV | BPF_X,
			      "the unreachable TAX was translated");
	if (geteuid() != 0) {
		free(out);
		cr_skip_test("loading needs root");
	}
	fd = cb_load(out, n, log, sizeof(log));
	cr_assert_geq(fd, 0, "verifier: %s\n%s", strerror(-fd), log);
	cr_assert_eq(cb_run(fd, pkt, sizeof(pkt), &verdict), 0);
	cr_assert_eq(verdict, 1);
	close(fd);
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
