# SPDX-License-Identifier: GPL-2.0-only
# Host-side helpers of the VM tier (sourced by kernels.sh, mkinitramfs.sh
# and run.sh, never run). See doc/vm.md.

VM_DIR=$(cd "$(dirname "$0")" && pwd)
VM_SRCDIR=$(cd "$VM_DIR/../.." && pwd)
# The scenarios the guest runs: the tests', or another set of the same
# shape (bench/vm for the benchmarks).
VM_SCENARIOS=$(cd "${VISTA_VM_SCENARIOS:-$VM_DIR/scenarios}" && pwd)
# Downloads, extracted kernels, initramfs images and console logs: all
# outside the source tree, kept between runs.
VM_CACHE=${VISTA_VM_CACHE:-/var/cache/vista-vm}
# The kernel series the tier boots, each the newest package of its series.
VM_SERIES="6.1 6.12"

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: error: $*" >&2; exit 1; }

# vm_need_pkgs CMD:PACKAGE...: install the packages of missing commands.
vm_need_pkgs() {
	local want= c
	for c in "$@"; do
		command -v "${c%%:*}" >/dev/null 2>&1 || want="$want ${c#*:}"
	done
	[ -z "$want" ] && return 0
	[ "$(id -u)" = 0 ] || vm_die "missing packages:$want (run as root)"
	vm_log "installing$want"
	vm_apt_lists
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $want >/dev/null ||
		vm_die "apt-get install$want failed"
}

# The package lists are needed to find and download packages: fetch them
# once if this machine has none.
vm_apt_lists() {
	ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 && return 0
	vm_log "no package lists: apt-get update"
	apt-get update -qq >/dev/null || vm_die "apt-get update failed"
}

# vm_lock NAME: serialize with other runs on this cache (fd 8).
vm_lock() {
	mkdir -p "$VM_CACHE"
	exec 8>"$VM_CACHE/$1.lock"
	flock 8
}

# vm_build_dir: the vista build tree to test.
vm_build_dir() {
	local b=${VISTA_BUILDDIR:-${top_builddir:-$VM_SRCDIR/build}}
	[ -f "$b/Makefile" ] ||
		vm_die "no vista build in $b" \
			"(./scripts/test.sh --build-only, or VISTA_BUILDDIR=DIR)"
	(cd "$b" && pwd)
}

# vm_stage_vista DIR: install the build into DIR (make install DESTDIR),
# with the scenarios' BPF programs and the benchmarks' packet source.
vm_stage_vista() {
	local b
	b=$(vm_build_dir) || exit 1
	rm -rf "$1"
	# Not the jobserver of a make check that runs this.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -s -C "$b" install tcxdp-fixtures DESTDIR="$1" \
		>"$1.log" 2>&1 ||
		{ cat "$1.log" >&2; vm_die "make -C $b install failed"; }
	# The scenarios' own BPF programs (TC, XDP), in /vista/bpf.
	mkdir -p "$1/vista/bpf"
	cp "$b"/tests/fixtures/tcxdp/*.bpf.o "$1/vista/bpf/"
	mkdir -p "$1/vista/bin"
	${CC:-cc} -O2 -o "$1/vista/bin/udpflood" "$VM_SRCDIR/bench/udpflood.c" ||
		vm_die "cannot build bench/udpflood.c"
	rm -f "$1.log"
}
