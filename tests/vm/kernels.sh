#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Prepare the kernels the VM tier boots: the newest Debian cloud kernel
# package of each series (6.1 and 6.12), downloaded, extracted, and a small
# module tree (tests/vm/modules.list and its dependencies, decompressed,
# depmod'd) ready to put in an initramfs. Idempotent: a prepared kernel
# costs one package-list look-up.
#
#   tests/vm/kernels.sh [6.1|6.12|all]
#
# Prints one line per kernel on stdout: SERIES KVER DIR, where DIR holds
# vmlinuz, config and modroot/lib/modules/KVER.
set -euo pipefail
. "$(dirname "$0")/common.sh"

want=${1:-all}
[ "$want" = all ] && want=$VM_SERIES
for s in $want; do
	case " $VM_SERIES " in
	*" $s "*) ;;
	*) vm_die "unknown kernel series $s (have: $VM_SERIES)" ;;
	esac
done

# Package name patterns per series (whole names, extended regex).
pkg_regex() {
	case $1 in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+[^-]*-cloud-amd64-unsigned$' ;;
	esac
}

# $pkgnames: the kernel package names apt knows (one apt-cache call for
# all series: it is most of the cost of a prepared run).
newest_pkg() {
	echo "$pkgnames" | grep -E "$(pkg_regex "$1")" | sort -V | tail -1
}

# The newest kernel of a series already prepared here (offline fallback).
newest_prepared() {
	local d
	for d in "$VM_CACHE"/kernels/*/; do
		[ -f "$d/ready" ] || continue
		[ "$(cat "$d/series")" = "$1" ] && basename "$d"
	done | sort -V | tail -1
}

# modroot: the modules the guest needs and their dependencies, from the
# package's full tree (depmod'd once so modprobe can resolve them).
make_modroot() {
	local kver=$1 k=$2 full=$2/pkg/lib/modules/$1 m line path rel dst
	[ -f "$full/modules.dep" ] || depmod -b "$k/pkg" "$kver" ||
		vm_die "depmod of $kver failed"
	rm -rf "$k/modroot"
	mkdir -p "$k/modroot/lib/modules/$kver"
	for m in $(grep -v '^#' "$VM_DIR/modules.list"); do
		if ! modprobe -d "$k/pkg" -S "$kver" --show-depends "$m" \
			>"$k/deps" 2>/dev/null; then
			vm_log "$kver: no module $m (skipped)"
			continue
		fi
		while read -r line; do
			case $line in insmod\ *) ;; *) continue ;; esac
			path=${line#insmod }
			path=${path%% *}
			rel=${path#"$full/"}
			dst=$k/modroot/lib/modules/$kver/${rel%.xz}
			[ -f "$dst" ] && continue
			mkdir -p "$(dirname "$dst")"
			case $path in
			*.xz) xz -dc "$path" >"$dst" ;;
			*.zst) zstd -qdc "$path" >"$dst" ;;
			*) cp "$path" "$dst" ;;
			esac
		done <"$k/deps"
	done
	rm -f "$k/deps"
	cp "$full"/modules.builtin "$full"/modules.builtin.modinfo \
		"$full"/modules.order "$k/modroot/lib/modules/$kver/"
	depmod -b "$k/modroot" "$kver" ||
		vm_die "depmod of the $kver modroot failed"
	cp "$VM_DIR/modules.list" "$k/modroot/modules.list"
}

# download SERIES PKG: the package's .deb in the cache (fetched once); the
# other versions of that series are removed.
download() {
	local deb f n
	deb=$(ls "$VM_CACHE/debs/${2}_"*.deb 2>/dev/null | sort -V |
		tail -1 || true)
	if [ -z "$deb" ]; then
		vm_log "$1: downloading $2"
		mkdir -p "$VM_CACHE/debs"
		# As root, without the _apt sandbox user (it cannot write here).
		(cd "$VM_CACHE/debs" &&
			apt-get download -q -o APT::Sandbox::User=root "$2" \
				>/dev/null) ||
			vm_die "apt-get download $2 failed"
		deb=$(ls "$VM_CACHE/debs/${2}_"*.deb | sort -V | tail -1)
	fi
	for f in "$VM_CACHE"/debs/*.deb; do
		n=$(basename "$f")
		[ "$f" != "$deb" ] && [[ ${n%%_*} =~ $(pkg_regex "$1") ]] &&
			rm -f "$f"
	done
	echo "$deb"
}

prepare() {
	local series=$1 pkg deb kver k d
	pkg=$(newest_pkg "$series")
	if [ -z "$pkg" ]; then
		kver=$(newest_prepared "$series")
		[ -n "$kver" ] ||
			vm_die "apt knows no linux-image-$series cloud package"
		vm_log "$series: no package known to apt; using prepared $kver"
	else
		kver=${pkg#linux-image-}
		kver=${kver%-unsigned}
	fi
	k=$VM_CACHE/kernels/$kver
	if [ ! -f "$k/ready" ] || ! cmp -s "$VM_DIR/modules.list" \
		"$k/modroot/modules.list"; then
		if [ ! -f "$k/pkg/boot/vmlinuz-$kver" ]; then
			[ -n "$pkg" ] || vm_die "$kver: its package is gone"
			deb=$(download "$series" "$pkg")
			vm_log "$series: extracting $(basename "$deb")"
			rm -rf "$k"
			mkdir -p "$k"
			dpkg-deb -x "$deb" "$k/pkg"
		fi
		[ -f "$k/pkg/boot/vmlinuz-$kver" ] &&
			[ -d "$k/pkg/lib/modules/$kver" ] ||
			vm_die "$k/pkg: no vmlinuz-$kver or modules/$kver"
		vm_log "$series: module tree for $kver"
		make_modroot "$kver" "$k"
		ln -sf "pkg/boot/vmlinuz-$kver" "$k/vmlinuz"
		ln -sf "pkg/boot/config-$kver" "$k/config"
		echo "$series" >"$k/series"
		touch "$k/ready"
	fi
	# Older kernels of this series are of no more use.
	for d in "$VM_CACHE"/kernels/*/; do
		[ "$(cat "$d/series" 2>/dev/null)" = "$series" ] &&
			[ "$(basename "$d")" != "$kver" ] && rm -rf "$d"
	done
	echo "$series $kver $k"
}

vm_need_pkgs depmod:kmod xz:xz-utils dpkg-deb:dpkg flock:util-linux
vm_lock kernels
pkgnames=$(apt-cache pkgnames linux-image-6. 2>/dev/null || true)
if [ -z "$pkgnames" ] && [ "$(id -u)" = 0 ]; then
	vm_apt_lists
	pkgnames=$(apt-cache pkgnames linux-image-6. 2>/dev/null || true)
fi
for s in $want; do
	prepare "$s"
done
