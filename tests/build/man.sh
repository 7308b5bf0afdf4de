#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The man pages and the bash completion against the option table: every
# flag of vista --help in vista(8) and in the completion, every profile key
# of core/options.c in vista.ini(5) (and nothing else), pages that groff
# renders without a warning, the completion of flags, choices, lists and
# profiles, the profiles of vista.ini(5)'s EXAMPLES accepted by vista, and
# vista-plugin(7)'s example plugins built and loaded.
set -u
b=${top_builddir:?} s=${srcdir:?}
VISTA=${VISTA:-$b/vista}
T=$(mktemp -d /tmp/vista-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
umask 022
n=0 bad=0
ok() { n=$((n + 1)); echo "ok: $*"; }
fail() { n=$((n + 1)); bad=$((bad + 1)); echo "FAIL: $*"; }

for tool in groff bash; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $(basename "$0"): no $tool" \
			"(scripts/deps.sh installs it)"
		exit 77
	fi
done
for f in man/vista.8 man/vista.ini.5 man/vista-plugin.7 completion/vista; do
	[ -s "$b/$f" ] || { echo "FAIL: $b/$f was not built"; exit 1; }
done

# Rendered as plain text, one line per tag however long.
render() { groff -man -Tascii -P-cbou -rLL=250n "$b/$1" 2>/dev/null; }

# ---- vista(8): the flags of --help, no more, no less -----------------------
"$VISTA" --help | sed -n 's/^ *\(-[a-z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' |
	sort >"$T/help"
[ "$(wc -l <"$T/help")" -ge 40 ] ||
	fail "vista --help lists only $(wc -l <"$T/help") flags"
render man/vista.8 >"$T/vista.8.txt"
# The tags of OPTIONS: "       --flag metavar", nothing else on the line.
tag='^       \(-[a-z], \)\{0,1\}--\([a-z0-9-]*\)\( [a-z0-9]*\)\{0,1\}$'
sed -n "/^OPTIONS\$/,/^[A-Z]/s/$tag/\\2/p" "$T/vista.8.txt" | sort >"$T/man8"
if cmp -s "$T/help" "$T/man8"; then
	ok "vista.8 documents the $(wc -l <"$T/help") flags of vista --help"
else
	fail "vista.8 and --help differ (< --help, > vista.8):"
	diff "$T/help" "$T/man8"
fi
grep -q '^       -h, --help$' "$T/vista.8.txt" && ok "vista.8: -h, --help" ||
	fail "vista.8 has no '-h, --help'"
for dir in "${pkglibdir:?}" "${pkgdatadir:?}/profiles"; do
	grep -q "^       $dir\$" "$T/vista.8.txt" &&
		ok "vista.8 FILES: $dir" || fail "vista.8 FILES lacks $dir"
done

# ---- vista.ini(5): every [section] key of the table ------------------------
# Read from the table's source, not from the generator under test.
awk 'BEGIN { RS = "}," }
	match($0, /\.section = "[^"]*"/) {
		sec = substr($0, RSTART + 12, RLENGTH - 13)
		if (match($0, /\.key = "[^"]*"/))
			print sec " " substr($0, RSTART + 8, RLENGTH - 9)
	}' "$s/core/options.c" | sort >"$T/keys"
[ "$(wc -l <"$T/keys")" -ge 30 ] ||
	fail "core/options.c yields only $(wc -l <"$T/keys") keys"
render man/vista.ini.5 | awk '
	/^[A-Z]/ { in_keys = ($0 == "KEYS") }
	in_keys && /^   \[[a-z.]*\]$/ { sec = substr($1, 2, length($1) - 2) }
	in_keys && sec && /^       [a-z0-9-]+ = [^ ]+$/ { print sec " " $1 }' |
	sort >"$T/man5"
if cmp -s "$T/keys" "$T/man5"; then
	ok "vista.ini.5 documents the $(wc -l <"$T/keys") keys of the table"
else
	fail "vista.ini.5 and core/options.c differ (< table, > vista.ini.5):"
	diff "$T/keys" "$T/man5"
fi

# ---- every page renders without a warning ----------------------------------
for page in vista.8 vista.ini.5 vista-plugin.7; do
	for dev in ascii utf8; do
		groff -man -ww -z -T$dev "$b/man/$page" >"$T/warn" 2>&1
		if [ -s "$T/warn" ]; then
			fail "groff -ww -T$dev $page:"
			cat "$T/warn"
		else
			ok "groff -ww -T$dev $page: no warning"
		fi
	done
done

# ---- the completion --------------------------------------------------------
mkdir "$T/cwd" && touch "$T/cwd/out.txt"
# comp WORDS...: the replies to completing the last word, sorted, one line.
cat >"$T/comp.bash" <<EOF
. "$b/completion/vista"
[ "\$_vista_profile_dir" = "$pkgdatadir/profiles" ] ||
	echo "profile dir \$_vista_profile_dir"
_vista_profile_dir="$s/profiles"
comp() {
	COMP_WORDS=(vista "\$@")
	COMP_CWORD=\$#
	COMP_LINE="vista \$*"
	COMP_POINT=\${#COMP_LINE}
	COMPREPLY=()
	_vista vista "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
	((\${#COMPREPLY[@]})) &&
		printf '%s\n' "\${COMPREPLY[@]}" | sort | tr '\n' ' '
	echo
}
EOF
# expect WANT WORDS...
expect() {
	want=$1
	shift
	got=$(cd "$T/cwd" && bash -c '. "$1"; shift; comp "$@"' \
		comp "$T/comp.bash" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "completion: vista $* -> $want"
	else
		fail "completion: vista $*: got '$got', want '$want'"
	fi
}
all=$({ sed 's/^/--/' "$T/help"
	"$VISTA" --help | sed -n 's/^ *\(-[a-z]\), --.*/\1/p'; } |
	sort | tr '\n' ' ')
expect "$all" -
expect "$(sed -n 's/^filter-tr/--&/p' "$T/help" | sort | tr '\n' ' ')" \
	--filter-tr
expect "absolute none relative " --timestamp ''
expect "relative " --timestamp re
expect "relative " --output-meta --timestamp = rel
expect "--timestamp=absolute " --timestamp=a
expect "fentry kprobe kprobe-multi tracepoint " --kprobe-backend ''
expect "icmp icmp6 tcp udp " --filter-protocol ''
expect "entry,entry entry,exit " --pcap-mode entry,
expect "$(cd "$s/profiles" && ls -- *.ini | sed 's/\.ini$//' | sort |
	tr '\n' ' ')" --profile ''
expect "drops " --profile dr
expect "out.txt " --output-file o
expect "out.txt " --pcap-file ''
expect "false true " --output-meta = ''
expect "--output-meta=false --output-meta=true " --output-meta=
expect "tcp " --output-meta tc
expect "" --filter-port ''

# ---- vista.ini(5)'s example profiles are accepted --------------------------
# Each ends with an unknown key: the error on that very line proves every
# line before it was accepted.
render man/vista.ini.5 | sed -n '/^EXAMPLES$/,/^[A-Z]/s/^              //p' |
	awk -v dir="$T" '/^\[core\]/ { f = dir "/example" ++i ".ini" }
		f { print > f }'
for ini in "$T"/example*.ini; do
	[ -e "$ini" ] || { fail "vista.ini.5: no example profile"; break; }
	echo "bogus = 1" >>"$ini"
	last=$(wc -l <"$ini")
	"$VISTA" --profile "$ini" >/dev/null 2>"$T/err"
	if grep -q "^$ini:$last: unknown key 'bogus'" "$T/err"; then
		ok "vista.ini.5: $(basename "$ini") is accepted"
	else
		fail "vista.ini.5: $(basename "$ini"): $(cat "$T/err")"
	fi
done

# ---- vista-plugin(7)'s examples build and load -----------------------------
# Each code block after an ".\" example: FILE" comment, unescaped.
mkdir "$T/ex"
awk -v dir="$T/ex" '
	/^\.\\" example: / { f = dir "/" $3; next }
	f && /^\.EX$/ { on = 1; next }
	f && /^\.EE$/ { on = 0; f = ""; next }
	on {
		gsub(/\\e/, "\001"); gsub(/\\-/, "-"); gsub(/\\\(aq/, "\047")
		gsub(/\\&/, ""); gsub(/\001/, "\\")
		print > f
	}' "$b/man/vista-plugin.7"
cd "$T/ex" || exit 1
SO_FLAGS="-shared -fPIC -fvisibility=hidden -Wl,--no-undefined"
SO_FLAGS="$SO_FLAGS -Wall -Wextra -Werror"
if ${CC:-cc} $SO_FLAGS -I"$s/include" -o sink_lines.so sink_lines.c \
	>"$T/err" 2>&1; then
	ok "vista-plugin.7: sink_lines.c builds"
else
	fail "vista-plugin.7: sink_lines.c: $(cat "$T/err")"
fi
if { ${CLANG:?} -g -O2 -target bpf -D__TARGET_ARCH_${BPF_ARCH:?} \
	-I"$s/vmlinux/$BPF_ARCH" -I"$s/include" -I. ${LIBBPF_CFLAGS:-} \
	-Wall -c hello.bpf.c -o hello.bpf.o &&
	${LLVM_STRIP:?} -g hello.bpf.o &&
	${BPFTOOL:?} gen skeleton hello.bpf.o name hello_bpf >hello.skel.h &&
	${CC:-cc} $SO_FLAGS -I"$s/include" -I. ${LIBBPF_CFLAGS:-} \
		-o tracer_hello.so hello.c ${LIBBPF_LIBS:--lbpf}
	} >"$T/err" 2>&1; then
	ok "vista-plugin.7: hello.h, hello.bpf.c and hello.c build"
else
	fail "vista-plugin.7: the tracer: $(cat "$T/err")"
fi
for so in sink_lines.so tracer_hello.so; do
	[ -e $so ] || continue
	syms=$(nm -D --defined-only $so | awk '{ print $3 }' | tr '\n' ' ')
	[ "$syms" = "vista_plugin " ] && ok "$so exports only vista_plugin" ||
		fail "$so exports: $syms"
done
"$VISTA" --plugin-dir "$T/ex" --list-plugins >"$T/list" 2>&1
for p in "tracer *hello *1.0 *$T/ex/tracer_hello.so" \
	"sink *lines *1.0 *$T/ex/sink_lines.so"; do
	grep -q "^$p\$" "$T/list" && ok "vista --list-plugins: $p" ||
		fail "vista --list-plugins has no '$p': $(cat "$T/list")"
done
# The page's profile, and the plugins' own options on both sides.
sed -n '/^\.SH EXAMPLES$/,/^\.SH FILES$/p' "$b/man/vista-plugin.7" |
	sed -n '/^\.nf$/,/^\.fi$/p' | sed '/^\.[a-z]*$/d' >hello.ini
if "$VISTA" --plugin-dir "$T/ex" --profile hello.ini --lines-file x \
	--timestamp bogus >/dev/null 2>"$T/err"; then
	fail "vista with hello.ini and a bad --timestamp ran"
elif grep -q '^--timestamp: invalid value "bogus"' "$T/err"; then
	ok "vista-plugin.7: its profile loads both plugins, --lines-file known"
else
	fail "vista-plugin.7: hello.ini: $(cat "$T/err")"
fi

echo "$n checks, $bad failed"
[ "$bad" = 0 ]
