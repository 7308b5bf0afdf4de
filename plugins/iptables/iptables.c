// SPDX-License-Identifier: GPL-2.0-only
/*
 * Netfilter verdicts (--filter-trace-iptables), by one of three mechanisms:
 *
 * fentry:   fentry/fexit on nft_do_chain(): every base chain a packet
 *           runs through (iptables-nft's rules too), with table and chain
 *           names, the verdict and the time it took; and on
 *           ipt_do_table()/ip6t_do_table() for iptables-legacy;
 * kprobe:   kprobe+kretprobe the same way on kernels with kprobes only
 *           (or --kprobe-backend kprobe/kprobe-multi);
 * nf-link:  elsewhere (our kernel: no kprobes, fentry refused), BPF
 *           netfilter links around each table's priority on each hook, in
 *           every selected netns, and the kfree_skb tracepoint's
 *           NETFILTER_DROP: the family, hook and table of each drop,
 *           and of each pass through a table the netns had at start
 *           (tables.c finds them and the nftables chain names).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <vista/plugin.h>
#include "iptables.h"
#include "iptables.skel.h"
#include "tables.h"

#define IPT_ATTACH_NETFILTER	45	/* BPF_NETFILTER, Linux 6.4 */
#define IPT_PROG_NETFILTER	32	/* BPF_PROG_TYPE_NETFILTER */
#define IPT_NFPROTO_INET	1
#define IPT_NFPROTO_IPV4	2
#define IPT_NFPROTO_IPV6	10

enum { HOOK_PRE, HOOK_IN, HOOK_FWD, HOOK_OUT, HOOK_POST, NR_HOOKS };

/* Where the tables sit (include/uapi/linux/netfilter_ipv4.h). */
static const struct {
	__u8 table;
	__u8 hook;
	int prio;
} ipt_places[] = {
	{ IPT_RAW, HOOK_PRE, -300 }, { IPT_RAW, HOOK_OUT, -300 },
	{ IPT_MANGLE, HOOK_PRE, -150 }, { IPT_MANGLE, HOOK_IN, -150 },
	{ IPT_MANGLE, HOOK_FWD, -150 }, { IPT_MANGLE, HOOK_OUT, -150 },
	{ IPT_MANGLE, HOOK_POST, -150 },
	{ IPT_NAT, HOOK_PRE, -100 }, { IPT_NAT, HOOK_OUT, -100 },
	{ IPT_NAT, HOOK_IN, 100 }, { IPT_NAT, HOOK_POST, 100 },
	{ IPT_FILTER, HOOK_IN, 0 }, { IPT_FILTER, HOOK_FWD, 0 },
	{ IPT_FILTER, HOOK_OUT, 0 },
	{ IPT_SECURITY, HOOK_IN, 50 }, { IPT_SECURITY, HOOK_FWD, 50 },
	{ IPT_SECURITY, HOOK_OUT, 50 },
};

static const char *const ipt_table_names[] = {
	[IPT_RAW] = "raw", [IPT_MANGLE] = "mangle", [IPT_NAT] = "nat",
	[IPT_FILTER] = "filter", [IPT_SECURITY] = "security",
};

static const char *const ipt_hook_names[NR_HOOKS] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

struct ipt_state {
	struct iptables_bpf *skel;
	bool output;
	bool funcs;		/* function mode: fentry or kprobe */
	bool kprobe;		/* ... by kprobe+kretprobe */
	bool use[3];		/* nft_do_chain, ipt_do_table, ip6t_do_table */
	struct bpf_link *fn_link[6];
	struct bpf_link *drop_link;
	int *links;
	size_t nr_links;
	size_t busy;		/* priorities another program holds */
	size_t nr_netns;
	size_t nr_present;	/* (netns, family, hook, table) found */
	struct ipt_chains chains;	/* scratch: one netns's base chains */
	bool nft_listed;	/* nf_tables can be asked (ipt_nft_present) */
	char func[48];
	char table[IPT_NAME_MAX + 1], chain[IPT_NAME_MAX + 1];	/* terminated */
	struct vista_field fields[7];
	struct vista_group group;
};

static int ipt_init(struct vista_ctx *ctx)
{
	struct ipt_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	ctx->priv = st;
	st->output = ctx->host->opt_bool(ctx, "output");
	return 0;
}

static struct bpf_program *ipt_prog(struct ipt_state *st, __u8 table,
				    bool in);

/* The function mode's hooks and the modules they live in. */
static const struct {
	const char *func;
	const char *module;
} ipt_funcs[3] = {
	{ "nft_do_chain", "nf_tables" },
	{ "ipt_do_table", "ip_tables" },
	{ "ip6t_do_table", "ip6_tables" },
};

static void ipt_fn_progs(struct ipt_state *st, int i, bool kprobe,
			 struct bpf_program **in, struct bpf_program **out)
{
	struct iptables_bpf *s = st->skel;

	if (kprobe) {
		*in = i == 0 ? s->progs.vista_nft_kp_entry :
		      i == 1 ? s->progs.vista_xt4_kp_entry :
			       s->progs.vista_xt6_kp_entry;
		*out = i == 0 ? s->progs.vista_nft_kp_exit :
		       i == 1 ? s->progs.vista_xt4_kp_exit :
				s->progs.vista_xt6_kp_exit;
		return;
	}
	*in = i == 0 ? s->progs.vista_nft_entry :
	      i == 1 ? s->progs.vista_xt4_entry : s->progs.vista_xt6_entry;
	*out = i == 0 ? s->progs.vista_nft_exit :
	       i == 1 ? s->progs.vista_xt4_exit : s->progs.vista_xt6_exit;
}

static void ipt_autoload(struct ipt_state *st)
{
	struct bpf_program *in, *out;
	int t, i;

	for (t = IPT_RAW; t <= IPT_SECURITY; t++) {
		bpf_program__set_autoload(ipt_prog(st, t, true), !st->funcs);
		bpf_program__set_autoload(ipt_prog(st, t, false), !st->funcs);
	}
	bpf_program__set_autoload(st->skel->progs.vista_ipt_drop, !st->funcs);
	for (i = 0; i < 3; i++) {
		ipt_fn_progs(st, i, false, &in, &out);
		bpf_program__set_autoload(in, st->use[i] && !st->kprobe);
		bpf_program__set_autoload(out, st->use[i] && !st->kprobe);
		ipt_fn_progs(st, i, true, &in, &out);
		bpf_program__set_autoload(in, st->use[i] && st->kprobe);
		bpf_program__set_autoload(out, st->use[i] && st->kprobe);
	}
}

/*
 * The rule-set function func of module: in vmlinux or the module's BTF
 * (so the module is loaded). For ipt_do_table-like functions (pos not
 * NULL), the positions of the skb, the hook state and the table, which
 * changed in 5.16. -ENOENT if it is not there.
 */
static int ipt_func_btf(const struct btf *vmlinux, const char *module,
			const char *func, __u8 pos[3])
{
	struct btf *mod = NULL;
	const struct btf *btf = vmlinux;
	const struct btf_type *t = NULL;
	const struct btf_param *p;
	int id, i, n, found = 0;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0) {
		mod = btf__load_module_btf(module, (struct btf *)vmlinux);
		btf = mod;
		id = mod ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
	}
	if (id > 0)
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	n = t ? btf_vlen(t) : 0;
	p = t ? btf_params(t) : NULL;
	for (i = 0; pos && i < n && i < 3; i++) {
		const struct btf_type *a = btf__type_by_id(btf, p[i].type);
		const char *name = "";

		while (a && (btf_is_ptr(a) || btf_is_const(a) ||
			     btf_is_volatile(a) || btf_is_typedef(a)))
			a = btf__type_by_id(btf, a->type);
		if (a && btf_is_struct(a))
			name = btf__name_by_offset(btf, a->name_off);
		if (!strcmp(name, "sk_buff")) {
			pos[0] = i;
			found |= 1;
		} else if (!strcmp(name, "nf_hook_state")) {
			pos[1] = i;
			found |= 2;
		} else {
			pos[2] = i;
			found |= 4;
		}
	}
	btf__free(mod);
	if (!t)
		return -ENOENT;
	return !pos || (n == 3 && found == 7) ? 0 : -ENOENT;
}

/*
 * The function mode if the backend can hook functions: fentry/fexit, or
 * kprobe+kretprobe on kernels with kprobes only, on the rule-set
 * functions the kernel has.
 */
static bool ipt_pick_funcs(struct vista_ctx *ctx, struct ipt_state *st)
{
	const struct btf *vmlinux = ctx->host->btf(ctx);
	int backend = ctx->host->backend(ctx);
	struct bpf_program *in, *out;
	__u8 pos[3];
	int i, n = 0;

	if (backend != VISTA_BACKEND_FENTRY && backend != VISTA_BACKEND_KPROBE &&
	    backend != VISTA_BACKEND_KPROBE_MULTI)
		return false;
	st->kprobe = backend != VISTA_BACKEND_FENTRY;
	for (i = 0; i < 3; i++) {
		if (ipt_func_btf(vmlinux, ipt_funcs[i].module,
				 ipt_funcs[i].func, i ? pos : NULL))
			continue;
		if (i) {	/* ip6t_do_table has ipt_do_table's order */
			st->skel->rodata->ipt_xt_skb = pos[0];
			st->skel->rodata->ipt_xt_state = pos[1];
			st->skel->rodata->ipt_xt_table = pos[2];
		}
		st->use[i] = true;
		n++;
		if (st->kprobe)
			continue;
		ipt_fn_progs(st, i, false, &in, &out);
		bpf_program__set_expected_attach_type(in, BPF_TRACE_FENTRY);
		bpf_program__set_expected_attach_type(out, BPF_TRACE_FEXIT);
		if (bpf_program__set_attach_target(in, 0, ipt_funcs[i].func) ||
		    bpf_program__set_attach_target(out, 0, ipt_funcs[i].func)) {
			st->use[i] = false;
			n--;
		}
	}
	if (!n)
		vista_warn(ctx, "neither nft_do_chain nor ipt_do_table (no "
			   "nf_tables or ip_tables module loaded?): using "
			   "netfilter hooks");
	return n > 0;
}

/*
 * Whether a netfilter program may call bpf_get_current_comm() (6.18
 * may, 6.12 may not): a six-instruction program, loaded and closed.
 */
static bool nf_has_comm(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = -16 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = 16 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_current_comm },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = IPT_ATTACH_NETFILTER);
	int fd = bpf_prog_load(IPT_PROG_NETFILTER, NULL, "GPL", insns,
			       sizeof(insns) / sizeof(*insns), &opts);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int ipt_load(struct vista_ctx *ctx)
{
	struct ipt_state *st = ctx->priv;
	int ret;

	st->skel = iptables_bpf__open();
	if (!st->skel) {
		ret = -errno;
		vista_err(ctx, "cannot open BPF object: %s", strerror(-ret));
		return ret;
	}
	st->skel->rodata->vista_plugin_id = ctx->plugin_id;
	ret = ctx->host->prepare(ctx, st->skel->obj, NULL);
	if (ret)
		return ret;
	st->funcs = ipt_pick_funcs(ctx, st);
	ipt_autoload(st);
	if (!st->funcs) {
		st->skel->rodata->ipt_nf_comm = nf_has_comm();
		ret = bpf_program__set_attach_target(
			st->skel->progs.vista_ipt_drop, 0, "kfree_skb");
		if (ret) {
			vista_err(ctx, "no kfree_skb tracepoint: %s",
				  strerror(-ret));
			return ret;
		}
	}
	ret = iptables_bpf__load(st->skel);
	if (ret) {
		/* Before 6.4 the kernel has no netfilter programs. */
		vista_err(ctx, "cannot load BPF programs: %s (%sVISTA_DEBUG=1 "
			  "shows the verifier's log)", strerror(-ret),
			  st->funcs ? "" : "netfilter programs need Linux 6.4; ");
		return ret;
	}
	return 0;
}

static struct bpf_program *ipt_prog(struct ipt_state *st, __u8 table,
				    bool in)
{
	struct iptables_bpf *s = st->skel;

	switch (table) {
	case IPT_RAW:
		return in ? s->progs.vista_ipt_in_raw : s->progs.vista_ipt_out_raw;
	case IPT_MANGLE:
		return in ? s->progs.vista_ipt_in_mangle
			  : s->progs.vista_ipt_out_mangle;
	case IPT_NAT:
		return in ? s->progs.vista_ipt_in_nat : s->progs.vista_ipt_out_nat;
	case IPT_FILTER:
		return in ? s->progs.vista_ipt_in_filter
			  : s->progs.vista_ipt_out_filter;
	default:
		return in ? s->progs.vista_ipt_in_security
			  : s->progs.vista_ipt_out_security;
	}
}

/* BPF_LINK_CREATE for a netfilter hook (libbpf 1.1 has no options). */
static int nf_link(int prog_fd, __u32 pf, __u32 hook, int prio)
{
	union bpf_attr attr;
	struct {
		__u32 pf;
		__u32 hooknum;
		__s32 priority;
		__u32 flags;
	} *nf = (void *)((char *)&attr.link_create +
			 offsetof(typeof(attr.link_create), flags) +
			 sizeof(attr.link_create.flags));

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = IPT_ATTACH_NETFILTER;
	nf->pf = pf;
	nf->hooknum = hook;
	nf->priority = prio;
	return syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

static int keep_link(struct ipt_state *st, int fd)
{
	int *l = realloc(st->links, (st->nr_links + 1) * sizeof(*l));

	if (!l) {
		close(fd);
		return -ENOMEM;
	}
	st->links = l;
	st->links[st->nr_links++] = fd;
	return 0;
}

/*
 * "a" or "a+b": the names of the chains sharing one place (the same name
 * once: iptables-legacy's mangle next to iptables-nft's is "mangle").
 */
static void add_name(char *dst, const char *name)
{
	size_t n = strlen(dst), len = strlen(name);
	const char *p;

	for (p = dst; *p; p += strcspn(p, "+"), p += *p == '+')
		if (!strncmp(p, name, len) && (p[len] == '+' || !p[len]))
			return;
	if (!name[0] || n + 1 >= IPT_NAME_MAX)
		return;
	snprintf(dst + n, IPT_NAME_MAX - n, "%s%s", n ? "+" : "", name);
}

/*
 * Tell the BPF side which places of this netns hold a table (a base
 * chain at the table's priority on that hook, nftables or legacy) and
 * their names: leaving one of those is reported as an ACCEPT.
 */
static void ipt_mark_present(struct vista_ctx *ctx, struct ipt_state *st,
			     __u32 netns, __u8 pf)
{
	int map = bpf_map__fd(st->skel->maps.ipt_present);
	size_t i, j;

	for (i = 0; i < sizeof(ipt_places) / sizeof(*ipt_places); i++) {
		struct ipt_place_key k = {
			.netns = netns, .pf = pf, .hook = ipt_places[i].hook,
			.table = ipt_places[i].table,
		};
		struct ipt_place_names v = { "" };
		bool found = false;

		for (j = 0; j < st->chains.nr; j++) {
			const struct ipt_chain *c = &st->chains.v[j];

			if ((c->family != pf && c->family != IPT_NFPROTO_INET) ||
			    c->hook != k.hook || c->prio != ipt_places[i].prio)
				continue;
			add_name(v.table, c->table);
			add_name(v.chain, c->chain);
			found = true;
		}
		if (!found)
			continue;
		if (bpf_map_update_elem(map, &k, &v, BPF_ANY)) {
			vista_warn(ctx, "netns %u: cannot record a table: %s",
				   netns, strerror(errno));
			return;
		}
		st->nr_present++;
	}
}

/* In one netns: a link just before and just after every table. */
static int ipt_attach_netns(struct vista_ctx *ctx, __u32 netns, void *arg)
{
	static const __u32 pfs[] = { IPT_NFPROTO_IPV4, IPT_NFPROTO_IPV6 };
	struct ipt_state *st = arg;
	size_t i, f;
	int k, fd, ret, listed;

	listed = ipt_scan_tables(&st->chains, st->nft_listed);
	if (listed)
		vista_warn(ctx, "netns %u: cannot list its tables (%s): only "
			   "drops are reported there", netns, strerror(-listed));
	for (f = 0; f < sizeof(pfs) / sizeof(*pfs); f++) {
		if (!listed)
			ipt_mark_present(ctx, st, netns, pfs[f]);
		for (i = 0; i < sizeof(ipt_places) / sizeof(*ipt_places); i++) {
			for (k = 0; k < 2; k++) {
				fd = nf_link(bpf_program__fd(ipt_prog(st,
						ipt_places[i].table, !k)),
					     pfs[f], ipt_places[i].hook,
					     ipt_places[i].prio + (k ? 1 : -1));
				if (fd < 0 && errno == EBUSY) {
					st->busy++;
					continue;
				}
				if (fd < 0) {
					ret = -errno;
					vista_err(ctx, "cannot attach a netfilter "
						  "program in netns %u: %s",
						  netns, strerror(-ret));
					return ret;
				}
				ret = keep_link(st, fd);
				if (ret)
					return ret;
			}
		}
	}
	st->nr_netns++;
	return 0;
}

static int ipt_attach_funcs(struct vista_ctx *ctx, struct ipt_state *st)
{
	struct bpf_program *in, *out;
	char which[64] = "";
	int i;

	for (i = 0; i < 3; i++) {
		const char *func = ipt_funcs[i].func;
		struct bpf_link **l = &st->fn_link[2 * i];

		if (!st->use[i])
			continue;
		ipt_fn_progs(st, i, st->kprobe, &in, &out);
		/* Entry first: a return without its entry is never paired. */
		l[0] = st->kprobe ? bpf_program__attach_kprobe(in, false, func)
				  : bpf_program__attach(in);
		l[1] = !l[0] ? NULL :
		       st->kprobe ? bpf_program__attach_kprobe(out, true, func)
				  : bpf_program__attach(out);
		if (!l[1]) {
			vista_err(ctx, "cannot attach to %s: %s", func,
				  strerror(errno));
			return -errno;
		}
		snprintf(which + strlen(which), sizeof(which) - strlen(which),
			 "%s%s", which[0] ? ", " : "", func);
	}
	vista_info(ctx, "netfilter: %s on %s: every rule-set run with its "
		   "table, chain (nftables), verdict and time",
		   st->kprobe ? "kprobe/kretprobe" : "fentry/fexit", which);
	return 0;
}

static int ipt_attach(struct vista_ctx *ctx)
{
	struct ipt_state *st = ctx->priv;
	int ret;

	if (st->funcs)
		return ipt_attach_funcs(ctx, st);
	st->drop_link = bpf_program__attach(st->skel->progs.vista_ipt_drop);
	if (!st->drop_link) {
		ret = -errno;
		vista_err(ctx, "cannot attach to kfree_skb: %s",
			  strerror(-ret));
		return ret;
	}
	st->nft_listed = ipt_nft_present();
	ret = ctx->host->netns_each(ctx, ipt_attach_netns, st);
	if (ret)
		return ret;
	if (st->busy)
		vista_warn(ctx, "%zu table boundaries are taken by other "
			   "netfilter hooks: drops there are not named",
			   st->busy);
	vista_info(ctx, "netfilter: %zu BPF hooks around the raw, mangle, "
		   "nat, filter and security places in %zu netns, %zu of them "
		   "holding a table: drops and passes (ACCEPT) with table and "
		   "hook; tables and netns created later are not watched",
		   st->nr_links, st->nr_netns, st->nr_present);
	return 0;
}

static const char *ipt_verdict_name(unsigned int v)
{
	static const char *const names[] = {
		"DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP",
	};

	return v < sizeof(names) / sizeof(*names) ? names[v] : NULL;
}

static const char *ipt_pf_name(unsigned int pf)
{
	switch (pf) {
	case IPT_NFPROTO_IPV4: return "PF_INET";
	case IPT_NFPROTO_IPV6: return "PF_INET6";
	case 3: return "PF_ARP";
	case 7: return "PF_BRIDGE";
	case 5: return "PF_NETDEV";
	default: return NULL;
	}
}

static int ipt_decode(struct vista_ctx *ctx, const void *data, size_t size,
		      struct vista_record *rec)
{
	const struct ipt_event *ev = data;
	struct ipt_state *st = ctx->priv;
	struct vista_field *f = st->fields;
	const char *table, *hook, *name;
	bool nft = ev->hdr.kind == IPT_EV_NFT, xt = ev->hdr.kind == IPT_EV_XT;
	unsigned int n = 0;

	if (size < sizeof(*ev) ||
	    (ev->hdr.kind != IPT_EV_VERDICT && !nft && !xt))
		return -EINVAL;
	if (ev->table_name[0])
		table = vista_record_str(st->table, ev->table_name,
					 sizeof(ev->table_name));
	else if (nft || xt)
		table = "?";
	else
		table = ev->table >= IPT_RAW && ev->table <= IPT_SECURITY ?
			ipt_table_names[ev->table] : "?";
	hook = ev->hook < NR_HOOKS && (ev->pf == IPT_NFPROTO_IPV4 ||
				       ev->pf == IPT_NFPROTO_IPV6) ?
	       ipt_hook_names[ev->hook] : NULL;
	if (nft)
		rec->func = "nft_do_chain";
	else if (xt)
		rec->func = ev->pf == IPT_NFPROTO_IPV6 ? "ip6t_do_table"
						       : "ipt_do_table";
	else {
		snprintf(st->func, sizeof(st->func), "iptables(%s/%s)",
			 table, hook ? hook : "?");
		rec->func = st->func;
	}
	rec->meta = &ev->meta;
	rec->tuple = ev->tuple.l3proto ? &ev->tuple : NULL;
	rec->ifname = ctx->host->ifname(ctx, ev->hdr.netns, ev->meta.ifindex);
	if (!st->output)
		return 0;
	name = ipt_pf_name(ev->pf);
	if (name)
		vista_field_s(&f[n++], "pf", name);
	else
		vista_field_u(&f[n++], "pf", VISTA_FIELD_UINT, ev->pf);
	vista_field_s(&f[n++], "table", table);
	if (nft || ev->chain[0])
		vista_field_s(&f[n++], "chain", ev->chain[0] ?
			      vista_record_str(st->chain, ev->chain,
					       sizeof(ev->chain)) : "?");
	if (hook)
		vista_field_s(&f[n++], "hook", hook);
	else
		vista_field_u(&f[n++], "hook", VISTA_FIELD_UINT, ev->hook);
	name = ipt_verdict_name(ev->verdict);
	if (name)
		vista_field_s(&f[n++], "verdict", name);
	else
		vista_field_u(&f[n++], "verdict", VISTA_FIELD_UINT,
			      ev->verdict);
	vista_field_u(&f[n++], "cost_ns", VISTA_FIELD_UINT, ev->cost_ns);
	st->group.name = "IPTABLES";
	st->group.fields = f;
	st->group.nr_fields = n;
	rec->groups = &st->group;
	rec->nr_groups = 1;
	return 0;
}

static void ipt_detach(struct vista_ctx *ctx)
{
	struct ipt_state *st = ctx->priv;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nr_links; i++)
		close(st->links[i]);
	st->nr_links = 0;
	bpf_link__destroy(st->drop_link);
	st->drop_link = NULL;
	for (i = 0; i < 6; i++) {
		bpf_link__destroy(st->fn_link[i]);
		st->fn_link[i] = NULL;
	}
}

static void ipt_fini(struct vista_ctx *ctx)
{
	struct ipt_state *st = ctx->priv;

	if (!st)
		return;
	free(st->links);
	ipt_chains_free(&st->chains);
	iptables_bpf__destroy(st->skel);
	free(st);
	ctx->priv = NULL;
}

const struct vista_plugin vista_plugin = {
	VISTA_PLUGIN_INIT,
	.name = "iptables",
	.kind = VISTA_PLUGIN_TRACER,
	.version = PACKAGE_VERSION,
	.summary = "netfilter verdicts: family, hook, table, chain",
	.tracer = {
		.init = ipt_init,
		.load = ipt_load,
		.attach = ipt_attach,
		.decode = ipt_decode,
		.detach = ipt_detach,
		.fini = ipt_fini,
	},
};
