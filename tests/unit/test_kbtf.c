// SPDX-License-Identifier: GPL-2.0-only
/*
 * core/kbtf.c against tests/fixtures/btf/fixture.c (compiled to a BPF
 * object for its .BTF section), BTF built in place for what clang cannot
 * emit (signed and 64-bit enums, duplicate static functions, module split
 * BTF), and the running kernel when it has BTF.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "kbtf.h"

#define LIVE_VMLINUX "/sys/kernel/btf/vmlinux"

static struct kbtf *kb;
static struct kbtf_target *tg;
static size_t nr_tg;

static const char *fixture_path(void)
{
	const char *p = getenv("VISTA_BTF_FIXTURE");

	return p && *p ? p : "tests/fixtures/btf/fixture.bpf.o";
}

static struct btf *fixture_btf(void)
{
	struct btf *btf = btf__parse(fixture_path(), NULL);

	cr_assert_not_null(btf, "%s: %s (set VISTA_BTF_FIXTURE)",
			   fixture_path(), strerror(errno));
	return btf;
}

static void setup(void)
{
	kb = kbtf_from_btf(fixture_btf());
	cr_assert_not_null(kb);
	tg = NULL;
	nr_tg = 0;
}

static void teardown(void)
{
	kbtf_targets_free(tg, nr_tg);
	kbtf_free(kb);
}

static void scan(enum vista_obj_kind kind, bool tp, const char *pattern)
{
	char errbuf[128];
	regex_t re;
	int err;

	if (pattern)
		cr_assert_eq(kbtf_regcomp(&re, pattern, errbuf, sizeof(errbuf)),
			     0, "%s: %s", pattern, errbuf);
	err = kbtf_scan(kb->vmlinux, kind, tp, pattern ? &re : NULL, NULL, 0,
			&tg, &nr_tg);
	if (pattern)
		regfree(&re);
	cr_assert_eq(err, 0, "kbtf_scan: %d", err);
}

static const struct kbtf_target *find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_tg; i++)
		if (!strcmp(tg[i].name, name))
			return &tg[i];
	return NULL;
}

static void expect(const char *name, int pos, int nr_args)
{
	const struct kbtf_target *t = find(name);

	cr_assert_not_null(t, "%s not found", name);
	cr_expect_eq(t->pos, pos, "%s: pos %u, want %d", name, t->pos, pos);
	cr_expect_eq(t->nr_args, nr_args, "%s: nr_args %u, want %d", name,
		     t->nr_args, nr_args);
}

static void expect_none(const char *name)
{
	cr_expect_null(find(name), "%s must not match", name);
}

TestSuite(kbtf, .init = setup, .fini = teardown);

Test(kbtf, func_positions)
{
	scan(VISTA_OBJ_SKB, false, NULL);
	expect("fix_skb_p1", 1, 1);
	expect("fix_skb_p3", 3, 3);
	expect("fix_skb_p5", 5, 5);
	expect_none("fix_no_skb_p6");
	expect_none("fix_skb_p6_caller");
	/* Two matching parameters: the first one counts. */
	expect("fix_skb_two", 2, 3);
	expect("fix_sock_skb", 4, 4);
}

Test(kbtf, func_target_fields)
{
	const struct kbtf_target *t;

	cr_assert_eq(kbtf_scan(kb->vmlinux, VISTA_OBJ_SKB, false, NULL, "m", 7,
			       &tg, &nr_tg), 0);
	t = find("fix_skb_p3");
	cr_assert_not_null(t);
	cr_expect_eq(t->btf_id, (__u32)btf__find_by_name_kind(kb->vmlinux,
						"fix_skb_p3", BTF_KIND_FUNC));
	cr_expect_eq(t->btf_obj_fd, 7);
	cr_expect_str_eq(t->module, "m");
	cr_expect_not(t->tracepoint);
}

Test(kbtf, func_modifiers)
{
	scan(VISTA_OBJ_SKB, false, NULL);
	expect("fix_skb_const", 2, 2);
	expect("fix_skb_typedef", 1, 1);
	expect("fix_skb_typedef_struct", 2, 2);
	expect("fix_skb_volatile", 1, 1);
	expect("fix_skb_tagged", 1, 1);
}

Test(kbtf, func_rejected)
{
	size_t i;

	scan(VISTA_OBJ_SKB, false, NULL);
	expect_none("fix_no_skb_pp");
	expect_none("fix_no_skb_head");
	expect_none("fix_no_skb_void");
	expect_none("fix_no_extern");
	expect_none("fix_sock_p1");
	expect_none("fix_calls_extern");
	for (i = 0; i < nr_tg; i++)
		cr_expect(strncmp(tg[i].name, "fix_no_", 7), "%s", tg[i].name);
	cr_expect_eq(nr_tg, 10, "%zu skb functions, want 10", nr_tg);
}

Test(kbtf, func_sock)
{
	scan(VISTA_OBJ_SOCK, false, NULL);
	expect("fix_sock_p1", 1, 1);
	expect("fix_sock_skb", 2, 4);
	cr_expect_eq(nr_tg, 2);
}

Test(kbtf, tracepoints_skb)
{
	const struct kbtf_target *t;

	scan(VISTA_OBJ_SKB, true, NULL);
	expect("fix_skb", 1, 1);
	expect("fix_skb2", 1, 2);
	expect("fix_skb_p3", 3, 3);
	expect_none("fix_no_skb_p6");
	expect_none("fix_no_int");
	expect_none("fix_no_trace_skb");
	cr_expect_eq(nr_tg, 3);

	t = find("fix_skb");
	cr_assert_not_null(t);
	cr_expect(t->tracepoint);
	cr_expect_eq(t->btf_id, (__u32)btf__find_by_name_kind(kb->vmlinux,
					"btf_trace_fix_skb", BTF_KIND_TYPEDEF));
}

Test(kbtf, tracepoints_sock)
{
	scan(VISTA_OBJ_SOCK, true, NULL);
	expect("fix_sk2", 2, 2);
	expect("fix_skb_p3", 2, 3);
	cr_expect_eq(nr_tg, 2);
}

Test(kbtf, regex_whole_name)
{
	scan(VISTA_OBJ_SKB, true, "fix_skb");
	cr_expect_eq(nr_tg, 1);
	expect("fix_skb", 1, 1);
	kbtf_targets_free(tg, nr_tg);
	tg = NULL;
	nr_tg = 0;

	scan(VISTA_OBJ_SKB, true, "fix_skb.*");
	cr_expect_eq(nr_tg, 3);
	kbtf_targets_free(tg, nr_tg);
	tg = NULL;
	nr_tg = 0;

	/* The alternation stays inside the anchors. */
	scan(VISTA_OBJ_SOCK, true, "fix_sk|nomatch");
	cr_expect_eq(nr_tg, 0);

	scan(VISTA_OBJ_SKB, false, "fix_skb_p[0-9]");
	cr_expect_eq(nr_tg, 3);
	expect("fix_skb_p1", 1, 1);
	expect("fix_skb_p3", 3, 3);
	expect("fix_skb_p5", 5, 5);
}

Test(kbtf, regex_errors)
{
	char errbuf[128] = "";
	regex_t re;

	cr_expect_eq(kbtf_regcomp(&re, "(", errbuf, sizeof(errbuf)), -EINVAL);
	cr_expect_neq(errbuf[0], '\0');
	/* Would close the anchoring group early if not rejected. */
	cr_expect_eq(kbtf_regcomp(&re, "a)|(b", errbuf, sizeof(errbuf)),
		     -EINVAL);
	cr_expect_eq(kbtf_regcomp(&re, "(", NULL, 0), -EINVAL);
}

Test(kbtf, scan_appends)
{
	size_t nr_func;

	scan(VISTA_OBJ_SKB, false, NULL);
	nr_func = nr_tg;
	scan(VISTA_OBJ_SKB, true, NULL);
	cr_expect_eq(nr_tg, nr_func + 3);
	cr_expect_not(tg[0].tracepoint);
	cr_expect(tg[nr_tg - 1].tracepoint);
}

Test(kbtf, scan_bad_args)
{
	scan(VISTA_OBJ_SKB, false, NULL);
	cr_expect_eq(kbtf_scan(kb->vmlinux, 0, false, NULL, NULL, 0, &tg,
			       &nr_tg), -EINVAL);
	cr_expect_eq(kbtf_scan(NULL, VISTA_OBJ_SKB, false, NULL, NULL, 0, &tg,
			       &nr_tg), -EINVAL);
	cr_expect_eq(nr_tg, 10);
}

Test(kbtf, enum_names)
{
	const char *e = "skb_drop_reason";

	cr_expect_str_eq(kbtf_enum_name(kb, e, 2),
			 "SKB_DROP_REASON_NOT_SPECIFIED");
	/* SKB_DROP_REASON_MAX aliases 6; the first declared name wins. */
	cr_expect_str_eq(kbtf_enum_name(kb, e, 6),
			 "SKB_DROP_REASON_NETFILTER_DROP");
	cr_expect_str_eq(kbtf_enum_name(kb, e, 0), "SKB_NOT_DROPPED_YET");
	cr_expect_str_eq(kbtf_enum_name(kb, e, 0xfffffff0u),
			 "SKB_DROP_REASON_BIG");
	cr_expect_null(kbtf_enum_name(kb, e, 4));
	cr_expect_null(kbtf_enum_name(kb, e, -1));
	cr_expect_null(kbtf_enum_name(kb, e, 0x1000000000ll));
	/* Twice: the second lookup comes from the negative cache. */
	cr_expect_null(kbtf_enum_name(kb, "no_such_enum", 0));
	cr_expect_null(kbtf_enum_name(kb, "no_such_enum", 0));
	cr_expect_null(kbtf_enum_name(kb, "sk_buff", 0));
	cr_expect_null(kbtf_enum_name(kb, NULL, 0));
	cr_expect_null(kbtf_enum_name(NULL, e, 0));
	cr_expect_str_eq(kbtf_enum_name(kb, e, 3),
			 "SKB_DROP_REASON_NO_SOCKET");
}

/* clang 14 emits neither signed enums nor ENUM64: build them here. */
Test(kbtf, enum_signed_and_64)
{
	struct kbtf *k;
	struct btf *btf;

	btf = btf__new_empty();
	cr_assert_not_null(btf);
	cr_assert_gt(btf__add_enum(btf, "sig", 4), 0);
	cr_assert_eq(btf__add_enum_value(btf, "NEG", -5), 0);
	cr_assert_eq(btf__add_enum_value(btf, "ZERO", 0), 0);
	cr_assert_eq(btf__add_enum_value(btf, "POS", 7), 0);
	cr_assert_gt(btf__add_enum64(btf, "big", 8, false), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "B32", 1ull << 32), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "BMAX", UINT64_MAX), 0);
	cr_assert_eq(btf__add_enum64_value(btf, "BONE", 1), 0);
	k = kbtf_from_btf(btf);
	cr_assert_not_null(k);

	cr_expect_str_eq(kbtf_enum_name(k, "sig", -5), "NEG");
	cr_expect_str_eq(kbtf_enum_name(k, "sig", 7), "POS");
	cr_expect_null(kbtf_enum_name(k, "sig", 0xfffffffbll));
	cr_expect_str_eq(kbtf_enum_name(k, "big", 1ll << 32), "B32");
	cr_expect_str_eq(kbtf_enum_name(k, "big", (__s64)UINT64_MAX), "BMAX");
	cr_expect_str_eq(kbtf_enum_name(k, "big", 1), "BONE");
	cr_expect_null(kbtf_enum_name(k, "big", 2));
	kbtf_free(k);
}

/* Add "static int name(<int>..., struct sk_buff *)" with skb at pos. */
static int add_skb_func(struct btf *btf, const char *name, int pos)
{
	int int_id, skb_id, ptr_id, proto_id, i;

	int_id = btf__find_by_name_kind(btf, "int", BTF_KIND_INT);
	skb_id = btf__find_by_name_kind(btf, "sk_buff", BTF_KIND_STRUCT);
	cr_assert_gt(int_id, 0);
	cr_assert_gt(skb_id, 0);
	ptr_id = btf__add_ptr(btf, skb_id);
	proto_id = btf__add_func_proto(btf, int_id);
	cr_assert_gt(ptr_id, 0);
	cr_assert_gt(proto_id, 0);
	for (i = 1; i <= pos; i++) {
		int type = i == pos ? ptr_id : int_id;

		cr_assert_eq(btf__add_func_param(btf, "a", type), 0);
	}
	return btf__add_func(btf, name, BTF_FUNC_STATIC, proto_id);
}

static struct kbtf_module *add_module(struct kbtf *k, const char *name,
				      struct btf *btf)
{
	struct kbtf_module *m;

	k->mods = realloc(k->mods, (k->nr_mods + 1) * sizeof(*k->mods));
	cr_assert_not_null(k->mods);
	m = &k->mods[k->nr_mods++];
	m->name = strdup(name);
	m->btf = btf;
	m->fd = -1;
	return m;
}

Test(kbtf, dedup_static_functions)
{
	struct btf *btf = fixture_btf();
	struct kbtf *k;
	int first;

	first = add_skb_func(btf, "fix_dup", 2);
	cr_assert_gt(first, 0);
	cr_assert_gt(add_skb_func(btf, "fix_dup", 4), 0);
	cr_assert_gt(add_skb_func(btf, "fix_dup", 1), 0);
	k = kbtf_from_btf(btf);
	cr_assert_not_null(k);
	cr_assert_eq(kbtf_scan(k->vmlinux, VISTA_OBJ_SKB, false, NULL, NULL, 0,
			       &tg, &nr_tg), 0);
	kbtf_free(k);
	cr_expect_eq(nr_tg, 11);
	expect("fix_dup", 2, 2);
	cr_expect_eq(find("fix_dup")->btf_id, (__u32)first);
	/* BTF order is kept. */
	cr_expect_str_eq(tg[0].name, "fix_skb_p1");
	cr_expect_str_eq(tg[nr_tg - 1].name, "fix_dup");
}

Test(kbtf, module_split_btf)
{
	const struct kbtf_target *t;
	struct kbtf_module *m;
	struct btf *split;
	int id;

	split = btf__new_empty_split(kb->vmlinux);
	cr_assert_not_null(split);
	id = add_skb_func(split, "fix_mod_fn", 3);
	cr_assert_gt(id, 0);
	m = add_module(kb, "fixmod", split);

	/* The module alone: only its own types. */
	cr_assert_eq(kbtf_scan(m->btf, VISTA_OBJ_SKB, false, NULL, m->name,
			       m->fd, &tg, &nr_tg), 0);
	cr_expect_eq(nr_tg, 1);
	expect("fix_mod_fn", 3, 3);
	kbtf_targets_free(tg, nr_tg);
	tg = NULL;
	nr_tg = 0;

	cr_assert_eq(kbtf_find_targets(kb, VISTA_OBJ_SKB, false, NULL, &tg,
				       &nr_tg), 0);
	cr_expect_eq(nr_tg, 11);
	cr_expect_null(tg[0].module);
	cr_expect_eq(tg[0].btf_obj_fd, 0);
	t = &tg[nr_tg - 1];
	cr_expect_str_eq(t->name, "fix_mod_fn");
	cr_expect_str_eq(t->module, "fixmod");
	cr_expect_eq(t->btf_obj_fd, -1);
	cr_expect_eq(t->btf_id, (__u32)id);
	cr_expect_geq(t->btf_id, btf__type_cnt(kb->vmlinux));
}

Test(kbtf, load_kernel_btf_file)
{
	struct kbtf *k = kbtf_load(fixture_path(), NULL, false);

	cr_assert_not_null(k, "%s", strerror(errno));
	cr_expect_eq(k->nr_mods, 0);
	cr_expect_str_eq(kbtf_enum_name(k, "skb_drop_reason", 2),
			 "SKB_DROP_REASON_NOT_SPECIFIED");
	kbtf_free(k);
}

Test(kbtf, load_missing_file, .init = cr_redirect_stderr)
{
	struct kbtf *k = kbtf_load("/nonexistent/vmlinux", NULL, false);

	cr_assert_null(k);
	cr_expect_eq(errno, ENOENT);
	fflush(stderr);
	cr_expect_stderr_eq_str(
		"--kernel-btf: cannot load BTF from '/nonexistent/vmlinux': No such file or directory\n");
}

static bool have_live_btf(void)
{
	return access(LIVE_VMLINUX, R_OK) == 0;
}

Test(kbtf, load_missing_module, .init = cr_redirect_stderr)
{
	const char *mods[] = { "vista_no_such_mod", NULL };
	struct kbtf *k;

	if (!have_live_btf())
		cr_skip_test("no %s on this kernel", LIVE_VMLINUX);
	k = kbtf_load(NULL, mods, false);
	cr_assert_null(k);
	cr_expect_eq(errno, ENOENT);
	fflush(stderr);
	cr_expect_stderr_eq_str(
		"--kmods: no BTF for module 'vista_no_such_mod' (is it loaded?)\n");
}

Test(kbtf, live_kernel)
{
	const struct btf_type *t;
	const struct kbtf_target *k;
	const struct btf_enum *en;
	struct kbtf *live;
	__s64 value = -1;
	int id, i;

	if (!have_live_btf())
		cr_skip_test("no %s on this kernel", LIVE_VMLINUX);
	live = kbtf_load(NULL, NULL, true);
	cr_assert_not_null(live, "%s", strerror(errno));

	cr_assert_eq(kbtf_find_targets(live, VISTA_OBJ_SKB, true, NULL, &tg,
				       &nr_tg), 0);
	k = find("kfree_skb");
	cr_assert_not_null(k);
	cr_expect_eq(k->pos, 1);
	cr_expect(k->tracepoint);
	cr_expect_eq(k->btf_id,
		     (__u32)btf__find_by_name_kind(live->vmlinux,
				"btf_trace_kfree_skb", BTF_KIND_TYPEDEF));
	k = find("consume_skb");
	cr_assert_not_null(k);
	cr_expect_eq(k->pos, 1);
	k = find("sock_rcvqueue_full");
	cr_assert_not_null(k);
	cr_expect_eq(k->pos, 2);

	id = btf__find_by_name_kind(live->vmlinux, "skb_drop_reason",
				    BTF_KIND_ENUM);
	cr_assert_gt(id, 0);
	t = btf__type_by_id(live->vmlinux, id);
	en = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, en++)
		if (!strcmp(btf__name_by_offset(live->vmlinux, en->name_off),
			    "SKB_DROP_REASON_NETFILTER_DROP"))
			value = (__u32)en->val;
	cr_assert_geq(value, 0);
	cr_expect_str_eq(kbtf_enum_name(live, "skb_drop_reason", value),
			 "SKB_DROP_REASON_NETFILTER_DROP");
	kbtf_free(live);
}
