# SPDX-License-Identifier: GPL-2.0-only
# core/cbpf.c: unit tests of the error paths, and the differential test of
# issue #4 (the translation run in the kernel with BPF_PROG_TEST_RUN must
# agree with libpcap's bpf_filter(); skipped when not root). The corpus is
# found through VISTA_FIXTURES (tests/local.mk). cbpf_gen.c (packets, the
# XDP wrapper) is shared with tests/fuzz/cbpf_diff.c.
check_PROGRAMS += tests/unit/test_cbpf
tests_unit_test_cbpf_SOURCES = tests/unit/test_cbpf.c tests/unit/cbpf_gen.c \
	tests/unit/cbpf_gen.h core/cbpf.c core/cbpf.h
tests_unit_test_cbpf_LDADD = $(LIBPCAP_LIBS) $(LIBBPF_LIBS) $(CRITERION_LIBS)
tests_unit_test_cbpf_CFLAGS = $(AM_CFLAGS) $(LIBPCAP_CFLAGS)
EXTRA_DIST += tests/fixtures/cbpf/expressions.txt
