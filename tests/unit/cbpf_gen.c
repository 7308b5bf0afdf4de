// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packets and the XDP wrapper for the classic BPF translator's tests; see
 * cbpf_gen.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include "cbpf_gen.h"

_Static_assert(CB_PAD == ETH_HLEN, "XDP test runs need an Ethernet header");

/*
 * XDP wrapper: call filter(data + CB_PAD, data_end), return 1 on a match,
 * 0 otherwise. The subprogram follows at index 7.
 */
int cb_load(const struct bpf_insn *sub, size_t sub_len, char *log,
	    size_t loglen)
{
	static const struct bpf_insn head[] = {
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
		  offsetof(struct xdp_md, data_end), 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_1,
		  offsetof(struct xdp_md, data), 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, CB_PAD },
		{ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 3 },
		{ BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 1, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	size_t nhead = sizeof(head) / sizeof(head[0]);
	size_t n = nhead + sub_len;
	struct bpf_insn *insns = calloc(n, sizeof(*insns));
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int fd;

	if (!insns)
		return -ENOMEM;
	memcpy(insns, head, sizeof(head));
	memcpy(insns + nhead, sub, sub_len * sizeof(*sub));
	if (log && loglen) {
		log[0] = '\0';
		opts.log_buf = log;
		opts.log_size = loglen;
		opts.log_level = 1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "cbpf_test", "GPL", insns, n,
			   &opts);
	if (fd < 0 && errno == ENOSPC && opts.log_level) {
		/* log too small for a successful-but-chatty load: retry */
		opts.log_level = 0;
		opts.log_buf = NULL;
		opts.log_size = 0;
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "cbpf_test", "GPL",
				   insns, n, &opts);
	}
	if (fd < 0)
		fd = -errno;
	free(insns);
	return fd;
}

int cb_run(int fd, const uint8_t *pkt, size_t len, __u32 *verdict)
{
	uint8_t buf[CB_PAD + CB_MAX_PKT] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf,
		    .data_size_in = (__u32)(CB_PAD + len), .repeat = 1);

	if (len > CB_MAX_PKT)
		return -EINVAL;
	memcpy(buf + CB_PAD, pkt, len);
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	*verdict = opts.retval;
	return 0;
}

/* xorshift64*: the packets must be the same on every run. */
static uint64_t cb_seed = CB_SEED_DEFAULT;

void cb_srand(uint64_t seed)
{
	cb_seed = seed ? seed : CB_SEED_DEFAULT;
}

uint32_t cb_rand(void)
{
	cb_seed ^= cb_seed >> 12;
	cb_seed ^= cb_seed << 25;
	cb_seed ^= cb_seed >> 27;
	return (uint32_t)((cb_seed * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t cb_pick(const uint32_t *v, size_t n)
{
	return v[cb_rand() % n];
}

#define CB_PICK(a)	cb_pick(a, sizeof(a) / sizeof(a[0]))

static const uint32_t cb_v4[] = {
	0x0a000001, 0x0a000002, 0xc0a8010a, 0xac100504, 0x0a0000ff,
	0xe0000001, 0x08080808, 0xc0a80001,
};
static const uint32_t cb_ports[] = {
	22, 53, 80, 443, 8080, 5000, 5050, 1500, 30000, 65535, 0, 8050,
};
static const uint8_t cb_v6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0xfe, 0x80, [15] = 1 },
	{ 0xff, 0x02, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb9, 0x12, 0x34, [15] = 7 },
};
static const uint8_t cb_macs[][6] = {
	{ 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 },
	{ 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb },
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
	{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
};

static void cb_put16(uint8_t *p, uint32_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void cb_put32(uint8_t *p, uint32_t v)
{
	cb_put16(p, v >> 16);
	cb_put16(p + 2, v);
}

/* L4 header and payload at @p; returns its length. */
static size_t cb_l4(uint8_t *p, int proto)
{
	size_t len, pay = cb_rand() % 4 ? cb_rand() % 64 : cb_rand() % 1200;
	size_t i;

	switch (proto) {
	case 6: {
		size_t doff = 5 + (cb_rand() % 3 ? 0 : cb_rand() % 11);

		cb_put16(p, CB_PICK(cb_ports));
		cb_put16(p + 2, CB_PICK(cb_ports));
		cb_put32(p + 4, cb_rand() % 2 ? 0 : cb_rand());
		cb_put32(p + 8, cb_rand());
		p[12] = doff << 4;
		p[13] = cb_rand() % 3 ? (uint8_t[]){ 0x02, 0x12, 0x10, 0x18,
			0x11, 0x04, 0x29, 0x00 }[cb_rand() % 8] : cb_rand();
		cb_put16(p + 14, cb_rand());
		for (i = 20; i < doff * 4; i++)
			p[i] = (uint8_t[]){ 1, 2, 4, 8 }[cb_rand() % 4];
		len = doff * 4;
		if (cb_rand() % 4 == 0 && pay >= 4)
			memcpy(p + len, "GET ", 4);
		else if (pay >= 4)
			cb_put32(p + len, cb_rand());
		break;
	}
	case 17:
		cb_put16(p, CB_PICK(cb_ports));
		cb_put16(p + 2, cb_rand() % 5 ? CB_PICK(cb_ports) :
			 cb_rand() % 0x10000);
		cb_put16(p + 4, 8 + pay);
		len = 8;
		break;
	case 1:
	case 58: {
		static const uint32_t t4[] = { 0, 3, 8, 11, 5, 13 };
		static const uint32_t t6[] = { 128, 129, 133, 134, 135, 136,
					       1, 3 };

		p[0] = proto == 1 ? CB_PICK(t4) : CB_PICK(t6);
		p[1] = cb_rand() % 2 ? 0 : cb_rand() % 16;
		cb_put32(p + 4, cb_rand() % 2 ? 0 : cb_rand());
		len = 8;
		break;
	}
	default:
		len = 0;
		break;
	}
	for (i = len; i < len + pay && i < 1300; i++)
		if (!(proto == 6 && i < len + 4))
			p[i] = cb_rand() % 3 ? 0 : cb_rand();
	return len + (pay < 1300 ? pay : 1300);
}

static size_t cb_ipv4(uint8_t *p)
{
	static const uint32_t protos[] = { 6, 6, 17, 17, 1, 47, 132, 0 };
	size_t ihl = cb_rand() % 5 ? 5 : 6 + cb_rand() % 10, i, len;
	int proto = CB_PICK(protos);
	uint32_t frag = 0;

	p[0] = 0x40 | ihl;
	p[1] = cb_rand() % 3 ? 0 : cb_rand();
	cb_put16(p + 4, cb_rand());
	switch (cb_rand() % 6) {
	case 0:
		frag = 0x2000 | (cb_rand() % 3 ? 0 : cb_rand() % 0x1fff);
		break;
	case 1:
		frag = cb_rand() % 0x1fff;
		break;
	case 2:
		frag = 0x4000;
		break;
	}
	cb_put16(p + 6, frag);
	p[8] = (uint8_t[]){ 64, 128, 255, 1, 0, 3 }[cb_rand() % 6];
	p[9] = proto;
	cb_put32(p + 12, CB_PICK(cb_v4));
	cb_put32(p + 16, cb_rand() % 8 ? CB_PICK(cb_v4) : cb_rand());
	if (cb_rand() % 10 == 0)	/* src == dst */
		memcpy(p + 16, p + 12, 4);
	for (i = 20; i < ihl * 4; i++)
		p[i] = (uint8_t[]){ 0x94, 0x44, 0x83, 0x01, 0x00, 0x07 }
			[cb_rand() % 6];
	len = ihl * 4 + cb_l4(p + ihl * 4, proto);
	/* total length sometimes lies, as on the wire */
	cb_put16(p + 2, cb_rand() % 8 ? len : cb_rand() % 0x10000);
	return len;
}

static size_t cb_ipv6(uint8_t *p)
{
	static const uint32_t protos[] = { 6, 17, 58, 58, 0, 44, 59 };
	int proto = CB_PICK(protos), l4 = proto;
	size_t hlen = 40, len;

	p[0] = 0x60 | (cb_rand() % 4 ? 0 : cb_rand() % 16);
	p[1] = cb_rand() % 2 ? 0 : cb_rand();
	p[6] = proto;
	p[7] = (uint8_t[]){ 64, 255, 1, 128 }[cb_rand() % 4];
	memcpy(p + 8, cb_v6[cb_rand() % 5], 16);
	memcpy(p + 24, cb_v6[cb_rand() % 5], 16);
	if (proto == 0 || proto == 44) {
		/* hop-by-hop or fragment header before the real L4 */
		l4 = (int[]){ 6, 17, 58 }[cb_rand() % 3];
		p[40] = l4;
		p[41] = 0;
		if (proto == 44)
			cb_put16(p + 42, cb_rand() % 0x10000);
		hlen = 48;
	}
	len = hlen + (proto == 59 ? 0 : cb_l4(p + hlen, l4));
	cb_put16(p + 4, len - 40);
	return len;
}

static size_t cb_arp(uint8_t *p)
{
	cb_put16(p, 1);
	cb_put16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	cb_put16(p + 6, 1 + cb_rand() % 2);
	memcpy(p + 8, cb_macs[cb_rand() % 2], 6);
	cb_put32(p + 14, CB_PICK(cb_v4));
	memset(p + 18, 0, 6);
	cb_put32(p + 24, CB_PICK(cb_v4));
	return 28;
}

void cb_gen(struct cb_pkt *pk)
{
	uint8_t *p = pk->data;
	size_t off = 12, len, tags = 0;
	uint32_t kind = cb_rand() % 10;

	memset(pk, 0, sizeof(*pk));
	memcpy(p, cb_macs[cb_rand() % 5], 6);
	memcpy(p + 6, cb_macs[cb_rand() % 2], 6);
	if (cb_rand() % 5 == 0)
		tags = 1 + cb_rand() % 2;
	while (tags--) {
		cb_put16(p + off, tags && cb_rand() % 2 ? 0x88a8 : 0x8100);
		cb_put16(p + off + 2, (cb_rand() % 8) << 13 |
			 (uint32_t[]){ 100, 200, 300, 1 }[cb_rand() % 4]);
		off += 4;
	}
	if (kind < 5) {
		cb_put16(p + off, 0x0800);
		len = cb_ipv4(p + off + 2);
	} else if (kind < 8) {
		cb_put16(p + off, 0x86dd);
		len = cb_ipv6(p + off + 2);
	} else if (kind < 9) {
		cb_put16(p + off, cb_rand() % 4 ? 0x0806 : 0x8035);
		len = cb_arp(p + off + 2);
	} else {
		cb_put16(p + off, (uint32_t[]){ 0x88cc, 0x0800, 0x86dd,
			0x0000 }[cb_rand() % 4]);
		len = cb_rand() % 100;
		for (size_t i = 0; i < len; i++)
			p[off + 2 + i] = cb_rand();
	}
	pk->len = off + 2 + len;
	/* truncated captures, some shorter than an Ethernet header */
	if (cb_rand() % 8 == 0)
		pk->len = cb_rand() % (pk->len + 1);
}
