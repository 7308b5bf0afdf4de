#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install what building and testing vista needs on Debian 12.
set -e
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] && SUDO= || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	clang libclang-rt-14-dev llvm bpftool libbpf-dev libelf-dev zlib1g-dev \
	libpcap-dev \
	libinih-dev libcriterion-dev debhelper dpkg-dev \
	iproute2 iptables nftables iputils-ping jq util-linux tshark groff-base \
	qemu-system-x86 busybox-static kmod cpio xz-utils valgrind >/dev/null
