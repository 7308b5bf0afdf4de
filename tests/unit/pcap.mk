# SPDX-License-Identifier: GPL-2.0-only
# core/pcap.c: the expression from the filter flags, compile errors, the
# splice, and (as root) the libbpf load callback on a clang-built program
# run in the kernel. The program is found through VISTA_PCAP_FIXTURE
# (tests/local.mk).
check_PROGRAMS += tests/unit/test_pcap
tests_unit_test_pcap_SOURCES = tests/unit/test_pcap.c core/pcap.c \
	core/pcap.h core/cbpf.c core/cbpf.h core/config.c core/config.h \
	core/options.c core/log.c
tests_unit_test_pcap_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPCAP_CFLAGS) \
	$(INIH_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_pcap_LDADD = $(LIBPCAP_LIBS) $(LIBBPF_LIBS) $(INIH_LIBS) \
	$(CRITERION_LIBS)

PCAP_FIXTURE = tests/fixtures/pcap/splice.bpf.o
EXTRA_tests_unit_test_pcap_DEPENDENCIES = $(PCAP_FIXTURE)
CLEANFILES += $(PCAP_FIXTURE)
EXTRA_DIST += tests/fixtures/pcap/splice.bpf.c
