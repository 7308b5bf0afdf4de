// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ring-buffer records through every tracer's decode() and every sink's
 * write(), the way core/bus.c on_event() hands them over, on the unit
 * tests' stub host (tests/unit/stub_host.c).
 *
 * Input: byte 0 picks the tracer (low nibble, modulo their number), how
 * much of the header the harness fixes up (FUZZ_KEEP_ID, FUZZ_FIX_SIZE)
 * and whether a lost-events notice comes first (FUZZ_LOST);
 * the rest is the record. It is copied into a buffer of exactly its size,
 * so that ASan sees a read past the record's end. The sinks write to
 * /dev/null, or into the directory $FUZZ_DECODE_OUT when it is set (to
 * look at what they made of some inputs: fuzz_decode FILE...).
 *
 * Every plugin and sink is its own object, its descriptor renamed with
 * -Dvista_plugin=vista_plugin_NAME (decode.mk), except tcxdp: its table
 * of traced programs is filled by load() from the kernel's list of BPF
 * programs, so this file, built with -DFUZZ_DECODE_TCXDP, includes
 * tcxdp.c and fills that table by hand through the plugin's own structs.
 */

/* tcxdp's table, filled by the FUZZ_DECODE_TCXDP build of this file. */
struct vista_ctx;
int fuzz_tcxdp_add(struct vista_ctx *ctx, unsigned int id,
		   unsigned char hook, const char *func);
void fuzz_tcxdp_label(struct vista_ctx *ctx);

#ifdef FUZZ_DECODE_TCXDP

#include "tcxdp.c"

/* A program as tcx_add() would keep it: no fd, no skeleton. */
int fuzz_tcxdp_add(struct vista_ctx *ctx, unsigned int id,
		   unsigned char hook, const char *func)
{
	struct tcx_state *st = ctx->priv;
	struct tcx_target *v;

	v = realloc(st->t, (st->nr + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	st->t = v;
	v = &st->t[st->nr++];
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->fd = -1;
	v->hook = hook;
	snprintf(v->func, sizeof(v->func), "%s", func);
	return 0;
}

/* The labels as tcx_scan() makes them: "func#id" for a shared name. */
void fuzz_tcxdp_label(struct vista_ctx *ctx)
{
	struct tcx_state *st = ctx->priv;
	size_t i, j;

	for (i = 0; i < st->nr; i++) {
		struct tcx_target *t = &st->t[i];
		bool shared = false;

		for (j = 0; j < st->nr && !shared; j++)
			shared = j != i && !strcmp(t->func, st->t[j].func);
		snprintf(t->label, sizeof(t->label), shared ? "%s#%u" : "%s",
			 t->func, t->id);
	}
}

#else /* the harness */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vista/event.h>
#include <vista/plugin.h>
#include "stub_host.h"
#include "tcxdp.h"

/* Byte 0: bits 0-3 pick the tracer, these bits the rest. */
#define FUZZ_KEEP_ID	0x10	/* leave the fuzzer's plugin_id */
#define FUZZ_FIX_SIZE	0x20	/* hdr->size = the record's size */
#define FUZZ_LOST	0x40	/* a lost-events notice first */

extern const struct vista_plugin vista_plugin_skb;
extern const struct vista_plugin vista_plugin_sk;
extern const struct vista_plugin vista_plugin_tcp;
extern const struct vista_plugin vista_plugin_iptables;
extern const struct vista_plugin vista_plugin_tcxdp;
extern struct vista_plugin vista_plugin_text;
extern const struct vista_plugin vista_plugin_json;
extern const struct vista_plugin vista_plugin_pcapng;

struct fuzz_inst {
	const struct vista_plugin *desc;
	struct vista_ctx ctx;
	const char *file;	/* in $FUZZ_DECODE_OUT, else /dev/null */
};

/* The tracers in the core's order: plugin_id is the index + 1. */
enum { FUZZ_SKB, FUZZ_SK, FUZZ_TCP, FUZZ_IPTABLES, FUZZ_TCXDP };

static struct fuzz_inst fuzz_tracers[] = {
	[FUZZ_SKB] = { &vista_plugin_skb, { .name = "skb" } },
	[FUZZ_SK] = { &vista_plugin_sk, { .name = "sk" } },
	[FUZZ_TCP] = { &vista_plugin_tcp, { .name = "tcp" } },
	[FUZZ_IPTABLES] = { &vista_plugin_iptables, { .name = "iptables" } },
	[FUZZ_TCXDP] = { &vista_plugin_tcxdp, { .name = "tcxdp" } },
};

#define FUZZ_NR_TRACERS	(sizeof(fuzz_tracers) / sizeof(*fuzz_tracers))

static struct fuzz_inst fuzz_sinks[] = {
	{ &vista_plugin_text, { .name = "text" }, "text.txt" },
	{ &vista_plugin_text, { .name = "text:abs" }, "text-abs.txt" },
	{ &vista_plugin_json, { .name = "json" }, "events.json" },
	{ &vista_plugin_pcapng, { .name = "pcapng" }, "packets.pcapng" },
};

#define FUZZ_NR_SINKS	(sizeof(fuzz_sinks) / sizeof(*fuzz_sinks))

/* The stub host has no opt_list (ABI 1.4), which pcapng asks for. */
static struct vista_host fuzz_host;

static const char *const *fuzz_opt_list(struct vista_ctx *ctx,
					const char *key, size_t *nr)
{
	*nr = 0;
	return NULL;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, fixed so that runs repeat. */
#define FUZZ_WALL_OFF	1764000000000000000ULL
#define FUZZ_NETNS	4026531840U

static __u64 fuzz_lost;
static struct vista_frame fuzz_frames[VISTA_STACK_DEPTH];
static char fuzz_comm[VISTA_COMM_LEN + 1];	/* as the core's bus->comm */

static void fuzz_die(const char *what, const char *name, int ret)
{
	fprintf(stderr, "fuzz_decode: %s %s: %d\n%s", what, name, ret,
		stub_log());
	abort();
}

/*
 * Names the decoders look up: what the seeds use, and long ones that
 * test the decoders' fixed buffers.
 */
static void fuzz_names(void)
{
	char lng[256];

	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	stub_target(0, "ip_rcv");
	stub_target(1, "__netif_receive_skb_core");
	stub_target(2, "tcp_v4_do_rcv");
	stub_target(3, "inet_sock_destruct");
	stub_target(4, lng);
	stub_ksym(0xffffffff81000000ULL, "kfree_skb_reason");
	stub_ksym(0xffffffff81001000ULL, "sk_skb_reason_drop");
	stub_ksym(0xffffffff81002000ULL, "tcp_rcv_established");
	stub_ksym(0xffffffff81003000ULL, lng);
	stub_ksym(0xffffffff81004000ULL, "ip_local_deliver+0x4a");
	stub_enum("skb_drop_reason", 2, "SKB_DROP_REASON_NOT_SPECIFIED");
	stub_enum("skb_drop_reason", 3, "SKB_DROP_REASON_NO_SOCKET");
	stub_enum("skb_drop_reason", 16, "SKB_DROP_REASON_NETFILTER_DROP");
	stub_enum("skb_drop_reason", 99, lng);
	stub_enum("TCP_ESTABLISHED", 1, "TCP_ESTABLISHED");
	stub_enum("TCP_ESTABLISHED", 7, "TCP_CLOSE");
	stub_enum("sock_type", 1, "SOCK_STREAM");
	stub_enum("sock_type", 2, "SOCK_DGRAM");
	stub_enum("SS_FREE", 3, "SS_CONNECTED");
	stub_ifname(FUZZ_NETNS, 1, "lo");
	stub_ifname(FUZZ_NETNS, 2, "eth0");
	stub_ifname(FUZZ_NETNS, 3, "a-very-long-ifn");
}

/* tcxdp's traced programs: TC and XDP, a shared name, a long one. */
static void fuzz_tcxdp_table(struct vista_ctx *ctx)
{
	static const struct {
		unsigned int id;
		unsigned char hook;
		const char *func;
	} progs[] = {
		{ 17, TCX_HOOK_TC, "cls_main" },
		{ 23, TCX_HOOK_XDP, "xdp_prog" },
		{ 30, TCX_HOOK_TC, "handle" },
		{ 31, TCX_HOOK_TC, "handle" },
		{ 42, TCX_HOOK_XDP, "xdp_a_rather_long_entry_function_name_"
				    "that_fills_most_of_the_room_bpf_gives_"
				    "a_name_in_btf_and_then_some_more_bytes_"
				    "to_the_end" },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(progs) / sizeof(*progs); i++) {
		ret = fuzz_tcxdp_add(ctx, progs[i].id, progs[i].hook,
				     progs[i].func);
		if (ret)
			fuzz_die("tcxdp table", "tcxdp", ret);
	}
	fuzz_tcxdp_label(ctx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_DECODE_OUT");
	struct fuzz_inst *in;
	char path[4096];
	size_t i;
	int ret;

	stub_reset();
	fuzz_host = stub_host;
	fuzz_host.size = sizeof(fuzz_host);
	fuzz_host.opt_list = fuzz_opt_list;
	fuzz_names();

	/* Whatever makes a decoder fill more of the record. */
	stub_opt("trace", "1");
	stub_opt("drop-stack", "1");
	stub_opt("track", "1");
	stub_opt("output-skb", "1");
	stub_opt("output", "1");
	stub_opt("tc", "1");
	stub_opt("xdp", "1");
	for (i = 0; i < FUZZ_NR_TRACERS; i++) {
		in = &fuzz_tracers[i];
		in->ctx.host = &fuzz_host;
		in->ctx.plugin_id = i + 1;
		ret = in->desc->tracer.init(&in->ctx);
		if (ret)
			fuzz_die("init", in->ctx.name, ret);
	}
	fuzz_tcxdp_table(&fuzz_tracers[FUZZ_TCXDP].ctx);

	stub_opt("output-meta", "1");
	stub_opt("output-tuple", "1");
	stub_opt("snaplen", "16384");
	stub_opt("filter", "tcp port 80");
	for (i = 0; i < FUZZ_NR_SINKS; i++) {
		in = &fuzz_sinks[i];
		in->ctx.host = &fuzz_host;
		/* Options are read at open: one text sink of each kind. */
		stub_opt("timestamp", i ? "absolute" : "relative");
		/* To see what the sinks make of an input, by hand. */
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : "",
			 in->file);
		stub_opt("file", dir ? path : "/dev/null");
		ret = in->desc->sink.open(&in->ctx);
		if (ret)
			fuzz_die("open", in->ctx.name, ret);
		if (in->desc->sink.flush) {
			ret = in->desc->sink.flush(&in->ctx);
			if (ret)
				fuzz_die("flush", in->ctx.name, ret);
		}
	}
	return 0;
}

/*
 * core/bus.c fill_stack() without the core's symbol table (the host's
 * ksym answers): the same bounds and alignment check, frames read in
 * place as there.
 */
static void fuzz_fill_stack(struct vista_ctx *ctx, const void *data,
			    size_t size, struct vista_record *rec)
{
	const struct vista_event_hdr *hdr = data;
	size_t i, nr = hdr->stack_nr;
	const __u64 *ips;

	if (!nr || hdr->stack_off < sizeof(*hdr) ||
	    hdr->stack_off % sizeof(__u64) ||
	    hdr->stack_off + nr * sizeof(__u64) > size)
		return;
	if (nr > VISTA_STACK_DEPTH)
		nr = VISTA_STACK_DEPTH;
	ips = (const __u64 *)((const char *)data + hdr->stack_off);
	for (i = 0; i < nr; i++) {
		fuzz_frames[i].ip = ips[i];
		fuzz_frames[i].sym = fuzz_host.ksym(ctx, fuzz_frames[i].ip);
	}
	rec->stack = fuzz_frames;
	rec->nr_stack = nr;
}

/* core/bus.c check_lost(): a notice for the sinks that know them. */
static void fuzz_lost_notice(void)
{
	struct vista_field f[2];
	struct vista_group g = { .fields = f, .nr_fields = 2 };
	struct vista_record rec = {
		.kind = VISTA_RECORD_LOST, .plugin = "vista",
		.groups = &g, .nr_groups = 1,
	};
	struct fuzz_inst *s;
	size_t i;

	rec.lost = ++fuzz_lost;
	rec.ts_ns = fuzz_lost;
	rec.wall_ns = fuzz_lost + FUZZ_WALL_OFF;
	vista_field_u(&f[0], "lost", VISTA_FIELD_UINT, 1);
	vista_field_u(&f[1], "total", VISTA_FIELD_UINT, fuzz_lost);
	for (i = 0; i < FUZZ_NR_SINKS; i++) {
		s = &fuzz_sinks[i];
		if (s->desc->abi_minor < 4)
			continue;
		if (s->desc->sink.write(&s->ctx, &rec))
			fuzz_die("write", s->ctx.name, -1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct vista_event_hdr *hdr;
	struct vista_record rec = {};
	struct fuzz_inst *inst, *s;
	size_t size, i;
	uint8_t how;
	void *data;
	int ret;

	if (!len)
		return 0;
	how = in[0];
	size = len - 1;
	data = malloc(size);
	if (!data)
		return 0;
	memcpy(data, in + 1, size);
	hdr = data;
	if (size >= sizeof(*hdr)) {
		if (!(how & FUZZ_KEEP_ID))
			hdr->plugin_id = (how & 0x0f) % FUZZ_NR_TRACERS + 1;
		if (how & FUZZ_FIX_SIZE)
			hdr->size = size;
	}
	if (how & FUZZ_LOST)
		fuzz_lost_notice();

	/* Mirrors core/bus.c on_event(): its acceptance test, exactly. */
	if (size < sizeof(*hdr) || hdr->size > size || !hdr->plugin_id ||
	    hdr->plugin_id > FUZZ_NR_TRACERS)
		goto out;
	inst = &fuzz_tracers[hdr->plugin_id - 1];
	rec.hdr = hdr;
	rec.plugin = inst->ctx.name;
	rec.obj = hdr->obj;
	rec.ts_ns = hdr->ts_ns;
	rec.wall_ns = hdr->ts_ns + FUZZ_WALL_OFF;
	rec.cpu = hdr->cpu;
	rec.pid = hdr->pid;
	rec.netns = hdr->netns;
	rec.comm = vista_record_str(fuzz_comm, hdr->comm, sizeof(hdr->comm));
	rec.lost = fuzz_lost;
	ret = inst->desc->tracer.decode(&inst->ctx, data, hdr->size, &rec);
	if (ret || !rec.func)
		goto out;
	fuzz_fill_stack(&inst->ctx, data, hdr->size, &rec);

	/* write_sinks(); to /dev/null a write has no reason to fail. */
	for (i = 0; i < FUZZ_NR_SINKS; i++) {
		s = &fuzz_sinks[i];
		if (s->desc->sink.write(&s->ctx, &rec))
			fuzz_die("write", s->ctx.name, -1);
	}
out:
	free(data);
	return 0;
}

#endif /* FUZZ_DECODE_TCXDP */
