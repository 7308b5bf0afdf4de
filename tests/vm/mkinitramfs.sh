#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the VM tier's initramfs for one prepared kernel (tests/vm/kernels.sh):
# the vista build installed (make install DESTDIR), the guest's tools with
# the shared libraries ldd names, the kernel's modules, /init and the
# scenarios.
#
#   tests/vm/mkinitramfs.sh KVER OUT.cpio.gz
#
# VISTA_BUILDDIR names the build tree (default: the one of the running
# make, else build/ in the source tree); VISTA_STAGE, if set, is an
# already installed tree to use instead.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# = 2 ] || { echo "usage: $0 KVER OUT.cpio.gz" >&2; exit 2; }
kver=$1
out=$2
k=$VM_CACHE/kernels/$kver
[ -f "$k/ready" ] || vm_die "kernel $kver is not prepared (tests/vm/kernels.sh)"

# Each command the guest needs, and the package that brings it.
vm_need_pkgs busybox:busybox-static kmod:kmod cpio:cpio gzip:gzip \
	dash:dash bash:bash ip:iproute2 tc:iproute2 ss:iproute2 \
	xtables-nft-multi:iptables xtables-legacy-multi:iptables \
	ping:iputils-ping bpftool:bpftool jq:jq setpriv:util-linux \
	timeout:coreutils ldd:libc-bin
[ -z "$(ldd "$(command -v busybox)" 2>/dev/null | grep '=>')" ] ||
	vm_die "$(command -v busybox) is not static:" \
		"apt-get install busybox-static"

work=$(mktemp -d /tmp/vista-initramfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
umask 022
r=$work/root
mkdir -p "$r"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64} \
	"$r"/{dev,proc,sys,run,tmp,etc,root,boot,mnt,var}
ln -s usr/bin "$r/bin"
ln -s usr/sbin "$r/sbin"
ln -s usr/lib "$r/lib"
ln -s usr/lib64 "$r/lib64"
ln -s ../run "$r/var/run"
chmod 1777 "$r/tmp"
# The kernel opens /dev/console for /init before devtmpfs is mounted.
mknod -m 600 "$r/dev/console" c 5 1
mknod -m 666 "$r/dev/null" c 1 3

# copy_libs FILE...: the shared libraries (and loader) the files need.
copy_libs() {
	local lib
	ldd "$@" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^\t\(\/[^ ]*\) .*/\1/p' |
		sort -u | while read -r lib; do
		case $lib in "$r"/*) continue ;; esac
		[ -e "$r$lib" ] && continue
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

# copy_bin CMD [NAME...]: the command's binary (symlinks resolved) in the
# same directory as on this host, under NAME too, with its libraries.
copy_bin() {
	local src dst n
	src=$(command -v "$1") || vm_die "$1 missing"
	src=$(readlink -f "$src")
	dst=${src#/usr}
	dst=/usr${dst}
	mkdir -p "$r$(dirname "$dst")"
	cp "$src" "$r$dst"
	shift
	for n in "$@"; do
		[ -e "$r$(dirname "$dst")/$n" ] ||
			ln -s "$(basename "$dst")" "$r$(dirname "$dst")/$n"
	done
	copy_libs "$src"
}

# The vista build, installed as on a real system.
if [ -n "${VISTA_STAGE:-}" ]; then
	cp -a "$VISTA_STAGE/." "$r/"
else
	vm_stage_vista "$work/stage"
	cp -a "$work/stage/." "$r/"
fi
rm -rf "$r/usr/local/include"
find "$r/usr/local" -name '*.la' -delete
vista=$(cd "$r" && find . -path '*/bin/vista' -type f | head -1)
[ -n "$vista" ] || vm_die "make install put no bin/vista in the stage"
vista=${vista#.}
profiles=$(cd "$r" && find . -path '*/share/vista/profiles' -type d | head -1)
profiles=${profiles#.}
find "$r/usr/local" -type f -perm -u+x | while read -r f; do
	LD_LIBRARY_PATH=$r/usr/local/lib copy_libs "$f"
done
chmod -R go-w "$r/usr/local"

# Shells: dash is /bin/sh. Never busybox sh: Debian's busybox runs its own
# applets (ip, ping, modprobe, timeout) before PATH.
copy_bin dash sh
copy_bin bash
copy_bin ip
copy_bin tc
copy_bin ss
copy_bin ping
copy_bin bpftool
copy_bin jq
copy_bin setpriv
copy_bin timeout
copy_bin kmod
for n in modprobe insmod rmmod lsmod modinfo depmod; do
	ln -s ../bin/kmod "$r/usr/sbin/$n"
done
# iptables: both variants; plain iptables is whichever this host uses.
copy_bin xtables-legacy-multi iptables-legacy ip6tables-legacy \
	iptables-legacy-save iptables-legacy-restore
copy_bin xtables-nft-multi iptables-nft ip6tables-nft iptables-nft-save \
	iptables-nft-restore
case $(readlink -f "$(command -v iptables)") in
*legacy*) v=legacy ;;
*) v=nft ;;
esac
for n in iptables ip6tables iptables-save iptables-restore; do
	ln -s "xtables-$v-multi" "$r/usr/sbin/$n"
done
xt=/usr/lib/x86_64-linux-gnu/xtables
[ -d "$xt" ] && cp -a "$xt" "$r$xt" && copy_libs "$xt"/*.so

# busybox for everything else, without shadowing any real binary.
cp "$(command -v busybox)" "$r/usr/bin/busybox"
busybox --list-full | while read -r a; do
	case $a in */*) ;; *) continue ;; esac
	a=/usr/${a#usr/}
	n=${a##*/}
	[ -e "$r/usr/bin/$n" ] || [ -e "$r/usr/sbin/$n" ] ||
		ln -s /usr/bin/busybox "$r$a"
done

# Small /etc: names for iptables and ip, root for id and bpftool.
echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
echo 'root:x:0:' >"$r/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$r/etc/hosts"
for f in /etc/protocols /etc/services /etc/ethertypes; do
	[ -f "$f" ] && cp "$f" "$r$f"
done
[ -d /etc/iproute2 ] && cp -a /etc/iproute2 "$r/etc/"
[ -d /usr/share/iproute2 ] && mkdir -p "$r/usr/share" &&
	cp -a /usr/share/iproute2 "$r/usr/share/"

# The kernel's modules (depmod'd by kernels.sh) and its configuration.
cp -a "$k/modroot/lib/modules" "$r/usr/lib/"
grep -v '^#' "$VM_DIR/modules.list" >"$r/etc/modules"
cp "$k/pkg/boot/config-$kver" "$r/boot/"

# /init, the guest library and the scenarios.
mkdir -p "$r/vista/scenarios"
cp "$VM_DIR/init.sh" "$r/init"
chmod 755 "$r/init"
cp "$VM_DIR/guest-lib.sh" "$VM_DIR/../vista-lib.sh" "$r/vista/"
# Scenarios (*.sh) and what they source (*.inc).
cp "$VM_SCENARIOS"/*.sh "$r/vista/scenarios/"
cp "$VM_SCENARIOS"/*.inc "$r/vista/scenarios/" 2>/dev/null || true
cat >"$r/vista/env" <<EOF
VISTA=$vista
VISTA_PROFILES=$profiles
VISTA_KVER=$kver
EOF

mkdir -p "$(dirname "$out")"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
vm_log "$kver: $out ($(du -h "$out" | cut -f1))"
