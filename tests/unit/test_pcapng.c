// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pcapng writer against golden bytes, written out by hand from the
 * format's description (little-endian host): block type, total length
 * at both ends, options padded to 32 bits and ended by opt_endofopt.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../sinks/pcapng/pcapng.h"

#define U16(v) (uint8_t)(v), (uint8_t)((v) >> 8)
#define U32(v) U16((v) & 0xffff), U16((uint32_t)(v) >> 16)

static void same(const struct pcapng_buf *b, const uint8_t *want, size_t n)
{
	size_t i;

	cr_assert_eq(b->len, n, "length %zu, want %zu", b->len, n);
	for (i = 0; i < n; i++)
		cr_assert_eq(b->p[i], want[i], "byte %zu: 0x%02x, want 0x%02x",
			     i, b->p[i], want[i]);
}

Test(pcapng, section_header)
{
	const uint8_t want[] = {
		U32(0x0A0D0D0A), U32(48),
		U32(0x1A2B3C4D), U16(1), U16(0),
		U32(0xffffffff), U32(0xffffffff),	/* section length -1 */
		U16(4), U16(9), 'v', 'i', 's', 't', 'a', ' ', '0', '.', '1',
		0, 0, 0,				/* shb_userappl */
		U16(0), U16(0),
		U32(48),
	};
	struct pcapng_buf b = { 0 };

	cr_assert_eq(pcapng_shb(&b, NULL, "", "vista 0.1"), 0);
	same(&b, want, sizeof(want));
	pcapng_buf_free(&b);
}

Test(pcapng, interface)
{
	const uint8_t want[] = {
		U32(1), U32(64),
		U16(1), U16(0), U32(256),		/* Ethernet, snaplen */
		U16(2), U16(2), 'v', 'b', 0, 0,		/* if_name */
		U16(3), U16(5), 'n', 's', '=', '7', '/', 0, 0, 0,
		U16(9), U16(1), 9, 0, 0, 0,		/* if_tsresol: ns */
		U16(11), U16(5), 0, 'i', 'c', 'm', 'p', 0, 0, 0,
		U16(0), U16(0),
		U32(64),
	};
	struct pcapng_buf b = { 0 };

	cr_assert_eq(pcapng_idb(&b, 1, 256, "vb", "ns=7/", "icmp"), 0);
	same(&b, want, sizeof(want));
	pcapng_buf_free(&b);
}

Test(pcapng, packet_with_every_option)
{
	const uint8_t data[5] = { 1, 2, 3, 4, 5 };
	const uint8_t want[] = {
		U32(6), U32(108),
		U32(3), U32(0x1), U32(0x2),		/* ifid, ts high, low */
		U32(5), U32(1500),			/* caplen, origlen */
		1, 2, 3, 4, 5, 0, 0, 0,
		U16(7), U16(9), 1, U32(2), U32(0), 0, 0, 0,	/* TC, 2 */
		U16(1), U16(2), 'h', 'i', 0, 0,		/* opt_comment */
		U16(2), U16(4), U32(PCAPNG_DIR_IN | PCAPNG_RX_UNICAST),
		U16(5), U16(8), U32(0xdeadbeef), U32(0xffff8881),
		U16(6), U16(4), U32(3),			/* epb_queue */
		U16(4), U16(8), U32(17), U32(0),	/* epb_dropcount */
		U16(0), U16(0),
		U32(108),
	};
	struct pcapng_epb e = {
		.ifid = 3, .ts_ns = 0x100000002ull, .data = data,
		.caplen = 5, .origlen = 1500,
		.has_verdict = true, .verdict_type = PCAPNG_VERDICT_TC,
		.verdict = 2, .comment = "hi",
		.flags = PCAPNG_DIR_IN | PCAPNG_RX_UNICAST,
		.has_packetid = true, .packetid = 0xffff8881deadbeefull,
		.has_queue = true, .queue = 3,
		.has_dropcount = true, .dropcount = 17,
	};
	struct pcapng_buf b = { 0 };

	cr_assert_eq(pcapng_epb(&b, &e), 0);
	same(&b, want, sizeof(want));
	pcapng_buf_free(&b);
}

Test(pcapng, packet_without_options)
{
	const uint8_t data[4] = { 0x45, 0, 0, 0x54 };
	const uint8_t want[] = {
		U32(6), U32(36),
		U32(0), U32(0), U32(7), U32(4), U32(84),
		0x45, 0, 0, 0x54,
		U32(36),
	};
	struct pcapng_epb e = {
		.ts_ns = 7, .data = data, .caplen = 4, .origlen = 84,
	};
	struct pcapng_buf b = { 0 };

	cr_assert_eq(pcapng_epb(&b, &e), 0);
	same(&b, want, sizeof(want));
	/* The buffer is reused: a second block replaces the first. */
	cr_assert_eq(pcapng_epb(&b, &e), 0);
	same(&b, want, sizeof(want));
	pcapng_buf_free(&b);
}
