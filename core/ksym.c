// SPDX-License-Identifier: GPL-2.0-only
/* Kernel symbols from /proc/kallsyms, for stacks and probe addresses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"

struct ksym {
	__u64 addr;
	__u32 name;	/* offset into the string arena */
	__u32 mod;	/* offset of the module name, 0 for vmlinux */
};

struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *str;
	size_t str_len, str_cap;
};

static int str_add(struct ksyms *ks, const char *s, __u32 *off)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (ks->str_len + n > ks->str_cap) {
		size_t cap = ks->str_cap ? ks->str_cap * 2 : 1 << 20;

		while (cap < ks->str_len + n)
			cap *= 2;
		p = realloc(ks->str, cap);
		if (!p)
			return -ENOMEM;
		ks->str = p;
		ks->str_cap = cap;
	}
	memcpy(ks->str + ks->str_len, s, n);
	*off = ks->str_len;
	ks->str_len += n;
	return 0;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct ksyms *ksyms_load(void)
{
	char line[512], name[256], mod[128], type;
	unsigned long long addr;
	struct ksyms *ks;
	__u32 empty;
	FILE *f;
	int n;

	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		warn("/proc/kallsyms: %s: stacks will show addresses only",
		     strerror(errno));
		return NULL;
	}
	ks = calloc(1, sizeof(*ks));
	if (!ks || str_add(ks, "", &empty))
		goto out_err;
	while (fgets(line, sizeof(line), f)) {
		mod[0] = '\0';
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name,
			   mod);
		if (n < 3 || !addr)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (ks->nr == ks->cap) {
			size_t cap = ks->cap ? ks->cap * 2 : 1 << 16;
			struct ksym *s = realloc(ks->syms, cap * sizeof(*s));

			if (!s)
				goto out_err;
			ks->syms = s;
			ks->cap = cap;
		}
		if (str_add(ks, name, &ks->syms[ks->nr].name))
			goto out_err;
		ks->syms[ks->nr].mod = 0;
		if (n == 4 && str_add(ks, mod, &ks->syms[ks->nr].mod))
			goto out_err;
		ks->syms[ks->nr].addr = addr;
		ks->nr++;
	}
	fclose(f);
	if (!ks->nr) {
		warn("/proc/kallsyms shows no addresses (kptr_restrict?): "
		     "stacks will show addresses only");
		ksyms_free(ks);
		return NULL;
	}
	qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_ksym);
	return ks;

out_err:
	fclose(f);
	ksyms_free(ks);
	return NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->str);
	free(ks);
}

static const struct ksym *find(const struct ksyms *ks, __u64 addr)
{
	size_t lo = 0, hi = ks->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &ks->syms[lo - 1] : NULL;
}

const char *ksyms_name(const struct ksyms *ks, __u64 addr)
{
	const struct ksym *s = find(ks, addr);

	return s ? ks->str + s->name : NULL;
}

const char *ksyms_format(const struct ksyms *ks, __u64 addr, char *buf,
			 size_t len)
{
	const struct ksym *s = find(ks, addr);

	if (!s)
		return NULL;
	if (s->mod)
		snprintf(buf, len, "%s+0x%llx [%s]", ks->str + s->name,
			 (unsigned long long)(addr - s->addr),
			 ks->str + s->mod);
	else
		snprintf(buf, len, "%s+0x%llx", ks->str + s->name,
			 (unsigned long long)(addr - s->addr));
	return buf;
}

/* Names of the kernel's text symbols (what a kprobe can be placed on by
 * name), sorted, as a struct traceable. */
int ksyms_text_names(struct traceable *out)
{
	struct ksyms *ks = ksyms_load();
	size_t i, n = 0;

	out->fns = NULL;
	out->nr = 0;
	if (!ks)
		return -ENOENT;
	out->fns = calloc(ks->nr, sizeof(*out->fns));
	if (!out->fns) {
		ksyms_free(ks);
		return -ENOMEM;
	}
	for (i = 0; i < ks->nr; i++) {
		out->fns[n].name = strdup(ks->str + ks->syms[i].name);
		if (!out->fns[n].name) {
			out->nr = n;
			traceable_free(out);
			ksyms_free(ks);
			return -ENOMEM;
		}
		n++;
	}
	out->nr = n;
	ksyms_free(ks);
	traceable_sort(out);
	return 0;
}
