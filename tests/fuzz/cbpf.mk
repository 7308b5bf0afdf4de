# SPDX-License-Identifier: GPL-2.0-only
# The differential fuzzer of core/cbpf.c: random classic programs and
# pcap-filter expressions, run in the kernel with BPF_PROG_TEST_RUN against
# libpcap's bpf_filter(). A plain tool, not a libFuzzer harness: every
# input is a kernel load. As root: cbpf_diff [--pairs N] [--seed S].
PCAP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)

TOOLS += cbpf_diff
$(O)/cbpf_diff: $(SRC)/tests/fuzz/cbpf_diff.c $(SRC)/tests/unit/cbpf_gen.c \
		$(SRC)/core/cbpf.c $(HEADERS) | $(O)
	$(CLANG) $(TOOL_CFLAGS) $(CPPFLAGS) $(PCAP_CFLAGS) \
		-I$(SRC)/tests/unit $(filter %.c,$^) -o $@ $(PCAP_LIBS) \
		$(LIBBPF_LIBS)
