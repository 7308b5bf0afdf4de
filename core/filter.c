// SPDX-License-Identifier: GPL-2.0-only
/* The shared in-kernel filters, from the core's options. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <vista/event.h>
#include "core.h"

static const struct config_value *core_opt(struct config *cfg,
					   const char *flag)
{
	return config_get(cfg, "core", flag);
}

/*
 * --filter-addr, --filter-port, --filter-protocol into out (flags, addr,
 * port, l4proto): sockets use them as they are; for packets the core
 * turns them into a pcap-filter expression.
 */
int filter_tuple_flags(struct config *cfg, struct vista_filter_cfg *out)
{
	static const struct { const char *name; __u8 proto; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmp6", 58 },
	};
	const struct config_value *v;
	size_t i;

	v = core_opt(cfg, "filter-addr");
	if (config_is_set(v) && v->s && *v->s) {
		if (inet_pton(AF_INET, v->s, out->addr) == 1) {
			out->flags |= VISTA_FILTER_ADDR4;
		} else if (inet_pton(AF_INET6, v->s, out->addr) == 1) {
			out->flags |= VISTA_FILTER_ADDR6;
		} else {
			fprintf(stderr, "--filter-addr: invalid value \"%s\": "
				"not an IPv4 or IPv6 address\n", v->s);
			return -EINVAL;
		}
	}

	v = core_opt(cfg, "filter-port");
	if (config_is_set(v) && v->u) {
		out->port = v->u;
		out->flags |= VISTA_FILTER_PORT;
	}

	v = core_opt(cfg, "filter-protocol");
	if (config_is_set(v) && v->s && *v->s) {
		for (i = 0; i < ARRAY_SIZE(protos); i++)
			if (!strcmp(v->s, protos[i].name))
				out->l4proto = protos[i].proto;
		if (!out->l4proto) {
			fprintf(stderr, "--filter-protocol: invalid value "
				"\"%s\": one of tcp, udp, icmp, icmp6\n", v->s);
			return -EINVAL;
		}
		out->flags |= VISTA_FILTER_PROTO;
		if ((out->flags & VISTA_FILTER_PORT) &&
		    out->l4proto != 6 && out->l4proto != 17) {
			fprintf(stderr, "--filter-port: %s has no ports (use "
				"--filter-protocol tcp or udp)\n", v->s);
			return -EINVAL;
		}
	}

	return 0;
}

int filter_build(struct config *cfg, struct vista_filter_cfg *out)
{
	size_t i;
	const struct config_value *v;
	int ret;

	memset(out, 0, sizeof(*out));

	v = core_opt(cfg, "filter-netns");
	if (config_is_set(v) && v->s && *v->s) {
		ret = netns_parse(v->s, &out->netns);
		if (ret) {
			fprintf(stderr, "--filter-netns: invalid value \"%s\": "
				"%s (use /proc/<pid>/ns/net or inode:<n>)\n",
				v->s, ret == -EINVAL ? "bad inode" :
				strerror(-ret));
			return -EINVAL;
		}
		out->flags |= VISTA_FILTER_NETNS;
	}

	v = core_opt(cfg, "filter-ifname");
	if (config_is_set(v) && v->s && *v->s) {
		/* An ifindex means something only within one netns. */
		if (!(out->flags & VISTA_FILTER_NETNS)) {
			out->netns = netns_self();
			out->flags |= VISTA_FILTER_NETNS;
		}
		ret = netns_ifindex(out->netns, v->s, &out->ifindex);
		if (ret) {
			fprintf(stderr, "--filter-ifname: no interface \"%s\" "
				"in netns %u: %s\n", v->s, out->netns,
				strerror(-ret));
			return -EINVAL;
		}
		out->flags |= VISTA_FILTER_IFINDEX;
	}

	ret = filter_tuple_flags(cfg, out);
	if (ret)
		return ret;

	/* Every plugin that sees skbs follows them (the flag is skb's). */
	v = config_get(cfg, "tracer.skb", "track");
	if (v && v->b)
		out->flags |= VISTA_FILTER_TRACK;

	v = core_opt(cfg, "output-stack");
	if (v && v->b)
		out->output |= VISTA_OUTPUT_STACK;

	/*
	 * A pcapng sink: every plugin captures packets, as many bytes as the
	 * largest snaplen of the pcapng sinks (each writes its own).
	 */
	for (i = 0; i < cfg->nr_sections; i++) {
		const struct config_section *sec = &cfg->sections[i];

		if (strcmp(sec->kind, "sink.pcapng") ||
		    sec->source == CONFIG_DEFAULT)
			continue;
		v = config_get(cfg, sec->name, "snaplen");
		if (!v || v->u < VISTA_SNAPLEN_MIN || v->u > VISTA_SNAPLEN_MAX) {
			char where[300] = "--pcap-snaplen";

			if (v && v->source == CONFIG_PROFILE && v->file)
				snprintf(where, sizeof(where), "%s:%d: snaplen",
					 v->file, v->line);
			fprintf(stderr, "%s: invalid value \"%llu\": from %d "
				"(Ethernet and IPv4 headers) to %d\n", where,
				v ? (unsigned long long)v->u : 0ULL,
				VISTA_SNAPLEN_MIN, VISTA_SNAPLEN_MAX);
			return -EINVAL;
		}
		if (v->u > out->snaplen)
			out->snaplen = v->u;
	}
	return 0;
}
