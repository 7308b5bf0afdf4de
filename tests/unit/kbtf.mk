# SPDX-License-Identifier: GPL-2.0-only
# core/kbtf.c against a BTF fixture: tests/fixtures/btf/fixture.c compiled
# to a BPF object only for its .BTF section (see the comment in the file).
check_PROGRAMS += tests/unit/test_kbtf
tests_unit_test_kbtf_SOURCES = tests/unit/test_kbtf.c core/kbtf.c core/kbtf.h
tests_unit_test_kbtf_LDADD = $(LIBBPF_LIBS) $(CRITERION_LIBS)

# Built in the build tree (the source tree is read-only under distcheck);
# tests find it through VISTA_BTF_FIXTURE (tests/local.mk).
KBTF_FIXTURE = tests/fixtures/btf/fixture.bpf.o
EXTRA_tests_unit_test_kbtf_DEPENDENCIES = $(KBTF_FIXTURE)
$(KBTF_FIXTURE): $(srcdir)/tests/fixtures/btf/fixture.c
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(CLANG) -g -O2 -target bpf -Wall -Wextra \
		-c $(srcdir)/tests/fixtures/btf/fixture.c -o $@
CLEANFILES += $(KBTF_FIXTURE)
EXTRA_DIST += tests/fixtures/btf/fixture.c
