/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The shared BPF side of vista: maps the core creates and every plugin's
 * object reuses, the common event header, and event submission.
 *
 * Include after vmlinux.h, once per BPF object.
 */
#ifndef VISTA_BPF_VISTA_H
#define VISTA_BPF_VISTA_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include <vista/event.h>

#define VISTA_STACK_BYTES	(VISTA_STACK_DEPTH * sizeof(__u64))

/* Sizes here are placeholders: host->prepare() swaps in the core's maps. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} vista_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vista_filter_cfg);
} vista_cfg SEC(".maps");	/* the config for plugins of ABI < 1.5 */

/* Events that did not fit in the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vista_lost SEC(".maps");

/* --filter-track-skb (see <vista/event.h>): skb address -> head. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u64);
} vista_track SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VISTA_TRACK_NR_STATS);
	__type(key, __u32);
	__type(value, __u64);
} vista_track_stats SEC(".maps");

/* Set by the plugin from ctx->plugin_id before load. */
const volatile __u16 vista_plugin_id = 0;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The run's filter config as a constant (ABI 1.5): host->prepare() copies
 * it here before the object loads, the same values the core writes into
 * the vista_cfg map. The verifier reads a frozen .rodata as known values:
 * it walks only the paths this run can take (the filters set, packet
 * capture only with a pcapng sink, stacks only with --output-stack) and
 * the JIT leaves the rest out, so loads verify faster and hits run
 * shorter.
 */
const volatile struct vista_filter_cfg vista_cfg_ro = {};

/* Never NULL. */
static __always_inline const struct vista_filter_cfg *vista_config(void)
{
	const struct vista_filter_cfg *cfg =
		(const struct vista_filter_cfg *)&vista_cfg_ro;

	/* Hide where it points, so clang cannot fold the loads to the
	 * zero initializer: only the verifier knows the values. */
	asm volatile("" : "+r"(cfg));
	return cfg;
}

/*
 * The id of the target this program instance was attached to. The core
 * loads one clone of a template per target and rewrites this constant in
 * each clone (it looks for VISTA_TARGET_MAGIC in a 64-bit immediate load).
 */
static __always_inline __u32 vista_target_id(void)
{
	__u64 id;

	asm volatile("%0 = 0x5653544154474554 ll" : "=r"(id));
	return (__u32)id;
}

/*
 * The pcap-filter expression, on a packet that starts with an Ethernet
 * header (l2) or with its IP header (l3), in kernel memory [data,
 * data_end). The core writes the compiled expression into these bodies
 * when libbpf loads a program of a VISTA_SEC_* section; call them only
 * when the config has VISTA_FILTER_PCAP. Nonzero: the packet matches.
 */
static __noinline __attribute__((unused)) int
vista_pcap_l2(void *data, void *data_end)
{
	__u64 r;

	asm volatile("%0 = 0x5653544150434c32 ll"
		     : "=r"(r) : "r"(data), "r"(data_end));
	return r != 0;
}

static __noinline __attribute__((unused)) int
vista_pcap_l3(void *data, void *data_end)
{
	__u64 r;

	asm volatile("%0 = 0x5653544150434c33 ll"
		     : "=r"(r) : "r"(data), "r"(data_end));
	return r != 0;
}

/*
 * The header without the task's comm: for program types that may not
 * call bpf_get_current_comm() (netfilter programs on 6.12; 6.18 allows
 * it). vista_fill_hdr() is this plus the comm.
 */
static __always_inline void vista_fill_hdr_nocomm(struct vista_event_hdr *hdr,
						  __u16 kind, __u64 obj)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	hdr->plugin_id = vista_plugin_id;
	hdr->kind = kind;
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->obj = obj;
	hdr->target = VISTA_TARGET_NONE;
	hdr->cpu = bpf_get_smp_processor_id();
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
}

static __always_inline void vista_fill_hdr(struct vista_event_hdr *hdr,
					   __u16 kind, __u64 obj)
{
	vista_fill_hdr_nocomm(hdr, kind, obj);
	bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
}

static __always_inline void vista_count_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&vista_lost, &zero);

	if (lost)
		(*lost)++;
}

/*
 * Copy an event (which starts with a struct vista_event_hdr) into the ring
 * buffer, with the kernel stack appended when with_stack is set. size must
 * be a compile-time constant. A full ring buffer is counted, not hidden.
 */
static __always_inline int vista_submit(void *ctx, void *ev, __u32 size,
					bool with_stack)
{
	struct vista_event_hdr *hdr;
	long n;

	if (!with_stack) {
		hdr = bpf_ringbuf_reserve(&vista_events, size, 0);
		if (!hdr) {
			vista_count_lost();
			return -1;
		}
		__builtin_memcpy(hdr, ev, size);
		hdr->size = size;
		hdr->stack_off = 0;
		hdr->stack_nr = 0;
		bpf_ringbuf_submit(hdr, 0);
		return 0;
	}

	hdr = bpf_ringbuf_reserve(&vista_events, size + VISTA_STACK_BYTES, 0);
	if (!hdr) {
		vista_count_lost();
		return -1;
	}
	__builtin_memcpy(hdr, ev, size);
	n = bpf_get_stack(ctx, (void *)hdr + size, VISTA_STACK_BYTES, 0);
	hdr->size = size + VISTA_STACK_BYTES;
	hdr->stack_off = size;
	hdr->stack_nr = n > 0 ? n / sizeof(__u64) : 0;
	bpf_ringbuf_submit(hdr, 0);
	return 0;
}

/*
 * Records too large for the BPF stack (an event, its stack, a captured
 * packet) are built in a plugin's per-CPU scratch buffer and copied to
 * the ring buffer at their real size. vista_scratch_event() puts the
 * event (size bytes, a constant, struct vista_event_hdr first) at the
 * start of buf (8-byte aligned, as map values are), then the kernel stack
 * if with_stack, and returns where the next part goes;
 * vista_scratch_output() sends the first size bytes (room: the buffer's
 * size). A full ring buffer is counted, not hidden.
 */
static __always_inline __u32 vista_scratch_event(void *ctx, __u8 *buf,
						 const void *ev, __u32 size,
						 bool with_stack)
{
	struct vista_event_hdr *hdr = (struct vista_event_hdr *)buf;
	long n;

	/* 8-byte copies: the verifier refuses a pointer stored bytewise */
	__builtin_memcpy((__u64 *)buf, (const __u64 *)ev, size);
	hdr->stack_off = 0;
	hdr->stack_nr = 0;
	if (!with_stack)
		return size;
	n = bpf_get_stack(ctx, buf + size, VISTA_STACK_BYTES, 0);
	hdr->stack_off = size;
	hdr->stack_nr = n > 0 ? n / sizeof(__u64) : 0;
	return size + VISTA_STACK_BYTES;
}

static __always_inline int vista_scratch_output(__u8 *buf, __u32 size,
						__u32 room)
{
	if (size > room)
		return -1;
	((struct vista_event_hdr *)buf)->size = size;
	if (bpf_ringbuf_output(&vista_events, buf, size, 0)) {
		vista_count_lost();
		return -1;
	}
	return 0;
}

#endif /* VISTA_BPF_VISTA_H */
