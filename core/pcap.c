// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pcap-filter expression: built, compiled for L2 and L3, and spliced
 * into the stub subprograms of every vista-section program at load time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* libpcap and the kernel both name a struct bpf_insn: rename libpcap's. */
#define bpf_insn pcap_bpf_insn
#define bpf_program pcap_bpf_program
#include <pcap/pcap.h>
#undef bpf_insn
#undef bpf_program

#include <vista/event.h>
#include "core.h"
#include "cbpf.h"
#include "pcap.h"

_Static_assert(sizeof(struct pcap_bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

/* Not in Debian 12's <linux/bpf.h> (Linux 6.1 headers). */
#define VISTA_PROG_TYPE_NETFILTER	32
#define VISTA_ATTACH_NETFILTER		45

/* ---- the expression --------------------------------------------------- */

static bool str_set(const struct config_value *v)
{
	return config_is_set(v) && v->s && *v->s;
}

static int append(char **buf, const char *fmt, const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, fmt, *buf ? *buf : "", *buf ? " and " : "", a, b) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = s;
	return 0;
}

/*
 * --filter-addr A --filter-protocol P --filter-port N (checked by
 * filter_build()), as an expression. Every term is one conjunct:
 * "host A and (tcp port N or udp port N)" (the original's "host A and tcp
 * port N or udp port N" reads as "(host A and tcp port N) or udp port N"
 * and matches any host's UDP).
 */
static int build_from_flags(struct config *cfg, char **out)
{
	const struct config_value *addr, *port, *proto;
	char num[8] = "";
	int ret = 0;

	addr = config_get(cfg, "core", "filter-addr");
	port = config_get(cfg, "core", "filter-port");
	proto = config_get(cfg, "core", "filter-protocol");
	if (config_is_set(port) && port->u)
		snprintf(num, sizeof(num), "%u", (unsigned)port->u);
	*out = NULL;
	if (str_set(addr))
		ret = append(out, "%s%shost %s%s", addr->s, "");
	if (!ret && str_set(proto) && *num)
		ret = append(out, "%s%s%s port %s", proto->s, num);
	else if (!ret && str_set(proto))
		ret = append(out, "%s%s%s%s", proto->s, "");
	else if (!ret && *num)
		ret = append(out, "%s%s(tcp port %s or udp port %s)", num, num);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

int pcap_expression(struct config *cfg, char **out)
{
	const struct config_value *v = config_get(cfg, "core", "filter");
	const char *clash = NULL;
	static const char *const flags[] = {
		"filter-addr", "filter-port", "filter-protocol",
	};
	const struct config_value *f;
	size_t i;

	*out = NULL;
	if (!str_set(v))
		return build_from_flags(cfg, out);
	for (i = 0; i < ARRAY_SIZE(flags) && !clash; i++) {
		f = config_get(cfg, "core", flags[i]);
		if (config_is_set(f) && ((f->s && *f->s) ||
				  (!f->s && f->u)))
			clash = flags[i];
	}
	if (clash) {
		fprintf(stderr, "--%s: cannot be combined with a pcap-filter "
			"expression (\"%s\"): write it into the expression\n",
			clash, v->s);
		return -EINVAL;
	}
	*out = strdup(v->s);
	return *out ? 0 : -ENOMEM;
}

/* ---- compiling ---------------------------------------------------------- */

/* "ret #0": the L3 code of an expression that needs a link layer. */
static int reject_all(struct pcap_code *c)
{
	c->insns = calloc(2, sizeof(*c->insns));
	if (!c->insns)
		return -ENOMEM;
	c->insns[0] = (struct bpf_insn){
		.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
	};
	c->insns[1] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	c->cnt = 2;
	return 0;
}

static int compile_one(const char *expr, int dlt, struct pcap_code *c,
		       char *err, size_t errlen)
{
	struct pcap_bpf_program prog;
	pcap_t *p;
	int ret;

	p = pcap_open_dead(dlt, 262144);
	if (!p)
		return -ENOMEM;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	pcap_close(p);
	ret = cbpf_to_ebpf((const struct sock_filter *)prog.bf_insns,
			   prog.bf_len, &c->insns, &c->cnt, err, errlen);
	pcap_freecode(&prog);
	if (ret == -EINVAL && strstr(expr, "protochain"))
		snprintf(err, errlen, "protochain is not supported (libpcap "
			 "compiles it to a loop); match the header with "
			 "'ip proto N' or 'ip6 proto N' instead");
	return ret == -EINVAL || ret == -E2BIG ? -EOPNOTSUPP : ret;
}

int pcap_compile_expr(const char *expr, struct pcap_code code[PCAP_NR_LAYERS],
		      char *err, size_t errlen)
{
	char l3err[256];
	int ret;

	memset(code, 0, PCAP_NR_LAYERS * sizeof(*code));
	ret = compile_one(expr, DLT_EN10MB, &code[PCAP_L2], err, errlen);
	if (ret)
		return ret;
	ret = compile_one(expr, DLT_RAW, &code[PCAP_L3], l3err,
			  sizeof(l3err));
	if (ret == -EINVAL)	/* "ether", "arp" ...: nothing at L3 */
		ret = reject_all(&code[PCAP_L3]);
	else if (ret == -EOPNOTSUPP)
		snprintf(err, errlen, "%s", l3err);
	if (ret)
		pcap_code_free(code);
	return ret;
}

void pcap_code_free(struct pcap_code code[PCAP_NR_LAYERS])
{
	int i;

	for (i = 0; i < PCAP_NR_LAYERS; i++) {
		free(code[i].insns);
		code[i].insns = NULL;
		code[i].cnt = 0;
	}
}

/* ---- splicing ------------------------------------------------------------ */

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) &&
	       in->src_reg == BPF_PSEUDO_CALL;
}

/* A callback's address (bpf_loop and friends): also pc-relative. */
static bool is_pseudo_func(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       in->src_reg == BPF_PSEUDO_FUNC;
}

static bool is_ld64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static size_t find_stub(const struct bpf_insn *insns, size_t cnt, __u64 m)
{
	size_t i;

	for (i = 0; i + 1 < cnt; i++) {
		if (!is_ld64(&insns[i]))
			continue;
		if (insns[i].src_reg == 0 && (__u32)insns[i].imm == (__u32)m &&
		    (__u32)insns[i + 1].imm == (__u32)(m >> 32))
			return i;
		i++;
	}
	return cnt;
}

/*
 * The subprogram holding instruction at: [*start, *end). Subprograms start
 * at 0 and at every pc-relative call or callback target.
 */
static void subprog_bounds(const struct bpf_insn *insns, size_t cnt,
			   size_t at, size_t *start, size_t *end)
{
	size_t i;
	long t;

	*start = 0;
	*end = cnt;
	for (i = 0; i < cnt; i++) {
		if (!is_pseudo_call(&insns[i]) && !is_pseudo_func(&insns[i]))
			continue;
		t = (long)i + 1 + insns[i].imm;
		if (t < 0 || (size_t)t >= cnt)
			continue;
		if ((size_t)t <= at && (size_t)t > *start)
			*start = t;
		if ((size_t)t > at && (size_t)t < *end)
			*end = t;
		if (is_ld64(&insns[i]))
			i++;
	}
}

/* Instruction offsets in BTF func/line info records (insn_off first). */
static int fix_info(void **info, __u32 *cnt, __u32 rec_size, size_t start,
		    size_t end, long delta, bool keep_inside)
{
	unsigned char *in = *info, *out;
	__u32 i, n = 0, off;

	if (!in || !*cnt)
		return 0;
	if (rec_size < sizeof(__u32))
		return -EINVAL;
	out = malloc((size_t)*cnt * rec_size);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < *cnt; i++) {
		memcpy(&off, in + (size_t)i * rec_size, sizeof(off));
		/* Lines inside the replaced body are gone, its first stays. */
		if (off > start && off < end && !keep_inside)
			continue;
		if (off >= end)
			off += delta;
		memcpy(out + (size_t)n * rec_size, in + (size_t)i * rec_size,
		       rec_size);
		memcpy(out + (size_t)n * rec_size, &off, sizeof(off));
		n++;
	}
	*info = out;
	*cnt = n;
	return 1;	/* replaced: the caller owns out */
}

static int splice_one(struct pcap_splice *io, const struct pcap_code *code,
		      __u64 magic, bool *owned_fi, bool *owned_li)
{
	size_t at, start, end, i, cnt = io->cnt, ncnt;
	const struct bpf_insn *in = io->insns;
	struct bpf_insn *out;
	long delta, src, dst;
	void *old;
	int ret;

	at = find_stub(in, cnt, magic);
	if (at == cnt)
		return 0;
	subprog_bounds(in, cnt, at, &start, &end);
	delta = (long)code->cnt - (long)(end - start);
	ncnt = cnt + delta;
	out = malloc(ncnt * sizeof(*out));
	if (!out)
		return -ENOMEM;
	memcpy(out, in, start * sizeof(*out));
	memcpy(out + start, code->insns, code->cnt * sizeof(*out));
	memcpy(out + start + code->cnt, in + end, (cnt - end) * sizeof(*out));

	/* pc-relative references that cross the replaced body */
	for (i = 0; i < cnt; i++) {
		if (i >= start && i < end)
			continue;
		if (!is_pseudo_call(&in[i]) && !is_pseudo_func(&in[i]))
			continue;
		src = i < start ? (long)i : (long)i + delta;
		dst = (long)i + 1 + in[i].imm;
		if (dst >= (long)end)
			dst += delta;
		out[src].imm = dst - src - 1;
	}

	old = io->func_info;
	ret = fix_info(&io->func_info, &io->func_info_cnt,
		       io->func_info_rec_size, start, end, delta, true);
	if (ret > 0 && *owned_fi)
		free(old);
	if (ret > 0)
		*owned_fi = true;
	old = io->line_info;
	if (ret >= 0)
		ret = fix_info(&io->line_info, &io->line_info_cnt,
			       io->line_info_rec_size, start, end, delta,
			       false);
	if (ret > 0 && *owned_li)
		free(old);
	if (ret > 0)
		*owned_li = true;
	if (ret < 0) {
		free(out);
		return ret;
	}
	io->insns = out;
	io->cnt = ncnt;
	return 1;
}

int pcap_splice(const struct bpf_insn *insns, size_t cnt,
		const struct pcap_code code[PCAP_NR_LAYERS],
		struct pcap_splice *io)
{
	static const __u64 magic[PCAP_NR_LAYERS] = {
		VISTA_PCAP_L2_MAGIC, VISTA_PCAP_L3_MAGIC,
	};
	bool owned_fi = false, owned_li = false, owned = false;
	struct bpf_insn *prev;
	int i, ret, n = 0;

	io->insns = (struct bpf_insn *)insns;
	io->cnt = cnt;
	for (i = 0; i < PCAP_NR_LAYERS; i++) {
		prev = io->insns;
		ret = splice_one(io, &code[i], magic[i], &owned_fi, &owned_li);
		if (ret < 0)
			goto fail;
		if (ret && owned)
			free(prev);
		if (ret)
			owned = true;
		n += ret;
	}
	if (!n) {
		io->insns = NULL;
		return 0;
	}
	return n;
fail:
	if (owned)
		free(io->insns);
	if (owned_fi)
		free(io->func_info);
	if (owned_li)
		free(io->line_info);
	io->insns = NULL;
	return ret;
}

/* ---- the libbpf side ---------------------------------------------------- */

static struct pcap_code cur[PCAP_NR_LAYERS];
static char *cur_expr;
static int handler_ids[3];
static bool registered;

/* func/line info handed to libbpf must live until the object is loaded. */
static void **keep;
static size_t nr_keep;

static int keep_ptr(void *p)
{
	void **k;

	if (!p)
		return 0;
	k = realloc(keep, (nr_keep + 1) * sizeof(*k));
	if (!k) {
		free(p);
		return -ENOMEM;
	}
	keep = k;
	keep[nr_keep++] = p;
	return 0;
}

int pcap_prepare_load(struct bpf_program *prog,
		      struct bpf_prog_load_opts *opts, long cookie)
{
	struct pcap_splice io = {
		.func_info = (void *)opts->func_info,
		.func_info_cnt = opts->func_info_cnt,
		.func_info_rec_size = opts->func_info_rec_size,
		.line_info = (void *)opts->line_info,
		.line_info_cnt = opts->line_info_cnt,
		.line_info_rec_size = opts->line_info_rec_size,
	};
	int ret;

	if (!cur_expr)
		return 0;	/* the stubs are never called */
	ret = pcap_splice(bpf_program__insns(prog),
			  bpf_program__insn_cnt(prog), cur, &io);
	if (ret <= 0)
		return ret;
	ret = bpf_program__set_insns(prog, io.insns, io.cnt);
	free(io.insns);
	if (!ret && io.func_info != opts->func_info) {
		ret = keep_ptr(io.func_info);
		opts->func_info = io.func_info;
		opts->func_info_cnt = io.func_info_cnt;
	}
	if (!ret && io.line_info != opts->line_info) {
		ret = keep_ptr(io.line_info);
		opts->line_info = io.line_info;
		opts->line_info_cnt = io.line_info_cnt;
	}
	dbg("%s: pcap-filter spliced in (%zu instructions)",
	    bpf_program__name(prog), bpf_program__insn_cnt(prog));
	return ret;
}

static int attach_tracing(const struct bpf_program *prog, long cookie,
			  struct bpf_link **link)
{
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

int pcap_register_sections(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, tracing,
		.prog_prepare_load_fn = pcap_prepare_load,
		.prog_attach_fn = attach_tracing,
	);
	LIBBPF_OPTS(libbpf_prog_handler_opts, kprobe,
		.prog_prepare_load_fn = pcap_prepare_load,
	);
	int id;

	if (registered)
		return 0;
	/* BTF-typed: tp_btf by default, fentry/fexit when the loader says */
	id = libbpf_register_prog_handler(VISTA_SEC_TRACING,
					  BPF_PROG_TYPE_TRACING,
					  BPF_TRACE_RAW_TP, &tracing);
	if (id < 0)
		return id;
	handler_ids[0] = id;
	id = libbpf_register_prog_handler(VISTA_SEC_KPROBE,
					  BPF_PROG_TYPE_KPROBE, 0, &kprobe);
	if (id < 0) {
		libbpf_unregister_prog_handler(handler_ids[0]);
		return id;
	}
	handler_ids[1] = id;
	/* netfilter hooks (Linux 6.4): libbpf 1.1 does not know the type */
	id = libbpf_register_prog_handler(VISTA_SEC_NETFILTER,
					  VISTA_PROG_TYPE_NETFILTER,
					  VISTA_ATTACH_NETFILTER, &kprobe);
	if (id < 0) {
		libbpf_unregister_prog_handler(handler_ids[1]);
		libbpf_unregister_prog_handler(handler_ids[0]);
		return id;
	}
	handler_ids[2] = id;
	registered = true;
	return 0;
}

int pcap_set_code(const char *expr, const char *who)
{
	char errbuf[PCAP_ERRBUF_SIZE + 128];
	int ret;

	pcap_code_free(cur);
	free(cur_expr);
	cur_expr = NULL;
	if (!expr)
		return 0;
	ret = pcap_compile_expr(expr, cur, errbuf, sizeof(errbuf));
	if (ret == -EINVAL) {
		fprintf(stderr, "%s \"%s\": %s\n", who, expr, errbuf);
		return ret;
	}
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "%s \"%s\": cannot run in the kernel: %s\n",
			who, expr, errbuf);
		return -EINVAL;
	}
	if (ret)
		return ret;
	cur_expr = strdup(expr);
	if (!cur_expr) {
		pcap_code_free(cur);
		return -ENOMEM;
	}
	return 0;
}

const char *pcap_expr(void)
{
	return cur_expr;
}

void pcap_cleanup(void)
{
	size_t i;

	pcap_code_free(cur);
	free(cur_expr);
	cur_expr = NULL;
	for (i = 0; i < nr_keep; i++)
		free(keep[i]);
	free(keep);
	keep = NULL;
	nr_keep = 0;
	if (registered) {
		libbpf_unregister_prog_handler(handler_ids[2]);
		libbpf_unregister_prog_handler(handler_ids[1]);
		libbpf_unregister_prog_handler(handler_ids[0]);
		registered = false;
	}
}
