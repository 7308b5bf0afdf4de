#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every plugin and sink shared object exports exactly one symbol: its
# descriptor, vista_plugin.
set -u
b=${top_builddir:?}
n=0 bad=0
for so in "$b"/plugins/*/.libs/*.so "$b"/sinks/*/.libs/*.so; do
	[ -e "$so" ] || continue
	n=$((n + 1))
	syms=$(nm -D --defined-only "$so" | awk '{print $3}' | tr '\n' ' ')
	if [ "$syms" = "vista_plugin " ]; then
		echo "ok: $(basename "$so") exports only vista_plugin"
	else
		echo "FAIL: $(basename "$so") exports: $syms"
		bad=$((bad + 1))
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no plugin found under $b"; exit 1; }
[ "$bad" = 0 ]
