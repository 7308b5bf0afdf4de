// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential fuzzer of core/cbpf.c. Random valid classic BPF programs
 * and random pcap-filter expressions (compiled by libpcap for DLT_EN10MB
 * and DLT_RAW) are translated, loaded into the kernel in the XDP wrapper
 * of tests/unit/cbpf_gen.c and run with BPF_PROG_TEST_RUN on generated
 * packets: every verdict must be libpcap's bpf_filter()'s, and the
 * verifier must accept every translation. A standalone program rather
 * than a libFuzzer harness because every input is a kernel load.
 *
 *	cbpf_diff [--pairs N] [--seed S] [--packets-per-prog K]
 *		  [--no-dead-code] [-v]
 *
 * Random programs may have unreachable instructions, which the kernel's
 * classic checker accepts and the translation must leave out (the eBPF
 * verifier refuses dead code); --no-dead-code keeps them out, like
 * pcap_compile()'s programs. Programs
 * that read M[] where a path to the read did not write it (libpcap emits
 * them for "geneve or ...") are loaded but not run: bpf_filter() leaves
 * M[] uninitialised, the translation zeroes it.
 *
 * The run is a function of the seed alone. Exit status: 1 on a mismatch
 * or a verifier rejection, 2 on a usage error, 0 otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libpcap and the kernel both name a struct bpf_insn: rename libpcap's. */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include <linux/if_ether.h>
#include "cbpf.h"
#include "cbpf_gen.h"

_Static_assert(sizeof(struct pcap_bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's and the kernel's classic instructions differ");

#define CD_SEED_DEFAULT		1
#define CD_PAIRS_DEFAULT	1000000ULL
#define CD_PER_PROG_DEFAULT	200
#define CD_PER_PROG_MAX		65536
#define CD_SHOWN		20	/* reports printed of each kind */
#define CD_SHOWN_PER_PROG	3	/* mismatches printed of one program */
#define CD_MAX_INSNS		256	/* random programs */
#define CD_LOG_SIZE		(1 << 22)
#define CD_LOG_TAIL		16384	/* the verifier says why at the end */
#define CD_EXPR_SIZE		2048
#define CD_MAX_MSGS		64	/* distinct "unsupported" messages */

#define CD_N(a)		(sizeof(a) / sizeof((a)[0]))
#define CD_PICK(a)	((a)[cb_rand() % CD_N(a)])

struct cd_stats {
	unsigned long long progs, exprs, random, pairs, matches;
	unsigned long long mismatches, rejected, unsupported, not_compiled;
	unsigned long long rejected_dead;	/* of programs with dead code */
	unsigned long long bad_progs;		/* with a mismatch */
	unsigned long long uninit;		/* read M[] unwritten */
};

struct cd_msg {
	char text[256];
	unsigned long long count;
};

struct cd_ctx {
	unsigned long long max_pairs;
	unsigned int per_prog;
	bool verbose, dead_code;
	struct cb_pkt *pkts;
	pcap_t *en10mb, *raw;
	char *log;
	struct cd_stats st;
	unsigned int shown_mismatch, shown_reject, shown_unsupported;
	unsigned int shown_uninit;
	struct cd_msg msgs[CD_MAX_MSGS];
	size_t nmsgs;
};

/* One program under test and where it came from. */
struct cd_prog {
	const char *expr;		/* NULL: random program number id */
	unsigned long long id;
	int dlt, optimize;
	const struct pcap_bpf_insn *insns;
	size_t len;
	size_t skip;			/* bytes of each packet not shown */
};

/* Random programs */

/*
 * Percentage of loads that may fall out of the packet, per program: one
 * such load ends the program, so long programs need it small.
 */
static uint32_t cd_risk;

static uint32_t cd_off(void)
{
	static const uint32_t far[] = {
		0xfffe, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000,
		0xfffff000, 0xfffff02c, 0xfffffffc, 0xfffffffe, 0xffffffff,
	};
	uint32_t r;

	if (cb_rand() % 100 >= cd_risk)
		return cb_rand() % 60;
	r = cb_rand() % 100;
	if (r < 25)	/* across the end of the prologue's window */
		return CBPF_WINDOW - 8 + cb_rand() % 16;
	if (r < 45)
		return 60 + cb_rand() % 141;
	if (r < 60)
		return 200 + cb_rand() % (CB_MAX_PKT - 200);
	if (r < 75)	/* the translator's bound on offsets */
		return CBPF_MAX_PKT_OFF - 8 + cb_rand() % 16;
	if (r < 85)
		return CD_PICK(far);
	if (r < 95)	/* X + k wraps in 32 bits */
		return 0U - (1 + cb_rand() % 64);
	return cb_rand();
}

static uint32_t cd_const(void)
{
	static const uint32_t v[] = {
		0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 6, 17, 1, 58, 14, 20,
		40, 54, 0x1fff, 0xffff, 0x0a000001, 0xc0a8010a, 0x45, 0x60,
		0xff, 0x100, 0x80000000, 0x7fffffff, 0xffffffff, 0xfffffffe,
	};
	uint32_t r = cb_rand() % 100;

	if (r < 35)
		return cb_rand() % 64;
	if (r < 50)
		return cb_rand() % 256;
	if (r < 70)
		return CD_PICK(v);
	if (r < 80)
		return 1U << (cb_rand() % 32);
	if (r < 88)
		return cb_rand() % 0x10000;
	return cb_rand();
}

/*
 * Jump offset from instruction @i of @len: at most @max and to the last
 * instruction (a RET); most are short.
 */
static uint32_t cd_skip(size_t i, size_t len, uint32_t max)
{
	uint32_t room = (uint32_t)(len - 2 - i);

	if (room < max)
		max = room;
	if (cb_rand() % 4)
		return cb_rand() % ((max < 4 ? max : 4) + 1);
	return cb_rand() % (max + 1);
}

static void cd_ret(struct sock_filter *f)
{
	static const uint32_t k[] = { 0, 0, 1, 0xffff, 0x40000, 0x80000000 };

	if (cb_rand() % 2) {
		f->code = BPF_RET | BPF_A;
	} else {
		f->code = BPF_RET | BPF_K;
		f->k = cb_rand() % 8 ? CD_PICK(k) : cb_rand();
	}
}

/* A slot in @valid (not 0), from a random start. */
static uint32_t cd_slot(uint16_t valid)
{
	uint32_t s = cb_rand() % BPF_MEMWORDS;

	while (!(valid & (1U << s)))
		s = (s + 1) % BPF_MEMWORDS;
	return s;
}

/*
 * Instruction @i of @len (not the last); M[] slots in @valid are written
 * on every path here.
 */
static void cd_insn(struct sock_filter *f, size_t i, size_t len,
		    uint16_t valid)
{
	static const uint16_t size[] = { BPF_W, BPF_H, BPF_B };
	static const uint16_t alu[] = {
		BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR,
		BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG,
	};
	static const uint16_t jmp[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET };
	uint32_t r = cb_rand() % 100;
	uint16_t op;

	memset(f, 0, sizeof(*f));
	if (r < 22) {
		f->code = BPF_LD | CD_PICK(size) | BPF_ABS;
		f->k = cd_off();
	} else if (r < 30) {
		f->code = BPF_LD | CD_PICK(size) | BPF_IND;
		f->k = cd_off();
	} else if (r < 34) {
		f->code = BPF_LDX | BPF_B | BPF_MSH;
		f->k = cd_off();
	} else if (r < 37) {
		f->code = (cb_rand() % 2 ? BPF_LD : BPF_LDX) | BPF_W | BPF_LEN;
	} else if (r < 43) {
		f->code = (cb_rand() % 2 ? BPF_LD : BPF_LDX) | BPF_W | BPF_IMM;
		f->k = cd_const();
	} else if (r < 48 && valid) {
		f->code = (cb_rand() % 2 ? BPF_LD : BPF_LDX) | BPF_W | BPF_MEM;
		f->k = cd_slot(valid);
	} else if (r < 54) {
		f->code = cb_rand() % 2 ? BPF_ST : BPF_STX;
		f->k = cb_rand() % BPF_MEMWORDS;
	} else if (r < 70) {
		op = CD_PICK(alu);
		if (op == BPF_NEG) {
			f->code = BPF_ALU | BPF_NEG;
		} else if (cb_rand() % 3 == 0) {
			f->code = BPF_ALU | op | BPF_X;
		} else {
			f->code = BPF_ALU | op | BPF_K;
			/*
			 * The kernel refuses these constants and
			 * bpf_filter() gives them no meaning.
			 */
			if (op == BPF_LSH || op == BPF_RSH)
				f->k = cb_rand() % 32;
			else
				f->k = cd_const();
			if ((op == BPF_DIV || op == BPF_MOD) && !f->k)
				f->k = 1 + cb_rand() % 16;
		}
	} else if (r < 91) {
		f->code = BPF_JMP | CD_PICK(jmp);
		if (cb_rand() % 3 == 0) {
			f->code |= BPF_X;
		} else {
			f->code |= BPF_K;
			f->k = cd_const();
		}
		f->jt = cd_skip(i, len, 255);
		f->jf = cd_skip(i, len, 255);
	} else if (r < 93) {
		f->code = BPF_JMP | BPF_JA;
		f->k = cd_skip(i, len, UINT32_MAX);
	} else if (r < 97) {
		f->code = BPF_MISC | (cb_rand() % 2 ? BPF_TAX : BPF_TXA);
	} else {
		cd_ret(f);
	}
}

/* Where control may go after instruction @i, @s: 0 to 2 indexes. */
static size_t cd_succ(const struct sock_filter *s, size_t i, size_t *succ)
{
	if (BPF_CLASS(s->code) == BPF_RET)
		return 0;
	if (s->code == (BPF_JMP | BPF_JA)) {
		succ[0] = i + 1 + s->k;
		return 1;
	}
	if (BPF_CLASS(s->code) == BPF_JMP) {
		succ[0] = i + 1 + s->jt;
		succ[1] = i + 1 + s->jf;
		return 2;
	}
	succ[0] = i + 1;
	return 1;
}

/* Whether control may pass from instruction @i, @s, to the next one. */
static bool cd_falls(const struct sock_filter *s, size_t i)
{
	size_t succ[2], n = cd_succ(s, i, succ);

	return (n > 0 && succ[0] == i + 1) || (n > 1 && succ[1] == i + 1);
}

/*
 * A program the kernel's classic checker accepts: forward jumps inside
 * the program, a RET last, no constant division by zero or shift by 32,
 * and M[] read only where every path wrote it, by the kernel's own
 * rule (bpf_filter() leaves M[] uninitialised). Unless @dead_code, every
 * instruction is reachable, as in what pcap_compile() emits. Returns its
 * length.
 */
static size_t cd_random_prog(struct sock_filter *f, bool dead_code)
{
	uint16_t masks[CD_MAX_INSNS], valid = 0;
	bool reached[CD_MAX_INSNS] = { true };
	static const uint32_t risk[] = { 1, 3, 8, 20, 45 };
	uint32_t r = cb_rand() % 100;
	size_t len, i, j, n, succ[2];

	cd_risk = CD_PICK(risk);
	if (r < 60)
		len = 2 + cb_rand() % 16;
	else if (r < 90)
		len = 2 + cb_rand() % 64;
	else
		len = 2 + cb_rand() % (CD_MAX_INSNS - 1);
	memset(masks, 0xff, sizeof(masks));
	for (i = 0; i + 1 < len; i++) {
		valid &= masks[i];
		/* nothing jumped to i + 1 yet: only i can lead there */
		do {
			cd_insn(&f[i], i, len, valid);
			if (dead_code || reached[i + 1] || cd_falls(&f[i], i) ||
			    BPF_CLASS(f[i].code) != BPF_JMP ||
			    f[i].code == (BPF_JMP | BPF_JA))
				continue;
			if (cb_rand() % 2)
				f[i].jt = 0;
			else
				f[i].jf = 0;
		} while (!dead_code && !reached[i + 1] && !cd_falls(&f[i], i));
		n = cd_succ(&f[i], i, succ);
		for (j = 0; j < n; j++)
			reached[succ[j]] = true;
		/* the kernel's rule: M[] written before a RET stays so */
		switch (f[i].code) {
		case BPF_ST:
		case BPF_STX:
			valid |= 1U << f[i].k;
			break;
		case BPF_JMP | BPF_JA:
			masks[i + 1 + f[i].k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (BPF_CLASS(f[i].code) != BPF_JMP)
				break;
			masks[i + 1 + f[i].jt] &= valid;
			masks[i + 1 + f[i].jf] &= valid;
			valid = 0xffff;
			break;
		}
	}
	memset(&f[len - 1], 0, sizeof(f[len - 1]));
	cd_ret(&f[len - 1]);
	return len;
}

/* Random expressions */

struct cd_str {
	char s[CD_EXPR_SIZE];
	size_t n;
};

static void cd_cat(struct cd_str *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->n >= sizeof(s->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->s + s->n, sizeof(s->s) - s->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->n += (size_t)n;
	if (s->n > sizeof(s->s) - 1)	/* truncated: libpcap says so */
		s->n = sizeof(s->s) - 1;
}

/* Addresses and ports that cb_gen() puts in packets, and a few others. */
static const char *const cd_v4[] = {
	"10.0.0.1", "10.0.0.2", "192.168.1.10", "172.16.5.4", "10.0.0.255",
	"224.0.0.1", "8.8.8.8", "192.168.0.1", "10.1.2.3",
};
static const char *const cd_v6[] = {
	"2001:db8::1", "2001:db8::2", "fe80::1", "ff02::1",
	"2001:db9:1234::7", "::1",
};
static const char *const cd_nets4[] = {
	"10.0.0.0/8", "10.0.0.0/24", "10.0.0.0/30", "192.168.0.0/16",
	"192.168.1.0/24", "172.16.0.0/12", "224.0.0.0/4", "0.0.0.0/0",
	"8.8.8.8/32", "10.0.0.0 mask 255.255.255.0", "192.168",
};
static const char *const cd_nets6[] = {
	"2001:db8::/32", "fe80::/10", "ff00::/8", "2001:db9:1234::/48",
	"::/0",
};
static const char *const cd_macs[] = {
	"00:11:22:33:44:55", "66:77:88:99:aa:bb", "ff:ff:ff:ff:ff:ff",
	"01:00:5e:00:00:01", "33:33:00:00:00:01",
};
static const char *const cd_ports[] = {
	"22", "53", "80", "443", "8080", "5000", "5050", "1500", "30000",
	"65535", "0", "8050",
};
static const char *const cd_ranges[] = {
	"0-1023", "5000-5100", "30000-65535", "53-53", "8000-8100",
	"1-65535", "443-22",
};
static const char *const cd_dirs[] = {
	"", "", "", "src ", "dst ", "src or dst ", "src and dst ",
};
static const char *const cd_l4[] = { "", "", "tcp ", "udp ", "sctp " };
static const char *const cd_protos[] = {
	"ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "igmp",
	"sctp", "vlan", "mpls", "pppoes", "pppoed", "llc", "stp", "ipx",
	"atalk", "decnet", "iso", "netbeui", "ether broadcast",
	"ether multicast", "ip multicast", "ip6 multicast", "broadcast",
	"multicast", "geneve", "ip proto \\tcp", "ip proto 47",
	"ip6 proto 58", "proto \\udp", "ether proto \\ip",
	"ether proto 0x88cc", "ether proto \\arp", "ip6 protochain 6",
	"ip protochain 17", "ip6 proto 44", "ah", "esp", "pim", "vrrp",
	"ip6 proto 0", "ip proto 132",
};
static const char *const cd_flags[] = {
	"tcp-fin", "tcp-syn", "tcp-rst", "tcp-push", "tcp-ack", "tcp-urg",
	"tcp-ece", "tcp-cwr",
};
static const char *const cd_icmp[] = {
	"icmp-echo", "icmp-echoreply", "icmp-unreach", "icmp-timxceed",
	"icmp-redirect", "icmp-tstamp", "3", "8",
};
static const char *const cd_icmp6[] = {
	"icmp6-echo", "icmp6-echoreply", "icmp6-routersolicit",
	"icmp6-routeradvert", "icmp6-neighborsolicit",
	"icmp6-neighboradvert", "icmp6-destinationunreach", "135",
};
static const char *const cd_index[] = {
	"ether", "link", "ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp",
	"sctp", "igmp",
};
static const char *const cd_arith[] = {
	"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>",
};
static const char *const cd_rel[] = { ">", "<", ">=", "<=", "=", "!=" };
static const char *const cd_eq[] = { "=", "==", "!=" };

static void cd_number(struct cd_str *s)
{
	uint32_t v = cd_const();

	if (cb_rand() % 3)
		v %= 256;
	cd_cat(s, cb_rand() % 4 ? "%u" : "0x%x", v);
}

/* Arithmetic: the operands of a relation. */
static void cd_aexpr(struct cd_str *s, int depth)
{
	static const char *const sizes[] = { "", "", ":1", ":2", ":4" };
	uint32_t r = cb_rand() % 10;

	if (!depth || r < 3) {
		cd_number(s);
	} else if (r < 7) {
		cd_cat(s, "%s[", CD_PICK(cd_index));
		if (cb_rand() % 4)
			cd_cat(s, "%u", cb_rand() % 4 ? cb_rand() % 64 :
			       cb_rand() % 2000);
		else
			cd_aexpr(s, depth - 1);
		cd_cat(s, "%s]", CD_PICK(sizes));
	} else if (r < 8) {
		cd_cat(s, "len");
	} else {
		cd_cat(s, "(");
		cd_aexpr(s, depth - 1);
		cd_cat(s, " %s ", CD_PICK(cd_arith));
		cd_aexpr(s, depth - 1);
		cd_cat(s, ")");
	}
}

static void cd_host(struct cd_str *s)
{
	static const char *const qual[] = {
		"", "", "", "ip ", "ip6 ", "arp ", "rarp ",
	};
	const char *q = CD_PICK(qual);
	bool v6 = !strcmp(q, "ip6 ") ? cb_rand() % 8 :
		  q[0] ? cb_rand() % 8 == 0 : cb_rand() % 3 == 0;

	cd_cat(s, "%s%shost %s", q, CD_PICK(cd_dirs),
	       v6 ? CD_PICK(cd_v6) : CD_PICK(cd_v4));
}

static void cd_prim(struct cd_str *s)
{
	switch (cb_rand() % 14) {
	case 0:
	case 1:
		cd_host(s);
		break;
	case 2:
		cd_cat(s, "%snet %s", CD_PICK(cd_dirs), cb_rand() % 3 ?
		       CD_PICK(cd_nets4) : CD_PICK(cd_nets6));
		break;
	case 3:
		cd_cat(s, "%s%sport %s", CD_PICK(cd_l4), CD_PICK(cd_dirs),
		       CD_PICK(cd_ports));
		break;
	case 4:
		cd_cat(s, "%s%sportrange %s", CD_PICK(cd_l4),
		       CD_PICK(cd_dirs), CD_PICK(cd_ranges));
		break;
	case 5:
	case 6:
		cd_cat(s, "%s", CD_PICK(cd_protos));
		break;
	case 7:
		switch (cb_rand() % 3) {
		case 0:
			cd_cat(s, "tcp[tcpflags] & (%s|%s) != 0",
			       CD_PICK(cd_flags), CD_PICK(cd_flags));
			break;
		case 1:
			cd_cat(s, "tcp[tcpflags] & %s %s %s",
			       CD_PICK(cd_flags), CD_PICK(cd_eq),
			       CD_PICK(cd_flags));
			break;
		default:
			cd_cat(s, "tcp[13] %s %u", CD_PICK(cd_rel),
			       (uint32_t[]){ 2, 0x12, 0x10, 0x18, 0x11 }
			       [cb_rand() % 5]);
			break;
		}
		break;
	case 8:
		switch (cb_rand() % 4) {
		case 0:
			cd_cat(s, "icmp[icmptype] %s %s", CD_PICK(cd_eq),
			       CD_PICK(cd_icmp));
			break;
		case 1:
			cd_cat(s, "icmp[icmpcode] %s %u", CD_PICK(cd_rel),
			       cb_rand() % 16);
			break;
		case 2:
			cd_cat(s, "icmp6[icmp6type] %s %s", CD_PICK(cd_eq),
			       CD_PICK(cd_icmp6));
			break;
		default:
			cd_cat(s, "icmp6[icmp6code] %s %u", CD_PICK(cd_rel),
			       cb_rand() % 4);
			break;
		}
		break;
	case 9:
		switch (cb_rand() % 3) {
		case 0:
			cd_cat(s, "len %s %u", CD_PICK(cd_rel),
			       cb_rand() % 1600);
			break;
		case 1:
			cd_cat(s, "greater %u", cb_rand() % 1600);
			break;
		default:
			cd_cat(s, "less %u", cb_rand() % 1600);
			break;
		}
		break;
	case 10:
		switch (cb_rand() % 4) {
		case 0:
			cd_cat(s, "vlan");
			break;
		case 1:
			cd_cat(s, "vlan %u", (uint32_t[]){ 100, 200, 300, 1,
				4095 }[cb_rand() % 5]);
			break;
		case 2:
			cd_cat(s, "mpls %u", cb_rand() % 4);
			break;
		default:
			cd_cat(s, "pppoes %u", cb_rand() % 4);
			break;
		}
		break;
	case 11:
		cd_cat(s, "ether %shost %s", (const char *[]){ "", "src ",
			"dst " }[cb_rand() % 3], CD_PICK(cd_macs));
		break;
	default:
		cd_aexpr(s, 2);
		cd_cat(s, " %s ", CD_PICK(cd_rel));
		cd_aexpr(s, 2);
		break;
	}
}

static void cd_expr(struct cd_str *s, int depth)
{
	static const char *const conj[] = { " and ", " or ", " && ", " || " };

	if (!depth || cb_rand() % 3 == 0) {
		cd_prim(s);
		return;
	}
	switch (cb_rand() % 6) {
	case 0:
		cd_cat(s, cb_rand() % 2 ? "not " : "!");
		cd_expr(s, depth - 1);
		break;
	case 1:
		cd_cat(s, "(");
		cd_expr(s, depth - 1);
		cd_cat(s, ")%s(", CD_PICK(conj));
		cd_expr(s, depth - 1);
		cd_cat(s, ")");
		break;
	default:
		cd_expr(s, depth - 1);
		cd_cat(s, "%s", CD_PICK(conj));
		cd_expr(s, depth - 1);
		break;
	}
}

/* Running and comparing */

static void cd_describe(const struct cd_prog *p, bool dump)
{
	size_t i;

	if (p->expr)
		printf("  expression '%s' for %s (optimize %d)\n", p->expr,
		       p->dlt == DLT_RAW ? "DLT_RAW" : "DLT_EN10MB",
		       p->optimize);
	else
		printf("  random program #%llu\n", p->id);
	for (i = 0; dump && i < p->len; i++) {
		const struct pcap_bpf_insn *f = &p->insns[i];

		/* bpf_image's instruction text, then a C initializer */
		if (f->code == (BPF_LDX | BPF_W | BPF_LEN))	/* not known */
			printf("    (%03zu) %-38s", i, "ldx      #pktlen");
		else
			printf("    %-44s", bpf_image(f, (int)i));
		printf(" { 0x%02x, %u, %u, 0x%08x },\n", f->code, f->jt, f->jf,
		       f->k);
	}
}

static void cd_hex(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? "" : "\n    ", p[i]);
	printf("\n");
}

/* Message without the instruction index, so that repeats count once. */
static void cd_count_msg(struct cd_ctx *c, const char *msg)
{
	const char *m = strstr(msg, ": ");
	size_t i;

	m = m && !strncmp(msg, "cBPF instruction ", 17) ? m + 2 : msg;
	for (i = 0; i < c->nmsgs; i++) {
		if (!strcmp(c->msgs[i].text, m)) {
			c->msgs[i].count++;
			return;
		}
	}
	if (c->nmsgs == CD_MAX_MSGS)
		return;
	snprintf(c->msgs[c->nmsgs].text, sizeof(c->msgs[0].text), "%s", m);
	c->msgs[c->nmsgs++].count = 1;
}

/* The first instruction no path reaches, or -1. Jumps are forward. */
static long cd_first_dead(const struct pcap_bpf_insn *f, size_t len)
{
	bool *reached = calloc(len, sizeof(*reached));
	size_t i, j, n, succ[2];
	long dead = -1;

	if (!reached)
		return -1;
	reached[0] = true;
	for (i = 0; i < len; i++) {
		if (!reached[i]) {
			dead = (long)i;
			break;
		}
		n = cd_succ((const struct sock_filter *)&f[i], i, succ);
		for (j = 0; j < n; j++)
			if (succ[j] < len)
				reached[succ[j]] = true;
	}
	free(reached);
	return dead;
}

/*
 * The first instruction that reads an M[] slot which some path to it did
 * not write, or -1. bpf_filter() leaves M[] uninitialised: its verdict
 * then depends on what its stack held. Jumps are forward (translated).
 */
static long cd_unwritten_read(const struct pcap_bpf_insn *f, size_t len)
{
	uint16_t *in = calloc(len, sizeof(*in));
	bool *reached = calloc(len, sizeof(*reached));
	size_t i, j, n, succ[2];
	long bad = -1;
	uint16_t v;

	if (!in || !reached)
		goto out;
	reached[0] = true;
	for (i = 0; i < len && bad < 0; i++) {
		const struct sock_filter *s = (const struct sock_filter *)&f[i];

		if (!reached[i])
			continue;
		v = in[i];
		if ((s->code == BPF_ST || s->code == BPF_STX) &&
		    s->k < BPF_MEMWORDS)
			v |= 1U << s->k;
		if ((s->code == (BPF_LD | BPF_W | BPF_MEM) ||
		     s->code == (BPF_LDX | BPF_W | BPF_MEM)) &&
		    s->k < BPF_MEMWORDS && !(v & (1U << s->k)))
			bad = (long)i;
		n = cd_succ(s, i, succ);
		for (j = 0; j < n; j++) {
			if (succ[j] >= len)
				continue;
			in[succ[j]] = reached[succ[j]] ? in[succ[j]] & v : v;
			reached[succ[j]] = true;
		}
	}
out:
	free(reached);
	free(in);
	return bad;
}

static void cd_reject(struct cd_ctx *c, const struct cd_prog *p,
		      const struct bpf_insn *ebpf, size_t ebpf_len, int err)
{
	long dead = cd_first_dead(p->insns, p->len);
	size_t loglen;
	int fd;

	c->st.rejected++;
	if (dead >= 0)
		c->st.rejected_dead++;
	if (c->shown_reject++ >= CD_SHOWN)
		return;
	/* again, for the log: a quiet load is several times faster */
	fd = cb_load(ebpf, ebpf_len, c->log, CD_LOG_SIZE);
	if (fd >= 0)
		close(fd);
	printf("verifier rejection (%s, %zu eBPF instructions):\n",
	       strerror(-err), ebpf_len);
	cd_describe(p, true);
	if (dead >= 0)
		printf("  (cBPF instruction %ld and maybe more are unreachable)\n",
		       dead);
	loglen = strlen(c->log);
	printf("  verifier log%s:\n%s\n", loglen > CD_LOG_TAIL ?
	       " (its end)" : "",
	       c->log + (loglen > CD_LOG_TAIL ? loglen - CD_LOG_TAIL : 0));
}

/*
 * Translate, load and run @p on the packets; counts into c->st. Returns
 * -errno only when the test itself cannot go on.
 */
static int cd_test(struct cd_ctx *c, const struct cd_prog *p)
{
	char msg[256];
	struct bpf_insn *ebpf = NULL;
	size_t ebpf_len = 0, i, n, matches = 0, bad = 0;
	bool dumped = false;
	long unset;
	int fd, ret;

	c->st.progs++;
	if (p->expr)
		c->st.exprs++;
	else
		c->st.random++;
	ret = cbpf_to_ebpf((const struct sock_filter *)p->insns, p->len,
			   &ebpf, &ebpf_len, msg, sizeof(msg));
	if (ret) {
		c->st.unsupported++;
		cd_count_msg(c, msg);
		if (c->shown_unsupported++ < CD_SHOWN) {
			printf("unsupported (%s): %s\n", strerror(-ret), msg);
			cd_describe(p, !p->expr);
		}
		return 0;
	}
	fd = cb_load(ebpf, ebpf_len, NULL, 0);
	if (fd == -EPERM) {
		fprintf(stderr, "cbpf_diff: loading a BPF program: %s (run as root)\n",
			strerror(-fd));
		free(ebpf);
		return fd;
	}
	if (fd < 0) {
		cd_reject(c, p, ebpf, ebpf_len, fd);
		free(ebpf);
		return 0;
	}
	free(ebpf);

	/* the verifier had its say; verdicts would compare garbage */
	unset = cd_unwritten_read(p->insns, p->len);
	if (unset >= 0) {
		c->st.uninit++;
		if (c->shown_uninit++ < CD_SHOWN) {
			printf("not run: instruction %ld reads M[%u], which a path to it does not write:\n",
			       unset, p->insns[unset].k);
			cd_describe(p, true);
		}
		close(fd);
		return 0;
	}

	n = c->per_prog;
	if (n > c->max_pairs - c->st.pairs)
		n = (size_t)(c->max_pairs - c->st.pairs);
	for (i = 0; i < n; i++) {
		const struct cb_pkt *pk = &c->pkts[i];
		const uint8_t *d = pk->data + p->skip;
		size_t len = pk->len > p->skip ? pk->len - p->skip : 0;
		u_int want = bpf_filter(p->insns, d, len, len);
		__u32 got = 0;

		ret = cb_run(fd, d, len, &got);
		if (ret) {
			fprintf(stderr, "cbpf_diff: BPF_PROG_TEST_RUN: %s\n",
				strerror(-ret));
			close(fd);
			return ret;
		}
		c->st.pairs++;
		matches += !!want;
		if (!want == !got)
			continue;
		c->st.mismatches++;
		c->st.bad_progs += !bad++;
		if (bad > CD_SHOWN_PER_PROG || c->shown_mismatch >= CD_SHOWN)
			continue;
		c->shown_mismatch++;
		printf("mismatch: libpcap %u, eBPF %u, on packet %zu of this program (%zu bytes%s):",
		       want, got, i, len,
		       p->skip ? " after the Ethernet header" : "");
		cd_hex(d, len);
		/* the instructions once, with the first mismatch shown */
		cd_describe(p, !dumped);
		dumped = true;
	}
	c->st.matches += matches;
	if (c->verbose && p->expr)
		printf("'%s' (%s): %zu instructions, %zu packets, %zu match, %zu mismatch\n",
		       p->expr, p->dlt == DLT_RAW ? "DLT_RAW" : "DLT_EN10MB",
		       p->len, n, matches, bad);
	else if (c->verbose)
		printf("random program #%llu: %zu instructions, %zu packets, %zu match, %zu mismatch\n",
		       p->id, p->len, n, matches, bad);
	close(fd);
	return 0;
}

/* A junk packet of at most 128 bytes, for random programs. */
static void cd_junk(struct cb_pkt *pk)
{
	size_t i;

	memset(pk, 0, sizeof(*pk));
	pk->len = cb_rand() % 129;
	for (i = 0; i < pk->len; i++)
		pk->data[i] = cb_rand() % 4 ? cb_rand() % 16 : cb_rand();
}

static void cd_packets(struct cd_ctx *c, bool junk)
{
	unsigned int i;

	for (i = 0; i < c->per_prog; i++) {
		if (junk && cb_rand() % 4 == 0)
			cd_junk(&c->pkts[i]);
		else
			cb_gen(&c->pkts[i]);
	}
}

static int cd_random_round(struct cd_ctx *c)
{
	struct sock_filter f[CD_MAX_INSNS];
	struct cd_prog p = { .id = c->st.random };

	p.len = cd_random_prog(f, c->dead_code);
	p.insns = (const struct pcap_bpf_insn *)f;
	cd_packets(c, true);
	return cd_test(c, &p);
}

static int cd_expr_round(struct cd_ctx *c)
{
	struct cd_str s = { .n = 0 };
	struct bpf_program prog;
	struct cd_prog p;
	int optimize = cb_rand() % 4 ? 1 : 0, i, ret;

	s.s[0] = '\0';
	cd_expr(&s, 3);
	cd_packets(c, false);
	for (i = 0; i < 2; i++) {
		pcap_t *pc = i ? c->raw : c->en10mb;

		if (pcap_compile(pc, &prog, s.s, optimize,
				 PCAP_NETMASK_UNKNOWN)) {
			c->st.not_compiled++;
			if (c->verbose)
				printf("not compiled for %s: '%s': %s\n",
				       i ? "DLT_RAW" : "DLT_EN10MB", s.s,
				       pcap_geterr(pc));
			continue;
		}
		p = (struct cd_prog){
			.expr = s.s, .id = c->st.exprs,
			.dlt = i ? DLT_RAW : DLT_EN10MB,
			.optimize = optimize, .insns = prog.bf_insns,
			.len = prog.bf_len, .skip = i ? ETH_HLEN : 0,
		};
		ret = cd_test(c, &p);
		pcap_freecode(&prog);
		if (ret)
			return ret;
		if (c->st.pairs >= c->max_pairs)
			break;
	}
	return 0;
}

/* splitmix64: small or similar seeds still start unrelated sequences. */
static uint64_t cd_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void cd_usage(FILE *f)
{
	fprintf(f, "usage: cbpf_diff [--pairs N] [--seed S] [--packets-per-prog K] [--no-dead-code] [-v]\n"
		"  --pairs N             stop after N program-packet pairs (default %llu)\n"
		"  --seed S              the run is a function of S (default %d)\n"
		"  --packets-per-prog K  packets each program runs on, 1..%d (default %d)\n"
		"  --no-dead-code        random programs without unreachable instructions\n"
		"                        (the kernel's classic checker allows them)\n"
		"  -v                    a line per program\n",
		CD_PAIRS_DEFAULT, CD_SEED_DEFAULT, CD_PER_PROG_MAX,
		CD_PER_PROG_DEFAULT);
}

static int cd_number_arg(const char *s, unsigned long long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))	/* strtoull takes "-1" */
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int cd_options(int argc, char **argv, struct cd_ctx *c,
		      unsigned long long *seed)
{
	static const struct option opts[] = {
		{ "pairs", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "packets-per-prog", required_argument, NULL, 'k' },
		{ "no-dead-code", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int o;

	while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			if (cd_number_arg(optarg, &c->max_pairs))
				goto bad;
			break;
		case 's':
			if (cd_number_arg(optarg, seed))
				goto bad;
			break;
		case 'k':
			if (cd_number_arg(optarg, &v) || !v ||
			    v > CD_PER_PROG_MAX)
				goto bad;
			c->per_prog = (unsigned int)v;
			break;
		case 'v':
			c->verbose = true;
			break;
		case 'd':
			c->dead_code = false;
			break;
		case 'h':
			cd_usage(stdout);
			exit(0);
		default:
			cd_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind == argc)
		return 0;
	fprintf(stderr, "cbpf_diff: unexpected argument '%s'\n", argv[optind]);
	cd_usage(stderr);
	return -EINVAL;
bad:
	fprintf(stderr, "cbpf_diff: --%s: '%s' is not a valid value\n",
		opts[o == 'n' ? 0 : o == 's' ? 1 : 2].name, optarg);
	cd_usage(stderr);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static struct cd_ctx c = {
		.max_pairs = CD_PAIRS_DEFAULT,
		.per_prog = CD_PER_PROG_DEFAULT,
		.dead_code = true,
	};
	unsigned long long seed = CD_SEED_DEFAULT, idle = 0, pairs;
	int ret = 0;
	size_t i;

	if (cd_options(argc, argv, &c, &seed))
		return 2;
	c.pkts = calloc(c.per_prog, sizeof(*c.pkts));
	c.log = malloc(CD_LOG_SIZE);
	c.en10mb = pcap_open_dead(DLT_EN10MB, 65535);
	c.raw = pcap_open_dead(DLT_RAW, 65535);
	if (!c.pkts || !c.log || !c.en10mb || !c.raw) {
		fprintf(stderr, "cbpf_diff: out of memory\n");
		ret = -ENOMEM;
		goto out;
	}
	cb_srand(cd_mix(seed));
	while (c.st.pairs < c.max_pairs) {
		pairs = c.st.pairs;
		if (cb_rand() % 2)
			ret = cd_expr_round(&c);
		else
			ret = cd_random_round(&c);
		if (ret)
			goto out;
		/* nothing runs: every program refused or not compiled */
		idle = c.st.pairs > pairs ? 0 : idle + 1;
		if (idle > 10000) {
			fprintf(stderr, "cbpf_diff: 10000 rounds without a pair run, giving up\n");
			ret = -EAGAIN;	/* not a test: fail */
			break;
		}
	}
	for (i = 0; i < c.nmsgs; i++)
		printf("unsupported %llu times: %s\n", c.msgs[i].count,
		       c.msgs[i].text);
	if (c.st.uninit)
		printf("%llu programs read M[] where a path did not write it (libpcap leaves M[] uninitialised): loaded, not run\n",
		       c.st.uninit);
	if (c.st.mismatches)
		printf("%llu mismatches in %llu programs\n", c.st.mismatches,
		       c.st.bad_progs);
	if (c.st.rejected)
		printf("%llu of %llu verifier rejections are of programs with unreachable instructions\n",
		       c.st.rejected_dead, c.st.rejected);
	if (c.verbose && c.st.pairs)
		printf("%llu of %llu pairs match (%.1f%%)\n", c.st.matches,
		       c.st.pairs, 100.0 * c.st.matches / c.st.pairs);
	/*
	 * Programs: every one handed to the translator, also those it
	 * refused, the verifier rejected or that were not run.
	 */
	printf("cbpf_diff: seed %llu: %llu programs (%llu expressions, %llu random), %llu pairs, %llu mismatches, %llu verifier rejections, %llu unsupported, %llu expressions not compiled\n",
	       seed, c.st.progs, c.st.exprs, c.st.random, c.st.pairs,
	       c.st.mismatches, c.st.rejected, c.st.unsupported,
	       c.st.not_compiled);
out:
	if (c.raw)
		pcap_close(c.raw);
	if (c.en10mb)
		pcap_close(c.en10mb);
	free(c.log);
	free(c.pkts);
	if (ret)
		return 1;
	return c.st.mismatches || c.st.rejected ? 1 : 0;
}
