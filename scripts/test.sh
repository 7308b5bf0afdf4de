#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build vista out of tree in build/ and run every test tier (or, with
# --build-only, just build). Run as root for the end-to-end tiers: they
# skip loudly otherwise.
set -e
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --disable-silent-rules
make -j"$(nproc)"
[ "${1:-}" = --build-only ] && exit 0
make check || { cat test-suite.log; exit 1; }
