/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Classic BPF (as emitted by libpcap's pcap_compile) to eBPF, as one
 * bpf-to-bpf subprogram:
 *
 *	int filter(void *data, void *data_end);
 *
 * r1 and r2 bound the packet in kernel memory; they may be packet pointers
 * (XDP, tc) or plain scalars (tracing programs). Packet bytes are read with
 * bpf_probe_read_kernel after a bounds check in the generated code (the
 * first CBPF_WINDOW bytes in one call at the start, the rest load by
 * load), so the subprogram works in any program type that may call that
 * helper. It returns the cBPF return value: nonzero if the packet matches.
 */
#ifndef VISTA_CORE_CBPF_H
#define VISTA_CORE_CBPF_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/filter.h>

/*
 * Largest packet offset the filter reads; loads beyond it fail like
 * out-of-bounds loads. It bounds the pointer arithmetic for the verifier.
 */
#define CBPF_MAX_PKT_OFF	0xffffU

/*
 * Packet bytes read at once when the filter starts: Ethernet, IPv6 and
 * the L4 ports fit (14 + 40 + 4 bytes).
 */
#define CBPF_WINDOW		64

/*
 * Stack used by the subprogram: M[0..15], an 8-byte load buffer and the
 * window.
 */
#define CBPF_STACK_SIZE		(72 + CBPF_WINDOW)

/*
 * Translate @len classic instructions at @prog. On success, *@out is a
 * malloc'd array of *@out_len eBPF instructions (the caller frees it) and
 * 0 is returned. On failure, returns -EINVAL (unsupported or malformed
 * program), -E2BIG (jump too far after expansion) or -ENOMEM, and writes a
 * message naming the offending instruction into @err when it is not NULL.
 */
int cbpf_to_ebpf(const struct sock_filter *prog, size_t len,
		 struct bpf_insn **out, size_t *out_len,
		 char *err, size_t errlen);

#endif /* VISTA_CORE_CBPF_H */
