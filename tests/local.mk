# SPDX-License-Identifier: GPL-2.0-only
# Three tiers: unit (Criterion, no root), host end-to-end (root), VM.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	VISTA=$(abs_top_builddir)/vista; export VISTA; \
	VISTA_FIXTURES=$(abs_top_srcdir)/tests/fixtures; export VISTA_FIXTURES; \
	VISTA_BTF_FIXTURE=$(abs_top_builddir)/tests/fixtures/btf/fixture.bpf.o; \
	export VISTA_BTF_FIXTURE; \
	VISTA_PCAP_FIXTURE=$(abs_top_builddir)/tests/fixtures/pcap/splice.bpf.o; \
	export VISTA_PCAP_FIXTURE; \
	VISTA_TEST_PLUGINS=$(abs_top_builddir)/tests/fixtures/plugins/.libs; \
	export VISTA_TEST_PLUGINS; \
	VISTA_TCXDP_FIXTURES=$(abs_top_builddir)/tests/fixtures/tcxdp; \
	export VISTA_TCXDP_FIXTURES; \
	srcdir=$(abs_top_srcdir); export srcdir; \
	top_builddir=$(abs_top_builddir); export top_builddir;

if HAVE_CRITERION
include tests/unit/config.mk
include tests/unit/kbtf.mk
include tests/unit/text.mk
include tests/unit/json.mk
include tests/unit/loader.mk
include tests/unit/cbpf.mk
include tests/unit/pcap.mk
include tests/unit/pcapng.mk
include tests/unit/output.mk
TESTS += $(check_PROGRAMS)
endif

include tests/fixtures/tcxdp/local.mk

TESTS += tests/build/exports.sh tests/build/man.sh
EXTRA_DIST += tests/build/exports.sh tests/build/man.sh
# man.sh: where the pages say things are, and how to build a plugin.
AM_TESTS_ENVIRONMENT += \
	pkglibdir='$(pkglibdir)'; export pkglibdir; \
	pkgdatadir='$(pkgdatadir)'; export pkgdatadir; \
	CC='$(CC)'; CLANG='$(CLANG)'; BPFTOOL='$(BPFTOOL)'; \
	LLVM_STRIP='$(LLVM_STRIP)'; BPF_ARCH='$(BPF_ARCH)'; \
	LIBBPF_CFLAGS='$(LIBBPF_CFLAGS)'; LIBBPF_LIBS='$(LIBBPF_LIBS)'; \
	export CC CLANG BPFTOOL LLVM_STRIP BPF_ARCH LIBBPF_CFLAGS LIBBPF_LIBS;

E2E_TESTS = tests/e2e/usage.sh tests/e2e/drops.sh tests/e2e/trace.sh \
	tests/e2e/filters.sh tests/e2e/lost.sh tests/e2e/signals.sh \
	tests/e2e/pcap.sh tests/e2e/track.sh tests/e2e/output.sh \
	tests/e2e/tcp.sh tests/e2e/sk.sh tests/e2e/iptables.sh tests/e2e/pcapng.sh \
	tests/e2e/tcxdp.sh tests/e2e/json.sh tests/e2e/sdk.sh tests/e2e/profiles.sh \
	tests/e2e/faults.sh tests/e2e/kill.sh tests/e2e/memcheck.sh
TESTS += $(E2E_TESTS)

include tests/vm/local.mk
EXTRA_DIST += $(E2E_TESTS) tests/e2e/lib.sh tests/vista-lib.sh tests/valgrind.supp
# The fuzz harnesses and their seeds (tests/fuzz/run.sh builds them).
EXTRA_DIST += tests/fuzz
# Root, installs packages: run by .ci/run, not by make check.
EXTRA_DIST += tests/pkg/debian.sh

# The installed vista finds the installed plugins (make distcheck runs it).
installcheck-local:
	@if [ -n "$(DESTDIR)" ]; then \
		echo "installcheck: skipped with DESTDIR (vista looks in $(pkglibdir))"; \
	else \
		$(bindir)/vista --list-plugins > installcheck.out && \
		grep -q "^tracer *skb .* $(pkglibdir)/tracer_skb.so$$" installcheck.out && \
		grep -q "^sink *text .* $(pkglibdir)/sink_text.so$$" installcheck.out && \
		echo "installcheck: the installed vista found its plugins" || \
		{ cat installcheck.out; exit 1; }; \
		rm -f installcheck.out; \
	fi
EXTRA_DIST += tests/fixtures/udp_hold.c
