# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the host end-to-end tests (sourced, not run).
#
# Each test builds its own pair of network namespaces joined by a veth,
# runs vista against real traffic, parses vista's output and asserts on
# fields. Exit 77 (skip) only when not root, and say so loudly.

set -u

VISTA=${VISTA:-$(cd "$(dirname "$0")/../.." && pwd)/vista}
SRCDIR=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/vista-e2e.XXXXXX)
NS_A=vista-a-$$
NS_B=vista-b-$$
ADDR_A=10.231.$(( $$ % 200 + 1 )).1
ADDR_B=10.231.$(( $$ % 200 + 1 )).2
VISTA_PID=
FAILS=0

log() { echo "# $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }
. "$(dirname "$0")/../vista-lib.sh"

# One end-to-end test at a time (make check -j): each checks that no BPF
# program of vista is left, which another test's vista would break.
e2e_lock() {
	exec 9>/tmp/vista-e2e.lock
	flock 9
}

need_root() {
	if [ "${VISTA_E2E:-}" = skip ]; then
		echo "SKIP: $(basename "$0"): VISTA_E2E=skip (the host tier ran elsewhere)"
		exit 77
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $(basename "$0") needs root (network namespaces, BPF)"
		echo "SKIP: run 'sudo make check' to run the host end-to-end tier"
		exit 77
	fi
	e2e_lock
	PATH=$PATH:/usr/sbin:/sbin
	for c in ip bpftool jq iptables ping; do
		command -v $c >/dev/null ||
			{ echo "FAIL: $c missing (see .ci/run for packages)"; exit 1; }
	done
}

# setup_pair (tests/vista-lib.sh) gives up through this.
setup_failed() {
	echo "FAIL: $*"
	exit 1
}

# tshark_complaints ERR: what tshark said on stderr (ERR), but for its
# warning about running as root; empty when it read a capture cleanly.
tshark_complaints() {
	grep -v 'Running as user "root"' "$1"
}

finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$(basename "$0"): $FAILS check(s) failed"
		exit 1
	fi
	echo "$(basename "$0"): all checks passed"
	exit 0
}
