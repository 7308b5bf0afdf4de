/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the core/cbpf.c unit test and the differential fuzzer
 * (tests/fuzz/cbpf_diff.c): a seeded generator of Ethernet frames
 * carrying IPv4, IPv6, ARP or junk, and an XDP wrapper that loads a
 * translated filter subprogram and runs it with BPF_PROG_TEST_RUN.
 * Plain C: errors are returned, the callers assert.
 */
#ifndef VISTA_TESTS_CBPF_GEN_H
#define VISTA_TESTS_CBPF_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* XDP test runs need ETH_HLEN bytes: packets go after this much padding. */
#define CB_PAD		14
#define CB_MAX_PKT	1600

/* The generator's state before any cb_srand(). */
#define CB_SEED_DEFAULT	0x7669737461ULL

struct cb_pkt {
	uint8_t data[CB_MAX_PKT];
	size_t len;
};

/* Restart the sequence; 0 (a fixed point of xorshift) means the default. */
void cb_srand(uint64_t seed);

/* Next 32 bits of the sequence: the same on every run for one seed. */
uint32_t cb_rand(void);

/* A frame, sometimes VLAN-tagged, sometimes truncated (even to 0 bytes). */
void cb_gen(struct cb_pkt *pk);

/*
 * Load an XDP program that calls the @sub_len instructions at @sub as
 * filter(data + CB_PAD, data_end) and returns 1 on a match, 0 otherwise.
 * With @log (of @loglen bytes) the verifier's log is kept there. Returns
 * the program's fd, or -errno.
 */
int cb_load(const struct bpf_insn *sub, size_t sub_len, char *log,
	    size_t loglen);

/* Run @fd on the @len (<= CB_MAX_PKT) bytes at @pkt; 0 or -errno. */
int cb_run(int fd, const uint8_t *pkt, size_t len, __u32 *verdict);

#endif /* VISTA_TESTS_CBPF_GEN_H */
