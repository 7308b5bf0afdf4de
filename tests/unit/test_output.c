// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fast appenders of <vista/output.h> (the text and JSON sinks build
 * every record with them): each against what printf or inet_ntop gives
 * for the same value, at the edges (0, the largest values, widths, a
 * buffer that must grow).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <criterion/criterion.h>

#include <vista/output.h>

static struct vista_strbuf sb;

static void setup(void)
{
	cr_assert_eq(vista_strbuf_init(&sb, 4), 0);
}

static void teardown(void)
{
	vista_strbuf_free(&sb);
}

TestSuite(output, .init = setup, .fini = teardown);

Test(output, decimal_like_printf)
{
	static const unsigned long long v[] = {
		0, 1, 9, 10, 99, 100, 4294967295ULL, 4294967296ULL,
		18446744073709551615ULL,
	};
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		vista_strbuf_reset(&sb);
		vista_strbuf_u64(&sb, v[i]);
		snprintf(want, sizeof(want), "%llu", v[i]);
		cr_expect_str_eq(sb.p, want);
		cr_expect_eq(sb.len, strlen(want));
	}
}

Test(output, signed_like_printf)
{
	static const long long v[] = { 0, -1, 1, LLONG_MIN, LLONG_MAX };
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		vista_strbuf_reset(&sb);
		vista_strbuf_i64(&sb, v[i]);
		snprintf(want, sizeof(want), "%lld", v[i]);
		cr_expect_str_eq(sb.p, want);
	}
}

Test(output, hex_with_min_digits)
{
	char want[32];

	vista_strbuf_hex(&sb, 0, 1);
	cr_expect_str_eq(sb.p, "0x0");
	vista_strbuf_reset(&sb);
	vista_strbuf_hex(&sb, 0x800, 4);
	cr_expect_str_eq(sb.p, "0x0800");
	vista_strbuf_reset(&sb);
	vista_strbuf_hex(&sb, 0x86dd, 4);
	cr_expect_str_eq(sb.p, "0x86dd");
	vista_strbuf_reset(&sb);
	vista_strbuf_hex(&sb, 0xffff888164202100ULL, 1);
	snprintf(want, sizeof(want), "0x%llx", 0xffff888164202100ULL);
	cr_expect_str_eq(sb.p, want);
}

Test(output, pad_like_printf)
{
	char want[64];

	vista_strbuf_pad(&sb, "abc", 3, 6);
	snprintf(want, sizeof(want), "%6s", "abc");
	cr_expect_str_eq(sb.p, want);
	vista_strbuf_reset(&sb);
	vista_strbuf_pad(&sb, "abcdefgh", 8, 4);	/* wider: whole */
	cr_expect_str_eq(sb.p, "abcdefgh");
}

Test(output, grows_and_stays_terminated)
{
	size_t i;

	for (i = 0; i < 1000; i++)
		vista_strbuf_putc(&sb, 'a' + i % 26);
	vista_strbuf_puts(&sb, "end");
	cr_assert(!sb.oom);
	cr_expect_eq(sb.len, 1003);
	cr_expect_eq(strlen(sb.p), 1003);
	cr_expect_str_eq(sb.p + 1000, "end");
	cr_expect_eq(sb.p[26], 'a');
}

Test(output, addresses_like_inet_ntop)
{
	static const char *const v4[] = {
		"0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.7",
	};
	static const char *const v6[] = { "::1", "2001:db8::2", "fe80::1:2" };
	unsigned char a[16];
	char out[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(inet_pton(AF_INET, v4[i], a), 1);
		cr_expect_eq(vista_fmt_addr(out, sizeof(out), AF_INET, a),
			     strlen(v4[i]));
		cr_expect_str_eq(out, v4[i]);
	}
	for (i = 0; i < 3; i++) {
		cr_assert_eq(inet_pton(AF_INET6, v6[i], a), 1);
		cr_expect_eq(vista_fmt_addr(out, sizeof(out), AF_INET6, a),
			     strlen(v6[i]));
		cr_expect_str_eq(out, v6[i]);
	}
}

Test(output, printf_grows)
{
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vista_strbuf_puts(&sb, "a");
	vista_strbuf_printf(&sb, "%s|%d", big, 42);
	cr_assert(!sb.oom);
	cr_expect_eq(sb.len, 1 + 4999 + 3);
	cr_expect_str_eq(sb.p + 1 + 4999, "|42");
	cr_expect_eq(sb.p[0], 'a');
}
