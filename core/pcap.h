/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pcap-filter expression in the kernel.
 *
 * The expression is compiled twice with libpcap (for packets that start
 * with an Ethernet header and for raw IP), translated to eBPF (cbpf.c),
 * and written into the stub subprograms vista_pcap_l2() / vista_pcap_l3()
 * (<vista/bpf/vista.bpf.h>) of every program loaded from a vista section
 * ("vista.tracing", "vista.kprobe"), by a libbpf load callback, after
 * libbpf's relocations and before the kernel sees the program.
 */
#ifndef VISTA_CORE_PCAP_H
#define VISTA_CORE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

struct bpf_program;
struct bpf_prog_load_opts;
struct config;

/* Generated code for one stub. */
struct pcap_code {
	struct bpf_insn *insns;
	size_t cnt;
};

enum pcap_layer { PCAP_L2, PCAP_L3, PCAP_NR_LAYERS };

/*
 * The expression from the positional arguments (or the profile's
 * "filter"), or one built from --filter-addr/--filter-port/
 * --filter-protocol. Malloc'd, NULL if none. -EINVAL (printed) for a
 * usage error.
 */
int pcap_expression(struct config *cfg, char **out);

/*
 * Compile expr for both layers into code[]. An expression that means
 * nothing without a link-layer header (arp, ether host) gets an L3 code
 * that rejects everything. -EINVAL with libpcap's message in err for a
 * bad expression.
 */
int pcap_compile_expr(const char *expr, struct pcap_code code[PCAP_NR_LAYERS],
		      char *err, size_t errlen);
void pcap_code_free(struct pcap_code code[PCAP_NR_LAYERS]);

/* A program's instructions and BTF line/func info, spliced. */
struct pcap_splice {
	struct bpf_insn *insns;
	size_t cnt;
	void *func_info;
	__u32 func_info_cnt, func_info_rec_size;
	void *line_info;
	__u32 line_info_cnt, line_info_rec_size;
};

/*
 * Replace the stub bodies in insns (relocated, with subprograms appended)
 * by code[]: call offsets, func_info and line_info are fixed across the
 * splice. On entry io holds the func_info and line_info to fix; on return
 * io->insns is malloc'd, and io->func_info / io->line_info point to
 * malloc'd copies when they differ from what was passed in (the caller
 * frees them). Returns the number of stubs replaced (0: io->insns is NULL,
 * nothing to do) or -errno.
 */
int pcap_splice(const struct bpf_insn *insns, size_t cnt,
		const struct pcap_code code[PCAP_NR_LAYERS],
		struct pcap_splice *io);

/*
 * The libbpf load callback (libbpf_prog_prepare_load_fn_t) of the vista
 * sections: splices the current code into prog.
 */
int pcap_prepare_load(struct bpf_program *prog,
		      struct bpf_prog_load_opts *opts, long cookie);

/* Register the libbpf handlers of the vista sections (once). */
int pcap_register_sections(void);
/*
 * Compile expr (NULL: none) for the programs loaded from now on. A bad
 * expression is printed after who ("pcap-filter", "drops.ini:3: filter")
 * and gives -EINVAL.
 */
int pcap_set_code(const char *expr, const char *who);
const char *pcap_expr(void);
void pcap_cleanup(void);

#endif /* VISTA_CORE_PCAP_H */
