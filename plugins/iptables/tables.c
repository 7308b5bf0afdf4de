// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which rule sets the current network namespace has, read without
 * changing anything: the base chains of every nftables table (the
 * tables of iptables-nft among them) from an NFT_MSG_GETCHAIN dump, and
 * the tables iptables-legacy has instantiated from
 * /proc/thread-self/net/ip{,6}_tables_names. Neither loads a module:
 * nf_tables is asked only when it is already there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include "tables.h"

static int chain_add(struct ipt_chains *c, const struct ipt_chain *ch)
{
	struct ipt_chain *v;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->nr++] = *ch;
	return 0;
}

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	size_t n = a->nla_len - NLA_HDRLEN;

	if (n >= size)
		n = size - 1;
	memcpy(dst, (const char *)a + NLA_HDRLEN, n);
	dst[n] = 0;
}

static __u32 attr_be32(const struct nlattr *a)
{
	__u32 v = 0;

	if (a->nla_len >= NLA_HDRLEN + sizeof(v))
		memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return ntohl(v);
}

#define for_each_attr(a, start, len)					\
	for (a = (const struct nlattr *)(start);			\
	     (const char *)a + NLA_HDRLEN <= (const char *)(start) + (len) && \
	     a->nla_len >= NLA_HDRLEN &&					\
	     (const char *)a + a->nla_len <= (const char *)(start) + (len); \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

/* One NFT_MSG_NEWCHAIN of the dump: kept if it is a base chain. */
static int chain_msg(struct ipt_chains *c, const struct nlmsghdr *nh)
{
	const struct nfgenmsg *g = NLMSG_DATA(nh);
	const struct nlattr *a, *h;
	struct ipt_chain ch = { .family = g->nfgen_family };
	size_t len;
	bool hooked = false;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
		return 0;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*g));
	for_each_attr(a, (const char *)g + NLMSG_ALIGN(sizeof(*g)), len) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NFTA_CHAIN_TABLE:
			copy_str(ch.table, sizeof(ch.table), a);
			break;
		case NFTA_CHAIN_NAME:
			copy_str(ch.chain, sizeof(ch.chain), a);
			break;
		case NFTA_CHAIN_HOOK:
			for_each_attr(h, (const char *)a + NLA_HDRLEN,
				      a->nla_len - NLA_HDRLEN) {
				if ((h->nla_type & NLA_TYPE_MASK) ==
				    NFTA_HOOK_HOOKNUM) {
					ch.hook = attr_be32(h);
					hooked = true;
				} else if ((h->nla_type & NLA_TYPE_MASK) ==
					   NFTA_HOOK_PRIORITY)
					ch.prio = (__s32)attr_be32(h);
			}
			break;
		}
	}
	return hooked ? chain_add(c, &ch) : 0;
}

static int nft_dump(struct ipt_chains *c)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg g;
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) |
				      NFT_MSG_GETCHAIN,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.g = { .nfgen_family = NFPROTO_UNSPEC,
		       .version = NFNETLINK_V0 },
	};
	static char buf[32768];
	int fd, ret = 0;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		const struct nlmsghdr *nh;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				ret = e->error;
				goto out;
			}
			ret = chain_msg(c, nh);
			if (ret)
				goto out;
		}
		if (n == 0)
			goto out;
	}
out:
	close(fd);
	return ret;
}

/* iptables-legacy's tables here: each hooks where its nft twin would. */
static int legacy_tables(struct ipt_chains *c, const char *file, __u8 family)
{
	static const struct {
		const char *name;
		__u8 hooks;	/* bit per NF_INET_* hook */
		int prio;
	} known[] = {
		{ "raw", 1 << NF_INET_PRE_ROUTING | 1 << NF_INET_LOCAL_OUT,
		  -300 },
		{ "mangle", 0x1f, -150 },
		{ "filter", 1 << NF_INET_LOCAL_IN | 1 << NF_INET_FORWARD |
			    1 << NF_INET_LOCAL_OUT, 0 },
		{ "security", 1 << NF_INET_LOCAL_IN | 1 << NF_INET_FORWARD |
			      1 << NF_INET_LOCAL_OUT, 50 },
	};
	char line[64];
	FILE *f = fopen(file, "re");
	size_t i;
	int h, ret = 0;

	if (!f)
		return 0;	/* the module is not loaded */
	while (!ret && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
			if (strcmp(line, known[i].name))
				continue;
			for (h = 0; h < NF_INET_NUMHOOKS && !ret; h++) {
				struct ipt_chain ch = {
					.family = family, .hook = h,
					.prio = known[i].prio, .legacy = true,
				};

				if (!(known[i].hooks & 1 << h))
					continue;
				snprintf(ch.table, sizeof(ch.table), "%s",
					 known[i].name);
				ret = chain_add(c, &ch);
			}
		}
		/* nat: -100 on PREROUTING/OUTPUT, 100 on INPUT/POSTROUTING */
		for (h = 0; !strcmp(line, "nat") && h < NF_INET_NUMHOOKS &&
			    !ret; h++) {
			struct ipt_chain ch = {
				.family = family, .hook = h, .legacy = true,
				.prio = h == NF_INET_LOCAL_IN ||
					h == NF_INET_POST_ROUTING ? 100 : -100,
			};

			if (h == NF_INET_FORWARD)
				continue;
			snprintf(ch.table, sizeof(ch.table), "nat");
			ret = chain_add(c, &ch);
		}
	}
	fclose(f);
	return ret;
}

/*
 * Asking nf_tables when it is a module not loaded would load it: only
 * when loaded, built in (modules.builtin), or the kernel has no modules.
 */
bool ipt_nft_present(void)
{
	char path[300], line[256];
	struct utsname u;
	bool found = false;
	FILE *f;

	if (access("/sys/module/nf_tables", F_OK) == 0 ||
	    access("/proc/modules", F_OK) != 0)
		return true;
	if (uname(&u))
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin",
		 u.release);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "/nf_tables.ko") != NULL;
	if (f)
		fclose(f);
	return found;
}

int ipt_scan_tables(struct ipt_chains *c, bool nft)
{
	int ret = 0;

	c->nr = 0;
	if (nft)
		ret = nft_dump(c);
	if (!ret)
		ret = legacy_tables(c, "/proc/thread-self/net/ip_tables_names",
				    NFPROTO_IPV4);
	if (!ret)
		ret = legacy_tables(c, "/proc/thread-self/net/ip6_tables_names",
				    NFPROTO_IPV6);
	return ret;
}

void ipt_chains_free(struct ipt_chains *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
